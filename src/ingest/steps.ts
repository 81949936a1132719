import { now } from "../context.js";
import { usageError } from "../errors.js";
import { addNameAliases, labelProviders, rateGap, repriceStored, type UnpricedRow, unpricedSql, unpricedWhy } from "../pricing/sql.js";
import { FILE_BYTES_VARIABLE, REJECTS_TABLE } from "../sources/sql.js";
import type { BilledAdapter, ReadPlan, UsageAdapter } from "../sources/types.js";
import type { Db } from "../store/db.js";
import { badRead, readerError, readFailure, skipLines } from "./duckdb-errors.js";
import { blankLines, type FileDigest, plainSize } from "./files.js";
import {
  billedChecks,
  billedSelectList,
  type Check,
  insertBilledSql,
  insertUsageSql,
  locateSql,
  overlapCondition,
  usageChecks,
  usageSelectList,
  usageTable,
} from "./load.js";
import { type FileStats, fileStatsSql } from "./stats.js";
import {
  type BadRow,
  denyList,
  type EarlierIngest,
  emptySummary,
  type FileSummary,
  type IngestRequest,
  type Planned,
  type StoredRows,
  type TagPattern,
  type Tracker,
} from "./types.js";

/**
 * One file's load, inside its transaction, as named steps: the earlier ingests --replace removes, the bad rows
 * --skip-bad-rows leaves out, the insert, the validation of what landed, the pricing of names first seen, the records
 * left out, the dedupe against stored rows, and the ledger record. Each step reads what the one before it gave.
 */
export async function loadFile(
  db: Db,
  p: Planned,
  adapter: UsageAdapter | BilledAdapter,
  req: IngestRequest,
  tag: TagPattern,
  digest: Promise<FileDigest>,
  progress: Tracker,
  stored?: StoredRows,
): Promise<FileSummary> {
  progress.phase("reading");
  const shaPending = digest.then((d) => d.sha256);
  const replaced = req.replace ? await replaceEarlier(db, p.input.path, await shaPending, stored) : 0;
  const load = await prepare(db, p, adapter, req, tag, stored);
  await refuseUnreadable(load);
  const bad = req.skipBadRows ? await collectBadRows(load) : { rows: [...(p.preBad ?? [])], exclude: undefined };
  await insertRows(load, bad.exclude);
  bad.rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  progress.phase("validating");
  const validated = await validate(load, progress);
  progress.phase("pricing");
  const { stats, unpriced } = await priceNewNames(load, validated);
  const skipped = await countLeftOut(load, bad.rows, await digest);
  // From here on: this ingest's bookkeeping (replaced buckets, repeated requests, its record), then COMMIT.
  progress.phase("committing");
  // A log that grew by appending (it starts with a file ingested before: this path's last version, or the rotated
  // copy's source) replaces those ingests, before the dedupe would take its lines for repeats of theirs: their lines
  // are in this file again, and a line without a request id could not be told apart. Here, after the read, the hash
  // pass beside it has ended.
  const grown = await grownFrom(p, req, digest);
  const grownRows = grown.length
    ? await replaceIngests(
        db,
        grown.map((e) => e.ingestId),
        stored,
      )
    : 0;
  const deduped = await dedupe(load, stats, skipped);
  const final = deduped.dups > 0 ? await db.one<FileStats>(fileStatsSql(load.table, []), load.params) : stats;
  return record(
    load,
    { stats: final, unpriced, skipped, badRows: bad.rows, replaced: replaced + grownRows + deduped.replaced, replacedFrom: deduped.replacedFrom },
    shaPending,
    earlierNote(p, adapter, req, grown),
  );
}

/** What every step of one file's load reads. */
interface Load {
  db: Db;
  p: Planned;
  adapter: UsageAdapter | BilledAdapter;
  req: IngestRequest;
  tag: TagPattern;
  /** The physical table this file's rows go to (the usage view reads usage_wide and usage_lean), decided once. */
  table: "usage_lean" | "usage_wide" | "billed_cost";
  id: number;
  plan: ReadPlan;
  /** The parameters every statement over the file binds. */
  params: Record<string, string | number | readonly string[]>;
  checks: Check[];
  /** The canonical select list (locating a bad record re-reads the file with it). */
  list: string;
  /** Where stored rows come from when the database does not hold them all (a lake's staging); none for a database. */
  stored: StoredRows | undefined;
}

async function prepare(
  db: Db,
  p: Planned,
  adapter: UsageAdapter | BilledAdapter,
  req: IngestRequest,
  tag: TagPattern,
  stored: StoredRows | undefined,
): Promise<Load> {
  const table = adapter.target === "usage" ? usageTable(adapter, p.source, req.catalog, tag) : "billed_cost";
  const id = Number((await db.one<{ id: string }>("SELECT coalesce(max(ingest_id), 0) + 1 AS id FROM ingests"))!.id);
  const plan = adapter.read(p.source);
  const params = {
    path: p.source.path,
    kind: adapter.kind,
    format: adapter.name,
    ingest_id: id,
    now: now().toISOString().replace("Z", ""),
    deny: denyList(req),
    ...plan.params,
  };
  const sizes = [p.source.path, ...(plan.reads ?? [])].map(plainSize);
  const bytes = sizes.some((n) => n === null) ? null : sizes.reduce<number>((a, n) => Math.max(a, n!), 0);
  await db.run(`SET VARIABLE ${FILE_BYTES_VARIABLE} = $bytes::BIGINT`, { bytes });
  const hints = adapter.target === "usage" ? (adapter.checkHints ?? {}) : {};
  const checks = (adapter.target === "usage" ? [...usageChecks(), ...(adapter.checks ?? [])] : billedChecks()).map((c) =>
    hints[c.reason] ? { ...c, hint: hints[c.reason] } : c,
  );
  const list = adapter.target === "usage" ? usageSelectList(adapter, p.source) : billedSelectList(adapter, p.source);
  return { db, p, adapter, req, tag, table, id, plan, params, checks, list, stored };
}

const count = (rows: Record<string, unknown>[]) => Number(Object.values(rows[0] ?? {})[0] ?? 0);

/** --replace: the rows and records of earlier ingests of this path or content go. Returns the rows removed. */
async function replaceEarlier(db: Db, path: string, sha: string, stored: StoredRows | undefined): Promise<number> {
  const ids = await db.all<{ id: number }>("SELECT ingest_id AS id FROM ingests WHERE file_path = $path OR file_sha256 = $sha", { path, sha });
  return replaceIngests(
    db,
    ids.map((r) => Number(r.id)),
    stored,
  );
}

/** The rows and records of ingests `ids` go. Returns the rows removed. */
async function replaceIngests(db: Db, ids: readonly number[], stored: StoredRows | undefined): Promise<number> {
  if (ids.length === 0) return 0;
  const inStore = (await stored?.replacing(ids)) ?? null;
  const list = { ids: JSON.stringify(ids) };
  const of = "list_contains($ids::INTEGER[], ingest_id)";
  let replaced = 0;
  for (const t of ["usage_wide", "usage_lean", "billed_cost"]) replaced += count(await db.all(`DELETE FROM ${t} WHERE ${of}`, list));
  await db.run(`DELETE FROM ingests WHERE ${of}`, list);
  return inStore ?? replaced;
}

/** The earlier ingests this file starts with (Planned.earlier), unless --replace says what to replace. */
async function grownFrom(p: Planned, req: IngestRequest, digest: Promise<FileDigest>): Promise<EarlierIngest[]> {
  if (req.replace || !p.earlier?.shorter.length) return [];
  const { prefixSha256 } = await digest;
  return p.earlier.shorter.filter((e) => prefixSha256.get(e.bytes) === e.sha256);
}

/** Records that cannot be read at all fail the file before anything is written. */
async function refuseUnreadable({ db, p, plan, params }: Load): Promise<void> {
  if (!plan.invalid) return;
  const bad = await db
    .one<{ at: string }>(`SELECT CAST(${plan.invalid.at} AS VARCHAR) AS at FROM ${plan.invalid.from} WHERE ${plan.invalid.sql} LIMIT 1`, params)
    .catch(async (err: unknown) => {
      throw await readFailure(p, err);
    });
  if (bad) throw usageError(`${p.input.display}: ${bad.at}: ${plan.invalid.reason}`);
}

/**
 * --skip-bad-rows: every row to leave out, with where and why, and the condition that leaves out the ones that parse
 * (the INSERT's `exclude`).
 */
async function collectBadRows({ db, p, plan, params, checks, list }: Load): Promise<{ rows: BadRow[]; exclude: string }> {
  const rows: BadRow[] = [...(p.preBad ?? [])];
  // 1. Rows the CSV reader cannot parse: DuckDB's rejects table has their file line and reason.
  // JSON Lines: blank lines (and lines blanked as bad before the read) are not rows.
  const rejectLines: number[] = plan.lines === "jsonl" ? await blankLines(p.source.path) : [];
  if (p.source.head.kind === "csv") {
    await db.run(`DROP TABLE IF EXISTS ${REJECTS_TABLE}`);
    await db.run(`DROP TABLE IF EXISTS ${REJECTS_TABLE}_scans`);
    // count(COLUMNS(*)) makes the reader convert every column (count(*) alone would skip the casts).
    await db.all(`SELECT count(COLUMNS(*)) FROM ${plan.from} AS src`, params).catch((err: unknown) => {
      throw usageError(`${p.input.display}: ${readerError(err).reason}`);
    });
    for (const r of await db.all<{ line: string; message: string }>(`SELECT DISTINCT line, error_message AS message FROM ${REJECTS_TABLE} ORDER BY line`)) {
      rejectLines.push(Number(r.line));
      rows.push({ line: Number(r.line), where: r.line, reason: readerError(new Error(r.message)).reason });
    }
  }
  // 2. Rows that parse but fail validation: numbered among the parsed rows, then mapped past the rejected lines.
  await db.withSettings({ preserve_insertion_order: true }, async () => {
    for (const check of checks) {
      const loc = locateSql(plan, list, check.sql, 1_000_000);
      const found = await db.all<{ loc: string }>(loc.sql, params).catch((err: unknown) => {
        const e = readerError(err);
        if (e.line !== undefined && plan.lines === "jsonl") e.line = skipLines(e.line, rejectLines);
        throw badRead(p.input.display, e);
      });
      for (const r of found) {
        // A location may be a line and more ("2: resourceSpans[0]…" for a batch of spans on one line).
        const plain = /^\d+$/.test(r.loc);
        const line = loc.kind !== "line" ? null : plain ? skipLines(Number(r.loc), rejectLines) : Number.parseInt(r.loc, 10) || null;
        rows.push({ line, where: plain && line !== null ? String(line) : r.loc, reason: check.reason });
      }
    }
  });
  return { rows, exclude: checks.map((c) => `coalesce(${c.sql}, false)`).join(" OR ") };
}

/** The file's canonical rows into their table (the adapter's stage tables first). */
async function insertRows({ db, p, adapter, tag, table, plan, params }: Load, exclude: string | undefined): Promise<void> {
  const insert =
    adapter.target === "billed_cost"
      ? insertBilledSql(adapter, p.source, exclude)
      : insertUsageSql(adapter, p.source, tag, table as "usage_lean" | "usage_wide", exclude);
  try {
    // The INSERT joins a file's rows to small tables (aliases, prices). DuckDB can misjudge a file's row count and
    // hash the file's rows instead: 10M rows took 22-35 s instead of 10. Build on the side as written: the small one.
    await db.withSettings({ disabled_optimizers: "build_side_probe_side" }, async () => {
      for (const s of plan.stage ?? []) await db.run(`CREATE OR REPLACE TEMP TABLE ${s.table} AS ${s.sql}`, params);
      await db.run(insert, params);
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : "";
    if ((/out of range|Overflow/i.test(msg) && /DECIMAL\(18,12\)/.test(msg)) || /Overflow in (multiplication|addition) of INT64/i.test(msg)) {
      throw usageError(
        `${p.input.display}: a single row costs $1,000,000 or more, above llmcost's per-row limit`,
        "export smaller buckets (daily or hourly) and ingest those",
      );
    }
    throw await readFailure(p, err);
  }
}

/**
 * Validates what landed, in the same scan as the summary's figures; on failure, re-reads the file with row numbers to
 * name the first bad record.
 */
async function validate({ db, p, table, plan, params, checks, list }: Load, progress: Tracker): Promise<FileStats | undefined> {
  const stats = await db.one<FileStats>(fileStatsSql(table, checks), params);
  progress.rows(Number(stats?.rows ?? 0));
  const failed = checks.findIndex((_, i) => Number(stats?.[`c${i}`] ?? 0) > 0);
  if (failed < 0) return stats;
  const check = checks[failed]!;
  const loc = locateSql(plan, list, check.sql);
  const found = await db.withSettings({ preserve_insertion_order: true }, () => db.one<{ loc: string }>(loc.sql, params).catch(() => undefined));
  const line = found && loc.kind === "line" ? (plan.lines === "jsonl" ? skipLines(Number(found.loc), await blankLines(p.source.path)) : found.loc) : null;
  const where = found ? (line !== null ? `:${line}` : `: ${found.loc}`) : "";
  // Read as a format it was not detected as (--format): say what it looks like.
  const { detectAdapter, forcedFormatHint } = await import("../sources/index.js");
  const looks = detectAdapter(p.source.head);
  throw usageError(`${p.input.display}${where}: ${check.reason}`, looks && looks.name !== p.adapter.name ? forcedFormatHint(p.source.head) : check.hint);
}

/**
 * Model names first seen here that only a naming rule resolves (`openai/gpt-4o`, `us.anthropic.…-v1:0`): their
 * aliases join the price tables and this file's rows of them are priced again. Later files price them in the join.
 */
async function priceNewNames(
  { db, adapter, req, table, id, params }: Load,
  validated: FileStats | undefined,
): Promise<{ stats: FileStats | undefined; unpriced: UnpricedRow[] }> {
  let stats = validated;
  if (adapter.target === "usage" && stats?.unpriced?.length) {
    const added = await addNameAliases(db, req.catalog, stats.unpriced);
    if (added.length) await repriceStored(db, null, { ingestId: id, aliases: added });
    const labelled = table !== "billed_cost" && (await labelProviders(db, req.catalog, table, id));
    if (added.length || labelled) stats = await db.one<FileStats>(fileStatsSql(table, []), params);
  }
  const unpriced =
    adapter.target === "usage" && (stats?.unpriced?.length || stats?.reported?.length)
      ? await db.all<UnpricedRow>(unpricedSql("u.ingest_id = $ingest_id"), { ingest_id: id })
      : [];
  if (adapter.target === "usage" && stats?.models?.length) {
    await db.run("INSERT OR IGNORE INTO model_names SELECT unnest($names::VARCHAR[])", { names: JSON.stringify(stats.models) });
  }
  return { stats, unpriced };
}

/** The records left out, by reason: bad rows, and what the adapter's `keep` passed over. Drops the stage tables. */
async function countLeftOut({ db, p, adapter, plan, params }: Load, badRows: readonly BadRow[], digest: FileDigest): Promise<FileSummary["skipped"]> {
  const skipped: FileSummary["skipped"] = [];
  if (badRows.length) skipped.push({ reason: `bad ${badRows.length === 1 ? "row" : "rows"} (--skip-bad-rows)`, rows: badRows.length });
  // A file without the text its keep needs left nothing out: not read again to count nothing (adapter.keepNeeds).
  const none = adapter.keepNeeds !== undefined && digest.lacks.has(adapter.keepNeeds) && digest.lacks.has("\\u");
  if (plan.keep && !none) {
    const why = plan.keep.why ?? "NULL";
    const sql = `SELECT coalesce(${why}, $reason) AS reason, count(*) AS n FROM ${plan.from} AS src WHERE NOT coalesce((${plan.keep.sql}), false) GROUP BY ALL ORDER BY n DESC, reason`;
    const kept = await db.all<{ reason: string; n: string }>(sql, { ...params, reason: plan.keep.reason }).catch(async (err: unknown) => {
      throw await readFailure(p, err);
    });
    for (const r of kept) {
      if (Number(r.n) > 0) skipped.push({ reason: r.reason, rows: Number(r.n) });
    }
  }
  for (const s of plan.stage ?? []) await db.run(`DROP TABLE IF EXISTS ${s.table}`);
  return skipped;
}

/**
 * Nothing counted twice. Overlapping provider buckets: the newest export of a bucket × group wins. Requests: a
 * request id stored already, or repeated in this file, is one request (the repeats are added to `skipped`). Every
 * comparison with stored rows reads only the stored rows in this file's time range (REQUEST_ID_WINDOW,
 * overlapBounds), so its cost follows the file, not the database: DuckDB skips row groups by their min/max ts. In a
 * lake's staging database, `stored` first copies the lake's rows of that range (the same bounds, by day).
 */
async function dedupe(
  { db, adapter, table, id, stored }: Load,
  stats: FileStats | undefined,
  skipped: FileSummary["skipped"],
): Promise<{ replaced: number; replacedFrom: FileSummary["replacedFrom"]; dups: number }> {
  const lo = stats?.lo_ts ?? null;
  const hi = stats?.hi_ts ?? null;
  const span = lo !== null && hi !== null ? { id, lo, hi } : null;
  const replacedFrom: FileSummary["replacedFrom"] = [];
  let replaced = 0;
  // Row keys: only provider buckets have one (request rows never do; provider exports are never lean). A key
  // includes the bucket's ts, so a stored row with the same key lies in [lo, hi].
  if (span && table !== "usage_lean" && (table === "billed_cost" || adapter.kind === "billing")) {
    await stored?.need({ rows: { keyed: table }, from: span.lo, hi: span.hi, margin: null });
    replaced += count(
      await db.all(
        `DELETE FROM ${table} WHERE ingest_id <> $id AND ts >= $lo::TIMESTAMP AND ts <= $hi::TIMESTAMP
           AND row_key IN (SELECT row_key FROM ${table} WHERE ingest_id = $id AND row_key IS NOT NULL)`,
        span,
      ),
    );
    // Buckets of another width: for the same format and group, this ingest replaces every earlier row it overlaps in
    // time (an hourly export after a daily one of the same day, 1m after 1h…), counted per earlier ingest.
    const bounds = await overlapBounds(db, span, adapter.name);
    if (bounds) {
      await stored?.need({ rows: { keyed: table }, from: bounds, hi: span.hi, margin: null });
      const cond = `o.ts >= $from::TIMESTAMP AND o.ts <= $hi::TIMESTAMP AND ${overlapCondition(table)}`;
      const params = { id, hi: span.hi, from: bounds, format: adapter.name };
      for (const r of await db.all<{ ingest_id: string; n: string }>(
        `SELECT o.ingest_id, count(*) AS n FROM ${table} o WHERE ${cond} GROUP BY 1 ORDER BY 1`,
        params,
      )) {
        replacedFrom.push({ ingestId: Number(r.ingest_id), rows: Number(r.n) });
      }
      if (replacedFrom.length) replaced += count(await db.all(`DELETE FROM ${table} o WHERE ${cond}`, params));
    }
  }
  let dups = 0;
  if (span && adapter.target === "usage" && adapter.kind === "requests") {
    // A stored row is the same request when it has the same request_id and lies within REQUEST_ID_WINDOW of it.
    const w = REQUEST_ID_WINDOW;
    await stored?.need({ rows: "requests", from: span.lo, hi: span.hi, margin: w });
    dups = count(
      await db.all(
        `DELETE FROM ${table} WHERE ingest_id = $id AND request_id IS NOT NULL AND rowid IN (
           SELECT n.rowid FROM ${table} n JOIN usage o ON o.request_id = n.request_id
           WHERE n.ingest_id = $id AND o.ingest_id <> $id
             AND o.ts >= $lo::TIMESTAMP - INTERVAL ${w} AND o.ts <= $hi::TIMESTAMP + INTERVAL ${w}
             AND o.ts >= n.ts - INTERVAL ${w} AND o.ts <= n.ts + INTERVAL ${w})`,
        span,
      ),
    );
    if (dups > 0) skipped.push({ reason: "request_id already ingested", rows: dups });
    // The same request logged twice in one file (a retry's log line, a concatenated log) is one request: the first
    // line is kept. Checked first, so a file without repeats pays one aggregate.
    const repeats = await db.one<{ n: string }>(`SELECT count(request_id) - count(DISTINCT request_id) AS n FROM ${table} WHERE ingest_id = $1`, [id]);
    if (Number(repeats?.n ?? 0) > 0) {
      const n = count(
        await db.all(
          `DELETE FROM ${table} WHERE ingest_id = $1 AND request_id IS NOT NULL
             AND rowid NOT IN (SELECT min(rowid) FROM ${table} WHERE ingest_id = $1 AND request_id IS NOT NULL GROUP BY request_id)`,
          [id],
        ),
      );
      skipped.push({ reason: "request_id repeated in this file", rows: n });
      dups += n;
    }
  }
  return { replaced, replacedFrom, dups };
}

/**
 * What the summary says of earlier ingests: the ones a grown log replaced; a request log whose path was ingested with
 * other content (rotated, rewritten) is added beside it, said so that a rewrite is not counted twice unnoticed.
 */
function earlierNote(p: Planned, adapter: UsageAdapter | BilledAdapter, req: IngestRequest, grown: readonly EarlierIngest[]): string | null {
  if (req.replace || !p.earlier) return null;
  if (grown.length) {
    const which = grown.map((e) => `#${e.ingestId} (${e.ingestedAt}, ${e.bytes.toLocaleString("en")} bytes)`).join(", ");
    return `starts with the file ingested as ${which}: a log that grew, or its rotated copy; it replaces that ingest`;
  }
  const e = p.earlier.path;
  if (!e || adapter.kind !== "requests") return null;
  return `this path was ingested as #${e.ingestId} (${e.ingestedAt}) with other content, kept beside this (a rotated log); --replace if this file supersedes it`;
}

/** The ledger record of this ingest (`ingests`), and the file's summary. */
async function record(
  { db, p, adapter, req, id }: Load,
  r: {
    stats: FileStats | undefined;
    unpriced: UnpricedRow[];
    skipped: FileSummary["skipped"];
    badRows: BadRow[];
    replaced: number;
    replacedFrom: FileSummary["replacedFrom"];
  },
  sha: Promise<string>,
  earlier: string | null,
): Promise<FileSummary> {
  const { stats, unpriced, skipped, badRows, replaced } = r;
  const rows = Number(stats?.rows ?? 0);
  // A forced format that reads nothing from a file is the wrong format: recording it would make the right one
  // "already ingested" later.
  if (rows === 0 && replaced === 0 && badRows.length === 0 && req.format !== undefined) {
    const left = skipped.length ? ` (left out: ${skipped.map((k) => `${k.rows} ${k.reason}`).join("; ")})` : "";
    throw usageError(`${p.input.display}: read as ${adapter.name}, this file gives no rows${left}`, "check --format, or leave it out to detect the format");
  }
  const summary = emptySummary(p, await sha);
  // Rows that use the cost their source states are not unpriced: a model is warned about for its other rows only.
  const open = unpriced.filter((u) => Number(u.reported_rows) < Number(u.rows)).map((u) => ({ ...u, rows: String(Number(u.rows) - Number(u.reported_rows)) }));
  await db.run(
    `INSERT INTO ingests VALUES ($id, $path, $sha, $bytes, $format, $kind, $read, $rows, $skipped, $replaced,
       $from::TIMESTAMP, $to::TIMESTAMP, now()::TIMESTAMP, $deny)`,
    {
      id,
      path: p.input.path,
      sha: summary.sha256,
      bytes: p.input.bytes,
      format: adapter.name,
      kind: adapter.kind,
      read: rows + skipped.reduce((a, s) => a + s.rows, 0),
      rows,
      skipped: skipped.reduce((a, s) => a + s.rows, 0),
      replaced,
      from: stats?.from ?? null,
      to: stats?.to ?? null,
      // The deny-list these prompts were checked against (files without prompt text: none).
      deny: Number(stats?.prompts ?? 0) > 0 ? denyList(req) : null,
    },
  );
  return {
    ...summary,
    ingestId: id,
    rows,
    skipped,
    replaced,
    replacedFrom: r.replacedFrom,
    from: stats?.from ?? null,
    to: stats?.to ?? null,
    providers: stats?.providers ?? [],
    models: stats?.models ?? [],
    unpricedModels: open
      .filter((u) => u.kind === "no-price")
      .map((u) => u.model)
      .sort(),
    unpricedOther: open.filter((u) => u.kind !== "no-price").map((u) => ({ model: u.model, rows: Number(u.rows), why: unpricedWhy(u) })),
    reportedCostModels: stats?.reported ?? [],
    reportedCostWhy: unpriced.filter((u) => u.kind !== "no-price" && Number(u.reported_rows) > 0).map((u) => ({ model: u.model, why: rateGap(u) })),
    billedUsd: stats?.billed ?? null,
    badRows,
    note: [rows === 0 && skipped.length === 0 ? "no usage rows in this file" : null, earlier].filter((n) => n !== null).join("; ") || null,
  };
}

/**
 * How far apart two rows with one request_id may lie and still be one request. The copies seen in real logs lie far
 * closer: a re-exported or rotated log, a resumed agent session and a sidechain replay keep the call's own timestamp;
 * a CloudWatch event and its S3 record, a start and an end line, a retry's line are seconds to minutes apart; a batch
 * result comes within its 24-hour window. Two days also covers a log written in local time beside one in UTC (at
 * most 26 hours apart). Further apart, the same id is taken as another request. Reading ±2 days of stored rows
 * keeps the dedupe's cost at the file's span plus four days, whatever the history.
 */
export const REQUEST_ID_WINDOW = "2 DAY";

/**
 * The earliest ts a stored bucket overlapping [lo, hi] can start at: the earliest start among the earlier ingests of
 * the format whose recorded span ([min_ts, max_ts], both cut to the second) meets it. An overlapping row lies in
 * its ingest's span, so nothing before this bound can overlap; null when no ingest can (then nothing is read).
 */
async function overlapBounds(db: Db, span: { id: number; lo: string; hi: string }, format: string): Promise<string | null> {
  const r = await db.one<{ from: string | null }>(
    `SELECT (min(min_ts) - INTERVAL 1 SECOND)::VARCHAR AS "from" FROM ingests WHERE ingest_id <> $id AND source_format = $format
       AND min_ts <= $hi::TIMESTAMP AND max_ts + INTERVAL 1 SECOND > $lo::TIMESTAMP`,
    { ...span, format },
  );
  return r?.from ?? null;
}
