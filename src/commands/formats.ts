import { type GlobalOptions, loadContext } from "../context.js";
import type { FormatsFlagsT } from "../flags/misc.js";
import { envelope } from "../output/envelope.js";
import { type Doc, type DocColumn, emit, tableBlock, text } from "../output/document.js";
import { json } from "../output/format.js";
import type { FormatsJsonT } from "../schemas/formats.js";
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

/** The JSON document: the envelope every command's JSON has (the price tables read only here), and the list. */
const formatsJson = (opts: GlobalOptions, formats: FormatInfo[]): FormatsJsonT => ({ ...envelope("formats", loadContext(opts).catalog), formats });

/** The formats and what holds for all of them. On a narrow terminal the description wraps; what a format loads into goes first, then its kind. */
export function formatsDocument(formats: readonly FormatInfo[]): Doc {
  const columns: DocColumn[] = [
    { key: "format", head: "Format", type: "text", fit: { min: 16 } },
    { key: "kind", head: "Kind", type: "text", fit: { priority: 2 } },
    { key: "loads_into", head: "Loads into", type: "text", fit: { priority: 1 } },
    { key: "description", head: "Description", type: "text", fit: { min: 30, shrink: "wrap" } },
  ];
  const rows = formats.map((r) => [r.name, r.kind, r.target, r.description]);
  return { blocks: [tableBlock({ name: "formats", columns, rows, alignTerminal: false, alignMarkdown: false }), text(NOTE, ["table"])] };
}

export async function run(opts: FormatsFlagsT): Promise<number> {
  const format = opts.format;
  const rows = collect();
  stdout(format === "json" ? json(formatsJson(opts, rows)) : emit(formatsDocument(rows), format));
  return 0;
}
