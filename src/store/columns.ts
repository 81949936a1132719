/**
 * The canonical columns, once. Every current list of them is generated from these two tables: the columns an adapter
 * may map (sources/types.ts), the INSERTs and the billing GROUP BY (ingest/load.ts), the `usage` view (schema.ts),
 * the rollup's keys and sums (rollup.ts) and the tests' column lists. Migrations already released keep their own
 * text (schema.ts): they are history, and must build an old database exactly as they did.
 *
 * `usage` is in the order of the `usage` view's columns, which is also the order of usage_wide's and usage_lean's
 * physical columns (each a subset of it). A new column goes where its migration's ALTER TABLE … ADD COLUMN puts it:
 * at the end (src/sources/README.md, "Adding a canonical column").
 */

/** Who fills a usage column. */
export type Fill =
  /** An adapter's mapping (SQL over the file's rows); unmapped, it is `missing`. */
  | "adapter"
  /** An adapter's input that is not stored: tag decoding turns user_raw, tag and feature_hint into the `tag` columns. */
  | "input"
  /** Decoded from the inputs at ingest (raw user ids are hashed, never stored). */
  | "tag"
  /** Set by the INSERT itself (the ingest's id and format, the row key, the cost the price tables give). */
  | "ingest"
  /** Computed by the view from the stored columns; not stored. */
  | "view";

/**
 * How a provider export's rows of one bucket fold into one row (identical keys in one export are one bucket):
 * `key` groups and is part of the row key, `group` groups only, `count` is summed (a negative value stays -1, so
 * validation still sees it), `sum` and `max` are those aggregates, `none` is dropped (a request-level value).
 */
export type Fold = "key" | "group" | "count" | "sum" | "max" | "none";

export interface UsageColumnSpec {
  readonly name: string;
  /** The SQL type as stored (usage_wide), or as the view gives it. */
  readonly type: string;
  /** The value of a missing column: an adapter that doesn't map it, a lean row in the view. */
  readonly missing: string;
  readonly fill: Fill;
  /** For adapter and tag columns. */
  readonly fold?: Fold;
  /**
   * In usage_lean too (plain CSV request logs): `true` under the same name; `stored` names another column it is kept
   * as (tag_raw as `tagged`); `read` is what the view reads for a lean row instead of the column. Not in usage_lean:
   * the view reads `read`, else `missing` (the column is in usage_wide only).
   */
  readonly lean?: true | { readonly stored?: true | string; readonly read?: string };
  /** The view's expression over the stored columns, where it is not the column itself. */
  readonly view?: string;
  /** A view-only column's value per physical table (the row id). */
  readonly wideRead?: string;
  /** usage_rollup: a key of its rows, or a sum per key. */
  readonly rollup?: "key" | "sum";
  /** The schema version that added it (row-key columns added after v1 join a row key only when set). */
  readonly since: number;
}

const text = <N extends string>(name: N, since = 1) => ({ name, type: "VARCHAR", missing: "NULL::VARCHAR", since }) as const;
const count = <N extends string, M extends Partial<UsageColumnSpec>>(name: N, more: M) =>
  ({ name, type: "BIGINT", missing: "0::BIGINT", fill: "adapter", fold: "count", since: 1, ...more }) as const;

export const USAGE = [
  { name: "ts", type: "TIMESTAMP", missing: "NULL::TIMESTAMP", fill: "adapter", fold: "key", lean: true, since: 1 },
  { name: "bucket_end", type: "TIMESTAMP", missing: "NULL::TIMESTAMP", fill: "adapter", fold: "key", since: 1 },
  {
    name: "source_kind",
    type: "source_kind",
    missing: "NULL::source_kind",
    fill: "ingest",
    lean: { read: "'requests'::source_kind" },
    rollup: "key",
    since: 1,
  },
  {
    name: "source_format",
    type: "source_format",
    missing: "NULL::source_format",
    fill: "ingest",
    lean: { read: "'request-log-csv'::source_format" },
    since: 1,
  },
  { name: "ingest_id", type: "INTEGER", missing: "NULL::INTEGER", fill: "ingest", lean: true, since: 1 },
  // Stored lean as the lean_provider ENUM (schema.ts).
  { ...text("provider"), fill: "adapter", fold: "key", lean: { stored: true, read: "provider::VARCHAR" }, rollup: "key" },
  { ...text("model"), fill: "adapter", fold: "key", lean: true, rollup: "key" },
  { ...text("project"), fill: "adapter", fold: "key", rollup: "key" },
  { ...text("api_key"), fill: "adapter", fold: "key", rollup: "key" },
  { ...text("workspace"), fill: "adapter", fold: "key", rollup: "key" },
  { ...text("user_raw"), fill: "input" },
  { ...text("tag"), fill: "input" },
  { ...text("feature_hint"), fill: "input" },
  // Lean rows are tagged under the default pattern only, so the tag is always user_hash:feature there.
  { ...text("tag_raw"), fill: "tag", fold: "group", lean: { stored: "tagged", read: "CASE WHEN tagged THEN user_hash || ':' || feature END" } },
  { ...text("user_hash"), fill: "tag", fold: "key", lean: true, rollup: "key" },
  { ...text("feature"), fill: "tag", fold: "group", lean: true, rollup: "key" },
  { ...text("endpoint"), fill: "adapter", fold: "key", rollup: "key" },
  count("requests", { lean: { read: "1::BIGINT" }, rollup: "sum" }),
  count("input_tokens", { lean: true, rollup: "sum" }),
  count("cached_input_tokens", { lean: true, rollup: "sum" }),
  count("cache_write_5m_tokens", { lean: true, rollup: "sum" }),
  count("cache_write_1h_tokens", { lean: true, rollup: "sum" }),
  count("output_tokens", { lean: true, rollup: "sum" }),
  count("reasoning_tokens", { lean: true, rollup: "sum" }),
  { name: "batch", type: "BOOLEAN", missing: "false", fill: "adapter", fold: "key", rollup: "key", since: 1 },
  { ...text("service_tier"), fill: "adapter", fold: "key", rollup: "key" },
  { name: "long_context", type: "BOOLEAN", missing: "NULL::BOOLEAN", fill: "adapter", fold: "key", since: 1 },
  { ...text("status"), fill: "adapter", fold: "max" },
  { name: "latency_ms", type: "BIGINT", missing: "NULL::BIGINT", fill: "adapter", fold: "none", lean: true, since: 1 },
  { ...text("prompt_hash"), fill: "adapter", fold: "none", lean: true },
  { ...text("request_id"), fill: "adapter", fold: "none", lean: true },
  { name: "reported_cost_usd", type: "DECIMAL(38,12)", missing: "NULL::DECIMAL(38,12)", fill: "adapter", fold: "sum", since: 1 },
  { ...text("row_key"), fill: "ingest" },
  // Per-row cost fits DECIMAL(18,12) (under $1M per row): int64 storage makes sums ~4x faster. Sums are DECIMAL(38,12).
  // The view's cost and `priced` follow `--cost-mode auto`: the price tables' where priced, else the stated cost.
  {
    name: "cost_usd",
    type: "DECIMAL(18,12)",
    missing: "NULL::DECIMAL(18,12)",
    fill: "ingest",
    lean: true,
    view: "CASE WHEN priced THEN cost_usd ELSE reported_cost_usd END",
    since: 1,
  },
  {
    name: "priced",
    type: "BOOLEAN",
    missing: "NULL::BOOLEAN",
    fill: "ingest",
    lean: { read: "cost_usd IS NOT NULL" },
    view: "coalesce(priced, false) OR reported_cost_usd IS NOT NULL",
    since: 1,
  },
  { name: "prompt_sig", type: "UBIGINT[]", missing: "NULL::UBIGINT[]", fill: "adapter", fold: "none", since: 2 },
  { name: "prompt_emb", type: "FLOAT[]", missing: "NULL::FLOAT[]", fill: "adapter", fold: "none", since: 3 },
  { name: "cache_denied", type: "BOOLEAN", missing: "NULL::BOOLEAN", fill: "adapter", fold: "none", since: 3 },
  // A row's id across both tables (simulate's request id).
  { name: "rid", type: "BIGINT", missing: "NULL::BIGINT", fill: "view", wideRead: "rowid * 2", lean: { read: "rowid * 2 + 1" }, since: 5 },
  { ...text("cost_source", 6), fill: "view", view: "CASE WHEN priced THEN 'computed' WHEN reported_cost_usd IS NOT NULL THEN 'reported' END" },
  { name: "computed_cost_usd", type: "DECIMAL(18,12)", missing: "NULL::DECIMAL(18,12)", fill: "view", view: "cost_usd", since: 6 },
  { name: "computed_priced", type: "BOOLEAN", missing: "NULL::BOOLEAN", fill: "view", view: "priced", since: 6 },
  count("audio_input_tokens", { since: 7 }),
  count("audio_output_tokens", { since: 7 }),
  count("web_search_requests", { since: 7 }),
  { ...text("inference_geo", 7), fill: "adapter", fold: "key" },
  { ...text("speed", 7), fill: "adapter", fold: "key" },
] as const satisfies readonly UsageColumnSpec[];

type UsageSpec = (typeof USAGE)[number];
export type UsageName = UsageSpec["name"];
/** What an adapter may map: its column set. */
export type AdapterColumn = Extract<UsageSpec, { fill: "adapter" | "input" }>["name"];
/** The columns of the `usage` view. */
export type ViewColumn = Exclude<UsageName, Extract<UsageSpec, { fill: "input" }>["name"]>;
/** The columns whose values are counts: validated as non-negative integers. */
export type CountColumn = Extract<UsageSpec, { fold: "count" }>["name"];

const names = <T extends string>(cols: readonly UsageColumnSpec[]) => cols.map((c) => c.name as T);
/** The table as its interface (for filters over every column). */
export const USAGE_SPECS: readonly UsageColumnSpec[] = USAGE;
const specs = USAGE_SPECS;
export const usageSpec = (name: UsageName): UsageColumnSpec => specs.find((c) => c.name === name)!;

export const ADAPTER_COLUMNS: readonly AdapterColumn[] = names(specs.filter((c) => c.fill === "adapter" || c.fill === "input"));
export const COUNT_COLUMNS: readonly CountColumn[] = names(specs.filter((c) => c.fold === "count"));
/** The `usage` view's columns, in its order. */
export const VIEW_COLUMNS: readonly ViewColumn[] = names(specs.filter((c) => c.fill !== "input"));
/** usage_wide's physical columns, in order. */
export const WIDE_COLUMNS: readonly UsageColumnSpec[] = specs.filter((c) => c.fill !== "input" && c.fill !== "view");
/** usage_lean's physical columns (the name each is stored under), in order. */
export const LEAN_COLUMNS: readonly { spec: UsageColumnSpec; stored: string }[] = specs.flatMap((c) => {
  const stored = c.lean === true ? c.name : typeof c.lean?.stored === "string" ? c.lean.stored : c.lean?.stored ? c.name : null;
  return stored === null ? [] : [{ spec: c, stored }];
});
/**
 * The columns of one usage row after tag decoding, as the INSERT's `base` select names them (what a bucket folds),
 * in view order.
 */
export const ROW_COLUMNS: readonly UsageColumnSpec[] = specs.filter((c) => c.fill === "adapter" || c.fill === "tag");

/** A column of a usage_lean row as usage_wide has it: as stored, else derived from the lean columns, else missing. */
export function leanValue(c: UsageColumnSpec): string {
  const read = c.lean === true ? undefined : c.lean?.read;
  if (read !== undefined) return read;
  return c.lean === true || c.lean?.stored === true ? c.name : c.missing;
}

/** The same as a select item (the view's lean side). */
export const leanRead = (c: UsageColumnSpec): string => (leanValue(c) === c.name ? c.name : `${leanValue(c)} AS ${c.name}`);

/** Canonical columns of the `billed_cost` table, in its physical order. */
export interface BilledColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly fill: "adapter" | "ingest";
  /** How rows of one bucket fold (as for usage); `none` for the columns ingest sets. */
  readonly fold: Fold;
  readonly since: number;
}
const billedText = (name: string) => ({ name, type: "VARCHAR", fill: "adapter", fold: "key", since: 1 }) as const;
export const BILLED = [
  { name: "day", type: "DATE", fill: "ingest", fold: "none", since: 1 },
  { name: "ts", type: "TIMESTAMP", fill: "adapter", fold: "key", since: 1 },
  { name: "bucket_end", type: "TIMESTAMP", fill: "adapter", fold: "key", since: 1 },
  { name: "source_format", type: "VARCHAR", fill: "ingest", fold: "none", since: 1 },
  { name: "ingest_id", type: "INTEGER", fill: "ingest", fold: "none", since: 1 },
  billedText("provider"),
  billedText("model"),
  billedText("line_item"),
  billedText("token_type"),
  billedText("cost_type"),
  billedText("project"),
  billedText("api_key"),
  billedText("workspace"),
  billedText("service_tier"),
  { name: "quantity", type: "DECIMAL(38,6)", fill: "adapter", fold: "sum", since: 1 },
  { name: "amount_usd", type: "DECIMAL(38,12)", fill: "adapter", fold: "sum", since: 1 },
  { name: "row_key", type: "VARCHAR", fill: "ingest", fold: "none", since: 1 },
  /** The list price before discounts, where the export states one. */
  { name: "list_amount_usd", type: "DECIMAL(38,12)", fill: "adapter", fold: "sum", since: 9 },
  /** `provisional` for a bucket the provider has not finalised. */
  { name: "status", type: "VARCHAR", fill: "adapter", fold: "max", since: 9 },
] as const satisfies readonly BilledColumnSpec[];

export type BilledName = (typeof BILLED)[number]["name"];
export type BilledAdapterColumn = Extract<(typeof BILLED)[number], { fill: "adapter" }>["name"];
const billedSpecs: readonly BilledColumnSpec[] = BILLED;
export const BILLED_ADAPTER_COLUMNS: readonly BilledAdapterColumn[] = billedSpecs.filter((c) => c.fill === "adapter").map((c) => c.name as BilledAdapterColumn);
export const BILLED_SPECS = billedSpecs;

/** A list of SQL items, wrapped at about 120 characters, each line after the first indented by `indent`. */
export function wrapList(items: readonly string[], indent: string, width = 120): string {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    const next = line === "" ? item : `${line}, ${item}`;
    if (line !== "" && indent.length + next.length + 1 > width) {
      lines.push(`${line},`);
      line = item;
    } else line = next;
  }
  if (line !== "") lines.push(line);
  return lines.join(`\n${indent}`);
}

/**
 * The `usage` view as the current columns make it: usage_wide as stored, and usage_lean's rows as usage_wide's
 * columns (see `lean` above), then the view's own expressions (cost provenance, see schema.ts). The text of a
 * released migration's view stays as written there; a test checks that this one reads the same as the latest.
 */
export function usageViewSql(): string {
  const outer = specs.filter((c) => c.fill !== "input").map((c) => (c.view ? `${c.view} AS ${c.name}` : c.name));
  const leanSide = specs.filter((c) => c.fill !== "input" && (c.fill !== "view" || c.wideRead)).map(leanRead);
  const wideExtra = specs.filter((c) => c.wideRead).map((c) => `${c.wideRead} AS ${c.name}`);
  return `
CREATE OR REPLACE VIEW usage AS
SELECT ${wrapList(outer, "  ")}
FROM (
  SELECT *, ${wideExtra.join(", ")} FROM usage_wide
  UNION ALL BY NAME
  SELECT ${wrapList(leanSide, "    ")}
  FROM usage_lean
);`;
}
