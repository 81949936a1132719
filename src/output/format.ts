import { Chalk, type ChalkInstance } from "chalk";
import { roundDecimal } from "../pricing/decimal.js";
import { boxTable } from "./box.js";
import { type Column, fitNote, fitTable, terminalWidth } from "./fit.js";

export { type Column, fitText } from "./fit.js";
import { env, io } from "../io.js";

export { FORMATS, type Format } from "./formats.js";

/** Colour only on a TTY and never with NO_COLOR set to a value (no-color.org: an empty NO_COLOR does not count). */
export function colors(stream: { isTTY?: boolean } = io().stdout): ChalkInstance {
  const on = stream.isTTY === true && !env().NO_COLOR && env().TERM !== "dumb";
  return new Chalk({ level: on ? 1 : 0 });
}

const group3 = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Dollars for people: 2 decimals, or 4 below $1. Exact input, rounded only here. */
export function usd(value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const neg = value.startsWith("-");
  const abs = neg ? value.slice(1) : value;
  const dp = Number(abs.split(".")[0]) >= 1 ? 2 : 4;
  const [i, f] = roundDecimal(abs, dp).split(".");
  const s = `$${group3(i!)}.${f}`;
  return neg && /[1-9]/.test(s) ? `-${s}` : s;
}

/** A dollar change with its sign: "+$4,280.00", "-$6.49". */
export const usdSigned = (value: string): string => (value.startsWith("-") ? `-${usd(value.slice(1))}` : `+${usd(value)}`);

/** Dollars for machines: a number rounded to 6 decimal places. */
export function usdNumber(value: string): number;
export function usdNumber(value: string | null | undefined): number | null;
export function usdNumber(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(roundDecimal(value, 6));
}

export const int = (n: number | string): string => group3(String(n));

export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * A table for people. Columns are plain heads (with `align`) or `Column` specs saying how each gives way on a narrow
 * terminal (see fit.ts); on a TTY the table fits the terminal's width, with a note under it naming what was hidden
 * or shortened. Off a terminal, or with --wide, every column at full width.
 */
export function table(head: readonly (string | Column)[], rows: readonly (readonly (string | number)[])[], align?: readonly ("left" | "right")[]): string {
  const cols: Column[] = head.map((h, i) => (typeof h === "string" ? { head: h, ...(align?.[i] ? { align: align[i] } : {}) } : h));
  const cells = rows.map((r) => r.map(String));
  const width = terminalWidth();
  const aligned = align !== undefined || cols.some((c) => c.align !== undefined);
  if (width === null)
    return boxTable(
      cols.map((c) => c.head),
      cells,
      aligned ? cols.map((c) => c.align ?? "left") : undefined,
    );
  const f = fitTable(cols, cells, width);
  const note = fitNote(f, width);
  return `${boxTable(f.head, f.rows, aligned ? f.align : undefined)}${note ? `\n${colors().dim(note)}` : ""}`;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
export const csv = (head: string[], rows: unknown[][]): string => [head, ...rows].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";

/** A share for machines (CSV): the fraction itself, 0.86 for 86%, to 6 decimal places; null stays empty. */
export const shareNumber = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : Number(x.toFixed(6)));

/** Prose in a CSV cell without thousands separators ("on 4,567 requests" → "on 4567 requests"), so a spreadsheet reads no number as two. */
export const plainText = (s: string): string => s.replace(/(\d),(?=\d{3}(?!\d))/g, "$1");

const mdCell = (v: unknown): string => (v === null || v === undefined ? "" : String(v)).replaceAll("|", "\\|").replaceAll("\n", " ");
export function markdown(head: string[], rows: unknown[][], align?: ("left" | "right")[]): string {
  const sep = head.map((_, i) => (align?.[i] === "right" ? "---:" : "---"));
  return [head, sep, ...rows].map((r) => `| ${r.map(mdCell).join(" | ")} |`).join("\n") + "\n";
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
