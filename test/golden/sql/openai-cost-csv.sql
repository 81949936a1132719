    INSERT INTO billed_cost (day, ts, bucket_end, source_format, ingest_id, provider, model, line_item, token_type, cost_type, project,
      api_key, workspace, service_tier, quantity, amount_usd, row_key, list_amount_usd, status)
    SELECT ts::DATE, ts, bucket_end, $format, $ingest_id, provider, model, line_item, token_type, cost_type, project,
      api_key, workspace, service_tier, sum(quantity), sum(amount_usd),
      md5(concat_ws('|', coalesce(CAST(ts AS VARCHAR), '∅'), coalesce(CAST(bucket_end AS VARCHAR), '∅'), coalesce(CAST(provider AS VARCHAR), '∅'), coalesce(CAST(model AS VARCHAR), '∅'), coalesce(CAST(line_item AS VARCHAR), '∅'), coalesce(CAST(token_type AS VARCHAR), '∅'), coalesce(CAST(cost_type AS VARCHAR), '∅'), coalesce(CAST(project AS VARCHAR), '∅'), coalesce(CAST(api_key AS VARCHAR), '∅'), coalesce(CAST(workspace AS VARCHAR), '∅'), coalesce(CAST(service_tier AS VARCHAR), '∅'))),
      sum(list_amount_usd), max(status)
    FROM (SELECT (CASE WHEN contains(right(nullif(nullif(trim(CAST("start_time_iso" AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST("start_time_iso" AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST("start_time_iso" AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST("start_time_iso" AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST("start_time_iso" AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) AS ts,
  (CASE WHEN contains(right(nullif(nullif(trim(CAST("end_time_iso" AS VARCHAR)), ''), '--'), 6), '+') OR contains(right(nullif(nullif(trim(CAST("end_time_iso" AS VARCHAR)), ''), '--'), 6), '-') THEN make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST("end_time_iso" AS VARCHAR)), ''), '--') AS TIMESTAMPTZ))) ELSE coalesce(try_cast(nullif(nullif(trim(CAST("end_time_iso" AS VARCHAR)), ''), '--') AS TIMESTAMP), make_timestamp(epoch_us(try_cast(nullif(nullif(trim(CAST("end_time_iso" AS VARCHAR)), ''), '--') AS TIMESTAMPTZ)))) END) AS bucket_end,
  'openai' AS provider,
  CASE WHEN strpos(nullif(nullif(trim(CAST("line_item" AS VARCHAR)), ''), '--'), ', ') > 0 THEN nullif(regexp_extract(nullif(nullif(trim(CAST("line_item" AS VARCHAR)), ''), '--'), '^(?:[A-Za-z_-]+ \| )?([^, |]+)', 1), '') END AS model,
  nullif(nullif(trim(CAST("line_item" AS VARCHAR)), ''), '--') AS line_item,
  nullif(regexp_extract(nullif(nullif(trim(CAST("line_item" AS VARCHAR)), ''), '--'), ', ([^,]+)', 1), '') AS token_type,
  NULL AS cost_type,
  nullif(nullif(trim(CAST("project_id" AS VARCHAR)), ''), '--') AS project,
  NULL AS api_key,
  NULL AS workspace,
  nullif(regexp_extract(nullif(nullif(trim(CAST("line_item" AS VARCHAR)), ''), '--'), '^([A-Za-z_-]+) \| ', 1), '') AS service_tier,
  NULL AS quantity,
  try_cast(nullif(nullif(trim(CAST(amount_value AS VARCHAR)), ''), '--') AS DECIMAL(38,12)) AS amount_usd,
  NULL AS list_amount_usd,
  NULL AS status FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', null_padding = true, columns = {'start_time': 'VARCHAR', 'end_time': 'VARCHAR', 'start_time_iso': 'VARCHAR', 'end_time_iso': 'VARCHAR', 'amount_value': 'VARCHAR', 'amount_currency': 'VARCHAR', 'line_item': 'VARCHAR', 'project_id': 'VARCHAR', 'organization_id': 'VARCHAR', 'organization_name': 'VARCHAR'}) AS src WHERE (nullif(trim(amount_value), '') IS NOT NULL))
    GROUP BY ts, bucket_end, provider, model, line_item, token_type, cost_type, project, api_key, workspace, service_tier
