import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, golden, stable, tmp } from "./helpers.js";

// Issue 14: reconcile compares at the finest grain both sides have, shows coverage per provider only where there is
// a bill, prints a summary first and the flagged lines first, and never prints -$0.0000.

type Line = {
  day: string;
  provider: string;
  model: string;
  grain: string;
  billedUsd: number | null;
  computedUsd: number | null;
  deltaUsd: number | null;
  flagged: boolean;
};

test("an OpenAI cost export grouped by day only is compared per day × provider, and matches to the cent", async () => {
  const dir = tmp();
  const db = join(dir, "r.duckdb");
  // The usage export prices 2025-10-06 at gpt-5 38,072 × $1.25/M + 8,192 cached × $0.125/M + 60,000 × $10/M =
  // $0.648614, plus gpt-4o-mini batch 20,000 × $0.075/M + 1,000 × $0.30/M = $0.0018: $0.650414 in all. The dashboard
  // cost export (v2 header) grouped by day has one line for that day, with no line_item.
  writeFileSync(
    join(dir, "cost.csv"),
    "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source\n" +
      "1759708800,1759795200,2025-10-06T00:00:00+00:00,2025-10-07T00:00:00+00:00,0.650414000000000000000000000000,usd,,,,,,,org-xxxx,,My Org,someone@example.com,\n",
  );
  assert.equal((await cli(["ingest", "--db", db, "fixtures/formats/openai-usage.csv", join(dir, "cost.csv")])).code, 0);
  const r = await cli(["reconcile", "--db", db, "--since", "2025-10-06", "--until", "2025-10-07"]);
  assert.equal(r.code, 0, r.stderr);
  golden("reconcile/day-grain.table", stable(r.stdout, dir));
  const j = JSON.parse((await cli(["reconcile", "--db", db, "--since", "2025-10-06", "--until", "2025-10-07", "--format", "json"])).stdout);
  // Was three flagged lines: the bill as "(no model)" with nothing computed, and each model computed with no bill.
  assert.deepEqual(
    j.rows.map((x: Line) => [x.day, x.provider, x.model, x.grain, x.billedUsd, x.computedUsd, x.deltaUsd, x.flagged]),
    [["2025-10-06", "openai", "(all models)", "provider", 0.650414, 0.650414, 0, false]],
  );
  assert.doesNotMatch(r.stdout, /-\$0\.0000/);
  assert.match(r.stdout, /^Billed \$0\.6504 · computed from usage exports \$0\.6504 · /);
});

test("coverage is per provider and only where there is a bill; flagged lines first; --flagged shows only those", async () => {
  const dir = tmp();
  const db = join(dir, "c.duckdb");
  // A $1.00 Anthropic bill for one day of the demo, whose request logs are mostly OpenAI.
  writeFileSync(
    join(dir, "anthropic-cost.csv"),
    "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type,inference_geo,speed\n" +
      "2025-11-10,Claude Sonnet 4.5,Default,chat-key,message,≤ 200k,input_no_cache,1.00,token,not_available,\n",
  );
  assert.equal((await cli(["ingest", "--db", db, "fixtures/demo/requests.jsonl", join(dir, "anthropic-cost.csv")])).code, 0);
  const j = JSON.parse((await cli(["reconcile", "--db", db, "--format", "json"])).stdout);
  const p = Object.fromEntries(j.providers.map((x: { provider: string }) => [x.provider, x]));
  const sonnet = j.rows.find((x: Line) => x.day === "2025-11-10" && x.provider === "anthropic");
  // Anthropic's coverage: the tagged request-log cost of that bill line over the $1.00 billed (was all providers'
  // $92.03 tagged over the $1.00: 9,203%).
  assert.equal(sonnet.billedUsd, 1);
  assert.ok(Math.abs(p.anthropic.coveragePct - 100 * sonnet.attributedUsd) < 1e-3, String(p.anthropic.coveragePct));
  assert.ok(p.anthropic.coveragePct < 100);
  assert.equal(p.openai.coveragePct, null, "no bill: no coverage");
  assert.equal(p.openai.billedUsd, null);
  assert.equal(j.totals.coveragePct, p.anthropic.coveragePct);
  // The one bill line differs from the logs by more than 5%: flagged, and listed first.
  assert.equal(j.rows[0].flagged, true);
  assert.equal(j.rows[0].comparedWith, "request logs");
  assert.ok(j.rows.slice(1).every((x: Line) => !x.flagged));
  const flagged = await cli(["reconcile", "--db", db, "--flagged"]);
  assert.equal(flagged.code, 0);
  assert.match(flagged.stdout, /^--flagged: 1 of \d+ line\(s\)$/m);
  assert.equal(flagged.stdout.match(/│ 2025-11-\d\d │/g)?.length, 1);
  assert.ok(flagged.stdout.indexOf("│ Provider") < flagged.stdout.indexOf("│ Day"), "the summary comes first");
});
