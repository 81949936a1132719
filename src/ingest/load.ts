import type { Catalog } from "../pricing/load.js";
import { costPerRow, ingestPriceJoin, unpricedChargeExpr } from "../pricing/sql.js";
import { LEAN_PROVIDERS } from "../store/schema.js";
import { NOT_A_NUMBER } from "../sources/sql.js";
import { CACHED_EXCEEDS_INPUT, cachedExceedsCheck, NO_COUNTS, noCountsCheck } from "../sources/flat-log.js";
import { BILLED_COLUMNS, type BilledAdapter, type ReadPlan, type SourceFile, TOKEN_BUCKETS, TOKEN_COLUMNS, USAGE_COLUMNS, type UsageAdapter, type UsageColumn } from "../sources/types.js";

/** Canonical NULL/zero defaults for columns an adapter doesn't produce. */
const USAGE_DEFAULTS: Record<(typeof USAGE_COLUMNS)[number], string> = {
  ts: "NULL::TIMESTAMP",
  bucket_end: "NULL::TIMESTAMP",
  provider: "NULL::VARCHAR",
  model: "NULL::VARCHAR",
  project: "NULL::VARCHAR",
  api_key: "NULL::VARCHAR",
  workspace: "NULL::VARCHAR",
  user_raw: "NULL::VARCHAR",
  tag: "NULL::VARCHAR",
  feature_hint: "NULL::VARCHAR",
  endpoint: "NULL::VARCHAR",
  requests: "0::BIGINT",
  input_tokens: "0::BIGINT",
  cached_input_tokens: "0::BIGINT",
  cache_write_5m_tokens: "0::BIGINT",
  cache_write_1h_tokens: "0::BIGINT",
  output_tokens: "0::BIGINT",
  reasoning_tokens: "0::BIGINT",
  batch: "false",
  service_tier: "NULL::VARCHAR",
  long_context: "NULL::BOOLEAN",
  status: "NULL::VARCHAR",
  latency_ms: "NULL::BIGINT",
  prompt_hash: "NULL::VARCHAR",
  request_id: "NULL::VARCHAR",
  reported_cost_usd: "NULL::DECIMAL(38,12)",
  prompt_sig: "NULL::UBIGINT[]",
  prompt_emb: "NULL::FLOAT[]",
  cache_denied: "NULL::BOOLEAN",
  audio_input_tokens: "0::BIGINT",
  audio_output_tokens: "0::BIGINT",
  web_search_requests: "0::BIGINT",
  inference_geo: "NULL::VARCHAR",
  speed: "NULL::VARCHAR",
};

/** The columns that identify a provider bucket × group: the same key in two exports is the same usage. */
const USAGE_KEY = ["ts", "bucket_end", "provider", "model", "project", "api_key", "workspace", "user_hash", "endpoint", "batch", "service_tier", "long_context"];
const BILLED_KEY = ["ts", "bucket_end", "provider", "model", "line_item", "token_type", "cost_type", "project", "api_key", "workspace", "service_tier"];
// Columns added to the key later (schema v7) join it only when set, so the keys of earlier rows stay the same.
const USAGE_KEY_V7 = ["inference_geo", "speed"];
const rowKey = (cols: string[], later: string[] = []) =>
  `md5(concat_ws('|', ${[...cols.map((c) => `coalesce(CAST(${c} AS VARCHAR), '∅')`), ...later.map((c) => `'${c}=' || ${c}`)].join(", ")}))`;

/**
 * Earlier rows `o` of the same format that a row of ingest $id overlaps in time ([ts, bucket_end) ranges that
 * intersect; rows without a bucket_end overlap only at the same ts) and whose group it covers: every key column but
 * the bucket's times agrees wherever both rows have it. So the same group replaces itself, and an export of the same
 * days with other group-by dimensions (by project, then ungrouped) replaces the earlier one instead of adding to it;
 * rows of another model, project or endpoint are left alone.
 */
export function overlapCondition(table: "usage_wide" | "billed_cost"): string {
  const group = (table === "billed_cost" ? BILLED_KEY : USAGE_KEY).filter((c) => c !== "ts" && c !== "bucket_end");
  const same = group.map((c) => `(n.${c} IS NULL OR o.${c} IS NULL OR n.${c} = o.${c})`).join(" AND ");
  return `o.ingest_id <> $id AND o.source_format = $format AND EXISTS (SELECT 1 FROM ${table} n WHERE n.ingest_id = $id AND ${same}
    AND n.ts < coalesce(o.bucket_end, o.ts + INTERVAL 1 MICROSECOND) AND o.ts < coalesce(n.bucket_end, n.ts + INTERVAL 1 MICROSECOND))`;
}

const where = (plan: ReadPlan) => (plan.keep ? `WHERE (${plan.keep.sql})` : "");

/** The adapter's expressions for every canonical column, as an SQL select list. */
export function usageSelectList(adapter: UsageAdapter, file: SourceFile): string {
  const cols = adapter.columns(file);
  return USAGE_COLUMNS.map((c) => `${cols[c] ?? USAGE_DEFAULTS[c]} AS ${c}`).join(",\n  ");
}

export function billedSelectList(adapter: BilledAdapter, file: SourceFile): string {
  const cols = adapter.columns(file);
  return BILLED_COLUMNS.map((c) => `${cols[c] ?? "NULL"} AS ${c}`).join(",\n  ");
}

function canonicalUsage(adapter: UsageAdapter, file: SourceFile): string {
  const plan = adapter.read(file);
  return `SELECT ${usageSelectList(adapter, file)}\nFROM ${plan.from} AS src ${where(plan)}`;
}

/** The canonical columns a plain request log fills: a file that fills no other goes to usage_lean. */
const LEAN_INPUTS: ReadonlySet<UsageColumn> = new Set<UsageColumn>([
  "ts", "model", "user_raw", "tag", "feature_hint", "requests", ...TOKEN_BUCKETS, "latency_ms", "prompt_hash", "request_id",
]);

/**
 * The physical table a usage file's rows go to (the `usage` view reads both; see store/schema.ts): usage_lean for
 * CSV request logs with only the lean columns, one request per row, tags the view can rebuild (the default pattern)
 * and providers the lean ENUM can name.
 */
export function usageTable(
  adapter: UsageAdapter,
  file: SourceFile,
  catalog: Catalog,
  tag: { rebuilds: boolean },
): "usage_lean" | "usage_wide" {
  const cols = adapter.columns(file);
  const lean =
    adapter.name === "request-log-csv" &&
    tag.rebuilds &&
    Object.entries(cols).every(([c, sql]) => sql === undefined || LEAN_INPUTS.has(c as UsageColumn)) &&
    (cols.requests === undefined || cols.requests === "1") &&
    catalog.models.every((m) => (LEAN_PROVIDERS as readonly string[]).includes(m.provider));
  return lean ? "usage_lean" : "usage_wide";
}

/**
 * INSERT for a usage file. Tags are decoded here (raw user ids are hashed and never stored), provider buckets are
 * summed per key (identical keys in one export are one bucket), and cost is priced at each row's timestamp.
 */
export function insertUsageSql(
  adapter: UsageAdapter,
  file: SourceFile,
  tag: { groups: readonly string[] },
  table: "usage_lean" | "usage_wide",
  exclude?: string,
): string {
  const canonical = `SELECT * FROM (${canonicalUsage(adapter, file)}) c ${exclude ? `WHERE NOT (${exclude})` : ""}`;
  // One regexp pass: a non-match yields empty groups, so "tagged" is a non-empty user group. (String functions were
  // tried for the default layout: ltrim with a character set costs 4x the regexp.)
  const decoded = `SELECT *, parts.user <> '' AS tagged
    FROM (SELECT c.*, regexp_extract(c.tag, getvariable('llmcost_tag_re'), [${tag.groups.map((g) => `'${g}'`).join(", ")}]) AS parts FROM (${canonical}) c)`;
  const userHash = `CASE WHEN tagged THEN parts.user WHEN coalesce(tag, user_raw) IS NOT NULL THEN left(sha256(coalesce(tag, user_raw)), 12) END`;
  const base = `
    SELECT ts, bucket_end, provider, model, project, api_key, workspace,
      CASE WHEN tagged THEN tag END AS tag_raw,
      ${userHash} AS user_hash,
      coalesce(CASE WHEN tagged THEN parts.feature END, feature_hint, '(untagged)') AS feature,
      endpoint, requests, input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
      output_tokens, reasoning_tokens, batch, service_tier, long_context, status, latency_ms, prompt_hash, request_id,
      reported_cost_usd, prompt_sig, prompt_emb, cache_denied, audio_input_tokens, audio_output_tokens, web_search_requests,
      inference_geo, speed
    FROM (${decoded})`;
  const rows =
    adapter.kind === "billing"
      ? `SELECT ts, bucket_end, provider, model, project, api_key, workspace, tag_raw, user_hash, feature, endpoint,
           ${TOKEN_COLUMNS.map((t) => `(CASE WHEN min(${t}) < 0 THEN -1 ELSE sum(${t}) END)::BIGINT AS ${t}`).join(", ")},
           batch, service_tier, long_context, max(status) AS status, NULL::BIGINT AS latency_ms,
           NULL::VARCHAR AS prompt_hash, NULL::VARCHAR AS request_id, sum(reported_cost_usd) AS reported_cost_usd, NULL::UBIGINT[] AS prompt_sig,
           NULL::FLOAT[] AS prompt_emb, NULL::BOOLEAN AS cache_denied, inference_geo, speed,
           ${rowKey(USAGE_KEY, USAGE_KEY_V7)} AS row_key
         FROM (${base})
         GROUP BY ts, bucket_end, provider, model, project, api_key, workspace, tag_raw, user_hash, feature, endpoint,
           batch, service_tier, long_context, inference_geo, speed`
      : `SELECT *, NULL::VARCHAR AS row_key FROM (${base})`;
  if (table === "usage_lean") {
    // No tag: the view rebuilds it as user_hash:feature.
    return `
    INSERT INTO usage_lean (ts, ingest_id, provider, model, tagged, user_hash, feature,
      input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,
      latency_ms, prompt_hash, request_id, cost_usd)
    SELECT u.ts, $ingest_id, pr.provider_lean, u.model, u.tag_raw IS NOT NULL,
      u.user_hash, u.feature, u.input_tokens, u.cached_input_tokens, u.cache_write_5m_tokens, u.cache_write_1h_tokens,
      u.output_tokens, u.reasoning_tokens, u.latency_ms, u.prompt_hash, u.request_id, ${costPerRow("u")} AS cost_usd
    FROM (${rows}) u ${ingestPriceJoin("u")}`;
  }
  return `
    INSERT INTO usage_wide (ts, bucket_end, source_kind, source_format, ingest_id, provider, model, project, api_key, workspace,
      tag_raw, user_hash, feature, endpoint, requests, input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
      output_tokens, reasoning_tokens, batch, service_tier, long_context, status, latency_ms, prompt_hash, request_id,
      reported_cost_usd, row_key, cost_usd, priced, prompt_sig, prompt_emb, cache_denied, audio_input_tokens,
      audio_output_tokens, web_search_requests, inference_geo, speed)
    SELECT u.ts, u.bucket_end, $kind, $format, $ingest_id, coalesce(nullif(u.provider, 'unknown'), pr.provider, u.provider), u.model, u.project, u.api_key, u.workspace,
      u.tag_raw, u.user_hash, u.feature, u.endpoint, u.requests, u.input_tokens, u.cached_input_tokens,
      u.cache_write_5m_tokens, u.cache_write_1h_tokens, u.output_tokens, u.reasoning_tokens, u.batch, u.service_tier,
      u.long_context, u.status, u.latency_ms, u.prompt_hash, u.request_id, u.reported_cost_usd, u.row_key,
      ${costPerRow("u")} AS cost_usd, pr.model_id IS NOT NULL AND ${unpricedChargeExpr("u")} IS NULL AS priced, u.prompt_sig, u.prompt_emb,
      u.cache_denied, u.audio_input_tokens, u.audio_output_tokens, u.web_search_requests, u.inference_geo, u.speed
    FROM (${rows}) u ${ingestPriceJoin("u")}`;
}

export function insertBilledSql(adapter: BilledAdapter, file: SourceFile, exclude?: string): string {
  const plan = adapter.read(file);
  const select = billedSelectList(adapter, file);
  const keyCols = BILLED_KEY.join(", ");
  return `
    INSERT INTO billed_cost (day, ts, bucket_end, source_format, ingest_id, provider, model, line_item, token_type, cost_type,
      project, api_key, workspace, service_tier, quantity, amount_usd, row_key, list_amount_usd, status)
    SELECT ts::DATE, ts, bucket_end, $format, $ingest_id, provider, model, line_item, token_type, cost_type, project,
      api_key, workspace, service_tier, sum(quantity), sum(amount_usd), ${rowKey(BILLED_KEY)}, sum(list_amount_usd), max(status)
    FROM (SELECT ${select} FROM ${plan.from} AS src ${where(plan)}) ${exclude ? `WHERE NOT (${exclude})` : ""}
    GROUP BY ${keyCols}`;
}

/** Conditions that make a canonical row invalid, with the message a user sees. */
export interface Check {
  /** True for a row that fails. */
  sql: string;
  reason: string;
  /**
   * The same as one aggregate over an ingest's rows (true iff one of them fails), cheaper than a count per group.
   * Only for checks of values that never change. (Not for timestamps: "in the future" depends on when it runs.)
   */
  any?: string;
}

export function usageChecks(): Check[] {
  return [
    { sql: "ts IS NULL", reason: "missing or unparseable timestamp" },
    // A day of slack for clock skew and time zones; anything later is a typo or a bad clock.
    { sql: "ts > CAST($now AS TIMESTAMP) + INTERVAL 1 DAY", reason: "timestamp is in the future" },
    // No LLM API bills anything before 2020: a timestamp of 1970 (epoch 0), year 1 or a placeholder is a bad value.
    { sql: "ts < TIMESTAMP '2020-01-01'", reason: "timestamp is before 2020 (epoch 0, a unit mix-up or a placeholder date)" },
    { sql: "bucket_end < ts", reason: "the bucket ends before it starts" },
    { sql: "latency_ms < 0", reason: "latency is negative" },
    // Before the token checks: this sentinel is negative too, and has its own reason.
    cachedExceedsCheck,
    noCountsCheck,
    ...TOKEN_COLUMNS.map((t) => ({ sql: `${t} = ${NOT_A_NUMBER}`, reason: `${t.replaceAll("_", " ")} is not a number`, any: `min(${t}) = ${NOT_A_NUMBER}` })),
    ...TOKEN_COLUMNS.map((t) => ({ sql: t === "input_tokens" ? `${t} < 0 AND ${t} NOT IN (${CACHED_EXCEEDS_INPUT}, ${NO_COUNTS}, ${NOT_A_NUMBER})` : `${t} < 0 AND ${t} <> ${NOT_A_NUMBER}`, reason: `${t.replaceAll("_", " ")} is not a non-negative integer below 10^15`, any: `min(${t}) < 0` })),
    { sql: "coalesce(isnan(prompt_emb[1]), false)", reason: "embedding is not a list of numbers" },
  ];
}
export function billedChecks(): Check[] {
  return [
    { sql: "ts IS NULL", reason: "missing or unparseable date" },
    { sql: "ts > CAST($now AS TIMESTAMP) + INTERVAL 1 DAY", reason: "date is in the future" },
    { sql: "ts < TIMESTAMP '2020-01-01'", reason: "date is before 2020 (epoch 0, a unit mix-up or a placeholder date)" },
    { sql: "bucket_end < ts", reason: "the bucket ends before it starts" },
    { sql: "amount_usd IS NULL", reason: "amount is not a decimal number" },
  ];
}

/**
 * Finds the first bad record of a file: re-reads it with row numbers (only on the error path, so the happy path
 * pays nothing for line tracking). Returns a location such as "12" (a line) or "bucket 2025-08-01".
 */
export function locateSql(plan: ReadPlan, canonical: string, bad: string, limit = 1): { sql: string; kind: "line" | "record" } {
  const from = plan.locate ?? plan.from;
  const keep = plan.keep ? `(${plan.keep.sql})` : "true";
  if (plan.lines === "csv" || plan.lines === "jsonl") {
    const offset = plan.lines === "csv" ? 1 : 0;
    return {
      kind: "line",
      // hash(src), selected in the result, makes the reader parse every column: otherwise projection pushdown
      // would skip columns whose bad values reject a row, and the numbering would drift.
      sql: `SELECT (__line + ${offset})::VARCHAR AS loc, __all FROM (SELECT row_number() OVER () AS __line, hash(src) AS __all, ${canonical}, ${keep} AS __keep FROM ${from} AS src) WHERE __keep AND (${bad}) ORDER BY __line LIMIT ${limit}`,
    };
  }
  const expr = "line" in plan.lines ? plan.lines.line : plan.lines.record;
  return {
    kind: "line" in plan.lines ? "line" : "record",
    // The first bad line, not any: an adapter's relation may reorder rows (windows over time, unnests).
    sql: `SELECT CAST(__loc AS VARCHAR) AS loc FROM (SELECT ${expr} AS __loc, ${canonical}, ${keep} AS __keep FROM ${from} AS src) WHERE __keep AND (${bad})
      ${"line" in plan.lines ? "ORDER BY try_cast(regexp_extract(CAST(__loc AS VARCHAR), '^[0-9]+') AS BIGINT), CAST(__loc AS VARCHAR)" : ""} LIMIT ${limit}`,
  };
}
