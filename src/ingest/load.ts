import type { Catalog } from "../pricing/load.js";
import { costPerRow, ingestPriceJoin, unpricedChargeExpr } from "../pricing/sql.js";
import { LEAN_PROVIDERS } from "../store/schema.js";
import { NOT_A_NUMBER } from "../sources/sql.js";
import { CACHED_EXCEEDS_INPUT, cachedExceedsCheck, NO_COUNTS, noCountsCheck } from "../sources/flat-log.js";
import {
  BILLED_COLUMNS,
  MISSING_TIME,
  type BilledAdapter,
  type ReadPlan,
  type SourceFile,
  TOKEN_COLUMNS,
  USAGE_COLUMNS,
  type UsageAdapter,
  type UsageColumn,
} from "../sources/types.js";
import {
  BILLED_SPECS,
  type BilledColumnSpec,
  type BilledName,
  LEAN_COLUMNS,
  ROW_COLUMNS,
  type UsageColumnSpec,
  type UsageName,
  usageSpec,
  WIDE_COLUMNS,
  wrapList,
} from "../store/columns.js";

/** The columns that identify a provider bucket × group: the same key in two exports is the same usage. */
const USAGE_KEY = ROW_COLUMNS.filter((c) => c.fold === "key");
const BILLED_KEY = BILLED_SPECS.filter((c) => c.fold === "key");
/**
 * md5 of a row's key columns. Columns added to the key later (schema v7 on) join it only when set, so the keys of
 * earlier rows stay the same.
 */
const rowKey = (cols: readonly { name: string; since: number }[]) =>
  `md5(concat_ws('|', ${cols.map((c) => (c.since === 1 ? `coalesce(CAST(${c.name} AS VARCHAR), '∅')` : `'${c.name}=' || ${c.name}`)).join(", ")}))`;

/**
 * Earlier rows `o` of the same format that a row of ingest $id overlaps in time ([ts, bucket_end) ranges that
 * intersect; rows without a bucket_end overlap only at the same ts) and whose group it covers: every key column but
 * the bucket's times agrees wherever both rows have it. So the same group replaces itself, and an export of the same
 * days with other group-by dimensions (by project, then ungrouped) replaces the earlier one instead of adding to it;
 * rows of another model, project or endpoint are left alone.
 */
export function overlapCondition(table: "usage_wide" | "billed_cost"): string {
  const group = (table === "billed_cost" ? BILLED_KEY : USAGE_KEY).map((c) => c.name).filter((c) => c !== "ts" && c !== "bucket_end");
  const same = group.map((c) => `(n.${c} IS NULL OR o.${c} IS NULL OR n.${c} = o.${c})`).join(" AND ");
  return `o.ingest_id <> $id AND o.source_format = $format AND EXISTS (SELECT 1 FROM ${table} n WHERE n.ingest_id = $id AND ${same}
    AND n.ts < coalesce(o.bucket_end, o.ts + INTERVAL 1 MICROSECOND) AND o.ts < coalesce(n.bucket_end, n.ts + INTERVAL 1 MICROSECOND))`;
}

const where = (plan: ReadPlan) => (plan.keep ? `WHERE (${plan.keep.sql})` : "");

/** The adapter's expressions for every canonical column, as an SQL select list. */
export function usageSelectList(adapter: UsageAdapter, file: SourceFile): string {
  const cols = adapter.columns(file);
  return USAGE_COLUMNS.map((c) => `${cols[c] ?? usageSpec(c).missing} AS ${c}`).join(",\n  ");
}

export function billedSelectList(adapter: BilledAdapter, file: SourceFile): string {
  const cols = adapter.columns(file);
  return BILLED_COLUMNS.map((c) => `${cols[c] ?? "NULL"} AS ${c}`).join(",\n  ");
}

function canonicalUsage(adapter: UsageAdapter, file: SourceFile): string {
  const plan = adapter.read(file);
  return `SELECT ${usageSelectList(adapter, file)}\nFROM ${plan.from} AS src ${where(plan)}`;
}

/**
 * The canonical columns a plain request log fills: a file that fills no other goes to usage_lean. They are the
 * columns usage_lean stores as mapped, the tag inputs, and the ones its view derives (requests: one per row).
 */
const LEAN_INPUTS: ReadonlySet<UsageColumn> = new Set<UsageColumn>(
  USAGE_COLUMNS.filter((c) => {
    const lean = usageSpec(c).lean;
    return lean === true || usageSpec(c).fill === "input" || (lean !== undefined && lean.stored === undefined);
  }),
);

/**
 * The physical table a usage file's rows go to (the `usage` view reads both; see store/schema.ts): usage_lean for
 * CSV request logs with only the lean columns, one request per row, tags the view can rebuild (the default pattern)
 * and providers the lean ENUM can name.
 */
export function usageTable(adapter: UsageAdapter, file: SourceFile, catalog: Catalog, tag: { rebuilds: boolean }): "usage_lean" | "usage_wide" {
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
  // Tag decoding: raw user ids are hashed and never stored.
  const decodedAs: Record<"tag_raw" | "user_hash" | "feature", string> = {
    tag_raw: "CASE WHEN tagged THEN tag END",
    user_hash: "CASE WHEN tagged THEN parts.user WHEN coalesce(tag, user_raw) IS NOT NULL THEN left(sha256(coalesce(tag, user_raw)), 12) END",
    feature: "coalesce(CASE WHEN tagged THEN parts.feature END, feature_hint, '(untagged)')",
  };
  const base = `
    SELECT ${wrapList(
      ROW_COLUMNS.map((c) => (c.fill === "tag" ? `${decodedAs[c.name as keyof typeof decodedAs]} AS ${c.name}` : c.name)),
      "      ",
    )}
    FROM (${decoded})`;
  const rows =
    adapter.kind === "billing"
      ? `SELECT ${wrapList([...ROW_COLUMNS.map(folded), `${rowKey(USAGE_KEY)} AS row_key`], "           ")}
         FROM (${base})
         GROUP BY ${wrapList(
           ROW_COLUMNS.filter((c) => c.fold === "key" || c.fold === "group").map((c) => c.name),
           "           ",
         )}`
      : `SELECT *, ${usageSpec("row_key").missing} AS row_key FROM (${base})`;
  if (table === "usage_lean") {
    // No tag: the view rebuilds it as user_hash:feature.
    const values: Partial<Record<UsageName, string>> = {
      ingest_id: "$ingest_id",
      provider: "pr.provider_lean",
      tag_raw: "u.tag_raw IS NOT NULL",
      cost_usd: `${costPerRow("u")} AS cost_usd`,
    };
    return insertSql(
      "usage_lean",
      LEAN_COLUMNS.map(({ spec, stored }) => [stored, values[spec.name as UsageName] ?? `u.${spec.name}`]),
      `FROM (${rows}) u ${ingestPriceJoin("u")}`,
    );
  }
  const values: Partial<Record<UsageName, string>> = {
    source_kind: "$kind",
    source_format: "$format",
    ingest_id: "$ingest_id",
    provider: "coalesce(nullif(u.provider, 'unknown'), pr.provider, u.provider)",
    cost_usd: `${costPerRow("u")} AS cost_usd`,
    priced: `pr.model_id IS NOT NULL AND ${unpricedChargeExpr("u")} IS NULL AS priced`,
  };
  return insertSql(
    "usage_wide",
    WIDE_COLUMNS.map((c) => [c.name, values[c.name as UsageName] ?? `u.${c.name}`]),
    `FROM (${rows}) u ${ingestPriceJoin("u")}`,
  );
}

/** A provider export's rows of one bucket folded into one (see Fold in store/columns.ts). */
function folded(c: UsageColumnSpec): string {
  switch (c.fold) {
    case "count":
      return `(CASE WHEN min(${c.name}) < 0 THEN -1 ELSE sum(${c.name}) END)::BIGINT AS ${c.name}`;
    case "sum":
    case "max":
      return `${c.fold}(${c.name}) AS ${c.name}`;
    case "none":
      return `${c.missing} AS ${c.name}`;
    default:
      return c.name;
  }
}

/** INSERT INTO `table` (columns) SELECT values `from`: one [column, value] pair per column. */
function insertSql(table: string, pairs: readonly (readonly [string, string])[], from: string): string {
  return `
    INSERT INTO ${table} (${wrapList(
      pairs.map(([c]) => c),
      "      ",
    )})
    SELECT ${wrapList(
      pairs.map(([, v]) => v),
      "      ",
    )}
    ${from}`;
}

export function insertBilledSql(adapter: BilledAdapter, file: SourceFile, exclude?: string): string {
  const plan = adapter.read(file);
  const select = billedSelectList(adapter, file);
  const values: Partial<Record<BilledName, string>> = {
    day: "ts::DATE",
    source_format: "$format",
    ingest_id: "$ingest_id",
    row_key: rowKey(BILLED_KEY),
  };
  const value = (c: BilledColumnSpec) => values[c.name as BilledName] ?? (c.fold === "sum" || c.fold === "max" ? `${c.fold}(${c.name})` : c.name);
  return insertSql(
    "billed_cost",
    BILLED_SPECS.map((c) => [c.name, value(c)]),
    `FROM (SELECT ${select} FROM ${plan.from} AS src ${where(plan)}) ${exclude ? `WHERE NOT (${exclude})` : ""}
    GROUP BY ${BILLED_KEY.map((c) => c.name).join(", ")}`,
  );
}

/** Conditions that make a canonical row invalid, with the message a user sees. */
export interface Check {
  /** True for a row that fails. */
  sql: string;
  reason: string;
  /** The error's hint when this check fails. */
  hint?: string;
  /**
   * The same as one aggregate over an ingest's rows (true iff one of them fails), cheaper than a count per group.
   * Only for checks of values that never change. (Not for timestamps: "in the future" depends on when it runs.)
   */
  any?: string;
}

export function usageChecks(): Check[] {
  return [
    { sql: "ts IS NULL", reason: MISSING_TIME },
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
    ...TOKEN_COLUMNS.map((t) => ({
      sql: t === "input_tokens" ? `${t} < 0 AND ${t} NOT IN (${CACHED_EXCEEDS_INPUT}, ${NO_COUNTS}, ${NOT_A_NUMBER})` : `${t} < 0 AND ${t} <> ${NOT_A_NUMBER}`,
      reason: `${t.replaceAll("_", " ")} is not a non-negative integer below 10^15`,
      any: `min(${t}) < 0`,
    })),
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
    // A record the adapter cannot name (its naming fields are absent: often a forced --format that does not fit) is
    // named by its position among the records the format reads (after any unnesting: not always the file's order).
    sql: `SELECT coalesce(CAST(__loc AS VARCHAR), 'record ' || __n) AS loc FROM (SELECT ${expr} AS __loc, row_number() OVER () AS __n, ${canonical}, ${keep} AS __keep FROM ${from} AS src) WHERE __keep AND (${bad})
      ${"line" in plan.lines ? "ORDER BY try_cast(regexp_extract(CAST(__loc AS VARCHAR), '^[0-9]+') AS BIGINT), CAST(__loc AS VARCHAR)" : ""} LIMIT ${limit}`,
  };
}
