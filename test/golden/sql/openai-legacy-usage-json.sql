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
    FROM (SELECT c.*, regexp_extract(c.tag, getvariable('llmcost_tag_re'), ['user', 'feature']) AS parts FROM (SELECT * FROM (SELECT (CASE WHEN abs(CAST(d.aggregation_timestamp AS DOUBLE)) < 1e11 THEN make_timestamp(epoch_us(to_timestamp(CAST(d.aggregation_timestamp AS DOUBLE)))) END) AS ts,
  (CASE WHEN abs(CAST(d.aggregation_timestamp AS DOUBLE)) < 1e11 THEN make_timestamp(epoch_us(to_timestamp(CAST(d.aggregation_timestamp AS DOUBLE)))) END) + INTERVAL 1 MINUTE AS bucket_end,
  'openai' AS provider,
  nullif(nullif(trim(CAST(d.snapshot_id AS VARCHAR)), ''), '--') AS model,
  nullif(nullif(trim(CAST(d.project_id AS VARCHAR)), ''), '--') AS project,
  nullif(nullif(trim(CAST(d.api_key_id AS VARCHAR)), ''), '--') AS api_key,
  NULL::VARCHAR AS workspace,
  NULL::VARCHAR AS user_raw,
  NULL::VARCHAR AS tag,
  NULL::VARCHAR AS feature_hint,
  nullif(nullif(trim(CAST(d.operation AS VARCHAR)), ''), '--') AS endpoint,
  (CASE WHEN (d.n_requests) IS NULL THEN 0::BIGINT WHEN isnan(d.n_requests) THEN -4::BIGINT WHEN (d.n_requests) >= 0 AND (d.n_requests) < 1e15 AND (d.n_requests) = trunc(d.n_requests) THEN (d.n_requests)::BIGINT ELSE -1::BIGINT END) AS requests,
  (CASE WHEN (d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0)) IS NULL THEN 0::BIGINT WHEN isnan(d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0)) THEN -4::BIGINT WHEN (d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0)) >= 0 AND (d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0)) < 1e15 AND (d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0)) = trunc(d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0)) THEN (d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0))::BIGINT ELSE -1::BIGINT END) AS input_tokens,
  (CASE WHEN (d.n_cached_context_tokens_total) IS NULL THEN 0::BIGINT WHEN isnan(d.n_cached_context_tokens_total) THEN -4::BIGINT WHEN (d.n_cached_context_tokens_total) >= 0 AND (d.n_cached_context_tokens_total) < 1e15 AND (d.n_cached_context_tokens_total) = trunc(d.n_cached_context_tokens_total) THEN (d.n_cached_context_tokens_total)::BIGINT ELSE -1::BIGINT END) AS cached_input_tokens,
  0::BIGINT AS cache_write_5m_tokens,
  0::BIGINT AS cache_write_1h_tokens,
  (CASE WHEN (d.n_generated_tokens_total) IS NULL THEN 0::BIGINT WHEN isnan(d.n_generated_tokens_total) THEN -4::BIGINT WHEN (d.n_generated_tokens_total) >= 0 AND (d.n_generated_tokens_total) < 1e15 AND (d.n_generated_tokens_total) = trunc(d.n_generated_tokens_total) THEN (d.n_generated_tokens_total)::BIGINT ELSE -1::BIGINT END) AS output_tokens,
  0::BIGINT AS reasoning_tokens,
  coalesce(d.request_type = 'batch', false) AS batch,
  NULL::VARCHAR AS service_tier,
  false AS long_context,
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
  0::BIGINT AS web_search_requests,
  NULL::VARCHAR AS inference_geo,
  NULL::VARCHAR AS speed
FROM (WITH __file AS MATERIALIZED (SELECT * FROM (SELECT * REPLACE (list_transform("data", __e0 -> (CASE WHEN __e0 IS NULL THEN NULL ELSE struct_pack("aggregation_timestamp" := (CASE WHEN __e0."aggregation_timestamp" IS NULL THEN NULL ELSE coalesce(TRY_CAST(__e0."aggregation_timestamp" AS DOUBLE), 'NaN'::DOUBLE) END), "n_requests" := (CASE WHEN __e0."n_requests" IS NULL THEN NULL ELSE coalesce(TRY_CAST(__e0."n_requests" AS DOUBLE), 'NaN'::DOUBLE) END), "operation" := __e0."operation", "snapshot_id" := __e0."snapshot_id", "n_context_tokens_total" := (CASE WHEN __e0."n_context_tokens_total" IS NULL THEN NULL ELSE coalesce(TRY_CAST(__e0."n_context_tokens_total" AS DOUBLE), 'NaN'::DOUBLE) END), "n_generated_tokens_total" := (CASE WHEN __e0."n_generated_tokens_total" IS NULL THEN NULL ELSE coalesce(TRY_CAST(__e0."n_generated_tokens_total" AS DOUBLE), 'NaN'::DOUBLE) END), "n_cached_context_tokens_total" := (CASE WHEN __e0."n_cached_context_tokens_total" IS NULL THEN NULL ELSE coalesce(TRY_CAST(__e0."n_cached_context_tokens_total" AS DOUBLE), 'NaN'::DOUBLE) END), "api_key_id" := __e0."api_key_id", "project_id" := __e0."project_id", "request_type" := __e0."request_type") END)) AS "data") FROM read_json($path, format = 'auto', auto_detect = false, maximum_object_size = least(greatest(coalesce(getvariable('llmcost_file_bytes'), 1073741824), 1048576), 1073741824), columns = {'object': 'VARCHAR', 'data': 'STRUCT("aggregation_timestamp" VARCHAR, "n_requests" VARCHAR, "operation" VARCHAR, "snapshot_id" VARCHAR, "n_context_tokens_total" VARCHAR, "n_generated_tokens_total" VARCHAR, "n_cached_context_tokens_total" VARCHAR, "api_key_id" VARCHAR, "project_id" VARCHAR, "request_type" VARCHAR)[]', 'ft_data': 'JSON[]', 'dalle_api_data': 'JSON[]', 'whisper_api_data': 'JSON[]', 'tts_api_data': 'JSON[]', 'assistant_code_interpreter_data': 'JSON[]', 'retrieval_storage_data': 'JSON[]'})))
      SELECT unnest(data) AS d, NULL::VARCHAR AS __why FROM __file
      UNION ALL SELECT NULL AS d, 'ft_data (fine-tuning jobs)' AS __why FROM (SELECT unnest(ft_data) FROM __file)
      UNION ALL SELECT NULL AS d, 'dalle_api_data (images, not tokens)' AS __why FROM (SELECT unnest(dalle_api_data) FROM __file)
      UNION ALL SELECT NULL AS d, 'whisper_api_data (seconds of audio, not tokens)' AS __why FROM (SELECT unnest(whisper_api_data) FROM __file)
      UNION ALL SELECT NULL AS d, 'tts_api_data (text-to-speech characters, not tokens)' AS __why FROM (SELECT unnest(tts_api_data) FROM __file)
      UNION ALL SELECT NULL AS d, 'assistant_code_interpreter_data (sessions, not tokens)' AS __why FROM (SELECT unnest(assistant_code_interpreter_data) FROM __file)
      UNION ALL SELECT NULL AS d, 'retrieval_storage_data (storage, not tokens)' AS __why FROM (SELECT unnest(retrieval_storage_data) FROM __file)) AS src WHERE (__why IS NULL)) c ) c)))
         GROUP BY ts, bucket_end, provider, model, project, api_key, workspace, tag_raw, user_hash, feature, endpoint, batch,
           service_tier, long_context, inference_geo, speed) u
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(u.model) AND pr.mode = (CASE WHEN u.batch OR lower(u.service_tier) = 'batch' THEN 'batch'
     WHEN u.service_tier IS NULL OR lower(u.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(u.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(u.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(u.service_tier) END)
    AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
