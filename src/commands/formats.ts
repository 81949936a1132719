import { type GlobalOptions, loadContext } from "../context.js";
import type { FormatsFlagsT } from "../flags/misc.js";
import { envelope } from "../output/envelope.js";
import { type Column, csv, fitText, json, markdown, table } from "../output/format.js";
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

/** On a narrow terminal the description wraps; what a format loads into goes first, then its kind. */
const COLS: Column[] = [{ head: "Format", min: 16 }, { head: "Kind", priority: 2 }, { head: "Loads into", priority: 1 }, { head: "Description", min: 30, shrink: "wrap" }];

export async function run(opts: FormatsFlagsT): Promise<number> {
  const format = opts.format;
  const rows = collect();
  const head = ["Format", "Kind", "Loads into", "Description"];
  const cells = rows.map((r) => [r.name, r.kind, r.target, r.description]);
  const out =
    format === "json"
      ? json(formatsJson(opts, rows))
      : format === "csv"
        ? csv(head, cells)
        : format === "markdown"
          ? markdown(head, cells)
          : fitText(`${table(COLS, cells)}\n${NOTE}\n`);
  stdout(out);
  return 0;
}
