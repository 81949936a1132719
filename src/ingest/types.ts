import type { compileTagPattern } from "../config.js";
import type { IngestPhase, IngestProgress } from "../output/progress.js";
import type { Catalog } from "../pricing/load.js";
import type { LogsConfig } from "../sources/flat-log.js";
import type { Adapter, SourceFile, SourceOptions } from "../sources/types.js";
import type { InputFile, SkippedInput } from "./files.js";

/** What ingest takes, gives back, and passes between its steps (ingest.ts plans and retries, steps.ts loads a file). */

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
  /** Models with rows llmcost cannot price that state a cost: that cost is used (cost_source reported). */
  reportedCostModels: string[];
  /** Of those, the models that have a price but not for some of their rows (a charge, tier or date): why. Not in JSON. */
  reportedCostWhy: { model: string; why: string }[];
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

/**
 * The stored rows a check reads, when the database the pipeline runs against does not hold them all: a lake's staging
 * database (store/lake-rows.ts) copies them from the lake's files when a step asks, inside the file's transaction.
 * The database path has none: its stored rows are all there, and each check's own range limits what it reads.
 */
export interface StoredRows {
  /**
   * --replace or a grown log: the rows of the earlier ingests `ids`, before the step removes them. Returns how
   * many rows those ingests hold in the store (the copy holds only what the checks read), or null when none is stored
   * apart (then the step's own count is the count).
   */
  replacing(ids: readonly number[]): Promise<number | null>;
  /** The rows a check of one file is about to read: stored rows with ts in [from - margin, hi + margin]. */
  need(need: StoredNeed): Promise<void>;
}

export interface StoredNeed {
  /** Provider buckets (rows with a row_key) of one table, or request rows (with a request_id) of the usage view. */
  rows: { keyed: "usage_wide" | "billed_cost" } | "requests";
  /** The earliest and latest ts the check reads before its margin (SQL timestamps). */
  from: string;
  hi: string;
  /** An SQL interval from the code (REQUEST_ID_WINDOW), or null. */
  margin: string | null;
}

/** A file with the adapter that reads it. */
export interface Planned {
  input: InputFile;
  adapter: Adapter;
  source: SourceFile;
  /** --skip-bad-rows on JSON Lines: lines left out before DuckDB reads the file (see skipBadJsonLines). */
  preBad?: BadRow[];
  /**
   * Earlier ingests this file may have grown from: the last one of its path, and every shorter one of its format (a
   * rotated copy of a log ingested while it grew is another path). The file replaces each it starts with (the
   * sha256 of its first `bytes` bytes equals that ingest's).
   */
  earlier?: { path: EarlierIngest | undefined; shorter: EarlierIngest[] };
}

export interface EarlierIngest {
  ingestId: number;
  bytes: number;
  sha256: string;
  ingestedAt: string;
}

export type TagPattern = ReturnType<typeof compileTagPattern>;

export interface Tracker {
  /** Enter a phase ("reading" again on a retry restarts the read's clock). */
  phase(p: IngestPhase): void;
  /** The rows the read gave, once validation counted them. */
  rows(n: number): void;
  stop(): void;
}

export const emptySummary = (p: Planned, sha: string): FileSummary => ({
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
  reportedCostWhy: [],
  billedUsd: null,
  note: null,
  badRows: [],
});

/** The config's cache deny-list as the ledger keeps it. */
export const denyList = (req: IngestRequest): string => JSON.stringify(req.cacheDenyPrefixes ?? []);
