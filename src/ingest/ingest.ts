import { existsSync, rmSync } from "node:fs";
import { compileTagPattern } from "../config.js";
import { ExitError, usageError } from "../errors.js";
import { installIngestPricing, installPricing, repriceStored, storedPricingSha } from "../pricing/sql.js";
import { adapterByName, detectAdapter, forcedFormatHint, forcedFormatMismatch } from "../sources/index.js";
import type { BilledAdapter, Head, SourceFile, SourceOptions, UsageAdapter } from "../sources/types.js";
import { createModelProviderSql, DEFAULT_LOGS, type LogsConfig, withMappedNames } from "../sources/flat-log.js";
import type { IngestPhase } from "../output/progress.js";
import { Db } from "../store/db.js";
import { finishPendingRollup, markRollupPending, refreshRollup } from "../store/rollup.js";
import {
  checkGzip,
  DATA_EXTENSION,
  expandInputs,
  type InputFile,
  privateDir,
  readablePath,
  digestFile,
  type FileDigest,
  type SkippedInput,
  sniff,
} from "./files.js";
import { BadLineError } from "./duckdb-errors.js";
import { loadFile } from "./steps.js";
import {
  type BadRow,
  type EarlierIngest,
  emptySummary,
  type FileSummary,
  type IngestRequest,
  type IngestResult,
  type Planned,
  type StoredRows,
  type TagPattern,
  type Tracker,
} from "./types.js";

export type { BadRow, FileSummary, IngestRequest, IngestResult } from "./types.js";

/** Thrown inside the transaction to roll a dry run back while keeping its summary. */
class DryRunRollback extends Error {
  constructor(readonly summary: FileSummary) {
    super("dry run");
  }
}

const EMPTY_ARRAY = "an empty JSON array: nothing to load";
const EMPTY_PAGE = "an empty API page (data: []): nothing to load";

/**
 * Why a whole file holds nothing to load, or null: an empty page of a usage or cost API (OpenAI's and Anthropic's
 * pages are `{"data": [], "has_more": false, …}`) or an empty JSON array.
 */
function emptyPage(head: Head): string | null {
  if (head.kind !== "json" || head.text.length > 4096) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(head.text);
  } catch {
    return null;
  }
  if (Array.isArray(doc) && doc.length === 0) return EMPTY_ARRAY;
  const page = doc as { data?: unknown; has_more?: unknown } | null;
  if (page && typeof page === "object" && Array.isArray(page.data) && page.data.length === 0 && "has_more" in page) return EMPTY_PAGE;
  return null;
}

/**
 * Detects every file first, so an unknown format fails before anything is written. A file found in a directory whose
 * name says it is not data (README.md, notes.txt) and that no format reads is skipped with a note instead.
 */
function plan(
  inputs: InputFile[],
  format: string | undefined,
  skipBadRows: boolean,
  options: SourceOptions,
  logs: LogsConfig,
  skippedInputs: SkippedInput[],
): Planned[] {
  const forced = format === undefined ? undefined : adapterByName(format);
  if (format !== undefined && !forced)
    throw usageError(
      `unknown --format ${format}: for ingest, --format names the input format`,
      ["json", "csv", "markdown", "table"].includes(format)
        ? `for the summary as ${format}, use --output ${format}${format === "json" ? " (or --json)" : ""}; \`llmcost formats\` lists the input formats`
        : "run `llmcost formats` to list them",
    );
  const notData = (input: InputFile) => input.fromDir && !DATA_EXTENSION.test(input.path);
  const sniffed = inputs.flatMap((input) => {
    const s = sniff(input.path);
    if (!s.ok && notData(input)) {
      skippedInputs.push({ file: input.display, reason: "not a data file" });
      return [];
    }
    if (!s.ok) throw usageError(`${input.display}:${s.line}: ${s.reason}`, s.hint);
    // A page of an API that returned nothing (a quiet day, a project with no traffic) is passed over, never refused:
    // a directory of pages may end with one.
    const empty = emptyPage(s.head);
    if (empty) {
      skippedInputs.push({ file: input.display, reason: empty });
      return [];
    }
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
    if (mismatch) throw usageError(`${input.display}: --format ${forced.name}: ${mismatch}`, forcedFormatHint(head));
    const adapter = forced ?? detected;
    if (!adapter && head.kind === "json" && head.text.startsWith("[") && /"(timestamp|ts|created_at)"/.test(head.text.slice(0, 4096))) {
      throw usageError(
        `${input.display}:1: a JSON array of request records; request logs are JSON Lines (one object per line)`,
        "convert with: jq -c '.[]' file.json > file.jsonl",
      );
    }
    if (!adapter) {
      const seen =
        head.kind === "csv"
          ? `header: ${head.header.slice(0, 8).join(",")}${head.header.length > 8 ? ",…" : ""}`
          : `JSON starting ${JSON.stringify(head.text.slice(0, 60))}`;
      throw usageError(`${input.display}:1: unknown format (${seen})`, "run `llmcost formats` to list the supported formats, or pass --format NAME");
    }
    // The run's other files, listed when an adapter asks (a Batch output looks for its input): built for every file,
    // the lists were n² entries for a run of n files.
    let companions: SourceFile["companions"] | undefined;
    const source: SourceFile = {
      path: read,
      head,
      get companions() {
        companions ??= sniffed.filter((o) => o.input !== input).map((o) => ({ path: o.read, head: o.head, display: o.input.display }));
        return companions;
      },
      skipBadRows,
      options,
      logs,
    };
    return { input, adapter, source };
  });
}

export async function ingest(req: IngestRequest): Promise<IngestResult> {
  const { files: inputs, skipped: skippedInputs } = await expandInputs(req.inputs);
  if (inputs.length === 0) throw usageError("nothing to ingest", "pass one or more files, directories or -");
  // Before anything reads them whole (a BOM copy, the reader): a cut .gz is refused, never read in part.
  for (const input of inputs) await checkGzip(input.path, input.display);
  const planned = plan(inputs, req.format, req.skipBadRows === true, req.sourceOptions ?? {}, req.logs ?? DEFAULT_LOGS, skippedInputs);
  // Only empty pages (yesterday's usage of a quiet project): nothing to load is not an error, and no database is made.
  if (planned.length === 0 && skippedInputs.length > 0 && skippedInputs.every((s) => s.reason === EMPTY_PAGE || s.reason === EMPTY_ARRAY))
    return { db: req.lake ?? req.dbPath, dryRun: req.dryRun, files: [], skippedInputs };
  if (planned.length === 0)
    throw usageError(`nothing to ingest: no data files in ${req.inputs.join(", ")}`, "pass exports (CSV, JSON) or request logs (JSON Lines, CSV)");
  const tag = compileTagPattern(req.tagPattern);
  // A lake: the same pipeline against a staging database; each file's transaction is then committed to the lake.
  const lake = req.lake ? await (await import("../store/lake.js")).LakeStage.open(req.lake, req.catalog.sha256) : null;
  // A first ingest that fails leaves no database behind: the path is as it was (see the catch below).
  const creating = !lake && !req.dryRun && !existsSync(req.dbPath);
  const db = lake ? lake.db : await Db.open(req.dbPath, { readOnly: false, inMemoryIfMissing: req.dryRun });
  const files: FileSummary[] = [];
  let leftEmpty = false;
  try {
    try {
      await prepareSession(db, req, tag);
      // Row order inside the table doesn't matter to llmcost, and not preserving it lets DuckDB insert in parallel
      // (about 1.5x faster). The error path turns it back on to number lines.
      // A run of several files into a database refreshes the rollup once, at its end (see markRollupPending).
      const batched = !lake && !req.dryRun && planned.length > 1;
      const rebuild = batched && (await db.transaction(() => markRollupPending(db)));
      const loaded: number[] = [];
      let failed = false;
      await db
        .withSettings({ preserve_insertion_order: false }, async () => {
          for (const p of planned) {
            try {
              const summary = await ingestFile(db, p, req, tag, lake?.rows, !lake && !batched);
              if (batched && summary.status === "ingested" && summary.ingestId !== null) loaded.push(summary.ingestId);
              if (lake && summary.status === "ingested" && summary.ingestId !== null) summary.ingestId = await lake.commit(summary.ingestId, summary.models);
              files.push(summary);
            } catch (err) {
              if (err instanceof ExitError && files.some((f) => f.status === "ingested")) {
                throw new ExitError(
                  err.code,
                  err.message,
                  `${files.filter((f) => f.status === "ingested").length} earlier file(s) of this run were ingested; this one added nothing`,
                );
              }
              failed = true;
              throw err;
            }
            req.onFileDone?.();
          }
        })
        .finally(async () => {
          // Also after a failed file: the run's earlier files stay ingested. Its own error, if any, is the one said.
          if (batched)
            await db
              .transaction(() => finishPendingRollup(db, loaded, rebuild))
              .catch((err: unknown) => {
                if (!failed) throw err;
              });
        });
    } catch (err) {
      // Removed only if it holds no ingest: another process may have created the file at the same moment and ingested
      // into it (Db.open then opened theirs).
      if (creating) leftEmpty = Number((await db.one<{ n: string }>("SELECT count(*) AS n FROM ingests").catch(() => undefined))?.n ?? -1) === 0;
      throw err;
    } finally {
      if (lake) lake.close();
      else db.close();
    }
  } catch (err) {
    if (leftEmpty) for (const f of [req.dbPath, `${req.dbPath}.wal`]) rmSync(f, { force: true });
    throw err;
  }
  return { db: req.lake ?? req.dbPath, dryRun: req.dryRun, files, skippedInputs };
}

/** What every file's load reads from the connection: the tag pattern, the price tables, the model → provider map. */
async function prepareSession(db: Db, req: IngestRequest, tag: TagPattern): Promise<void> {
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
}

async function ingestFile(
  db: Db,
  p: Planned,
  req: IngestRequest,
  tag: TagPattern,
  stored: StoredRows | undefined,
  /** Refresh the rollup in the file's transaction (one file into a database); a run of several does it at its end. */
  refresh: boolean,
): Promise<FileSummary> {
  const needs = p.adapter.target === "companion" ? undefined : p.adapter.keepNeeds;
  const earlier = p.adapter.target === "companion" ? undefined : await earlierIngests(db, p.input.path, p.adapter.name, p.input.bytes);
  const digest = digestFile(
    p.input.path,
    needs ? [needs, "\\u"] : [],
    (earlier?.shorter ?? []).map((e) => e.bytes),
  );
  digest.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  const sha = digest.then((d) => d.sha256);
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
    return await loadWithRetries(db, earlier ? { ...p, earlier } : p, p.adapter, req, tag, digest, progress, stored, refresh);
  } finally {
    progress.stop();
  }
}

/** How many shorter earlier ingests of a format a file is compared with (the most recent first). */
const GROWN_CANDIDATES = 1000;

/**
 * The earlier ingests a file may have grown from (see Planned.earlier): the last one of its path, and the most recent
 * shorter ones of its format, whatever their path.
 */
async function earlierIngests(db: Db, path: string, format: string, bytes: number): Promise<Planned["earlier"]> {
  type Row = { ingest_id: number; file_bytes: string; file_sha256: string; at: string };
  const cols = "ingest_id, file_bytes, file_sha256, strftime(ingested_at, '%Y-%m-%d %H:%M UTC') AS at";
  const of = (r: Row): EarlierIngest => ({ ingestId: Number(r.ingest_id), bytes: Number(r.file_bytes), sha256: r.file_sha256, ingestedAt: r.at });
  const last = await db.one<Row>(`SELECT ${cols} FROM ingests WHERE file_path = $1 ORDER BY ingest_id DESC LIMIT 1`, [path]);
  const shorter = await db.all<Row>(
    `SELECT ${cols} FROM ingests WHERE source_format = $1 AND file_bytes < $2 ORDER BY ingest_id DESC LIMIT ${GROWN_CANDIDATES}`,
    [format, bytes],
  );
  if (!last && shorter.length === 0) return undefined;
  return { path: last ? of(last) : undefined, shorter: shorter.map(of) };
}

async function loadWithRetries(
  db: Db,
  p: Planned,
  adapter: UsageAdapter | BilledAdapter,
  req: IngestRequest,
  tag: TagPattern,
  digest: Promise<FileDigest>,
  progress: Tracker,
  stored: StoredRows | undefined,
  /** Refresh the rollup in the file's transaction (one file into a database); a run of several does it at its end. */
  refresh: boolean,
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
        const result = await loadFile(db, current, adapter, req, tag, digest, progress, stored);
        if (req.dryRun) throw new DryRunRollback({ ...result, status: "dry-run" });
        // A lake keeps no rollup (commit writes the canonical tables; its readers drop the staging one): only a
        // database's is refreshed.
        if (refresh) await refreshRollup(db, [result.ingestId!]);
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
  const lines = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .split("\n");
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
