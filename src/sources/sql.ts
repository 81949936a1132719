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

/** The count a token column takes for a value that is not a number at all (true, text, an object): its own reason. */
export const NOT_A_NUMBER = -4;

/**
 * A token count: NULL means 0; NaN (what a JSON reader makes of true or text) becomes NOT_A_NUMBER; anything else not
 * a non-negative integer below 10^15 becomes -1. Validation rejects both, each with its reason.
 */
export const tok = (expr: string): string =>
  `(CASE WHEN (${expr}) IS NULL THEN 0::BIGINT WHEN isnan(${expr}) THEN ${NOT_A_NUMBER}::BIGINT WHEN (${expr}) >= 0 AND (${expr}) < 1e15 AND (${expr}) = trunc(${expr}) THEN (${expr})::BIGINT ELSE -1::BIGINT END)`;

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

/** Unix seconds as naive UTC; NULL (a bad timestamp, which validation names) past the years DuckDB can hold. */
export const unixTs = (expr: string): string => `(CASE WHEN abs(CAST(${expr} AS DOUBLE)) < 1e11 THEN ${utc(`to_timestamp(CAST(${expr} AS DOUBLE))`)} END)`;

/** Unix seconds as ISO text for a location in a message ("bucket 2025-10-01T00:00:00Z"); NULL when out of range. */
export const unixIso = (expr: string): string => `strftime(${unixTs(expr)}, '%Y-%m-%dT%H:%M:%SZ')`;

/** true/TRUE/True/1/yes are true; everything else (including blank) is false. */
export const bool = (expr: string): string => `coalesce(lower(trim(CAST(${expr} AS VARCHAR))) IN ('true', 't', '1', 'yes'), false)`;

/** A money amount (number or numeric string) as an exact decimal. */
export const money = (expr: string): string => `try_cast(${text(expr)} AS DECIMAL(38,12))`;

/** Returns the CSV column name if the header has it, else undefined. */
export const has = (header: readonly string[], name: string): string | undefined => (header.includes(name) ? ident(name) : undefined);

/** `read_csv` over a known header: explicit columns, no sniffing. Types default to VARCHAR. */
export function readCsv(file: SourceFile, types: Record<string, string> = {}, opts: { ragged?: boolean } = {}): string {
  const { header, delimiter } = csvHead(file);
  const cols = header.map((h) => `${str(h)}: ${str(types[h] ?? "VARCHAR")}`).join(", ");
  // --skip-bad-rows: rows the reader cannot parse go to a rejects table with line and reason (never silently).
  const rejects = file.skipBadRows ? `store_rejects = true, rejects_table = '${REJECTS_TABLE}', rejects_scan = '${REJECTS_TABLE}_scans', ` : "";
  // null_padding lets short rows through (blank trailing cells); only formats known to be ragged opt in.
  return `read_csv($path, header = true, auto_detect = false, ${rejects}delim = ${str(delimiter)}, quote = '"', escape = '"', null_padding = ${opts.ragged ? "true" : "false"}, columns = {${cols}})`;
}

/** A JSON value read as text, as a number: a number or numeric string is its DOUBLE, anything else NaN (tok() rejects it). */
export const jsonNumber = (e: string): string => `(CASE WHEN ${e} IS NULL THEN NULL ELSE coalesce(TRY_CAST(${e} AS DOUBLE), 'NaN'::DOUBLE) END)`;

/** A DuckDB type as read_json takes it: a leaf type, a STRUCT of named fields, or a list of either. */
type JsonType = { leaf: string } | { fields: [string, JsonType][] } | { list: JsonType };

/** Parses the type strings the adapters write ("STRUCT(a DOUBLE, \"group\" STRUCT(b VARCHAR))[]"). */
export function parseJsonType(src: string): JsonType {
  let i = 0;
  const space = () => {
    while (src[i] === " " || src[i] === "\n") i++;
  };
  const name = (): string => {
    space();
    if (src[i] === '"') {
      const end = src.indexOf('"', i + 1);
      const n = src.slice(i + 1, end);
      i = end + 1;
      return n;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (!m) throw new Error(`bad type at ${i}: ${src}`);
    i += m[0].length;
    return m[0];
  };
  const type = (): JsonType => {
    space();
    let t: JsonType;
    if (src.startsWith("STRUCT(", i)) {
      i += "STRUCT(".length;
      const fields: [string, JsonType][] = [];
      for (;;) {
        const n = name();
        fields.push([n, type()]);
        space();
        if (src[i] === ",") i++;
        else if (src[i] === ")") {
          i++;
          break;
        } else throw new Error(`bad type at ${i}: ${src}`);
      }
      t = { fields };
    } else if (src.startsWith("MAP(", i)) {
      // Kept as declared (a map's values are not converted).
      let depth = 0;
      const start = i;
      i += "MAP".length;
      do {
        if (src[i] === "(") depth++;
        else if (src[i] === ")") depth--;
        i++;
      } while (depth > 0 && i < src.length);
      t = { leaf: src.slice(start, i) };
    } else {
      const m = /^[A-Z]+(\([0-9, ]+\))?/.exec(src.slice(i));
      if (!m) throw new Error(`bad type at ${i}: ${src}`);
      i += m[0].length;
      t = { leaf: m[0] };
    }
    while (src.startsWith("[]", i)) {
      i += 2;
      t = { list: t };
    }
    return t;
  };
  const t = type();
  space();
  if (i !== src.length) throw new Error(`bad type at ${i}: ${src}`);
  return t;
}

const hasNumber = (t: JsonType): boolean => ("leaf" in t ? t.leaf === "DOUBLE" : "list" in t ? hasNumber(t.list) : t.fields.some(([, f]) => hasNumber(f)));

/** The type to read: every DOUBLE as VARCHAR, so a JSON true is 'true' (DuckDB reads it into a DOUBLE as 1). */
function readType(t: JsonType): string {
  if ("leaf" in t) return t.leaf === "DOUBLE" ? "VARCHAR" : t.leaf;
  if ("list" in t) return `${readType(t.list)}[]`;
  return `STRUCT(${t.fields.map(([n, f]) => `${ident(n)} ${readType(f)}`).join(", ")})`;
}

/**
 * The value as the adapter declared it, from the VARCHAR read: a number (or numeric string) is its DOUBLE; anything
 * else (true, an object, "n/a") is NaN, which every token check rejects and every sum carries, so the line is named.
 */
function asDeclared(expr: string, t: JsonType, depth = 0): string {
  if ("leaf" in t) return t.leaf === "DOUBLE" ? jsonNumber(expr) : expr;
  if ("list" in t) return `list_transform(${expr}, __e${depth} -> ${asDeclared(`__e${depth}`, t.list, depth + 1)})`;
  const parts = t.fields.map(([n, f]) => `${ident(n)} := ${hasNumber(f) ? asDeclared(`${expr}.${ident(n)}`, f, depth) : `${expr}.${ident(n)}`}`);
  return `(CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${parts.join(", ")}) END)`;
}

/**
 * The DuckDB variable holding the size in bytes of the largest file a load reads (NULL: unknown, such as gzip); the
 * JSON readers' object limit (see readJson). Set by ingest before each file's load.
 */
export const FILE_BYTES_VARIABLE = "llmcost_file_bytes";

/** `read_json` with explicit columns; handles one document, an array of them, or JSON Lines. */
export function readJson(columns: Record<string, string>, format: "auto" | "newline_delimited" = "auto", source = "$path", extra = ""): string {
  const types = Object.entries(columns).map(([k, v]) => [k, parseJsonType(v)] as const);
  const cols = types.map(([k, t]) => `${str(k)}: ${str(readType(t))}`).join(", ");
  // The object size limit also sizes the reader's buffers: 1 GB lets a whole JSON document in, but for JSON Lines it
  // would make one buffer of the file and read it on one thread (a third slower); 64 MB per line is plenty. No object
  // is larger than its file, so ingest states the size of the files it reads (see FILE_BYTES_VARIABLE) and the limit
  // is that when smaller: DuckDB reserves buffers by the limit (2 GB for a 3 KB JSON document), which cost a small
  // file's INSERT about a quarter of its time.
  const max = format === "newline_delimited" ? 67_108_864 : 1_073_741_824;
  const limit = `least(greatest(coalesce(getvariable('${FILE_BYTES_VARIABLE}'), ${max}), 1048576), ${max})`;
  const read = `read_json(${source}, format = ${str(format)}, auto_detect = false, maximum_object_size = ${limit}, columns = {${cols}}${extra})`;
  const numeric = types.filter(([, t]) => hasNumber(t));
  if (numeric.length === 0) return read;
  return `(SELECT * REPLACE (${numeric.map(([k, t]) => `${asDeclared(ident(k), t)} AS ${ident(k)}`).join(", ")}) FROM ${read})`;
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
