    INSERT INTO billed_cost (day, ts, bucket_end, source_format, ingest_id, provider, model, line_item, token_type, cost_type, project,
      api_key, workspace, service_tier, quantity, amount_usd, row_key, list_amount_usd, status)
    SELECT ts::DATE, ts, bucket_end, $format, $ingest_id, provider, model, line_item, token_type, cost_type, project,
      api_key, workspace, service_tier, sum(quantity), sum(amount_usd),
      md5(concat_ws('|', coalesce(CAST(ts AS VARCHAR), '∅'), coalesce(CAST(bucket_end AS VARCHAR), '∅'), coalesce(CAST(provider AS VARCHAR), '∅'), coalesce(CAST(model AS VARCHAR), '∅'), coalesce(CAST(line_item AS VARCHAR), '∅'), coalesce(CAST(token_type AS VARCHAR), '∅'), coalesce(CAST(cost_type AS VARCHAR), '∅'), coalesce(CAST(project AS VARCHAR), '∅'), coalesce(CAST(api_key AS VARCHAR), '∅'), coalesce(CAST(workspace AS VARCHAR), '∅'), coalesce(CAST(service_tier AS VARCHAR), '∅'))),
      sum(list_amount_usd), max(status)
    FROM (SELECT try_strptime(nullif(nullif(trim(CAST(usage_date_utc AS VARCHAR)), ''), '--'), ['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d'])::TIMESTAMP AS ts,
  try_strptime(nullif(nullif(trim(CAST(usage_date_utc AS VARCHAR)), ''), '--'), ['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d'])::TIMESTAMP + CASE WHEN length(nullif(nullif(trim(CAST(usage_date_utc AS VARCHAR)), ''), '--')) > 10 THEN INTERVAL 1 HOUR ELSE INTERVAL 1 DAY END AS bucket_end,
  'anthropic' AS provider,
  coalesce((SELECT pa.model_id FROM price_alias pa WHERE pa.alias = lower(nullif(nullif(trim(CAST("model" AS VARCHAR)), ''), '--'))), nullif(nullif(trim(CAST("model" AS VARCHAR)), ''), '--')) AS model,
  nullif(nullif(trim(CAST("model" AS VARCHAR)), ''), '--') AS line_item,
  nullif(nullif(trim(CAST("token_type" AS VARCHAR)), ''), '--') AS token_type,
  nullif(nullif(trim(CAST("cost_type" AS VARCHAR)), ''), '--') AS cost_type,
  NULL AS project,
  nullif(nullif(trim(CAST("api_key" AS VARCHAR)), ''), '--') AS api_key,
  nullif(nullif(trim(CAST("workspace" AS VARCHAR)), ''), '--') AS workspace,
  nullif(nullif(trim(CAST("usage_type" AS VARCHAR)), ''), '--') AS service_tier,
  NULL AS quantity,
  try_cast(nullif(nullif(trim(CAST(cost_usd AS VARCHAR)), ''), '--') AS DECIMAL(38,12)) AS amount_usd,
  NULL AS list_amount_usd,
  NULL AS status FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', null_padding = false, columns = {'usage_date_utc': 'VARCHAR', 'model': 'VARCHAR', 'workspace': 'VARCHAR', 'api_key': 'VARCHAR', 'usage_type': 'VARCHAR', 'context_window': 'VARCHAR', 'token_type': 'VARCHAR', 'cost_usd': 'VARCHAR', 'cost_type': 'VARCHAR', 'inference_geo': 'VARCHAR', 'speed': 'VARCHAR'}) AS src WHERE (nullif(nullif(trim(CAST(cost_usd AS VARCHAR)), ''), '--') IS NOT NULL))
    GROUP BY ts, bucket_end, provider, model, line_item, token_type, cost_type, project, api_key, workspace, service_tier
