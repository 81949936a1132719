import { parseFormat } from "../context.js";
import { csv, json, markdown, table } from "../output/format.js";
import { ADAPTERS } from "../sources/index.js";

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
          : table(head, cells);
  process.stdout.write(out);
  return 0;
}
