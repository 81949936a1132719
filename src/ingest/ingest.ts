import { resolve } from "node:path";
import { compileTagPattern } from "../config.js";
import { now } from "../context.js";
import { ExitError, usageError } from "../errors.js";
import type { Catalog } from "../pricing/load.js";
import { addNameAliases, installIngestPricing, installPricing, labelProviders, repriceStored, storedPricingSha, type UnpricedRow, unpricedSql, unpricedWhy } from "../pricing/sql.js";
import { adapterByName, detectAdapter, forcedFormatMismatch } from "../sources/index.js";
import type { Adapter, BilledAdapter, SourceFile, SourceOptions, UsageAdapter } from "../sources/types.js";
import { REJECTS_TABLE } from "../sources/sql.js";
import { createModelProviderSql, DEFAULT_LOGS, type LogsConfig, withMappedNames } from "../sources/flat-log.js";
import type { IngestPhase, IngestProgress } from "../output/progress.js";
import { Db, isDiskFull } from "../store/db.js";
import { refreshRollup } from "../store/rollup.js";
import { readerError } from "./duckdb-errors.js";
import { badJsonDocLine, blankLines, checkGzip, DATA_EXTENSION, expandInputs, firstBadJsonLine, type InputFile, privateDir, readablePath, sha256File, type SkippedInput, sniff } from "./files.js";
import { billedChecks, billedSelectList, type Check, insertBilledSql, insertUsageSql, locateSql, overlapCondition, usageChecks, usageSelectList, usageTable } from "./load.js";

export interface IngestRequest {
  dbPath: string;
  /** --lake DIR: ingest into a Parquet lake instead of the database (store/lake.ts). */
  lake?: string | null;
  inputs: readonly string[];
  format?: string;
  replace: boolean;
  dryRun: boolean;
  /** Leave out rows that fail to parse or validate, and report each one; never silently. */
  skipBadRows?: boolean;
  tagPattern: string;
  /** The config's cache deny-list: prompts starting with one are marked at ingest (their text is never stored). */
  cacheDenyPrefixes?: readonly string[];
  catalog: Catalog;
  /** The config's `sources` section (attribute names for OTel spans). */
  sourceOptions?: SourceOptions;
  /** The config's `logs` section (how request logs name fields and count input tokens). */
  logs?: LogsConfig;
  /** Called at each phase of a file's load and about 10 times a second in between (stderr on a TTY draws it). */
  onProgress?: (file: string, progress: IngestProgress) => void;
  onFileDone?: () => void;
}

export interface FileSummary {
  file: string;
  format: string;
  target: "usage" | "billed_cost" | "companion";
  status: "ingested" | "already-ingested" | "companion" | "dry-run";
  ingestId: number | null;
  sha256: string;
  rows: number;
  skipped: { reason: string; rows: number }[];
  /** Rows of earlier ingests this file superseded (overlapping provider buckets, or --replace). */
  replaced: number;
  /** The earlier ingests whose overlapping buckets (of any width) this file replaced, and how many rows of each. */
  replacedFrom: { ingestId: number; rows: number }[];
  from: string | null;
  to: string | null;
  providers: string[];
  models: string[];
  /** Model names with no price entry or alias (their rows are unpriced). */
  unpricedModels: string[];
  /** Priced models whose rows are still unpriced in part, with why (before the first epoch, a tier, a charge). */
  unpricedOther: { model: string; rows: number; why: string }[];
  /** Models without a price whose rows state a cost: that cost is used (cost_source reported). */
  reportedCostModels: string[];
  billedUsd: string | null;
  note: string | null;
  /** --skip-bad-rows: every row left out, with where and why. */
  badRows: BadRow[];
}

export interface BadRow {
  /** The file line, when the format has lines. */
  line: number | null;
  /** The line, or a record name for JSON documents. */
  where: string;
  reason: string;
}

export interface IngestResult {
  db: string;
  dryRun: boolean;
  files: FileSummary[];
  /** Files a directory walk passed over (not data, links to nothing), each with why. */
  skippedInputs: SkippedInput[];
}

/** Thrown inside the transaction to roll a dry run back while keeping its summary. */
class DryRunRollback extends Error {
  constructor(readonly summary: FileSummary) {
    super("dry run");
  }
}

interface Planned {
  input: InputFile;
  adapter: Adapter;
  source: SourceFile;
  /** --skip-bad-rows on JSON Lines: lines left out before DuckDB reads the file (see skipBadJsonLines). */
  preBad?: BadRow[];
}

/** A bad record DuckDB's reader stopped at, with its line: --skip-bad-rows on JSON Lines leaves it out and retries. */
class BadLineError extends ExitError {
  constructor(display: string, readonly line: number, readonly reason: string) {
    super(2, `${display}:${line}: ${reason}`);
  }
}

/**
 * Detects every file first, so an unknown format fails before anything is written. A file found in a directory whose
 * name says it is not data (README.md, notes.txt) and that no format reads is skipped with a note instead.
 */
function plan(inputs: InputFile[], format: string | undefined, skipBadRows: boolean, options: SourceOptions, logs: LogsConfig, skippedInputs: SkippedInput[]): Planned[] {
  const forced = format === undefined ? undefined : adapterByName(format);
  if (format !== undefined && !forced) throw usageError(`unknown --format ${format}`, "run `llmcost formats` to list them");
  const notData = (input: InputFile) => input.fromDir && !DATA_EXTENSION.test(input.path);
  const sniffed = inputs.flatMap((input) => {
    const s = sniff(input.path);
    if (!s.ok && notData(input)) {
      skippedInputs.push({ file: input.display, reason: "not a data file" });
      return [];
    }
    if (!s.ok) throw usageError(`${input.display}:${s.line}: ${s.reason}`, s.hint);
    // In a directory, a file no format reads (a config, a package.json, notes) is passed over with a note; named on
    // the command line it is an error that says why.
    const detected = forced ? undefined : (detectAdapter(s.head) ?? detectAdapter(withMappedNames(s.head, logs.fields)));
    if (!forced && input.fromDir && !detected) {
      skippedInputs.push({ file: input.display, reason: notData(input) ? "not a data file" : "no known format (name the file alone to see why)" });
      return [];
    }
    return [{ input, head: s.head, detected, read: readablePath(input.path, s.head) }];
  });
  return sniffed.map(({ input, head, detected, read }) => {
    const mismatch = forced && forcedFormatMismatch(forced, [head, withMappedNames(head, logs.fields)]);
    if (mismatch) throw usageError(`${input.display}: --format ${forced.name}: ${mismatch}`, `${detectAdapter(head) ? `it looks like ${detectAdapter(head)!.name}; ` : ""}drop --format to detect the format, or see \`llmcost formats\``);
    const adapter = forced ?? detected;
    if (!adapter && head.kind === "json" && head.text.startsWith("[") && /"(timestamp|ts|created_at)"/.test(head.text.slice(0, 4096))) {
      throw usageError(`${input.display}:1: a JSON array of request records; request logs are JSON Lines (one object per line)`, "convert with: jq -c '.[]' file.json > file.jsonl");
    }
    if (!adapter) {
      const seen = head.kind === "csv" ? `header: ${head.header.slice(0, 8).join(",")}${head.header.length > 8 ? ",…" : ""}` : `JSON starting ${JSON.stringify(head.text.slice(0, 60))}`;
      throw usageError(`${input.display}:1: unknown format (${seen})`, "run `llmcost formats` to list the supported formats, or pass --format NAME");
    }
    const companions = sniffed.filter((o) => o.input !== input).map((o) => ({ path: o.read, head: o.head, display: o.input.display }));
    return { input, adapter, source: { path: read, head, companions, skipBadRows, options, logs } };
  });
}

export async function ingest(req: IngestRequest): Promise<IngestResult> {
  const { files: inputs, skipped: skippedInputs } = await expandInputs(req.inputs);
  if (inputs.length === 0) throw usageError("nothing to ingest", "pass one or more files, directories or -");
  // Before anything reads them whole (a BOM copy, the reader): a cut .gz is refused, never read in part.
  for (const input of inputs) await checkGzip(input.path, input.display);
  const planned = plan(inputs, req.format, req.skipBadRows === true, req.sourceOptions ?? {}, req.logs ?? DEFAULT_LOGS, skippedInputs);
  if (planned.length === 0) throw usageError(`nothing to ingest: no data files in ${req.inputs.join(", ")}`, "pass exports (CSV, JSON) or request logs (JSON Lines, CSV)");
  const tag = compileTagPattern(req.tagPattern);
  // A lake: the same pipeline against a staging database; each file's transaction is then committed to the lake.
  const lake = req.lake ? await (await import("../store/lake.js")).LakeStage.open(req.lake, req.catalog.sha256) : null;
  const db = lake ? lake.db : await Db.open(req.dbPath, { readOnly: false, inMemoryIfMissing: req.dryRun });
  const files: FileSummary[] = [];
  try {
    // Row order inside the table doesn't matter to llmcost, and not preserving it lets DuckDB insert in parallel
    // (about 1.5x faster). The error path turns it back on to number lines.
    await db.run("SET preserve_insertion_order = false");
    // DuckDB's regexes are RE2: no lookaround or backreferences. Said of the config, not of the first input file.
    await db.run("SELECT regexp_matches('', $1)", [tag.re2]).catch((err: unknown) => {
      const why = (err instanceof Error ? err.message : "").replace(/^[A-Za-z ]+Error: /, "").replace(/^Pattern failed to parse: /, "");
      throw usageError(`tags.pattern is not a regex DuckDB can run (${why.split("\n")[0]})`, "RE2 syntax: no lookahead, lookbehind or backreferences");
    });
    // The tag pattern as a variable: regexp_extract needs a constant pattern, and a parameter is one only in a
    // statement that also reads the file by $path (an insert from a staged table does not).
    await db.run("SET VARIABLE llmcost_tag_re = $re", { re: tag.re2 });
    await installPricing(db, req.catalog);
    await installIngestPricing(db);
    await db.run(createModelProviderSql);
    for (const p of planned) {
      try {
        const summary = await ingestFile(db, p, req, tag);
        if (lake && summary.status === "ingested" && summary.ingestId !== null) summary.ingestId = await lake.commit(summary.ingestId, summary.models);
        files.push(summary);
      } catch (err) {
        if (err instanceof ExitError && files.some((f) => f.status === "ingested")) {
          throw new ExitError(err.code, err.message, `${files.filter((f) => f.status === "ingested").length} earlier file(s) of this run were ingested; this one added nothing`);
        }
        throw err;
      }
      req.onFileDone?.();
    }
  } finally {
    if (lake) lake.close();
    else db.close();
  }
  return { db: req.lake ?? req.dbPath, dryRun: req.dryRun, files, skippedInputs };
}

const emptySummary = (p: Planned, sha: string): FileSummary => ({
  file: p.input.display,
  format: p.adapter.name,
  target: p.adapter.target,
  status: "ingested",
  ingestId: null,
  sha256: sha,
  rows: 0,
  skipped: [],
  replaced: 0,
  replacedFrom: [],
  from: null,
  to: null,
  providers: [],
  models: [],
  unpricedModels: [],
  unpricedOther: [],
  reportedCostModels: [],
  billedUsd: null,
  note: null,
  badRows: [],
});

async function ingestFile(db: Db, p: Planned, req: IngestRequest, tag: ReturnType<typeof compileTagPattern>): Promise<FileSummary> {
  const sha = sha256File(p.input.path);
  sha.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  if (p.adapter.target === "companion") {
    return { ...emptySummary(p, await sha), status: "companion", note: "no usage of its own: joined to its output file by custom_id" };
  }
  // Only a file of a size seen before can be a re-ingest (same sha256). Any other is hashed while it loads: the
  // hash reads the file on the main thread while DuckDB works on its own threads.
  const sizeSeen = await db.one<{ n: string }>("SELECT count(*) AS n FROM ingests WHERE file_bytes = $1", [p.input.bytes]);
  if (req.replace || Number(sizeSeen?.n ?? 0) > 0) {
    const prev = await db.one<{ ingest_id: string; ingested_at: string }>(
      "SELECT ingest_id, strftime(ingested_at, '%Y-%m-%d %H:%M UTC') AS ingested_at FROM ingests WHERE file_sha256 = $1 ORDER BY ingest_id DESC LIMIT 1",
      [await sha],
    );
    if (prev && !req.replace) {
      return {
        ...emptySummary(p, await sha),
        status: "already-ingested",
        ingestId: Number(prev.ingest_id),
        note: `already ingested as #${prev.ingest_id} on ${prev.ingested_at}; 0 rows added`,
      };
    }
  }
  const progress = track(req, p.input);
  try {
    return await loadWithRetries(db, p, p.adapter, req, tag, sha, progress);
  } finally {
    progress.stop();
  }
}

async function loadWithRetries(
  db: Db,
  p: Planned,
  adapter: UsageAdapter | BilledAdapter,
  req: IngestRequest,
  tag: ReturnType<typeof compileTagPattern>,
  sha: Promise<string>,
  progress: Tracker,
): Promise<FileSummary> {
  const jsonl = req.skipBadRows === true && p.source.head.kind === "json" && p.source.head.first !== undefined;
  let current = jsonl ? await skipBadJsonLines(p) : p;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(async () => {
        // Stored costs always match the catalog they were computed with: re-price history when pricing changed.
        if ((await storedPricingSha(db)) !== req.catalog.sha256) {
          progress.phase("pricing");
          await repriceStored(db, req.catalog.sha256);
        }
        const result = await loadFile(db, current, adapter, req, tag, sha, progress);
        if (req.dryRun) throw new DryRunRollback({ ...result, status: "dry-run" });
        await refreshRollup(db, result.ingestId!);
        progress.phase("committing");
        return result;
      });
    } catch (err) {
      if (err instanceof DryRunRollback) return err.summary;
      // A line the reader cannot convert (a number that is text): leave it out too, and read the file again.
      if (jsonl && err instanceof BadLineError && attempt < 200 && !(current.preBad ?? []).some((b) => b.line === err.line)) {
        current = await skipBadJsonLines(current, { line: err.line, where: String(err.line), reason: err.reason });
        continue;
      }
      throw err;
    }
  }
}

/**
 * --skip-bad-rows on JSON Lines: DuckDB's JSON reader stops at the first bad line, so bad lines are found here (lines
 * that do not parse, plus `extra`) and blanked in a private copy that keeps every other line's number.
 */
async function skipBadJsonLines(p: Planned, extra?: BadRow): Promise<Planned> {
  const { readFile, writeFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { gunzipSync } = await import("node:zlib");
  const raw = await readFile(p.source.path);
  const lines = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8").replace(/^\uFEFF/, "").split("\n");
  const bad: BadRow[] = [...(p.preBad ?? [])];
  if (extra) bad.push(extra);
  else {
    lines.forEach((l, i) => {
      if (l.trim() === "") return;
      try {
        JSON.parse(l);
      } catch {
        bad.push({ line: i + 1, where: String(i + 1), reason: "malformed JSON" });
      }
    });
  }
  if (bad.length === 0) return p;
  for (const b of bad) lines[b.line! - 1] = "";
  const path = join(privateDir("skip"), "lines.jsonl");
  await writeFile(path, lines.join("\n"), { mode: 0o600 });
  return { ...p, source: { ...p.source, path }, preBad: bad.sort((a, b) => a.line! - b.line!) };
}

const count = (rows: Record<string, unknown>[]) => Number(Object.values(rows[0] ?? {})[0] ?? 0);

async function loadFile(
  db: Db,
  p: Planned,
  adapter: UsageAdapter | BilledAdapter,
  req: IngestRequest,
  tag: ReturnType<typeof compileTagPattern>,
  shaPending: Promise<string>,
  progress: Tracker,
): Promise<FileSummary> {
  progress.phase("reading");
  // The physical table this file's rows go to (the usage view reads usage_wide and usage_lean), decided once.
  const dest =
    adapter.target === "usage"
      ? { adapter, table: usageTable(adapter, p.source, req.catalog, tag) }
      : { adapter, table: "billed_cost" as const };
  const table = dest.table;
  let replaced = 0;
  if (req.replace) {
    const old = { path: p.input.path, sha: await shaPending };
    const ids = `(SELECT ingest_id FROM ingests WHERE file_path = $path OR file_sha256 = $sha)`;
    for (const t of ["usage_wide", "usage_lean", "billed_cost"]) replaced += count(await db.all(`DELETE FROM ${t} WHERE ingest_id IN ${ids}`, old));
    await db.run(`DELETE FROM ingests WHERE ingest_id IN ${ids}`, old);
  }
  const id = Number((await db.one<{ id: string }>("SELECT coalesce(max(ingest_id), 0) + 1 AS id FROM ingests"))!.id);
  const plan = adapter.read(p.source);
  const all: Record<string, string | number | readonly string[]> = {
    path: p.source.path,
    kind: adapter.kind,
    format: adapter.name,
    ingest_id: id,
    now: now().toISOString().replace("Z", ""),
    deny: denyList(req),
    ...plan.params,
  };

  if (plan.invalid) {
    const bad = await db
      .one<{ at: string }>(`SELECT CAST(${plan.invalid.at} AS VARCHAR) AS at FROM ${plan.invalid.from} WHERE ${plan.invalid.sql} LIMIT 1`, all)
      .catch(async (err: unknown) => {
        throw await readFailure(p, err);
      });
    if (bad) throw usageError(`${p.input.display}: ${bad.at}: ${plan.invalid.reason}`);
  }
  const checks = adapter.target === "usage" ? [...usageChecks(), ...(adapter.checks ?? [])] : billedChecks();
  const list = adapter.target === "usage" ? usageSelectList(adapter, p.source) : billedSelectList(adapter, p.source);
  const badRows: BadRow[] = [...(p.preBad ?? [])];
  let exclude: string | undefined;
  if (req.skipBadRows) {
    // 1. Rows the CSV reader cannot parse: DuckDB's rejects table has their file line and reason.
    // JSON Lines: blank lines (and lines blanked as bad before the read) are not rows.
    const rejectLines: number[] = plan.lines === "jsonl" ? await blankLines(p.source.path) : [];
    if (p.source.head.kind === "csv") {
      await db.run(`DROP TABLE IF EXISTS ${REJECTS_TABLE}`);
      await db.run(`DROP TABLE IF EXISTS ${REJECTS_TABLE}_scans`);
      // count(COLUMNS(*)) makes the reader convert every column (count(*) alone would skip the casts).
      await db.all(`SELECT count(COLUMNS(*)) FROM ${plan.from} AS src`, all).catch((err: unknown) => {
        throw usageError(`${p.input.display}: ${readerError(err).reason}`);
      });
      for (const r of await db.all<{ line: string; message: string }>(`SELECT DISTINCT line, error_message AS message FROM ${REJECTS_TABLE} ORDER BY line`)) {
        rejectLines.push(Number(r.line));
        badRows.push({ line: Number(r.line), where: r.line, reason: readerError(new Error(r.message)).reason });
      }
    }
    // 2. Rows that parse but fail validation: numbered among the parsed rows, then mapped past the rejected lines.
    await db.withSettings({ preserve_insertion_order: true }, async () => {
      for (const check of checks) {
        const loc = locateSql(plan, list, check.sql, 1_000_000);
        const found = await db.all<{ loc: string }>(loc.sql, all).catch((err: unknown) => {
          const e = readerError(err);
          if (e.line !== undefined && plan.lines === "jsonl") e.line = skipLines(e.line, rejectLines);
          throw badRead(p.input.display, e);
        });
        for (const r of found) {
          // A location may be a line and more ("2: resourceSpans[0]…" for a batch of spans on one line).
          const plain = /^\d+$/.test(r.loc);
          const line = loc.kind !== "line" ? null : plain ? skipLines(Number(r.loc), rejectLines) : Number.parseInt(r.loc, 10) || null;
          badRows.push({ line, where: plain && line !== null ? String(line) : r.loc, reason: check.reason });
        }
      }
    });
    exclude = checks.map((c) => `coalesce(${c.sql}, false)`).join(" OR ");
  }
  const insert =
    dest.table === "billed_cost"
      ? insertBilledSql(dest.adapter, p.source, exclude)
      : insertUsageSql(dest.adapter, p.source, tag, dest.table, exclude);
  try {
    // The INSERT joins a file's rows to small tables (aliases, prices). DuckDB can misjudge a file's row count and
    // hash the file's rows instead: 10M rows took 22-35 s instead of 10. Build on the side as written: the small one.
    await db.withSettings({ disabled_optimizers: "build_side_probe_side" }, async () => {
      for (const s of plan.stage ?? []) await db.run(`CREATE OR REPLACE TEMP TABLE ${s.table} AS ${s.sql}`, all);
      await db.run(insert, all);
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : "";
    if ((/out of range|Overflow/i.test(msg) && /DECIMAL\(18,12\)/.test(msg)) || /Overflow in (multiplication|addition) of INT64/i.test(msg)) {
      throw usageError(`${p.input.display}: a single row costs $1,000,000 or more, above llmcost's per-row limit`, "export smaller buckets (daily or hourly) and ingest those");
    }
    throw await readFailure(p, err);
  }

  badRows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

  // Validate what landed (in the same scan as the summary's figures); on failure, re-read the file with row numbers
  // to name the first bad record.
  progress.phase("validating");
  const statsSql = (withChecks: boolean) => fileStatsSql(table, withChecks ? checks : []);
  let stats = await db.one<FileStats>(statsSql(true), all);
  progress.rows(Number(stats?.rows ?? 0));
  const failed = checks.findIndex((_, i) => Number(stats?.[`c${i}`] ?? 0) > 0);
  if (failed >= 0) {
    const check = checks[failed]!;
    const loc = locateSql(plan, list, check.sql);
    const found = await db.withSettings({ preserve_insertion_order: true }, () => db.one<{ loc: string }>(loc.sql, all).catch(() => undefined));
    const line = found && loc.kind === "line" ? (plan.lines === "jsonl" ? skipLines(Number(found.loc), await blankLines(p.source.path)) : found.loc) : null;
    const where = found ? (line !== null ? `:${line}` : `: ${found.loc}`) : "";
    throw usageError(`${p.input.display}${where}: ${check.reason}`);
  }

  // Model names first seen here that only a naming rule resolves (`openai/gpt-4o`, `us.anthropic.…-v1:0`): their
  // aliases join the price tables and this file's rows of them are priced again. Later files price them in the join.
  progress.phase("pricing");
  if (adapter.target === "usage" && stats?.unpriced?.length) {
    const added = await addNameAliases(db, req.catalog, stats.unpriced);
    if (added.length) await repriceStored(db, null, { ingestId: id, aliases: added });
    const labelled = table !== "billed_cost" && (await labelProviders(db, req.catalog, table, id));
    if (added.length || labelled) stats = await db.one<FileStats>(statsSql(false), all);
  }
  const unpriced = adapter.target === "usage" && stats?.unpriced?.length ? await db.all<UnpricedRow>(unpricedSql("u.ingest_id = $ingest_id"), { ingest_id: id }) : [];
  if (adapter.target === "usage" && stats?.models?.length) {
    await db.run("INSERT OR IGNORE INTO model_names SELECT unnest($names::VARCHAR[])", { names: JSON.stringify(stats.models) });
  }

  const skipped: FileSummary["skipped"] = [];
  if (badRows.length) skipped.push({ reason: "bad rows (--skip-bad-rows)", rows: badRows.length });
  if (plan.keep) {
    const why = plan.keep.why ?? "NULL";
    const sql = `SELECT coalesce(${why}, $reason) AS reason, count(*) AS n FROM ${plan.from} AS src WHERE NOT coalesce((${plan.keep.sql}), false) GROUP BY ALL ORDER BY n DESC, reason`;
    const kept = await db.all<{ reason: string; n: string }>(sql, { ...all, reason: plan.keep.reason }).catch(async (err: unknown) => {
      throw await readFailure(p, err);
    });
    for (const r of kept) {
      if (Number(r.n) > 0) skipped.push({ reason: r.reason, rows: Number(r.n) });
    }
  }
  for (const s of plan.stage ?? []) await db.run(`DROP TABLE IF EXISTS ${s.table}`);

  // From here on: this ingest's bookkeeping (replaced buckets, repeated requests, its record), then COMMIT.
  progress.phase("committing");
  // Overlapping provider buckets: the newest export of a bucket × group wins, so nothing is counted twice.
  // Every comparison with stored rows reads only the stored rows in this file's time range (REQUEST_ID_WINDOW,
  // overlapBounds), so its cost follows the file, not the database: DuckDB skips row groups by their min/max ts.
  const lo = stats?.lo_ts ?? null;
  const hi = stats?.hi_ts ?? null;
  const span = lo !== null && hi !== null ? { id, lo, hi } : null;
  const replacedFrom: FileSummary["replacedFrom"] = [];
  // Row keys: only provider buckets have one (request rows never do; provider exports are never lean). A key
  // includes the bucket's ts, so a stored row with the same key lies in [lo, hi].
  if (span && table !== "usage_lean" && (table === "billed_cost" || adapter.kind === "billing")) {
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
      const cond = `o.ts >= $from::TIMESTAMP AND o.ts <= $hi::TIMESTAMP AND ${overlapCondition(table)}`;
      const params = { id, hi: span.hi, from: bounds, format: adapter.name };
      for (const r of await db.all<{ ingest_id: string; n: string }>(`SELECT o.ingest_id, count(*) AS n FROM ${table} o WHERE ${cond} GROUP BY 1 ORDER BY 1`, params)) {
        replacedFrom.push({ ingestId: Number(r.ingest_id), rows: Number(r.n) });
      }
      if (replacedFrom.length) replaced += count(await db.all(`DELETE FROM ${table} o WHERE ${cond}`, params));
    }
  }
  let dups = 0;
  if (span && adapter.target === "usage" && adapter.kind === "requests") {
    // A stored row is the same request when it has the same request_id and lies within REQUEST_ID_WINDOW of it.
    const w = REQUEST_ID_WINDOW;
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

  if (dups > 0) stats = await db.one<FileStats>(statsSql(false), all);
  const rows = Number(stats?.rows ?? 0);
  // A forced format that reads nothing from a file is the wrong format: recording it would make the right one
  // "already ingested" later.
  if (rows === 0 && replaced === 0 && badRows.length === 0 && req.format !== undefined) {
    const left = skipped.length ? ` (left out: ${skipped.map((k) => `${k.rows} ${k.reason}`).join("; ")})` : "";
    throw usageError(`${p.input.display}: read as ${adapter.name}, this file gives no rows${left}`, "check --format, or leave it out to detect the format");
  }
  const summary = emptySummary(p, await shaPending);
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
    replacedFrom,
    from: stats?.from ?? null,
    to: stats?.to ?? null,
    providers: stats?.providers ?? [],
    models: stats?.models ?? [],
    unpricedModels: unpriced.filter((u) => u.kind === "no-price").map((u) => u.model).sort(),
    unpricedOther: unpriced.filter((u) => u.kind !== "no-price").map((u) => ({ model: u.model, rows: Number(u.rows), why: unpricedWhy(u) })),
    reportedCostModels: stats?.reported ?? [],
    billedUsd: stats?.billed ?? null,
    badRows,
    note: rows === 0 && skipped.length === 0 ? "no usage rows in this file" : null,
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

/** Any error of a statement that reads the file, in the user's words, with the file line where one can be found. */
async function readFailure(p: Planned, err: unknown): Promise<ExitError> {
  if (err instanceof ExitError) return err;
  // Not the input's fault: the database's disk. The transaction rolls back, so nothing of the file is kept.
  if (isDiskFull(err)) {
    return usageError(`the disk holding the database is full; nothing of ${p.input.display} was kept`, "free space (or use another --db) and ingest it again");
  }
  const e = readerError(err);
  // The file DuckDB names, when it is one read beside this one (an OpenAI Batch output's input file).
  const named = /in file "([^"]+)"/.exec(err instanceof Error ? err.message : "")?.[1];
  const companion = p.source.companions.find((c) => named !== undefined && resolve(c.path) === resolve(named));
  const file = companion ?? { path: p.source.path, head: p.source.head, display: p.input.display };
  // JSON Lines (the first line parsed on its own): find the real bad line; DuckDB names the one after it.
  const jsonl = file.head.kind === "json" && file.head.first !== undefined;
  if (e.reason.startsWith("malformed JSON") && jsonl) e.line = (await firstBadJsonLine(file.path)) ?? e.line;
  else if (jsonl && e.line !== undefined) e.line = skipLines(e.line, await blankLines(file.path));
  else if (e.reason.startsWith("malformed JSON") && e.line === undefined) e.line = await badJsonDocLine(file.path);
  return badRead(file.display, e);
}

/** A reader error as the user's error: with its line when DuckDB (or the JSON scan) found one. */
const badRead = (display: string, e: { line?: number; reason: string }): ExitError =>
  e.line !== undefined ? new BadLineError(display, e.line, e.reason) : usageError(`${display}: ${e.reason}`);

const denyList = (req: IngestRequest): string => JSON.stringify(req.cacheDenyPrefixes ?? []);

interface Tracker {
  /** Enter a phase ("reading" again on a retry restarts the read's clock). */
  phase(p: IngestPhase): void;
  /** The rows the read gave, once validation counted them. */
  rows(n: number): void;
  stop(): void;
}
const noTracker: Tracker = { phase: () => undefined, rows: () => undefined, stop: () => undefined };

/**
 * Reports a file's phases to onProgress, and ticks about 10 times a second so the time moves. The read's rate is
 * measured over the reading phase: DuckDB's own query progress for the INSERT follows the join to the price tables
 * (it sat near 50% for the whole read of a 600,000-row CSV), not the file, so it is not shown.
 */
function track(req: IngestRequest, input: InputFile): Tracker {
  const report = req.onProgress;
  if (!report) return noTracker;
  let phase: IngestPhase = "reading";
  let readStart: number | null = null;
  let readMs: number | null = null;
  let rows: number | null = null;
  const emit = () => report(input.display, { phase, bytes: input.bytes, readMs, rows });
  const timer = setInterval(emit, 100);
  return {
    phase: (p) => {
      if (p === "reading") {
        readStart = Date.now();
        readMs = null;
        rows = null;
      } else if (phase === "reading" && readStart !== null && readMs === null) readMs = Date.now() - readStart;
      phase = p;
      emit();
    },
    rows: (n) => {
      rows = n;
    },
    stop: () => clearInterval(timer),
  };
}

/** The file line of a row numbered among parsed rows only: every rejected line at or before it pushes it down. */
export function skipLines(line: number, rejected: readonly number[]): number {
  let l = line;
  for (const r of rejected) if (r <= l) l++;
  return l;
}

interface FileStats {
  rows: string;
  from: string | null;
  to: string | null;
  /** min(ts) and max(coalesce(bucket_end, ts)) at full precision (from/to are cut to the second). */
  lo_ts: string | null;
  hi_ts: string | null;
  providers: string[] | null;
  models: string[] | null;
  unpriced: string[] | null;
  reported: string[] | null;
  billed: string | null;
  prompts: string;
  /** c0, c1, …: rows failing each check. */
  [check: string]: unknown;
}

/**
 * The ingest summary's figures for one ingest_id, plus the count of rows failing each check, in one scan. Usage rows
 * are grouped by model and provider first: one hash table instead of one per DISTINCT list.
 */
function fileStatsSql(table: "usage_lean" | "usage_wide" | "billed_cost", checks: Check[]): string {
  const ts = (e: string) => `strftime(${e}, '%Y-%m-%dT%H:%M:%SZ')`;
  if (table === "billed_cost") {
    return `SELECT count(*) AS rows, ${ts("min(ts)")} AS "from", ${ts("max(coalesce(bucket_end, ts))")} AS "to",
        min(ts)::VARCHAR AS lo_ts, max(coalesce(bucket_end, ts))::VARCHAR AS hi_ts,
        list(DISTINCT provider ORDER BY provider) AS providers,
        list(DISTINCT model ORDER BY model) FILTER (WHERE model IS NOT NULL) AS models,
        NULL AS unpriced, NULL AS reported, sum(amount_usd)::VARCHAR AS billed, 0 AS prompts
        ${checks.map((c, i) => `, count(*) FILTER (WHERE ${c.sql}) AS c${i}`).join("")}
      FROM billed_cost WHERE ingest_id = $ingest_id`;
  }
  const noModel = "coalesce(model, '(no model)')";
  // Straight from the physical table (lean rows with the columns the checks name): grouping on the ENUM provider
  // rather than the view's text made this scan 0.45 s -> 0.37 s at 10M rows.
  const lean = table === "usage_lean";
  const from = lean
    ? `(SELECT *, 1::BIGINT AS requests, NULL::TIMESTAMP AS bucket_end, cost_usd IS NOT NULL AS priced, NULL::DECIMAL(38,12) AS reported_cost_usd,
         NULL::BOOLEAN AS cache_denied, NULL::FLOAT[] AS prompt_emb, 0::BIGINT AS audio_input_tokens,
         0::BIGINT AS audio_output_tokens, 0::BIGINT AS web_search_requests FROM usage_lean)`
    : "usage_wide";
  // A token check of lean rows is answered by the column's minimum over this ingest's rows (a separate aggregate, so
  // the grouped scan reads 4 columns instead of 10; 10M rows: 0.20 s -> 0.11 s). Not over the whole table: inside
  // the transaction DuckDB cannot answer it from statistics, and read all 50M stored rows of a large database.
  const fromStats = (c: Check) => lean && c.any !== undefined;
  return `SELECT coalesce(sum(n), 0) AS rows, ${ts("min(lo)")} AS "from", ${ts("max(hi)")} AS "to",
      min(lo)::VARCHAR AS lo_ts, max(hi)::VARCHAR AS hi_ts,
      list(DISTINCT provider::VARCHAR ORDER BY provider::VARCHAR) FILTER (WHERE provider IS NOT NULL) AS providers,
      list(DISTINCT model ORDER BY model) FILTER (WHERE model IS NOT NULL) AS models,
      list(DISTINCT ${noModel} ORDER BY ${noModel}) FILTER (WHERE unpriced) AS unpriced,
      list(DISTINCT ${noModel} ORDER BY ${noModel}) FILTER (WHERE reported) AS reported,
      NULL AS billed, coalesce(sum(prompts), 0) AS prompts
      ${checks.map((c, i) => (fromStats(c) ? `, (SELECT coalesce(${c.any}, false)::INT FROM ${from} WHERE ingest_id = $ingest_id) AS c${i}` : `, sum(c${i}) AS c${i}`)).join("")}
    FROM (SELECT model, provider, count(*) AS n, min(ts) AS lo, max(coalesce(bucket_end, ts)) AS hi,
        bool_or(NOT priced AND reported_cost_usd IS NULL) AS unpriced, bool_or(NOT priced AND reported_cost_usd IS NOT NULL) AS reported,
        count(cache_denied) AS prompts
        ${checks.map((c, i) => (fromStats(c) ? "" : `, count(*) FILTER (WHERE ${c.sql}) AS c${i}`)).join("")}
      FROM ${from} WHERE ingest_id = $ingest_id GROUP BY model, provider)`;
}
