import assert from "node:assert/strict";
import { before, test } from "node:test";
import { cli, demoDatabase, golden, stable } from "./helpers.js";

// Issue 14: time dimensions get a trend line (never a Pareto line over days), never fold under --top, and carry no
// one-bucket sparklines.

let dir = "";
let db = "";
before(async () => {
  ({ dir: dir, db: db } = await demoDatabase());
});
const report = (...args: string[]) => cli(["report", "--db", db, ...args]);
type Row = { key: Record<string, string>; costUsd: number };

test("report --by day: a trend line (peak, mean per day, last 7 days vs the 7 before), no Pareto line", async () => {
  const j = JSON.parse((await report("--by", "day", "--format", "json")).stdout);
  const days: Row[] = j.rows;
  assert.equal(days.length, 28);
  const cost = days.map((r) => r.costUsd);
  const peak = days.reduce((a, r) => (r.costUsd > a.costUsd ? r : a));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.equal(j.trend.days, 28);
  assert.equal(j.trend.peakDay, peak.key.day);
  assert.ok(Math.abs(j.trend.meanPerDayUsd - j.totals.costUsd / 28) < 1e-6);
  assert.ok(Math.abs(j.trend.last7Usd - sum(cost.slice(21))) < 1e-5);
  assert.ok(Math.abs(j.trend.prior7Usd - sum(cost.slice(14, 21))) < 1e-5);
  assert.ok(Math.abs(j.trend.change - (sum(cost.slice(21)) / sum(cost.slice(14, 21)) - 1)) < 1e-5);
  // Was "21 of 28 days = 81.1% of $92.16".
  assert.equal(j.headline.text, "peak day 2025-11-26 $4.00 · mean $3.29/day over 28 days · last 7 days $25.00 vs $24.03 the 7 before (+4.1%)");
  assert.doesNotMatch(j.headline.text, / of 28 days = /);
});

test("--top never folds time buckets: alone it keeps every day, with a second dimension it cuts that one per bucket", async () => {
  const days = JSON.parse((await report("--by", "day", "--top", "3", "--format", "json")).stdout).rows as Row[];
  assert.equal(days.length, 28, "was the first three dates and (other: 25)");
  assert.ok(days.every((r) => !r.key.day!.startsWith("(other")));
  const t = await report("--by", "month,feature", "--top", "4");
  assert.equal(t.code, 0, t.stderr);
  const rows = JSON.parse((await report("--by", "month,feature", "--top", "4", "--format", "json")).stdout).rows as Row[];
  // The month keeps its four biggest features (summarize-articles first: it was folded away) and folds the other 5.
  assert.deepEqual(
    rows.map((r) => [r.key.month, r.key.feature]),
    [
      ["2025-11", "summarize-articles"],
      ["2025-11", "code-review"],
      ["2025-11", "support-bot"],
      ["2025-11", "nightly-digest"],
      ["2025-11", "(other: 5)"],
    ],
  );
  golden("time/by-month-feature-top4.table", stable(t.stdout, dir));
  const weeks = JSON.parse((await report("--by", "week,model", "--top", "1", "--format", "json")).stdout).rows as Row[];
  const buckets = [...new Set(weeks.map((r) => r.key.week))];
  assert.deepEqual(buckets, ["2025-10-27", "2025-11-03", "2025-11-10", "2025-11-17", "2025-11-24"]);
  for (const w of buckets)
    assert.deepEqual(
      weeks.filter((r) => r.key.week === w).map((r) => r.key.model),
      ["gpt-4o-2024-08-06", "(other: 6)"],
    );
});

test("--chart draws sparklines only on rows that are not a time bucket", async () => {
  const byDay = await report("--by", "day", "--chart");
  assert.equal(byDay.code, 0, byDay.stderr);
  assert.doesNotMatch(byDay.stdout, /Daily/);
  const byFeature = await report("--by", "feature", "--chart");
  assert.match(byFeature.stdout, /│ Daily/);
});
