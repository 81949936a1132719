import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { closest, familyOf, isSnapshotOf, type KnownModel, matchModel } from "../src/resolve/names.js";
import { checksum, cli, demoDatabase, golden, stable, tmp } from "./helpers.js";

// Issue 14: every model or feature name a user types resolves one way (through the price book's aliases; a family
// name matches every snapshot), says what it matched, and a name that matches nothing is exit 2 with suggestions.

let dir = "";
let demo = "";
before(async () => {
  ({ dir: dir, db: demo } = await demoDatabase());
});
// The demo's traffic ends 2025-11-28T23:52Z; budget runs the next day unless a test says otherwise.
const FRESH = { env: { LLMCOST_NOW: "2025-11-29T12:00:00Z" } };

test("a family name matches its resolved id and every snapshot, never a sibling", () => {
  const known: KnownModel[] = [
    { model: "gpt-4o-2024-08-06", modelId: "gpt-4o-2024-08-06" },
    { model: "chatgpt-4o-latest", modelId: "gpt-4o" },
    { model: "gpt-4o-mini-2024-07-18", modelId: "gpt-4o-mini" },
    { model: "claude-sonnet-4-5-20250929", modelId: "claude-sonnet-4-5-20250929" },
    { model: "claude-sonnet-4-20250514", modelId: "claude-sonnet-4-20250514" },
    { model: "claude-3-5-sonnet-v2@20241022", modelId: "claude-3-5-sonnet-v2@20241022" },
  ];
  assert.deepEqual(matchModel("gpt-4o", "gpt-4o", known), ["gpt-4o-2024-08-06", "chatgpt-4o-latest"]);
  assert.deepEqual(matchModel("gpt-4o-mini", "gpt-4o-mini", known), ["gpt-4o-mini-2024-07-18"]);
  assert.deepEqual(matchModel("claude-sonnet-4", "claude-sonnet-4", known), ["claude-sonnet-4-20250514"]);
  assert.deepEqual(matchModel("claude-sonnet-4-5", "claude-sonnet-4-5", known), ["claude-sonnet-4-5-20250929"]);
  assert.deepEqual(matchModel("claude-3-5-sonnet-v2", "claude-3-5-sonnet-v2", known), ["claude-3-5-sonnet-v2@20241022"]);
  assert.deepEqual(matchModel("GPT-4O-2024-08-06", "gpt-4o-2024-08-06", known), ["gpt-4o-2024-08-06"]);
  assert.equal(isSnapshotOf("gpt-4o-mini", "gpt-4o"), false);
  assert.equal(familyOf("gemini-1.5-pro-001"), "gemini-1.5-pro");
  assert.deepEqual(closest("gpt4o", ["gpt-4o", "gpt-4o-2024-08-06", "o3"]), ["gpt-4o"]);
});

test("report --where model=gpt-4o-mini selects its snapshot and says so (was an empty table)", async () => {
  const r = await cli(["report", "--db", demo, "--by", "model", "--where", "model=gpt-4o-mini"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^model=gpt-4o-mini matched gpt-4o-mini-2024-07-18$/m);
  // The demo's gpt-4o-mini-2024-07-18 traffic: 5,097 requests, $1.58 (the `report --by model` row).
  assert.match(r.stdout, /total: \$1\.58 · 5,097 requests/);
  golden("names/where-model.table", stable(r.stdout, dir));
  const j = JSON.parse((await cli(["report", "--db", demo, "--where", "model=openai/gpt-4o", "--format", "json"])).stdout);
  assert.deepEqual(j.matched, [{ name: "openai/gpt-4o", modelId: "gpt-4o", matched: ["gpt-4o-2024-08-06"] }]);
  assert.equal(j.totals.requests, 5153);
});

test("a model or feature that matches nothing is exit 2 with the closest names, the database unchanged", async () => {
  const before = await checksum(demo);
  const cases: [string[], string][] = [
    [["report", "--where", "model=gpt4o"], 'llmcost: --where model=gpt4o: no model "gpt4o" in this window\nhint: did you mean gpt-4o?\n'],
    [
      ["report", "--where", "feature=summarise-articles"],
      'llmcost: --where feature=summarise-articles: no feature "summarise-articles" in this window\nhint: did you mean summarize-articles?\n',
    ],
    [
      ["simulate", "--route", "gpt4o=gpt-4o-mini"],
      'llmcost: --route gpt4o=gpt-4o-mini: no model "gpt4o" in the simulated traffic\nhint: did you mean gpt-4o?\n',
    ],
    [["simulate", "--batch", "nightly-digets"], 'llmcost: --batch: no feature "nightly-digets" in the simulated traffic\nhint: did you mean nightly-digest?\n'],
    [
      ["simulate", "--feature", "chatt", "--route", "mini"],
      'llmcost: --feature: no feature "chatt" in the request logs of this window\nhint: did you mean chat?\n',
    ],
    [
      ["budget", "--feature-max", "nosuch=5"],
      'llmcost: --feature-max nosuch: no feature "nosuch" among the request logs\nhint: features among the request logs: (untagged), chat, classify-tickets, code-review, legal-drafts, nightly-digest, search-rerank, summarize-articles, …\n',
    ],
    [["budget", "--model-max", "gpt-4-o=10/day"], 'llmcost: --model-max gpt-4-o: no model "gpt-4-o" among the request logs\nhint: did you mean gpt-4o?\n'],
  ];
  for (const [[cmd, ...args], stderr] of cases) {
    const r = await cli([cmd!, "--db", demo, ...args], FRESH);
    assert.equal(r.code, 2, `${cmd} ${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, stderr);
  }
  assert.equal(await checksum(demo), before);
});

test("simulate --route gpt-4o=gpt-4o-mini routes the snapshots (was $0 saved on 0 requests)", async () => {
  const r = await cli(["simulate", "--db", demo, "--route", "gpt-4o=gpt-4o-mini", "--escalate", "0", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const step = j.steps[0];
  assert.equal(step.affectedRequests, 5153);
  assert.equal(step.details.matched, "gpt-4o matched gpt-4o-2024-08-06");
  assert.equal(step.assumptions[0], "route gpt-4o (matched gpt-4o-2024-08-06) → gpt-4o-mini");
  // gpt-4o-2024-08-06 ($2.50/$10 per 1M) → gpt-4o-mini ($0.15/$0.60): every rate × 0.06, no cached input on that
  // traffic, so the $57.98 on it becomes 0.06 × that and the saving is 0.94 × it.
  const gpt4o = 57.978288; // `report --by model --format json`, row gpt-4o-2024-08-06 (below)
  const rep = JSON.parse((await cli(["report", "--db", demo, "--by", "model", "--format", "json"])).stdout);
  assert.equal(rep.rows.find((x: { key: { model: string } }) => x.key.model === "gpt-4o-2024-08-06").costUsd, gpt4o);
  assert.ok(Math.abs(step.savedUsd - gpt4o * 0.94) < 1e-5, String(step.savedUsd));
});

test("budget --model-max gpt-4o covers its snapshot (was $0, passing) and the plan's from: does too", async () => {
  const r = await cli(["budget", "--db", demo, "--model-max", "gpt-4o=1/day", "--format", "json"], FRESH);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  const model = j.checks.find((c: { kind: string }) => c.kind === "model");
  assert.equal(model.scope, "gpt-4o (gpt-4o-2024-08-06)");
  assert.equal(model.actual, 2.459565);
  assert.equal(model.ok, false);
  assert.deepEqual(j.matched, [{ name: "gpt-4o", matched: ["gpt-4o-2024-08-06"] }]);

  const plan = join(dir, "plan.json");
  writeFileSync(plan, JSON.stringify({ changes: [{ feature: "summarize-articles", from: "gpt-4o", to: "gpt-4o-mini" }] }));
  const p = await cli(["budget", "--db", demo, "--plan", plan], FRESH);
  assert.equal(p.code, 0, p.stderr);
  // $45.00 of summarize-articles on gpt-4o-2024-08-06 → × 0.06 = $2.70 (was +$0.0000: nothing matched).
  assert.match(p.stdout, /│ summarize-articles │ gpt-4o \(matched gpt-4o-2024-08-06\) → gpt-4o-mini │ \$45\.00\s+│ \$2\.70\s+│ -\$42\.30\/month │/);
  writeFileSync(plan, JSON.stringify({ changes: [{ feature: "sumarize-articles", to: "gpt-4o-mini" }] }));
  const bad = await cli(["budget", "--db", demo, "--plan", plan], FRESH);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'llmcost: --plan: feature: no feature "sumarize-articles" in the request logs\nhint: did you mean summarize-articles?\n');
});

test("pricing show: a family lists its snapshots; an unknown name suggests the closest", async () => {
  const r = await cli(["pricing", "show", "gpt-4o"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^snapshots \(priced on their own, matched by the family name in --where\/--route\/--model-max\): gpt-4o-2024-05-13, gpt-4o-2024-08-06, gpt-4o-2024-11-20$/m,
  );
  const bad = await cli(["pricing", "show", "gpt4o"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^llmcost: no pricing for "gpt4o"\nhint: did you mean gpt-4o\b/);
});

test("route moves a request only when the target has a price at its time; the others stay and are named", async () => {
  const t = tmp();
  const db = join(t, "o1.duckdb");
  // o1 → its cheaper sibling o3-mini, which has a price only from 2025-01-31: the January request stays on o1.
  writeFileSync(
    join(t, "requests.csv"),
    "timestamp,model,user,input_tokens,output_tokens,request_id\n" +
      "2025-01-20T10:00:00Z,o1-2024-12-17,a1b2c3d4e5f6:reports,1000000,100000.0,r1\n" +
      "2025-02-10T10:00:00Z,o1-2024-12-17,a1b2c3d4e5f6:reports,1000000,100000.0,r2\n",
  );
  assert.equal((await cli(["ingest", "--db", db, join(t, "requests.csv")])).code, 0);
  const r = await cli(["simulate", "--db", db, "--route", "mini", "--escalate", "0", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  // o1: 1M × $15 + 0.1M × $60 = $21 a request, $42 baseline. o3-mini: 1M × $1.10 + 0.1M × $4.40 = $1.54.
  // Only r2 moves: $21 + $1.54 = $22.54 (was $1.54: r1 "routed" to an unpriced model counted as $0).
  assert.equal(j.baselineUsd, 42);
  assert.equal(j.steps[0].costUsd, 22.54);
  assert.equal(j.steps[0].affectedRequests, 1);
  assert.equal(j.steps[0].details.notRoutedUnpriced, 1);
  assert.deepEqual(j.steps[0].evidence, [
    { feature: "reports", text: "o1-2024-12-17 → o3-mini on 1 requests; 1 requests stay on o1-2024-12-17 (o3-mini has no price before 2025-01-31)" },
  ]);
  const s = await cli(["savings", "--db", db]);
  assert.equal(s.code, 0, s.stderr);
  // With the default 8% escalation r2 costs $1.54 + 0.08 × $21 = $3.22, saving $17.78 over 21 days: × 30/21 = $25.40
  // a month (was $53.00).
  // Two requests on two days are no daily batch job (batch auto needs 3 days), so route ranks first.
  assert.match(s.stdout, /│ 1 │ reports │ route {2}│\s+\$25\.40 │\s+42\.3% │ o1-2024-12-17 → o3-mini on 1 requests; 1 requests stay/);
  assert.match(s.stdout, /^No opportunity:\n {2}- cache: no request repeats a prompt/m);
  const none = JSON.parse(
    (await cli(["simulate", "--db", db, "--since", "2025-01-01", "--until", "2025-01-31", "--route", "mini", "--format", "json"])).stdout,
  );
  assert.equal(none.steps[0].affectedRequests, 0);
  assert.equal(none.steps[0].note, "no request routed: the target model has no price at the time of the 1 candidate requests");
});

test("budget --max-age: stale data fails the gate and the summary states its age", async () => {
  // 2025-11-28T23:52Z → 2026-12-01T12:00Z is 368 days less 11h52m = 367.5 days (the year-old data passed).
  const stale = { env: { LLMCOST_NOW: "2026-12-01T12:00:00Z" } };
  const r = await cli(["budget", "--db", demo, "--max-daily", "100"], stale);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "budget: FAILED (1 of 2: freshness all)\nwarning: 26,798 tokens without a price are in no dollar sum above (add prices with --pricing FILE or pricing.overrides; --fail-on-unpriced 0 fails on any)\n",
  );
  assert.match(r.stdout, /^Budget check · data through 2025-11-28T23:52:00Z \(367\.5 days old\) · latest complete day 2025-11-28/);
  assert.match(r.stdout, /│ FAIL {3}│ freshness │ all {3}│ 367\.5 days old │ 2d old {2}│ newest request log row at 2025-11-28T23:52:00Z +│/);
  assert.equal((await cli(["budget", "--db", demo, "--max-daily", "100", "--max-age", "400d"], stale)).code, 0);
  assert.equal((await cli(["budget", "--db", demo, "--max-age", "12h"], FRESH)).code, 1, "12h08m old > 12h");
  assert.equal((await cli(["budget", "--db", demo, "--max-age", "13h"], FRESH)).code, 0);
  const cfg = join(dir, "age.config.json");
  writeFileSync(cfg, JSON.stringify({ budgets: { daily: 100, maxAge: "1w" } }));
  const c = await cli(["budget", "--db", demo, "--config", cfg, "--format", "json"], { env: { LLMCOST_NOW: "2025-12-04T00:00:00Z" } });
  assert.equal(c.code, 0, c.stdout);
  assert.deepEqual(JSON.parse(c.stdout).checks[0], {
    kind: "freshness",
    scope: "all",
    actual: 120.13,
    limit: 168,
    unit: "hours",
    ok: true,
    detail: "newest request log row at 2025-11-28T23:52:00Z",
  });
  const bad = await cli(["budget", "--db", demo, "--max-age", "soon"], FRESH);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'llmcost: --max-age expects a duration such as 36h, 2d or 1w (got "soon")\n');
});
