import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { usageError } from "../errors.js";
import type { Head } from "../sources/types.js";

export interface InputFile {
  /** What the user called it (for messages). */
  display: string;
  /** Absolute path DuckDB reads. */
  path: string;
  bytes: number;
}

const HEAD_BYTES = 256 * 1024;

/** Expands files, directories (recursively, sorted, hidden files skipped) and `-` (stdin, spooled to a temp file). */
export async function expandInputs(args: readonly string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const arg of args) {
    if (arg === "-") {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const dir = mkdtempSync(join(tmpdir(), "llmcost-stdin-"));
      const path = join(dir, "stdin");
      writeFileSync(path, Buffer.concat(chunks));
      out.push({ display: "<stdin>", path, bytes: statSync(path).size });
      continue;
    }
    let st;
    try {
      st = statSync(arg);
    } catch {
      throw usageError(`${arg}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const files = walk(arg);
      if (files.length === 0) throw usageError(`${arg}: directory has no files to ingest`);
      out.push(...files.map((f) => ({ display: f, path: resolve(f), bytes: statSync(f).size })));
    } else {
      out.push({ display: arg, path: resolve(arg), bytes: st.size });
    }
  }
  return out;
}

/** Database files are never inputs: a directory walk skips them (the database often lives beside the exports). */
const NOT_INPUT = /\.(duckdb|duckdb\.wal|wal)$/;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && !NOT_INPUT.test(e.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/** The first bytes of the file, gunzipped when it is gzip (DuckDB reads .gz transparently); null: corrupt gzip. */
function readHead(path: string): Buffer | null {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    const head = buf.subarray(0, n);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      try {
        return gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a truncated stream */ }).subarray(0, HEAD_BYTES);
      } catch {
        return null;
      }
    }
    return head;
  } finally {
    closeSync(fd);
  }
}

export type SniffResult = { ok: true; head: Head } | { ok: false; line: number; reason: string };

/** Reads just enough of a file to tell CSV from JSON and to see the header or first record. */
export function sniff(path: string): SniffResult {
  const buf = readHead(path);
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
  const firstRow = lines.slice(1).find((l) => l.trim() !== "")?.split(delimiter).map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
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
  const dir = mkdtempSync(join(tmpdir(), "llmcost-bom-"));
  const copy = join(dir, "without-bom.json");
  writeFileSync(copy, plain.subarray(3));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return copy;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The first line of a JSON Lines file that does not parse (error path only). DuckDB reports the line where it
 * noticed the problem, which for a truncated record is the line after it.
 */
export async function firstBadJsonLine(path: string): Promise<number | undefined> {
  const { createInterface } = await import("node:readline");
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
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
