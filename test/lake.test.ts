import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { cli, type CliResult, ROOT, tmp, FULL_TIER } from "./helpers.js";

/**
 * --lake DIR: the same files ingested into a lake (by processes running at once) and into one database give the same
 * output, byte for byte, for every reading command; idempotency, --replace and bucket overlap work through the
 * manifests; files no committed manifest lists are not read; a bad file leaves the lake as it was.
 */
const ENV = { TZ: "UTC", NO_COLOR: "1", LLMCOST_NOW: "2026-11-24T12:00:00Z" };
const BIN = join(ROOT, "bin", "llmcost.js");

/** await cli() as a child process that runs beside others (helpers.cli is synchronous). */
function cliAsync(args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...ENV } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every file under dir with its size and bytes: equal before and after means nothing in the lake changed. */
function tree(dir: string): string {
  if (!existsSync(dir)) return "(none)";
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(`${relative(dir, p)} ${statSync(p).size} ${readFileSync(p).toString("base64")}`);
    }
  };
  walk(dir);
  return out.join("\n");
}

// One file of each physical table: request logs (usage_wide), a plain CSV log (usage_lean), a provider usage
// export (usage_wide with bucket keys) and a cost export (billed_cost), so reconcile has all three sides.
const FILES = ["fixtures/demo/requests.jsonl", "fixtures/formats/requests.csv", "fixtures/real/openai-usage-1d.json", "fixtures/real/openai-costs-2d.json"];

/** A plain CSV request log (only the lean columns, default tags): the one kind of file that goes to usage_lean. */
function leanLog(dir: string): string {
  const path = join(dir, "lean.csv");
  writeFileSync(
    path,
    [
      "timestamp,model,user,input_tokens,cached_input_tokens,output_tokens,latency_ms,request_id",
      "2025-11-05T08:00:00Z,gpt-4o-mini,ab12:chat,1200,0,150,420,lean-1",
      "2025-11-05T09:30:00Z,gpt-4o,cd34:search,800,200,90,390,lean-2",
      "2025-11-06T10:00:00Z,claude-haiku-4-5,ab12:tagging,3000,0,20,800,lean-3",
      "",
    ].join("\n"),
  );
  return path;
}

const READS: string[][] = [
  ["report"],
  ["report", "--by", "day,model"],
  ["report", "--by", "user", "--format", "json"],
  ["report", "--by", "provider,month", "--format", "csv"],
  ["report", "--by", "model", "--source", "billing"],
  ["report", "--by", "model", "--pricing-as-of", "2025-06-01"],
  ["report", "--by", "model", "--cost-mode", "computed"],
  ["budget", "--max-daily", "5", "--max-monthly", "100", "--spike", "2", "--max-age", "400d"],
  ["budget", "--max-monthly", "1", "--max-age", "400d", "--format", "json"],
  ["reconcile"],
  ["reconcile", "--format", "json"],
  ["simulate", "--cache", "exact", "--route", "mini"],
  ["savings"],
  ["export", "--focus", "-"],
];

/** Each reading command's exit code, stdout and stderr. */
async function outputs(store: string[], reads = READS): Promise<string> {
  const out: string[] = [];
  for (const args of reads) {
    const r = await cli([...args, ...store], { env: ENV });
    out.push(`$ ${args.join(" ")}\nexit=${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`);
  }
  return out.join("\n");
}

const manifests = (lake: string) => readdirSync(join(lake, "_manifests")).filter((f) => f.endsWith(".json"));
const readManifest = (lake: string, f: string) =>
  JSON.parse(readFileSync(join(lake, "_manifests", f), "utf8")) as {
    ingest: string;
    supersedes: string[];
    files: { table: string; path: string; rows: number }[];
    deletes: { table: string; path: string; rows: number }[];
    source: { sha256: string };
  };

test("4 ingests at once into one lake, then every reading command prints what one database of the same files prints", FULL_TIER, async () => {
  const t = tmp();
  const lake = join(t, "lake");
  const db = join(t, "one.duckdb");
  const files = [...FILES.slice(1), leanLog(t)];
  const runs = await Promise.all(files.map((f) => cliAsync(["ingest", "--lake", lake, f])));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  for (const f of files) assert.equal((await cli(["ingest", "--db", db, f], { env: ENV })).code, 0);
  // The demo traffic after them, in each (in both, its request ids meet the others' first).
  assert.equal((await cli(["ingest", "--lake", lake, FILES[0]!], { env: ENV })).code, 0);
  assert.equal((await cli(["ingest", "--db", db, FILES[0]!], { env: ENV })).code, 0);

  // One manifest per ingest; every file it lists is under day=…/source=…/ingest=<its id>/.
  assert.equal(manifests(lake).length, 5);
  const tables = new Set<string>();
  for (const f of manifests(lake)) {
    const m = readManifest(lake, f);
    for (const file of m.files) {
      assert.match(file.path, new RegExp(`^${file.table}/day=\\d{4}-\\d{2}-\\d{2}/source=[a-z0-9-]+/ingest=${m.ingest}/data_\\d+\\.parquet$`));
      assert.ok(existsSync(join(lake, file.path)));
      tables.add(file.table);
    }
  }
  assert.deepEqual([...tables].sort(), ["billed_cost", "usage_lean", "usage_wide"]);
  const fromDb = await outputs(["--db", db]);
  const fromLake = await outputs(["--lake", lake]);
  assert.equal(fromLake, fromDb);
  // The comparison is not of two empty outputs: the demo traffic's total and the bill are there.
  assert.match(fromDb, /\$ report\nexit=0\n--- stdout\n.*of \$/s);
  assert.match(fromDb, /\$ reconcile\nexit=0\n--- stdout\n.*8\.50/s);
  // pricing check names where it looked; otherwise the same.
  const check = (store: string[]) => cli(["pricing", "check", ...store], { env: ENV });
  const [a, b] = [await check(["--db", db]), await check(["--lake", lake])];
  assert.deepEqual([b.code, b.stdout.replace(`the lake ${lake}`, db), b.stderr], [a.code, a.stdout, a.stderr]);

  // Ingesting the same files again adds nothing: "already ingested", no manifest, the same outputs.
  const again = await cli(["ingest", "--lake", lake, "--output", "json", FILES[0]!, ...files], { env: ENV });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    (JSON.parse(again.stdout) as { files: { status: string }[] }).files.map((f) => f.status),
    [FILES[0], ...files].map(() => "already-ingested"),
  );
  assert.equal(manifests(lake).length, 5);
  assert.equal(await outputs(["--lake", lake], READS.slice(0, 3)), await outputs(["--db", db], READS.slice(0, 3)));
});

test("two processes ingesting the same file at once: both may commit, readers count it once", FULL_TIER, async () => {
  const t = tmp();
  const lake = join(t, "lake");
  const db = join(t, "one.duckdb");
  const f = "fixtures/formats/requests.csv";
  const runs = await Promise.all([cliAsync(["ingest", "--lake", lake, f]), cliAsync(["ingest", "--lake", lake, f])]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.equal((await cli(["ingest", "--db", db, f], { env: ENV })).code, 0);
  const reads = [
    ["report", "--by", "model"],
    ["report", "--by", "user", "--format", "json"],
  ];
  assert.equal(await outputs(["--lake", lake], reads), await outputs(["--db", db], reads));
  // A third ingest, after the fact, sees it as ingested.
  assert.match((await cli(["ingest", "--lake", lake, f], { env: ENV })).stdout, /already-ingested/);
});

test("--replace through the manifests: the new version supersedes the old one, as in a database", async () => {
  const t = tmp();
  const lake = join(t, "lake");
  const db = join(t, "one.duckdb");
  const file = join(t, "requests.csv");
  const steps = async (store: string[]) => {
    copyFileSync(join(ROOT, "fixtures/formats/requests.csv"), file);
    assert.equal((await cli(["ingest", ...store, file], { env: ENV })).code, 0);
    // The new version: the last line gone, the first one's output tokens 150 -> 1500.
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    writeFileSync(file, `${[lines[0], lines[1]!.replace(",150,", ",1500,"), lines[2]].join("\n")}\n`);
    const r = await cli(["ingest", ...store, "--replace", "--output", "json", file], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    // Ingest ids differ by design: a lake numbers every manifest in commit order (the replaced one keeps its number).
    const { ingestId: _, ...summary } = (JSON.parse(r.stdout) as { files: { ingestId: number; rows: number; replaced: number }[] }).files[0]!;
    return summary;
  };
  assert.deepEqual(await steps(["--lake", lake]), await steps(["--db", db]));
  const reads = [
    ["report", "--by", "model"],
    ["report", "--by", "day", "--format", "json"],
  ];
  assert.equal(await outputs(["--lake", lake], reads), await outputs(["--db", db], reads));
  const ms = manifests(lake).map((f) => readManifest(lake, f));
  assert.equal(ms.length, 2);
  const first = ms.find((m) => m.supersedes.length === 0)!;
  assert.deepEqual(ms.find((m) => m.supersedes.length > 0)!.supersedes, [first.ingest]);
});

test("a log that grew, through the manifests: it replaces its earlier ingest and says how many rows, as in a database", async () => {
  const t = tmp();
  const line = (ts: string, prompt: number) =>
    `${JSON.stringify({ timestamp: ts, model: "gpt-4o-mini-2024-07-18", user: "4f2a9c1d7e3b:support-bot", usage: { prompt_tokens: prompt, completion_tokens: 50 } })}\n`;
  const steps = async (store: string[], file: string) => {
    writeFileSync(file, line("2026-11-10T09:00:00Z", 1000) + line("2026-11-10T09:00:05Z", 2000));
    assert.equal((await cli(["ingest", ...store, file], { env: ENV })).code, 0);
    writeFileSync(file, line("2026-11-10T09:00:00Z", 1000) + line("2026-11-10T09:00:05Z", 2000) + line("2026-11-10T10:00:00Z", 500));
    const r = await cli(["ingest", ...store, "--output", "json", file], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const { rows, replaced, note } = (JSON.parse(r.stdout) as { files: { rows: number; replaced: number; note: string }[] }).files[0]!;
    return { rows, replaced, note: note.replace(/#\d+ \([^)]+\)/, "(…)") };
  };
  // Lines without a request id: only the replacement keeps them from counting twice.
  const lake = await steps(["--lake", join(t, "lake")], join(t, "a.jsonl"));
  assert.deepEqual(lake, { rows: 3, replaced: 2, note: "starts with the file ingested as (…): a log that grew, or its rotated copy; it replaces that ingest" });
  assert.deepEqual(lake, await steps(["--db", join(t, "one.duckdb")], join(t, "b.jsonl")));
  const requests = async (store: string[]) => JSON.parse((await cli(["report", ...store, "--format", "json"], { env: ENV })).stdout).totals.requests;
  assert.equal(await requests(["--lake", join(t, "lake")]), 3);
});

test("overlapping provider buckets through the manifests: a later export's buckets replace the earlier rows", async () => {
  const t = tmp();
  for (const pair of [
    ["fixtures/real/openai-usage-1h.json", "fixtures/real/openai-usage-1d.json"],
    ["fixtures/real/anthropic-tokens-daily.csv", "fixtures/real/anthropic-tokens-hourly.csv"],
  ]) {
    const lake = join(t, `lake-${pair.length}-${readdirSync(t).length}`);
    const db = join(t, `db-${readdirSync(t).length}.duckdb`);
    const ingested = async (store: string[]) => {
      const out = [];
      for (const f of pair) {
        const r = await cli(["ingest", ...store, "--output", "json", f], { env: ENV });
        assert.equal(r.code, 0, r.stderr);
        out.push((JSON.parse(r.stdout) as { files: { rows: number; replaced: number; replacedFrom: unknown }[] }).files[0]);
      }
      return out;
    };
    assert.deepEqual(await ingested(["--lake", lake]), await ingested(["--db", db]));
    const reads = [
      ["report", "--by", "day,model"],
      ["report", "--by", "model", "--source", "billing", "--format", "json"],
    ];
    assert.equal(await outputs(["--lake", lake], reads), await outputs(["--db", db], reads));
    // The replaced rows are tombstones beside the second ingest's files; the first ingest's files are untouched.
    const second = manifests(lake)
      .map((f) => readManifest(lake, f))
      .find((m) => m.deletes.length > 0);
    assert.ok(second, "the second ingest records the rows it replaced");
    assert.equal(second.deletes[0]!.table, "usage_wide");
  }
  // OpenAI 1h then 1d (test/real-exports.test.ts): the daily page replaces the three hourly rows → $1.05.
  const lake = join(t, "openai");
  for (const f of ["fixtures/real/openai-usage-1h.json", "fixtures/real/openai-usage-1d.json"])
    assert.equal((await cli(["ingest", "--lake", lake, f], { env: ENV })).code, 0);
  const r = JSON.parse((await cli(["report", "--lake", lake, "--by", "model", "--format", "json"], { env: ENV })).stdout) as { totals: { costUsd: number } };
  assert.equal(r.totals.costUsd, 1.05);
});

test("files without a committed manifest (a crashed ingest) are not read", async () => {
  const t = tmp();
  const lake = join(t, "lake");
  assert.equal((await cli(["ingest", "--lake", lake, "fixtures/formats/requests.csv"], { env: ENV })).code, 0);
  const before = await outputs(["--lake", lake], [["report", "--by", "model"]]);
  // A crash after the files and before the rename of the manifest: a copy of every file under another ingest id,
  // a manifest still under its temporary name, and a staging directory.
  const m = readManifest(lake, manifests(lake)[0]!);
  const ghost = "00000000-0000-4000-8000-000000000000";
  for (const f of m.files) {
    const dest = join(lake, f.path.replace(m.ingest, ghost));
    mkdirSync(join(dest, ".."), { recursive: true });
    copyFileSync(join(lake, f.path), dest);
  }
  writeFileSync(
    join(lake, "_manifests", `.${ghost}.json.tmp`),
    JSON.stringify({ ...m, ingest: ghost, files: m.files.map((f) => ({ ...f, path: f.path.replace(m.ingest, ghost) })) }).slice(0, 100),
  );
  cpSync(join(lake, m.files[0]!.table), join(lake, "_staging", ghost, m.files[0]!.table), { recursive: true });
  assert.equal(await outputs(["--lake", lake], [["report", "--by", "model"]]), before);
  // And an ingest still works beside them.
  assert.equal((await cli(["ingest", "--lake", lake, "fixtures/real/openai-usage-1d.json"], { env: ENV })).code, 0);
  assert.equal(manifests(lake).length, 2);
});

test("a bad file leaves the lake as it was (exit 2); a lake is never made for nothing", async () => {
  const t = tmp();
  const lake = join(t, "lake");
  const bad = join(t, "bad.csv");
  writeFileSync(
    bad,
    "timestamp,model,user,feature,input_tokens,cached_input_tokens,output_tokens,latency_ms,request_id,status\n2025-10-21T08:00:00Z,gpt-4o-mini,u:chat,,10,0,5,100,z1,ok\nnot-a-date,gpt-4o-mini,u:chat,,10,0,5,100,z2,ok\n",
  );
  // Into a lake that does not exist yet: nothing is created.
  const first = await cli(["ingest", "--lake", lake, bad], { env: ENV });
  assert.equal(first.code, 2);
  assert.match(first.stderr, /bad\.csv:3: /);
  assert.equal(existsSync(lake), false);
  assert.equal((await cli(["ingest", "--lake", lake, "fixtures/formats/requests.csv"], { env: ENV })).code, 0);
  const snapshot = tree(lake);
  const r = await cli(["ingest", "--lake", lake, bad], { env: ENV });
  assert.deepEqual([r.code, r.stdout], [2, ""]);
  assert.match(r.stderr, /bad\.csv:3: /);
  assert.equal(tree(lake), snapshot);
  // A dry run writes nothing either.
  assert.equal((await cli(["ingest", "--lake", lake, "--dry-run", "fixtures/real/openai-usage-1d.json"], { env: ENV })).code, 0);
  assert.equal(tree(lake), snapshot);
});

test("--lake and --db: one store at a time; a missing lake is exit 2 with a hint, as a missing database is", async () => {
  const t = tmp();
  const both = await cli(["report", "--db", join(t, "x.duckdb"), "--lake", join(t, "lake")], { env: ENV });
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--db and --lake/);
  const missing = await cli(["report", "--lake", join(t, "nowhere")], { env: ENV });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no lake at .*nowhere/);
  assert.match(missing.stderr, /hint: run `llmcost ingest --lake/);
  // $LLMCOST_LAKE is the default, before the command or after.
  assert.equal((await cli(["ingest", "fixtures/formats/requests.csv"], { env: { ...ENV, LLMCOST_LAKE: join(t, "env-lake") } })).code, 0);
  assert.equal(manifests(join(t, "env-lake")).length, 1);
  assert.equal((await cli(["--lake", join(t, "env-lake"), "report"], { env: ENV })).code, 0);
});

test("counting rules: superseded ingests are out; of the same content, the first committed counts; a newer lake is refused", async () => {
  const { resolve, readLake } = await import("../src/store/lake-manifest.js");
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const sha = (c: string) => c.repeat(64);
  const m = (n: number, content: string, supersedes: number[] = []) => ({
    lake: 1 as const,
    schemaVersion: 1,
    ingest: id(n),
    committedAt: `2026-12-01T00:00:0${n}.000Z`,
    source: { path: `/f${content}`, sha256: sha(content), bytes: 1, format: "request-log-csv", kind: "requests" },
    record: { rowsRead: 1, rowsInserted: 1, rowsSkipped: 0, rowsReplaced: 0, minTs: null, maxTs: null, ingestedAt: "2026-12-01 00:00:00", cacheDeny: null },
    pricingSha256: "p",
    models: [],
    supersedes: supersedes.map(id),
    files: [],
    deletes: [],
  });
  // 1 (a), 2 (b), 3 (a again: a race, both committed), 4 (--replace of b: b'), 5 (--replace of b' at once with 4).
  const state = resolve("/lake", [m(1, "a"), m(2, "b"), m(3, "a"), m(4, "c", [2]), m(5, "c", [2])]);
  assert.deepEqual(
    state.effective.map((e) => e.ingest),
    [id(1), id(4)],
  );
  assert.deepEqual([...state.ids.values()], [1, 2, 3, 4, 5]);
  // On disk: a manifest of a newer lake format is refused whole, naming the file.
  const t = tmp();
  mkdirSync(join(t, "_manifests"));
  writeFileSync(join(t, "_manifests", `${id(9)}.json`), JSON.stringify({ ...m(9, "d"), lake: 2 }));
  assert.throws(() => readLake(t), /newer llmcost \(lake format v2/);
  writeFileSync(
    join(t, "_manifests", `${id(9)}.json`),
    JSON.stringify({ ...m(9, "d"), files: [{ table: "usage_wide", path: "../../etc/x.parquet", rows: 1 }] }),
  );
  assert.throws(() => readLake(t), /not a path inside the lake/);
});
