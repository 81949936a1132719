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
  'openai' AS provider,
  nullif(nullif(trim(CAST(__model AS VARCHAR)), ''), '--') AS model,
  nullif(nullif(trim(CAST(__cwd AS VARCHAR)), ''), '--') AS project,
  NULL::VARCHAR AS api_key,
  NULL::VARCHAR AS workspace,
  NULL::VARCHAR AS user_raw,
  NULL::VARCHAR AS tag,
  NULL::VARCHAR AS feature_hint,
  'codex' AS endpoint,
  1 AS requests,
  (CASE WHEN (__in - least(__cached, __in)) IS NULL THEN 0::BIGINT WHEN isnan(__in - least(__cached, __in)) THEN -4::BIGINT WHEN (__in - least(__cached, __in)) >= 0 AND (__in - least(__cached, __in)) < 1e15 AND (__in - least(__cached, __in)) = trunc(__in - least(__cached, __in)) THEN (__in - least(__cached, __in))::BIGINT ELSE -1::BIGINT END) AS input_tokens,
  (CASE WHEN (__cached) IS NULL THEN 0::BIGINT WHEN isnan(__cached) THEN -4::BIGINT WHEN (__cached) >= 0 AND (__cached) < 1e15 AND (__cached) = trunc(__cached) THEN (__cached)::BIGINT ELSE -1::BIGINT END) AS cached_input_tokens,
  0::BIGINT AS cache_write_5m_tokens,
  0::BIGINT AS cache_write_1h_tokens,
  (CASE WHEN (__out) IS NULL THEN 0::BIGINT WHEN isnan(__out) THEN -4::BIGINT WHEN (__out) >= 0 AND (__out) < 1e15 AND (__out) = trunc(__out) THEN (__out)::BIGINT ELSE -1::BIGINT END) AS output_tokens,
  (CASE WHEN (__reason) IS NULL THEN 0::BIGINT WHEN isnan(__reason) THEN -4::BIGINT WHEN (__reason) >= 0 AND (__reason) < 1e15 AND (__reason) = trunc(__reason) THEN (__reason)::BIGINT ELSE -1::BIGINT END) AS reasoning_tokens,
  false AS batch,
  NULL::VARCHAR AS service_tier,
  NULL::BOOLEAN AS long_context,
  NULL::VARCHAR AS status,
  NULL::BIGINT AS latency_ms,
  NULL::VARCHAR AS prompt_hash,
  CASE WHEN __session IS NOT NULL THEN 'codex:' || __session || ':' || coalesce(CAST(payload.info.total_token_usage.total_tokens AS BIGINT)::VARCHAR, timestamp) END AS request_id,
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
          WHEN NOT __count THEN 'not a token_count event'
          WHEN payload.info IS NULL THEN 'token_count without usage (info is null)'
          WHEN __spawned AND (CASE WHEN contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) < __start + INTERVAL 1 SECOND THEN 'parent thread''s token_count replayed by a spawned thread'
          WHEN __in + __cached + __out + __reason = 0 THEN 'token_count with no new tokens'
          WHEN row_number() OVER (PARTITION BY __count, __model, timestamp, __in, __cached, __out, __reason ORDER BY __seq) > 1 THEN 'repeated token_count event'
        END AS __why FROM (SELECT *, coalesce(payload.info.last_token_usage.input_tokens, greatest(coalesce(payload.info.total_token_usage.input_tokens, 0) - coalesce(__prev.input_tokens, 0), 0)) AS __in, coalesce(payload.info.last_token_usage.cached_input_tokens, greatest(coalesce(payload.info.total_token_usage.cached_input_tokens, 0) - coalesce(__prev.cached_input_tokens, 0), 0)) AS __cached, coalesce(payload.info.last_token_usage.output_tokens, greatest(coalesce(payload.info.total_token_usage.output_tokens, 0) - coalesce(__prev.output_tokens, 0), 0)) AS __out,
        coalesce(payload.info.last_token_usage.reasoning_output_tokens, greatest(coalesce(payload.info.total_token_usage.reasoning_output_tokens, 0) - coalesce(__prev.reasoning_output_tokens, 0), 0)) AS __reason FROM (SELECT *,
        coalesce(payload.info.model, last_value(CASE WHEN type = 'turn_context' THEN payload.model END IGNORE NULLS)
          OVER (ORDER BY __seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS __model,
        lag(payload.info.total_token_usage) OVER (PARTITION BY __count AND payload.info.total_token_usage IS NOT NULL ORDER BY __seq) AS __prev
      FROM (SELECT *,
        (type = 'event_msg' AND payload.type = 'token_count') AS __count,
        -- sort key: time, then context lines before the count events they apply to, then the cumulative total
        row_number() OVER (ORDER BY (CASE WHEN contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END), (type = 'event_msg' AND payload.type = 'token_count'), coalesce(payload.info.total_token_usage.total_tokens, -1), __line) AS __seq,
        max(payload.cwd) OVER () AS __cwd, max(CASE WHEN type = 'session_meta' THEN payload.id END) OVER () AS __session,
        -- a spawned thread: the parent's events it replays come within a second of its first line
        bool_or(type = 'session_meta' AND contains(CAST(payload.source AS VARCHAR), 'thread_spawn')) OVER () AS __spawned,
        min((CASE WHEN contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(timestamp AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END)) OVER () AS __start
      FROM (SELECT row_number() OVER () AS __line, * FROM (SELECT * REPLACE ((CASE WHEN "payload" IS NULL THEN NULL ELSE struct_pack("type" := "payload"."type", "id" := "payload"."id", "model" := "payload"."model", "cwd" := "payload"."cwd", "source" := "payload"."source", "info" := (CASE WHEN "payload"."info" IS NULL THEN NULL ELSE struct_pack("model" := "payload"."info"."model", "last_token_usage" := (CASE WHEN "payload"."info"."last_token_usage" IS NULL THEN NULL ELSE struct_pack("input_tokens" := (CASE WHEN "payload"."info"."last_token_usage"."input_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."last_token_usage"."input_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "cached_input_tokens" := (CASE WHEN "payload"."info"."last_token_usage"."cached_input_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."last_token_usage"."cached_input_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "output_tokens" := (CASE WHEN "payload"."info"."last_token_usage"."output_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."last_token_usage"."output_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "reasoning_output_tokens" := (CASE WHEN "payload"."info"."last_token_usage"."reasoning_output_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."last_token_usage"."reasoning_output_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "total_tokens" := (CASE WHEN "payload"."info"."last_token_usage"."total_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."last_token_usage"."total_tokens" AS DOUBLE), 'NaN'::DOUBLE) END)) END), "total_token_usage" := (CASE WHEN "payload"."info"."total_token_usage" IS NULL THEN NULL ELSE struct_pack("input_tokens" := (CASE WHEN "payload"."info"."total_token_usage"."input_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."total_token_usage"."input_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "cached_input_tokens" := (CASE WHEN "payload"."info"."total_token_usage"."cached_input_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."total_token_usage"."cached_input_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "output_tokens" := (CASE WHEN "payload"."info"."total_token_usage"."output_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."total_token_usage"."output_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "reasoning_output_tokens" := (CASE WHEN "payload"."info"."total_token_usage"."reasoning_output_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."total_token_usage"."reasoning_output_tokens" AS DOUBLE), 'NaN'::DOUBLE) END), "total_tokens" := (CASE WHEN "payload"."info"."total_token_usage"."total_tokens" IS NULL THEN NULL ELSE coalesce(TRY_CAST("payload"."info"."total_token_usage"."total_tokens" AS DOUBLE), 'NaN'::DOUBLE) END)) END)) END)) END) AS "payload") FROM read_json($path, format = 'newline_delimited', auto_detect = false, maximum_object_size = least(greatest(coalesce(getvariable('llmcost_file_bytes'), 67108864), 1048576), 67108864), columns = {'timestamp': 'VARCHAR', 'type': 'VARCHAR', 'payload': 'STRUCT("type" VARCHAR, "id" VARCHAR, "model" VARCHAR, "cwd" VARCHAR, "source" JSON, "info" STRUCT("model" VARCHAR, "last_token_usage" STRUCT("input_tokens" VARCHAR, "cached_input_tokens" VARCHAR, "output_tokens" VARCHAR, "reasoning_output_tokens" VARCHAR, "total_tokens" VARCHAR), "total_token_usage" STRUCT("input_tokens" VARCHAR, "cached_input_tokens" VARCHAR, "output_tokens" VARCHAR, "reasoning_output_tokens" VARCHAR, "total_tokens" VARCHAR)))'}))))))) AS src WHERE (__why IS NULL)) c ) c)))) u
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(u.model) AND pr.mode = (CASE WHEN u.batch OR lower(u.service_tier) = 'batch' THEN 'batch'
     WHEN u.service_tier IS NULL OR lower(u.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(u.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(u.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(u.service_tier) END)
    AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
