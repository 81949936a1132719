/** The terminal: bold headline, tables that fit the width (fit.ts), colour by tone, prose wrapped. */
import type { ChalkInstance } from "chalk";
import { alignOf, type Block, type Doc, type Emitter, isCell, type Tone } from "../document.js";
import type { Column } from "../fit.js";
import { colors, fitText, table } from "../format.js";
import { peopleText } from "./people.js";

const paint = (c: ChalkInstance, tone: Tone | undefined, s: string): string => {
  switch (tone) {
    case undefined:
      return s;
    case "warn":
      return c.yellow(s);
    case "accent":
      return c.cyan(s);
    case "strong":
      return c.bold(s);
    case "dim":
      return c.dim(s);
    case "bad":
      return c.red(s);
    case "good":
      return c.green(s);
  }
};

function block(c: ChalkInstance, b: Block): string {
  switch (b.kind) {
    case "heading":
      return paint(c, b.tone ?? "strong", b.text);
    case "subtitle":
    case "text":
      return paint(c, b.tone, b.text);
    case "note":
      return paint(c, b.tone ?? "warn", b.text);
    case "list":
      return [b.title, ...b.items.map((i) => (b.bullets === false ? `  ${i}` : `  - ${i}`))].join("\n");
    case "table": {
      const t = b.table;
      const cols = t.columns.map((col): Column => ({ head: col.head, ...(t.alignTerminal === false ? {} : { align: alignOf(col) }), ...col.fit }));
      const rows = t.rows.map((r) => r.map((v, i) => paint(c, isCell(v) ? v.tone : undefined, peopleText(t.columns[i]!.type, v))));
      return table(cols, rows);
    }
  }
}

export const tableEmitter: Emitter = {
  emit(doc: Doc): string {
    const c = colors();
    return fitText(doc.blocks.map((b) => `${block(c, b)}\n`).join(""));
  },
};
