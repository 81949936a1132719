import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LakeStage } from "../src/store/lake.js";
import { cli, tmp, FULL_TIER } from "./helpers.js";

/**
 * An ingest into a lake copies into its staging database only the lake rows its checks read: the file's time range
 * ± REQUEST_ID_WINDOW (2 days) for request ids, whatever the lake's history, reading only the Parquet files of those
 * days; a request_id stored within 2 days is still the same request and one further apart is another, as with --db.
 */
const ENV = { LLMCOST_PROFILE: "1" };
const day = (d: number) => `2025-10-${String(d).padStart(2, "0")}`;

/** 20 days of history: a plain CSV log (usage_lean, 3 rows a day) and a JSON Lines log (usage_wide, 2 a day). */
function history(t: string): string[] {
  const days = Array.from({ length: 20 }, (_, i) => i + 1);
  const lean = days.flatMap((d) => ["06", "12", "18"].map((h, i) => `${day(d)}T${h}:00:00Z,gpt-4o-mini,u1:chat,10,5,l-${d}-${i}`));
  writeFileSync(join(t, "lean.csv"), `timestamp,model,user,input_tokens,output_tokens,request_id\n${lean.join("\n")}\n`);
  const wide = days.flatMap((d) =>
    ["09", "15"].map((h, i) =>
      JSON.stringify({
        timestamp: `${day(d)}T${h}:00:00Z`,
        model: "gpt-4o-mini",
        user: "u2:search",
        input_tokens: 20,
        output_tokens: 5,
        request_id: `w-${d}-${i}`,
      }),
    ),
  );
  writeFileSync(join(t, "wide.jsonl"), `${wide.join("\n")}\n`);
  return [join(t, "lean.csv"), join(t, "wide.jsonl")];
}

/** Two new files of one day each, ingested in one run: repeats of stored ids near and far, and of each other. */
function newFiles(t: string): string[] {
  const head = "timestamp,model,user,input_tokens,output_tokens,request_id\n";
  writeFileSync(
    join(t, "day10.csv"),
    head +
      [
        "2025-10-10T10:00:00Z,gpt-4o-mini,u1:chat,11,5,new-1",
        "2025-10-10T11:00:00Z,gpt-4o-mini,u1:chat,12,5,l-9-1", // stored 10-09 12:00, 23 h before: the same request
        "2025-10-10T10:00:00Z,gpt-4o-mini,u1:chat,13,5,l-8-1", // stored 10-08 12:00, 46 h before, on the first day read
        "2025-10-10T10:00:00Z,gpt-4o-mini,u1:chat,14,5,l-7-1", // stored 10-07 12:00, 70 h before: another request
        "2025-10-10T14:00:00Z,gpt-4o-mini,u1:chat,15,5,w-11-0", // stored in the wide table 10-11 09:00, 19 h after
      ].join("\n") +
      "\n",
  );
  writeFileSync(
    join(t, "day12.csv"),
    head +
      [
        "2025-10-11T10:00:00Z,gpt-4o-mini,u1:chat,21,5,new-1", // the file before, 24 h before (staged in this run)
        "2025-10-12T10:00:00Z,gpt-4o-mini,u1:chat,22,5,l-14-0", // stored 10-14 06:00, 44 h after: a day only this file reads
        "2025-10-12T10:00:00Z,gpt-4o-mini,u1:chat,23,5,new-2",
        "2025-10-12T10:00:00Z,gpt-4o-mini,u1:chat,24,5,l-15-0", // stored 10-15 06:00, 68 h after: another request
      ].join("\n") +
      "\n",
  );
  return [join(t, "day10.csv"), join(t, "day12.csv")];
}

/** The profile's copy lines: "[lake copied N rows of TABLE (KIND) of days A..B (K days, F files)]". */
const copies = (stderr: string) =>
  [...stderr.matchAll(/^\[lake copied (\d+) rows of (\w+) \((\w+)\) of days (\S+) \((\d+) days, (\d+) files\)\]$/gm)].map(
    (m) => `${m[2]} ${m[3]} ${m[4]}: ${m[1]} rows, ${m[6]} files`,
  );

test("a lake ingest of one day copies the lake's rows of that day ± 2 days; request ids dedupe as in a database", async () => {
  const t = tmp();
  const lake = join(t, "lake");
  const db = join(t, "one.duckdb");
  const files = history(t);
  for (const f of files) {
    assert.equal((await cli(["ingest", "--lake", lake, f], { env: ENV })).code, 0);
    assert.equal((await cli(["ingest", "--db", db, f])).code, 0);
  }
  const fresh = newFiles(t);
  const lakeRun = await cli(["ingest", "--lake", lake, "--output", "json", ...fresh], { env: ENV });
  assert.equal(lakeRun.code, 0, lakeRun.stderr);
  // Per file, the days its request ids can meet: 10-08..10-12 for the first; for the second (10-11 10:00 to 10-12
  // 10:00) 10-09..10-14, of which 10-13 and 10-14 are not copied yet. One Parquet file per table and day and ingest.
  assert.deepEqual(copies(lakeRun.stderr), [
    "usage_wide requests 2025-10-08..2025-10-12: 10 rows, 5 files",
    "usage_lean requests 2025-10-08..2025-10-12: 15 rows, 5 files",
    "usage_wide requests 2025-10-13..2025-10-14: 4 rows, 2 files",
    "usage_lean requests 2025-10-13..2025-10-14: 6 rows, 2 files",
  ]);
  const dbRun = await cli(["ingest", "--db", db, "--output", "json", ...fresh]);
  const summary = (r: { stdout: string }) =>
    (JSON.parse(r.stdout) as { files: { rows: number; skipped: unknown; replaced: number }[] }).files.map((f) => [f.rows, f.skipped, f.replaced]);
  assert.deepEqual(summary(lakeRun), [
    [2, [{ reason: "request_id already ingested", rows: 3 }], 0],
    [2, [{ reason: "request_id already ingested", rows: 2 }], 0],
  ]);
  assert.deepEqual(summary(lakeRun), summary(dbRun));
  const report = (store: string[]) => cli(["report", "--by", "day,user", "--format", "csv", ...store]);
  assert.equal((await report(["--lake", lake])).stdout, (await report(["--db", db])).stdout);
  // A dry run rolls its copies back with the rest: the same answers again, as with --db.
  const dry = (store: string[]) => cli(["ingest", ...store, "--dry-run", "--replace", "--output", "json", ...fresh]);
  assert.deepEqual(summary(await dry(["--lake", lake])), summary(await dry(["--db", db])));
});

test("the staging database reads only the Parquet files of the days asked for, and copies each day once", async () => {
  const t = tmp();
  const lake = join(t, "lake");
  for (const f of history(t)) assert.equal((await cli(["ingest", "--lake", lake, f])).code, 0);
  const stage = await LakeStage.open(lake, "sha");
  try {
    const count = async (sql: string) => Number((await stage.db.one<{ n: string }>(sql))!.n);
    assert.equal((await count("SELECT count(*) AS n FROM usage_lean")) + (await count("SELECT count(*) AS n FROM usage_wide")), 0);
    await stage.rows.need({ rows: "requests", from: "2025-10-10 10:00:00", hi: "2025-10-10 14:00:00", margin: "2 DAY" });
    assert.deepEqual([stage.rows.copied.rows, stage.rows.copied.files], [25, 10]);
    const span = await stage.db.one<{ lo: string; hi: string; n: string }>(
      "SELECT min(ts)::DATE::VARCHAR AS lo, max(ts)::DATE::VARCHAR AS hi, count(*) AS n FROM usage_lean",
    );
    assert.deepEqual(span, { lo: "2025-10-08", hi: "2025-10-12", n: "15" });
    // A range that meets the one copied adds only its new days.
    await stage.rows.need({ rows: "requests", from: "2025-10-12 00:00:00", hi: "2025-10-12 01:00:00", margin: "2 DAY" });
    assert.deepEqual([stage.rows.copied.rows, stage.rows.copied.files], [35, 14]);
    assert.equal(await count("SELECT count(*) - count(DISTINCT request_id) AS n FROM usage_lean"), 0);
    // DuckDB itself prunes by the day partition: 2 of the lean table's 20 files for 2 days.
    const plan = (
      await stage.db.all<Record<string, string>>(
        "EXPLAIN ANALYZE SELECT count(*) FROM lake_usage_lean WHERE lake_day IN (DATE '2025-10-01', DATE '2025-10-02')",
      )
    )
      .map((r) => Object.values(r).join("\n"))
      .join("\n");
    assert.match(plan, /Total Files Read: 2\b/);
    assert.match(plan, /Scanning Files: 2\/20\b/);
  } finally {
    stage.close();
  }
});

test("provider buckets: a one-day export copies the rows of the bucket checks' range only, and replaces as in a database", FULL_TIER, async () => {
  const t = tmp();
  const lake = join(t, "lake");
  const db = join(t, "one.duckdb");
  const head =
    "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n";
  const row = (when: string, input: number) => `${when},claude-haiku-4-5-20251001,prod-key,Default,standard,≤ 200k,${input},0,0,0,1000,0,not_available,\n`;
  // 12 daily exports, one a day: the ingests whose span meets a day are that day's.
  for (let d = 1; d <= 12; d++) {
    const f = join(t, `daily-${d}.csv`);
    writeFileSync(f, head + row(day(d), 1000 * d));
    assert.equal((await cli(["ingest", "--lake", lake, f])).code, 0);
    assert.equal((await cli(["ingest", "--db", db, f])).code, 0);
  }
  const hourly = join(t, "hourly.csv");
  writeFileSync(hourly, head + row(`${day(10)} 09:00`, 500) + row(`${day(10)} 10:00`, 700));
  const r = await cli(["ingest", "--lake", lake, "--output", "json", hourly], { env: ENV });
  assert.equal(r.code, 0, r.stderr);
  // The same-key check reads the file's day; the overlap check from the earliest start of the ingests it meets
  // (10-10 00:00, less a second): 10-09 too. Nothing else of the 12 days.
  assert.deepEqual(copies(r.stderr), ["usage_wide keyed 2025-10-10..2025-10-10: 1 rows, 1 files", "usage_wide keyed 2025-10-09..2025-10-09: 1 rows, 1 files"]);
  const d = await cli(["ingest", "--db", db, "--output", "json", hourly]);
  const summary = (x: { stdout: string }) => (JSON.parse(x.stdout) as { files: { rows: number; replaced: number }[] }).files.map((f) => [f.rows, f.replaced]);
  assert.deepEqual(summary(r), [[2, 1]]);
  assert.deepEqual(summary(r), summary(d));
  const report = (store: string[]) => cli(["report", "--by", "day,model", "--format", "csv", ...store]);
  assert.equal((await report(["--lake", lake])).stdout, (await report(["--db", db])).stdout);
});
