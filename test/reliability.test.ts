import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checksum, cli, databaseAtSchema, demoDatabase, query, ROOT, tmp, FULL_TIER } from "./helpers.js";

const BIN = join(ROOT, "bin", "llmcost.js");

async function writeLines(path: string, header: string, n: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    buf.push(line(i));
    if (buf.length === 20_000) {
      if (!out.write(`${buf.join("\n")}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      buf = [];
    }
  }
  out.write(buf.length ? `${buf.join("\n")}\n` : "");
  await new Promise<void>((r) => out.end(() => r()));
}

test("--skip-bad-rows leaves out every bad row, names each one, and keeps the good ones", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  writeFileSync(
    join(dir, "mixed.csv"),
    [
      "timestamp,model,user,input_tokens,output_tokens",
      "2025-10-20T08:00:00Z,gpt-4o-mini,a1b2c3d4e5f6:chat,10,5",
      "2025-10-20T08:00:00Z,gpt-4o-mini,x,abc,5",
      "2025-10-20T08:00:00Z,gpt-4o-mini,x,10,5,9",
      "2025-10-20T08:00:00Z,gpt-4o-mini,x,-4,5",
      "yesterday,gpt-4o-mini,x,1,1",
      "2025-10-20T09:00:00Z,gpt-4o-mini,a1b2c3d4e5f6:chat,7,5",
    ].join("\n") + "\n",
  );
  const r = await cli(["ingest", "--db", db, "--skip-bad-rows", "mixed.csv"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stderr.trimEnd().split("\n"), [
    'mixed.csv:3: "abc" is not a number (column input_tokens) (skipped)',
    "mixed.csv:4: expected 5 columns, found 6 (skipped)",
    "mixed.csv:5: input tokens is not a non-negative integer below 10^15 (skipped)",
    "mixed.csv:6: missing or unparseable timestamp (skipped)",
  ]);
  assert.match(r.stdout, /4 bad rows \(--skip-bad-rows\)/);
  assert.deepEqual(await query(db, "SELECT list(input_tokens ORDER BY input_tokens)::VARCHAR AS i FROM usage"), [{ i: "[7, 10]" }]);
  assert.deepEqual(await query(db, "SELECT rows_inserted::INT AS n, rows_skipped::INT AS s FROM ingests"), [{ n: 2, s: 4 }]);
  // Without the flag the same file is rejected whole.
  const strict = join(dir, "s.duckdb");
  assert.equal((await cli(["ingest", "--db", strict, "mixed.csv"], { cwd: dir })).code, 2);

  writeFileSync(
    join(dir, "mixed.jsonl"),
    [
      JSON.stringify({ timestamp: "2025-10-20T08:00:00Z", model: "gpt-4o-mini", input_tokens: 5, output_tokens: 1 }),
      JSON.stringify({ timestamp: "2099-01-01T00:00:00Z", model: "gpt-4o-mini", input_tokens: 5, output_tokens: 1 }),
      JSON.stringify({ timestamp: "2025-10-20T08:00:00Z", model: "gpt-4o-mini", input_tokens: 6, output_tokens: 1 }),
    ].join("\n") + "\n",
  );
  const j = await cli(["ingest", "--db", db, "--skip-bad-rows", "mixed.jsonl", "--output", "json"], { cwd: dir });
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout).files[0].badRows, [{ line: 2, where: "2", reason: "timestamp is in the future" }]);
});

test("crash: kill -9 in the middle of a 5M-row ingest leaves all of the file or none, and the ledger agrees", FULL_TIER, async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  assert.equal((await cli(["ingest", "--db", db, "fixtures/formats/requests.csv"])).code, 0);
  const big = join(dir, "big.csv");
  await writeLines(
    big,
    "timestamp,model,user,input_tokens,output_tokens",
    5_000_000,
    (i) => `2025-10-${String(1 + (i % 28)).padStart(2, "0")}T08:00:00Z,gpt-4o-mini,a1b2c3d4e5f6:f${i % 7},${100 + (i % 900)},${i % 50}`,
  );
  const child = spawn(process.execPath, [BIN, "ingest", "--db", db, big], { stdio: "ignore", env: { ...process.env, NO_COLOR: "1" } });
  await new Promise((r) => setTimeout(r, 2500));
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  const rows = await query(
    db,
    "SELECT (SELECT count(*) FROM usage)::BIGINT AS usage, (SELECT coalesce(sum(rows_inserted), 0) FROM ingests)::BIGINT AS ledger, (SELECT count(*) FROM ingests)::INT AS files",
  );
  const { usage, ledger, files } = rows[0] as { usage: string; ledger: string; files: number };
  assert.ok(usage === "3" || usage === "5000003", `usage has ${usage} rows: neither none nor all of the file`);
  assert.equal(usage, ledger, "the ledger agrees with the table");
  assert.equal(files, usage === "3" ? 1 : 2);
  // The database is usable afterwards: the same file ingests cleanly (or is recognised as already there).
  const again = await cli(["ingest", "--db", db, big]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await query(db, "SELECT count(*)::BIGINT AS n FROM usage"), [{ n: "5000003" }]);
});

test("concurrency: a second writer is refused with the holder's pid; concurrent read-only reports both work", async () => {
  const { db } = await demoDatabase();
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1" } });
      let out = "";
      c.stdout.on("data", (d) => (out += d));
      c.once("exit", (code) => resolve({ code, out }));
    });
  const [a, b, c2] = await Promise.all([
    run(["report", "--db", db, "--format", "json"]),
    run(["report", "--db", db, "--by", "model", "--format", "json"]),
    run(["savings", "--db", db, "--format", "json"]),
  ]);
  assert.deepEqual([a.code, b.code, c2.code], [0, 0, 0]);
  assert.equal(JSON.parse(a.out).totals.requests, 14560);
});

test("exact money: the sum over 1M rows equals an independent BigInt computation", FULL_TIER, async () => {
  const dir = tmp();
  const db = join(dir, "m.duckdb");
  // Rates in micro-dollars per 1M tokens on 2025-11-01 (pricing/*.json): cost in pico-dollars = tokens × rate.
  const models = [
    { name: "gpt-4o-mini", input: 150_000n, cached: 75_000n, output: 600_000n },
    { name: "claude-sonnet-4-5", input: 3_000_000n, cached: 300_000n, output: 15_000_000n },
    { name: "gemini-2.5-flash", input: 300_000n, cached: 30_000n, output: 2_500_000n },
  ];
  let expected = 0n;
  const row = (i: number) => {
    const m = models[i % 3]!;
    const input = 1 + ((i * 7919) % 5000);
    const cached = (i * 104_729) % 300;
    const output = 1 + ((i * 31) % 800);
    expected += BigInt(input) * m.input + BigInt(cached) * m.cached + BigInt(output) * m.output;
    return `2025-11-01T${String(i % 24).padStart(2, "0")}:00:00Z,${m.name},a1b2c3d4e5f6:f,${input},${cached},${output}`;
  };
  await writeLines(join(dir, "m.csv"), "timestamp,model,user,input_tokens,cached_input_tokens,output_tokens", 1_000_000, row);
  // The counts above are disjoint buckets (input excludes cached) for every provider: the config says so.
  writeFileSync(join(dir, "c.json"), JSON.stringify({ logs: { inputIncludesCached: false } }));
  assert.equal((await cli(["ingest", "--db", db, "--config", join(dir, "c.json"), join(dir, "m.csv")])).code, 0);
  const got = (await query(db, "SELECT sum(cost_usd)::VARCHAR AS s, count(*) FILTER (WHERE cost_usd IS NULL)::INT AS unpriced FROM usage"))[0] as {
    s: string;
    unpriced: number;
  };
  assert.equal(got.unpriced, 0);
  const [whole, frac = ""] = got.s.split(".");
  const pico = BigInt(whole!) * 10n ** 12n + BigInt(frac.padEnd(12, "0"));
  assert.equal(pico, expected, `${got.s} vs ${expected} pico-dollars`);
});

test("injection: --by, --where and feature names with quotes, semicolons and newlines are data", async () => {
  const dir = tmp();
  const db = join(dir, "i.duckdb");
  const nasty = ["x'; DROP TABLE usage; --", 'say "hi"', "semi;colon", "new\nline", "$1 OR 1=1"];
  writeFileSync(
    join(dir, "n.jsonl"),
    nasty
      .map((f, i) => JSON.stringify({ timestamp: "2025-10-20T08:00:00Z", model: "gpt-4o-mini", feature: f, input_tokens: 100 + i, output_tokens: 1 }))
      .join("\n") + "\n",
  );
  assert.equal((await cli(["ingest", "--db", db, join(dir, "n.jsonl")])).code, 0);
  for (const [i, f] of nasty.entries()) {
    const r = await cli(["report", "--db", db, "--where", `feature=${f}`, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout).rows;
    assert.deepEqual(
      rows.map((x: { key: { feature: string }; tokens: { input: number } }) => [x.key.feature, x.tokens.input]),
      [[f, 100 + i]],
    );
  }
  const csv = (await cli(["report", "--db", db, "--format", "csv"])).stdout;
  assert.match(csv, /\n"new\nline",1,/);
  assert.match(csv, /\n"say ""hi""",1,/);
  for (const by of ["feature; DROP TABLE usage", "feature,model); --", "model\n; DROP TABLE usage"])
    assert.equal((await cli(["report", "--db", db, "--by", by])).code, 2);
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n FROM usage"), [{ n: 5 }]);
});

test("privacy: no raw user id and no email is persisted anywhere in the database", async () => {
  const dir = tmp();
  const db = join(dir, "p.duckdb");
  writeFileSync(
    join(dir, "r.jsonl"),
    JSON.stringify({ timestamp: "2025-10-20T08:00:00Z", model: "gpt-4o-mini", user: "carol@example.com", input_tokens: 1, output_tokens: 1 }) + "\n",
  );
  const r = await cli([
    "ingest",
    "--db",
    db,
    "fixtures/formats/openai-cost-v2.csv",
    "fixtures/formats/openai-usage.csv",
    "fixtures/formats/openai-batch-output.jsonl",
    "fixtures/formats/openai-batch-input.jsonl",
    join(dir, "r.jsonl"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const tables = (await query(db, "SELECT table_name FROM duckdb_tables() WHERE NOT temporary")).map((t) => String(t.table_name));
  for (const t of ["usage_wide", "usage_lean", "billed_cost", "ingests"]) assert.ok(tables.includes(t), t);
  tables.push("usage"); // the view over usage_wide and usage_lean, with rebuilt tags
  const secrets = ["@example.com", "alice", "someone", "carol", "user-abc123", "user-dAU7Ud7OljwJvKfi4wQzWHyV", "My Org", "Personal"];
  for (const t of tables) {
    const text = JSON.stringify(await query(db, `SELECT * FROM "${t}"`));
    for (const s of secrets) assert.ok(!text.includes(s), `${s} found in table ${t}`);
  }
  // The hashes are there instead.
  const hashes = await query(db, "SELECT count(DISTINCT user_hash)::INT AS n FROM usage WHERE user_hash IS NOT NULL");
  assert.ok(Number(hashes[0]!.n) >= 3);
  const before = await checksum(db);
  assert.equal((await cli(["report", "--db", db])).code, 0);
  assert.equal(await checksum(db), before, "reports never write");
});

test("a v4 database migrates to v5: its rows stay, now behind the usage view, and new plain logs go lean", async () => {
  const dir = tmp();
  const db = join(dir, "v4.duckdb");
  await databaseAtSchema(db, 4, [
    `INSERT INTO usage (ts, source_kind, source_format, ingest_id, provider, model, tag_raw, user_hash, feature, requests,
      input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, batch, cost_usd, priced)
    VALUES ('2025-10-01 08:00:00', 'requests', 'request-log-csv', 1, 'openai', 'gpt-4o-mini', 'a1b2c3d4e5f6:old', 'a1b2c3d4e5f6', 'old', 1,
      1000, 0, 0, 0, 0, 0, false, 0.00015, true)`,
    "INSERT INTO ingests VALUES (1, 'old.csv', 'x', 1, 'request-log-csv', 'requests', 1, 1, 0, 0, '2025-10-01', '2025-10-01', now()::TIMESTAMP, NULL)",
  ]);

  assert.equal((await cli(["report", "--db", db])).code, 2, "read commands ask for a migration first");
  writeFileSync(join(dir, "new.csv"), "timestamp,model,user,input_tokens,output_tokens\n2025-10-02T08:00:00Z,gpt-4o-mini,a1b2c3d4e5f6:new,1000,0\n");
  const r = await cli(["ingest", "--db", db, join(dir, "new.csv")]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await query(db, "SELECT feature, cost_usd::VARCHAR AS cost, rid % 2 AS lean FROM usage ORDER BY ts"), [
    { feature: "old", cost: "0.000150000000", lean: "0" },
    { feature: "new", cost: "0.000150000000", lean: "1" },
  ]);
  const report = await cli(["report", "--db", db, "--format", "csv"]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /\nold,1,1000,/);
  assert.match(report.stdout, /\nnew,1,1000,/);
});
