import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import { render, SCHEMAS } from "../scripts/make-schemas.js";
import { cli, demoDatabase, golden, stable, query, ROOT, tmp } from "./helpers.js";

let dir = "";
let db = "";
before(async () => {
  ({ dir, db } = await demoDatabase());
});

const report = (...args: string[]) => cli(["report", "--db", db, ...args]);

for (const format of ["table", "json", "csv", "markdown"]) {
  test(`report --by feature golden (${format})`, async () => {
    const r = await report("--by", "feature", "--format", format);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    golden(`report/by-feature.${format}`, stable(r.stdout, dir));
  });
}

test("report --by feature,model --top 6 folds the rest into (other)", async () => {
  const r = await report("--by", "feature,model", "--top", "6");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(other: \d+\)/);
  golden("report/by-feature-model-top6.table", stable(r.stdout, dir));
});

test("report --by week --chart sorts chronologically, with a trend line and no one-bucket sparklines", async () => {
  const r = await report("--by", "week", "--chart", "--where", "feature=summarize-articles", "--where", "feature=nightly-digest");
  assert.equal(r.code, 0, r.stderr);
  golden("report/by-week-chart.table", stable(r.stdout, dir));
});

test("the headline is the Pareto line and the numbers add up", async () => {
  const r = await report("--format", "json");
  const j = JSON.parse(r.stdout);
  assert.equal(j.headline.text, "3 of 9 features = 82.1% of $92.16");
  const sum = j.rows.reduce((a: number, x: { costUsd: number }) => a + x.costUsd, 0);
  assert.ok(Math.abs(sum - j.totals.costUsd) < 1e-5);
  const untagged = j.rows.find((x: { key: { feature: string } }) => x.key.feature === "(untagged)");
  assert.ok(untagged && untagged.requests > 0, "untagged spend is its own row");
  const legal = j.rows.find((x: { key: { feature: string } }) => x.key.feature === "legal-drafts");
  assert.deepEqual(legal.unpriced.models, ["ft:gpt-4o-mini-2024-07-18:acme::legal01"]);
  assert.equal(legal.costUsd, 0);
  assert.equal(j.totals.unpriced.requests, 163, "unpriced rows are counted, never dropped");
});

test("JSON output validates against the shipped JSON Schema, which matches the zod contract", async () => {
  const file = join(ROOT, "src", "schemas", "report.schema.json");
  const schema = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(readFileSync(file, "utf8"), render(SCHEMAS["report.schema.json"]!), "run npm run schemas");
  const validate = new Ajv2020.default({ strict: false }).compile(schema);
  for (const args of [
    ["--by", "feature"],
    ["--by", "day,model", "--chart", "--top", "3"],
    ["--by", "user", "--since", "2025-11-10"],
  ]) {
    const out = JSON.parse((await report(...args, "--format", "json")).stdout);
    assert.ok(validate(out), JSON.stringify(validate.errors));
  }
  const bad = JSON.parse((await report("--format", "json")).stdout);
  bad.rows[0].costUsd = "12.34";
  assert.equal(validate(bad), false, "the schema is strict enough to reject a string amount");
});

test("--where values are data, never SQL", async () => {
  for (const value of ["x'; DROP TABLE usage; --", 'a"b', "semi;colon", "new\nline", "$1", "?"]) {
    // No such feature: exit 2 with the value quoted back as data, never an error from SQL.
    const r = await report("--where", `feature=${value}`, "--format", "json");
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.ok(r.stderr.startsWith(`llmcost: --where feature=${value}: no feature ${JSON.stringify(value)} in this window`), r.stderr);
  }
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n FROM usage"), [{ n: 14560 }]);
});

test("--by and --where dimensions come from an allow-list", async () => {
  for (const args of [
    ["--by", "feature; DROP TABLE usage"],
    ["--by", "tag_raw"],
    ["--where", "model'=x"],
    ["--by", "a,b,c"],
  ]) {
    const r = await report(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /^llmcost: --(by|where)/);
  }
});

test("--users reverses hashes in the output only", async () => {
  const rows = await query(db, "SELECT user_hash FROM usage WHERE feature = 'code-review' GROUP BY 1 ORDER BY sum(cost_usd) DESC LIMIT 1");
  const hash = String(rows[0]!.user_hash);
  // The demo's user hashes are random, so a known id is ingested into a second database below.
  const id = "alice@example.com";
  const mine = createHash("sha256").update(id).digest("hex").slice(0, 12);
  const file = join(dir, "users.csv");
  writeFileSync(file, `user_id,name\n${id},Alice\n`);
  const r = await cli(["report", "--db", db, "--by", "user", "--users", file, "--where", `user=${hash}`, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).rows[0].key.user, hash, "unknown hashes stay hashes");
  const t = tmp();
  const db2 = join(t, "u.duckdb");
  writeFileSync(join(t, "r.csv"), `timestamp,model,user,input_tokens,output_tokens\n2025-10-20T08:00:00Z,gpt-4o-mini,${mine}:chat,10,5\n`);
  assert.equal((await cli(["ingest", "--db", db2, join(t, "r.csv")])).code, 0);
  const named = await cli(["report", "--db", db2, "--by", "user", "--users", file, "--format", "csv"]);
  assert.match(named.stdout, /^user,/);
  assert.match(named.stdout, /\nalice@example\.com,1,/);
  const stored = await query(db2, "SELECT count(*)::INT AS n FROM usage WHERE contains(usage::VARCHAR, 'alice')");
  assert.deepEqual(stored, [{ n: 0 }], "the raw id never reaches the database");
});

test("--since/--until bound the window (until exclusive) and --tz moves day buckets", async () => {
  const r = await report("--by", "day", "--since", "2025-11-03", "--until", "2025-11-05", "--format", "json");
  const j = JSON.parse(r.stdout);
  assert.deepEqual(
    j.rows.map((x: { key: { day: string } }) => x.key.day),
    ["2025-11-03", "2025-11-04"],
  );
  const tz = JSON.parse(
    (await report("--by", "day", "--since", "2025-11-03", "--until", "2025-11-05", "--tz", "America/Los_Angeles", "--format", "json")).stdout,
  );
  assert.deepEqual(
    tz.rows.map((x: { key: { day: string } }) => x.key.day),
    ["2025-11-03", "2025-11-04"],
  );
  assert.notEqual(tz.totals.costUsd, j.totals.costUsd, "local midnight in Los Angeles is 07:00/08:00 UTC");
  // The title ends on the last day included, as it does without --until; a datetime bound is said to be exclusive.
  const title = async (...a: string[]) => (await report("--by", "day", "--since", "2025-11-03", ...a)).stdout.split("\n")[1];
  assert.equal(await title("--until", "2025-11-05"), "Spend by day · request logs · 2025-11-03 → 2025-11-04 (UTC)");
  assert.equal(await title("--until", "2025-11-05T12:00"), "Spend by day · request logs · 2025-11-03 → 2025-11-05T12:00 (UTC, end exclusive)");
  assert.equal((await report("--tz", "Mars/Olympus")).code, 2);
  assert.equal((await report("--since", "last tuesday")).code, 2);
});

test("--pricing-as-of reprices all history at one date", async () => {
  const now = JSON.parse((await report("--by", "model", "--format", "json")).stdout);
  const then = JSON.parse((await report("--by", "model", "--pricing-as-of", "2025-05-01", "--format", "json")).stdout);
  const o3 = (j: { rows: { key: { model: string }; costUsd: number }[] }) => j.rows.find((x) => x.key.model === "o3-2025-04-16")!.costUsd;
  assert.equal(then.pricingMode, "repriced");
  assert.equal(then.filters.pricingAsOf, "2025-05-01");
  // o3 cost 10/40 before 2025-06-10 and 2/8 after: exactly 5x on every token kind.
  assert.ok(Math.abs(o3(then) - 5 * o3(now)) < 1e-5, `${o3(then)} vs ${o3(now)}`);
});

test("a read command on a missing database is exit 2 and creates nothing", async () => {
  const missing = join(tmp(), "none.duckdb");
  const r = await cli(["report", "--db", missing]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /database not found/);
  assert.match(r.stderr, /hint: run `llmcost ingest/);
  assert.equal(existsSync(missing), false);
});
