/**
 * The neutral document every command's output goes through (issue #16). A command's collect step returns a typed
 * result; its renderer turns that result into a `Doc` (title lines, tables of typed columns, notes), and `emit`
 * writes the document in one of the formats for people and spreadsheets. JSON is not emitted from a document: it is
 * the typed result itself, with its zod contract (src/schemas/).
 *
 * Adding a format: one file in ./emit/ exporting an `Emitter`, and its name in `FORMATS` (./formats.ts; the `EMITTERS` record
 * below is typed by that list, so the compiler names the missing emitter).
 */
import type { Column } from "./fit.js";
import { DOC_FORMATS, type DocFormat } from "./formats.js";
import { csvEmitter } from "./emit/csv.js";
import { markdownEmitter } from "./emit/markdown.js";
import { tableEmitter } from "./emit/table.js";

/** What a column holds, which says how each format writes it. */
export type ColumnType =
  /** Dollars as an exact decimal string: `$1,234.56` for people, a number rounded to 6 places in CSV. */
  | "money"
  /** A whole number: `14,560` for people, `14560` in CSV. */
  | "count"
  /** A fraction (0.86 for 86%): `86.0%` for people, `0.86` in CSV. */
  | "percent"
  /** An ISO date or timestamp, written as it is. */
  | "date"
  /**
   * A measure in a unit another column names (hours, a percentage as given, dollars of a row whose unit is usd/day):
   * written as it is in CSV (the builder rounds it), its cell's text for people.
   */
  | "number"
  /** Yes or no: `true`/`false` in CSV, `yes`/`no` for people unless the cell says (`ok`, `CHECK`). */
  | "boolean"
  /** Anything else, written as it is. */
  | "text";

/** The formats a document is emitted in (JSON is the typed result, not a document). */
export { DOC_FORMATS, type DocFormat } from "./formats.js";

/** A raw value: decimal string for money, number for counts and fractions, boolean for yes/no, string for dates and text; null is none. */
export type Value = string | number | boolean | null;

/** How a cell or a line is marked on a terminal (colour only there; the other formats ignore it). */
export type Tone = "warn" | "accent" | "strong" | "dim" | "bad" | "good";

/** A cell whose people-facing text differs from its value (`$4.20 +unpriced`), or that carries a tone. */
export interface Cell {
  value: Value;
  /** What people read (table and markdown); the value's own rendering when omitted. */
  text?: string;
  tone?: Tone;
}

export interface DocColumn {
  /** The CSV header, snake_case. */
  key: string;
  /** The table and markdown header. */
  head: string;
  type: ColumnType;
  /** Default: right for money, count and percent, else left. */
  align?: "left" | "right";
  /** Only in these formats (default: all). A CSV-only split of a table's column, or a terminal-only bar. */
  only?: readonly DocFormat[];
  /** How the column gives way on a narrow terminal (see fit.ts). */
  fit?: Pick<Column, "priority" | "min" | "shrink" | "label">;
}

export interface DocTable {
  /** The part of the output it is, for the `table` column of a CSV that holds several tables. */
  name: string;
  columns: readonly DocColumn[];
  rows: readonly (readonly (Value | Cell)[])[];
  /** Markdown: write the `---:` alignment row (default true). */
  alignMarkdown?: boolean;
  /** Terminal: align the columns by type (default true); false draws every cell from the left. */
  alignTerminal?: boolean;
}

/**
 * A part of a document. Text blocks are lines of prose (each block ends a line; a block of "" is a blank line).
 * `heading` is the output's headline (bold; `**…**` in markdown), `subtitle` its scope line (`_…_` in markdown),
 * `note` a caveat (yellow; a `>` quote in markdown), `list` a titled list of points (`  - point` on the terminal,
 * `- point` in markdown; with `bullets: false`, `  point` and `point`).
 */
export type Block = BlockOptions &
  (
    | { kind: "heading" | "subtitle" | "text" | "note"; text: string; tone?: Tone }
    | { kind: "list"; title: string; items: readonly string[]; bullets?: boolean }
    | { kind: "table"; table: DocTable }
  );

/** What every block may say besides its content. */
export interface BlockOptions {
  /** Only in these formats (default: all). */
  only?: readonly DocFormat[];
  /**
   * Markdown: blank lines before the block (default 1; 0 continues the block before, as a caption line on its
   * table; ignored on the first block). The terminal writes blocks line after line.
   */
  gap?: number;
}

export interface Doc {
  blocks: readonly Block[];
  /**
   * CSV of several tables: the order of the shared header's columns (after `table`), where the order of first use
   * is not the one wanted. Keys no table has are left out; keys not named here follow in order of first use.
   */
  csvKeys?: readonly string[];
}

/** One format's writer. */
export interface Emitter {
  emit(doc: Doc): string;
}

const EMITTERS: Record<DocFormat, Emitter> = { table: tableEmitter, csv: csvEmitter, markdown: markdownEmitter };

/** The document in a format, with the blocks and columns that format holds. */
export function emit(doc: Doc, format: DocFormat): string {
  const shown = <T extends { only?: readonly DocFormat[] }>(x: T) => x.only === undefined || x.only.includes(format);
  const blocks = doc.blocks.filter(shown).map((b): Block => (b.kind === "table" ? { ...b, table: selectColumns(b.table, shown) } : b));
  return EMITTERS[format].emit({ ...doc, blocks });
}

function selectColumns(t: DocTable, shown: (c: DocColumn) => boolean): DocTable {
  const keep = t.columns.map(shown);
  return { ...t, columns: t.columns.filter((_, i) => keep[i]), rows: t.rows.map((r) => r.filter((_, i) => keep[i])) };
}

export const isCell = (v: Value | Cell): v is Cell => v !== null && typeof v === "object";
export const cellValue = (v: Value | Cell): Value => (isCell(v) ? v.value : v);
export const alignOf = (c: DocColumn): "left" | "right" => c.align ?? (c.type === "text" || c.type === "date" ? "left" : "right");

/** Shorthands for the documents' builders. */
export const heading = (text: string, only?: readonly DocFormat[]): Block => ({ kind: "heading", text, ...(only ? { only } : {}) });
export const subtitle = (text: string, only?: readonly DocFormat[]): Block => ({ kind: "subtitle", text, ...(only ? { only } : {}) });
export const text = (s: string, only?: readonly DocFormat[], tone?: Tone): Block => ({
  kind: "text",
  text: s,
  ...(only ? { only } : {}),
  ...(tone ? { tone } : {}),
});
export const note = (s: string, only?: readonly DocFormat[]): Block => ({ kind: "note", text: s, ...(only ? { only } : {}) });
export const tableBlock = (table: DocTable, only?: readonly DocFormat[]): Block => ({ kind: "table", table, ...(only ? { only } : {}) });
/** The blocks of several documents in order, as one (a command that shows the parts of others, as demo does; their `csvKeys` are not kept). */
export const concat = (...docs: readonly Doc[]): Doc => ({ blocks: docs.flatMap((d) => d.blocks) });
/** The document shown only in `formats` (of those its blocks were in): a part another command shows in fewer formats. */
export const restrict = (doc: Doc, formats: readonly DocFormat[]): Doc => ({
  ...doc,
  blocks: doc.blocks.map((b) => ({ ...b, only: (b.only ?? DOC_FORMATS).filter((f) => formats.includes(f)) })),
});
/** For people only: the terminal and markdown (a CSV is data). */
export const PEOPLE: readonly DocFormat[] = ["table", "markdown"];
