/**
 * `npm run show-sql -- FORMAT [FILE]`: the INSERT an adapter's mapping becomes, as ingest runs it (the file is the
 * `$path` parameter, so the SQL does not depend on where it is). FILE defaults to the first bundled fixture detected as
 * FORMAT. Tests keep one golden per adapter (test/golden/sql/), so a change to a mapping or to the shared SQL shows
 * as a diff.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compileTagPattern, DEFAULT_TAG_PATTERN } from "../src/config.js";
import { insertBilledSql, insertUsageSql, usageTable } from "../src/ingest/load.js";
import { sniff } from "../src/ingest/files.js";
import { loadCatalog } from "../src/pricing/load.js";
import { ADAPTERS, adapterByName, detectAdapter } from "../src/sources/index.js";
import type { SourceFile } from "../src/sources/types.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const FIXTURES = join(ROOT, "fixtures");

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
}

/** The first bundled fixture each format detects, by format name. */
export function fixtureOf(format: string): string | undefined {
  return walk(FIXTURES).find((f) => {
    const s = sniff(f);
    return s.ok && detectAdapter(s.head)?.name === format;
  });
}

/** The SQL ingest runs for `file` read as `format`, one clause a line; undefined for a format with no rows of its own. */
export function showSql(format: string, file: string): string | undefined {
  const adapter = adapterByName(format);
  if (!adapter) throw new Error(`unknown format ${format}; one of ${ADAPTERS.map((a) => a.name).join(", ")}`);
  if (adapter.target === "companion") return undefined;
  const s = sniff(file);
  if (!s.ok) throw new Error(`${file}: ${s.reason}`);
  const source: SourceFile = { path: file, head: s.head, companions: [] };
  const tag = compileTagPattern(DEFAULT_TAG_PATTERN);
  const sql =
    adapter.target === "billed_cost" ? insertBilledSql(adapter, source) : insertUsageSql(adapter, source, tag, usageTable(adapter, source, loadCatalog(), tag));
  return `${sql
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "")
    .join("\n")}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [format, file] = process.argv.slice(2);
  if (!format) {
    process.stderr.write(`usage: npm run show-sql -- FORMAT [FILE]\nformats: ${ADAPTERS.map((a) => a.name).join(", ")}\n`);
    process.exit(2);
  }
  const path = file ?? fixtureOf(format);
  if (!path) {
    process.stderr.write(`no bundled fixture is detected as ${format}: pass a FILE\n`);
    process.exit(2);
  }
  const sql = showSql(format, path);
  process.stdout.write(sql ?? `-- ${format} has no rows of its own (it is joined to its output file)\n`);
  process.stderr.write(`-- ${format}, read from ${relative(process.cwd(), path)}\n`);
}
