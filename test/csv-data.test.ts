import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import { parse } from "csv-parse/sync";
import { cli, demoDatabase, golden, tmp } from "./helpers.js";

// `--format csv` is data for a spreadsheet or a script: raw numbers, ISO dates, empty for none, one table per output.
let demo = "";
let mixed = "";
before(async () => {
  ({ db: demo } = await demoDatabase());
  mixed = join(tmp(), "mixed.duckdb");
  const files = ["openai-usage.csv", "openai-cost-v1.csv", "requests-openai.jsonl", "anthropic-cost.csv", "anthropic-tokens.csv"].map(
    (f) => `fixtures/formats/${f}`,
  );
  assert.equal((await cli(["ingest", "--db", mixed, ...files])).code, 0);
});

// The demo's traffic ends 2025-11-28: the budget gate runs the next day.
const FRESH = { LLMCOST_NOW: "2025-11-29T12:00:00Z" };
const commands = (): Record<string, { args: string[]; code: number }> => ({
  savings: { args: ["savings", "--db", demo], code: 0 },
  simulate: {
    args: [
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
    ],
    code: 0,
  },
  budget: {
    args: [
      "budget",
      "--db",
      demo,
      "--max-daily",
      "10",
      "--max-monthly",
      "200",
      "--feature-max",
      "summarize-articles=60/month",
      "--model-max",
      "o3-2025-04-16=0.5/day",
      "--spike",
      "2.5",
      "--fail-on-unpriced",
      "1",
    ],
    code: 1,
  },
  reconcile: { args: ["reconcile", "--db", mixed], code: 0 },
  "reconcile-demo": { args: ["reconcile", "--db", demo], code: 0 },
});
const run = async (name: string) => {
  const c = commands()[name]!;
  const r = await cli([...c.args, "--format", "csv"], { env: FRESH });
  assert.equal(r.code, c.code, r.stderr);
  return r.stdout;
};
const rowsOf = (out: string): Record<string, string>[] => parse(out, { columns: true });

for (const name of ["savings", "simulate", "budget", "reconcile"]) {
  test(`${name} --format csv golden`, async () => golden(`csv/${name}.csv`, await run(name)));
}

test("no CSV cell is a display string: no $, no %, no thousands separator, no dash for none", async () => {
  for (const name of Object.keys(commands())) {
    const out = await run(name);
    const rows: string[][] = parse(out);
    assert.ok(rows.length > 1, `${name}: rows`);
    // One table: every row has the header's width (a second table would bring its own header).
    assert.ok(
      rows.every((r) => r.length === rows[0]!.length),
      `${name}: one table`,
    );
    for (const [i, row] of rows.entries())
      for (const cell of row) assert.doesNotMatch(cell, /^\$|%$|,\d{3}|—/, `${name} line ${i + 1}: ${JSON.stringify(cell)}`);
  }
});

test("CSV values are the JSON's numbers", async () => {
  // savings: the route on summarize-articles is $41.46/month in the table, 41.463307 here, 86% as 0.86.
  const savings = rowsOf(await run("savings"));
  const json = JSON.parse((await cli(["savings", "--db", demo, "--format", "json"])).stdout);
  assert.deepEqual(
    savings.map((r) => [r.feature, r.tactic, Number(r.monthly_saved_usd), Number(r.share_of_feature)]),
    json.opportunities.map((o: { feature: string; tactic: string; monthlyUsd: number; shareOfFeature: number }) => [
      o.feature,
      o.tactic,
      o.monthlyUsd,
      o.shareOfFeature,
    ]),
  );
  assert.deepEqual(savings[0], {
    rank: "1",
    feature: "summarize-articles",
    tactic: "route",
    monthly_saved_usd: "41.463307",
    saved_usd: "38.699086",
    share_of_feature: "0.86",
    evidence: "gpt-4o-2024-08-06 → gpt-4o-mini on 4567 requests",
  });

  // simulate: the steps add up, baseline − Σ saved = final, in the CSV's own numbers (to the 6-decimal rounding).
  const sim = rowsOf(await run("simulate"));
  assert.deepEqual([...new Set(sim.map((r) => r.table))], ["steps", "features"]);
  const steps = sim.filter((r) => r.table === "steps");
  const base = Number(steps[0]!.cost_usd);
  const saved = steps.slice(1, -1).reduce((a, r) => a + Number(r.saved_usd), 0);
  const total = steps.at(-1)!;
  assert.equal(total.name, "total");
  assert.ok(Math.abs(base - saved - Number(total.cost_usd)) < 1e-5);
  assert.equal(steps[0]!.requests, "14560");
  assert.equal(sim.find((r) => r.name === "legal-drafts")!.unpriced_requests, "163");

  // budget: a failed check is ok=false; freshness in hours; the unpriced share in percent, as --fail-on-unpriced takes it.
  const budget = rowsOf(await run("budget"));
  const check = (kind: string) => budget.find((r) => r.check === kind)!;
  assert.deepEqual([check("model").ok, check("model").actual, check("model").limit, check("model").unit], ["false", "0.630564", "0.5", "usd/day"]);
  assert.deepEqual([check("freshness").actual, check("freshness").limit, check("freshness").unit], ["12.13", "48", "hours"]);
  assert.deepEqual([check("unpriced").actual, check("unpriced").limit, check("unpriced").unit], ["1.53", "1", "percent"]);

  // reconcile: the dashboard's $0.13360 + $0.00720 + $0.10646 = $0.24726 billed and computed for gpt-4o on 2025-10-05.
  const rec = rowsOf(await run("reconcile"));
  const line = rec.find((r) => r.table === "lines" && r.day === "2025-10-05" && r.model === "gpt-4o-2024-08-06")!;
  assert.deepEqual(
    [line.billed_usd, line.computed_usd, line.delta_usd, line.delta_share, line.compared_with, line.flagged],
    ["0.24726", "0.24726", "0", "0", "usage exports", "false"],
  );
  const openai = rec.find((r) => r.table === "providers" && r.provider === "openai")!;
  assert.deepEqual([openai.billed_usd, openai.coverage_share], ["0.24726", "1"]);
  // A line with no bill has an empty billed cell, not "—".
  assert.equal(rec.find((r) => r.table === "lines" && r.model === "o3")!.billed_usd, "");
});
