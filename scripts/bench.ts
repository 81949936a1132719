/**
 * npm run bench: llmcost against raw DuckDB doing the same work, in one run, each side in a fresh process.
 *   ingest:  `llmcost ingest FILE`  vs  CREATE TABLE t AS SELECT * FROM read_csv(FILE)
 *   report:  `llmcost report --by feature` (fresh process)  vs  the same GROUP BY over the stored table
 *   otel:    `llmcost ingest SPANS.jsonl` (OTel GenAI spans, one per line)  vs  CREATE TABLE t AS SELECT * FROM read_json(…)
 *   big:     report, budget and simulate on a database of BENCH_BIG_ROWS rows built directly in SQL (bench-big.ts),
 *            from the usage rollup and from the raw rows (LLMCOST_NO_ROLLUP=1)
 *   history: `llmcost ingest FILE` into a database of BENCH_HISTORY earlier rows  vs  the same into an empty one
 *   jsonl:   `llmcost ingest REQUESTS.jsonl` (raw provider usage objects)  vs  CREATE TABLE t AS SELECT * FROM read_json(…)
 * Sizes: BENCH_ROWS=1000000,10000000 (default); BENCH_OTEL_SPANS=1000000 (default; 0 skips); BENCH_HISTORY=10000000
 * rows of history (default; the targets are at 50000000; 0 skips) under a BENCH_HISTORY_FILE=1000000-row file;
 * BENCH_JSONL=1000000 lines (default; 0 skips); BENCH_BIG_ROWS=10000000 (default; 100000000 for the issue's targets;
 * 0 skips). Data is generated once into bench-data/ and reused.
 * Each pair runs BENCH_REPEAT times (default 3), raw and llmcost alternating, and the medians are compared: a shared
 * machine's speed drifts by ~20% within minutes, and alternating puts both sides in the same drift.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeCsv, writeJsonl } from "./make-csv.js";
import { writeOtel } from "./make-otel.js";
import { benchBig } from "./bench-big.js";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");
const DATA = join(ROOT, "bench-data");
const BIN = join(ROOT, "bin", "llmcost.js");
const DUCKDB = join(ROOT, "node_modules", "@duckdb", "node-api", "lib", "index.js");
const sizes = (process.env.BENCH_ROWS ?? "1000000,10000000")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const otelSpans = Number(process.env.BENCH_OTEL_SPANS ?? 1_000_000);
const bigRows = Number(process.env.BENCH_BIG_ROWS ?? 10_000_000);
// 10M rows by default keeps `npm run bench` short; the #18 targets are stated at BENCH_HISTORY=50000000.
const historyRows = Number(process.env.BENCH_HISTORY ?? 10_000_000);
const historyFile = Number(process.env.BENCH_HISTORY_FILE ?? 1_000_000);
const jsonlLines = Number(process.env.BENCH_JSONL ?? 1_000_000);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs each side `repeat` times, alternating; returns the median wall time of each. */
function pair(rawRun: () => number, ourRun: () => number): { raw: number; ours: number; range: string } {
  const r: number[] = [];
  const o: number[] = [];
  for (let i = 0; i < repeat; i++) {
    r.push(rawRun());
    o.push(ourRun());
  }
  const ratios = o.map((x, i) => x / r[i]!);
  return { raw: median(r), ours: median(o), range: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` };
}

/** Wall time of a fresh node process, in seconds. */
function timed(args: string[]): number {
  const t = performance.now();
  execFileSync(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  return (performance.now() - t) / 1000;
}

/** A throwaway script run in its own process: raw DuckDB with nothing of llmcost loaded. */
const raw = (body: string) => ["--input-type=module", "-e", `import { DuckDBInstance } from ${JSON.stringify(DUCKDB)};\n${body}`];

const REPORT_SQL = `SELECT feature, sum(requests), sum(input_tokens), sum(cached_input_tokens), sum(cache_write_5m_tokens),
  sum(cache_write_1h_tokens), sum(output_tokens), sum(cost_usd) FILTER (WHERE priced), count(*) FILTER (WHERE NOT priced)
  FROM usage WHERE source_kind = 'requests' GROUP BY feature ORDER BY 8 DESC`;

const fmt = (s: number) => `${s.toFixed(2)}s`;
const rows: string[][] = [];

mkdirSync(DATA, { recursive: true });
console.log(`llmcost bench · node ${process.version} · ${cpus().length} cores · ${cpus()[0]?.model ?? "?"}`);
for (const n of sizes) {
  const file = join(DATA, `requests-${n}.csv`);
  if (!existsSync(file)) {
    const t = performance.now();
    await writeCsv(n, file);
    console.log(`generated ${n.toLocaleString("en")} rows (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${fmt((performance.now() - t) / 1000)}`);
  }
  const rawDb = join(DATA, `raw-${n}.duckdb`);
  const ourDb = join(DATA, `llmcost-${n}.duckdb`);
  const fresh = (db: string) => {
    for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
  };

  const ingest = pair(
    () => {
      fresh(rawDb);
      return timed(
        raw(`const i = await DuckDBInstance.create(${JSON.stringify(rawDb)}); const c = await i.connect();
await c.run("CREATE TABLE t AS SELECT * FROM read_csv(" + ${JSON.stringify(`'${file}'`)} + ")"); c.closeSync(); i.closeSync();`),
      );
    },
    () => {
      fresh(ourDb);
      return timed([BIN, "ingest", "--db", ourDb, file]);
    },
  );
  const rate = n / ingest.ours;
  const targets = `ratio ≤ 1.15: ${ingest.ours / ingest.raw <= 1.15 ? "met" : "MISSED"}, ≥ 1M rows/s: ${rate >= 1e6 ? "met" : "MISSED"}`;
  rows.push([
    `ingest ${n.toLocaleString("en")} rows`,
    fmt(ingest.raw),
    fmt(ingest.ours),
    (ingest.ours / ingest.raw).toFixed(2),
    ingest.range,
    `${Math.round(rate).toLocaleString("en")} rows/s (${targets})`,
  ]);

  const report = pair(
    () =>
      timed(
        raw(`const i = await DuckDBInstance.create(${JSON.stringify(ourDb)}, { access_mode: "READ_ONLY" }); const c = await i.connect();
await c.runAndReadAll(${JSON.stringify(REPORT_SQL)}); c.closeSync(); i.closeSync();`),
      ),
    () => timed([BIN, "report", "--db", ourDb, "--by", "feature", "--format", "json"]),
  );
  rows.push([
    `report --by feature, ${n.toLocaleString("en")} rows`,
    fmt(report.raw),
    fmt(report.ours),
    (report.ours / report.raw).toFixed(2),
    report.range,
    report.ours <= 0.5 ? "≤ 0.5 s target: met" : "≤ 0.5 s target: MISSED",
  ]);
  // Every tactic composed, as `simulate` runs them; there is no raw-DuckDB equivalent to compare with.
  const sims: number[] = [];
  for (let i = 0; i < repeat; i++)
    sims.push(
      timed([
        BIN,
        "simulate",
        "--db",
        ourDb,
        "--cache",
        "exact",
        "--route",
        "mini",
        "--batch",
        "auto",
        "--prompt-cache",
        "--prune",
        "0.2",
        "--output-cap",
        "800",
        "--format",
        "json",
      ]),
    );
  const sim = median(sims);
  rows.push([`simulate (all tactics), ${n.toLocaleString("en")} rows`, "—", fmt(sim), "—", "—", sim <= 5 ? "≤ 5 s target: met" : "≤ 5 s target: MISSED"]);
  fresh(rawDb);
}

// OTel spans: parsing typed attributes, picking LLM calls and skipping parents that repeat a child's usage, against
// DuckDB reading the same file into a table (its own type detection, no normalisation).
if (otelSpans > 0) {
  const file = join(DATA, `otel-spans-${otelSpans}.jsonl`);
  if (!existsSync(file)) {
    const t = performance.now();
    await writeOtel(otelSpans, file);
    console.log(`generated ${otelSpans.toLocaleString("en")} spans (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${fmt((performance.now() - t) / 1000)}`);
  }
  const rawDb = join(DATA, `raw-otel-${otelSpans}.duckdb`);
  const ourDb = join(DATA, `llmcost-otel-${otelSpans}.duckdb`);
  const fresh = (db: string) => {
    for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
  };
  const otel = pair(
    () => {
      fresh(rawDb);
      return timed(
        raw(`const i = await DuckDBInstance.create(${JSON.stringify(rawDb)}); const c = await i.connect();
await c.run("CREATE TABLE t AS SELECT * FROM read_json(" + ${JSON.stringify(`'${file}'`)} + ", format = 'newline_delimited')"); c.closeSync(); i.closeSync();`),
      );
    },
    () => {
      fresh(ourDb);
      return timed([BIN, "ingest", "--db", ourDb, file]);
    },
  );
  const ratio = otel.ours / otel.raw;
  rows.push([
    `ingest ${otelSpans.toLocaleString("en")} OTel spans (JSONL)`,
    fmt(otel.raw),
    fmt(otel.ours),
    ratio.toFixed(2),
    otel.range,
    `${Math.round(otelSpans / otel.ours).toLocaleString("en")} spans/s (ratio ≤ 2: ${ratio <= 2 ? "met" : "MISSED"})`,
  ]);
  fresh(rawDb);
}

const verdict = (ok: boolean) => (ok ? "met" : "not met");
const freshDb = (db: string) => {
  for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
};

/** The synthetic request log of n rows (CSV or JSON Lines), generated once. */
async function dataFile(n: number, ext: "csv" | "jsonl"): Promise<string> {
  const file = join(DATA, `requests-${n}.${ext}`);
  if (!existsSync(file)) {
    const t = performance.now();
    await (ext === "csv" ? writeCsv : writeJsonl)(n, file);
    console.log(`generated ${n.toLocaleString("en")} ${ext} rows (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${fmt((performance.now() - t) / 1000)}`);
  }
  return file;
}

/**
 * Wall time, CPU time (user + system, every thread) and peak RSS of a fresh process: its own resourceUsage(), written
 * at exit by a preloaded hook. On a shared machine the CPU time is the steadier figure.
 */
const RSS_HOOK = join(DATA, "rss-hook.mjs");
const RSS_OUT = join(DATA, "rss.out");
function timedRss(args: string[]): { s: number; cpu: number; mb: number } {
  writeFileSync(
    RSS_HOOK,
    `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => { const u = process.resourceUsage(); writeFileSync(${JSON.stringify(RSS_OUT)}, JSON.stringify([u.maxRSS, u.userCPUTime + u.systemCPUTime])); });\n`,
  );
  rmSync(RSS_OUT, { force: true });
  const s = timed(["--import", pathToFileURL(RSS_HOOK).href, ...args]);
  const [kb, us] = JSON.parse(readFileSync(RSS_OUT, "utf8")) as [number, number];
  return { s, cpu: us / 1e6, mb: kb / 1024 };
}

// Ingest against history: the same file into an empty database and into one holding BENCH_HISTORY earlier rows.
// The history is built once in SQL (bench-data/history-N.duckdb): the file is ingested into a template, and its rows
// are copied, one copy per day before the file's first day (each copy's ~30 days squeezed into that day, its
// request ids prefixed), with an ingests record per copy, so the database looks like daily ingests of a team with
// BENCH_HISTORY_FILE requests a day. Each timed run starts from a copy of it.
if (historyRows > 0 && historyFile > 0) {
  const file = await dataFile(historyFile, "csv");
  const base = join(DATA, `history-${historyRows}-${historyFile}.duckdb`);
  if (!existsSync(base)) {
    const t = performance.now();
    const tpl = join(DATA, "history-template.duckdb");
    freshDb(tpl);
    timed([BIN, "ingest", "--db", tpl, file]);
    const copies = Math.max(1, Math.round(historyRows / historyFile));
    timed(
      raw(`const i = await DuckDBInstance.create(${JSON.stringify(tpl)}); const c = await i.connect();
await c.run("CREATE TEMP TABLE src AS SELECT * FROM usage_lean ORDER BY ts; DELETE FROM usage_lean; DELETE FROM ingests");
const r = (await c.runAndReadAll("SELECT epoch_us(min(ts))::BIGINT AS lo, (epoch_us(max(ts)) - epoch_us(min(ts)) + 1)::BIGINT AS span FROM src")).getRowObjects()[0];
const scale = 86399e6 / Number(r.span);
for (let k = 0; k < ${copies}; k++) {
  await c.run("INSERT INTO usage_lean SELECT * REPLACE (TIMESTAMP '2025-10-01' - INTERVAL " + (${copies} - k) + " DAY + to_microseconds(((epoch_us(ts) - " + r.lo + ") * " + scale + ")::BIGINT) AS ts, " + (1000 + k) + " AS ingest_id, 'h" + k + ":' || request_id AS request_id) FROM src");
}
await c.run(\`INSERT INTO ingests (ingest_id, file_path, file_sha256, file_bytes, source_format, source_kind, rows_read, rows_inserted,
  rows_skipped, rows_replaced, min_ts, max_ts, ingested_at)
  SELECT ingest_id, 'history-' || ingest_id, 'history-' || ingest_id, 0, 'request-log-csv', 'requests', count(*), count(*), 0, 0,
    min(ts), max(ts), now()::TIMESTAMP FROM usage_lean GROUP BY ingest_id\`);
await c.run("CHECKPOINT"); c.closeSync(); i.closeSync();`),
    );
    copyFileSync(tpl, base);
    freshDb(tpl);
    console.log(
      `built ${(copies * historyFile).toLocaleString("en")} rows of history (${(statSync(base).size / 1e9).toFixed(1)} GB) in ${fmt((performance.now() - t) / 1000)}`,
    );
  }
  const emptyDb = join(DATA, "into-empty.duckdb");
  const workDb = join(DATA, "into-history.duckdb");
  const empty: ReturnType<typeof timedRss>[] = [];
  const full: ReturnType<typeof timedRss>[] = [];
  for (let i = 0; i < repeat; i++) {
    freshDb(emptyDb);
    empty.push(timedRss([BIN, "ingest", "--db", emptyDb, file]));
    freshDb(workDb);
    copyFileSync(base, workDb);
    full.push(timedRss([BIN, "ingest", "--db", workDb, file]));
  }
  freshDb(emptyDb);
  freshDb(workDb);
  const e = median(empty.map((x) => x.s));
  const h = median(full.map((x) => x.s));
  const ratios = full.map((x, i) => x.s / empty[i]!.s);
  const rss = Math.max(...full.map((x) => x.mb));
  const cpu = median(full.map((x) => x.cpu)) / median(empty.map((x) => x.cpu));
  rows.push([
    `ingest ${historyFile.toLocaleString("en")} rows: into ${historyRows.toLocaleString("en")} rows vs empty`,
    fmt(e),
    fmt(h),
    (h / e).toFixed(2),
    `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
    `ratio ≤ 1.25${historyRows < 50_000_000 ? " (target at 50M rows)" : ""}: ${verdict(h / e <= 1.25)} (CPU time ratio ${cpu.toFixed(2)}); peak RSS ${rss.toFixed(0)} MB (empty: ${Math.max(...empty.map((x) => x.mb)).toFixed(0)} MB), ≤ 1.5 GB: ${verdict(rss <= 1536)}`,
  ]);
}

// A JSON Lines request log (raw OpenAI, Anthropic and Gemini usage objects) against DuckDB reading the same file into
// a table (its own type detection, no normalisation).
if (jsonlLines > 0) {
  const file = await dataFile(jsonlLines, "jsonl");
  const rawDb = join(DATA, "raw-jsonl.duckdb");
  const ourDb = join(DATA, "llmcost-jsonl.duckdb");
  const cpus: { raw: number[]; ours: number[] } = { raw: [], ours: [] };
  const j = pair(
    () => {
      freshDb(rawDb);
      const r = timedRss(
        raw(`const i = await DuckDBInstance.create(${JSON.stringify(rawDb)}); const c = await i.connect();
await c.run("CREATE TABLE t AS SELECT * FROM read_json(" + ${JSON.stringify(`'${file}'`)} + ", format = 'newline_delimited')"); c.closeSync(); i.closeSync();`),
      );
      cpus.raw.push(r.cpu);
      return r.s;
    },
    () => {
      freshDb(ourDb);
      const r = timedRss([BIN, "ingest", "--db", ourDb, file]);
      cpus.ours.push(r.cpu);
      return r.s;
    },
  );
  freshDb(rawDb);
  freshDb(ourDb);
  const ratio = j.ours / j.raw;
  rows.push([
    `ingest ${jsonlLines.toLocaleString("en")} request-log lines (JSONL)`,
    fmt(j.raw),
    fmt(j.ours),
    ratio.toFixed(2),
    j.range,
    `${Math.round(jsonlLines / j.ours).toLocaleString("en")} lines/s (ratio ≤ 1.5: ${verdict(ratio <= 1.5)}; CPU time ${median(cpus.raw).toFixed(1)} s vs ${median(cpus.ours).toFixed(1)} s, ratio ${(median(cpus.ours) / median(cpus.raw)).toFixed(2)})`,
  ]);
}
// A large database, built in SQL: the reading commands from the usage rollup, and from the raw rows.
const big = bigRows > 0 ? await benchBig({ root: ROOT, data: DATA, bin: BIN, rows: bigRows, repeat, log: (s) => console.log(s) }) : [];

const head = ["work", "raw duckdb", "llmcost", "ratio", "run ratios", "note"];
const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
console.log(`\n${line(head)}`);
for (const r of rows) console.log(line(r));
if (big.length) {
  const bh = ["work (large database)", "rollup", "raw rows", "raw/rollup", "target", "met", "note"];
  const br = big.map((b) => [
    b.work,
    fmt(b.rollup),
    b.raw === null ? "—" : fmt(b.raw),
    b.raw === null ? "—" : (b.raw / b.rollup).toFixed(1),
    b.target,
    b.met ? "met" : "not met",
    b.note,
  ]);
  const bw = bh.map((_, i) => Math.max(...[bh, ...br].map((r) => r[i]!.length)));
  const bl = (r: string[]) => r.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(bw[i]!) : c.padStart(bw[i]!))).join("  ");
  console.log(`\n${bl(bh)}`);
  for (const r of br) console.log(bl(r));
}
console.log(
  `\nEach figure is the median of ${repeat} fresh processes, wall clock, including start-up; raw and llmcost alternate.` +
    "\nRatio = llmcost / raw duckdb (of the medians); run ratios = the lowest and highest of the individual pairs." +
    "\nThe history row compares llmcost with itself: the empty database in the raw column, the full one in the llmcost column.",
);
