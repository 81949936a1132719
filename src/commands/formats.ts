import { parseFormat } from "../context.js";
import { csv, json, markdown, table } from "../output/format.js";
import { ADAPTERS } from "../sources/index.js";
import { stdout } from "../io.js";

export interface FormatInfo {
  name: string;
  kind: "billing" | "requests" | "companion";
  target: "usage" | "billed_cost" | "companion";
  description: string;
}

export const collect = (): FormatInfo[] =>
  ADAPTERS.map((a) => ({
    name: a.name,
    kind: a.target === "companion" ? "companion" : a.kind,
    target: a.target,
    description: a.description,
  }));

/** What holds for every format (table output only; JSON stays the list). */
const NOTE =
  "Detection is by header or key signature. A UTF-8 byte-order mark is skipped in CSV, JSON and JSON Lines. " +
  "--format NAME forces a format; a file with none of that format's token (or amount) fields is refused (exit 2), never read as rows of zero tokens.";

export async function run(opts: { format?: string }): Promise<number> {
  const format = parseFormat(opts.format);
  const rows = collect();
  const head = ["Format", "Kind", "Loads into", "Description"];
  const cells = rows.map((r) => [r.name, r.kind, r.target, r.description]);
  const out =
    format === "json"
      ? json({ schemaVersion: 1, command: "formats", formats: rows })
      : format === "csv"
        ? csv(head, cells)
        : format === "markdown"
          ? markdown(head, cells)
          : `${table(head, cells)}\n${NOTE}\n`;
  stdout(out);
  return 0;
}
