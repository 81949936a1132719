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
    FROM (SELECT ts, bucket_end, provider, model, project, api_key, workspace, tag_raw, user_hash, feature, endpoint,
           (CASE WHEN min(requests) < 0 THEN -1 ELSE sum(requests) END)::BIGINT AS requests,
           (CASE WHEN min(input_tokens) < 0 THEN -1 ELSE sum(input_tokens) END)::BIGINT AS input_tokens,
           (CASE WHEN min(cached_input_tokens) < 0 THEN -1 ELSE sum(cached_input_tokens) END)::BIGINT AS cached_input_tokens,
           (CASE WHEN min(cache_write_5m_tokens) < 0 THEN -1 ELSE sum(cache_write_5m_tokens) END)::BIGINT AS cache_write_5m_tokens,
           (CASE WHEN min(cache_write_1h_tokens) < 0 THEN -1 ELSE sum(cache_write_1h_tokens) END)::BIGINT AS cache_write_1h_tokens,
           (CASE WHEN min(output_tokens) < 0 THEN -1 ELSE sum(output_tokens) END)::BIGINT AS output_tokens,
           (CASE WHEN min(reasoning_tokens) < 0 THEN -1 ELSE sum(reasoning_tokens) END)::BIGINT AS reasoning_tokens,
           batch, service_tier, long_context, max(status) AS status, NULL::BIGINT AS latency_ms,
           NULL::VARCHAR AS prompt_hash, NULL::VARCHAR AS request_id, sum(reported_cost_usd) AS reported_cost_usd,
           NULL::UBIGINT[] AS prompt_sig, NULL::FLOAT[] AS prompt_emb, NULL::BOOLEAN AS cache_denied,
           (CASE WHEN min(audio_input_tokens) < 0 THEN -1 ELSE sum(audio_input_tokens) END)::BIGINT AS audio_input_tokens,
           (CASE WHEN min(audio_output_tokens) < 0 THEN -1 ELSE sum(audio_output_tokens) END)::BIGINT AS audio_output_tokens,
           (CASE WHEN min(web_search_requests) < 0 THEN -1 ELSE sum(web_search_requests) END)::BIGINT AS web_search_requests,
           inference_geo, speed,
           md5(concat_ws('|', coalesce(CAST(ts AS VARCHAR), '∅'), coalesce(CAST(bucket_end AS VARCHAR), '∅'), coalesce(CAST(provider AS VARCHAR), '∅'), coalesce(CAST(model AS VARCHAR), '∅'), coalesce(CAST(project AS VARCHAR), '∅'), coalesce(CAST(api_key AS VARCHAR), '∅'), coalesce(CAST(workspace AS VARCHAR), '∅'), coalesce(CAST(user_hash AS VARCHAR), '∅'), coalesce(CAST(endpoint AS VARCHAR), '∅'), coalesce(CAST(batch AS VARCHAR), '∅'), coalesce(CAST(service_tier AS VARCHAR), '∅'), coalesce(CAST(long_context AS VARCHAR), '∅'), 'inference_geo=' || inference_geo, 'speed=' || speed)) AS row_key
         FROM (
    SELECT ts, bucket_end, provider, model, project, api_key, workspace, CASE WHEN tagged THEN tag END AS tag_raw,
      CASE WHEN tagged THEN parts.user WHEN coalesce(tag, user_raw) IS NOT NULL THEN left(sha256(coalesce(tag, user_raw)), 12) END AS user_hash,
      coalesce(CASE WHEN tagged THEN parts.feature END, feature_hint, '(untagged)') AS feature, endpoint, requests,
      input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,
      batch, service_tier, long_context, status, latency_ms, prompt_hash, request_id, reported_cost_usd, prompt_sig,
      prompt_emb, cache_denied, audio_input_tokens, audio_output_tokens, web_search_requests, inference_geo, speed
    FROM (SELECT *, parts.user <> '' AS tagged
    FROM (SELECT c.*, regexp_extract(c.tag, getvariable('llmcost_tag_re'), ['user', 'feature']) AS parts FROM (SELECT * FROM (SELECT try_strptime(nullif(nullif(trim(CAST(usage_date_utc AS VARCHAR)), ''), '--'), ['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d'])::TIMESTAMP AS ts,
  try_strptime(nullif(nullif(trim(CAST(usage_date_utc AS VARCHAR)), ''), '--'), ['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d'])::TIMESTAMP + CASE WHEN length(nullif(nullif(trim(CAST(usage_date_utc AS VARCHAR)), ''), '--')) > 10 THEN INTERVAL 1 HOUR ELSE INTERVAL 1 DAY END AS bucket_end,
  'anthropic' AS provider,
  nullif(nullif(trim(CAST("model_version" AS VARCHAR)), ''), '--') AS model,
  NULL::VARCHAR AS project,
  nullif(nullif(trim(CAST("api_key" AS VARCHAR)), ''), '--') AS api_key,
  nullif(nullif(trim(CAST("workspace" AS VARCHAR)), ''), '--') AS workspace,
  NULL::VARCHAR AS user_raw,
  NULL::VARCHAR AS tag,
  NULL::VARCHAR AS feature_hint,
  NULL::VARCHAR AS endpoint,
  0 AS requests,
  (CASE WHEN ("usage_input_tokens_no_cache") IS NULL THEN 0::BIGINT WHEN isnan("usage_input_tokens_no_cache") THEN -4::BIGINT WHEN ("usage_input_tokens_no_cache") >= 0 AND ("usage_input_tokens_no_cache") < 1e15 AND ("usage_input_tokens_no_cache") = trunc("usage_input_tokens_no_cache") THEN ("usage_input_tokens_no_cache")::BIGINT ELSE -1::BIGINT END) AS input_tokens,
  (CASE WHEN ("usage_input_tokens_cache_read") IS NULL THEN 0::BIGINT WHEN isnan("usage_input_tokens_cache_read") THEN -4::BIGINT WHEN ("usage_input_tokens_cache_read") >= 0 AND ("usage_input_tokens_cache_read") < 1e15 AND ("usage_input_tokens_cache_read") = trunc("usage_input_tokens_cache_read") THEN ("usage_input_tokens_cache_read")::BIGINT ELSE -1::BIGINT END) AS cached_input_tokens,
  (CASE WHEN ("usage_input_tokens_cache_write_5m") IS NULL THEN 0::BIGINT WHEN isnan("usage_input_tokens_cache_write_5m") THEN -4::BIGINT WHEN ("usage_input_tokens_cache_write_5m") >= 0 AND ("usage_input_tokens_cache_write_5m") < 1e15 AND ("usage_input_tokens_cache_write_5m") = trunc("usage_input_tokens_cache_write_5m") THEN ("usage_input_tokens_cache_write_5m")::BIGINT ELSE -1::BIGINT END) AS cache_write_5m_tokens,
  (CASE WHEN ("usage_input_tokens_cache_write_1h") IS NULL THEN 0::BIGINT WHEN isnan("usage_input_tokens_cache_write_1h") THEN -4::BIGINT WHEN ("usage_input_tokens_cache_write_1h") >= 0 AND ("usage_input_tokens_cache_write_1h") < 1e15 AND ("usage_input_tokens_cache_write_1h") = trunc("usage_input_tokens_cache_write_1h") THEN ("usage_input_tokens_cache_write_1h")::BIGINT ELSE -1::BIGINT END) AS cache_write_1h_tokens,
  (CASE WHEN ("usage_output_tokens") IS NULL THEN 0::BIGINT WHEN isnan("usage_output_tokens") THEN -4::BIGINT WHEN ("usage_output_tokens") >= 0 AND ("usage_output_tokens") < 1e15 AND ("usage_output_tokens") = trunc("usage_output_tokens") THEN ("usage_output_tokens")::BIGINT ELSE -1::BIGINT END) AS output_tokens,
  0::BIGINT AS reasoning_tokens,
  coalesce(nullif(nullif(trim(CAST("usage_type" AS VARCHAR)), ''), '--') = 'batch', false) AS batch,
  nullif(nullif(trim(CAST("usage_type" AS VARCHAR)), ''), '--') AS service_tier,
  coalesce(starts_with(nullif(nullif(trim(CAST("context_window" AS VARCHAR)), ''), '--'), '>'), false) AS long_context,
  NULL::VARCHAR AS status,
  NULL::BIGINT AS latency_ms,
  NULL::VARCHAR AS prompt_hash,
  NULL::VARCHAR AS request_id,
  NULL::DECIMAL(38,12) AS reported_cost_usd,
  NULL::UBIGINT[] AS prompt_sig,
  NULL::FLOAT[] AS prompt_emb,
  NULL::BOOLEAN AS cache_denied,
  0::BIGINT AS audio_input_tokens,
  0::BIGINT AS audio_output_tokens,
  (CASE WHEN ("web_search_count") IS NULL THEN 0::BIGINT WHEN isnan("web_search_count") THEN -4::BIGINT WHEN ("web_search_count") >= 0 AND ("web_search_count") < 1e15 AND ("web_search_count") = trunc("web_search_count") THEN ("web_search_count")::BIGINT ELSE -1::BIGINT END) AS web_search_requests,
  lower(nullif(nullif(trim(CAST("inference_geo" AS VARCHAR)), ''), '--')) AS inference_geo,
  lower(nullif(nullif(trim(CAST("speed" AS VARCHAR)), ''), '--')) AS speed
FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', null_padding = false, columns = {'usage_date_utc': 'VARCHAR', 'model_version': 'VARCHAR', 'api_key': 'VARCHAR', 'workspace': 'VARCHAR', 'usage_type': 'VARCHAR', 'context_window': 'VARCHAR', 'usage_input_tokens_no_cache': 'DOUBLE', 'usage_input_tokens_cache_write_5m': 'DOUBLE', 'usage_input_tokens_cache_write_1h': 'DOUBLE', 'usage_input_tokens_cache_read': 'DOUBLE', 'usage_output_tokens': 'DOUBLE', 'web_search_count': 'DOUBLE', 'inference_geo': 'VARCHAR', 'speed': 'VARCHAR'}) AS src ) c ) c)))
         GROUP BY ts, bucket_end, provider, model, project, api_key, workspace, tag_raw, user_hash, feature, endpoint, batch,
           service_tier, long_context, inference_geo, speed) u
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(u.model) AND pr.mode = (CASE WHEN u.batch OR lower(u.service_tier) = 'batch' THEN 'batch'
     WHEN u.service_tier IS NULL OR lower(u.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(u.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(u.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(u.service_tier) END)
    AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
