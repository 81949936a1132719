import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { checksum, cli, cliProcess, databaseAtSchema, demoDatabase, FIXTURES, query, ROOT, tmp, FULL_TIER } from "./helpers.js";

const BIN = join(ROOT, "bin", "llmcost.js");
const HEADER = "timestamp,model,user,input_tokens,output_tokens,request_id";
const line = (i: number) => `2025-10-20T08:${String(i % 60).padStart(2, "0")}:00Z,gpt-4o-mini,a1b2c3d4e5f6:chat,${100 + (i % 7)},20,req-${i}`;

async function bigCsv(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  for (let i = 0; i < n; i += 10_000) {
    const chunk = Array.from({ length: Math.min(10_000, n - i) }, (_, j) => line(i + j)).join("\n");
    if (!out.write(`${chunk}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/** Starts an ingest and kills it with `signal` after `ms`; resolves when the process is gone. */
function killedIngest(args: string[], ms: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "ingest", ...args], {
      env: { PATH: process.env.PATH ?? "", TZ: "UTC", NO_COLOR: "1", LLMCOST_NOW: "2026-11-24T12:00:00Z" },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill(signal), ms);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test("kill -9 or SIGINT at any point of a first or a later ingest: the database always opens and the next ingest completes it", FULL_TIER, async () => {
  const dir = tmp();
  const file = join(dir, "big.csv");
  await bigCsv(file, 100_000);
  const later = join(dir, "later.csv");
  writeFileSync(later, `${HEADER}\n${line(1).replace("req-1", "other-1")}\n`);
  const outcomes: string[] = [];
  for (const [i, ms] of [150, 450, 900, 1500].entries()) {
    for (const signal of ["SIGKILL", "SIGINT"] as const) {
      const db = join(dir, `t-${i}-${signal}.duckdb`);
      // A first ingest, killed.
      await killedIngest(["--db", db, file], ms, signal);
      const opened = await cli(["report", "--db", db, "--format", "json"]);
      assert.ok(opened.code === 0 || (opened.code === 2 && /database not found/.test(opened.stderr)), `${ms} ms ${signal}: ${opened.stderr}`);
      outcomes.push(opened.code === 0 ? "loaded" : "absent");
      // A later ingest into it, killed too.
      assert.equal((await cli(["ingest", "--db", db, later])).code, 0);
      await killedIngest(["--db", db, file], ms, signal);
      const again = await cli(["ingest", "--db", db, file]);
      assert.equal(again.code, 0, again.stderr);
      const rows = await query(db, "SELECT count(*)::INT AS n FROM usage");
      assert.deepEqual(rows, [{ n: 100_001 }], `${ms} ms ${signal}`);
    }
  }
  // Never a file that no command can open; whether the kill landed before or after the commit varies with the machine.
  assert.ok(outcomes.every((o) => o === "loaded" || o === "absent"));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes(".creating-")),
    [],
    "no half-made database is left behind",
  );
});

/** A database at schema v6 holding `n` requests, as an llmcost of that time left it (the later migrations still to run). */
const v6Database = (path: string, n: number): Promise<void> =>
  databaseAtSchema(path, 6, [
    `INSERT INTO usage_wide (ts, source_kind, source_format, ingest_id, provider, model, tag_raw, user_hash, feature, requests,
      input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, batch, cost_usd, priced)
    SELECT TIMESTAMP '2025-10-01' + INTERVAL (i % 86400) SECOND, 'requests', 'request-log-jsonl', 1, 'openai', 'gpt-4o-mini',
      'a1b2c3d4e5f6:f' || (i % 9), 'a1b2c3d4e5f6', 'f' || (i % 9), 1, 1000, 0, 0, 0, 10, 0, false, 0.00015, true FROM range(${n}) t(i)`,
    "INSERT INTO ingests VALUES (1, 'old.jsonl', 'x', 1, 'request-log-jsonl', 'requests', 1, 1, 0, 0, '2025-10-01', '2025-10-01', now()::TIMESTAMP, NULL)",
  ]);

test("kill -9 or SIGINT during a migration of an existing database: the old file stays whole, and the next ingest migrates it", FULL_TIER, async () => {
  const dir = tmp();
  const original = join(dir, "v6.duckdb");
  await v6Database(original, 300_000);
  const { MIGRATIONS } = await import("../src/store/schema.js");
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  const file = join(dir, "new.csv");
  writeFileSync(file, `${HEADER}\n${line(1)}\n`);
  // How long a whole migrating ingest takes here, so the kills land before, in and after the migration.
  const timed = join(dir, "timed.duckdb");
  copyFileSync(original, timed);
  const t0 = Date.now();
  assert.equal((await cli(["ingest", "--db", timed, file])).code, 0);
  const whole = Date.now() - t0;
  for (const [i, share] of [0.3, 0.5, 0.65, 0.8, 0.95].entries()) {
    const signal = i % 2 === 0 ? "SIGKILL" : "SIGINT";
    const db = join(dir, `k${i}.duckdb`);
    copyFileSync(original, db);
    await killedIngest(["--db", db, file], Math.round(whole * share), signal);
    const [state] = await query(db, "SELECT max(version)::INT AS v, (SELECT count(*)::INT FROM usage) AS n FROM schema_migrations");
    assert.ok(state !== undefined && (state.v === 6 || state.v === latest), `${share} ${signal}: ${JSON.stringify(state)}`);
    const again = await cli(["ingest", "--db", db, file]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await query(db, "SELECT max(version)::INT AS v, (SELECT count(*)::INT FROM usage) AS n FROM schema_migrations"), [
      { v: latest, n: 300_001 },
    ]);
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes(".migrating-")),
    [],
    "no half-migrated copy is left behind",
  );
});

test("a database from a newer llmcost, a DuckDB file llmcost did not make, and a damaged file are refused and left as they are", async () => {
  const dir = tmp();
  const newer = join(dir, "newer.duckdb");
  assert.equal((await cli(["ingest", "--db", newer, "fixtures/formats/requests.csv"])).code, 0);
  let inst = await DuckDBInstance.create(newer);
  let conn = await inst.connect();
  await conn.run("INSERT INTO schema_migrations VALUES (999, now()::TIMESTAMP)");
  conn.closeSync();
  inst.closeSync();
  const before = await checksum(newer);
  for (const args of [["report"], ["ingest", "fixtures/formats/openrouter.csv"]]) {
    const r = await cli([...args, "--db", newer]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /newer llmcost \(schema v999; this one knows up to v\d+\)/);
  }
  assert.equal(await checksum(newer), before);

  const foreign = join(dir, "foreign.duckdb");
  inst = await DuckDBInstance.create(foreign);
  conn = await inst.connect();
  await conn.run("CREATE TABLE invoices (id INTEGER)");
  conn.closeSync();
  inst.closeSync();
  const r = await cli(["ingest", "--db", foreign, "fixtures/formats/requests.csv"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is a DuckDB database that llmcost did not create/);
  assert.deepEqual(await query(foreign, "SELECT table_name FROM information_schema.tables ORDER BY 1"), [{ table_name: "invoices" }]);

  const damaged = join(dir, "damaged.duckdb");
  writeFileSync(damaged, Buffer.alloc(20_000, 7));
  const d = await cli(["report", "--db", damaged]);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /damaged\.duckdb is (damaged or )?not a DuckDB database/);
  assert.doesNotMatch(d.stderr, /in use/);
});

test("an empty --db or LLMCOST_DB is an error, never an in-memory database", async () => {
  const dir = tmp();
  for (const r of [
    await cli(["ingest", "--db", "", "fixtures/formats/requests.csv"]),
    await cli(["ingest", "fixtures/formats/requests.csv"], { env: { LLMCOST_DB: "" }, cwd: dir }),
  ]) {
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--db is empty|LLMCOST_DB is set but empty/);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test("a truncated gzip file is refused whole; stdin leaves no copy behind; pipes are read", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const gz = gzipSync(readFileSync(join(FIXTURES, "demo", "requests.jsonl")));
  writeFileSync(join(dir, "cut.jsonl.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
  const r = await cli(["ingest", "--db", db, join(dir, "cut.jsonl.gz")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cut\.jsonl\.gz: the gzip file is truncated/);
  assert.equal(existsSync(db), false);
  // With a byte-order mark inside (read whole for a copy without it): the same, never exit 70 (found by the fuzzer).
  const bom = gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(join(FIXTURES, "demo", "requests.jsonl"))]));
  writeFileSync(join(dir, "bom.jsonl.gz"), bom.subarray(0, Math.floor(bom.length / 2)));
  const b = await cli(["ingest", "--db", db, join(dir, "bom.jsonl.gz")]);
  assert.equal(b.code, 2, b.stderr);
  assert.match(b.stderr, /bom\.jsonl\.gz: the gzip file is truncated/);

  const spool = join(dir, "tmp");
  mkdirSync(spool);
  const s = cliProcess(["ingest", "--db", db, "-"], { input: readFileSync(join(FIXTURES, "formats", "requests.csv"), "utf8"), env: { TMPDIR: spool } });
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(readdirSync(spool), [], "the copy of stdin is removed");
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n FROM usage"), [{ n: 3 }]);
});

test("a directory: notes and READMEs are skipped with a note, symbolic links are followed, broken ones named", async () => {
  const dir = tmp();
  const data = join(dir, "exports");
  mkdirSync(join(data, "sub"), { recursive: true });
  copyFileSync(join(FIXTURES, "formats", "openrouter.csv"), join(data, "openrouter.csv"));
  writeFileSync(join(data, "README.md"), "# Exports\n\nDownloaded from the consoles on 2026-11-30.\n");
  writeFileSync(join(data, "notes.txt"), "ask finance about the October invoice\n");
  writeFileSync(join(data, "package.json"), '{"name": "exports", "private": true}\n');
  symlinkSync(join(FIXTURES, "formats", "requests.csv"), join(data, "sub", "requests.csv"));
  symlinkSync(join(dir, "nowhere.csv"), join(data, "gone.csv"));
  const db = join(dir, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "--output", "csv", data]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr.split(dir).join("<tmp>"),
    [
      "note: <tmp>/exports/gone.csv: a symbolic link to nothing; skipped",
      "note: <tmp>/exports/notes.txt: not a data file; skipped",
      "note: <tmp>/exports/package.json: no known format (name the file alone to see why); skipped",
      "note: <tmp>/exports/README.md: not a data file; skipped",
      "",
    ].join("\n"),
  );
  assert.deepEqual(await query(db, "SELECT source_format::VARCHAR AS f, count(*)::INT AS n FROM usage GROUP BY 1 ORDER BY 1"), [
    { f: "openrouter-csv", n: 2 },
    { f: "request-log-csv", n: 3 },
  ]);
  // Named on the command line, a file that is not data is still an error.
  const named = await cli(["ingest", "--db", db, join(data, "notes.txt")]);
  assert.equal(named.code, 2);
});

test("the same request_id twice in one file is one request; implausible values are bad rows with their line", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const file = join(dir, "dup.csv");
  writeFileSync(file, `${HEADER}\n${line(1)}\n${line(2)}\n${line(1)}\n`);
  const r = await cli(["ingest", "--db", db, "--format", "request-log-csv", "--output", "json", file]);
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout).files[0];
  assert.equal(f.rows, 2);
  assert.deepEqual(f.skipped, [{ reason: "request_id repeated in this file", rows: 1 }]);
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n, sum(input_tokens)::INT AS i FROM usage"), [{ n: 2, i: 101 + 102 }]);

  const cases: [string, string, RegExp][] = [
    [
      "epoch0.csv",
      `timestamp,model,input_tokens,output_tokens\n2025-10-20T08:00:00Z,gpt-4o,1,1\n1970-01-01T00:00:00Z,gpt-4o,1,1\n`,
      /epoch0\.csv:3: timestamp is before 2020/,
    ],
    ["latency.csv", `timestamp,model,input_tokens,output_tokens,latency_ms\n2025-10-20T08:00:00Z,gpt-4o,1,1,-5\n`, /latency\.csv:2: latency is negative/],
  ];
  const before = await checksum(db);
  for (const [name, body, re] of cases) {
    writeFileSync(join(dir, name), body);
    const b = await cli(["ingest", "--db", db, join(dir, name)]);
    assert.equal(b.code, 2, name);
    assert.match(b.stderr, re);
  }
  assert.equal(await checksum(db), before);
});

test("JSON true, text or an object where a count belongs, and an empty usage object, are bad rows; numeric strings are numbers", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const ts = `"timestamp": "2025-10-20T08:00:00Z", "model": "gpt-4o"`;
  const good = `{${ts}, "input_tokens": 100, "output_tokens": 10}`;
  const cases: [string, string, RegExp][] = [
    ["flat-true.jsonl", `{${ts}, "input_tokens": true, "output_tokens": 5}`, /flat-true\.jsonl:2: input tokens is not a number$/m],
    ["usage-false.jsonl", `{${ts}, "usage": {"prompt_tokens": 10, "completion_tokens": false}}`, /usage-false\.jsonl:2: output tokens is not a number$/m],
    [
      "nested-object.jsonl",
      `{${ts}, "response": {"usage": {"input_tokens": {"n": 3}, "output_tokens": 1}}}`,
      /nested-object\.jsonl:2: input tokens is not a number$/m,
    ],
    ["usage-empty.jsonl", `{${ts}, "usage": {}}`, /usage-empty\.jsonl:2: the usage object holds no token counts, and the line has no token fields$/m],
  ];
  assert.equal((await cli(["ingest", "--db", db, "--format", "request-log-jsonl", writeTo(dir, "first.jsonl", good)])).code, 0);
  const before = await checksum(db);
  for (const [name, body, re] of cases) {
    const r = await cli(["ingest", "--db", db, writeTo(dir, name, `${good}\n${body}\n`)]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  assert.equal(await checksum(db), before);

  // Counts as strings are numbers (some loggers write them so); an empty usage beside flat fields defers to them.
  const ok = [
    `{${ts}, "usage": {"prompt_tokens": "40", "completion_tokens": "4"}, "request_id": "a"}`,
    `{${ts}, "usage": {}, "input_tokens": 7, "output_tokens": 2, "request_id": "b"}`,
  ];
  assert.equal((await cli(["ingest", "--db", db, writeTo(dir, "ok.jsonl", `${ok.join("\n")}\n`)])).code, 0);
  assert.deepEqual(await query(db, "SELECT request_id, input_tokens::INT AS i, output_tokens::INT AS o FROM usage WHERE request_id IS NOT NULL ORDER BY 1"), [
    { request_id: "a", i: 40, o: 4 },
    { request_id: "b", i: 7, o: 2 },
  ]);
});

const writeTo = (dir: string, name: string, body: string): string => {
  writeFileSync(join(dir, name), body);
  return join(dir, name);
};

test("a forced --format that reads nothing is exit 2 and not recorded, so the right ingest then works", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const wrong = await cli(["ingest", "--db", db, "--format", "openai-batch-output", "fixtures/formats/requests-openai.jsonl"]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /read as openai-batch-output, this file gives no rows/);
  const missing = await cli(["ingest", "--db", db, "--format", "openai-usage-csv", "fixtures/formats/requests.csv"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /requests\.csv: no column or field "num_model_requests", which this format needs/);
  assert.doesNotMatch(missing.stderr, /Referenced column|FROM clause/);
  const right = await cli(["ingest", "--db", db, "--output", "json", "fixtures/formats/requests-openai.jsonl"]);
  assert.equal(right.code, 0, right.stderr);
  assert.ok(JSON.parse(right.stdout).files[0].rows > 0);
});

test("a closed pipe ends the command quietly with 0", async () => {
  const { db } = await demoDatabase();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, "report", "--db", db, "--by", "user", "--format", "csv"], {
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    child.on("exit", (c) => resolve({ code: c, stderr: err }));
  });
  assert.equal(stderr, "");
  assert.equal(code, 0);
});

test("dates that do not exist, reversed ranges and compact dates", async () => {
  const { db } = await demoDatabase();
  for (const [args, re] of [
    [["--since", "2025-02-30"], /--since is not a real date \(got "2025-02-30"\)/],
    [["--pricing-as-of", "2025-02-30"], /--pricing-as-of is not a real date/],
    [["--since", "2025-11-10", "--until", "2025-11-01"], /--until 2025-11-01 is not after --since 2025-11-10/],
  ] as const) {
    const r = await cli(["report", "--db", db, ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, re);
  }
  const compact = await cli(["report", "--db", db, "--since", "20251101", "--until", "20251105", "--format", "json"]);
  const iso = await cli(["report", "--db", db, "--since", "2025-11-01", "--until", "2025-11-05", "--format", "json"]);
  assert.equal(compact.code, 0, compact.stderr);
  assert.equal(compact.stdout, iso.stdout);
  // A date after every price epoch prices at the newest rates, never unpriced.
  const far = JSON.parse((await cli(["report", "--db", db, "--pricing-as-of", "9999-12-31", "--format", "json"])).stdout);
  const today = JSON.parse((await cli(["report", "--db", db, "--pricing-as-of", "2026-11-24", "--format", "json"])).stdout);
  assert.equal(far.totals.costUsd, today.totals.costUsd);
  assert.ok(far.totals.costUsd > 90, String(far.totals.costUsd));
});

test("config, overrides and output paths: each mistake names its key or file, exit 2", async () => {
  const { dir, db } = await demoDatabase();
  writeFileSync(join(dir, "share.json"), JSON.stringify({ tactics: { promptCache: { prefixShare: 5 } } }));
  const s = await cli(["savings", "--db", db, "--config", join(dir, "share.json")]);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /tactics\.promptCache\.prefixShare: Too big/);

  const model = (input: number) => ({ id: "acme-llm", provider: "openai", prices: [{ effective_from: "2025-01-01", input, output: 2 }] });
  writeFileSync(join(dir, "twice.json"), JSON.stringify({ models: [model(1), model(3)] }));
  const o = await cli(["report", "--db", db, "--pricing", join(dir, "twice.json")]);
  assert.equal(o.code, 2);
  assert.match(o.stderr, /twice\.json: models\[1\]: model acme-llm is already defined at models\[0\]/);

  writeFileSync(join(dir, "re2.json"), JSON.stringify({ tags: { pattern: "^(?<user>[0-9a-f]{12})(?=:):(?<feature>.+)$" } }));
  const t = await cli(["ingest", "--db", db, "--config", join(dir, "re2.json"), "fixtures/formats/requests.csv"]);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /^llmcost: tags\.pattern is not a regex DuckDB can run/);
  assert.doesNotMatch(t.stderr, /requests\.csv/);

  const full = await cli(["budget", "--db", db, "--max-daily", "1000", "--max-age", "1000d", "--summary", "/dev/full"]);
  assert.equal(full.code, 2);
  assert.match(full.stderr, /--summary \/dev\/full: cannot write: the disk is full/);
  const summaryDir = await cli(["budget", "--db", db, "--max-daily", "1000", "--max-age", "1000d"], { env: { GITHUB_STEP_SUMMARY: dir } });
  assert.equal(summaryDir.code, 2);
  assert.match(summaryDir.stderr, /GITHUB_STEP_SUMMARY .*: is a directory/);
});

test("--skip-bad-rows on JSON Lines: malformed lines and values of the wrong type are left out with their lines, never exit 70", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const ok = (i: number, input: unknown = 4) =>
    JSON.stringify({ timestamp: "2025-11-01T00:00:00Z", model: "gpt-4o", input_tokens: input, output_tokens: 3, request_id: `r${i}` });
  const body = [ok(1), '{"timestamp": "2025-11-01T00:00:00Z", "model": "gpt-4o", "input_tokens": 5', ok(3, "abc"), ok(4, -5), ok(5, 6)].join("\n") + "\n";
  writeFileSync(join(dir, "log.jsonl"), body);
  const r = await cli(["ingest", "--db", db, "--skip-bad-rows", "--output", "json", join(dir, "log.jsonl")]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).files[0].badRows, [
    { line: 2, where: "2", reason: "malformed JSON" },
    { line: 3, where: "3", reason: "input tokens is not a number" },
    { line: 4, where: "4", reason: "input tokens is not a non-negative integer below 10^15" },
  ]);
  assert.deepEqual(await query(db, "SELECT list(request_id ORDER BY request_id) AS ids, sum(input_tokens)::INT AS i FROM usage"), [
    { ids: ["r1", "r5"], i: 10 },
  ]);

  // Without the flag, the first bad line is named, also inside a .gz.
  writeFileSync(join(dir, "log.jsonl.gz"), gzipSync(body));
  const gz = await cli(["ingest", "--db", join(dir, "other.duckdb"), join(dir, "log.jsonl.gz")]);
  assert.equal(gz.code, 2);
  assert.match(gz.stderr, /log\.jsonl\.gz:2: malformed JSON/);
});

test("CR-only line ends are named as such; a first JSON line longer than 256 KB is still detected", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  writeFileSync(join(dir, "mac.csv"), "timestamp,model,input_tokens,output_tokens\r2025-10-20T08:00:00Z,gpt-4o,1,1\r2025-10-20T08:00:00Z,gpt-4o,2,1\r");
  const cr = await cli(["ingest", "--db", db, join(dir, "mac.csv")]);
  assert.equal(cr.code, 2);
  assert.match(cr.stderr, /mac\.csv:1: lines end with a carriage return only/);
  const long = { timestamp: "2025-10-20T08:00:00Z", model: "gpt-4o", input_tokens: 5, output_tokens: 1, prompt: "word ".repeat(70_000) };
  writeFileSync(join(dir, "long.jsonl"), `${JSON.stringify(long)}\n${JSON.stringify({ ...long, prompt: "short" })}\n`);
  const r = await cli(["ingest", "--db", db, join(dir, "long.jsonl")]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await query(db, "SELECT source_format::VARCHAR AS f, count(*)::INT AS n FROM usage GROUP BY 1"), [{ f: "request-log-jsonl", n: 2 }]);
});

test("two OpenAI Batch jobs whose custom_ids repeat: each output joins its own input, once per custom_id", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const formats = join(FIXTURES, "formats");
  // Job A: the fixture pair. Job B: the same custom_ids (as in OpenAI's docs), another model and other tags, with
  // request-1 repeated in its input.
  copyFileSync(join(formats, "openai-batch-input.jsonl"), join(dir, "batch_A_input.jsonl"));
  copyFileSync(join(formats, "openai-batch-output.jsonl"), join(dir, "batch_A_output.jsonl"));
  const input = (id: string, tag: string) =>
    JSON.stringify({ custom_id: id, method: "POST", url: "/v1/chat/completions", body: { model: "gpt-4o", user: tag, messages: [] } });
  writeFileSync(
    join(dir, "batch_B_input.jsonl"),
    [input("request-1", "abcdefabcdef:triage"), input("request-1", "abcdefabcdef:triage"), input("request-2", "abcdefabcdef:triage")].join("\n") + "\n",
  );
  const output = (id: string, n: number) =>
    JSON.stringify({
      id: `batch_req_b${n}`,
      custom_id: id,
      response: {
        status_code: 200,
        request_id: `req_B${n}`,
        body: {
          id: `chatcmpl-B${n}`,
          created: 1734990000,
          model: "gpt-4o-2024-08-06",
          usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
        },
      },
      error: null,
    });
  writeFileSync(join(dir, "batch_B_output.jsonl"), [output("request-1", 1), output("request-2", 2)].join("\n") + "\n");
  const r = await cli(["ingest", "--db", db, dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await query(db, "SELECT feature, model, count(*)::INT AS n, sum(input_tokens)::INT AS i FROM usage GROUP BY ALL ORDER BY ALL"), [
    { feature: "(untagged)", model: "gpt-4o-mini-2024-07-18", n: 1, i: 15 },
    { feature: "nightly-digest", model: "gpt-4o-mini-2024-07-18", n: 2, i: 196 },
    { feature: "triage", model: "gpt-4o-2024-08-06", n: 2, i: 2000 },
  ]);
});

/** A 3 MB file system of its own (tmpfs), or undefined where this user may not mount one. */
function tinyDisk(): { dir: string; unmount: () => void } | undefined {
  const dir = tmp();
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", dir], { encoding: "utf8" });
  return r.status === 0 ? { dir, unmount: () => spawnSync("umount", [dir]) } : undefined;
}

test("a full disk: the ingest is exit 2 naming the disk, not the input; the database keeps what it had and works after", async (t) => {
  const disk = tinyDisk();
  if (!disk) return t.skip("cannot mount a small tmpfs here (needs root)");
  try {
    const db = join(disk.dir, "t.duckdb");
    const dir = tmp();
    writeFileSync(join(dir, "small.csv"), `${HEADER}\n${line(1)}\n`);
    assert.equal((await cli(["ingest", "--db", db, join(dir, "small.csv")])).code, 0);
    await bigCsv(join(dir, "big.csv"), 200_000);
    const r = await cli(["ingest", "--db", db, join(dir, "big.csv")]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /disk holding .* is full/);
    assert.doesNotMatch(r.stderr, /internal error|big\.csv:\d/);
    assert.deepEqual(await query(db, "SELECT (SELECT count(*) FROM usage)::INT AS n, (SELECT count(*) FROM ingests)::INT AS i"), [{ n: 1, i: 1 }]);
    const report = await cli(["report", "--db", db, "--format", "json"]);
    assert.equal(report.code, 0, report.stderr);
    assert.equal(JSON.parse(report.stdout).totals.requests, 1);
  } finally {
    disk.unmount();
  }
});

test("a malformed line in a Batch input file is named in that file, not in its output file", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const jobs = join(dir, "jobs");
  mkdirSync(jobs);
  copyFileSync(join(FIXTURES, "formats", "openai-batch-output.jsonl"), join(jobs, "openai-batch-output.jsonl"));
  const input = readFileSync(join(FIXTURES, "formats", "openai-batch-input.jsonl"), "utf8").split("\n");
  writeFileSync(join(jobs, "openai-batch-input.jsonl"), [input[0], '{"custom_id": "request-9", "body": {"model": ', ...input.slice(1)].join("\n"));
  const r = await cli(["ingest", "--db", db, jobs]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^llmcost: .*jobs\/openai-batch-input\.jsonl:2: malformed JSON/m);
  assert.equal(existsSync(db), false, "a first ingest that fails creates no database");
});

test("global options before the subcommand, --json and --no-color", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const ing = await cli(["--db", db, "ingest", "--json", "fixtures/formats/requests.csv"]);
  assert.equal(ing.code, 0, ing.stderr);
  assert.equal(JSON.parse(ing.stdout).command, "ingest");
  const after = await cli(["report", "--db", db, "--format", "json"]);
  const before = await cli(["--db", db, "--no-color", "report", "--json"]);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(before.stdout, after.stdout);
  assert.equal((await cli([`--db=${db}`, "report", "--by", "model"])).stdout, (await cli(["report", "--db", db, "--by", "model"])).stdout);
  // A command with subcommands: the options go after the subcommand.
  const check = await cli(["--db", db, "pricing", "check", "--json"]);
  assert.equal(JSON.parse(check.stdout).command, JSON.parse((await cli(["pricing", "check", "--db", db, "--json"])).stdout).command);
});

test("pricing and config files nested absurdly deep, or with more models than any price book, are exit 2", async () => {
  const dir = tmp();
  writeFileSync(join(dir, "deep.json"), `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
  const deep = await cli(["pricing", "list", "--pricing", join(dir, "deep.json")]);
  assert.equal(deep.code, 2);
  assert.match(deep.stderr, /deep\.json: cannot read pricing: nested more than 32 levels deep/);
  writeFileSync(join(dir, "config.json"), `${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`);
  const cfg = await cli(["pricing", "list", "--config", join(dir, "config.json")]);
  assert.equal(cfg.code, 2);
  assert.match(cfg.stderr, /config\.json: invalid config: nested more than 32 levels deep/);
  const models = Array.from({ length: 10_001 }, (_, i) => ({ id: `m${i}`, provider: "acme", prices: [{ effective_from: "2025-01-01", input: 1, output: 2 }] }));
  writeFileSync(join(dir, "many.json"), JSON.stringify({ models }));
  const many = await cli(["pricing", "list", "--pricing", join(dir, "many.json")]);
  assert.equal(many.code, 2);
  assert.match(many.stderr, /many\.json: invalid pricing overrides: models: Too big: expected array to have <=10000 items/);
});

test("the same days exported again with other group-by dimensions replace the first export instead of adding to it", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const byProject = readFileSync(join(FIXTURES, "formats", "openai-usage.csv"), "utf8");
  // The same buckets pulled by model only: no project, user or key (as the Usage API leaves ungrouped columns empty).
  const [head, ...rows] = byProject.trimEnd().split("\n");
  const byModel =
    [
      head,
      ...rows.map((r) =>
        r
          .split(",")
          .map((c, i) => (i === 4 || i === 6 || i === 7 ? "" : c))
          .join(","),
      ),
    ].join("\n") + "\n";
  writeFileSync(join(dir, "by-project.csv"), byProject);
  writeFileSync(join(dir, "by-model.csv"), byModel);
  assert.equal((await cli(["ingest", "--db", db, join(dir, "by-project.csv")])).code, 0);
  const once = await query(db, "SELECT sum(input_tokens + cached_input_tokens + output_tokens)::BIGINT AS t, sum(cost_usd)::VARCHAR AS c FROM usage");
  const stored = Number((await query(db, "SELECT count(*)::INT AS n FROM usage"))[0]!.n);
  const r = await cli(["ingest", "--db", db, "--output", "json", join(dir, "by-model.csv")]);
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout).files[0];
  assert.equal(f.replaced, stored);
  assert.deepEqual(f.replacedFrom, [{ ingestId: 1, rows: stored }]);
  assert.deepEqual(
    await query(db, "SELECT sum(input_tokens + cached_input_tokens + output_tokens)::BIGINT AS t, sum(cost_usd)::VARCHAR AS c FROM usage"),
    once,
  );
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n, count(project)::INT AS p FROM usage"), [{ n: stored, p: 0 }]);
});

test("demo --db keeps its database and prints next commands that work on it; an export passed as --db is named", async () => {
  const dir = tmp();
  const db = join(dir, "demo.duckdb");
  const demo = await cli(["demo", "--db", db]);
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stderr, new RegExp(`into ${db.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  const next = demo.stdout.split("\n").filter((l) => l.startsWith("  llmcost "));
  assert.equal(next.length, 6);
  for (const l of next) {
    const r = await cli(l.trim().split(/\s+/).slice(1));
    assert.equal(r.code, 0, `${l}: ${r.stderr}`);
  }
  // The demo's traffic never mixes into a database of real data.
  const real = join(dir, "real.duckdb");
  assert.equal((await cli(["ingest", "--db", real, "fixtures/formats/requests.csv"])).code, 0);
  const mixed = await cli(["demo", "--db", real]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /holds your own data/);
  assert.equal((await cli(["demo", "--db", db])).code, 0, "an earlier demo database is fine");
  const csv = await cli(["report", "--db", "fixtures/formats/requests.csv"]);
  assert.equal(csv.code, 2);
  assert.equal(
    csv.stderr,
    "llmcost: fixtures/formats/requests.csv is not a DuckDB database (it looks like a text file: an export or a log?)\nhint: to load it: llmcost ingest fixtures/formats/requests.csv\n",
  );
  // A --db in a directory that does not exist: said as such (it was an internal error), and nothing is created.
  const missing = join(dir, "no-such-dir", "x.duckdb");
  const nodir = await cli(["ingest", "--db", missing, "fixtures/formats/requests.csv"]);
  assert.equal(nodir.code, 2);
  assert.equal(
    nodir.stderr,
    `llmcost: cannot create the database ${missing}: the directory ${join(dir, "no-such-dir")} does not exist\nhint: create it first (mkdir -p ${join(dir, "no-such-dir")}), or pass another --db PATH\n`,
  );
  assert.equal(existsSync(join(dir, "no-such-dir")), false);
  // Under a file that is not a directory: said so.
  const underFile = await cli(["ingest", "--db", "fixtures/formats/requests.csv/x.duckdb", "fixtures/formats/requests.csv"]);
  assert.equal(underFile.code, 2);
  assert.equal(
    underFile.stderr,
    "llmcost: cannot create the database fixtures/formats/requests.csv/x.duckdb: fixtures/formats/requests.csv is not a directory\nhint: pass another --db PATH\n",
  );
});

test("completion scripts for bash, zsh and fish list every command and its options", async () => {
  const bash = await cli(["completion", "bash"]);
  assert.equal(bash.code, 0);
  assert.match(bash.stdout, /compgen -W "ingest report simulate savings budget reconcile export pricing formats demo completion"/);
  assert.match(bash.stdout, /report\) subs="" opts="[^"]*--by [^"]*--where/);
  assert.match(bash.stdout, /complete -o default -F _llmcost llmcost/);
  assert.match((await cli(["completion", "zsh"])).stdout, /bashcompinit/);
  assert.match((await cli(["completion", "fish"])).stdout, /complete -c llmcost -n "__fish_seen_subcommand_from budget" -l max-age/);
  const bad = await cli(["completion", "tcsh"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'llmcost: completion: unknown shell "tcsh"\nhint: one of bash, zsh, fish\n');
});

test("report: no Pareto line over nothing; an empty window keeps the database's source; titles in the report's zone", async () => {
  const { db } = await demoDatabase();
  const none = await cli(["report", "--db", db, "--pricing-as-of", "2024-06-01"]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout.split("\n")[0], "no priced spend: 9 features have usage, and none of it has a price (see unpriced below)");
  const empty = await cli(["report", "--db", db, "--since", "2027-01-01"]);
  assert.deepEqual(empty.stdout.split("\n").slice(0, 2), ["no usage in this window", "Spend by feature · request logs · 2027-01-01 → … (UTC)"]);
  const ny = await cli(["report", "--db", db, "--by", "day", "--tz", "America/New_York"]);
  assert.equal(ny.stdout.split("\n")[1], "Spend by day · request logs · 2025-10-31 → 2025-11-28 (America/New_York)");
  assert.match(ny.stdout.split("\n")[4]!, /^│ 2025-10-31 /);
});
