import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { checksum, cli, ROOT, tmp } from "./helpers.js";

/**
 * The bad-input corpus: every file must give exit 2, one `file:line: reason` line on stderr (plus at most a hint),
 * nothing on stdout, and leave the database's content exactly as it was.
 */
const CORPUS = join(ROOT, "test", "bad-input");
const cases = JSON.parse(readFileSync(join(CORPUS, "cases.json"), "utf8")) as { file: string; message: string }[];

let dir = "";
let db = "";
let before_ = "";
before(async () => {
  dir = tmp();
  db = join(dir, "t.duckdb");
  // A database with real content, so "unchanged" is a claim about data, not about an empty file.
  assert.equal((await cli(["ingest", "--db", db, "fixtures/formats/requests-openai.jsonl", "fixtures/formats/openai-cost-v1.csv"])).code, 0);
  before_ = await checksum(db);
});

test("the corpus has at least 30 bad inputs", () => {
  assert.ok(cases.length >= 30, `${cases.length} cases`);
});

async function expectRejected(file: string, message: string): Promise<void> {
  const r = await cli(["ingest", "--db", db, file], { cwd: dir });
  assert.equal(r.code, 2, `${file}: exit ${r.code}\n${r.stderr}`);
  assert.equal(r.stdout, "", file);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines[0], `llmcost: ${message}`);
  assert.ok(lines.length === 1 || (lines.length === 2 && lines[1]!.startsWith("hint: ")), r.stderr);
  assert.equal(await checksum(db), before_, `${file} changed the database`);
}

for (const c of cases) {
  test(`bad input: ${c.file}`, async () => {
    copyFileSync(join(CORPUS, c.file), join(dir, c.file));
    await expectRejected(c.file, c.message);
  });
}

test("bad input: a line longer than the reader's maximum", async () => {
  const file = "long-line.csv";
  writeFileSync(join(dir, file), `timestamp,model,user,input_tokens,output_tokens\n2025-10-20T08:00:00Z,gpt-4o-mini,${"x".repeat(3_000_000)},10,5\n`);
  const r = await cli(["ingest", "--db", db, file], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^llmcost: long-line\.csv:2: line too long/);
  assert.equal(await checksum(db), before_);
});

test("good inputs the corpus must not confuse: BOM, CRLF, gzip, no-zone timestamps (UTC)", async () => {
  const t = tmp();
  const d = join(t, "g.duckdb");
  const { gzipSync } = await import("node:zlib");
  const body = "timestamp,model,user,input_tokens,output_tokens\r\n2025-10-20 08:00:00,gpt-4o-mini,a1b2c3d4e5f6:chat,10,5\r\n";
  writeFileSync(join(t, "ok.csv.gz"), gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)])));
  const r = await cli(["ingest", "--db", d, "ok.csv.gz"], { cwd: t });
  assert.equal(r.code, 0, r.stderr);
});
