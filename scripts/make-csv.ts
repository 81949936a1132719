/** Writes N synthetic request-log CSV rows: node dist/scripts/make-csv.js N FILE */
import { createWriteStream } from "node:fs";
import { CSV_HEADER, synthesize, toCsv } from "./synthetic.js";

export async function writeCsv(rows: number, path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  await write(`${CSV_HEADER}\n`);
  const perDay = Math.ceil(rows / 30);
  let n = 0;
  let buf: string[] = [];
  for (const row of synthesize({ start: new Date("2025-10-01T00:00:00Z"), days: 40, perDay, seed: 7 })) {
    buf.push(toCsv(row));
    if (++n === rows) break;
    if (buf.length === 10_000) {
      await write(`${buf.join("\n")}\n`);
      buf = [];
    }
  }
  if (buf.length) await write(`${buf.join("\n")}\n`);
  await new Promise<void>((r) => out.end(() => r()));
}

if (process.argv[1]?.endsWith("make-csv.js")) {
  await writeCsv(Number(process.argv[2]), process.argv[3]!);
}
