import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checksum, cli, FIXTURES, normalise, query, ROOT, tmp } from "./helpers.js";

/** A database that already holds one good file, so "unchanged" is a real claim. */
async function seeded(): Promise<{ dir: string; db: string }> {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/requests.csv"]);
  assert.equal(r.code, 0, r.stderr);
  return { dir, db };
}

const HEADER = "timestamp,model,user,input_tokens,output_tokens\n";
const GOOD = "2025-10-20T08:00:00Z,gpt-4o-mini,a1b2c3d4e5f6:chat,10,5\n";

const cases: { name: string; file: string; content: string | Buffer; message: string }[] = [
  { name: "unknown format", file: "unknown.csv", content: "a,b\n1,2\n", message: "unknown.csv:1: unknown format (header: a,b)" },
  {
    name: "non-numeric tokens",
    file: "bad.csv",
    content: HEADER + GOOD + "2025-10-20T08:00:00Z,gpt-4o-mini,x,abc,5\n",
    message: 'bad.csv:3: "abc" is not a number (column input_tokens)',
  },
  {
    name: "negative tokens",
    file: "neg.csv",
    content: HEADER + GOOD + GOOD + "2025-10-20T08:00:00Z,gpt-4o-mini,x,-3,5\n",
    message: "neg.csv:4: input tokens is not a non-negative integer below 10^15",
  },
  {
    name: "fractional tokens",
    file: "frac.csv",
    content: HEADER + GOOD.replace("10,5", "10.0,5") + GOOD.replace("10,5", "10.5,5"),
    message: "frac.csv:3: input tokens is not a non-negative integer below 10^15",
  },
  {
    name: "2^63 tokens",
    file: "huge.csv",
    content: HEADER + GOOD.replace("10,5", "9223372036854775808,5"),
    message: "huge.csv:2: input tokens is not a non-negative integer below 10^15",
  },
  { name: "bad timestamp", file: "ts.csv", content: HEADER + GOOD + "yesterday,gpt-4o-mini,x,3,5\n", message: "ts.csv:3: missing or unparseable timestamp" },
  {
    name: "ragged row",
    file: "ragged.csv",
    content: HEADER + GOOD + "2025-10-20T08:00:00Z,gpt-4o-mini,x,10\n",
    message: "ragged.csv:3: expected 5 columns, found 4",
  },
  {
    name: "truncated JSONL",
    file: "t.jsonl",
    content:
      '{"timestamp":"2025-10-20T08:00:00Z","model":"gpt-4o-mini","input_tokens":5,"output_tokens":1}\n{"timestamp":"2025-10-20T08:00:00Z","model":"gpt-4o-mini","input_tokens":5,\n',
    message: "t.jsonl:2: malformed JSON: unexpected end of data",
  },
  { name: "empty file", file: "empty.csv", content: "", message: "empty.csv:1: file is empty" },
  {
    name: "binary garbage",
    file: "bin.csv",
    content: Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10]),
    message: "bin.csv:1: binary data (NUL bytes), not a CSV or JSON export",
  },
];

for (const c of cases) {
  test(`bad input leaves the database unchanged: ${c.name}`, async () => {
    const { dir, db } = await seeded();
    const before = await checksum(db);
    writeFileSync(join(dir, c.file), c.content);
    const r = await cli(["ingest", "--db", db, c.file], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(normalise(r.stderr, dir).split("\n")[0], `llmcost: ${c.message}`);
    assert.equal(await checksum(db), before);
  });
}

test("a missing file is exit 2 and nothing is created", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const r = await cli(["ingest", "--db", db, join(dir, "nope.csv")]);
  assert.equal(r.code, 2);
  assert.equal(normalise(r.stderr, dir), "llmcost: <tmp>/nope.csv: no such file or directory\n");
  assert.equal(existsSync(db), false);
});

test("a locked database is exit 2 naming the holder's pid, and nothing changes", async () => {
  const { db } = await seeded();
  const before = await checksum(db);
  const holder = spawn(
    process.execPath,
    [
      "-e",
      `const {DuckDBInstance}=require(${JSON.stringify(join(ROOT, "node_modules/@duckdb/node-api"))});DuckDBInstance.create(${JSON.stringify(db)}).then(i=>i.connect()).then(()=>{console.log("held");setTimeout(()=>{},20000)})`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
    const r = await cli(["ingest", "--db", db, "fixtures/formats/requests-openai.jsonl"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^llmcost: database is in use by another llmcost process \\(pid ${holder.pid}\\)`));
  } finally {
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("exit", r));
  }
  assert.equal(await checksum(db), before);
});

test("re-ingesting the same file adds 0 rows and says so", async () => {
  const { db } = await seeded();
  const before = await checksum(db);
  const r = await cli(["ingest", "--db", db, "fixtures/formats/requests.csv"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /already-ingested/);
  assert.match(r.stdout, /fixtures\/formats\/requests\.csv: already ingested as #1 on .*; 0 rows added/);
  assert.equal(await checksum(db), before);
});

test("a log that grew by appending replaces its earlier ingest (lines without a request id count once); a rotated one is added, said", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const log = join(dir, "requests.jsonl");
  const line = (ts: string, prompt: number, cached: number, completion: number) =>
    `${JSON.stringify({
      timestamp: ts,
      model: "gpt-4o-mini-2024-07-18",
      user: "4f2a9c1d7e3b:support-bot",
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } },
    })}\n`;
  // gpt-4o-mini per 1M: 0.15 input, 0.075 cached, 0.6 output.
  // 1000 × 0.15 + 200 × 0.6 = 270 µ$; 976 × 0.15 + 1024 × 0.075 + 100 × 0.6 = 283.2 µ$; 500 × 0.15 + 50 × 0.6 = 105 µ$
  const first = line("2026-11-10T09:00:00Z", 1000, 0, 200) + line("2026-11-10T09:00:05Z", 2000, 1024, 100);
  writeFileSync(log, first);
  const once = await cli(["ingest", "--db", db, log]);
  assert.equal(once.code, 0, once.stderr);
  writeFileSync(log, first + line("2026-11-10T10:00:00Z", 500, 0, 50));
  const grown = await cli(["ingest", "--db", db, "--json", log]);
  assert.equal(grown.code, 0, grown.stderr);
  const summary = JSON.parse(grown.stdout).files[0];
  assert.deepEqual([summary.rows, summary.replaced], [3, 2]);
  assert.match(summary.note, /^starts with the file ingested as #1 \(.+ UTC, 449 bytes\): a log that grew, or its rotated copy; it replaces that ingest$/);
  const total = () => query(db, "SELECT count(*)::INT AS n, sum(cost_usd)::VARCHAR AS usd FROM usage");
  assert.deepEqual(await total(), [{ n: 3, usd: "0.000658200000" }]); // 270 + 283.2 + 105 µ$, not 1,211.4
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n FROM ingests"), [{ n: 1 }]);
  // Rotated: the path now holds other lines. They are new requests, added beside the earlier ones, and the summary
  // says the path was seen with other content.
  writeFileSync(log, line("2026-11-11T09:00:00Z", 500, 0, 50));
  const rotated = await cli(["ingest", "--db", db, log]);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(
    rotated.stdout,
    /requests\.jsonl: this path was ingested as #\d+ \(.+ UTC\) with other content, kept beside this \(a rotated log\); --replace if\s+this file supersedes it/,
  );
  assert.deepEqual(await total(), [{ n: 4, usd: "0.000763200000" }]);
  // Rotated while it grew: the path holds a new log, and the lines ingested from it before went on, with more, in a
  // file of another name. One run of both: the new log is added, the rotated copy replaces what was ingested of it.
  writeFileSync(log, line("2026-11-11T09:00:00Z", 500, 0, 50) + line("2026-11-11T09:30:00Z", 1000, 0, 200));
  assert.equal((await cli(["ingest", "--db", db, log])).code, 0);
  assert.deepEqual(await total(), [{ n: 5, usd: "0.001033200000" }]);
  const rotated1 = join(dir, "requests.jsonl.1");
  writeFileSync(
    rotated1,
    `${line("2026-11-11T09:00:00Z", 500, 0, 50)}${line("2026-11-11T09:30:00Z", 1000, 0, 200)}${line("2026-11-11T10:00:00Z", 2000, 1024, 100)}`,
  );
  writeFileSync(log, line("2026-11-12T09:00:00Z", 500, 0, 50));
  const both = await cli(["ingest", "--db", db, "--json", log, rotated1]);
  assert.equal(both.code, 0, both.stderr);
  const [newLog, copy] = JSON.parse(both.stdout).files;
  assert.deepEqual([newLog.rows, newLog.replaced, copy.rows, copy.replaced], [1, 0, 3, 2]);
  assert.match(copy.note, /^starts with the file ingested as #\d+ \(.+ UTC, 443 bytes\)/);
  // The 3 lines of the 10th and the 11th's 2 before, + 283.2 µ$ (the rotated copy's third line) + 105 µ$ (the new log's).
  assert.deepEqual(await total(), [{ n: 7, usd: "0.001421400000" }]);
  // --replace says nothing of the earlier ingests: it replaces every ingest of the path (the 10th's 3 lines and the
  // 12th's line; the 11th's are the rotated copy's), as asked.
  const replaced = await cli(["ingest", "--db", db, "--replace", "--json", log]);
  assert.equal(JSON.parse(replaced.stdout).files[0].note, null);
  assert.deepEqual(await total(), [{ n: 4, usd: "0.000763200000" }]);
});

test("a file of the same size but other content is ingested; the same content under another name is not", async () => {
  // Ingest hashes a file while it loads unless the ledger has one of the same size: both paths must end right.
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  writeFileSync(join(dir, "a.csv"), HEADER + GOOD);
  writeFileSync(join(dir, "b.csv"), HEADER + GOOD.replace(",10,5", ",11,5"));
  writeFileSync(join(dir, "c.csv"), HEADER + GOOD);
  for (const [file, added] of [
    ["a.csv", 1],
    ["b.csv", 1],
    ["c.csv", 0],
  ] as const) {
    const r = await cli(["ingest", "--db", db, file], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${added} rows? added`), file);
  }
  // Two ledger entries, each with its file's real sha256 (the one hashed during the load too).
  const shas = (await query(db, "SELECT file_sha256 FROM ingests ORDER BY ingest_id")).map((r) => r.file_sha256);
  assert.deepEqual(shas, [
    createHash("sha256")
      .update(HEADER + GOOD)
      .digest("hex"),
    createHash("sha256")
      .update(HEADER + GOOD.replace(",10,5", ",11,5"))
      .digest("hex"),
  ]);
});

test("--dry-run reports what would be added and writes nothing", async () => {
  const { db } = await seeded();
  const before = await checksum(db);
  const r = await cli(["ingest", "--db", db, "--dry-run", "fixtures/formats/requests-openai.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /6 rows would be added \(dry run\)/);
  assert.match(r.stderr, /dry run: nothing was written/);
  assert.equal(await checksum(db), before);
  const fresh = join(tmp(), "none.duckdb");
  assert.equal((await cli(["ingest", "--db", fresh, "--dry-run", "fixtures/formats/requests.csv"])).code, 0);
  assert.equal(existsSync(fresh), false, "a dry run never creates the database");
});

test("--replace swaps in a file's new version", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const file = join(dir, "requests.csv");
  writeFileSync(file, HEADER + GOOD);
  assert.equal((await cli(["ingest", "--db", db, file])).code, 0);
  writeFileSync(file, HEADER + GOOD + GOOD.replace("10,5", "20,7"));
  const r = await cli(["ingest", "--db", db, "--replace", file]);
  assert.equal(r.code, 0, r.stderr);
  const rows = await query(db, "SELECT count(*)::INT AS n, sum(input_tokens)::INT AS i, (SELECT count(*) FROM ingests)::INT AS ingests FROM usage");
  assert.deepEqual(rows, [{ n: 2, i: 30, ingests: 1 }]);
});

test("overlapping provider buckets from two exports are not double counted", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const first = join(dir, "first.csv");
  const second = join(dir, "second.csv");
  copyFileSync(join(ROOT, "fixtures/formats/openai-usage.csv"), first);
  // A later export: the same 2025-10-05 bucket (identical key) plus a new day.
  const lines = (await import("node:fs")).readFileSync(first, "utf8").split("\n");
  writeFileSync(
    second,
    [
      lines[0],
      lines[1],
      lines[1]!.replaceAll("2025-10-06", "2025-10-09").replaceAll("2025-10-05", "2025-10-08").replace("1759622400,1759708800", "1759881600,1759968000"),
    ].join("\n") + "\n",
  );
  assert.equal((await cli(["ingest", "--db", db, first])).code, 0);
  const r = await cli(["ingest", "--db", db, second]);
  assert.equal(r.code, 0, r.stderr);
  const rows = await query(
    db,
    "SELECT strftime(ts, '%Y-%m-%d') AS day, sum(input_tokens)::INT AS input, count(*)::INT AS n FROM usage GROUP BY ALL ORDER BY day",
  );
  assert.deepEqual(rows, [
    { day: "2025-10-05", input: 53440, n: 1 },
    { day: "2025-10-06", input: 58072, n: 2 },
    { day: "2025-10-08", input: 53440, n: 1 },
  ]);
  assert.match(r.stdout, /│\s+1 │ 2025-10-05/, "the summary counts the superseded bucket as replaced");
});

test("CRLF, a BOM and gzip are read like plain files", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  writeFileSync(join(dir, "crlf.csv"), (HEADER + GOOD).replaceAll("\n", "\r\n"));
  writeFileSync(join(dir, "bom.csv"), "\uFEFF" + HEADER + GOOD.replace("10,5", "11,5"));
  const { gzipSync } = await import("node:zlib");
  writeFileSync(join(dir, "g.csv.gz"), gzipSync(HEADER + GOOD.replace("10,5", "12,5")));
  const r = await cli(["ingest", "--db", db, "crlf.csv", "bom.csv", "g.csv.gz"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const rows = await query(db, "SELECT list(input_tokens ORDER BY input_tokens)::VARCHAR AS i FROM usage");
  assert.deepEqual(rows, [{ i: "[10, 11, 12]" }]);
});

test("stdin and directories are accepted", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "-"], { input: HEADER + GOOD });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /<stdin>/);
  const d = await cli(["ingest", "--db", db, "fixtures/formats"]);
  assert.equal(d.code, 0, d.stderr);
  const n = await query(db, "SELECT count(*)::INT AS n FROM ingests");
  // stdin, then every file of the directory but the Batch input (joined to its output file, not ledgered itself)
  assert.deepEqual(n, [{ n: 1 + readdirSync(join(FIXTURES, "formats")).length - 1 }]);
});

test("a directory walk skips database files, so the database can live beside the exports", async () => {
  const dir = tmp();
  copyFileSync(join(ROOT, "fixtures/formats/requests.csv"), join(dir, "requests.csv"));
  const db = join(dir, "llmcost.duckdb");
  assert.equal((await cli(["ingest", "--db", db, dir])).code, 0);
  const again = await cli(["ingest", "--db", db, dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already-ingested/);
  assert.doesNotMatch(again.stdout, /│[^\n]*llmcost\.duckdb/, "the database is not listed as an input");
});

test("a custom tag pattern from the config decodes other layouts; a bad one is exit 2", async () => {
  const dir = tmp();
  const db = join(dir, "t.duckdb");
  writeFileSync(join(dir, "cfg.json"), JSON.stringify({ tags: { pattern: "^(?<feature>[a-z-]+)/(?<user>[0-9a-f]{12})$" } }));
  writeFileSync(join(dir, "r.csv"), HEADER + "2025-10-20T08:00:00Z,gpt-4o-mini,summarize/a1b2c3d4e5f6,10,5\n" + GOOD);
  assert.equal((await cli(["ingest", "--db", db, "--config", "cfg.json", "r.csv"], { cwd: dir })).code, 0);
  assert.deepEqual(await query(db, "SELECT tag_raw, user_hash, feature FROM usage ORDER BY feature DESC"), [
    { tag_raw: "summarize/a1b2c3d4e5f6", user_hash: "a1b2c3d4e5f6", feature: "summarize" },
    // A tag in another layout is not decoded: only its hash is kept.
    { tag_raw: null, user_hash: createHash("sha256").update("a1b2c3d4e5f6:chat").digest("hex").slice(0, 12), feature: "(untagged)" },
  ]);
  // usage_lean rebuilds tags as user_hash:feature, which this layout is not: its rows keep their tags in usage_wide.
  assert.deepEqual(await query(db, "SELECT (SELECT count(*) FROM usage_wide)::INT AS wide, (SELECT count(*) FROM usage_lean)::INT AS lean"), [
    { wide: 2, lean: 0 },
  ]);
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ tags: { pattern: "^(?<user>x)$" } }));
  const r = await cli(["ingest", "--db", join(dir, "u.duckdb"), "--config", "bad.json", "r.csv"], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^llmcost: tags\.pattern must have exactly two capture groups, named user and feature\n/);
});

test("a first ingest that fails leaves no database behind; a read of that path then says it is not there", async () => {
  const t = tmp();
  const db = join(t, "new.duckdb");
  writeFileSync(join(t, "neg.jsonl"), '{"timestamp":"2025-11-01T00:00:00Z","model":"gpt-4o","input_tokens":-5,"output_tokens":1}\n');
  const r = await cli(["ingest", "--db", db, join(t, "neg.jsonl")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /neg\.jsonl:1: input tokens is not a non-negative integer below 10\^15/);
  assert.deepEqual(readdirSync(t).sort(), ["neg.jsonl"], "no database file, WAL or staging copy");
  const report = await cli(["report", "--db", db]);
  assert.equal(report.code, 2);
  assert.match(report.stderr, /database not found/);
  // Into a database that exists, the same failure leaves it exactly as it was (and there).
  writeFileSync(join(t, "ok.jsonl"), '{"timestamp":"2025-11-01T00:00:00Z","model":"gpt-4o","input_tokens":5,"output_tokens":1}\n');
  assert.equal((await cli(["ingest", "--db", db, join(t, "ok.jsonl")])).code, 0);
  const before = await checksum(db);
  assert.equal((await cli(["ingest", "--db", db, join(t, "neg.jsonl")])).code, 2);
  assert.equal(await checksum(db), before);
});

test("ingest --format names the input format: an output format there says to use --output", async () => {
  const db = join(tmp(), "f.duckdb");
  const json = await cli(["ingest", "--db", db, "--format", "json", "fixtures/formats/requests.csv"]);
  assert.equal(json.code, 2);
  assert.equal(
    json.stderr,
    "llmcost: unknown --format json: for ingest, --format names the input format\nhint: for the summary as json, use --output json (or --json); `llmcost formats` lists the input formats\n",
  );
  const typo = await cli(["ingest", "--db", db, "--format", "openai-usgae-csv", "fixtures/formats/requests.csv"]);
  assert.equal(typo.code, 2);
  assert.match(
    typo.stderr,
    /^llmcost: unknown --format openai-usgae-csv: for ingest, --format names the input format\nhint: run `llmcost formats` to list them\n$/,
  );
  assert.equal(existsSync(db), false);
});
