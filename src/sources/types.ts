import { ADAPTER_COLUMNS, type AdapterColumn, BILLED_ADAPTER_COLUMNS, type BilledAdapterColumn, COUNT_COLUMNS, type CountColumn } from "../store/columns.js";
import type { LogsConfig } from "./flat-log.js";

/** What a format sniff sees: the CSV header, or the first JSON record / the head of a JSON document. */
export type Head =
  /** `firstRow`: the first data row's cells, split naively (for telling epoch timestamps from ISO ones). */
  | { kind: "csv"; header: string[]; delimiter: string; firstRow?: string[] }
  /**
   * JSON in any shape: `text` is the head of the file, `first` the first record when it parses on its own. `bom`: the
   * file starts with a UTF-8 byte-order mark (DuckDB's JSON Lines reader refuses one: ingest reads a copy without it).
   */
  | { kind: "json"; text: string; first?: Record<string, unknown>; bom?: boolean };

/**
 * Canonical columns an adapter may produce for the `usage` table (before tag decoding and pricing), and for the
 * `billed_cost` table: generated from the column tables in store/columns.ts.
 */
export const USAGE_COLUMNS: readonly UsageColumn[] = ADAPTER_COLUMNS;
export type UsageColumn = AdapterColumn;
export const BILLED_COLUMNS: readonly BilledColumn[] = BILLED_ADAPTER_COLUMNS;
export type BilledColumn = BilledAdapterColumn;

/** The disjoint token buckets, as flat request logs name them too. */
export const TOKEN_BUCKETS = [
  "input_tokens",
  "cached_input_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "output_tokens",
  "reasoning_tokens",
] as const;

/** Charges beyond the token buckets: audio tokens (parts of input and output) and web search calls. */
export const CHARGE_COUNTS = ["audio_input_tokens", "audio_output_tokens", "web_search_requests"] as const;

/** Columns whose values are counts (validated as non-negative integers): requests, the buckets, the charges. */
export const TOKEN_COLUMNS: readonly CountColumn[] = COUNT_COLUMNS;

export interface ReadPlan {
  /** A relation over the file, one row per source record. `$path` is bound to the file by the caller. */
  from: string;
  /**
   * Temp tables built in order from the file, before the insert, the last of which `from` reads: the insert and the
   * skipped-record counts then share one read of the file. `table` is a constant of the adapter; `sql` a SELECT
   * (parameters bound). Dropped once the file's summary is counted.
   */
  stage?: readonly { table: string; sql: string }[];
  /**
   * The relation bad records are located in when `from` cannot number them (a stage without line numbers): the same
   * rows as `from`, read from the file again. Only locating reads it (a failed check, --skip-bad-rows).
   */
  locate?: string;
  /** Extra named parameters the relation uses (companion file lists). */
  params?: Record<string, string | string[]>;
  /** The other files the relation reads (companions): with this file's, their sizes bound the JSON object limit. */
  reads?: readonly string[];
  /** Keeps only records that carry usage (drops empty buckets, other events). Reported as skipped, with reason. */
  keep?: {
    sql: string;
    reason: string;
    /** An SQL expression naming why each left-out record was left out, when there are several reasons (else `reason`). */
    why?: string;
  };
  /**
   * How a bad record is located: CSV lines are data rows + header, JSONL lines are records, and a JSON document
   * names the record by an expression instead.
   */
  lines: "csv" | "jsonl" | { line: string } | { record: string };
  /**
   * Records that cannot be read at all (a JSON string field that is not JSON): checked over `from` (a relation of its
   * own) before anything is written; the first is named by `at` and fails the file.
   */
  invalid?: { sql: string; from: string; at: string; reason: string };
}

export interface SourceFile {
  path: string;
  head: Head;
  /** Other files given in the same ingest run (a Batch output joins its input file). */
  companions: readonly { path: string; head: Head; display: string }[];
  /** --skip-bad-rows: CSV readers store unparseable rows as rejects instead of failing. */
  skipBadRows?: boolean;
  /** The config's `sources` section: attribute names some formats read user and feature from. */
  options?: SourceOptions;
  /** The config's `logs` section: how request logs name their fields and count their input tokens. */
  logs?: LogsConfig;
}

export interface SourceOptions {
  otel?: { userAttribute?: string; featureAttribute?: string };
}

/** A format's own check of a canonical row (beyond the shared ones), with the message a user sees. */
export interface RowCheck {
  sql: string;
  reason: string;
}

interface AdapterBase {
  name: string;
  description: string;
  /** True when this adapter recognises the sniffed head. Detection is by header / key signature, never by file name. */
  detect(head: Head): boolean;
  /**
   * The names this format reads its token counts (cost exports: amounts) from, as CSV columns or JSON keys. A forced
   * `--format` on a file that has none of them is refused (exit 2), never read as rows of zero tokens. (Formats that
   * don't declare them here are listed in sources/index.ts.)
   */
  tokenFields?: readonly string[];
  /**
   * The text a file must hold for its plan's `keep` to leave any record out (request logs: the key `"event"`). A
   * plain file that holds neither it nor a `\u` escape (which could spell it) leaves none out, and its left-out
   * count is not read again: the ingest's hash pass looks for it (ingest/files.ts digestFile).
   */
  keepNeeds?: string;
  read(file: SourceFile): ReadPlan;
}

export interface UsageAdapter extends AdapterBase {
  target: "usage";
  kind: "billing" | "requests";
  /** SQL expressions over the ReadPlan relation. Unlisted columns are NULL (or 0 for tokens). */
  columns: (file: SourceFile) => Partial<Record<UsageColumn, string>>;
  /** Extra checks over the canonical rows (e.g. an LLM call without a model): a failure is exit 2 naming the record. */
  checks?: readonly RowCheck[];
  /**
   * What to do about a failed core check, by its reason, when this format has its own answer (a Gemini API response
   * has no time: say where to put one). Shown as the error's hint.
   */
  checkHints?: Readonly<Record<string, string>>;
  /** Files that only complement another (a Batch input file) are recorded, not loaded. */
  companionOnly?: false;
}

export interface BilledAdapter extends AdapterBase {
  target: "billed_cost";
  kind: "billing";
  columns: (file: SourceFile) => Partial<Record<BilledColumn, string>>;
}

/** A file that carries no usage of its own but enriches another (OpenAI Batch input → its output). */
export interface CompanionAdapter {
  target: "companion";
  name: string;
  description: string;
  detect(head: Head): boolean;
}

export type Adapter = UsageAdapter | BilledAdapter | CompanionAdapter;

/** The reason of the core check on a row without a time (an adapter's checkHints can answer it). */
export const MISSING_TIME = "missing or unparseable timestamp";
