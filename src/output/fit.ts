/**
 * Fitting output to the terminal. On a TTY, tables narrow to the terminal's columns (`io().stdout.columns`): headers
 * wrap, prose cells wrap, names are shortened in the middle, and columns are hidden least important first; long prose
 * lines wrap at word boundaries. Piped output and `--wide` get everything at full width, byte for byte as before.
 */

import { io } from "../io.js";

/** How one column of a table may give way when the terminal is narrow. */
export interface Column {
  head: string;
  align?: "left" | "right";
  /** Hidden to fit, least important first: 1 is kept longest. Omitted: never hidden. */
  priority?: number;
  /** The narrowest its cells may become (omitted: never narrowed, as numbers never are). */
  min?: number;
  /**
   * How a cell narrower than its text is drawn: "middle" shortens names (`claude-son…20250929`), "start" paths
   * (`…demo/requests.jsonl`: the file name stays), "end" lists, "wrap" puts prose on several lines (nothing lost), a function redraws the cell at a width (bars,
   * sparklines). Default "middle".
   */
  shrink?: "middle" | "start" | "end" | "wrap" | ((row: number, width: number) => string);
  /** The column's name in the note of what was hidden (default: its head). */
  label?: string;
}

let wide = false;

/** `--wide`: every column at full width, on a terminal too. */
export function setWide(on: boolean): void {
  wide = on;
}

/** The width output must fit, or null for full width: the run's stdout is not a TTY, or --wide. */
export function terminalWidth(): number | null {
  const out = io().stdout;
  if (wide || out.isTTY !== true) return null;
  const c = out.columns;
  return typeof c === "number" && c > 0 ? c : 80;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
const ANSI = /\x1b\[[0-9;]*m/g;
export const stripAnsi = (s: string): string => s.replace(ANSI, "");

function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f680 && cp <= 0x1f6ff) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x1fa70 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns a string takes on a terminal: escapes none, wide characters two (its widest line, for several). */
export function displayWidth(s: string): number {
  let max = 0;
  for (const line of stripAnsi(s).split("\n")) {
    let w = 0;
    for (const ch of line) w += charWidth(ch.codePointAt(0)!);
    max = Math.max(max, w);
  }
  return max;
}

/** The leading characters of `s` that take at most `width` columns (or the trailing ones, from the end). */
function take(chars: string[], width: number, fromEnd = false): string {
  const out: string[] = [];
  let w = 0;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[fromEnd ? chars.length - 1 - i : i]!;
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width) break;
    out.push(ch);
    w += cw;
  }
  return (fromEnd ? out.reverse() : out).join("");
}

/** A cell's colour kept around its text: "\x1b[33m$1.00\x1b[39m" → the escapes and "$1.00". */
function unwrapAnsi(s: string): [string, string, string] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
  const m = /^((?:\x1b\[[0-9;]*m)*)([\s\S]*?)((?:\x1b\[[0-9;]*m)*)$/.exec(s)!;
  return [m[1]!, stripAnsi(m[2]!), m[3]!];
}

const SEPARATORS = "-_/:.@ ";

/** "claude-sonnet-4-5-20250929" in 19 columns: "claude-son…20250929" (the tail starts after a separator). */
export function shortenMiddle(s: string, width: number): string {
  const [pre, text, post] = unwrapAnsi(s);
  if (displayWidth(text) <= width) return s;
  if (width <= 1) return `${pre}…${post}`;
  const chars = [...text];
  const room = width - 1;
  let tail = take(chars, Math.floor(room / 2), true);
  if (tail.length > 1 && SEPARATORS.includes(tail[0]!)) tail = tail.slice(1);
  const head = take(chars, room - displayWidth(tail));
  return `${pre}${head}…${tail}${post}`;
}

export function shortenStart(s: string, width: number): string {
  const [pre, text, post] = unwrapAnsi(s);
  if (displayWidth(text) <= width) return s;
  return `${pre}…${take([...text], Math.max(0, width - 1), true)}${post}`;
}

export function shortenEnd(s: string, width: number): string {
  const [pre, text, post] = unwrapAnsi(s);
  if (displayWidth(text) <= width) return s;
  return `${pre}${take([...text], Math.max(0, width - 1)).trimEnd()}…${post}`;
}

/** Words on lines of at most `width` columns (a word longer than that is cut where it must be). */
export function wrapWords(s: string, width: number, indent = ""): string[] {
  const [, lead = "", rest = ""] = /^(\s*)([\s\S]*)$/.exec(s)!;
  const lines: string[] = [];
  let line = lead;
  let fresh = true;
  for (const word of rest.split(" ")) {
    const candidate = fresh ? `${line}${word}` : `${line} ${word}`;
    if (fresh || displayWidth(candidate) <= width) {
      line = candidate;
    } else {
      lines.push(line);
      line = `${indent}${word}`;
    }
    fresh = false;
    // A word wider than the line: cut it.
    while (displayWidth(line) > width && width > displayWidth(indent) + 1) {
      const chars = [...stripAnsi(line)];
      const first = take(chars, width);
      lines.push(first);
      line = `${indent}${chars.slice(first.length).join("")}`;
    }
  }
  lines.push(line);
  return lines;
}

const longestWord = (s: string) => Math.max(0, ...s.split(/[\s\n]+/).map(displayWidth));

/** A table's border and padding: "│ a │ b │" is 3 per column and 1. */
const tableWidth = (widths: readonly number[]) => widths.reduce((a, w) => a + w + 3, 1);

export interface Fitted {
  head: string[];
  rows: string[][];
  align: ("left" | "right")[];
  /** Columns left out, by label, in table order. */
  hidden: string[];
  /** Columns with cells cut short. */
  shortened: string[];
}

/**
 * Lays out a table to fit `width` columns, each step only as far as needed:
 * 1. if even every column at its narrowest is too wide, columns are hidden from the highest priority number down
 *    (those of one number together; a redrawn chart first narrows to its `min`, then goes), then given back, most
 *    important first, while they fit;
 * 2. headers wrap at their spaces;
 * 3. names and prose narrow together, widest first, down to their `min` (prose wraps, names are shortened);
 * 4. charts whose turn came in step 1 narrow;
 * 5. on a very narrow terminal, names and prose below their `min`, and header words wider than their cells, shortened.
 * Numbers are never cut. A table that fits as it is comes back unchanged.
 */
export function fitTable(cols: readonly Column[], rows: readonly (readonly string[])[], width: number): Fitted {
  const cellW = cols.map((_, i) => Math.max(0, ...rows.map((r) => displayWidth(r[i] ?? ""))));
  const natural = cols.map((c, i) => Math.max(cellW[i]!, displayWidth(c.head)));
  const cuttable = cols.map((c) => c.min !== undefined);
  const wraps = cols.map((c) => c.shrink === "wrap");
  // Prose wraps no narrower than its `min` (words longer than that are cut), else at its longest word.
  const wrapAt = (c: Column, i: number) => c.min ?? Math.max(0, ...rows.map((r) => longestWord(r[i] ?? "")));
  const lossless = cols.map((c, i) => Math.min(natural[i]!, Math.max(wraps[i] ? wrapAt(c, i) : cellW[i]!, longestWord(c.head))));
  const redrawn = cols.map((c) => typeof c.shrink === "function");
  // Names and prose may narrow from the start; a redrawn chart only when its turn comes, just before it is hidden.
  const floor = cols.map((c, i) => (cuttable[i] && !redrawn[i] ? Math.min(lossless[i]!, c.min!) : lossless[i]!));
  const sum = (set: readonly number[], w: readonly number[]) => tableWidth(set.map((i) => w[i]!));

  let visible = cols.map((_, i) => i);
  if (sum(visible, natural) <= width)
    return { head: cols.map((c) => c.head), rows: rows.map((r) => [...r]), align: cols.map((c) => c.align ?? "left"), hidden: [], shortened: [] };
  // Columns of one priority go together (From and To, Batch in and Batch out); the least important first.
  const priorities = [...new Set(cols.flatMap((c) => (c.priority === undefined ? [] : [c.priority])))].sort((x, y) => y - x);
  const groups = priorities.map((p) => visible.filter((i) => cols[i]!.priority === p));
  const dropped: number[][] = [];
  for (const group of groups) {
    if (sum(visible, floor) <= width) break;
    const charts = group.filter((i) => redrawn[i] && cuttable[i]);
    if (charts.length) {
      for (const i of charts) floor[i] = Math.min(lossless[i]!, cols[i]!.min!);
      if (sum(visible, floor) <= width) break;
    }
    visible = visible.filter((j) => !group.includes(j));
    dropped.push(group);
  }
  // Given back, most important first, while they fit; never a less important one ahead of a more important one.
  while (dropped.length) {
    const withIt = [...visible, ...dropped[dropped.length - 1]!].sort((x, y) => x - y);
    if (sum(withIt, floor) > width) break;
    visible = withIt;
    dropped.pop();
  }

  const w = [...natural];
  const narrow = (limit: readonly number[]) => {
    while (sum(visible, w) > width) {
      let pick = -1;
      for (const i of visible) if (w[i]! > limit[i]! && (pick < 0 || w[i]! > w[pick]!)) pick = i;
      if (pick < 0) return;
      w[pick]!--;
    }
  };
  // Headers wrap before prose cells do (a header line is cheaper than a line on every row).
  narrow(cols.map((c, i) => Math.max(lossless[i]!, Math.min(natural[i]!, Math.max(cellW[i]!, longestWord(c.head))))));
  // Then names, lists and prose together, widest first; a chart whose turn came narrows after.
  narrow(cols.map((_, i) => (redrawn[i] ? lossless[i]! : floor[i]!)));
  narrow(floor);
  // Still too wide (a very narrow terminal): names and prose go below their minimum, never below 4 and 8, and a
  // header word wider than its cells is shortened ("Unattr…").
  narrow(cols.map((_, i) => (cuttable[i] && !redrawn[i] ? Math.min(floor[i]!, wraps[i] ? 8 : 4) : Math.min(floor[i]!, Math.max(cellW[i]!, 4)))));

  const shortened = new Set<number>();
  const cell = (i: number, row: number, s: string): string => {
    const cw = w[i]!;
    const how = cols[i]!.shrink ?? "middle";
    // A chart is redrawn on every row, so that all rows keep one scale.
    if (typeof how === "function" && cw < natural[i]!) {
      shortened.add(i);
      return how(row, cw);
    }
    if (displayWidth(s) <= cw) return s;
    if (how === "wrap")
      return s
        .split("\n")
        .flatMap((l) => wrapWords(l, cw))
        .join("\n");
    shortened.add(i);
    if (typeof how === "function") return how(row, cw);
    return how === "end" ? shortenEnd(s, cw) : how === "start" ? shortenStart(s, cw) : shortenMiddle(s, cw);
  };
  // A header word wider than its column is shortened, not broken.
  const head = visible.map((i) =>
    wrapWords(
      cols[i]!.head.split(" ")
        .map((word) => shortenEnd(word, w[i]!))
        .join(" "),
      w[i]!,
    ).join("\n"),
  );
  const out = rows.map((r, row) => visible.map((i) => cell(i, row, r[i] ?? "")));
  return {
    head,
    rows: out,
    align: visible.map((i) => cols[i]!.align ?? "left"),
    hidden: dropped
      .flat()
      .sort((a, b) => a - b)
      .map((i) => cols[i]!.label ?? cols[i]!.head),
    shortened: [...shortened].sort((a, b) => a - b).map((i) => cols[i]!.label ?? cols[i]!.head),
  };
}

/** What fitting left out, for under the table; null when nothing was. */
export function fitNote(f: Fitted, width: number): string | null {
  if (!f.hidden.length && !f.shortened.length) return null;
  const parts = [f.hidden.length ? `hid ${f.hidden.join(", ")}` : "", f.shortened.length ? `shortened ${f.shortened.join(", ")}` : ""].filter(Boolean);
  return wrapWords(`(${width} columns: ${parts.join("; ")}; --wide shows everything)`, width, "  ").join("\n");
}

const TABLE_LINE = /^[┌│└├]/;

/**
 * Prose lines wrapped at word boundaries to the terminal's width, continuing under the text of their bullet ("  - "),
 * else two spaces in. Table lines are left as they are. Full width (unchanged) off a terminal and with --wide.
 */
export function fitText(s: string): string {
  const width = terminalWidth();
  if (width === null) return s;
  return s
    .split("\n")
    .flatMap((line) => {
      if (displayWidth(line) <= width || TABLE_LINE.test(stripAnsi(line))) return [line];
      const [, space = "", bullet = ""] = /^(\s*)((?:[-*•·]|\d+\.)\s+)?/.exec(stripAnsi(line))!;
      return wrapWords(line, width, " ".repeat(space.length + (bullet ? bullet.length : 2)));
    })
    .join("\n");
}
