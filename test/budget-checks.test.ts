import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ageText,
  type Check,
  median,
  parseCap,
  parseDuration,
  parseNamedCap,
  projectMonth,
  spendBetween,
  spendOn,
  spike,
  timesFactor,
} from "../src/budget/checks.js";
import type { BudgetResult } from "../src/budget/collect.js";
import { budgetDocument, budgetJson } from "../src/budget/render.js";
import { emit } from "../src/output/document.js";
import { ExitError } from "../src/errors.js";

// The budget gate's pure parts, without a database: every expected value is worked out by hand beside it.

/** The usage error (exit 2) a bad flag value is, with its message (a pattern, or the whole message). */
const usage = (want: RegExp | string) => (err: unknown) =>
  err instanceof ExitError && err.code === 2 && (typeof want === "string" ? err.message === want : want.test(err.message));

test("parseCap: USD, USD/day or USD/month, with the caller's default period", () => {
  assert.deepEqual(parseCap("5", "--max-monthly"), { usd: "5", period: "month" });
  assert.deepEqual(parseCap("5", "--max-daily", "day"), { usd: "5", period: "day" });
  assert.deepEqual(parseCap("$5.50/day", "--feature-max"), { usd: "5.50", period: "day" }, "the amount stays the string given: exact");
  assert.deepEqual(parseCap(" 7/month ", "--feature-max", "day"), { usd: "7", period: "month" }, "an explicit period beats the default");
  for (const bad of ["-5", "5/week", "five", "5.", "$", "1e3", "5/day/month"]) {
    assert.throws(() => parseCap(bad, "--max-daily"), usage(`--max-daily expects USD, USD/day or USD/month (got ${JSON.stringify(bad)})`), bad);
  }
});

test("parseNamedCap: NAME=USD[/period]; the name may hold '=' (split at the last one)", () => {
  assert.deepEqual(parseNamedCap("summarize-articles=60/month", "--feature-max"), { name: "summarize-articles", cap: { usd: "60", period: "month" } });
  assert.deepEqual(parseNamedCap("o3-2025-04-16=0.5/day", "--model-max"), { name: "o3-2025-04-16", cap: { usd: "0.5", period: "day" } });
  assert.deepEqual(parseNamedCap("a=b=3", "--feature-max"), { name: "a=b", cap: { usd: "3", period: "month" } });
  assert.throws(() => parseNamedCap("=3", "--feature-max"), usage(/^--feature-max expects NAME=USD\[\/day\|\/month\] \(got "=3"\)$/), "no name");
  assert.throws(() => parseNamedCap("chat", "--feature-max"), usage(/expects NAME=USD/), "no '='");
  assert.throws(
    () => parseNamedCap("chat=lots", "--feature-max"),
    usage(/^--feature-max expects USD, USD\/day or USD\/month \(got "lots"\)$/),
    "the amount names itself",
  );
});

test("parseDuration: minutes, hours, days, weeks; a bare number is days", () => {
  assert.deepEqual(parseDuration("36h", "--max-age"), { text: "36h", hours: 36 });
  assert.deepEqual(parseDuration("2d", "--max-age"), { text: "2d", hours: 48 });
  assert.deepEqual(parseDuration("1w", "--max-age"), { text: "1w", hours: 168 });
  assert.deepEqual(parseDuration("90m", "--max-age"), { text: "90m", hours: 1.5 });
  assert.deepEqual(parseDuration("90min", "--max-age"), { text: "90m", hours: 1.5 });
  assert.deepEqual(parseDuration("3", "--max-age"), { text: "3d", hours: 72 });
  assert.deepEqual(parseDuration("1.5D", "--max-age"), { text: "1.5d", hours: 36 });
  assert.deepEqual(parseDuration(" 12 H ", "--max-age"), { text: "12h", hours: 12 });
  for (const bad of ["0d", "0", "2 weeks", "-1d", "soon", "1y"]) {
    assert.throws(() => parseDuration(bad, "--max-age"), usage(/^--max-age expects a duration such as 36h, 2d or 1w \(got /), bad);
  }
});

test("ageText: hours under two days, then days to one decimal", () => {
  assert.equal(ageText(5.4), "5h");
  assert.equal(ageText(47.6), "48h");
  assert.equal(ageText(48), "2 days");
  assert.equal(ageText(72), "3 days");
  assert.equal(ageText(84), "3.5 days");
});

test("daily series: a day without spend is $0; a range is inclusive at both ends", () => {
  const s = new Map([
    ["2025-11-01", "1.5"],
    ["2025-11-02", "2.25"],
    ["2025-11-03", "4"],
  ]);
  assert.equal(spendOn(s, "2025-11-02"), "2.25");
  assert.equal(spendOn(s, "2025-11-04"), "0");
  assert.equal(spendBetween(s, "2025-11-01", "2025-11-02"), "3.750000000000"); // 1.5 + 2.25
  assert.equal(spendBetween(s, "2025-11-02", "2025-11-30"), "6.250000000000"); // 2.25 + 4
  assert.equal(spendBetween(s, "2025-12-01", "2025-12-31"), "0.000000000000");
});

test("projectMonth: month to date × days in month / days elapsed, exact and rounded at 12 places", () => {
  assert.equal(projectMonth("10", 3, 30), "100.000000000000"); // 10 × 30 / 3
  assert.equal(projectMonth("1", 7, 31), "4.428571428571"); // 31/7 = 4.428571428571|428…: down
  assert.equal(projectMonth("2", 7, 31), "8.857142857143"); // 62/7 = 8.857142857142|857…: up
  assert.equal(projectMonth("10", 0, 30), "300.000000000000", "no day elapsed counts as one, never a division by zero");
  assert.equal(projectMonth("12.34", 30, 30), "12.340000000000", "on the last day the projection is the actual");
});

test("median: by value, the lower middle for an even count", () => {
  assert.equal(median(["3", "1", "2"]), "2");
  assert.equal(median(["4", "1", "3", "2"]), "2"); // 1 2 | 3 4: the lower of the two middles
  assert.equal(median(["10", "9", "100"]), "10"); // by string it would be "100" ("10" < "100" < "9")
  assert.equal(median(["10", "9.5"]), "9.5");
  assert.equal(median([]), "0");
});

test("spike: the day against the trailing median, only when the jump is also worth --spike-min dollars", () => {
  const week = ["2", "2", "3", "2", "2", "2", "2"]; // median 2
  // 10 is 5× the median and $8 above it: fires
  // (limit: where it fires, the larger of 3 × 2 and 2 + $1; all 7 days had spend)
  assert.deepEqual(spike("10", week, 3, "1"), { ok: false, median: "2", ratio: 5, limit: "6.000000000000", daysWithSpend: 7 });
  // 2.5× < 3×: quiet
  assert.deepEqual(spike("5", week, 3, "1"), { ok: true, median: "2", ratio: 2.5, limit: "6.000000000000", daysWithSpend: 7 });
  // exactly 3× and $4 above: fires at a $4 floor, not at a $5 one (both bounds inclusive)
  assert.equal(spike("6", week, 3, "4").ok, false);
  assert.equal(spike("6", week, 3, "5").ok, true);
  // a feature new this week (median 0): infinitely more, but 50 cents is under the floor
  assert.deepEqual(spike("0.5", ["0", "0"], 3, "1"), { ok: true, median: "0", ratio: Infinity, limit: "1.000000000000", daysWithSpend: 0 });
  assert.equal(spike("1.5", ["0", "0"], 3, "1").ok, false);
  // nothing before and nothing now: no spike
  assert.deepEqual(spike("0", [], 2, "0"), { ok: true, median: "0", ratio: 0, limit: "0.000000000000", daysWithSpend: 0 });
});

test("mergeConfig: an explicit --spike-min beats budgets.spikeMinUsd even when it equals the default", async () => {
  const { mergeConfig } = await import("../src/budget/collect.js");
  const { parseBudgetQuery } = await import("../src/commands/budget.js");
  const { Config } = await import("../src/config.js");
  const { flagsFor } = await import("../src/flags/index.js");
  const config = Config.parse({ budgets: { spikeMinUsd: 100 } });
  // The flags given are the keys passed (in the CLI: commander's value source "cli").
  const merged = (flags: { spikeMin?: string }, c = config) =>
    mergeConfig(parseBudgetQuery(flagsFor("budget", { spike: "2", ...flags })), c, parseNamedCap, new Set(Object.keys(flags))).spikeMinUsd;
  assert.equal(merged({ spikeMin: "1" }), "1", "the flag, though it is the default");
  assert.equal(merged({}), "100", "the config");
  assert.equal(merged({}, Config.parse({})), "1", "the default");
  assert.equal(merged({ spikeMin: "5" }, Config.parse({})), "5");
});

test("timesFactor: the spike's limit, factor × median, exactly (null for a factor in exponent notation)", () => {
  assert.equal(timesFactor("0.5997", 2.5), "1.499250000000"); // 0.5997 × 25 / 10
  assert.equal(timesFactor("0.1", 3), "0.300000000000"); // not 0.30000000000000004
  assert.equal(timesFactor("1", 1e21), null);
});

test("a check is data; the document writes its actual, limit and detail for people, and numbers in its unit for machines", () => {
  const day = { scope: "all", ok: true } as const;
  const checks: Check[] = [
    { ...day, kind: "freshness", unit: "hours", actual: 12.126, limit: parseDuration("2d", "--max-age") },
    { ...day, kind: "daily", unit: "usd/day", actual: "3.979254", limit: "10", unpricedTokens: 14_022 },
    { ...day, kind: "feature", scope: "chat", unit: "usd/month", actual: "48.2131", limit: "60", monthToDateUsd: "45", unpricedTokens: 0 },
    { ...day, kind: "model", scope: "o3", unit: "usd/day", actual: "0.6306", limit: "0.5", ok: false, unpricedTokens: 0 },
    { ...day, kind: "feature", scope: "legal-drafts", unit: "usd/day", actual: "0", limit: "1", ok: false, unpricedTokens: 5_120 },
    {
      ...day,
      kind: "spike",
      scope: "chat",
      unit: "usd/day",
      actual: "0.0674",
      limit: timesFactor("0.0593", 3),
      factor: 3,
      median: "0.0593",
      ratio: 1.1366,
      floorUsd: "1",
      daysWithSpend: 7,
    },
    { ...day, kind: "unpriced", unit: "percent", actual: 1.5312, limit: 1, ok: false },
  ];
  const r: BudgetResult = {
    source: "requests",
    newestTs: "2025-11-28T23:52:00Z",
    ageHours: 12.126,
    matched: [],
    refDay: "2025-11-28",
    monthStart: "2025-11-01",
    runRateFrom: "2025-11-01",
    daysElapsed: 28,
    billUsd: null,
    provider: null,
    daysInMonth: 30,
    dayUsd: "3.979254",
    mtdUsd: "92.16",
    projectedUsd: "98.75",
    checks,
    plan: [],
  };
  assert.equal(
    emit(budgetDocument(r), "markdown"),
    [
      "### ❌ LLM budget: 3 of 7 checks failed",
      "",
      "data through 2025-11-28T23:52:00Z (12h old) · latest complete day **2025-11-28**: $3.98 · month to date $92.16 · projected month $98.75 (request logs)",
      "",
      "| Status | Check | Scope | Actual | Limit | Detail |",
      "| --- | --- | --- | ---: | ---: | --- |",
      "| ✅ | freshness | all | 12h old | 2d old | newest request log row at 2025-11-28T23:52:00Z |",
      "| ✅ | daily | all | $3.98 | $10.00 | spend on 2025-11-28; 14,022 tokens without a price, not in it |",
      "| ✅ | feature | chat | $48.21 | $60.00/month | month to date $45.00, projected $48.21 |",
      "| ❌ | model | o3 | $0.6306 | $0.5000/day | spend on 2025-11-28 |",
      "| ❌ | feature | legal-drafts | $0.0000 | $1.00/day | spend on 2025-11-28; nothing priced: all 5,120 tokens have no price, so the limit cannot be checked |",
      "| ✅ | spike | chat | $0.0674 | 3× median $0.0593 | 1.14× the 7-day median |",
      "| ❌ | unpriced | all | 1.53% | 1% | % of month-to-date tokens without a price |",
      "",
      "",
    ].join("\n"),
  );
  assert.equal(
    emit(budgetDocument(r), "csv"),
    [
      "table,ok,check,scope,actual,limit,unit,detail,change,current_monthly_usd,planned_monthly_usd,delta_monthly_usd",
      "checks,true,freshness,all,12.13,48,hours,newest request log row at 2025-11-28T23:52:00Z,,,,",
      'checks,true,daily,all,3.979254,10,usd/day,"spend on 2025-11-28; 14022 tokens without a price, not in it",,,,',
      'checks,true,feature,chat,48.2131,60,usd/month,"month to date $45.00, projected $48.21",,,,',
      "checks,false,model,o3,0.6306,0.5,usd/day,spend on 2025-11-28,,,,",
      'checks,false,feature,legal-drafts,0,1,usd/day,"spend on 2025-11-28; nothing priced: all 5120 tokens have no price, so the limit cannot be checked",,,,',
      "checks,true,spike,chat,0.0674,0.1779,usd/day,1.14× the 7-day median,,,,",
      "checks,false,unpriced,all,1.53,1,percent,% of month-to-date tokens without a price,,,,",
      "",
    ].join("\n"),
  );
  // Over its factor but ok, let through by --spike-min: the detail says so (an ok never hides an actual over its limit).
  const through: BudgetResult = {
    ...r,
    checks: [
      {
        ...day,
        kind: "spike",
        scope: "support-bot",
        unit: "usd/day",
        actual: "0.7375",
        limit: "0.6597",
        factor: 1.1,
        median: "0.5997",
        ratio: 1.23,
        floorUsd: "1",
        daysWithSpend: 7,
      },
    ],
  };
  assert.match(
    emit(budgetDocument(through), "markdown"),
    /\| ✅ \| spike \| support-bot \| \$0\.7375 \| 1\.1× median \$0\.5997 \| 1\.23× the 7-day median, but up \$0\.1378: under --spike-min \$1\.00 \|/,
  );
  // A weekly job: its 7-day median is $0, but it spent on one of those days: no "new spend".
  const weekly = (daysWithSpend: number): BudgetResult => ({
    ...r,
    checks: [
      {
        ...day,
        kind: "spike",
        scope: "weekly",
        unit: "usd/day",
        actual: "10",
        limit: "0",
        factor: 2,
        median: "0",
        ratio: Infinity,
        floorUsd: "1",
        ok: false,
        daysWithSpend,
      },
    ],
  });
  assert.match(
    emit(budgetDocument(weekly(1)), "markdown"),
    /\| ❌ \| spike \| weekly \| \$10\.00 \| 2× median \$0\.0000 \| 7-day median is \$0 \(spend on 1 of the 7 days before\) \|/,
  );
  assert.match(
    emit(budgetDocument(weekly(0)), "markdown"),
    /\| ❌ \| spike \| weekly \| \$10\.00 \| 2× median \$0\.0000 \| new spend \(7-day median is \$0\) \|/,
  );
  const json = budgetJson(r, { version: "t", sha256: "0".repeat(64) } as Parameters<typeof budgetJson>[1], {} as Parameters<typeof budgetJson>[2]);
  assert.deepEqual(json.checks[1], {
    kind: "daily",
    scope: "all",
    actual: 3.979254,
    limit: 10,
    unit: "usd/day",
    ok: true,
    unpricedTokens: 14_022,
    detail: "spend on 2025-11-28; 14,022 tokens without a price, not in it",
  });
  assert.deepEqual(json.checks[5], {
    kind: "spike",
    scope: "chat",
    actual: 0.0674,
    limit: 0.1779,
    unit: "usd/day",
    ok: true,
    detail: "1.14× the 7-day median",
  });
});
