import type { SourceFile } from "./types.js";
import { csvHead } from "./util.js";

export const REJECTS_TABLE = "llmcost_rejects";

/**
 * SQL building blocks shared by the adapters. Every value from a file stays in DuckDB; these only shape expressions.
 * Identifiers taken from a file's header are quoted with `ident`, string literals with `str`.
 */

/** Quotes an identifier (a CSV header name) for SQL text. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Quotes a string literal for SQL text (used only for header names inside read_csv's `columns` struct). */
export const str = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** A token count: NULL means 0; anything not a non-negative integer below 10^15 becomes -1, which validation rejects. */
export const tok = (expr: string): string =>
  `(CASE WHEN (${expr}) IS NULL THEN 0::BIGINT WHEN (${expr}) >= 0 AND (${expr}) < 1e15 AND (${expr}) = trunc(${expr}) THEN (${expr})::BIGINT ELSE -1::BIGINT END)`;

/** Trimmed text; blank and the `--` placeholder (provider exports) are NULL. */
export const text = (expr: string): string => `nullif(nullif(trim(CAST(${expr} AS VARCHAR)), ''), '--')`;

/**
 * A TIMESTAMPTZ as naive UTC. Through epoch microseconds: a plain ::TIMESTAMP cast converts through the session's
 * time zone (ICU), about 20x slower per row.
 */
export const utc = (expr: string): string => `make_timestamp(epoch_us(${expr}))`;

/**
 * An ISO date/datetime with or without an offset, stored as naive UTC. No zone means UTC. Text ending in Z, UTC or no
 * zone takes DuckDB's native TIMESTAMP parser (about 5x faster); anything else, or whatever it rejects, takes the
 * TIMESTAMPTZ parser, because the TIMESTAMP cast would silently drop a numeric offset such as +02:00.
 */
export const isoTs = (expr: string): string => isoTsOfText(text(expr));

/**
 * isoTs of an expression already normalised by text(), such as a column computed once in the read: text() repeated
 * inside the CASE (DuckDB does not share it) made a JSON Lines timestamp cost ~2.5 CPU-s per 1M lines.
 */
export const isoTsOfText = (t: string): string => {
  const tz = utc(`try_cast(${t} AS TIMESTAMPTZ)`);
  return `(CASE WHEN contains(right(${t}, 6), '+') OR contains(right(${t}, 6), '-') THEN ${tz} ELSE coalesce(try_cast(${t} AS TIMESTAMP), ${tz}) END)`;
};

/** Unix seconds as naive UTC. */
export const unixTs = (expr: string): string => utc(`to_timestamp(CAST(${expr} AS DOUBLE))`);

/** true/TRUE/True/1/yes are true; everything else (including blank) is false. */
export const bool = (expr: string): string =>
  `coalesce(lower(trim(CAST(${expr} AS VARCHAR))) IN ('true', 't', '1', 'yes'), false)`;

/** A money amount (number or numeric string) as an exact decimal. */
export const money = (expr: string): string => `try_cast(${text(expr)} AS DECIMAL(38,12))`;

/** Returns the CSV column name if the header has it, else undefined. */
export const has = (header: readonly string[], name: string): string | undefined =>
  header.includes(name) ? ident(name) : undefined;

/** `read_csv` over a known header: explicit columns, no sniffing. Types default to VARCHAR. */
export function readCsv(file: SourceFile, types: Record<string, string> = {}, opts: { ragged?: boolean } = {}): string {
  const { header, delimiter } = csvHead(file);
  const cols = header.map((h) => `${str(h)}: ${str(types[h] ?? "VARCHAR")}`).join(", ");
  // --skip-bad-rows: rows the reader cannot parse go to a rejects table with line and reason (never silently).
  const rejects = file.skipBadRows ? `store_rejects = true, rejects_table = '${REJECTS_TABLE}', rejects_scan = '${REJECTS_TABLE}_scans', ` : "";
  // null_padding lets short rows through (blank trailing cells); only formats known to be ragged opt in.
  return `read_csv($path, header = true, auto_detect = false, ${rejects}delim = ${str(delimiter)}, quote = '"', escape = '"', null_padding = ${opts.ragged ? "true" : "false"}, columns = {${cols}})`;
}

/** `read_json` with explicit columns; handles one document, an array of them, or JSON Lines. */
export function readJson(
  columns: Record<string, string>,
  format: "auto" | "newline_delimited" = "auto",
  source = "$path",
  extra = "",
): string {
  const cols = Object.entries(columns)
    .map(([k, v]) => `${str(k)}: ${str(v)}`)
    .join(", ");
  // The object size limit also sizes the reader's buffers: 1 GB lets a whole JSON document in, but for JSON Lines it
  // would make one buffer of the file and read it on one thread (a third slower); 64 MB per line is plenty.
  const max = format === "newline_delimited" ? 67_108_864 : 1_073_741_824;
  return `read_json(${source}, format = ${str(format)}, auto_detect = false, maximum_object_size = ${max}, columns = {${cols}}${extra})`;
}

/** MinHash signature size and LSH banding used for near-duplicate prompts (32 = 8 bands × 4 rows). */
export const SIG_SIZE = 32;

/**
 * Adds `__shingles` to a relation with prompt text: the prompt's lower-cased word 3-shingles (the whole prompt when it
 * has under 3 words). Words and shingles are columns of their own so each is computed once per row: inlined into one
 * expression, the words were split again for every shingle and every hash (about 40 ms a row).
 */
export const withShingles = (relation: string, prompt: string): string => `(
  SELECT * EXCLUDE (__words), CASE WHEN len(__words) < 3 THEN [array_to_string(__words, ' ')]
      ELSE list_transform(list_zip(__words[1:len(__words) - 2], __words[2:len(__words) - 1], __words[3:len(__words)]), t -> t[1] || ' ' || t[2] || ' ' || t[3]) END AS __shingles
  FROM (SELECT *, list_filter(string_split_regex(lower(${prompt}), '[^a-z0-9]+'), x -> x <> '') AS __words FROM ${relation}))`;

/**
 * A MinHash signature of a prompt from its `__shingles` (see withShingles): for each of SIG_SIZE seeds, the smallest
 * hash of any shingle. Only the signature is stored, never the text.
 */
export const promptSig = (prompt: string): string => {
  const mins = Array.from({ length: SIG_SIZE }, (_, k) => `list_min(list_transform(__shingles, x -> hash(x, ${k}::BIGINT)))`);
  return `(CASE WHEN nullif(trim(${prompt}), '') IS NULL THEN NULL ELSE [${mins.join(", ")}]::UBIGINT[] END)`;
};

/**
 * Whether a prompt starts (after leading blanks) with a prefix on the config's cache deny-list, bound as $deny (a
 * JSON list). NULL when the log has no prompt text. Case-sensitive.
 */
export const cacheDenied = (expr: string): string =>
  `CASE WHEN ${expr} IS NOT NULL THEN len(list_filter(json_transform($deny::JSON, '["VARCHAR"]'), p -> starts_with(ltrim(${expr}), p))) > 0 END`;

/**
 * A logged prompt embedding (a JSON array of numbers) as FLOAT[]; absent, null or [] is NULL. Anything else becomes
 * [NaN], which validation rejects with the line ("embedding is not a list of numbers").
 */
export const embeddingList = (expr: string): string => `CASE
    WHEN ${expr} IS NULL OR json_type(${expr}) = 'NULL' THEN NULL
    WHEN json_type(${expr}) <> 'ARRAY' THEN ['NaN'::FLOAT]
    WHEN json_array_length(${expr}) = 0 THEN NULL
    WHEN list_count(try_cast(${expr} AS FLOAT[])) = json_array_length(${expr}) THEN try_cast(${expr} AS FLOAT[])
    ELSE ['NaN'::FLOAT] END`;
