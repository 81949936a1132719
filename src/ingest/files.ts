import { createHash } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
  statSync,
  type Stats,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, gunzipSync } from "node:zlib";
import { usageError } from "../errors.js";
import type { Head } from "../sources/types.js";
import { io } from "../io.js";

export interface InputFile {
  /** What the user called it (for messages). */
  display: string;
  /** Absolute path DuckDB reads. */
  path: string;
  bytes: number;
  /** Found by walking a directory (not named by the user): a file that is not data is skipped, not fatal. */
  fromDir: boolean;
}

/** A file the directory walk passed over, and why (printed as a note, never silent). */
export interface SkippedInput {
  file: string;
  reason: string;
}

const HEAD_BYTES = 256 * 1024;

/**
 * Expands files, directories (recursively, sorted, hidden files skipped, symbolic links followed) and `-` (stdin).
 * Stdin and pipes (`<(cmd)`) are copied to a private temporary file that is removed when the process ends.
 */
export async function expandInputs(args: readonly string[]): Promise<{ files: InputFile[]; skipped: SkippedInput[] }> {
  const out: InputFile[] = [];
  const skipped: SkippedInput[] = [];
  for (const arg of args) {
    if (arg === "-") {
      out.push(await spool(io().stdin, "<stdin>"));
      continue;
    }
    let st: Stats;
    try {
      st = statSync(arg);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw usageError(code === "EACCES" ? `${arg}: permission denied` : `${arg}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const files = walk(arg, new Set([realpathSync(arg)]), skipped);
      if (files.length === 0) throw usageError(`${arg}: directory has no files to ingest`);
      out.push(...files.map((f) => ({ display: f, path: resolve(f), bytes: statSync(f).size, fromDir: true })));
    } else if (st.isFIFO() || st.isCharacterDevice() || st.isSocket()) {
      out.push(await spool(createReadStream(arg), arg));
    } else {
      readable(arg);
      out.push({ display: arg, path: resolve(arg), bytes: st.size, fromDir: false });
    }
  }
  return { files: out, skipped };
}

function readable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw usageError(`${path}: permission denied (cannot read the file)`);
  }
}

const privateDirs: string[] = [];
let cleanupHooked = false;

/**
 * A private temporary directory for copies of the user's data (stdin, a file without its BOM, a file with bad lines
 * blanked): removed when the process exits, also on Ctrl-C, since it may hold raw user ids and prompt text.
 */
export function privateDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `llmcost-${prefix}-`));
  privateDirs.push(dir);
  if (!cleanupHooked) {
    cleanupHooked = true;
    const clean = () => {
      for (const d of privateDirs.splice(0)) rmSync(d, { recursive: true, force: true });
    };
    process.once("exit", clean);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(sig, () => {
        clean();
        process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
      });
    }
  }
  return dir;
}

/** Copies a stream to a temporary file DuckDB can read more than once; the copy never outlives the process. */
async function spool(stream: Readable, display: string): Promise<InputFile> {
  const dir = privateDir("stdin");
  const path = join(dir, "stdin");
  await pipeline(stream, createWriteStream(path, { mode: 0o600 }));
  return { display, path, bytes: statSync(path).size, fromDir: false };
}

/** Database files are never inputs: a directory walk skips them (the database often lives beside the exports). */
const NOT_INPUT = /\.(duckdb|duckdb\.wal|wal)$/;

function walk(dir: string, seen: Set<string>, skipped: SkippedInput[]): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && !NOT_INPUT.test(e.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const path = join(dir, e.name);
      let st: { isDirectory(): boolean; isFile(): boolean };
      try {
        st = e.isSymbolicLink() ? statSync(path) : e;
      } catch {
        skipped.push({ file: path, reason: "a symbolic link to nothing" });
        return [];
      }
      if (st.isDirectory()) {
        const real = realpathSync(path);
        if (seen.has(real)) {
          skipped.push({ file: path, reason: "a link to a directory already read" });
          return [];
        }
        seen.add(real);
        return walk(path, seen, skipped);
      }
      if (st.isFile()) {
        readable(path);
        return [path];
      }
      skipped.push({ file: path, reason: "not a regular file" });
      return [];
    });
}

/** Extensions an export or log is saved with; a file with another one, in a directory, that no format reads is not data. */
export const DATA_EXTENSION = /\.(csv|tsv|json|jsonl|ndjson|log|txt\.gz|gz)$/i;

/**
 * Reads a gzip file to its end: DuckDB reads a truncated one up to where it stops and says nothing, so half a
 * download would load as if whole. Throws with the file's name.
 */
export async function checkGzip(path: string, display: string): Promise<void> {
  if (!isGzip(path)) return;
  try {
    // Read to the end and discard: only the stream's integrity matters here.
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), createGunzip(), new Writable({ write: (_chunk, _enc, done) => done() }));
  } catch (err) {
    if (!/unexpected end/i.test(err instanceof Error ? err.message : "")) throw usageError(`${display}:1: not a valid gzip file`);
    throw usageError(`${display}: the gzip file is truncated (an interrupted download?); nothing was read from it`, "download or compress it again");
  }
}

/** The first bytes of the file, gunzipped when it is gzip (DuckDB reads .gz transparently); null: corrupt gzip. */
function readHead(path: string, size = HEAD_BYTES): Buffer | null {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, 0);
    const head = buf.subarray(0, n);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      try {
        return gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a truncated stream */ }).subarray(0, size);
      } catch {
        return null;
      }
    }
    return head;
  } finally {
    closeSync(fd);
  }
}

export type SniffResult = { ok: true; head: Head } | { ok: false; line: number; reason: string; hint?: string };

/** Reads just enough of a file to tell CSV from JSON and to see the header or first record. */
/** A first JSON line longer than the head (a logged prompt of a few hundred KB) is read whole, up to this size. */
const LONG_LINE_BYTES = 64 * 1024 * 1024;

export function sniff(path: string): SniffResult {
  let buf = readHead(path);
  if (buf !== null && buf.length === HEAD_BYTES && !buf.includes(0x0a) && /^\s*[{[]/.test(buf.subarray(0, 64).toString("utf8"))) {
    buf = readHead(path, LONG_LINE_BYTES);
  }
  if (buf === null) return { ok: false, line: 1, reason: "not a valid gzip file" };
  if (buf.length === 0) return { ok: false, line: 1, reason: "file is empty" };
  if (buf.includes(0)) return { ok: false, line: 1, reason: "binary data (NUL bytes), not a CSV or JSON export" };
  let text = buf.toString("utf8");
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  if (text.includes("\uFFFD")) {
    const line = text.slice(0, text.indexOf("\uFFFD")).split("\n").length;
    return { ok: false, line, reason: "invalid UTF-8" };
  }
  const trimmed = text.trimStart();
  if (trimmed === "") return { ok: false, line: 1, reason: "file is empty" };
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const firstLine = trimmed.split("\n", 1)[0]!.trim();
    let first: Record<string, unknown> | undefined;
    try {
      const v: unknown = JSON.parse(firstLine);
      if (v && typeof v === "object" && !Array.isArray(v)) first = v as Record<string, unknown>;
    } catch {
      first = undefined;
    }
    return { ok: true, head: { kind: "json", text: trimmed, first, ...(bom ? { bom } : {}) } };
  }
  if (text.includes("\r") && !text.includes("\n")) {
    return {
      ok: false,
      line: 1,
      reason: "lines end with a carriage return only (an old Mac export); llmcost reads LF or CRLF line ends",
      hint: "convert with: tr '\\r' '\\n' < in.csv > out.csv",
    };
  }
  const lines = text.split(/\r?\n/);
  const headerLine = lines[0] ?? "";
  if (headerLine.includes(";") && !headerLine.includes(",") && !headerLine.includes("\t")) {
    return { ok: false, line: 1, reason: "semicolon-delimited; llmcost reads comma- or tab-separated exports (re-export as CSV)" };
  }
  const delimiter = headerLine.includes("\t") && !headerLine.includes(",") ? "\t" : ",";
  const header = headerLine.split(delimiter).map((h) => h.trim().replace(/^"(.*)"$/, "$1"));
  const seen = new Set<string>();
  for (const h of header) {
    if (h === "") return { ok: false, line: 1, reason: "header has an empty column name" };
    if (seen.has(h)) return { ok: false, line: 1, reason: `duplicate column "${h}" in header` };
    seen.add(h);
  }
  // A header with nothing under it is not an export of anything (a real empty bucket still has a row).
  if (buf.length < HEAD_BYTES && lines.slice(1).every((l) => l.trim() === "")) {
    return { ok: false, line: 2, reason: "no data rows after the header" };
  }
  const firstRow = lines
    .slice(1)
    .find((l) => l.trim() !== "")
    ?.split(delimiter)
    .map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
  return { ok: true, head: { kind: "csv", header, delimiter, firstRow } };
}

/**
 * The path DuckDB should read for a file: the file itself, or for JSON starting with a UTF-8 byte-order mark a
 * temporary copy without it (DuckDB's JSON Lines reader rejects a BOM; CSV reading skips it itself). The copy is
 * gunzipped when the file is gzip, and removed when the process exits. Line numbers are unchanged.
 */
export function readablePath(path: string, head: Head): string {
  if (head.kind !== "json" || head.bom !== true) return path;
  const raw = readFileSync(path);
  const plain = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const copy = join(privateDir("bom"), "without-bom.json");
  writeFileSync(copy, plain.subarray(3));
  return copy;
}

/** A file's sha256, and which of the strings asked for it provably does not hold. */
export interface FileDigest {
  sha256: string;
  /** Of a gzip file none (its compressed bytes say nothing of its text). */
  lacks: ReadonlySet<string>;
  /** The sha256 of the file's first N bytes, for each N asked that the file reaches. */
  prefixSha256: ReadonlyMap<number, string>;
}

/**
 * One pass over the file: its sha256, whether its bytes hold each of `needles` (ASCII), and the sha256 of its first
 * N bytes for each N of `prefixes` (a log that grew by appending starts with the file ingested before). A prefix's
 * hash is a copy of the running hash's state: many cost next to nothing.
 */
export async function digestFile(path: string, needles: readonly string[] = [], prefixes: readonly number[] = []): Promise<FileDigest> {
  const hash = createHash("sha256");
  const missing = new Set(needles);
  const keep = Math.max(0, ...needles.map((n) => n.length - 1));
  let tail: Buffer = Buffer.alloc(0);
  let gzip: boolean | undefined;
  const offsets = [...new Set(prefixes)].filter((n) => n > 0).sort((a, b) => a - b);
  const prefixSha256 = new Map<number, string>();
  let read = 0;
  for await (const data of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const chunk = data as Buffer;
    let at = 0;
    while (offsets.length && offsets[0]! <= read + chunk.length) {
      const n = offsets.shift()!;
      hash.update(chunk.subarray(at, n - read));
      at = n - read;
      prefixSha256.set(n, hash.copy().digest("hex"));
    }
    hash.update(chunk.subarray(at));
    read += chunk.length;
    gzip ??= chunk[0] === 0x1f && chunk[1] === 0x8b;
    if (missing.size === 0 || gzip) continue;
    // A needle across two chunks is found in the previous chunk's tail joined to this one's head.
    const seam = tail.length ? Buffer.concat([tail, chunk.subarray(0, keep)]) : tail;
    for (const n of missing) if (chunk.includes(n) || seam.includes(n)) missing.delete(n);
    tail = chunk.subarray(Math.max(0, chunk.length - keep));
  }
  return { sha256: hash.digest("hex"), lacks: gzip ? new Set() : missing, prefixSha256 };
}

/**
 * The first line of a JSON Lines file that does not parse (error path only). DuckDB reports the line where it
 * noticed the problem, which for a truncated record is the line after it.
 */
export async function firstBadJsonLine(path: string): Promise<number | undefined> {
  const { createInterface } = await import("node:readline");
  let n = 0;
  for await (const line of createInterface({ input: textStream(path), crlfDelay: Infinity })) {
    n++;
    if (line.trim() === "") continue;
    try {
      JSON.parse(n === 1 ? line.replace(/^\uFEFF/, "") : line);
    } catch {
      return n;
    }
  }
  return undefined;
}

/**
 * The line where a JSON document stops parsing (error path only; DuckDB names no line for a document): the position
 * JSON.parse reports, or the last line when the document ends early (a truncated download). Large documents: unknown.
 */
export async function badJsonDocLine(path: string): Promise<number | undefined> {
  const { readFile, stat } = await import("node:fs/promises");
  if ((await stat(path)).size > 256 * 1024 * 1024) return undefined;
  const raw = await readFile(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8").replace(/^\uFEFF/, "");
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const msg = err instanceof Error ? err.message : "";
    const pos = /at position (\d+)/.exec(msg)?.[1];
    if (pos !== undefined) return text.slice(0, Number(pos)).split("\n").length;
    if (/end of JSON input|Unterminated/i.test(msg)) return text.trimEnd().split("\n").length;
    return undefined;
  }
}

/**
 * The blank lines of a JSON Lines file, in order (error path only). DuckDB's JSON reader neither counts them in its
 * line numbers nor reads them as rows, so its numbers are mapped past them to the file's own.
 */
export async function blankLines(path: string): Promise<number[]> {
  const { createInterface } = await import("node:readline");
  const out: number[] = [];
  let n = 0;
  for await (const line of createInterface({ input: textStream(path), crlfDelay: Infinity })) {
    n++;
    if (line.trim() === "") out.push(n);
  }
  return out;
}

/** The size of a file as DuckDB reads it, or null when that is not known (gzip, or a file that cannot be read). */
export function plainSize(path: string): number | null {
  try {
    return isGzip(path) ? null : statSync(path).size;
  } catch {
    return null;
  }
}

/** Whether the file starts with gzip's magic bytes. */
function isGzip(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const magic = Buffer.alloc(2);
    readSync(fd, magic, 0, 2, 0);
    return magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The file's text as a stream, gunzipped when it is gzip (error paths that read it line by line). */
const textStream = (path: string): Readable => (isGzip(path) ? createReadStream(path).pipe(createGunzip()) : createReadStream(path));
