    INSERT INTO usage_wide (ts, bucket_end, source_kind, source_format, ingest_id, provider, model, project, api_key, workspace, tag_raw,
      user_hash, feature, endpoint, requests, input_tokens, cached_input_tokens, cache_write_5m_tokens,
      cache_write_1h_tokens, output_tokens, reasoning_tokens, batch, service_tier, long_context, status, latency_ms,
      prompt_hash, request_id, reported_cost_usd, row_key, cost_usd, priced, prompt_sig, prompt_emb, cache_denied,
      audio_input_tokens, audio_output_tokens, web_search_requests, inference_geo, speed)
    SELECT u.ts, u.bucket_end, $kind, $format, $ingest_id, coalesce(nullif(u.provider, 'unknown'), pr.provider, u.provider),
      u.model, u.project, u.api_key, u.workspace, u.tag_raw, u.user_hash, u.feature, u.endpoint, u.requests,
      u.input_tokens, u.cached_input_tokens, u.cache_write_5m_tokens, u.cache_write_1h_tokens, u.output_tokens,
      u.reasoning_tokens, u.batch, u.service_tier, u.long_context, u.status, u.latency_ms, u.prompt_hash, u.request_id,
      u.reported_cost_usd, u.row_key,
      CAST(CASE WHEN pr.model_id IS NULL OR (CASE WHEN u.web_search_requests > 0 AND pr.ws IS NULL THEN 'web search'
     WHEN u.speed = 'fast' AND pr.fast IS NULL THEN 'fast mode' END) IS NOT NULL THEN NULL ELSE CASE WHEN u.inference_geo IS NULL AND u.speed IS NULL THEN (u.input_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_input_p ELSE pr.input_p END) + u.cached_input_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_cached_p ELSE pr.cached_p END) + u.cache_write_5m_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_cw5_p ELSE pr.cw5_p END) + u.cache_write_1h_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_cw1_p ELSE pr.cw1_p END) + u.output_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_output_p ELSE pr.output_p END) + u.reasoning_tokens * pr.rsn_d_p + u.audio_input_tokens * pr.ain_d_p + u.audio_output_tokens * pr.aout_d_p + coalesce(u.web_search_requests * pr.ws_p, 0)) * 0.000000000001::DECIMAL(13,12)
     ELSE (u.input_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_input_p ELSE pr.input_p END) + u.cached_input_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_cached_p ELSE pr.cached_p END) + u.cache_write_5m_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_cw5_p ELSE pr.cw5_p END) + u.cache_write_1h_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_cw1_p ELSE pr.cw1_p END) + u.output_tokens * (CASE WHEN (pr.lc_threshold IS NOT NULL AND coalesce(u.long_context, (u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens) > pr.lc_threshold)) THEN pr.lc_output_p ELSE pr.output_p END) + u.reasoning_tokens * pr.rsn_d_p + u.audio_input_tokens * pr.ain_d_p + u.audio_output_tokens * pr.aout_d_p + coalesce(u.web_search_requests * pr.ws_p, 0)) * 0.000000000001::DECIMAL(13,12) * CASE WHEN u.inference_geo = 'us' AND pr.geo_us IS NOT NULL THEN pr.geo_us ELSE 1 END
       * CASE WHEN u.speed = 'fast' THEN pr.fast ELSE 1 END END END AS DECIMAL(38,12)) AS cost_usd,
      pr.model_id IS NOT NULL AND (CASE WHEN u.web_search_requests > 0 AND pr.ws IS NULL THEN 'web search'
     WHEN u.speed = 'fast' AND pr.fast IS NULL THEN 'fast mode' END) IS NULL AS priced,
      u.prompt_sig, u.prompt_emb, u.cache_denied, u.audio_input_tokens, u.audio_output_tokens, u.web_search_requests,
      u.inference_geo, u.speed
    FROM (SELECT *, NULL::VARCHAR AS row_key FROM (
    SELECT ts, bucket_end, provider, model, project, api_key, workspace, CASE WHEN tagged THEN tag END AS tag_raw,
      CASE WHEN tagged THEN parts.user WHEN coalesce(tag, user_raw) IS NOT NULL THEN left(sha256(coalesce(tag, user_raw)), 12) END AS user_hash,
      coalesce(CASE WHEN tagged THEN parts.feature END, feature_hint, '(untagged)') AS feature, endpoint, requests,
      input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,
      batch, service_tier, long_context, status, latency_ms, prompt_hash, request_id, reported_cost_usd, prompt_sig,
      prompt_emb, cache_denied, audio_input_tokens, audio_output_tokens, web_search_requests, inference_geo, speed
    FROM (SELECT *, parts.user <> '' AS tagged
    FROM (SELECT c.*, regexp_extract(c.tag, getvariable('llmcost_tag_re'), ['user', 'feature']) AS parts FROM (SELECT * FROM (SELECT (CASE WHEN contains(right(nullif(nullif(trim(CAST(createTime AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(createTime AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(createTime AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(createTime AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(createTime AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) AS ts,
  NULL::TIMESTAMP AS bucket_end,
  NULL AS provider,
  regexp_replace(nullif(nullif(trim(CAST(modelVersion AS VARCHAR)), ''), '--'), '^.*/', '') AS model,
  NULL::VARCHAR AS project,
  NULL::VARCHAR AS api_key,
  NULL::VARCHAR AS workspace,
  NULL::VARCHAR AS user_raw,
  NULL::VARCHAR AS tag,
  NULL::VARCHAR AS feature_hint,
  'generateContent' AS endpoint,
  1 AS requests,
  (CASE WHEN (__uo_input) IS NULL THEN 0::BIGINT WHEN isnan(__uo_input) THEN -4::BIGINT WHEN (__uo_input) >= 0 AND (__uo_input) < 1e15 AND (__uo_input) = trunc(__uo_input) THEN (__uo_input)::BIGINT ELSE -1::BIGINT END) AS input_tokens,
  (CASE WHEN (__uo_cached) IS NULL THEN 0::BIGINT WHEN isnan(__uo_cached) THEN -4::BIGINT WHEN (__uo_cached) >= 0 AND (__uo_cached) < 1e15 AND (__uo_cached) = trunc(__uo_cached) THEN (__uo_cached)::BIGINT ELSE -1::BIGINT END) AS cached_input_tokens,
  0::BIGINT AS cache_write_5m_tokens,
  0::BIGINT AS cache_write_1h_tokens,
  (CASE WHEN (__uo_output) IS NULL THEN 0::BIGINT WHEN isnan(__uo_output) THEN -4::BIGINT WHEN (__uo_output) >= 0 AND (__uo_output) < 1e15 AND (__uo_output) = trunc(__uo_output) THEN (__uo_output)::BIGINT ELSE -1::BIGINT END) AS output_tokens,
  (CASE WHEN (__uo_reasoning) IS NULL THEN 0::BIGINT WHEN isnan(__uo_reasoning) THEN -4::BIGINT WHEN (__uo_reasoning) >= 0 AND (__uo_reasoning) < 1e15 AND (__uo_reasoning) = trunc(__uo_reasoning) THEN (__uo_reasoning)::BIGINT ELSE -1::BIGINT END) AS reasoning_tokens,
  false AS batch,
  NULL::VARCHAR AS service_tier,
  NULL::BOOLEAN AS long_context,
  NULL::VARCHAR AS status,
  NULL::BIGINT AS latency_ms,
  NULL::VARCHAR AS prompt_hash,
  nullif(nullif(trim(CAST(responseId AS VARCHAR)), ''), '--') AS request_id,
  NULL::DECIMAL(38,12) AS reported_cost_usd,
  NULL::UBIGINT[] AS prompt_sig,
  NULL::FLOAT[] AS prompt_emb,
  NULL::BOOLEAN AS cache_denied,
  0::BIGINT AS audio_input_tokens,
  0::BIGINT AS audio_output_tokens,
  0::BIGINT AS web_search_requests,
  NULL::VARCHAR AS inference_geo,
  NULL::VARCHAR AS speed
FROM (SELECT *, (__uo_input IS NULL AND __uo_cached IS NULL AND __uo_cw5 IS NULL AND __uo_cw1 IS NULL AND __uo_output IS NULL AND __uo_reasoning IS NULL AND __uo_audio_in IS NULL AND __uo_audio_out IS NULL) AS __uo_none FROM (SELECT *, coalesce(lower('google'), CASE WHEN __uo_gemini THEN 'google' WHEN __uo_anthropic THEN 'anthropic' ELSE 'unknown' END) AS __uo_provider,
  (CASE WHEN __uo_gemini THEN coalesce(__uo_g.promptTokenCount, __uo_u.promptTokenCount) - coalesce(coalesce(__uo_g.cachedContentTokenCount, __uo_u.cachedContentTokenCount), 0) + coalesce(coalesce(__uo_g.toolUsePromptTokenCount, __uo_u.toolUsePromptTokenCount), 0) WHEN __uo_chat THEN __uo_u.prompt_tokens - coalesce(__uo_u.prompt_tokens_details.cached_tokens, 0) - coalesce(__uo_u.prompt_tokens_details.cache_write_tokens, 0) WHEN __uo_anthropic THEN __uo_u.input_tokens ELSE __uo_u.input_tokens - coalesce(__uo_u.input_tokens_details.cached_tokens, 0) - coalesce(__uo_u.input_tokens_details.cache_write_tokens, 0) END) AS __uo_input,
  (CASE WHEN __uo_gemini THEN coalesce(__uo_g.cachedContentTokenCount, __uo_u.cachedContentTokenCount) WHEN __uo_chat THEN __uo_u.prompt_tokens_details.cached_tokens WHEN __uo_anthropic THEN __uo_u.cache_read_input_tokens ELSE __uo_u.input_tokens_details.cached_tokens END) AS __uo_cached,
  (CASE WHEN __uo_gemini THEN NULL WHEN __uo_chat THEN __uo_u.prompt_tokens_details.cache_write_tokens WHEN __uo_anthropic THEN coalesce(__uo_u.cache_creation.ephemeral_5m_input_tokens, __uo_u.cache_creation_input_tokens - coalesce(__uo_u.cache_creation.ephemeral_1h_input_tokens, 0)) ELSE __uo_u.input_tokens_details.cache_write_tokens END) AS __uo_cw5,
  (CASE WHEN __uo_gemini THEN NULL WHEN __uo_chat THEN NULL WHEN __uo_anthropic THEN __uo_u.cache_creation.ephemeral_1h_input_tokens ELSE NULL END) AS __uo_cw1,
  (CASE WHEN __uo_gemini THEN coalesce(coalesce(__uo_g.candidatesTokenCount, __uo_u.candidatesTokenCount), 0) + coalesce(coalesce(__uo_g.thoughtsTokenCount, __uo_u.thoughtsTokenCount), 0) WHEN __uo_chat THEN __uo_u.completion_tokens WHEN __uo_anthropic THEN __uo_u.output_tokens ELSE __uo_u.output_tokens END) AS __uo_output,
  (CASE WHEN __uo_gemini THEN coalesce(__uo_g.thoughtsTokenCount, __uo_u.thoughtsTokenCount) WHEN __uo_chat THEN __uo_u.completion_tokens_details.reasoning_tokens WHEN __uo_anthropic THEN NULL ELSE __uo_u.output_tokens_details.reasoning_tokens END) AS __uo_reasoning,
  (CASE WHEN __uo_gemini THEN NULL WHEN __uo_chat THEN __uo_u.prompt_tokens_details.audio_tokens WHEN __uo_anthropic THEN NULL ELSE NULL END) AS __uo_audio_in,
  (CASE WHEN __uo_gemini THEN NULL WHEN __uo_chat THEN __uo_u.completion_tokens_details.audio_tokens WHEN __uo_anthropic THEN NULL ELSE NULL END) AS __uo_audio_out FROM (SELECT *, (NOT __uo_gemini AND NOT __uo_chat AND (__uo_u.cache_read_input_tokens IS NOT NULL
      OR __uo_u.cache_creation_input_tokens IS NOT NULL OR __uo_u.cache_creation IS NOT NULL OR lower('google') = 'anthropic')) AS __uo_anthropic
    FROM (SELECT *, (coalesce(__uo_g.promptTokenCount, __uo_u.promptTokenCount) IS NOT NULL OR coalesce(__uo_g.candidatesTokenCount, __uo_u.candidatesTokenCount) IS NOT NULL) AS __uo_gemini,
      (__uo_u.prompt_tokens IS NOT NULL) AS __uo_chat FROM (SELECT *, NULL::STRUCT(prompt_tokens DOUBLE, completion_tokens DOUBLE, prompt_tokens_details STRUCT(cached_tokens DOUBLE, cache_write_tokens DOUBLE, audio_tokens DOUBLE), completion_tokens_details STRUCT(reasoning_tokens DOUBLE, audio_tokens DOUBLE), input_tokens DOUBLE, output_tokens DOUBLE, input_tokens_details STRUCT(cached_tokens DOUBLE, cache_write_tokens DOUBLE), output_tokens_details STRUCT(reasoning_tokens DOUBLE), cache_creation_input_tokens DOUBLE, cache_read_input_tokens DOUBLE, cache_creation STRUCT(ephemeral_5m_input_tokens DOUBLE, ephemeral_1h_input_tokens DOUBLE), server_tool_use STRUCT(web_search_requests DOUBLE), inference_geo VARCHAR, speed VARCHAR, service_tier VARCHAR, promptTokenCount DOUBLE, candidatesTokenCount DOUBLE, cachedContentTokenCount DOUBLE, thoughtsTokenCount DOUBLE, toolUsePromptTokenCount DOUBLE) AS __uo_u, usageMetadata AS __uo_g FROM (SELECT *, CASE WHEN responseId IS NOT NULL AND row_number() OVER (PARTITION BY responseId ORDER BY coalesce(usageMetadata.promptTokenCount, 0) + coalesce(usageMetadata.candidatesTokenCount, 0) + coalesce(usageMetadata.thoughtsTokenCount, 0) + coalesce(usageMetadata.toolUsePromptTokenCount, 0) DESC, __line DESC) > 1
        THEN 'responseId already counted (a stream chunk or a second copy)' END AS __why
      FROM (SELECT row_number() OVER () AS __line, * FROM (SELECT * REPLACE ((CASE WHEN "usageMetadata" IS NULL THEN NULL ELSE struct_pack("promptTokenCount" := (CASE WHEN "usageMetadata"."promptTokenCount" IS NULL THEN NULL ELSE coalesce(TRY_CAST("usageMetadata"."promptTokenCount" AS DOUBLE), 'NaN'::DOUBLE) END), "candidatesTokenCount" := (CASE WHEN "usageMetadata"."candidatesTokenCount" IS NULL THEN NULL ELSE coalesce(TRY_CAST("usageMetadata"."candidatesTokenCount" AS DOUBLE), 'NaN'::DOUBLE) END), "cachedContentTokenCount" := (CASE WHEN "usageMetadata"."cachedContentTokenCount" IS NULL THEN NULL ELSE coalesce(TRY_CAST("usageMetadata"."cachedContentTokenCount" AS DOUBLE), 'NaN'::DOUBLE) END), "thoughtsTokenCount" := (CASE WHEN "usageMetadata"."thoughtsTokenCount" IS NULL THEN NULL ELSE coalesce(TRY_CAST("usageMetadata"."thoughtsTokenCount" AS DOUBLE), 'NaN'::DOUBLE) END), "toolUsePromptTokenCount" := (CASE WHEN "usageMetadata"."toolUsePromptTokenCount" IS NULL THEN NULL ELSE coalesce(TRY_CAST("usageMetadata"."toolUsePromptTokenCount" AS DOUBLE), 'NaN'::DOUBLE) END)) END) AS "usageMetadata") FROM read_json($path, format = 'auto', auto_detect = false, maximum_object_size = least(greatest(coalesce(getvariable('llmcost_file_bytes'), 1073741824), 1048576), 1073741824), columns = {'createTime': 'VARCHAR', 'modelVersion': 'VARCHAR', 'responseId': 'VARCHAR', 'usageMetadata': 'STRUCT("promptTokenCount" VARCHAR, "candidatesTokenCount" VARCHAR, "cachedContentTokenCount" VARCHAR, "thoughtsTokenCount" VARCHAR, "toolUsePromptTokenCount" VARCHAR)'}))))))))) AS src WHERE (__why IS NULL)) c ) c)))) u
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(u.model) AND pr.mode = (CASE WHEN u.batch OR lower(u.service_tier) = 'batch' THEN 'batch'
     WHEN u.service_tier IS NULL OR lower(u.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(u.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(u.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(u.service_tier) END)
    AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
