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
    FROM (SELECT c.*, regexp_extract(c.tag, getvariable('llmcost_tag_re'), ['user', 'feature']) AS parts FROM (SELECT * FROM (SELECT make_timestamp(epoch_us("timestamp")) AS ts,
  NULL::TIMESTAMP AS bucket_end,
  NULL::VARCHAR AS provider,
  "model" AS model,
  NULL::VARCHAR AS project,
  NULL::VARCHAR AS api_key,
  NULL::VARCHAR AS workspace,
  NULL::VARCHAR AS user_raw,
  coalesce("user") AS tag,
  "feature" AS feature_hint,
  NULL::VARCHAR AS endpoint,
  1 AS requests,
  (CASE WHEN ((CASE WHEN ("input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("input_tokens") THEN -4::BIGINT WHEN ("input_tokens") >= 0 AND ("input_tokens") < 1e15 AND ("input_tokens") = trunc("input_tokens") THEN ("input_tokens")::BIGINT ELSE -1::BIGINT END)) < 0 OR ((CASE WHEN ("cached_input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("cached_input_tokens") THEN -4::BIGINT WHEN ("cached_input_tokens") >= 0 AND ("cached_input_tokens") < 1e15 AND ("cached_input_tokens") = trunc("cached_input_tokens") THEN ("cached_input_tokens")::BIGINT ELSE -1::BIGINT END)) < 0 OR ((CASE WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) IS NULL THEN 0::BIGINT WHEN isnan(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN -4::BIGINT WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) >= 0 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) < 1e15 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) = trunc(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN (coalesce(NULL, NULL - coalesce(NULL, 0)))::BIGINT ELSE -1::BIGINT END)) < 0 OR ((CASE WHEN (NULL) IS NULL THEN 0::BIGINT WHEN isnan(NULL) THEN -4::BIGINT WHEN (NULL) >= 0 AND (NULL) < 1e15 AND (NULL) = trunc(NULL) THEN (NULL)::BIGINT ELSE -1::BIGINT END)) < 0 THEN ((CASE WHEN ("input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("input_tokens") THEN -4::BIGINT WHEN ("input_tokens") >= 0 AND ("input_tokens") < 1e15 AND ("input_tokens") = trunc("input_tokens") THEN ("input_tokens")::BIGINT ELSE -1::BIGINT END)) WHEN (((CASE WHEN ("cached_input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("cached_input_tokens") THEN -4::BIGINT WHEN ("cached_input_tokens") >= 0 AND ("cached_input_tokens") < 1e15 AND ("cached_input_tokens") = trunc("cached_input_tokens") THEN ("cached_input_tokens")::BIGINT ELSE -1::BIGINT END)) + ((CASE WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) IS NULL THEN 0::BIGINT WHEN isnan(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN -4::BIGINT WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) >= 0 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) < 1e15 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) = trunc(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN (coalesce(NULL, NULL - coalesce(NULL, 0)))::BIGINT ELSE -1::BIGINT END)) + ((CASE WHEN (NULL) IS NULL THEN 0::BIGINT WHEN isnan(NULL) THEN -4::BIGINT WHEN (NULL) >= 0 AND (NULL) < 1e15 AND (NULL) = trunc(NULL) THEN (NULL)::BIGINT ELSE -1::BIGINT END))) = 0 OR NOT (CASE WHEN NULL IN ('openai', 'azure', 'google', 'gemini', 'vertex_ai', 'xai', 'deepseek', 'mistral', 'groq', 'together', 'fireworks', 'perplexity', 'openrouter') THEN true WHEN NULL IN ('anthropic', 'amazon', 'bedrock', 'aws.bedrock') THEN false
    ELSE coalesce(lower("model") IN (SELECT mp.alias FROM log_model_provider mp WHERE mp.provider IN ('openai', 'azure', 'google', 'gemini', 'vertex_ai', 'xai', 'deepseek', 'mistral', 'groq', 'together', 'fireworks', 'perplexity', 'openrouter')), false) END) THEN ((CASE WHEN ("input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("input_tokens") THEN -4::BIGINT WHEN ("input_tokens") >= 0 AND ("input_tokens") < 1e15 AND ("input_tokens") = trunc("input_tokens") THEN ("input_tokens")::BIGINT ELSE -1::BIGINT END))
    WHEN ((CASE WHEN ("input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("input_tokens") THEN -4::BIGINT WHEN ("input_tokens") >= 0 AND ("input_tokens") < 1e15 AND ("input_tokens") = trunc("input_tokens") THEN ("input_tokens")::BIGINT ELSE -1::BIGINT END)) < (((CASE WHEN ("cached_input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("cached_input_tokens") THEN -4::BIGINT WHEN ("cached_input_tokens") >= 0 AND ("cached_input_tokens") < 1e15 AND ("cached_input_tokens") = trunc("cached_input_tokens") THEN ("cached_input_tokens")::BIGINT ELSE -1::BIGINT END)) + ((CASE WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) IS NULL THEN 0::BIGINT WHEN isnan(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN -4::BIGINT WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) >= 0 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) < 1e15 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) = trunc(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN (coalesce(NULL, NULL - coalesce(NULL, 0)))::BIGINT ELSE -1::BIGINT END)) + ((CASE WHEN (NULL) IS NULL THEN 0::BIGINT WHEN isnan(NULL) THEN -4::BIGINT WHEN (NULL) >= 0 AND (NULL) < 1e15 AND (NULL) = trunc(NULL) THEN (NULL)::BIGINT ELSE -1::BIGINT END))) THEN -2::BIGINT ELSE ((CASE WHEN ("input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("input_tokens") THEN -4::BIGINT WHEN ("input_tokens") >= 0 AND ("input_tokens") < 1e15 AND ("input_tokens") = trunc("input_tokens") THEN ("input_tokens")::BIGINT ELSE -1::BIGINT END)) - (((CASE WHEN ("cached_input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("cached_input_tokens") THEN -4::BIGINT WHEN ("cached_input_tokens") >= 0 AND ("cached_input_tokens") < 1e15 AND ("cached_input_tokens") = trunc("cached_input_tokens") THEN ("cached_input_tokens")::BIGINT ELSE -1::BIGINT END)) + ((CASE WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) IS NULL THEN 0::BIGINT WHEN isnan(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN -4::BIGINT WHEN (coalesce(NULL, NULL - coalesce(NULL, 0))) >= 0 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) < 1e15 AND (coalesce(NULL, NULL - coalesce(NULL, 0))) = trunc(coalesce(NULL, NULL - coalesce(NULL, 0))) THEN (coalesce(NULL, NULL - coalesce(NULL, 0)))::BIGINT ELSE -1::BIGINT END)) + ((CASE WHEN (NULL) IS NULL THEN 0::BIGINT WHEN isnan(NULL) THEN -4::BIGINT WHEN (NULL) >= 0 AND (NULL) < 1e15 AND (NULL) = trunc(NULL) THEN (NULL)::BIGINT ELSE -1::BIGINT END))) END) AS input_tokens,
  (CASE WHEN ("cached_input_tokens") IS NULL THEN 0::BIGINT WHEN isnan("cached_input_tokens") THEN -4::BIGINT WHEN ("cached_input_tokens") >= 0 AND ("cached_input_tokens") < 1e15 AND ("cached_input_tokens") = trunc("cached_input_tokens") THEN ("cached_input_tokens")::BIGINT ELSE -1::BIGINT END) AS cached_input_tokens,
  0::BIGINT AS cache_write_5m_tokens,
  0::BIGINT AS cache_write_1h_tokens,
  (CASE WHEN ("output_tokens") IS NULL THEN 0::BIGINT WHEN isnan("output_tokens") THEN -4::BIGINT WHEN ("output_tokens") >= 0 AND ("output_tokens") < 1e15 AND ("output_tokens") = trunc("output_tokens") THEN ("output_tokens")::BIGINT ELSE -1::BIGINT END) AS output_tokens,
  0::BIGINT AS reasoning_tokens,
  false AS batch,
  NULL::VARCHAR AS service_tier,
  NULL::BOOLEAN AS long_context,
  "status" AS status,
  round("latency_ms")::BIGINT AS latency_ms,
  NULL::VARCHAR AS prompt_hash,
  "request_id" AS request_id,
  NULL::DECIMAL(38,12) AS reported_cost_usd,
  NULL::UBIGINT[] AS prompt_sig,
  NULL::FLOAT[] AS prompt_emb,
  NULL::BOOLEAN AS cache_denied,
  0::BIGINT AS audio_input_tokens,
  0::BIGINT AS audio_output_tokens,
  0::BIGINT AS web_search_requests,
  NULL::VARCHAR AS inference_geo,
  NULL::VARCHAR AS speed
FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', null_padding = false, columns = {'timestamp': 'TIMESTAMPTZ', 'model': 'VARCHAR', 'user': 'VARCHAR', 'feature': 'VARCHAR', 'input_tokens': 'DOUBLE', 'cached_input_tokens': 'DOUBLE', 'output_tokens': 'DOUBLE', 'latency_ms': 'DOUBLE', 'request_id': 'VARCHAR', 'status': 'VARCHAR'}) AS src ) c ) c)))) u
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(u.model) AND pr.mode = (CASE WHEN u.batch OR lower(u.service_tier) = 'batch' THEN 'batch'
     WHEN u.service_tier IS NULL OR lower(u.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(u.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(u.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(u.service_tier) END)
    AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
