/**
 * The large-database section of `npm run bench` (issue #18): a database of BENCH_BIG_ROWS request-log rows (default
 * 10,000,000; 100,000,000 for the issue's targets) built directly in SQL, then the reading commands timed on it, each
 * a fresh process, from the usage rollup and (LLMCOST_NO_ROLLUP=1) from the raw rows.
 *
 * How the database is built: `llmcost ingest` of a one-line CSV makes an llmcost database (schema, price tables'
 * sha, ledger); then one INSERT … SELECT FROM range(N) writes N rows into usage_lean, spread evenly over 365 days
 * from 2025-01-01, with the demo's nine feature profiles (share of traffic, model, provider, users, token sizes;
 * scripts/synthetic.ts), user hashes from each feature's pool, token counts varied by a hash of the row number, a
 * prompt_hash drawn from 2M values (for the cache tactics) and the cost at each model's list rates (the fine-tune
 * stays unpriced). Then the rollups are built as migrations 11 and 12 build them. Built once into bench-data/ and reused.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_FEATURES } from "./synthetic.js";

const DAYS = 365;
const START = "2025-01-01";
/** List rates per 1M tokens (input, cached input, output) of the demo models; the fine-tune has none (unpriced). */
const RATES: Record<string, [string, string, string] | null> = {
  "gpt-4o-2024-08-06": ["2.5", "1.25", "10"],
  "claude-sonnet-4-5-20250929": ["3", "0.3", "15"],
  "gpt-4o-mini-2024-07-18": ["0.15", "0.075", "0.6"],
  "o3-2025-04-16": ["2", "0.5", "8"],
  "gpt-4.1-mini-2025-04-14": ["0.4", "0.1", "1.6"],
  "gemini-2.5-flash": ["0.3", "0.075", "2.5"],
};

export interface BigRow {
  work: string;
  rollup: number;
  raw: number | null;
  target: string;
  met: boolean;
  note: string;
}

function buildSql(n: number): string {
  // One profile per percent of traffic, in the demo's proportions.
  const total = DEMO_FEATURES.reduce((a, f) => a + f.weight, 0);
  let slot = 0;
  let userOffset = 0;
  const profiles: string[] = [];
  for (const [i, f] of DEMO_FEATURES.entries()) {
    const slots = i === DEMO_FEATURES.length - 1 ? 100 - slot : Math.round((f.weight / total) * 100);
    const r = RATES[f.model] ?? null;
    const rate = (k: number) => (r ? `${r[k]}::DECIMAL(18,6)` : "NULL::DECIMAL(18,6)");
    for (let s = 0; s < slots; s++) {
      profiles.push(
        `(${slot + s}, '${f.feature}', '${f.model}', '${f.provider}', ${f.untagged ? "false" : "true"}, ${f.input}, ${f.output}, ${f.cachedShare}, ${f.reasoning ?? 0}, ${userOffset}, ${f.users}, ${rate(0)}, ${rate(1)}, ${rate(2)})`,
      );
    }
    slot += slots;
    userOffset += f.users;
  }
  const step = Math.floor((DAYS * 86_400_000_000) / n);
  return `
CREATE TEMP TABLE bench_profile (k INTEGER, feature VARCHAR, model VARCHAR, provider VARCHAR, tagged BOOLEAN, input INTEGER, output INTEGER,
  cached_share DOUBLE, reasoning INTEGER, user_offset INTEGER, users INTEGER, r_in DECIMAL(18,6), r_cached DECIMAL(18,6), r_out DECIMAL(18,6));
INSERT INTO bench_profile VALUES ${profiles.join(",\n")};
CREATE TEMP TABLE bench_user AS SELECT i::INTEGER AS u, left(md5('bench-user-' || i), 12) AS user_hash FROM range(${userOffset}) t(i);
INSERT INTO usage_lean (ts, ingest_id, provider, model, tagged, user_hash, feature, input_tokens, cached_input_tokens, cache_write_5m_tokens,
  cache_write_1h_tokens, output_tokens, reasoning_tokens, latency_ms, prompt_hash, request_id, cost_usd)
SELECT ts, 2, provider::lean_provider, model, tagged, CASE WHEN tagged THEN user_hash ELSE left(md5(user_hash), 12) END, feature,
  input_tokens, cached_input_tokens, 0, 0, output_tokens, reasoning_tokens, latency_ms, prompt_hash, NULL,
  CAST((input_tokens * r_in + cached_input_tokens * r_cached + output_tokens * r_out) * 0.000001 AS DECIMAL(18,12))
FROM (
  SELECT TIMESTAMP '${START}' + to_microseconds(i * ${step}) AS ts, p.provider, p.model, p.tagged, bu.user_hash, p.feature,
    (total_in - cached)::BIGINT AS input_tokens, cached::BIGINT AS cached_input_tokens, (p.output * (50 + h % 100) // 100)::BIGINT AS output_tokens,
    (p.reasoning * (50 + h % 100) // 100)::BIGINT AS reasoning_tokens, (200 + h % 2000)::BIGINT AS latency_ms,
    'p' || (hash(i * 31) % 2000000)::VARCHAR AS prompt_hash, p.r_in, p.r_cached, p.r_out
  FROM (SELECT i, hash(i) AS h, (p.input * (50 + hash(i) % 100) // 100) AS total_in, p.*
        FROM range(${n}) t(i) JOIN bench_profile p ON p.k = i % 100) p
  CROSS JOIN LATERAL (SELECT (total_in * p.cached_share)::BIGINT AS cached) c
  JOIN bench_user bu ON bu.u = p.user_offset + (h // 100) % p.users
);
UPDATE ingests SET rows_inserted = rows_inserted + ${n};
INSERT OR IGNORE INTO model_names SELECT DISTINCT model FROM bench_profile;`;
}

/** A fresh process; exit 1 (a budget check failed) is a result, not an error. Wall seconds and peak RSS (MB). */
function run(bin: string, args: string[], env: Record<string, string> = {}): { s: number; rssMb: number | null } {
  const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
  const cmd = timeBin ? [timeBin, "-f", "RSS_KB=%M", process.execPath, bin, ...args] : [process.execPath, bin, ...args];
  const t = performance.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1", LLMCOST_NOW: "2026-01-01T12:00:00Z", ...env },
  });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  const kb = /RSS_KB=(\d+)/.exec(r.stderr ?? "")?.[1];
  return { s, rssMb: kb ? Number(kb) / 1024 : null };
}

/** Whether this llmcost reads the database as it is: Db.open refuses another schema, as the reading commands do. */
async function readable(path: string): Promise<boolean> {
  const { Db } = await import("../src/store/db.js");
  try {
    (await Db.open(path, { readOnly: true })).close();
    return true;
  } catch {
    return false;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchBig(opts: { root: string; data: string; bin: string; rows: number; repeat: number; log: (s: string) => void }): Promise<BigRow[]> {
  const { data, bin, rows: n, repeat, log } = opts;
  const db = join(data, `big-${n}.duckdb`);
  // A database an older llmcost built (another schema) is built again: the reading commands refuse it.
  if (existsSync(db) && !(await readable(db))) {
    log(`${db} is of another schema: building it again`);
    rmSync(db, { force: true });
  }
  if (!existsSync(db)) {
    const tmp = `${db}.building`;
    for (const f of [tmp, `${tmp}.wal`]) rmSync(f, { force: true });
    const seed = join(data, "big-seed.csv");
    writeFileSync(seed, "timestamp,model,user,input_tokens,output_tokens\n2025-01-01T00:00:00Z,gpt-4o-mini-2024-07-18,a1b2c3d4e5f6:chat,100,10\n");
    const t = performance.now();
    const made = spawnSync(process.execPath, [bin, "ingest", "--db", tmp, seed], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(made.stderr);
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const { rollupRebuild } = await import("../src/store/rollup.js");
    const inst = await DuckDBInstance.create(tmp);
    const conn = await inst.connect();
    await conn.run("SET preserve_insertion_order = false");
    await conn.run(buildSql(n));
    const t1 = performance.now();
    await conn.run(`BEGIN; ${rollupRebuild()} COMMIT; CHECKPOINT;`);
    const r = (
      await conn.runAndReadAll("SELECT (SELECT count(*) FROM usage_rollup) AS n, (SELECT count(*) FROM usage_rollup_coarse) AS coarse")
    ).getRowObjectsJson()[0];
    conn.closeSync();
    inst.closeSync();
    const { renameSync } = await import("node:fs");
    renameSync(tmp, db);
    log(
      `built ${n.toLocaleString("en")} rows in SQL in ${((t1 - t) / 1000).toFixed(1)} s, their rollup (${Number(r?.n).toLocaleString("en")} rows; ${Number(r?.coarse).toLocaleString("en")} without users and API keys) in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
  }
  const both = (args: string[]): { rollup: number; raw: number } => {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < repeat; i++) {
      a.push(run(bin, args).s);
      b.push(run(bin, args, { LLMCOST_NO_ROLLUP: "1" }).s);
    }
    return { rollup: median(a), raw: median(b) };
  };
  const out: BigRow[] = [];
  const scale = n / 1e8;
  // Targets are for 100M rows; at other sizes the same figures are shown against them.
  for (const [work, args, target] of [
    ["report --by feature", ["report", "--db", db, "--by", "feature", "--format", "json"], 0.5],
    ["report --by day,model", ["report", "--db", db, "--by", "day,model", "--format", "json"], 0.8],
    [
      "budget",
      [
        "budget",
        "--db",
        db,
        "--max-daily",
        "500",
        "--max-monthly",
        "12000",
        "--spike",
        "2",
        "--fail-on-unpriced",
        "5",
        "--max-age",
        "1000d",
        "--format",
        "json",
      ],
      1,
    ],
  ] as const) {
    const r = both([...args]);
    out.push({
      work: `${work}, ${n.toLocaleString("en")} rows`,
      rollup: r.rollup,
      raw: r.raw,
      target: `≤ ${target} s on 100M`,
      met: r.rollup <= target,
      note: scale === 1 ? "" : `(at ${n.toLocaleString("en")} rows)`,
    });
  }
  // simulate: a window of about 10M rows (whole days), or the whole database when it is smaller.
  const perDay = n / DAYS;
  const days = Math.min(DAYS, Math.max(1, Math.round(1e7 / perDay)));
  const until = new Date(Date.parse(`${START}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const simRows = Math.round(days * perDay);
  const sims = Array.from({ length: repeat }, () =>
    run(bin, [
      "simulate",
      "--db",
      db,
      "--since",
      START,
      "--until",
      until,
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
  const sim = median(sims.map((x) => x.s));
  const rss = Math.max(...sims.map((x) => x.rssMb ?? 0));
  const per10M = (sim * 1e7) / simRows;
  out.push({
    work: `simulate (all tactics), ${simRows.toLocaleString("en")} rows`,
    rollup: sim,
    raw: null,
    target: "≤ 5 s per 10M rows",
    met: per10M <= 5,
    note: `${per10M.toFixed(2)} s per 10M rows; peak RSS ${rss ? `${Math.round(rss)} MB` : "unknown (no /usr/bin/time)"}`,
  });
  return out;
}
