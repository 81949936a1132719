import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { cli, demoDatabase, golden, ROOT, stable, tmp } from "./helpers.js";

let dir = "";
let demo = "";
before(async () => {
  ({ dir: dir, db: demo } = await demoDatabase());
});

// The demo's traffic ends 2025-11-28: the gate runs the next day, so its data is fresh (--max-age, default 2 days).
const FRESH = { LLMCOST_NOW: "2025-11-29T12:00:00Z" };
const budget = (...args: string[]) => cli(["budget", "--db", demo, ...args], { env: FRESH });

test("exit 0 when every check passes: report on stdout, verdict on stderr", async () => {
  const r = await budget("--max-daily", "10", "--max-monthly", "200", "--feature-max", "summarize-articles=60/month", "--spike", "3");
  assert.equal(r.code, 0, r.stderr);
  // The demo's fine-tune has no price: its 649,125 tokens of the month are in no sum, and the verdict says so.
  assert.equal(
    r.stderr,
    "budget: OK (13 checks passed)\nwarning: 649,125 tokens without a price are in no dollar sum above (add prices with --pricing FILE or pricing.overrides; --fail-on-unpriced 0 fails on any)\n",
  );
  golden("budget/pass.table", stable(r.stdout, dir));
});

test("exit 1 when spend, its projection, a cap or the unpriced share breaks a budget", async () => {
  const r = await budget("--max-daily", "3", "--max-monthly", "95", "--model-max", "o3-2025-04-16=0.5/day", "--fail-on-unpriced", "1", "--format", "json");
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "budget: FAILED (4 of 6: daily all, projected-month all, model o3-2025-04-16, unpriced all)\nwarning: 649,125 tokens without a price are in no dollar sum above (add prices with --pricing FILE or pricing.overrides; --fail-on-unpriced 0 fails on any)\n",
  );
  const j = JSON.parse(r.stdout);
  assert.equal(j.refDay, "2025-11-28");
  assert.equal(j.passed, false);
  // Month to date $92.16 over 28 of 30 days projects to 92.16 × 30 / 28 ≈ $98.75 > $95, while the actual is under.
  assert.deepEqual(
    j.checks.map((c: { kind: string; ok: boolean }) => [c.kind, c.ok]),
    [
      ["freshness", true],
      ["daily", false],
      ["month-to-date", true],
      ["projected-month", false],
      ["model", false],
      ["unpriced", false],
    ],
  );
  golden("budget/fail.json", stable(r.stdout, dir));
});

test("spike: the latest day against the trailing 7-day median, with a dollar floor", async () => {
  const t = tmp();
  const db = join(t, "s.duckdb");
  const lines = ["timestamp,model,user,input_tokens,output_tokens"];
  const add = (day: number, n: number, feature: string) => {
    for (let i = 0; i < n; i++)
      lines.push(`2025-11-${String(day).padStart(2, "0")}T12:${String(i % 60).padStart(2, "0")}:00Z,gpt-4o,a1b2c3d4e5f6:${feature},1000,0`);
  };
  // Each request: 1,000 input × $2.50/M = $0.0025.
  for (let d = 1; d <= 7; d++) add(d, 10, "big"); // $0.025/day
  add(8, 1000, "big"); // $2.50: 100× the median and $2.475 above it
  for (let d = 1; d <= 7; d++) add(d, 1, "tiny"); // $0.0025/day
  add(8, 20, "tiny"); // 20× the median but only $0.0475 above it: under the $1 floor
  writeFileSync(join(t, "s.csv"), lines.join("\n") + "\n");
  assert.equal((await cli(["ingest", "--db", db, join(t, "s.csv")])).code, 0);
  const day9 = { env: { LLMCOST_NOW: "2025-11-09T06:00:00Z" } };
  const r = await cli(["budget", "--db", db, "--spike", "2.0", "--format", "json"], day9);
  assert.equal(r.code, 1, r.stderr);
  const checks = (JSON.parse(r.stdout).checks as { kind: string; scope: string; ok: boolean; actual: number; detail: string }[]).filter(
    (c) => c.kind === "spike",
  );
  assert.deepEqual(
    checks.map((c) => [c.scope, c.ok, c.actual]),
    [
      ["big", false, 2.5],
      ["tiny", true, 0.05],
    ],
  );
  assert.equal(checks[0]!.detail, "100.00× the 7-day median");
  assert.equal((await cli(["budget", "--db", db, "--spike", "2.0", "--spike-min", "0.01"], day9)).code, 1);
  assert.equal((await cli(["budget", "--db", db, "--spike", "200"], day9)).code, 0);
});

test("plan diff: a model swap shows its monthly delta and can fail --max-increase", async () => {
  const plan = join(dir, "plan.json");
  writeFileSync(
    plan,
    JSON.stringify({
      changes: [
        { feature: "chat", to: "gpt-4o" },
        { feature: "nightly-digest", batch: true },
      ],
    }),
  );
  const r = await budget("--plan", plan, "--max-increase", "10");
  assert.equal(r.code, 1);
  assert.match(r.stdout, /│ chat\s+│ all models → gpt-4o\s+│ \$1\.46\s+│ \$24\.28\s+│ \+\$22\.82\/month │/);
  assert.match(r.stdout, /│ nightly-digest │ moves to the Batch API │ \$12\.98\s+│ \$6\.49\s+│ -\$6\.49\/month\s+│/);
  assert.equal((await budget("--plan", plan, "--max-increase", "20")).code, 0);
  writeFileSync(plan, JSON.stringify({ changes: [{ feature: "chat" }] }));
  const bad = await budget("--plan", plan);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^llmcost: --plan .*plan\.json: /);
});

test("exit 2 on bad usage, with nothing written", async () => {
  for (const args of [
    [],
    ["--spike", "0.5"],
    ["--max-daily", "lots"],
    // A period the flag is not per: never read as the flag's own ($100/month is not a $100/day limit).
    ["--max-daily", "100/month"],
    ["--max-monthly", "5/day"],
    ["--spike", "2", "--spike-min", "1/month"],
    ["--feature-max", "chat"],
    ["--fail-on-unpriced", "150"],
    ["--plan", join(dir, "missing.json")],
  ]) {
    const r = await budget(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^llmcost: /);
  }
  assert.match(
    (await budget("--max-daily", "100/month")).stderr,
    /^llmcost: --max-daily is an amount per day \(got "100\/month"\)\nhint: for a limit per month, use --max-monthly\n$/,
  );
  const missing = join(tmp(), "none.duckdb");
  assert.equal((await cli(["budget", "--db", missing, "--max-daily", "1"])).code, 2);
  assert.equal(existsSync(missing), false);
});

test("budgets come from the config when flags are absent", async () => {
  const cfg = join(dir, "llmcost.config.json");
  writeFileSync(cfg, JSON.stringify({ budgets: { daily: 3, features: { "code-review": "0.5/day" } } }));
  const r = await cli(["budget", "--db", demo, "--config", cfg], { env: FRESH });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "budget: FAILED (2 of 3: daily all, feature code-review)\nwarning: 26,798 tokens without a price are in no dollar sum above (add prices with --pricing FILE or pricing.overrides; --fail-on-unpriced 0 fails on any)\n",
  );
  writeFileSync(cfg, JSON.stringify({ budgets: { daily: "three" } }));
  assert.equal((await cli(["budget", "--db", demo, "--config", cfg], { env: FRESH })).code, 2);
});

test("--summary writes the PR markdown; the README's workflow step appends to $GITHUB_STEP_SUMMARY", async () => {
  const file = join(dir, "summary.md");
  assert.equal((await budget("--max-daily", "3", "--summary", file)).code, 1);
  golden("budget/summary.md", readFileSync(file, "utf8"));
  const gh = join(dir, "gh-summary.md");
  writeFileSync(gh, "previous step\n");
  const r = spawnSync("bash", [join(ROOT, "scripts", "ci-budget-example.sh"), demo, gh], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TZ: "UTC", NO_COLOR: "1", ...FRESH },
  });
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(gh, "utf8");
  assert.match(text, /^previous step\n### ✅ LLM budget: all \d+ checks passed\n/);
  assert.match(text, /\| ✅ \| projected-month \| all \| \$98\.75 \| \$120\.00 \|/);
});

test("the projection runs over the days the data covers: logs from the 25th on are not 24 days of $0", async () => {
  const t = tmp();
  const db = join(t, "late.duckdb");
  const lines = readFileSync(join(ROOT, "fixtures", "demo", "requests.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.slice(0, 40).includes('"timestamp":"2025-11-2') && l.slice(14, 24) >= "2025-11-25");
  writeFileSync(join(t, "late.jsonl"), `${lines.join("\n")}\n`);
  assert.equal((await cli(["ingest", "--db", db, join(t, "late.jsonl")])).code, 0);
  const r = await cli(["budget", "--db", db, "--max-monthly", "50", "--format", "json"], { env: FRESH });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  // Four days of data (25–28 November): the month to date × 30 / 4, not × 30 / 28.
  assert.equal(doc.daysElapsed, 4);
  const mtd = doc.monthToDateUsd;
  assert.ok(mtd > 15 && mtd < 17, String(mtd));
  // (The JSON rounds each figure to 6 decimals: the projection is exact from the unrounded month to date.)
  assert.ok(Math.abs(doc.projectedMonthUsd - (mtd * 30) / 4) < 1e-5, `${doc.projectedMonthUsd} vs ${(mtd * 30) / 4}`);
  const projected = doc.checks.find((c: { kind: string }) => c.kind === "projected-month");
  assert.deepEqual(
    [projected.ok, projected.detail],
    [false, "run rate over 4 day(s) of data (from 2025-11-25) × 30; 139,045 tokens without a price, not in it"],
  );
});

test("the config's budgets.spike is judged as --spike is: a factor above 1, else exit 2 naming the key", async () => {
  const t = tmp();
  for (const spike of [1, 0.5]) {
    const file = join(t, `spike-${spike}.json`);
    writeFileSync(file, JSON.stringify({ budgets: { spike } }));
    const r = await budget("--config", file);
    assert.equal(r.code, 2, `spike ${spike}`);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /invalid config: budgets\.spike: a factor above 1, as --spike takes \(e\.g\. 2\.0\)/);
  }
});

test("usage without a price never passes a check on its own: a cap on the unpriced fine-tune, or --cost-mode reported on logs that state no cost", async () => {
  const ft = await budget("--feature-max", "legal-drafts=1/day", "--format", "json");
  assert.equal(ft.code, 1, ft.stderr);
  const [cap] = JSON.parse(ft.stdout).checks.filter((c: { kind: string }) => c.kind === "feature");
  // legal-drafts calls only the fine-tune: its 26,798 tokens of 2025-11-28 have no price, $0 of it is priced.
  assert.deepEqual(
    [cap.ok, cap.actual, cap.unpricedTokens, cap.detail],
    [false, 0, 26_798, "spend on 2025-11-28; nothing priced: all 26,798 tokens have no price, so the limit cannot be checked"],
  );
  const reported = await budget("--cost-mode", "reported", "--max-monthly", "1000");
  assert.equal(reported.code, 1, reported.stderr);
  assert.match(reported.stdout, /│ FAIL +│ month-to-date +│ all +│ \$0\.0000 │ \$1,000\.00 │ 2025-11-01 → 2025-11-28; nothing priced: all 42,291,771 tokens/);
  assert.match(
    reported.stderr,
    /^budget: FAILED \(2 of 3: month-to-date all, projected-month all\)\nwarning: 42,291,771 tokens without a price are in no dollar sum above/,
  );
});

test("a spike check's JSON limit is the spend it fails at (× median, and --spike-min above it): ok exactly when actual is under it", async () => {
  for (const min of ["0.01", "0.1", "1"]) {
    const r = await budget("--spike", "1.1", "--spike-min", min, "--format", "json");
    const spikes = JSON.parse(r.stdout).checks.filter((c: { kind: string }) => c.kind === "spike");
    assert.ok(spikes.length >= 8, `--spike-min ${min}`);
    for (const c of spikes) assert.equal(c.ok, c.actual < c.limit, `--spike-min ${min}: ${c.scope} ${c.actual} vs ${c.limit}`);
  }
  // support-bot: $0.7375 over a median of $0.5997 is 1.23×, up $0.1378. Under --spike-min 0.1 the limit is the larger
  // of 1.1 × 0.5997 = 0.6597 and 0.5997 + 0.1 = 0.6997: a spike. Under --spike-min 1 it is 1.5997: none.
  const doc = async (min: string) => JSON.parse((await budget("--spike", "1.1", "--spike-min", min, "--format", "json")).stdout);
  const bot = async (min: string) => (await doc(min)).checks.find((c: { scope: string }) => c.scope === "support-bot");
  assert.deepEqual([(await bot("0.1")).ok, (await bot("0.1")).limit], [false, 0.699677]);
  assert.deepEqual([(await bot("1")).ok, (await bot("1")).limit], [true, 1.599677]);
});

test("beside a bill, the gate says what the bill holds for the same days: it checks the request logs", async () => {
  const t = tmp();
  const db = join(t, "billed.duckdb");
  assert.equal((await cli(["ingest", "--db", db, "fixtures/demo"])).code, 0);
  const file = join(t, "summary.md");
  const r = await cli(["budget", "--db", db, "--max-monthly", "93", "--summary", file], { env: FRESH });
  // The demo's bills: $94.66 for 1–28 November (OpenAI $77.98 + Anthropic $16.68); its logs: $92.16.
  const line =
    "the bill (cost exports) for 2025-11-01 → 2025-11-28: $94.66; these checks read the request logs (month to date $92.16), and `llmcost reconcile` compares the two";
  assert.ok(r.stdout.split("\n").includes(line), r.stdout);
  assert.ok(readFileSync(file, "utf8").split("\n").includes(line));
  // The logs' month to date ($92.16) is under $93, the bill's ($94.66) is not: that check fails on the bill (it once
  // passed). The logs' projection ($98.75) was over already.
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^budget: FAILED \(3 of 5: projected-month all, month-to-date provider data, projected-month provider data\)/);
  assert.match(r.stdout, /│ ok +│ month-to-date +│ all +│ \$92\.16 +│ \$93\.00 │/);
  assert.match(r.stdout, /│ FAIL +│ month-to-date +│ provider data │ \$94\.66 +│ \$93\.00 │ 2025-11-01 → 2025-11-28 +│/);
  // A database of request logs alone has no such line, and no provider checks.
  const logs = await budget("--max-monthly", "93");
  assert.doesNotMatch(logs.stdout, /the bill \(cost exports\)|provider data/);
});

test("a provider export that lags the logs projects over its own days, and has no daily check without the day", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const logs = join(t, "requests.jsonl");
  const line = (ts: string) =>
    `${JSON.stringify({ timestamp: ts, model: "gpt-4o-mini-2024-07-18", user: "4f2a9c1d7e3b:chat", usage: { prompt_tokens: 1000, completion_tokens: 200 } })}\n`;
  writeFileSync(logs, line("2025-11-27T10:00:00Z") + line("2025-11-28T10:00:00Z"));
  // The export ends a day before the logs (the 26th and 27th): $0.24726 a day (see the test below).
  const usage = join(t, "usage.csv");
  const row = (start: number, day: string, next: string) =>
    `${start},${start + 86400},${day}T00:00:00+00:00,${next}T00:00:00+00:00,proj_4BhNtYH0z7dWbBtzhibxa65W,10.0,,key_OYRZfEkH5R9CNgtY,gpt-4o-2024-08-06,FALSE,default,59200.0,10646.0,5760.0,53440.0\n`;
  writeFileSync(
    usage,
    "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens\n" +
      row(1764115200, "2025-11-26", "2025-11-27") +
      row(1764201600, "2025-11-27", "2025-11-28"),
  );
  assert.equal((await cli(["ingest", "--db", db, logs, usage])).code, 0);
  const r = await cli(["budget", "--db", db, "--max-daily", "0.1", "--max-monthly", "6", "--format", "json"], { env: FRESH });
  const provider = JSON.parse(r.stdout).checks.filter((c: { scope: string }) => c.scope === "provider data");
  // 2 × 0.24726 = 0.49452 over its 2 days × 30 = 7.4178 (over $6; over the logs' 3 days it would be 4.9452, a pass).
  assert.deepEqual(
    provider.map((c: { kind: string; actual: number; ok: boolean; detail: string }) => [c.kind, c.actual, c.ok]),
    [
      ["month-to-date", 0.49452, true],
      ["projected-month", 7.4178, false],
    ],
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^budget: FAILED \(1 of 6: projected-month provider data\)/);
});

test("request logs of part of the traffic: the provider's usage export of the same day is checked too, its bill where there is one", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const logs = join(t, "requests.jsonl");
  // One logged call: 1000 × $0.15 + 200 × $0.60 per 1M = $0.00027.
  writeFileSync(
    logs,
    `${JSON.stringify({ timestamp: "2025-11-28T10:00:00Z", model: "gpt-4o-mini-2024-07-18", user: "4f2a9c1d7e3b:chat", usage: { prompt_tokens: 1000, completion_tokens: 200 } })}\n`,
  );
  // The provider saw the unlogged traffic too: 53,440 × $2.50 + 5,760 × $1.25 + 10,646 × $10 per 1M = $0.24726.
  const usage = join(t, "usage.csv");
  writeFileSync(
    usage,
    "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens\n" +
      "1764288000,1764374400,2025-11-28T00:00:00+00:00,2025-11-29T00:00:00+00:00,proj_4BhNtYH0z7dWbBtzhibxa65W,10.0,,key_OYRZfEkH5R9CNgtY,gpt-4o-2024-08-06,FALSE,default,59200.0,10646.0,5760.0,53440.0\n",
  );
  assert.equal((await cli(["ingest", "--db", db, logs, usage])).code, 0);
  const run = () => cli(["budget", "--db", db, "--max-daily", "0.1", "--max-monthly", "100", "--format", "json"], { env: FRESH });
  const checks = async () => {
    const r = await run();
    const doc = JSON.parse(r.stdout);
    return { code: r.code, checks: doc.checks.map((c: { kind: string; scope: string; actual: number; ok: boolean }) => [c.kind, c.scope, c.actual, c.ok]) };
  };
  assert.deepEqual(await checks(), {
    code: 1,
    checks: [
      ["freshness", "all", 26, true],
      ["daily", "all", 0.00027, true],
      ["month-to-date", "all", 0.00027, true],
      ["projected-month", "all", 0.0081, true],
      ["daily", "provider data", 0.24726, false],
      ["month-to-date", "provider data", 0.24726, true],
      // One day of provider data this month (the 28th): its run rate is that day × 30.
      ["projected-month", "provider data", 7.4178, true],
    ],
  });
  // OpenAI's bill for the day ($0.30) is its spend, in place of the usage export's priced tokens (not beside them).
  const costs = join(t, "costs.json");
  writeFileSync(
    costs,
    JSON.stringify({
      object: "page",
      data: [
        {
          object: "bucket",
          start_time: 1764288000,
          end_time: 1764374400,
          results: [
            { object: "organization.costs.result", amount: { value: "0.30", currency: "usd" }, line_item: "gpt-4o-2024-08-06, input", project_id: null },
          ],
        },
      ],
      has_more: false,
      next_page: null,
    }),
  );
  assert.equal((await cli(["ingest", "--db", db, costs])).code, 0);
  assert.deepEqual((await checks()).checks.slice(4), [
    ["daily", "provider data", 0.3, false],
    ["month-to-date", "provider data", 0.3, true],
    ["projected-month", "provider data", 9, true],
  ]);
});
