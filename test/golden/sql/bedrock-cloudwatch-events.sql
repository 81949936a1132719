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
    FROM (SELECT c.*, regexp_extract(c.tag, getvariable('llmcost_tag_re'), ['user', 'feature']) AS parts FROM (SELECT * FROM (SELECT (CASE WHEN contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) AS ts,
  NULL::TIMESTAMP AS bucket_end,
  nullif(regexp_extract(lower(modelId), '(?:^|[./])(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|writer|qwen)\.', 1), '') AS provider,
  CASE WHEN lower(nullif(nullif(trim(CAST(region AS VARCHAR)), ''), '--')) LIKE 'us-gov-%' AND NOT regexp_matches(lower(modelId), '^(arn:|bedrock/|(us-gov|us|eu|apac|au|jp|global|ca|in|sa|mx)\.)')
    THEN 'bedrock/' || lower(nullif(nullif(trim(CAST(region AS VARCHAR)), ''), '--')) || '/' || nullif(nullif(trim(CAST(modelId AS VARCHAR)), ''), '--') ELSE nullif(nullif(trim(CAST(modelId AS VARCHAR)), ''), '--') END AS model,
  nullif(nullif(trim(CAST(accountId AS VARCHAR)), ''), '--') AS project,
  nullif(nullif(trim(CAST(identity.arn AS VARCHAR)), ''), '--') AS api_key,
  nullif(nullif(trim(CAST(region AS VARCHAR)), ''), '--') AS workspace,
  NULL::VARCHAR AS user_raw,
  nullif(nullif(trim(CAST(coalesce(json_extract_string(requestMetadata, '$."user"'), json_extract_string(requestMetadata, '$."user_id"'), json_extract_string(requestMetadata, '$."userId"'), json_extract_string(requestMetadata, '$."tag"')) AS VARCHAR)), ''), '--') AS tag,
  nullif(nullif(trim(CAST(coalesce(json_extract_string(requestMetadata, '$."feature"'), json_extract_string(requestMetadata, '$."application"'), json_extract_string(requestMetadata, '$."app"')) AS VARCHAR)), ''), '--') AS feature_hint,
  nullif(nullif(trim(CAST(operation AS VARCHAR)), ''), '--') AS endpoint,
  1 AS requests,
  (CASE WHEN (input.inputTokenCount) IS NULL THEN 0::BIGINT WHEN isnan(input.inputTokenCount) THEN -4::BIGINT WHEN (input.inputTokenCount) >= 0 AND (input.inputTokenCount) < 1e15 AND (input.inputTokenCount) = trunc(input.inputTokenCount) THEN (input.inputTokenCount)::BIGINT ELSE -1::BIGINT END) AS input_tokens,
  (CASE WHEN (input.cacheReadInputTokenCount) IS NULL THEN 0::BIGINT WHEN isnan(input.cacheReadInputTokenCount) THEN -4::BIGINT WHEN (input.cacheReadInputTokenCount) >= 0 AND (input.cacheReadInputTokenCount) < 1e15 AND (input.cacheReadInputTokenCount) = trunc(input.cacheReadInputTokenCount) THEN (input.cacheReadInputTokenCount)::BIGINT ELSE -1::BIGINT END) AS cached_input_tokens,
  (CASE WHEN (input.cacheWriteInputTokenCount) IS NULL THEN 0::BIGINT WHEN isnan(input.cacheWriteInputTokenCount) THEN -4::BIGINT WHEN (input.cacheWriteInputTokenCount) >= 0 AND (input.cacheWriteInputTokenCount) < 1e15 AND (input.cacheWriteInputTokenCount) = trunc(input.cacheWriteInputTokenCount) THEN (input.cacheWriteInputTokenCount)::BIGINT ELSE -1::BIGINT END) AS cache_write_5m_tokens,
  0::BIGINT AS cache_write_1h_tokens,
  (CASE WHEN (output.outputTokenCount) IS NULL THEN 0::BIGINT WHEN isnan(output.outputTokenCount) THEN -4::BIGINT WHEN (output.outputTokenCount) >= 0 AND (output.outputTokenCount) < 1e15 AND (output.outputTokenCount) = trunc(output.outputTokenCount) THEN (output.outputTokenCount)::BIGINT ELSE -1::BIGINT END) AS output_tokens,
  0::BIGINT AS reasoning_tokens,
  false AS batch,
  NULL::VARCHAR AS service_tier,
  NULL::BOOLEAN AS long_context,
  CASE WHEN errorCode IS NOT NULL THEN 'error: ' || errorCode ELSE lower(status) END AS status,
  CASE WHEN output.outputBodyJson.metrics.latencyMs >= 0 THEN round(output.outputBodyJson.metrics.latencyMs)::BIGINT END AS latency_ms,
  NULL::VARCHAR AS prompt_hash,
  nullif(nullif(trim(CAST(requestId AS VARCHAR)), ''), '--') AS request_id,
  NULL::DECIMAL(38,12) AS reported_cost_usd,
  NULL::UBIGINT[] AS prompt_sig,
  NULL::FLOAT[] AS prompt_emb,
  NULL::BOOLEAN AS cache_denied,
  0::BIGINT AS audio_input_tokens,
  0::BIGINT AS audio_output_tokens,
  0::BIGINT AS web_search_requests,
  NULL::VARCHAR AS inference_geo,
  NULL::VARCHAR AS speed
FROM (SELECT *, CASE
    WHEN schemaType IS DISTINCT FROM 'ModelInvocationLog' THEN 'not a model invocation record'
    WHEN requestId IS NOT NULL AND row_number() OVER (PARTITION BY requestId ORDER BY timestamp) > 1 THEN 'requestId already counted (second copy)'
  END AS __why FROM (SELECT __loc, unnest(rec) FROM (SELECT __arr || '[' || __i || ']' AS __loc,
        json_transform(CASE WHEN json_valid(e.message) THEN e.message END, '{"schemaType":"VARCHAR","timestamp":"VARCHAR","accountId":"VARCHAR","region":"VARCHAR","requestId":"VARCHAR","operation":"VARCHAR","modelId":"VARCHAR","identity":{"arn":"VARCHAR"},"requestMetadata":"JSON","input":{"inputTokenCount":"DOUBLE","cacheReadInputTokenCount":"DOUBLE","cacheWriteInputTokenCount":"DOUBLE"},"output":{"outputTokenCount":"DOUBLE","outputBodyJson":{"metrics":{"latencyMs":"DOUBLE"}}},"status":"VARCHAR","errorCode":"VARCHAR"}') AS rec FROM (SELECT unnest(coalesce(events, logEvents)) AS e, generate_subscripts(coalesce(events, logEvents), 1) - 1 AS __i,
        CASE WHEN events IS NOT NULL THEN 'events' ELSE 'logEvents' END AS __arr
      FROM read_json($path, format = 'auto', auto_detect = false, maximum_object_size = least(greatest(coalesce(getvariable('llmcost_file_bytes'), 1073741824), 1048576), 1073741824), columns = {'events': 'STRUCT("message" VARCHAR)[]', 'logEvents': 'STRUCT("message" VARCHAR)[]'}))))) AS src WHERE (__why IS NULL)) c ) c)))) u
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(u.model) AND pr.mode = (CASE WHEN u.batch OR lower(u.service_tier) = 'batch' THEN 'batch'
     WHEN u.service_tier IS NULL OR lower(u.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(u.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(u.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(u.service_tier) END)
    AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
