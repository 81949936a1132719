import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { loadCatalog, type PricingRef, pricingRef } from "../src/pricing/load.js";
import { collectReport, type ReportQuery } from "../src/report/collect.js";
import { parseBy, parseWhere } from "../src/report/dims.js";
import { Db } from "../src/store/db.js";
import { coarseSelect, rollupSelect, rollupUsable, utcDayWindow } from "../src/store/rollup.js";
import { cli, query, tmp, FULL_TIER } from "./helpers.js";

/**
 * The usage rollup (schema v11) against the raw rows: after every kind of change to the usage tables it equals a
 * rollup built from scratch, and every report, budget and reconcile answer is the same from either (exact decimal
 * strings in process; byte for byte from the CLI). LLMCOST_NO_ROLLUP=1 forces the raw rows.
 */

const F = "fixtures/formats";
let dir: string;
let db: string;
const overrides = () => join(dir, "discount.json");

/** The maintained rollup, and one built from the raw rows now: equal as multisets of rows. */
async function assertRollupFresh(path: string, what: string): Promise<void> {
  const keep = await query(path, "SELECT * FROM usage_rollup ORDER BY ALL");
  const fresh = await query(path, `SELECT * FROM (${rollupSelect("true")}) ORDER BY ALL`);
  assert.ok(keep.length > 0, `${what}: the rollup has rows`);
  assert.deepEqual(keep, fresh, `${what}: the rollup kept at ingest equals one built from the raw rows`);
  const coarse = await query(path, "SELECT * FROM usage_rollup_coarse ORDER BY ALL");
  const coarseFresh = await query(path, `SELECT * FROM (${coarseSelect("true", rollupSelect("true"))}) ORDER BY ALL`);
  assert.ok(coarse.length > 0 && coarse.length <= keep.length, `${what}: the coarse rollup has rows, no more than the rollup`);
  assert.deepEqual(coarse, coarseFresh, `${what}: the coarse rollup kept at ingest equals one built from the raw rows`);
  const sha = await query(
    path,
    "SELECT (SELECT value FROM meta WHERE key = 'pricing_sha256') = (SELECT value FROM meta WHERE key = 'rollup_pricing_sha256') AS ok",
  );
  assert.equal(sha[0]?.ok, true, `${what}: the rollup is of the stored costs`);
}

async function ingest(args: string[]): Promise<string> {
  const r = await cli(["ingest", "--db", db, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** A request log of N lines on the given days, with request ids `prefix-i`. */
function requestLog(path: string, days: string[], prefix: string, n = 6): string {
  const lines = ["timestamp,model,user,input_tokens,cached_input_tokens,output_tokens,request_id"];
  days.forEach((d, j) => {
    for (let i = 0; i < n; i++)
      lines.push(
        `${d}T${String(i * 3 + 1).padStart(2, "0")}:15:00Z,${i % 3 ? "gpt-4o-mini" : "claude-sonnet-4-5"},a1b2c3d4e5f${i % 4}:${["chat", "search", "digest"][i % 3]},${1000 + 37 * i + j},${(i * 11) % 300},${90 + i},${prefix}-${j}-${i}`,
      );
  });
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const catalogs = () => ({ plain: pricingRef(), discounted: pricingRef({ overrides: [JSON.parse(`{"discounts":[{"provider":"openai","percent":15}]}`)] }) });

function q(by: string, extra: Partial<ReportQuery> = {}, where: string[] = []): ReportQuery {
  return {
    by: parseBy(by),
    since: null,
    until: null,
    where: parseWhere(where),
    top: null,
    tz: "UTC",
    source: "auto",
    pricingAsOf: null,
    chart: false,
    users: null,
    ...extra,
  };
}

/** collectReport from the rollup and from the raw rows: the same result (or the same error), exact. */
async function sameReport(catalog: PricingRef, query: ReportQuery, open?: Db): Promise<void> {
  const handle = open ?? (await Db.open(db, { readOnly: true }));
  try {
    delete process.env.LLMCOST_NO_ROLLUP;
    const a = await collectReport(handle, catalog, query).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    process.env.LLMCOST_NO_ROLLUP = "1";
    const b = await collectReport(handle, catalog, query).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    assert.deepEqual(a, b, `report ${JSON.stringify(query)}`);
  } finally {
    delete process.env.LLMCOST_NO_ROLLUP;
    if (!open) handle.close();
  }
}

async function usable(catalogSha: string): Promise<boolean> {
  const handle = await Db.open(db, { readOnly: true });
  try {
    const { costSource, installPricing } = await import("../src/pricing/sql.js");
    await installPricing(handle, loadCatalog());
    return await rollupUsable(handle, (await costSource(handle, catalogSha, null)).mode);
  } finally {
    handle.close();
  }
}

const DIMS = ["feature", "user", "model", "provider", "project", "api_key", "endpoint", "batch", "service_tier", "workspace", "day", "week", "month"];
const PAIRS = [
  "feature,model",
  "model,provider",
  "day,model",
  "week,feature",
  "project,api_key",
  "provider,service_tier",
  "month,user",
  "endpoint,batch",
  "workspace,model",
];

/** Every dimension, a sample of pairs, filters and windows: the rollup's answer is the raw rows' answer. */
async function everyReport(catalog: PricingRef): Promise<void> {
  const handle = await Db.open(db, { readOnly: true });
  try {
    await reports((query) => sameReport(catalog, query, handle));
  } finally {
    handle.close();
  }
}

async function reports(sameReport: (query: ReportQuery) => Promise<void>): Promise<void> {
  for (const d of [...DIMS, ...PAIRS]) {
    await sameReport(q(d));
    await sameReport(q(d, { source: "billing" }));
  }
  for (const d of ["feature", "model", "day,feature", "provider"]) {
    await sameReport(q(d, { since: "2025-10-06", until: "2025-11-20" }));
    await sameReport(q(d, { since: "2025-10-20T00:00:00Z" }));
    await sameReport(q(d, { until: "2026-11-21T00:00:00+00:00" }));
    await sameReport(q(d, {}, ["feature=chat"]));
    await sameReport(q(d, { since: "2025-10-01", until: "2026-12-01" }, ["model=gpt-4o-mini", "provider=openai"]));
    await sameReport(q(d, { chart: true, top: 2 }));
    // Not whole UTC days, or another zone: the raw rows answer (still the same).
    await sameReport(q(d, { since: "2025-10-20T08:30:00Z", tz: "UTC" }));
    await sameReport(q(d, { tz: "America/New_York", since: "2025-10-20" }));
  }
  await sameReport(q("feature", { source: "billing" }));
  await sameReport(q("line_item", { source: "billing" }));
  await sameReport(q("feature", { pricingAsOf: "2025-01-01" }));
}

before(async () => {
  dir = tmp();
  db = join(dir, "r.duckdb");
  writeFileSync(overrides(), JSON.stringify({ discounts: [{ provider: "openai", percent: 15 }] }));
  // Request logs (lean and wide, stated costs), provider usage exports (provisional buckets), cost exports.
  await ingest([
    "fixtures/demo/requests.jsonl",
    `${F}/requests.csv`,
    `${F}/litellm-spend-logs.json`,
    `${F}/requests-openai.jsonl`,
    `${F}/openai-usage.csv`,
    `${F}/anthropic-analytics-usage.json`,
    `${F}/anthropic-usage.json`,
    `${F}/openai-cost-v2.csv`,
    `${F}/anthropic-analytics-cost.json`,
    `${F}/openrouter.csv`,
  ]);
});

test("the rollup kept at ingest equals one built from the raw rows, and every report reads the same from it", FULL_TIER, async () => {
  await assertRollupFresh(db, "first ingest");
  assert.equal(await usable(loadCatalog().sha256), true, "reports read the rollup");
  await everyReport(catalogs().plain);
});

test("a report from the stored costs builds no price book, yet pricing other than the stored one is checked", async () => {
  const bad = join(dir, "bad-pricing.json");
  writeFileSync(bad, JSON.stringify({ discounts: [{ provider: "openai", percent: 150 }] }));
  const r = await cli(["report", "--db", db, "--pricing", bad, "--by", "feature"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /bad-pricing\.json: invalid pricing overrides: discounts\.0\.percent/);
  // By model name and on the bill, the price book's aliases are read: the same figures from the rollup as from the rows.
  for (const args of [
    ["--by", "model", "--where", "model=gpt-4o-mini"],
    ["--source", "billing", "--by", "feature"],
  ]) {
    const a = await cli(["report", "--db", db, ...args, "--format", "json"]);
    const b = await cli(["report", "--db", db, ...args, "--format", "json"], { env: { LLMCOST_NO_ROLLUP: "1" } });
    assert.equal(a.code, 0, a.stderr);
    const strip = (s: string) => s.replace(/"generatedAt": "[^"]+"/g, "");
    assert.equal(strip(a.stdout), strip(b.stdout), args.join(" "));
  }
});

test("after re-ingests, --replace, dedupe deletes and bucket overlap, the rollup refreshes the days touched", FULL_TIER, async () => {
  // The same file again adds nothing.
  assert.match(await ingest([`${F}/requests.csv`]), /already ingested/);
  await assertRollupFresh(db, "re-ingest");
  // --replace by path: the new version is on other days, and the old version's days empty out.
  const log = requestLog(join(dir, "log.csv"), ["2025-10-07", "2025-10-08"], "a");
  await ingest([log]);
  await assertRollupFresh(db, "new log");
  requestLog(log, ["2025-10-09"], "b", 4);
  await ingest(["--replace", log]);
  await assertRollupFresh(db, "--replace");
  const gone = await query(db, "SELECT count(*)::INT AS n FROM usage_rollup WHERE day IN ('2025-10-07', '2025-10-08')");
  assert.deepEqual(gone, [{ n: 0 }]);
  // Request ids already ingested are left out (dedupe deletes), on days that hold other data.
  const dup = requestLog(join(dir, "dup.csv"), ["2025-10-09", "2025-10-20"], "b", 4);
  await ingest([dup]);
  await assertRollupFresh(db, "dedupe");
  // A later pull of the same provider buckets replaces the earlier one (overlap), with other numbers.
  const pull = join(dir, "pull.json");
  copyFileSync(`${F}/anthropic-analytics-usage.json`, pull);
  const { readFileSync } = await import("node:fs");
  writeFileSync(
    pull,
    readFileSync(pull, "utf8").replace(/"uncached_input_tokens": (\d+)/g, (_m, n: string) => `"uncached_input_tokens": ${Number(n) + 1000}`),
  );
  const out = await ingest([pull]);
  assert.match(out, /replaced|Replaced/);
  await assertRollupFresh(db, "bucket overlap");
  await everyReport(catalogs().plain);
});

test("a run of several files refreshes the rollup once, at its end; a run stopped before it leaves raw reads and a rebuild", async () => {
  const t = tmp();
  const path = join(t, "run.duckdb");
  // In one run: a log, a second one repeating some of its request ids (left out), a provider export, and a later pull
  // of the same buckets with other numbers (it replaces the first pull's rows, ingested earlier in this run).
  const a = requestLog(join(t, "a.csv"), ["2025-10-07", "2025-10-08"], "a");
  const b = requestLog(join(t, "b.csv"), ["2025-10-08", "2025-10-12"], "a", 4);
  const pull = join(t, "pull.json");
  const { readFileSync } = await import("node:fs");
  writeFileSync(
    pull,
    readFileSync(`${F}/anthropic-analytics-usage.json`, "utf8").replace(
      /"uncached_input_tokens": (\d+)/g,
      (_m, n: string) => `"uncached_input_tokens": ${Number(n) + 7}`,
    ),
  );
  const r = await cli(["ingest", "--db", path, a, b, `${F}/anthropic-analytics-usage.json`, pull]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /request_id already ingested/);
  await assertRollupFresh(path, "one run of four files");
  assert.deepEqual(await query(path, "SELECT count(*)::INT AS n FROM meta WHERE key = 'rollup_pending'"), [{ n: 0 }], "the mark is gone at the end");
  // A later run onto the same days: the rollup is refreshed from what it held.
  const c = requestLog(join(t, "c.csv"), ["2025-10-12", "2025-10-13"], "c", 3);
  assert.equal((await cli(["ingest", "--db", path, c, `${F}/openai-usage.csv`])).code, 0);
  await assertRollupFresh(path, "a second run");
  // As a run killed after its first file leaves it: that file's rows landed, the rollup lags and is marked pending.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(path);
  const conn = await inst.connect();
  await conn.run("INSERT INTO meta VALUES ('rollup_pending', '1'); DELETE FROM usage_lean WHERE CAST(ts AS DATE) = DATE '2025-10-13'; CHECKPOINT");
  conn.closeSync();
  inst.closeSync();
  const from = (env: Record<string, string> = {}) => cli(["report", "--db", path, "--by", "day", "--format", "json"], { env });
  const strip = (s: string) => s.replace(/"generatedAt": "[^"]+"/g, "");
  const [rolled, raw] = [await from(), await from({ LLMCOST_NO_ROLLUP: "1" })];
  assert.equal(rolled.code, 0, rolled.stderr);
  assert.equal(strip(rolled.stdout), strip(raw.stdout), "a pending rollup is not read: the raw rows answer");
  assert.doesNotMatch(rolled.stdout, /2025-10-13/);
  // The next ingest, of one file, rebuilds it.
  assert.equal((await cli(["ingest", "--db", path, requestLog(join(t, "d.csv"), ["2025-10-20"], "d", 2)])).code, 0);
  await assertRollupFresh(path, "after a stopped run");
  assert.deepEqual(await query(path, "SELECT count(*)::INT AS n FROM meta WHERE key = 'rollup_pending'"), [{ n: 0 }]);
});

test("budget and reconcile print the same bytes from the rollup and from the raw rows", async () => {
  const env = { LLMCOST_NOW: "2026-11-22T12:00:00Z" };
  for (const args of [
    [
      "budget",
      "--max-daily",
      "5",
      "--max-monthly",
      "100",
      "--spike",
      "1.5",
      "--spike-min",
      "0",
      "--fail-on-unpriced",
      "1",
      "--feature-max",
      "chat=1/day",
      "--model-max",
      "gpt-4o-mini=1",
      "--max-age",
      "400d",
    ],
    ["budget", "--max-age", "400d", "--format", "json"],
    ["budget", "--max-age", "400d", "--format", "csv", "--model-max", "claude-sonnet-4-5=3/day"],
    ["reconcile"],
    ["reconcile", "--format", "json", "--since", "2025-10-01", "--until", "2026-12-01"],
    ["reconcile", "--since", "2025-10-05T06:00:00Z"],
    ["reconcile", "--flagged", "--tolerance", "1"],
  ]) {
    const a = await cli([...args, "--db", db], { env });
    const b = await cli([...args, "--db", db], { env: { ...env, LLMCOST_NO_ROLLUP: "1" } });
    const strip = (s: string) => s.replace(/"generatedAt": "[^"]+"/g, "");
    assert.deepEqual({ code: a.code, out: strip(a.stdout), err: a.stderr }, { code: b.code, out: strip(b.stdout), err: b.stderr }, args.join(" "));
    assert.ok(a.stdout.length > 0, args.join(" "));
  }
});

test("a pricing change rebuilds the rollup; --pricing-as-of and pricing other than the stored one read the raw rows", FULL_TIER, async () => {
  const { plain, discounted } = catalogs();
  // Reports under other pricing than the stored one reprice on the fly, from the raw rows.
  assert.equal(await usable(discounted.sha256), false);
  await sameReport(discounted, q("feature"));
  await sameReport(discounted, q("day,model"));
  await sameReport(plain, q("model", { pricingAsOf: "2025-06-01" }));
  // An ingest with the new pricing stores the new costs: the rollup follows, and reads from it again.
  await ingest(["--pricing", overrides(), requestLog(join(dir, "after.csv"), ["2025-10-21"], "c")]);
  await assertRollupFresh(db, "pricing change");
  assert.equal(await usable(discounted.sha256), true);
  await everyReport(discounted);
  const r = await cli(["report", "--db", db, "--pricing", overrides(), "--by", "feature", "--format", "json"]);
  const raw = await cli(["report", "--db", db, "--pricing", overrides(), "--by", "feature", "--format", "json"], { env: { LLMCOST_NO_ROLLUP: "1" } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.replace(/"generatedAt": "[^"]+"/, ""), raw.stdout.replace(/"generatedAt": "[^"]+"/, ""));
  assert.match(r.stdout, /"pricingMode": "stored"/);
});

test("migrations 11 and 12 build the rollups of a database from before them", async () => {
  const t = tmp();
  const old = join(t, "old.duckdb");
  assert.equal((await cli(["ingest", "--db", old, "fixtures/demo/requests.jsonl", `${F}/openai-usage.csv`])).code, 0);
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(old);
  const conn = await inst.connect();
  await conn.run(
    "DROP TABLE usage_rollup; DROP TABLE usage_rollup_days; DROP TABLE usage_rollup_coarse; DELETE FROM meta WHERE key = 'rollup_pricing_sha256'; DELETE FROM schema_migrations WHERE version >= 11; CHECKPOINT",
  );
  conn.closeSync();
  inst.closeSync();
  assert.equal((await cli(["report", "--db", old])).code, 2, "read commands ask for the migration first");
  const r = await cli(["ingest", "--db", old, `${F}/requests.csv`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^note: .*old\.duckdb: upgraded from schema v10 to v12$/m, "the upgrade is said");
  await assertRollupFresh(old, "migrated");
});

test("--since/--until are read from the rollup only as whole UTC days", async () => {
  assert.deepEqual(utcDayWindow("2025-10-01", "2025-11-01", "UTC"), { since: "2025-10-01", until: "2025-11-01" });
  assert.deepEqual(utcDayWindow("2025-10-01T00:00:00Z", null, "UTC"), { since: "2025-10-01", until: null });
  assert.deepEqual(utcDayWindow("2025-10-01T02:00:00+02:00", null, "Europe/Berlin"), { since: "2025-10-01", until: null });
  assert.deepEqual(utcDayWindow(null, null, "Asia/Tokyo"), { since: null, until: null });
  assert.equal(utcDayWindow("2025-10-01", null, "Europe/Berlin"), null);
  assert.equal(utcDayWindow("2025-10-01T08:00:00Z", null, "UTC"), null);
  assert.equal(utcDayWindow("2025-10-01T00:00:00+0100", null, "UTC"), null);
});
