/** Markdown as GitHub renders it: `**headline**`, `_scope_`, pipe tables, `>` notes; blocks apart by a blank line (a block's `gap`). */
import { alignOf, type Block, type Doc, type Emitter } from "../document.js";
import { markdown } from "../format.js";
import { peopleText } from "./people.js";

function block(b: Block): string {
  switch (b.kind) {
    case "heading":
      return `**${b.text}**\n`;
    case "subtitle":
      return `_${b.text}_\n`;
    case "text":
      return `${b.text}\n`;
    case "note":
      return `> ${b.text}\n`;
    case "list":
      return `${[b.title, ...b.items.map((i) => (b.bullets === false ? i : `- ${i}`))].join("\n")}\n`;
    case "table": {
      const t = b.table;
      const rows = t.rows.map((r) => r.map((v, i) => peopleText(t.columns[i]!.type, v)));
      return markdown(
        t.columns.map((c) => c.head),
        rows,
        t.alignMarkdown === false ? undefined : t.columns.map(alignOf),
      );
    }
  }
}

export const markdownEmitter: Emitter = {
  emit: (doc: Doc): string => doc.blocks.map((b, i) => `${i === 0 ? "" : "\n".repeat(b.gap ?? 1)}${block(b)}`).join(""),
};
