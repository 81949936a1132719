import { int } from "./format.js";

/** What an ingest reports while a file loads (see IngestRequest.onProgress). */
export type IngestPhase = "reading" | "validating" | "pricing" | "committing";
export interface IngestProgress {
  phase: IngestPhase;
  /** The file's size on disk. */
  bytes: number;
  /** How long reading the file (parse, map, price each row, insert) took, once it has; null while reading. */
  readMs: number | null;
  /** The rows read, once validation counted them; null before. */
  rows: number | null;
}

/** 1.2 kB, 38.4 MB, 2.1 GB (decimal units, as file managers show sizes). */
export function bytesText(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** 0.4s, 12.3s, 1m05s, 1h02m. */
export function elapsedText(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * One progress line for stderr: the phase, the time elapsed on this file, the file, its size and, once it is read,
 * the read's rate (size and rows over the reading time). Clipped to `columns` so the line never wraps (a
 * wrapped line cannot be redrawn with \r).
 */
export function progressLine(file: string, e: IngestProgress, elapsedMs: number, columns = 80): string {
  const secs = e.readMs === null ? 0 : Math.max(1, e.readMs) / 1000;
  const read = e.readMs === null ? bytesText(e.bytes) : `${bytesText(e.bytes)} read at ${bytesText(e.bytes / secs)}/s`;
  const rows = e.rows === null || e.readMs === null ? "" : ` · ${int(e.rows)} rows, ${countText(e.rows / secs)} rows/s`;
  const line = `${e.phase.padEnd(10)}  ${elapsedText(elapsedMs).padStart(6)}  ${middle(file, 32)}  ${read}${rows}`;
  const max = Math.max(20, columns - 1);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A long path shortened in the middle, keeping its start and its file name. */
const middle = (s: string, n: number): string =>
  s.length <= n ? s : `${s.slice(0, Math.ceil((n - 1) / 3))}…${s.slice(s.length - Math.floor(((n - 1) * 2) / 3))}`;

/** 950, 12.3k, 1.2M (a rate, rounded). */
export const countText = (n: number): string => (n < 1000 ? String(Math.round(n)) : n < 1e6 ? `${(n / 1000).toFixed(1)}k` : `${(n / 1e6).toFixed(1)}M`);
