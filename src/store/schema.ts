import { usageViewSql } from "./columns.js";
import { coarseRebuild, ROLLUP_TABLES_V11, rollupCoarseTable, rollupRebuild } from "./rollup.js";

/**
 * Providers a lean request row can name: an ENUM costs a byte per row to write where a string costs ~0.6 s per 10M
 * rows. A pricing catalog with another provider sends request logs to usage_wide instead (see ingest/load.ts).
 */
export const LEAN_PROVIDERS_V5 = [
  "openai",
  "anthropic",
  "google",
  "mistral",
  "xai",
  "deepseek",
  "cohere",
  "meta",
  "amazon",
  "azure",
  "groq",
  "together",
  "fireworks",
  "perplexity",
  "openrouter",
] as const;
/** From schema v7: the clouds that resell first-party models at their own rates (pricing/map-bedrock.json, …). */
export const LEAN_PROVIDERS = [...LEAN_PROVIDERS_V5, "bedrock", "vertex"] as const;

/**
 * `usage`, the canonical table every reader queries, as a view over the two physical tables (schema v5):
 *   usage_wide  every canonical column: provider exports, and request logs that carry more than the lean columns;
 *   usage_lean  plain CSV request logs (timestamp, model, tag, tokens, latency, ids) under the default tag pattern:
 *               most rows, written fastest. Not stored: the tag (always `user_hash:feature` when `tagged`), the
 *               columns such logs never fill, the format, and `priced` (a row has a cost exactly when it is priced).
 * `rid` identifies a row across both (simulate's request id).
 */
const USAGE_VIEW_V5 = `
CREATE OR REPLACE VIEW usage AS
SELECT ts, bucket_end, source_kind, source_format, ingest_id, provider, model, project, api_key, workspace, tag_raw,
  user_hash, feature, endpoint, requests, input_tokens, cached_input_tokens, cache_write_5m_tokens,
  cache_write_1h_tokens, output_tokens, reasoning_tokens, batch, service_tier, long_context, status, latency_ms,
  prompt_hash, request_id, reported_cost_usd, row_key, cost_usd, priced, prompt_sig, prompt_emb, cache_denied,
  rowid * 2 AS rid
FROM usage_wide
UNION ALL
SELECT ts, NULL::TIMESTAMP, 'requests'::source_kind, 'request-log-csv'::source_format, ingest_id, provider::VARCHAR, model, NULL::VARCHAR,
  NULL::VARCHAR, NULL::VARCHAR, CASE WHEN tagged THEN user_hash || ':' || feature END,
  user_hash, feature, NULL::VARCHAR, 1::BIGINT, input_tokens, cached_input_tokens, cache_write_5m_tokens,
  cache_write_1h_tokens, output_tokens, reasoning_tokens, false, NULL::VARCHAR, NULL::BOOLEAN, NULL::VARCHAR, latency_ms,
  prompt_hash, request_id, NULL::DECIMAL(38,12), NULL::VARCHAR, cost_usd, cost_usd IS NOT NULL, NULL::UBIGINT[], NULL::FLOAT[],
  NULL::BOOLEAN, rowid * 2 + 1
FROM usage_lean;`;

/**
 * The usage view from schema v6 on, with cost provenance: its `cost_usd` and `priced` follow the default
 * `--cost-mode auto`: the cost computed from the price tables where the row is priced, else the cost the source
 * stated (`reported_cost_usd`). `cost_source` says which (`computed`, `reported`, or NULL: unpriced and no stated
 * cost); `computed_cost_usd` and `computed_priced` keep the price tables' answer alone. Other modes shadow this view
 * per connection (cost-mode.ts). From v7 (`charges`) it also has the charges beyond tokens (audio tokens, web search
 * calls, the inference geography and speed that multiply a price); plain request logs carry none of them: 0 and NULL.
 */
const costProvenanceView = (charges: boolean): string => `
CREATE OR REPLACE VIEW usage AS
SELECT ts, bucket_end, source_kind, source_format, ingest_id, provider, model, project, api_key, workspace, tag_raw,
  user_hash, feature, endpoint, requests, input_tokens, cached_input_tokens, cache_write_5m_tokens,
  cache_write_1h_tokens, output_tokens, reasoning_tokens, batch, service_tier, long_context, status, latency_ms,
  prompt_hash, request_id, reported_cost_usd, row_key,
  CASE WHEN priced THEN cost_usd ELSE reported_cost_usd END AS cost_usd,
  coalesce(priced, false) OR reported_cost_usd IS NOT NULL AS priced,
  prompt_sig, prompt_emb, cache_denied, rid,
  CASE WHEN priced THEN 'computed' WHEN reported_cost_usd IS NOT NULL THEN 'reported' END AS cost_source,
  cost_usd AS computed_cost_usd, priced AS computed_priced${
    charges
      ? `,
  audio_input_tokens, audio_output_tokens, web_search_requests, inference_geo, speed`
      : ""
  }
FROM (
  SELECT *, rowid * 2 AS rid FROM usage_wide
  UNION ALL BY NAME
  SELECT ts, NULL::TIMESTAMP AS bucket_end, 'requests'::source_kind AS source_kind, 'request-log-csv'::source_format AS source_format,
    ingest_id, provider::VARCHAR AS provider, model, NULL::VARCHAR AS project, NULL::VARCHAR AS api_key, NULL::VARCHAR AS workspace,
    CASE WHEN tagged THEN user_hash || ':' || feature END AS tag_raw, user_hash, feature, NULL::VARCHAR AS endpoint,
    1::BIGINT AS requests, input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
    reasoning_tokens, false AS batch, NULL::VARCHAR AS service_tier, NULL::BOOLEAN AS long_context, NULL::VARCHAR AS status,
    latency_ms, prompt_hash, request_id, NULL::DECIMAL(38,12) AS reported_cost_usd, NULL::VARCHAR AS row_key, cost_usd,
    cost_usd IS NOT NULL AS priced, NULL::UBIGINT[] AS prompt_sig, NULL::FLOAT[] AS prompt_emb, NULL::BOOLEAN AS cache_denied,
    rowid * 2 + 1 AS rid${
      charges
        ? `, 0::BIGINT AS audio_input_tokens, 0::BIGINT AS audio_output_tokens, 0::BIGINT AS web_search_requests,
    NULL::VARCHAR AS inference_geo, NULL::VARCHAR AS speed`
        : ""
    }
  FROM usage_lean
);`;
const USAGE_VIEW_V6 = costProvenanceView(false);
/** The view of schema v7 (and v8), as released: the current one is generated (columns.ts usageViewSql). */
export const USAGE_VIEW_V7 = costProvenanceView(true);

/**
 * Ordered migrations. Each runs once, inside a transaction, and is recorded in schema_migrations.
 * Money is DECIMAL(38,12): exact to a nano-cent, wide enough for any bill.
 * Timestamps are naive UTC. The usage tables have no NOT NULL constraints on purpose: they made bulk inserts ~1.7x slower,
 * and ingest validates every row itself (naming the bad line) before it commits.
 */
/** The input formats (adapter names) when schema v4 was written. */
export const SOURCE_FORMATS_V4 = [
  "anthropic-cost-csv",
  "anthropic-cost-json",
  "anthropic-tokens-csv",
  "anthropic-usage-json",
  "litellm-spend-logs",
  "openai-batch-input",
  "openai-batch-output",
  "openai-cost-csv",
  "openai-costs-json",
  "openai-legacy-usage-json",
  "openai-usage-csv",
  "openai-usage-json",
  "openrouter-csv",
  "request-log-csv",
  "request-log-jsonl",
] as const;

/**
 * Formats added after v4 (issue #15), with the migration that widened the type for them. Appending to an ENUM keeps
 * every stored value (ALTER TYPE … ADD VALUE is not in DuckDB: the column is cast to the wider type).
 */
export const SOURCE_FORMATS_V8 = [
  "otel-otlp-json",
  "otel-spans-jsonl",
  "claude-code-jsonl",
  "codex-jsonl",
  "bedrock-invocation-log",
  "bedrock-cloudwatch-events",
  "langfuse-json",
  "anthropic-analytics-usage",
  "anthropic-analytics-cost",
] as const;

export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE ingests (
  ingest_id      INTEGER PRIMARY KEY,
  file_path      VARCHAR NOT NULL,
  file_sha256    VARCHAR NOT NULL,
  file_bytes     BIGINT NOT NULL,
  source_format  VARCHAR NOT NULL,
  source_kind    VARCHAR NOT NULL,
  rows_read      BIGINT NOT NULL,
  rows_inserted  BIGINT NOT NULL,
  rows_skipped   BIGINT NOT NULL,
  rows_replaced  BIGINT NOT NULL,
  min_ts         TIMESTAMP,
  max_ts         TIMESTAMP,
  ingested_at    TIMESTAMP NOT NULL
);
CREATE TABLE usage (
  ts                     TIMESTAMP,
  bucket_end             TIMESTAMP,
  source_kind            VARCHAR,
  source_format          VARCHAR,
  ingest_id              INTEGER,
  provider               VARCHAR,
  model                  VARCHAR,
  project                VARCHAR,
  api_key                VARCHAR,
  workspace              VARCHAR,
  tag_raw                VARCHAR,
  user_hash              VARCHAR,
  feature                VARCHAR,
  endpoint               VARCHAR,
  requests               BIGINT,
  input_tokens           BIGINT,
  cached_input_tokens    BIGINT,
  cache_write_5m_tokens  BIGINT,
  cache_write_1h_tokens  BIGINT,
  output_tokens          BIGINT,
  reasoning_tokens       BIGINT,
  batch                  BOOLEAN,
  service_tier           VARCHAR,
  long_context           BOOLEAN,
  status                 VARCHAR,
  latency_ms             BIGINT,
  prompt_hash            VARCHAR,
  request_id             VARCHAR,
  reported_cost_usd      DECIMAL(38,12),
  row_key                VARCHAR,
  -- Per-row cost fits DECIMAL(18,12) (under $1M per row): int64 storage makes report sums ~4x faster than
  -- DECIMAL(38,12). Sums are taken in DECIMAL(38,12).
  cost_usd               DECIMAL(18,12),
  priced                 BOOLEAN
);
CREATE TABLE billed_cost (
  day            DATE,
  ts             TIMESTAMP,
  bucket_end     TIMESTAMP,
  source_format  VARCHAR NOT NULL,
  ingest_id      INTEGER NOT NULL,
  provider       VARCHAR NOT NULL,
  model          VARCHAR,
  line_item      VARCHAR,
  token_type     VARCHAR,
  cost_type      VARCHAR,
  project        VARCHAR,
  api_key        VARCHAR,
  workspace      VARCHAR,
  service_tier   VARCHAR,
  quantity       DECIMAL(38,6),
  amount_usd     DECIMAL(38,12),
  row_key        VARCHAR
);
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
`,
  },
  {
    version: 2,
    // A MinHash signature of the prompt's word shingles, when the log has prompt text: the text itself is never
    // stored, but near-duplicates can still be estimated (simulate --cache semantic).
    sql: "ALTER TABLE usage ADD COLUMN prompt_sig UBIGINT[];",
  },
  {
    version: 3,
    // The prompt's embedding when the log carries one (simulate --cache semantic compares by cosine then), and
    // whether the prompt starts with a prefix on the config's cache deny-list (decided at ingest: prompt text is never
    // stored). The ledger keeps the deny-list each file was checked against.
    sql: `ALTER TABLE usage ADD COLUMN prompt_emb FLOAT[];
          ALTER TABLE usage ADD COLUMN cache_denied BOOLEAN;
          ALTER TABLE ingests ADD COLUMN cache_deny VARCHAR;`,
  },
  {
    version: 4,
    // Cheaper bulk writes: a constant VARCHAR costs ~0.5 s per 10M rows to write, an ENUM a fraction of it.
    // The formats are those of this version; later ones are added by sourceFormatStep (generated, on open).
    sql: `CREATE TYPE source_kind AS ENUM ('billing', 'requests');
          ALTER TABLE usage ALTER source_kind TYPE source_kind;
          CREATE TYPE source_format AS ENUM (${SOURCE_FORMATS_V4.map((f) => `'${f}'`).join(", ")});
          ALTER TABLE usage ALTER source_format TYPE source_format;`,
  },
  {
    version: 5,
    // Request logs without optional columns go to a narrow table: every column a row carries costs write time, even
    // when NULL (10M rows: 12.4 s into the wide table, see USAGE_VIEW). Naming a column's compression skips DuckDB's
    // trial of the others: model and feature are always few distinct values (dictionary), request and prompt ids
    // nearly all distinct (FSST, which DuckDB picks for them anyway). 10M rows: 9.2 s -> 8.0 s, same file size.
    // user_hash is left to DuckDB: with many users, a forced dictionary made it 2.5x larger.
    sql: `ALTER TABLE usage RENAME TO usage_wide;
          CREATE TYPE lean_provider AS ENUM (${LEAN_PROVIDERS_V5.map((p) => `'${p}'`).join(", ")});
          CREATE TABLE usage_lean (
            ts                     TIMESTAMP,
            ingest_id              INTEGER,
            provider               lean_provider,
            model                  VARCHAR USING COMPRESSION dictionary,
            tagged                 BOOLEAN,
            user_hash              VARCHAR,
            feature                VARCHAR USING COMPRESSION dictionary,
            input_tokens           BIGINT,
            cached_input_tokens    BIGINT,
            cache_write_5m_tokens  BIGINT,
            cache_write_1h_tokens  BIGINT,
            output_tokens          BIGINT,
            reasoning_tokens       BIGINT,
            latency_ms             BIGINT,
            prompt_hash            VARCHAR USING COMPRESSION fsst,
            request_id             VARCHAR USING COMPRESSION fsst,
            cost_usd               DECIMAL(18,12)
          );
          ${USAGE_VIEW_V5}`,
  },
  {
    version: 6,
    sql: USAGE_VIEW_V6,
  },
  {
    version: 7,
    // Charges beyond tokens (schema v7): audio tokens (a part of uncached input / of output, at the model's audio
    // rates), web search calls, and the inference geography and speed that multiply a price (Anthropic US-only
    // inference, fast mode). The lean provider ENUM gains the clouds that sell at their own rates.
    // model_names lists every model name stored, so the naming rules (pricing/names.ts) run once per name when a
    // command starts, never per row.
    sql: `ALTER TABLE usage_wide ADD COLUMN audio_input_tokens BIGINT DEFAULT 0;
          ALTER TABLE usage_wide ADD COLUMN audio_output_tokens BIGINT DEFAULT 0;
          ALTER TABLE usage_wide ADD COLUMN web_search_requests BIGINT DEFAULT 0;
          ALTER TABLE usage_wide ADD COLUMN inference_geo VARCHAR;
          ALTER TABLE usage_wide ADD COLUMN speed VARCHAR;
          CREATE TYPE lean_provider_v7 AS ENUM (${LEAN_PROVIDERS.map((p) => `'${p}'`).join(", ")});
          ALTER TABLE usage_lean ALTER provider TYPE lean_provider_v7;
          DROP TYPE lean_provider;
          CREATE TYPE lean_provider AS ENUM (${LEAN_PROVIDERS.map((p) => `'${p}'`).join(", ")});
          ALTER TABLE usage_lean ALTER provider TYPE lean_provider;
          DROP TYPE lean_provider_v7;
          CREATE TABLE model_names (name VARCHAR PRIMARY KEY);
          INSERT INTO model_names SELECT DISTINCT model FROM usage_wide WHERE model IS NOT NULL
            UNION SELECT DISTINCT model FROM usage_lean WHERE model IS NOT NULL;
          ${USAGE_VIEW_V7}`,
  },
  {
    version: 8,
    // New input formats (OTel spans, coding-agent logs, Bedrock): a wider source_format type. The view names the type
    // (usage_lean's constant), so it is dropped and made again around the change.
    sql: `DROP VIEW usage;
          CREATE TYPE source_format_v8 AS ENUM (${[...SOURCE_FORMATS_V4, ...SOURCE_FORMATS_V8].map((f) => `'${f}'`).join(", ")});
          ALTER TABLE usage_wide ALTER source_format TYPE source_format_v8;
          DROP TYPE source_format;
          CREATE TYPE source_format AS ENUM (${[...SOURCE_FORMATS_V4, ...SOURCE_FORMATS_V8].map((f) => `'${f}'`).join(", ")});
          ALTER TABLE usage_wide ALTER source_format TYPE source_format;
          DROP TYPE source_format_v8;
          ${USAGE_VIEW_V7}`,
  },
  {
    version: 9,
    // Cost exports that state a list price beside the billed (effective) one keep it (Anthropic analytics
    // `list_amount`), and a bucket the provider has not finalised yet (after the page's `data_refreshed_at`) is
    // marked `provisional`, as usage rows already are: reports say so.
    sql: `ALTER TABLE billed_cost ADD COLUMN list_amount_usd DECIMAL(38,12);
          ALTER TABLE billed_cost ADD COLUMN status VARCHAR;`,
  },
  {
    version: 10,
    // A Claude Code call is its message id (sidechains replay a parent's message under a new requestId): rows stored
    // as "message.id:requestId" take the id alone, so a later file's copy of the call matches them.
    sql: `UPDATE usage_wide SET request_id = split_part(request_id, ':', 1)
          WHERE source_format = 'claude-code-jsonl' AND contains(request_id, ':');`,
  },
  {
    version: 11,
    // Reports that read aggregates: usage summed per UTC day × every report dimension, kept at ingest (rollup.ts).
    // Built here from the rows already stored, with the costs they were stored at.
    sql: `${ROLLUP_TABLES_V11}
          ${rollupRebuild(11)}`,
  },
  {
    version: 12,
    // The rollup without its per-user and per-API-key rows, kept beside it (rollup.ts): what most reports read.
    sql: `${rollupCoarseTable(12)}
          ${coarseRebuild(12)}`,
  },
];

/**
 * The generated step that lets the `source_format` ENUM name every registered adapter: run when a writable database
 * is opened and the type lacks one (after the numbered migrations; store/db.ts), so a new source format needs no
 * hand-written migration. The stored values keep their order and the new names are appended, as migration 8 did by
 * hand: DuckDB has no ALTER TYPE … ADD VALUE, so the column is cast to a wider type and back under the old name. The
 * view names the type (usage_lean's constant), so it is dropped and made again (the current view). Null: nothing to add.
 */
export function sourceFormatStep(stored: readonly string[], formats: readonly string[]): string | null {
  const added = formats.filter((f) => !stored.includes(f));
  if (added.length === 0) return null;
  const values = [...stored, ...added].map((f) => `'${f.replaceAll("'", "''")}'`).join(", ");
  return `DROP VIEW usage;
          CREATE TYPE source_format_wider AS ENUM (${values});
          ALTER TABLE usage_wide ALTER source_format TYPE source_format_wider;
          DROP TYPE source_format;
          CREATE TYPE source_format AS ENUM (${values});
          ALTER TABLE usage_wide ALTER source_format TYPE source_format;
          DROP TYPE source_format_wider;
          ${usageViewSql()}`;
}
