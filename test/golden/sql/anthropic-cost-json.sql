    INSERT INTO billed_cost (day, ts, bucket_end, source_format, ingest_id, provider, model, line_item, token_type, cost_type, project,
      api_key, workspace, service_tier, quantity, amount_usd, row_key, list_amount_usd, status)
    SELECT ts::DATE, ts, bucket_end, $format, $ingest_id, provider, model, line_item, token_type, cost_type, project,
      api_key, workspace, service_tier, sum(quantity), sum(amount_usd),
      md5(concat_ws('|', coalesce(CAST(ts AS VARCHAR), '∅'), coalesce(CAST(bucket_end AS VARCHAR), '∅'), coalesce(CAST(provider AS VARCHAR), '∅'), coalesce(CAST(model AS VARCHAR), '∅'), coalesce(CAST(line_item AS VARCHAR), '∅'), coalesce(CAST(token_type AS VARCHAR), '∅'), coalesce(CAST(cost_type AS VARCHAR), '∅'), coalesce(CAST(project AS VARCHAR), '∅'), coalesce(CAST(api_key AS VARCHAR), '∅'), coalesce(CAST(workspace AS VARCHAR), '∅'), coalesce(CAST(service_tier AS VARCHAR), '∅'))),
      sum(list_amount_usd), max(status)
    FROM (SELECT (CASE WHEN contains(right(nullif(nullif(trim(CAST(starting_at AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(starting_at AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(starting_at AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(starting_at AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(starting_at AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) AS ts,
  (CASE WHEN contains(right(nullif(nullif(trim(CAST(ending_at AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST(ending_at AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(ending_at AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST(ending_at AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST(ending_at AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) AS bucket_end,
  'anthropic' AS provider,
  CASE WHEN r.model IS NOT NULL THEN coalesce((SELECT pa.model_id FROM price_alias pa WHERE pa.alias = lower(r.model)), r.model) END AS model,
  nullif(nullif(trim(CAST(r.description AS VARCHAR)), ''), '--') AS line_item,
  nullif(nullif(trim(CAST(r.token_type AS VARCHAR)), ''), '--') AS token_type,
  nullif(nullif(trim(CAST(r.cost_type AS VARCHAR)), ''), '--') AS cost_type,
  NULL AS project,
  NULL AS api_key,
  nullif(nullif(trim(CAST(r.workspace_id AS VARCHAR)), ''), '--') AS workspace,
  nullif(nullif(trim(CAST(r.service_tier AS VARCHAR)), ''), '--') AS service_tier,
  NULL AS quantity,
  try_cast(nullif(nullif(trim(CAST(r.amount AS VARCHAR)), ''), '--') AS DECIMAL(38,12)) * 0.01::DECIMAL(3,2) AS amount_usd,
  NULL AS list_amount_usd,
  NULL AS status FROM (SELECT bk.starting_at AS starting_at, bk.ending_at AS ending_at, unnest(bk.results) AS r
    FROM (SELECT unnest(data) AS bk FROM read_json($path, format = 'auto', auto_detect = false, maximum_object_size = least(greatest(coalesce(getvariable('llmcost_file_bytes'), 1073741824), 1048576), 1073741824), columns = {'data': 'STRUCT("starting_at" VARCHAR, "ending_at" VARCHAR, "results" STRUCT("amount" VARCHAR, "currency" VARCHAR, "cost_type" VARCHAR, "description" VARCHAR, "model" VARCHAR, "token_type" VARCHAR, "service_tier" VARCHAR, "context_window" VARCHAR, "workspace_id" VARCHAR)[])[]'}))) AS src WHERE (r.amount IS NOT NULL))
    GROUP BY ts, bucket_end, provider, model, line_item, token_type, cost_type, project, api_key, workspace, service_tier
