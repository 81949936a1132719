import { DATE } from "../report/window.js";
import { env } from "../io.js";
import { leanRead, leanValue, USAGE_SPECS, type UsageColumnSpec, type UsageName, usageSpec, wrapList } from "./columns.js";
import { costMode } from "./cost-mode.js";
import type { Db, Param } from "./db.js";

/**
 * `usage_rollup`: the `usage` view summed per UTC day × every report dimension (schema v11), kept at ingest, so
 * `report`, `budget` and `reconcile` read thousands of rows instead of every request. No request-level ids: the keys
 * are the day, source kind, provider, model, project, api key, workspace, user hash, feature, endpoint, batch flag,
 * service tier and whether the row is provisional. The sums are exact (DECIMAL(38,12) for money), and each row says
 * how many raw rows it holds (`n_rows`), how many are priced (`n_priced`) and what the unpriced ones hold, so a
 * reader gets from it what it would get from the raw rows. Costs are the default `--cost-mode auto` costs, stored at
 * ingest with the pricing `rollup_pricing_sha256` in `meta` names; any other case reads the raw rows (see
 * rollupUsable). `usage_rollup_days` lists the days each ingest has rows on: an ingest removed by `--replace` says
 * which days to refresh.
 */
export const ROLLUP_TABLES_V11 = `
CREATE TABLE usage_rollup (
  day                    DATE,
  source_kind            source_kind,
  provider               VARCHAR,
  model                  VARCHAR,
  project                VARCHAR,
  api_key                VARCHAR,
  workspace              VARCHAR,
  user_hash              VARCHAR,
  feature                VARCHAR,
  endpoint               VARCHAR,
  batch                  BOOLEAN,
  service_tier           VARCHAR,
  provisional            BOOLEAN,
  n_rows                 BIGINT,
  n_priced               BIGINT,
  requests               BIGINT,
  input_tokens           BIGINT,
  cached_input_tokens    BIGINT,
  cache_write_5m_tokens  BIGINT,
  cache_write_1h_tokens  BIGINT,
  output_tokens          BIGINT,
  reasoning_tokens       BIGINT,
  tokens                 BIGINT,
  cost_usd               DECIMAL(38,12),
  u_requests             BIGINT,
  u_tokens               BIGINT,
  stated_rows            BIGINT,
  stated_usd             DECIMAL(38,12),
  stated_computed_usd    DECIMAL(38,12),
  min_ts                 TIMESTAMP,
  max_ts                 TIMESTAMP,
  max_bucket_end         TIMESTAMP
);
CREATE TABLE usage_rollup_days (ingest_id INTEGER, ingested_at TIMESTAMP, day DATE);`;

/** Every token bucket that has a price, per row: what report and budget call a row's tokens. */
const TOKENS = "u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens + u.output_tokens";
/** Rows `reconcile` compares stated with computed cost on (as reconcile/stated.ts reads them from the raw rows). */
const STATED = "u.reported_cost_usd IS NOT NULL AND u.computed_priced";

/** A rollup column beside its keys: its SQL over the raw rows `u`, over usage_lean's rows, and how two rows merge. */
interface Measure {
  name: string;
  type: string;
  raw: string;
  lean: string;
  merge: "sum" | "min" | "max";
}

/**
 * The rollup's columns of schema `version`: the day, the canonical columns that are its keys (store/columns.ts,
 * `rollup: "key"`), whether the row is provisional; then counts, the canonical sums (`rollup: "sum"`), and the
 * figures report, budget and reconcile read. In usage_rollup's column order (migration 11 made the table).
 */
function rollupColumns(version: number): { keys: readonly UsageColumnSpec[]; sums: readonly UsageColumnSpec[]; measures: readonly Measure[] } {
  const at = USAGE_SPECS.filter((c) => c.since <= version);
  const sums = at.filter((c) => c.rollup === "sum");
  const leanTokens = TOKENS.replaceAll("u.", "");
  const measures: Measure[] = [
    { name: "n_rows", type: "BIGINT", raw: "count(*)", lean: "count(*)", merge: "sum" },
    { name: "n_priced", type: "BIGINT", raw: "count(u.cost_usd)", lean: "count(cost_usd)", merge: "sum" },
    ...sums.map((c): Measure => {
      const lean = leanValue(c);
      return {
        name: c.name,
        type: "BIGINT",
        raw: `sum(u.${c.name})::BIGINT`,
        lean: lean === "1::BIGINT" ? "count(*)::BIGINT" : `sum(${lean})::BIGINT`,
        merge: "sum",
      };
    }),
    { name: "tokens", type: "BIGINT", raw: `sum(${TOKENS})::BIGINT`, lean: `sum(${leanTokens})::BIGINT`, merge: "sum" },
    { name: "cost_usd", type: "DECIMAL(38,12)", raw: "sum(u.cost_usd)::DECIMAL(38,12)", lean: "sum(cost_usd)::DECIMAL(38,12)", merge: "sum" },
    {
      name: "u_requests",
      type: "BIGINT",
      raw: "coalesce(sum(u.requests) FILTER (WHERE u.cost_usd IS NULL), 0)::BIGINT",
      lean: "count(*) FILTER (WHERE cost_usd IS NULL)::BIGINT",
      merge: "sum",
    },
    {
      name: "u_tokens",
      type: "BIGINT",
      raw: `coalesce(sum(${TOKENS}) FILTER (WHERE u.cost_usd IS NULL), 0)::BIGINT`,
      lean: `coalesce(sum(${leanTokens}) FILTER (WHERE cost_usd IS NULL), 0)::BIGINT`,
      merge: "sum",
    },
    // Plain logs state no cost.
    { name: "stated_rows", type: "BIGINT", raw: `count(*) FILTER (WHERE ${STATED})`, lean: "0::BIGINT", merge: "sum" },
    {
      name: "stated_usd",
      type: "DECIMAL(38,12)",
      raw: `sum(u.reported_cost_usd) FILTER (WHERE ${STATED})::DECIMAL(38,12)`,
      lean: "NULL::DECIMAL(38,12)",
      merge: "sum",
    },
    {
      name: "stated_computed_usd",
      type: "DECIMAL(38,12)",
      raw: `sum(u.computed_cost_usd) FILTER (WHERE ${STATED})::DECIMAL(38,12)`,
      lean: "NULL::DECIMAL(38,12)",
      merge: "sum",
    },
    { name: "min_ts", type: "TIMESTAMP", raw: "min(u.ts)", lean: "min(ts)", merge: "min" },
    { name: "max_ts", type: "TIMESTAMP", raw: "max(u.ts)", lean: "max(ts)", merge: "max" },
    { name: "max_bucket_end", type: "TIMESTAMP", raw: "max(u.bucket_end)", lean: "NULL::TIMESTAMP", merge: "max" },
  ];
  return { keys: at.filter((c) => c.rollup === "key"), sums, measures };
}

const PROVISIONAL = "coalesce(u.status = 'provisional', false) AS provisional";
/** The rollup's key columns in table order (`coarse`: usage_rollup_coarse's, without FINE_KEYS). */
const keyList = (version: number, coarse = false): string[] => [
  "day",
  ...rollupColumns(version)
    .keys.filter((c) => !coarse || !FINE_KEYS.includes(c.name))
    .map((c) => c.name),
  "provisional",
];

/** usage_rollup's columns and types as the column table makes them (a test checks them against migration 11's). */
export const rollupTableColumns = (version = Number.MAX_SAFE_INTEGER, coarse = false): { name: string; type: string }[] => {
  const { keys, measures } = rollupColumns(version);
  return [
    { name: "day", type: "DATE" },
    ...keys.filter((c) => !coarse || !FINE_KEYS.includes(c.name)).map((c) => ({ name: c.name, type: c.type })),
    { name: "provisional", type: "BOOLEAN" },
    ...measures.map(({ name, type }) => ({ name, type })),
  ];
};

/**
 * The keys `usage_rollup_coarse` leaves out. A rollup row per user and API key is most of the rollup (100M requests of
 * 2,265 users over a year: 826,361 rows, and 3,285 without them), and only reports by or filtered on a user or a key
 * need them.
 */
const FINE_KEYS: readonly string[] = ["user_hash", "api_key"];

/** A rollup table a reading command may read. */
export type RollupRel = "usage_rollup" | "usage_rollup_coarse";

/** The rollup that holds these rollup columns (what a report's dimensions read): the coarse one unless one is a FINE_KEY. */
export const rollupFor = (columns: readonly string[]): RollupRel => (columns.some((c) => FINE_KEYS.includes(c)) ? "usage_rollup" : "usage_rollup_coarse");

/**
 * `usage_rollup_coarse` (schema v12): usage_rollup summed again without FINE_KEYS, kept beside it day by day. Reports,
 * budgets and reconciles that need no user or key read it: a few thousand rows for a year instead of most of a million.
 */
export const rollupCoarseTable = (version: number): string =>
  `CREATE TABLE usage_rollup_coarse (\n${rollupTableColumns(version, true)
    .map((c) => `  ${c.name} ${c.type}`)
    .join(",\n")}\n);`;

/** usage_rollup_coarse's rows of the rollup rows of `from` (a query: usage_rollup's, or a rollup built from the raw rows) matching `where`. */
export const coarseSelect = (where: string, from: string, version = Number.MAX_SAFE_INTEGER): string => remerge(from, version, true, where);

/** The coarse rollup of the days in `days` (a relation of one `day` column) made again from usage_rollup. */
const refreshCoarse = (days: string): string[] => [
  `DELETE FROM usage_rollup_coarse WHERE day IN (${days})`,
  `INSERT INTO usage_rollup_coarse ${coarseSelect(`day IN (${days})`, "SELECT * FROM usage_rollup")}`,
];

/**
 * Rollup rows of the raw `usage` rows matching `where` (the column order of usage_rollup). `from` is the `usage`
 * view, or one of its physical tables as the view shows it (wideAsView): reading each table on its own spares the
 * view's union and, for plain logs, grouping by columns that are constant in them (see leanRollup).
 */
export const rollupSelect = (where: string, from = "usage", version = Number.MAX_SAFE_INTEGER): string => {
  const { keys, measures } = rollupColumns(version);
  return `
SELECT ${wrapList(["CAST(u.ts AS DATE) AS day", ...keys.map((c) => `u.${c.name}`), PROVISIONAL, ...measures.map((m) => `${m.raw} AS ${m.name}`)], "  ")}
FROM ${from} u WHERE ${where}
GROUP BY ALL`;
};

/** usage_wide as the `usage` view shows it, with only the columns a rollup reads. */
const wideAsView = (version: number): string => {
  const { keys, sums } = rollupColumns(version);
  const view = (name: UsageName) => {
    const c = usageSpec(name);
    return c.view ? `${c.view} AS ${c.name}` : c.name;
  };
  const read = ["ts", "bucket_end", "ingest_id", "status", "reported_cost_usd", ...[...keys, ...sums].map((c) => c.name)].map((n) => view(n as UsageName));
  return `(SELECT ${wrapList([...read, view("cost_usd"), view("computed_cost_usd"), view("computed_priced")], "  ")} FROM usage_wide)`;
};

/**
 * Rollup rows of usage_lean rows matching `where`: the same rows rollupSelect gives over the view, grouped by the
 * key columns a plain log stores (one request per row, no stated cost, priced exactly when it has a cost).
 */
const leanRollup = (where: string, version: number): string => {
  const { keys, measures } = rollupColumns(version);
  const stored = keys.filter((c) => c.lean === true || (c.lean !== undefined && c.lean.stored !== undefined)).map((c) => c.name);
  return `
SELECT ${wrapList(["CAST(ts AS DATE) AS day", ...keys.map(leanRead), "false AS provisional", ...measures.map((m) => `${m.lean} AS ${m.name}`)], "  ")}
FROM usage_lean WHERE ${where}
GROUP BY ${["CAST(ts AS DATE)", ...stored].join(", ")}`;
};

/**
 * Rollup rows of both tables: each on its own, summed again by key (a request log in usage_wide can share a key
 * with a plain one). One ingest's rows are in one table only, so its rows need no second sum (`single`).
 */
const bothTables = (wideWhere: string, leanWhere: string, single = false, version = Number.MAX_SAFE_INTEGER): string => {
  const union = `${rollupSelect(wideWhere, wideAsView(version), version)} UNION ALL ${leanRollup(leanWhere, version)}`;
  return single ? union : remerge(union, version);
};

/**
 * Rollup rows of `from` matching `where`, summed again by their keys (rows of one day from two sources become one);
 * `coarse`: by usage_rollup_coarse's keys, so a day's users and API keys become one row.
 */
function remerge(from: string, version = Number.MAX_SAFE_INTEGER, coarse = false, where = "true"): string {
  const keys = keyList(version, coarse).join(", ");
  const merged = rollupColumns(version).measures.map((m) => `${m.merge === "sum" ? `sum(${m.name})::${m.type}` : `${m.merge}(${m.name})`} AS ${m.name}`);
  return `
SELECT ${keys}, ${wrapList(merged, "  ")}
FROM (${from}) WHERE ${where} GROUP BY ${keys}`;
}

/** The whole rollup from the raw rows: migration 11, and after every row was priced again (a pricing change). */
export const rollupRebuild = (version = Number.MAX_SAFE_INTEGER): string => `
DELETE FROM usage_rollup;
DELETE FROM usage_rollup_days;
INSERT INTO usage_rollup ${bothTables("true", "true", false, version)};
INSERT INTO usage_rollup_days SELECT DISTINCT u.ingest_id, i.ingested_at, CAST(u.ts AS DATE) FROM usage u JOIN ingests i USING (ingest_id);
${version >= 12 ? coarseRebuild(version) : ""}
DELETE FROM meta WHERE key = 'rollup_pricing_sha256';
INSERT INTO meta SELECT 'rollup_pricing_sha256', value FROM meta WHERE key = 'pricing_sha256';`;

/** usage_rollup_coarse made again from the whole of usage_rollup: migration 12, and within every rebuild after it. */
export const coarseRebuild = (version = Number.MAX_SAFE_INTEGER): string => `
DELETE FROM usage_rollup_coarse;
INSERT INTO usage_rollup_coarse ${coarseSelect("true", "SELECT * FROM usage_rollup", version)};`;

/**
 * Ledger rows of ingests that are gone (`--replace`). An ingest id can be given again (replacing the latest ingest
 * frees its number), so an ingest is its id and its time.
 */
const GONE = "NOT EXISTS (SELECT 1 FROM ingests i WHERE i.ingest_id = d.ingest_id AND i.ingested_at = d.ingested_at)";

/**
 * Brings the rollup up to date after the ingests `ingestIds` loaded: one file's, inside its transaction (so a failed or
 * dry-run load leaves it as it was), or every file of a run at its end (see markRollupPending). Only the days the
 * ingests touched are refreshed, so the cost follows the files, not the database:
 *   - days of rows removed from earlier ingests (an ingest replaced by `--replace`, found in usage_rollup_days; or rows
 *     deleted by the dedupe and bucket-overlap rules, found where the rollup's row count of a day no longer matches
 *     the raw rows: checked on each new file's days ± 1, and on every provider-export day for a provider export) are
 *     summed again from the raw rows of those days;
 *   - the new files' other days get their sums added to theirs, without reading any other raw row.
 * After a pricing change (every stored cost recomputed, so `pricing_sha256` moved) the whole rollup is rebuilt.
 */
export async function refreshRollup(db: Db, ingestIds: readonly number[]): Promise<void> {
  const sha = await db.one<{ p: string | null; r: string | null; pending: boolean }>(
    `SELECT (SELECT value FROM meta WHERE key = 'pricing_sha256') AS p, (SELECT value FROM meta WHERE key = 'rollup_pricing_sha256') AS r,
       EXISTS (SELECT 1 FROM meta WHERE key = 'rollup_pending') AS pending`,
  );
  // A run that stopped before its end left the rollup behind its raw rows (see markRollupPending): rebuilt.
  if (!sha || sha.p === null || sha.p !== sha.r || sha.pending) {
    await db.run(rollupRebuild());
    await db.run("DELETE FROM meta WHERE key = 'rollup_pending'");
    return;
  }
  if (ingestIds.length === 0) return;
  // The ids as SQL (integers from the ledger, never user input): an equality or an IN list is a filter DuckDB pushes
  // into the scan, so only the row groups holding these ingests' rows are read.
  if (!ingestIds.every((i) => Number.isSafeInteger(i))) throw new Error(`refreshRollup: ingest ids must be integers: ${ingestIds.join(", ")}`);
  const single = ingestIds.length === 1;
  const isNew = (col: string) => (single ? `${col} = ${ingestIds[0]}` : `${col} IN (${ingestIds.join(", ")})`);
  // One ingest's rows are in one table only, so they need no second sum; several ingests' rows may share a key.
  await db.run(`CREATE OR REPLACE TEMP TABLE rollup_new AS ${bothTables(isNew("u.ingest_id"), isNew("ingest_id"), single)}`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE rollup_new_days AS ${
      single
        ? `SELECT DISTINCT ${ingestIds[0]} AS ingest_id, day FROM rollup_new`
        : `SELECT DISTINCT ingest_id, CAST(ts AS DATE) AS day FROM usage WHERE ${isNew("ingest_id")}`
    }`,
  );
  // The days each new ingest spans, ± 1: where a dedupe or overlap rule can have removed earlier ingests' rows.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE rollup_near AS
     SELECT DISTINCT CAST(unnest(range(lo - 1, hi + 2, INTERVAL 1 DAY)) AS DATE) AS day
     FROM (SELECT min(day) AS lo, max(day) AS hi FROM rollup_new_days GROUP BY ingest_id)`,
  );
  const span = await db.one<{ lo: string | null; hi: string | null; billing: boolean | null }>(
    `SELECT strftime(min(day), '%Y-%m-%d') AS lo, strftime(max(day) + 1, '%Y-%m-%d') AS hi,
       (SELECT bool_or(source_kind = 'billing') FROM ingests WHERE ${isNew("ingest_id")}) AS billing FROM rollup_near`,
  );
  const params: Record<string, Param> = { lo: span?.lo ?? null, hi: span?.hi ?? null };
  // Day counts to compare: the rollup's (before these ingests) against the raw rows of earlier ingests (after their deletes).
  const counted = (rollupWhere: string, rawWhere: string) => `
    SELECT coalesce(r.day, c.day) AS day FROM
      (SELECT day, source_kind, sum(n_rows) AS n FROM usage_rollup WHERE ${rollupWhere} GROUP BY ALL) r
      FULL OUTER JOIN (SELECT CAST(u.ts AS DATE) AS day, u.source_kind, count(*) AS n FROM usage u WHERE NOT (${isNew("u.ingest_id")}) AND ${rawWhere} GROUP BY ALL) c
      ON r.day = c.day AND r.source_kind = c.source_kind
    WHERE coalesce(r.n, 0) <> coalesce(c.n, 0)`;
  // One ingest's near days are the whole span; several ingests' may leave gaps between them (files a month apart).
  const near = (day: string) => (single ? "" : ` AND ${day} IN (SELECT day FROM rollup_near)`);
  const checks = [
    `SELECT day FROM usage_rollup_days d WHERE ${GONE}`,
    ...(span?.lo
      ? [
          counted(
            `day >= CAST($lo AS DATE) AND day < CAST($hi AS DATE)${near("day")}`,
            `u.ts >= CAST($lo AS TIMESTAMP) AND u.ts < CAST($hi AS TIMESTAMP)${near("CAST(u.ts AS DATE)")}`,
          ),
        ]
      : []),
    ...(span?.billing ? [counted("source_kind = 'billing'", "u.source_kind = 'billing'")] : []),
  ];
  await db.run(`CREATE OR REPLACE TEMP TABLE rollup_dirty AS SELECT DISTINCT day FROM (${checks.join(" UNION ALL ")}) WHERE day IS NOT NULL`, params);
  const dirty = await db.one<{ n: string; lo: string | null; hi: string | null }>(
    "SELECT count(*) AS n, strftime(min(day), '%Y-%m-%d') AS lo, strftime(max(day) + 1, '%Y-%m-%d') AS hi FROM rollup_dirty",
  );
  if (Number(dirty?.n ?? 0) > 0) {
    await db.run("DELETE FROM usage_rollup WHERE day IN (SELECT day FROM rollup_dirty)");
    await db.run(
      `INSERT INTO usage_rollup ${bothTables(
        "u.ts >= CAST($lo AS TIMESTAMP) AND u.ts < CAST($hi AS TIMESTAMP) AND CAST(u.ts AS DATE) IN (SELECT day FROM rollup_dirty)",
        "ts >= CAST($lo AS TIMESTAMP) AND ts < CAST($hi AS TIMESTAMP) AND CAST(ts AS DATE) IN (SELECT day FROM rollup_dirty)",
      )}`,
      { lo: dirty!.lo, hi: dirty!.hi },
    );
  }
  // The new files' other days: their sums added to what the rollup holds for them (a day new to the database, as in
  // a daily pipeline, takes the files' sums as they are).
  const merge = "day IN (SELECT day FROM rollup_new) AND day NOT IN (SELECT day FROM rollup_dirty)";
  const held = await db.one<{ n: string }>(`SELECT count(*) AS n FROM usage_rollup WHERE ${merge}`);
  if (Number(held?.n ?? 0) === 0) {
    await db.run("INSERT INTO usage_rollup SELECT * FROM rollup_new WHERE day NOT IN (SELECT day FROM rollup_dirty)");
  } else {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE rollup_merged AS ${remerge(`SELECT * FROM usage_rollup WHERE ${merge} UNION ALL SELECT * FROM rollup_new WHERE day NOT IN (SELECT day FROM rollup_dirty)`)}`,
    );
    await db.run(`DELETE FROM usage_rollup WHERE ${merge}`);
    await db.run("INSERT INTO usage_rollup SELECT * FROM rollup_merged");
  }
  // The coarse rollup of every day whose rollup rows changed.
  for (const sql of refreshCoarse("SELECT day FROM rollup_new UNION SELECT day FROM rollup_dirty")) await db.run(sql);
  await db.run(`DELETE FROM usage_rollup_days d WHERE ${GONE}`);
  await db.run("INSERT INTO usage_rollup_days SELECT d.ingest_id, i.ingested_at, d.day FROM rollup_new_days d JOIN ingests i USING (ingest_id)");
  for (const t of ["rollup_new", "rollup_new_days", "rollup_near", "rollup_dirty", "rollup_merged"]) await db.run(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * A run of several files refreshes the rollup once, at its end, instead of in every file's transaction (a directory
 * of 60 small session files: about 60 ms a file). Meanwhile the rollup is marked pending (`rollup_pending` in `meta`,
 * set in the first file's transaction), so no reader answers from it while it lags the raw rows, nor after a run
 * killed before its end: readers read the raw rows, and the next ingest rebuilds it. Returns whether a rollup was
 * already pending (an earlier run stopped before its end): that run's files need the rebuild.
 */
export async function markRollupPending(db: Db): Promise<boolean> {
  const was = await db.one<{ n: string }>("SELECT count(*) AS n FROM meta WHERE key = 'rollup_pending'");
  if (Number(was?.n ?? 0) > 0) return true;
  await db.run("INSERT INTO meta VALUES ('rollup_pending', '1')");
  return false;
}

/**
 * The end of a run of several files: the rollup brought up to date with all of them. `rebuild` (the mark was there
 * before the run): left in place, so refreshRollup rebuilds.
 */
export async function finishPendingRollup(db: Db, ingestIds: readonly number[], rebuild: boolean): Promise<void> {
  if (!rebuild) await db.run("DELETE FROM meta WHERE key = 'rollup_pending'");
  await refreshRollup(db, ingestIds);
}

/**
 * Whether a reading command may answer from the rollup: it holds the default (`auto`) costs as stored with the
 * pricing in use, so not under another `--cost-mode`, `--pricing-as-of`, or pricing other than the one the data was
 * ingested with (`stored`: see pricing/sql.ts costSource). LLMCOST_NO_ROLLUP=1 always reads the raw rows (tests
 * and the bench compare the two paths with it).
 */
export async function rollupUsable(db: Db, costSourceMode: "stored" | "repriced"): Promise<boolean> {
  if (env().LLMCOST_NO_ROLLUP === "1" || costSourceMode !== "stored" || costMode() !== "auto") return false;
  const r = await db.one<{ ok: boolean | null }>(
    // A lake has no rollup table (its reads scan the Parquet files).
    `SELECT (SELECT value FROM meta WHERE key = 'pricing_sha256') = (SELECT value FROM meta WHERE key = 'rollup_pricing_sha256')
       AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'rollup_pending')
       AND EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'usage_rollup' AND table_schema = 'main') AS ok`,
  );
  return r?.ok === true;
}

const DAY_MS = 86_400_000;

/**
 * --since/--until as UTC days, when both fall on a UTC midnight (or are absent), else null: the rollup's days are UTC
 * days, so a sub-day bound, or a plain date of another --tz, needs the raw rows. The values are as parseWindow left
 * them (plain dates and datetimes without an offset are local to `tz`).
 */
export function utcDayWindow(since: string | null, until: string | null, tz: string): { since: string | null; until: string | null } | null {
  const day = (v: string | null): string | null | undefined => {
    if (v === null) return null;
    const offset = /(Z|[+-]\d{2}:\d{2})$/.test(v) && !DATE.test(v);
    if (!offset && tz !== "UTC") return undefined;
    if (!offset && /[+-]\d{4}$/.test(v)) return undefined;
    const ms = Date.parse(DATE.test(v) ? `${v}T00:00:00Z` : offset ? v.replace(" ", "T") : `${v.replace(" ", "T")}Z`);
    if (!Number.isFinite(ms) || ms % DAY_MS !== 0) return undefined;
    return new Date(ms).toISOString().slice(0, 10);
  };
  const s = day(since);
  const u = day(until);
  return s === undefined || u === undefined ? null : { since: s, until: u };
}

/** The day window as conditions on a rollup `u`, binding $since_day/$until_day. */
export function rollupWindowConds(w: { since: string | null; until: string | null }, params: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (w.since) {
    params.since_day = w.since;
    out.push("u.day >= CAST($since_day AS DATE)");
  }
  if (w.until) {
    params.until_day = w.until;
    out.push("u.day < CAST($until_day AS DATE)");
  }
  return out;
}
