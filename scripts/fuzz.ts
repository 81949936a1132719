/**
 * The ingest fuzzer: mutates every fixture (cuts, flipped bytes, dropped and repeated lines, numbers turned into
 * text, impossible dates, BOMs, other line ends, gzip, NUL bytes…) and ingests each mutant into one database, in
 * process. Every mutant must end in one of two ways:
 *   accepted   exit 0, and the rows it stored are sane (tokens ≥ 0, timestamps from 2020 to tomorrow, costs ≥ 0);
 *   refused    exit 2, a message naming the file and a reason in plain words (no DuckDB text), the database unchanged.
 * Anything else (an internal error, another exit code, a stack trace, a changed database) is a failure.
 *
 * `npm run fuzz` runs FUZZ_COUNT mutants (default 5,000; FUZZ_SEED, default 1) and prints the counts per outcome;
 * test/fuzz.test.ts runs a bounded sample in the suite.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { DEFAULT_TAG_PATTERN } from "../src/config.js";
import { ExitError } from "../src/errors.js";
import { ingest } from "../src/ingest/ingest.js";
import { loadCatalog } from "../src/pricing/load.js";
import { DEFAULT_LOGS } from "../src/sources/flat-log.js";
import { Db } from "../src/store/db.js";
import { rng } from "./synthetic.js";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const NUMBERS = ["abc", "-1", "-0.5", "1e400", "NaN", "99999999999999999999", "", "true", "null", "1.5", "0x10", "1,000"];
const DATES = ["2025-02-30", "0001-01-01", "1970-01-01T00:00:00Z", "2999-01-01", "yesterday", "0"];

/** One mutation of `text`, named for the report. */
const MUTATIONS: { name: string; apply: (b: Buffer, r: Rand) => Buffer }[] = [
  { name: "cut", apply: (b, r) => b.subarray(0, Math.floor(r() * b.length)) },
  {
    name: "flip-byte",
    apply: (b, r) => {
      const c = Buffer.from(b);
      if (c.length) c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
      return c;
    },
  },
  { name: "drop-line", apply: (b, r) => lines(b, (ls) => ls.splice(Math.floor(r() * ls.length), 1)) },
  {
    name: "repeat-line",
    apply: (b, r) =>
      lines(b, (ls) => {
        const i = Math.floor(r() * ls.length);
        ls.splice(i, 0, ls[i] ?? "");
      }),
  },
  {
    name: "swap-lines",
    apply: (b, r) =>
      lines(b, (ls) => {
        const i = Math.floor(r() * ls.length);
        const j = Math.floor(r() * ls.length);
        [ls[i], ls[j]] = [ls[j] ?? "", ls[i] ?? ""];
      }),
  },
  { name: "number-to-text", apply: (b, r) => replaceNth(b, /-?\d+(\.\d+)?/g, r, () => pick(r, NUMBERS)) },
  { name: "bad-date", apply: (b, r) => replaceNth(b, /\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?/g, r, () => pick(r, DATES)) },
  { name: "bom", apply: (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]) },
  { name: "crlf", apply: (b) => Buffer.from(b.toString("utf8").replace(/\r?\n/g, "\r\n")) },
  { name: "cr-only", apply: (b) => Buffer.from(b.toString("utf8").replace(/\r?\n/g, "\r")) },
  { name: "nul", apply: (b, r) => Buffer.concat([b.subarray(0, Math.floor(r() * b.length)), Buffer.from([0]), b.subarray(Math.floor(r() * b.length))]) },
  { name: "garbage-line", apply: (b, r) => Buffer.concat([b, Buffer.from(pick(r, ["}{\n", "not,a,row\n", '{"x": 1}\n', ",,,,,\n", "\u00ff\u00fe\n"]))]) },
  { name: "empty", apply: () => Buffer.alloc(0) },
  { name: "header-only", apply: (b) => Buffer.from(`${b.toString("utf8").split("\n")[0]}\n`) },
  { name: "drop-key", apply: (b, r) => replaceNth(b, /"[a-z_]+"\s*:\s*("[^"]*"|-?[\d.]+|true|false|null),?/g, r, () => "") },
];

function lines(b: Buffer, edit: (ls: string[]) => void): Buffer {
  const ls = b.toString("utf8").split("\n");
  edit(ls);
  return Buffer.from(ls.join("\n"));
}

function replaceNth(b: Buffer, re: RegExp, r: Rand, by: () => string): Buffer {
  const text = b.toString("utf8");
  const hits = [...text.matchAll(re)];
  if (hits.length === 0) return b;
  const m = pick(r, hits);
  return Buffer.from(text.slice(0, m.index) + by() + text.slice(m.index! + m[0].length));
}

/** Every fixture a user could ingest on its own (the demo's big log is cut to its first 200 lines). */
export function fuzzInputs(): string[] {
  const dirs = ["fixtures/formats", "fixtures/real"].map((d) => join(ROOT, d));
  return dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => !f.endsWith(".config.json") && !f.includes("batch-input") && statSync(join(d, f)).isFile())
      .sort()
      .map((f) => join(d, f)),
  );
}

export interface FuzzResult {
  mutants: number;
  outcomes: Record<string, number>;
  /** refused mutants whose message names a line or a JSON path (the rest name the file only). */
  located: number;
  failures: { mutant: string; mutation: string; why: string }[];
}

/** Plain-words check: DuckDB's own phrasing never reaches the user. */
const DUCKDB_TEXT = /(\w+ Error:|Binder|Catalog|Parser|INTERNAL|state machine|FROM clause|Conversion|can't be cast|TRY_CAST|\bSQL\b)/;
const LOCATED = /^[^:]+:(\d+|\s\S[^:]*):\s/;

async function fingerprint(db: string): Promise<string> {
  const h = await Db.open(db, { readOnly: true });
  try {
    const row = await h.one<{ f: string }>(
      `SELECT concat_ws('|', (SELECT count(*) FROM usage), (SELECT sum(input_tokens + output_tokens) FROM usage), (SELECT sum(cost_usd) FROM usage),
         (SELECT count(*) FROM billed_cost), (SELECT sum(amount_usd) FROM billed_cost), (SELECT count(*) FROM ingests), (SELECT max(ingest_id) FROM ingests)) AS f`,
    );
    return row?.f ?? "";
  } finally {
    h.close();
  }
}

/** Rows of ingests after `after` that break a sane-value rule, with the rule. */
async function insane(db: string, after: number): Promise<string | null> {
  const h = await Db.open(db, { readOnly: true });
  try {
    const row = await h.one<{ why: string | null }>(
      `SELECT CASE WHEN count(*) FILTER (WHERE least(input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens) < 0) > 0 THEN 'negative tokens'
                   WHEN count(*) FILTER (WHERE ts < TIMESTAMP '2020-01-01' OR ts > now()::TIMESTAMP + INTERVAL 2 DAY OR ts IS NULL) > 0 THEN 'timestamp outside 2020..tomorrow'
                   WHEN count(*) FILTER (WHERE cost_usd < 0) > 0 THEN 'negative cost'
                   WHEN count(*) FILTER (WHERE bucket_end < ts) > 0 THEN 'bucket ends before it starts'
                   WHEN count(*) FILTER (WHERE requests < 0) > 0 THEN 'negative requests' END AS why
       FROM usage WHERE ingest_id > $1`,
      [after],
    );
    return row?.why ?? null;
  } finally {
    h.close();
  }
}

export async function runFuzz(opts: { seed: number; count: number; budgetMs?: number; log?: (s: string) => void }): Promise<FuzzResult> {
  const r = rng(opts.seed);
  const dir = join(tmpdir(), `llmcost-fuzz-${process.pid}-${opts.seed}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = join(dir, "fuzz.duckdb");
  const catalog = loadCatalog({});
  const inputs = fuzzInputs();
  const result: FuzzResult = { mutants: 0, outcomes: { accepted: 0, refused: 0, failed: 0 }, located: 0, failures: [] };
  const started = Date.now();
  // Nobody else writes to it: the stdout of commands is not used here.
  const base = { dbPath: db, replace: false, dryRun: false, tagPattern: DEFAULT_TAG_PATTERN, catalog, sourceOptions: {}, logs: DEFAULT_LOGS };
  await ingest({ ...base, inputs: [join(ROOT, "fixtures/formats/requests.csv")] });
  let last = await fingerprint(db);
  try {
    for (let i = 0; i < opts.count; i++) {
      if (opts.budgetMs !== undefined && Date.now() - started > opts.budgetMs) break;
      const src = pick(r, inputs);
      const steps = 1 + Math.floor(r() * 2);
      let bytes: Buffer = readFileSync(src);
      const names: string[] = [];
      for (let s = 0; s < steps; s++) {
        const m = pick(r, MUTATIONS);
        bytes = m.apply(bytes, r);
        names.push(m.name);
      }
      let ext = extname(src);
      if (r() < 0.1) {
        bytes = gzipSync(bytes);
        const cut = r() < 0.5;
        if (cut) bytes = bytes.subarray(0, Math.floor(bytes.length * r()));
        ext += ".gz";
        names.push(cut ? "gzip-cut" : "gzip");
      }
      const name = `m${i}-${basename(src, extname(src))}${ext}`;
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const mutation = names.join("+");
      const skipBadRows = r() < 0.3;
      const before = last;
      const lastId = Number(before.split("|")[6] || 0);
      result.mutants++;
      try {
        await ingest({ ...base, inputs: [path], skipBadRows });
        last = await fingerprint(db);
        const why = await insane(db, lastId);
        if (why) {
          result.outcomes.failed!++;
          result.failures.push({ mutant: name, mutation, why: `accepted with ${why}` });
        } else result.outcomes.accepted!++;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const after = await fingerprint(db);
        last = after;
        const fail = (why: string) => {
          result.outcomes.failed!++;
          result.failures.push({ mutant: name, mutation, why });
        };
        if (!(err instanceof ExitError)) fail(`internal error: ${msg.split("\n")[0]}`);
        else if (err.code !== 2) fail(`exit ${err.code}: ${msg}`);
        else if (after !== before) fail(`database changed on refusal: ${msg}`);
        else if (!msg.includes(path) && !msg.includes(name)) fail(`message does not name the file: ${msg}`);
        else if (DUCKDB_TEXT.test(msg)) fail(`DuckDB's words: ${msg}`);
        else if (!/: \S/.test(msg.replace(path, ""))) fail(`no reason: ${msg}`);
        else {
          result.outcomes.refused!++;
          if (LOCATED.test(msg.replace(path, "F"))) result.located++;
        }
      }
      rmSync(path, { force: true });
      if (opts.log && result.mutants % 100 === 0) opts.log(`${result.mutants} mutants: ${JSON.stringify(result.outcomes)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seed = Number(process.env.FUZZ_SEED ?? 1);
  const count = Number(process.env.FUZZ_COUNT ?? 5000);
  const t0 = Date.now();
  const res = await runFuzz({ seed, count, log: (s) => process.stderr.write(s) });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  process.stdout.write(
    `fuzz: ${res.mutants} mutants of ${fuzzInputs().length} fixtures (seed ${seed}) in ${secs} s\n` +
      `  accepted (exit 0, sane rows):                 ${res.outcomes.accepted}\n` +
      `  refused (exit 2, plain words, db unchanged):  ${res.outcomes.refused} (${res.located} name a line or record)\n` +
      `  failed:                                       ${res.outcomes.failed}\n`,
  );
  const byWhy = new Map<string, number>();
  for (const f of res.failures) byWhy.set(f.why.slice(0, 90), (byWhy.get(f.why.slice(0, 90)) ?? 0) + 1);
  for (const [why, n] of [...byWhy].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`    ${String(n).padStart(4)}  ${why}\n`);
  for (const f of res.failures.slice(0, 20)) process.stdout.write(`  ${f.mutant} (${f.mutation}): ${f.why}\n`);
  process.exitCode = res.outcomes.failed ? 1 : 0;
}
