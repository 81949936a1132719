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
    FROM (SELECT c.*, regexp_extract(c.tag, getvariable('llmcost_tag_re'), ['user', 'feature']) AS parts FROM (SELECT * FROM (SELECT (CASE WHEN contains(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--'), '-') OR contains(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--'), ':') THEN (CASE WHEN contains(right(nullif(nullif(trim(CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) WHEN regexp_full_match(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--'), '\d+(\.\d+)?') THEN make_timestamp(CAST(round((CASE WHEN TRY_CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS DOUBLE) < 1e11 THEN TRY_CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS DOUBLE) * 1e6 WHEN TRY_CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS DOUBLE) < 1e14 THEN TRY_CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS DOUBLE) * 1e3 WHEN TRY_CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS DOUBLE) < 1e17 THEN TRY_CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS DOUBLE) ELSE TRY_CAST(nullif(nullif(trim(CAST(created_at AS VARCHAR)), ''), '--') AS DOUBLE) / 1e3 END)) AS BIGINT)) END) AS ts,
  NULL::TIMESTAMP AS bucket_end,
  CASE WHEN strpos(nullif(nullif(trim(CAST("model_permaslug" AS VARCHAR)), ''), '--'), '/') > 0 THEN (CASE lower(split_part(nullif(nullif(trim(CAST("model_permaslug" AS VARCHAR)), ''), '--'), '/', 1)) WHEN 'meta-llama' THEN 'meta' WHEN 'mistralai' THEN 'mistral' WHEN 'x-ai' THEN 'xai' WHEN 'amazon-nova' THEN 'amazon' ELSE lower(split_part(nullif(nullif(trim(CAST("model_permaslug" AS VARCHAR)), ''), '--'), '/', 1)) END) ELSE lower(nullif(nullif(trim(CAST("provider_name" AS VARCHAR)), ''), '--')) END AS provider,
  nullif(nullif(trim(CAST("model_permaslug" AS VARCHAR)), ''), '--') AS model,
  nullif(nullif(trim(CAST("app_name" AS VARCHAR)), ''), '--') AS project,
  nullif(nullif(trim(CAST("api_key_name" AS VARCHAR)), ''), '--') AS api_key,
  NULL::VARCHAR AS workspace,
  NULL::VARCHAR AS user_raw,
  nullif(nullif(trim(CAST("user" AS VARCHAR)), ''), '--') AS tag,
  NULL::VARCHAR AS feature_hint,
  NULL::VARCHAR AS endpoint,
  1 AS requests,
  (CASE WHEN ("tokens_prompt" - coalesce("tokens_cached", 0)) IS NULL THEN 0::BIGINT WHEN isnan("tokens_prompt" - coalesce("tokens_cached", 0)) THEN -4::BIGINT WHEN ("tokens_prompt" - coalesce("tokens_cached", 0)) >= 0 AND ("tokens_prompt" - coalesce("tokens_cached", 0)) < 1e15 AND ("tokens_prompt" - coalesce("tokens_cached", 0)) = trunc("tokens_prompt" - coalesce("tokens_cached", 0)) THEN ("tokens_prompt" - coalesce("tokens_cached", 0))::BIGINT ELSE -1::BIGINT END) AS input_tokens,
  (CASE WHEN ("tokens_cached") IS NULL THEN 0::BIGINT WHEN isnan("tokens_cached") THEN -4::BIGINT WHEN ("tokens_cached") >= 0 AND ("tokens_cached") < 1e15 AND ("tokens_cached") = trunc("tokens_cached") THEN ("tokens_cached")::BIGINT ELSE -1::BIGINT END) AS cached_input_tokens,
  0::BIGINT AS cache_write_5m_tokens,
  0::BIGINT AS cache_write_1h_tokens,
  (CASE WHEN ("tokens_completion") IS NULL THEN 0::BIGINT WHEN isnan("tokens_completion") THEN -4::BIGINT WHEN ("tokens_completion") >= 0 AND ("tokens_completion") < 1e15 AND ("tokens_completion") = trunc("tokens_completion") THEN ("tokens_completion")::BIGINT ELSE -1::BIGINT END) AS output_tokens,
  (CASE WHEN ("tokens_reasoning") IS NULL THEN 0::BIGINT WHEN isnan("tokens_reasoning") THEN -4::BIGINT WHEN ("tokens_reasoning") >= 0 AND ("tokens_reasoning") < 1e15 AND ("tokens_reasoning") = trunc("tokens_reasoning") THEN ("tokens_reasoning")::BIGINT ELSE -1::BIGINT END) AS reasoning_tokens,
  false AS batch,
  NULL::VARCHAR AS service_tier,
  NULL::BOOLEAN AS long_context,
  CASE WHEN coalesce(lower(trim(CAST(nullif(nullif(trim(CAST("cancelled" AS VARCHAR)), ''), '--') AS VARCHAR))) IN ('true', 't', '1', 'yes'), false) THEN 'cancelled' ELSE nullif(nullif(trim(CAST("finish_reason_normalized" AS VARCHAR)), ''), '--') END AS status,
  CASE WHEN "generation_time_ms" >= 0 THEN round("generation_time_ms")::BIGINT END AS latency_ms,
  NULL::VARCHAR AS prompt_hash,
  nullif(nullif(trim(CAST("generation_id" AS VARCHAR)), ''), '--') AS request_id,
  try_cast(nullif(nullif(trim(CAST(nullif(nullif(trim(CAST("cost_total" AS VARCHAR)), ''), '--') AS VARCHAR)), ''), '--') AS DECIMAL(38,12)) AS reported_cost_usd,
  NULL::UBIGINT[] AS prompt_sig,
  NULL::FLOAT[] AS prompt_emb,
  NULL::BOOLEAN AS cache_denied,
  0::BIGINT AS audio_input_tokens,
  0::BIGINT AS audio_output_tokens,
  0::BIGINT AS web_search_requests,
  NULL::VARCHAR AS inference_geo,
  NULL::VARCHAR AS speed
FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', null_padding = false, columns = {'generation_id': 'VARCHAR', 'created_at': 'VARCHAR', 'cost_total': 'VARCHAR', 'cost_web_search': 'VARCHAR', 'cost_cache': 'VARCHAR', 'cost_file_processing': 'VARCHAR', 'byok_usage_inference': 'VARCHAR', 'tokens_prompt': 'DOUBLE', 'tokens_completion': 'DOUBLE', 'tokens_reasoning': 'DOUBLE', 'tokens_cached': 'DOUBLE', 'model_permaslug': 'VARCHAR', 'provider_name': 'VARCHAR', 'variant': 'VARCHAR', 'cancelled': 'VARCHAR', 'streamed': 'VARCHAR', 'user': 'VARCHAR', 'finish_reason_raw': 'VARCHAR', 'finish_reason_normalized': 'VARCHAR', 'generation_time_ms': 'DOUBLE', 'time_to_first_token_ms': 'VARCHAR', 'api_key_disabled': 'VARCHAR', 'api_key_name': 'VARCHAR', 'app_name': 'VARCHAR'}) AS src ) c ) c)))) u
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(u.model) AND pr.mode = (CASE WHEN u.batch OR lower(u.service_tier) = 'batch' THEN 'batch'
     WHEN u.service_tier IS NULL OR lower(u.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(u.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(u.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(u.service_tier) END)
    AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
