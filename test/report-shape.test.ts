import assert from "node:assert/strict";
import { test } from "node:test";
import { addShares, attachDaily, dayRange, fold, headline, sortRows, topRows, trendHeadline, trendOf } from "../src/report/shape.js";
import type { ReportRow } from "../src/report/types.js";

// The report's shaping without a database: every expected value is worked out by hand in the comment beside it.

const row = (key: Record<string, string>, costUsd: string, extra: Partial<ReportRow> = {}): ReportRow => ({
  key,
  requests: 1,
  tokens: { input: 10, cachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 5, reasoning: 0 },
  costUsd,
  share: 0,
  cumulativeShare: 0,
  unpriced: { rows: 0, requests: 0, tokens: 0, models: [] },
  ...extra,
});
const keys = (rows: readonly ReportRow[]) => rows.map((r) => Object.values(r.key).join("/"));

test("sortRows: most expensive first, then most unpriced tokens, then the key; a time dimension runs chronologically", () => {
  const unpriced = { rows: 1, requests: 1, tokens: 50, models: ["x"] };
  const rows = [row({ feature: "b" }, "1.00"), row({ feature: "c" }, "2.5"), row({ feature: "a" }, "1"), row({ feature: "d" }, "1.0", { unpriced })];
  // c $2.50; then a, b, d all $1: d has unpriced tokens, a before b by key
  assert.deepEqual(keys(sortRows(rows, ["feature"], null)), ["c", "d", "a", "b"]);
  const timed = [row({ day: "2025-11-02", feature: "x" }, "9"), row({ day: "2025-11-01", feature: "y" }, "1"), row({ day: "2025-11-01", feature: "z" }, "3")];
  assert.deepEqual(keys(sortRows(timed, ["day", "feature"], "day")), ["2025-11-01/z", "2025-11-01/y", "2025-11-02/x"]);
});

test("fold: sums exactly, unions the unpriced models, keeps provisional and daily parts", () => {
  const a = row({ feature: "a" }, "0.1", {
    unpriced: { rows: 1, requests: 2, tokens: 30, models: ["m2"] },
    daily: ["0.1", "0"],
    provisional: { rows: 1, costUsd: "0.05" },
  });
  const b = row({ feature: "b" }, "0.2", { unpriced: { rows: 2, requests: 1, tokens: 7, models: ["m1", "m2"] }, daily: ["0", "0.2"] });
  const f = fold([a, b], ["feature"]);
  assert.deepEqual(f.key, { feature: "(other: 2)" });
  assert.equal(f.costUsd, "0.300000000000"); // 0.1 + 0.2, exact
  assert.equal(f.requests, 2);
  assert.equal(f.tokens.input, 20);
  assert.equal(f.tokens.output, 10);
  assert.deepEqual(f.unpriced, { rows: 3, requests: 3, tokens: 37, models: ["m1", "m2"] });
  assert.deepEqual(f.provisional, { rows: 1, costUsd: "0.050000000000" });
  assert.deepEqual(f.daily, ["0.100000000000", "0.200000000000"]);
  const plain = fold([row({ feature: "a" }, "1")], ["feature", "model"]);
  assert.deepEqual(plain.key, { feature: "(other: 1)", model: "(other: 1)" });
  assert.equal("provisional" in plain, false);
  assert.equal("daily" in plain, false);
  assert.equal(fold([], ["feature"]).costUsd, "0", "nothing folds to $0");
});

test("topRows: the top N and one (other) row; per time bucket with two dimensions; a time dimension alone is never cut", () => {
  const rows = [row({ feature: "a" }, "5"), row({ feature: "b" }, "3"), row({ feature: "c" }, "1.5"), row({ feature: "d" }, "0.5")];
  const top = topRows(rows, ["feature"], null, 2);
  assert.deepEqual(keys(top), ["a", "b", "(other: 2)"]);
  assert.equal(top[2]!.costUsd, "2.000000000000"); // 1.5 + 0.5
  assert.equal(topRows(rows, ["feature"], null, 4).length, 4, "no (other) row when nothing is left over");
  const days = [row({ day: "d1" }, "1"), row({ day: "d2" }, "2"), row({ day: "d3" }, "3")];
  assert.deepEqual(keys(topRows(days, ["day"], "day", 1)), ["d1", "d2", "d3"]);
  const timed = [
    row({ day: "d1", feature: "a" }, "3"),
    row({ day: "d1", feature: "b" }, "2"),
    row({ day: "d1", feature: "c" }, "1"),
    row({ day: "d2", feature: "a" }, "4"),
  ];
  const t = topRows(timed, ["day", "feature"], "day", 1);
  assert.deepEqual(keys(t), ["d1/a", "d1/(other: 2)", "d2/a"]);
  assert.equal(t[1]!.costUsd, "3.000000000000"); // b 2 + c 1
});

test("addShares: each row's share of the total and the running share, capped at 1", () => {
  const rows = [row({ feature: "a" }, "6"), row({ feature: "b" }, "3"), row({ feature: "c" }, "1")];
  addShares(rows, "10");
  assert.deepEqual(
    rows.map((r) => r.share),
    [0.6, 0.3, 0.1],
  );
  assert.deepEqual(
    rows.map((r) => r.cumulativeShare),
    [0.6, 0.8999999999999999, 0.9999999999999999],
  ); // float sums of 0.6 + 0.3 + 0.1
  // $9, $18, $1 of $28: 9/28 + 18/28 + 1/28 sums to 1.0000000000000002 in floats, shown as 1
  const over = [row({ feature: "a" }, "9"), row({ feature: "b" }, "18"), row({ feature: "c" }, "1")];
  addShares(over, "28");
  assert.equal(over[2]!.cumulativeShare, 1);
  const none = [row({ feature: "a" }, "0")];
  addShares(none, "0");
  assert.equal(none[0]!.share, 0, "a $0 total gives shares of 0, never NaN");
});

test("headline: the fewest top groups of the first dimension that reach 80% of spend", () => {
  // features: a $50, b $30 (two rows: 20 + 10), c $15, d $5 → total $100; a 50% < 80%, a+b 80% ≥ 80% → 2 of 4
  const rows = [
    row({ feature: "a", model: "m" }, "50"),
    row({ feature: "b", model: "m" }, "20"),
    row({ feature: "b", model: "n" }, "10"),
    row({ feature: "c", model: "m" }, "15"),
    row({ feature: "d", model: "m" }, "5"),
  ];
  assert.deepEqual(headline(rows, "feature", "100"), { text: "2 of 4 features = 80.0% of $100.00", top: 2, groups: 4, share: 0.8 });
  // one group: 1 of 1 = 100%
  assert.deepEqual(headline([row({ model: "gpt" }, "0.42")], "model", "0.42"), { text: "1 of 1 models = 100.0% of $0.4200", top: 1, groups: 1, share: 1 });
  assert.deepEqual(headline([], "feature", "0"), { text: "no usage in this window", top: 0, groups: 0, share: 0 });
  // usage that is priced and costs nothing (errored calls logged with zero tokens): no Pareto line over $0
  assert.deepEqual(headline([row({ feature: "a" }, "0"), row({ feature: "b" }, "0")], "feature", "0"), {
    text: "no spend: all of the usage in this window costs $0",
    top: 0,
    groups: 2,
    share: 0,
  });
  const unpriced = [row({ user: "u1" }, "0", { unpriced: { rows: 3, requests: 3, tokens: 90, models: ["x"] } })];
  assert.deepEqual(headline(unpriced, "user", "0"), {
    text: "no priced spend: 1 user has usage, and none of it has a price (see unpriced below)",
    top: 0,
    groups: 1,
    share: 0,
  });
});

test("dayRange: every day from first to last, both included, across a month end", () => {
  assert.deepEqual(dayRange("2025-10-30", "2025-11-02"), ["2025-10-30", "2025-10-31", "2025-11-01", "2025-11-02"]);
  assert.deepEqual(dayRange("2025-11-01", "2025-11-01"), ["2025-11-01"]);
  assert.deepEqual(dayRange(null, "2025-11-01"), []);
});

test("attachDaily: each row's spend per day of the window, $0 where it spent nothing", () => {
  const rows = [row({ feature: "a" }, "3"), row({ feature: "b" }, "1")];
  attachDaily(
    rows,
    [
      { d0: "a", day: "2025-11-01", cost: "1.25" },
      { d0: "a", day: "2025-11-03", cost: "1.75" },
    ],
    ["feature"],
    ["2025-11-01", "2025-11-02", "2025-11-03"],
  );
  assert.deepEqual(rows[0]!.daily, ["1.25", "0", "1.75"]);
  assert.deepEqual(rows[1]!.daily, ["0", "0", "0"]);
});

test("trendOf and trendHeadline: peak, exact mean, the last 7 days against the 7 before", () => {
  // 14 days: the first 7 at $1, the last 7 at $1.10, except day 10 at $2 → prior 7 = $7; last 7 = 6 × 1.10 + 2 = $8.60
  const series = Array.from({ length: 14 }, (_, i) => ({ day: `2025-11-${String(i + 1).padStart(2, "0")}`, usd: i < 7 ? "1" : i === 9 ? "2" : "1.10" }));
  const t = trendOf(series);
  assert.equal(t.days, 14);
  assert.equal(t.peakDay, "2025-11-10");
  assert.equal(t.peakUsd, "2");
  assert.equal(t.prior7Usd, "7.000000000000");
  assert.equal(t.last7Usd, "8.600000000000");
  assert.equal(t.meanPerDayUsd, "1.114285714286"); // 15.60 / 14 = 1.1142857142857…, half away from zero at 12 places
  assert.equal(t.change!.toFixed(6), "0.228571"); // 8.6 / 7 − 1
  const h = trendHeadline(t, [row({ day: "2025-11-01" }, "1"), row({ day: "2025-11-02" }, "1")], "day");
  assert.deepEqual(h, {
    text: "peak day 2025-11-10 $2.00 · mean $1.11/day over 14 days · last 7 days $8.60 vs $7.00 the 7 before (+22.9%)",
    top: 0,
    groups: 2,
    share: 0,
  });
  // 7 days: no comparison; a $0 prior week: no change figure
  const week = trendOf(series.slice(7));
  assert.equal(trendHeadline(week, [], "day").text, "peak day 2025-11-10 $2.00 · mean $1.23/day over 7 days · last 7 days $8.60"); // 8.60 / 7 = 1.2285…
  const zeroPrior = trendOf(series.map((p, i) => (i < 7 ? { ...p, usd: "0" } : p)));
  assert.equal(zeroPrior.change, null);
  assert.equal(trendHeadline(trendOf([{ day: "2025-11-01", usd: "0" }]), [], "day").text, "peak day 2025-11-01 $0.0000 · mean $0.0000/day over 1 day");
  assert.equal(trendHeadline(trendOf([]), [], "day").text, "no spend in this window");
});
