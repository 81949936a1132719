/** Writes N synthetic request-log rows: node dist/scripts/make-csv.js N FILE (FILE ending .jsonl: JSON Lines). */
import { createWriteStream } from "node:fs";
import { CSV_HEADER, type SyntheticRow, synthesize, toCsv, toJsonl } from "./synthetic.js";

async function writeRows(rows: number, path: string, header: string | null, line: (row: SyntheticRow) => string): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  if (header !== null) await write(`${header}\n`);
  const perDay = Math.ceil(rows / 30);
  let n = 0;
  let buf: string[] = [];
  for (const row of synthesize({ start: new Date("2025-10-01T00:00:00Z"), days: 40, perDay, seed: 7 })) {
    buf.push(line(row));
    if (++n === rows) break;
    if (buf.length === 10_000) {
      await write(`${buf.join("\n")}\n`);
      buf = [];
    }
  }
  if (buf.length) await write(`${buf.join("\n")}\n`);
  await new Promise<void>((r) => out.end(() => r()));
}

/** A flat request-log CSV over about 30 days from 2025-10-01. */
export const writeCsv = (rows: number, path: string): Promise<void> => writeRows(rows, path, CSV_HEADER, toCsv);

/** The same traffic as a JSON Lines request log with the providers' raw usage objects (the demo's mix). */
export const writeJsonl = (rows: number, path: string): Promise<void> => writeRows(rows, path, null, toJsonl);

if (process.argv[1]?.endsWith("make-csv.js")) {
  const path = process.argv[3]!;
  await (path.endsWith(".jsonl") ? writeJsonl : writeCsv)(Number(process.argv[2]), path);
}
