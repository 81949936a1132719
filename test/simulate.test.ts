import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { rng } from "../scripts/synthetic.js";
import { cli, demoDatabase, golden, query, stable, tmp } from "./helpers.js";

let demoDir = "";
let demo = "";
before(async () => {
  ({ dir: demoDir, db: demo } = await demoDatabase());
});

test("seed scenario: 100K articles/day on gpt-4o, routed, batched and pruned costs $3.60/day", async () => {
  const dir = tmp();
  const db = join(dir, "seed.duckdb");
  const lines = ["timestamp,model,user,prompt_hash,input_tokens,output_tokens"];
  for (let i = 0; i < 100_000; i++) {
    const ts = new Date(Date.UTC(2025, 9, 1) + Math.floor((i * 86_400_000) / 100_000)).toISOString();
    lines.push(`${ts},gpt-4o,a1b2c3d4e5f6:summarize,p${i},800,50`);
  }
  writeFileSync(join(dir, "seed.csv"), lines.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(dir, "seed.csv")])).code, 0);
  const r = await cli([
    "simulate",
    "--db",
    db,
    "--route",
    "gpt-4o=gpt-4o-mini",
    "--escalate",
    "0",
    "--batch",
    "summarize",
    "--prune",
    "0.5",
    "--output-cap",
    "20",
    "--monthly",
    "--format",
    "json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // gpt-4o on 2025-10-01: $2.50 in / $10 out per 1M.
  // baseline: 100,000 × (800 × 2.50 + 50 × 10) / 1M = 100,000 × 0.0025     = $250.00
  // route → gpt-4o-mini ($0.15 / $0.60): 100,000 × (800 × 0.15 + 50 × 0.60) / 1M = $15.00
  // batch (gpt-4o-mini batch $0.075 / $0.30): 100,000 × (800 × 0.075 + 50 × 0.30) / 1M = $7.50
  // prune 50% → 400 in:  100,000 × (400 × 0.075 + 50 × 0.30) / 1M = $4.50
  // output cap 20:       100,000 × (400 × 0.075 + 20 × 0.30) / 1M = $3.60
  assert.equal(j.baselineUsd, 250);
  assert.deepEqual(
    j.steps.map((s: { tactic: string; costUsd: number }) => [s.tactic, s.costUsd]),
    [
      ["route", 15],
      ["batch", 7.5],
      ["prune", 4.5],
      ["output-cap", 3.6],
    ],
  );
  assert.equal(j.finalUsd, 3.6);
  assert.equal(j.savedUsd, 246.4);
  assert.deepEqual(
    j.steps.map((s: { affectedRequests: number }) => s.affectedRequests),
    [100_000, 100_000, 100_000, 100_000],
  );
  // One observed day scaled to 30: $7,500 → $108 a month.
  assert.deepEqual([j.monthly.baselineUsd, j.monthly.finalUsd], [7500, 108]);
  assert.equal(j.window.days, 1);
});

test("exact cache: an entry is set on a miss and expires TTL later; a hit costs $0", async () => {
  const dir = tmp();
  const db = join(dir, "c.duckdb");
  const at = (min: number) => new Date(Date.UTC(2025, 9, 1, 8) + min * 60_000).toISOString();
  const row = (min: number, hash: string, feature = "f") => `${at(min)},gpt-4o-mini,a1b2c3d4e5f6:${feature},${hash},1000,0`;
  // Group A (TTL 1h): misses at 0, 61 (after 0+60) and 130 (after 61+60); hits at 10, 50, 62.
  const csv = [
    "timestamp,model,user,prompt_hash,input_tokens,output_tokens",
    row(0, "A"),
    row(10, "A"),
    row(50, "A"),
    row(61, "A"),
    row(62, "A"),
    row(130, "A"),
    row(10, "B"), // another prompt: a miss
    row(11, "A", "g"), // same prompt, another feature: its own cache key
    `${at(12)},gpt-4o-mini,a1b2c3d4e5f6:f,,1000,0`, // no prompt hash: never cached
  ];
  writeFileSync(join(dir, "c.csv"), csv.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(dir, "c.csv")])).code, 0);
  const run = async (ttl: string) => JSON.parse((await cli(["simulate", "--db", db, "--cache", "exact", "--ttl", ttl, "--format", "json"])).stdout);
  const hour = await run("3600");
  // 9 requests × 1,000 × $0.15/M = $0.00135; 3 hits save 3 × $0.00015.
  assert.equal(hour.baselineUsd, 0.00135);
  assert.equal(hour.steps[0].affectedRequests, 3);
  assert.equal(hour.steps[0].savedUsd, 0.00045);
  assert.equal(hour.steps[0].details.hitRate, Number((3 / 9).toFixed(6)));
  // TTL 5 min: only 62 (1 min after the miss at 61) is a hit.
  assert.equal((await run("300")).steps[0].affectedRequests, 1);
});

test("exact cache: the replay agrees with a request-by-request replay on random traffic, for every TTL", async () => {
  const dir = tmp();
  const db = join(dir, "r.duckdb");
  // The same traffic every run. Gaps mix bursts (0–10 min, often inside one session), long pauses (1–4 h, which
  // start a new session) and runs longer than the TTL (replayed in SQL).
  const rand = rng(42);
  const start = Date.UTC(2025, 9, 1);
  const requests: { ts: number; key: string }[] = [];
  for (const key of ["A", "B", "C", "D", "E", "F"]) {
    let ts = start + Math.floor(rand() * 3_600) * 1000;
    for (let n = 0; n < 60; n++) {
      requests.push({ ts, key });
      const r = rand();
      ts += (r < 0.15 ? 0 : r < 0.8 ? Math.floor(rand() * 600) : 3_600 + Math.floor(rand() * 10_800)) * 1000;
    }
  }
  const lines = ["timestamp,model,user,prompt_hash,input_tokens,output_tokens"];
  for (const { ts, key } of requests) lines.push(`${new Date(ts).toISOString()},gpt-4o-mini,a1b2c3d4e5f6:f,${key},1000,0`);
  writeFileSync(join(dir, "r.csv"), lines.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(dir, "r.csv")])).code, 0);
  // The reference: walk each key's requests in time order; a miss sets an entry that serves until ts + TTL.
  const expectedHits = (ttl: number) => {
    let hits = 0;
    const expires = new Map<string, number>();
    for (const { ts, key } of [...requests].sort((a, b) => a.ts - b.ts)) {
      const until = expires.get(key);
      if (until !== undefined && ts <= until) hits++;
      else expires.set(key, ts + ttl * 1000);
    }
    return hits;
  };
  for (const ttl of [60, 300, 900, 3600, 86_400]) {
    const r = await cli(["simulate", "--db", db, "--cache", "exact", "--ttl", String(ttl), "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const hits = expectedHits(ttl);
    assert.ok(hits > 0 && hits < requests.length, `TTL ${ttl}: a test that cannot tell hits from misses (${hits})`);
    assert.equal(JSON.parse(r.stdout).steps[0].affectedRequests, hits, `TTL ${ttl}s`);
  }
});

test("prompt cache: warm when the same feature and model ran at most 5 minutes before; cold Anthropic requests pay the write", async () => {
  const dir = tmp();
  const db = join(dir, "pc.duckdb");
  const at = (s: number) => new Date(Date.UTC(2025, 10, 3, 8) + s * 1000).toISOString();
  const row = (s: number, model = "claude-sonnet-4-5") => `${at(s)},${model},a1b2c3d4e5f6:f,2000,0,0`;
  // Seconds: 0 cold (first) · 299 warm · 600 cold (301 s after 299) · 900 warm (exactly 300 s) · 1199 warm ·
  // 1500 cold (301 s) · 1500 again warm (same instant, later in the log). A request of another model never warms.
  const csv = [
    "timestamp,model,user,input_tokens,cached_input_tokens,output_tokens",
    ...[0, 299, 600, 900, 1199, 1500, 1500].map((s) => row(s)),
    row(1, "claude-haiku-4-5"),
  ];
  writeFileSync(join(dir, "pc.csv"), csv.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(dir, "pc.csv")])).code, 0);
  const r = await cli(["simulate", "--db", db, "--prompt-cache", "--prefix-share", "0.5", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // Sonnet 4.5 on 2025-11-03: input $3, cached read $0.30, 5m write $3.75 per 1M. Haiku 4.5: input $1, write $1.25.
  // Baseline: 7 × 2,000 × $3 + 2,000 × $1                                   = $0.042 + $0.002 = $0.044
  // Each request moves 1,000 tokens (50%). Warm (4): 1,000 × $3 + 1,000 × $0.30 = $0.0033 each
  // Cold Sonnet (3): 1,000 × $3 + 1,000 × $3.75 = $0.00675 each; cold Haiku (1): 1,000 × $1 + 1,000 × $1.25 = $0.00225
  // After: 4 × 0.0033 + 3 × 0.00675 + 0.00225 = 0.0132 + 0.02025 + 0.00225 = $0.0357
  assert.equal(j.baselineUsd, 0.044);
  assert.equal(j.steps[0].affectedRequests, 4);
  assert.equal(j.steps[0].costUsd, 0.0357);
});

test("prompt cache: the warm requests agree with a request-by-request walk on random traffic", async () => {
  const dir = tmp();
  const db = join(dir, "rpc.duckdb");
  // Two features on one model, gaps of 0 to 10 minutes (some the same instant, some across a bucket boundary), and
  // some inputs under the 1,024-token minimum, which neither read nor keep a prefix warm.
  const rand = rng(7);
  const requests: { ts: number; feature: string; input: number }[] = [];
  for (const feature of ["f", "g"]) {
    let ts = Date.UTC(2025, 10, 3, 8) + Math.floor(rand() * 300) * 1000;
    for (let n = 0; n < 150; n++) {
      requests.push({ ts, feature, input: rand() < 0.2 ? 500 : 2000 });
      const r = rand();
      ts += (r < 0.1 ? 0 : r < 0.4 ? 290 + Math.floor(rand() * 20) : Math.floor(rand() * 600)) * 1000;
    }
  }
  const lines = ["timestamp,model,user,input_tokens,output_tokens"];
  for (const q of requests) lines.push(`${new Date(q.ts).toISOString()},gpt-4o-mini,a1b2c3d4e5f6:${q.feature},${q.input},0`);
  writeFileSync(join(dir, "rpc.csv"), lines.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(dir, "rpc.csv")])).code, 0);
  // The reference: an eligible request is warm when the feature's previous eligible request is at most 300 s before.
  let warm = 0;
  const last = new Map<string, number>();
  for (const q of [...requests].sort((a, b) => a.ts - b.ts)) {
    if (q.input < 1024) continue;
    const prev = last.get(q.feature);
    if (prev !== undefined && q.ts - prev <= 300_000) warm++;
    last.set(q.feature, q.ts);
  }
  assert.ok(warm > 50 && warm < 230, `a test that cannot tell warm from cold (${warm} warm)`);
  const r = await cli(["simulate", "--db", db, "--prompt-cache", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).steps[0].affectedRequests, warm);
});

test("prompt cache after route: a routed request shares warm prefixes with the traffic already on its new model", async () => {
  const dir = tmp();
  const db = join(dir, "rp.duckdb");
  const at = (s: number) => new Date(Date.UTC(2025, 10, 3, 8) + s * 1000).toISOString();
  // The same feature: a native gpt-4o-mini request (logged by its snapshot name), then a gpt-4o one a minute later.
  const csv = [
    "timestamp,model,user,input_tokens,output_tokens",
    `${at(0)},gpt-4o-mini-2024-07-18,a1b2c3d4e5f6:f,2000,0`,
    `${at(60)},gpt-4o,a1b2c3d4e5f6:f,2000,0`,
  ];
  writeFileSync(join(dir, "rp.csv"), csv.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(dir, "rp.csv")])).code, 0);
  const j = JSON.parse((await cli(["simulate", "--db", db, "--route", "mini", "--escalate", "0", "--prompt-cache", "--format", "json"])).stdout);
  // Baseline: 2,000 × $0.15/M + 2,000 × $2.50/M = $0.0003 + $0.005 = $0.0053. Route: both on gpt-4o-mini, $0.0006.
  // Prompt cache: the routed request is warm (gpt-4o-mini ran 60 s before): 1,000 × $0.15 + 1,000 × $0.075 per 1M
  // = $0.000225; the first stays cold at $0.0003 (OpenAI: no write premium). Total $0.000525.
  assert.equal(j.baselineUsd, 0.0053);
  assert.deepEqual(
    j.steps.map((s: { tactic: string; costUsd: number; affectedRequests: number }) => [s.tactic, s.costUsd, s.affectedRequests]),
    [
      ["route", 0.0006, 1],
      ["prompt-cache", 0.000525, 1],
    ],
  );
});

test("simulate golden on the demo: every tactic, composed in playbook order", async () => {
  const args = [
    "simulate",
    "--db",
    demo,
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
    "--monthly",
    "--self-host",
    "2.50:2000",
  ];
  const t = await cli(args);
  assert.equal(t.code, 0, t.stderr);
  golden("simulate/all.table", stable(t.stdout, demoDir));
  const j = await cli([...args, "--format", "json"]);
  golden("simulate/all.json", stable(j.stdout, demoDir));
  const parsed = JSON.parse(j.stdout);
  assert.deepEqual(
    parsed.steps.map((s: { tactic: string }) => s.tactic),
    ["cache", "route", "batch", "prompt-cache", "prune", "output-cap"],
  );
  // The waterfall adds up: baseline − Σ savings = final.
  const saved = parsed.steps.reduce((a: number, s: { savedUsd: number }) => a + s.savedUsd, 0);
  assert.ok(Math.abs(parsed.baselineUsd - saved - parsed.finalUsd) < 1e-5);
  assert.equal(parsed.estimate, true);
});

test("savings ranks opportunities by $/month with evidence", async () => {
  const r = await cli(["savings", "--db", demo]);
  assert.equal(r.code, 0, r.stderr);
  golden("savings/demo.table", stable(r.stdout, demoDir));
  const j = JSON.parse((await cli(["savings", "--db", demo, "--format", "json"])).stdout);
  const monthly = j.opportunities.map((o: { monthlyUsd: number }) => o.monthlyUsd);
  assert.deepEqual(
    monthly,
    [...monthly].sort((a: number, b: number) => b - a),
  );
  const batch = j.opportunities.find((o: { feature: string; tactic: string }) => o.feature === "summarize-articles" && o.tactic === "batch");
  assert.equal(batch.evidence, "runs 01:00 to 04:00 UTC only (100% of requests), so it can be batched");
});

test("simulate rejects bad flags with exit 2", async () => {
  for (const args of [
    [],
    ["--cache", "semantic", "--threshold", "2"],
    ["--cache", "fuzzy"],
    ["--route", "gpt-4o=nope"],
    ["--route", "a=b=c"],
    ["--prune", "1.5"],
    ["--escalate", "-1", "--route", "mini"],
    ["--output-cap", "0"],
    ["--self-host", "cheap"],
    ["--route", "mini", "--since", "2030-01-01"],
  ]) {
    const r = await cli(["simulate", "--db", demo, ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^llmcost: /);
  }
});

test("semantic cache: near-duplicate prompts by MinHash within the TTL, embedding lookups priced, an estimate", async () => {
  const dir = tmp();
  const db = join(dir, "s.duckdb");
  const p1 = "Summarize this article about the stock market and the federal reserve decision today";
  const line = (min: number, prompt: string) =>
    JSON.stringify({
      timestamp: new Date(Date.UTC(2025, 10, 1, 8) + min * 60_000).toISOString(),
      model: "gpt-4o",
      user: "a1b2c3d4e5f6:assist",
      prompt,
      input_tokens: 1000,
      output_tokens: 0,
    });
  writeFileSync(
    join(dir, "s.jsonl"),
    [line(0, p1), line(1, `${p1}!`), line(2, "Write a short poem about gardening tools and tomatoes in spring"), line(130, p1)].join("\n") + "\n",
  );
  assert.equal((await cli(["ingest", "--db", db, join(dir, "s.jsonl")])).code, 0);
  const r = await cli(["simulate", "--db", db, "--cache", "semantic", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // 4 requests × 1,000 input × $2.50/M = $0.01. Only the second is a hit: the same words 1 minute after the first
  // (punctuation is not a word); the poem is different; the last repeats p1 but 130 minutes later, past the 1h TTL.
  // After: 3 × $0.0025 + 4 embedding lookups × 1,000 tokens × $0.02/M ($0.00008) = $0.00758.
  assert.equal(j.baselineUsd, 0.01);
  assert.equal(j.steps[0].tactic, "semantic-cache");
  assert.equal(j.steps[0].affectedRequests, 1);
  assert.equal(j.steps[0].costUsd, 0.00758);
  assert.deepEqual([j.steps[0].details.considered, j.steps[0].details["hitRateAt0.97"]], [4, 0.25]);
  assert.match(j.steps[0].assumptions[0], /an estimate/);
  // Without prompt text nothing is considered: the demo logs only prompt hashes.
  const none = JSON.parse((await cli(["simulate", "--db", demo, "--cache", "semantic", "--format", "json"])).stdout);
  assert.deepEqual([none.steps[0].details.considered, none.steps[0].affectedRequests], [0, 0]);
});

test("semantic cache with an embedding column: exact cosine similarity, threshold sweep, embedding lookups priced", async () => {
  const dir = tmp();
  const db = join(dir, "e.duckdb");
  // 64-dimensional embeddings with hand-set cosines to the first: e(θ) = cos θ · x + sin θ · y for orthonormal x, y.
  const dim = 64;
  const x = Array.from({ length: dim }, (_, i) => (i % 2 ? 1 : -1) / 8); // |x| = 1
  const y = Array.from({ length: dim }, (_, i) => ((i < 32 ? 1 : -1) * (i % 2 ? 1 : -1) * (i % 4 < 2 ? 1 : -1)) / 8); // |y| = 1, x·y = 0
  const e = (cos: number) => x.map((v, i) => cos * v + Math.sqrt(1 - cos * cos) * y[i]!);
  const line = (min: number, embedding: number[]) =>
    JSON.stringify({
      timestamp: new Date(Date.UTC(2025, 10, 1, 8) + min * 60_000).toISOString(),
      model: "gpt-4o",
      user: "a1b2c3d4e5f6:assist",
      embedding,
      input_tokens: 1000,
      output_tokens: 0,
    });
  // Minute 0: the first (a miss). 1: cosine 0.96 to it (a hit at 0.95, not at 0.97). 2: cosine 0.92 (a hit only at
  // 0.91). 3: orthogonal (cosine 0 to the first). 200: cosine 1, but past the 1h TTL.
  const lines = [line(0, e(1)), line(1, e(0.96)), line(2, e(0.92)), line(3, y), line(200, e(1))];
  writeFileSync(join(dir, "e.jsonl"), lines.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(dir, "e.jsonl")])).code, 0);
  const r = await cli(["simulate", "--db", db, "--cache", "semantic", "--threshold", "0.95", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).steps[0];
  // Best cosine to an earlier request within 1h: #2 0.96 (to #1); #3 0.993 (to #2: the angles from #1 are 16.3° and
  // 23.1°, 6.8° apart); #4 0.39 (sin 23.1°, to #3); #5 none within the hour. Hits at 0.95: #2, #3; at 0.97: #3 only.
  assert.equal(s.details.similarity, "cosine");
  assert.equal(s.details.considered, 5);
  assert.equal(s.affectedRequests, 2);
  assert.deepEqual([s.details["hitRateAt0.91"], s.details["hitRateAt0.97"]], [0.4, 0.2]);
  // 5 × 1,000 × $2.50/M = $0.0125 → 3 paid × $0.0025 + 5 lookups × 1,000 × $0.02/M = $0.0075 + $0.0001 = $0.0076.
  assert.equal(s.costUsd, 0.0076);
  assert.match(s.assumptions.join("\n"), /cosine similarity of the logged embeddings/);
});

test("cache deny-list: prompts starting with a configured prefix are marked at ingest and never served from cache", async () => {
  const dir = tmp();
  const db = join(dir, "d.duckdb");
  const config = join(dir, "llmcost.config.json");
  writeFileSync(config, JSON.stringify({ cache: { denyPrefixes: ["Account #"] } }));
  const line = (min: number, prompt: string) =>
    JSON.stringify({
      timestamp: new Date(Date.UTC(2025, 10, 1, 8) + min * 60_000).toISOString(),
      model: "gpt-4o",
      user: "a1b2c3d4e5f6:assist",
      prompt,
      input_tokens: 1000,
      output_tokens: 0,
    });
  const secret = "Account #4411 balance for Jane Doe, please summarize the statement";
  const open = "Summarize this article about the stock market and the federal reserve decision today";
  writeFileSync(join(dir, "d.jsonl"), [line(0, `  ${secret}`), line(1, `  ${secret}`), line(2, open), line(3, open)].join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, "--config", config, join(dir, "d.jsonl")])).code, 0);
  const rows = await query(db, "SELECT cache_denied, prompt_hash IS NOT NULL AS hashed FROM usage ORDER BY ts");
  assert.deepEqual(
    rows.map((r) => [r.cache_denied, r.hashed]),
    [
      [true, true],
      [true, true],
      [false, true],
      [false, true],
    ],
  );
  // The text itself is nowhere in the database; the ledger keeps the deny-list the file was checked against.
  for (const t of ["usage", "ingests"]) assert.ok(!JSON.stringify(await query(db, `SELECT * FROM ${t}`)).includes("Jane Doe"), t);
  assert.deepEqual(
    (await query(db, "SELECT cache_deny FROM ingests")).map((r) => r.cache_deny),
    ['["Account #"]'],
  );
  for (const kind of ["exact", "semantic"]) {
    const j = JSON.parse((await cli(["simulate", "--db", db, "--cache", kind, "--format", "json"])).stdout);
    // Only the repeated open prompt hits; the repeated account prompt is denied.
    assert.equal(j.steps[0].affectedRequests, 1, kind);
    assert.equal(j.steps[0].details.deniedRequests, 2, kind);
  }
  // A changed deny-list applies only after re-ingesting: simulate says so on stderr, and stdout stays pure JSON.
  writeFileSync(config, JSON.stringify({ cache: { denyPrefixes: ["Summarize"] } }));
  const stale = await cli(["simulate", "--db", db, "--config", config, "--cache", "exact", "--format", "json"]);
  assert.equal(stale.code, 0);
  assert.equal(JSON.parse(stale.stdout).steps[0].details.deniedRequests, 2);
  assert.match(
    stale.stderr,
    /^warning: 1 request-log file\(s\) were checked against another cache.denyPrefixes than the config's; re-ingest them with --replace/,
  );
});
