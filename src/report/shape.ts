import { addDec, compareDec, mulFrac, ratio } from "../money.js";
import { int, usd } from "../output/format.js";
import { DIMENSION_PLURAL, type Dimension } from "./dims.js";
import type { Report, ReportRow, Trend } from "./types.js";

/**
 * The report's pure shaping, no database: ordering, folding the tail into "(other)", shares, the Pareto headline and
 * the trend of a time report. collect.ts runs the SQL and hands its rows here.
 */

/** Rows by their key, dimension by dimension (the last tie-breaker of every ordering). */
export const cmpKey = (a: ReportRow, b: ReportRow, by: readonly Dimension[]): number => {
  for (const d of by) {
    const c = (a.key[d] ?? "").localeCompare(b.key[d] ?? "");
    if (c) return c;
  }
  return 0;
};

/** Most expensive first (then most unpriced tokens, then the key); with a time dimension, by bucket first. */
export function sortRows(rows: ReportRow[], by: readonly Dimension[], timeDim: Dimension | null): ReportRow[] {
  const byCost = (a: ReportRow, b: ReportRow) => compareDec(b.costUsd, a.costUsd) || b.unpriced.tokens - a.unpriced.tokens || cmpKey(a, b, by);
  return rows.sort((a, b) => (timeDim ? (a.key[timeDim] ?? "").localeCompare(b.key[timeDim] ?? "") || byCost(a, b) : byCost(a, b)));
}

/** Rows summed into one, keyed "(other: N)" in every dimension (the report's totals are a fold of all rows). */
export function fold(rest: readonly ReportRow[], by: readonly Dimension[]): ReportRow {
  const sum = (f: (r: ReportRow) => number) => rest.reduce((a, r) => a + f(r), 0);
  return {
    key: Object.fromEntries(by.map((d) => [d, `(other: ${rest.length})`])),
    requests: sum((r) => r.requests),
    tokens: {
      input: sum((r) => r.tokens.input),
      cachedInput: sum((r) => r.tokens.cachedInput),
      cacheWrite5m: sum((r) => r.tokens.cacheWrite5m),
      cacheWrite1h: sum((r) => r.tokens.cacheWrite1h),
      output: sum((r) => r.tokens.output),
      reasoning: sum((r) => r.tokens.reasoning),
    },
    costUsd: rest.reduce((a, r) => addDec(a, r.costUsd), "0"),
    share: 0,
    cumulativeShare: 0,
    unpriced: {
      rows: sum((r) => r.unpriced.rows),
      requests: sum((r) => r.unpriced.requests),
      tokens: sum((r) => r.unpriced.tokens),
      models: [...new Set(rest.flatMap((r) => r.unpriced.models))].sort(),
    },
    ...(rest.some((r) => r.provisional)
      ? { provisional: { rows: sum((r) => r.provisional?.rows ?? 0), costUsd: rest.reduce((a, r) => addDec(a, r.provisional?.costUsd ?? "0"), "0") } }
      : {}),
    ...(rest[0]?.daily ? { daily: rest[0].daily.map((_, i) => rest.reduce((a, r) => addDec(a, r.daily?.[i] ?? "0"), "0")) } : {}),
  };
}

/** Every day from `first` to `last` (YYYY-MM-DD, both included); none when either is missing. */
export function dayRange(first: string | null, last: string | null): string[] {
  if (!first || !last) return [];
  const out: string[] = [];
  for (let d = new Date(`${first}T00:00:00Z`); d <= new Date(`${last}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/**
 * --chart: each row's daily spend, one entry per day of the window ("0" where it spent nothing). `daily` holds the
 * SQL's sums per group (d0, d1, …) and local day.
 */
export function attachDaily(rows: ReportRow[], daily: readonly Record<string, unknown>[], by: readonly Dimension[], days: readonly string[]): void {
  const index = new Map(days.map((d, i) => [d, i]));
  const byKey = new Map<string, string[]>();
  for (const r of daily) {
    const k = by.map((_, i) => String(r[`d${i}`])).join("\u0000");
    const arr = byKey.get(k) ?? days.map(() => "0");
    arr[index.get(String(r.day)) ?? 0] = r.cost === null || r.cost === undefined ? "0" : String(r.cost);
    byKey.set(k, arr);
  }
  for (const row of rows) row.daily = byKey.get(by.map((d) => row.key[d]).join("\u0000")) ?? days.map(() => "0");
}

/**
 * --top N: the top N rows and one "(other: K)" row for the rest. With a time dimension, buckets never fold: within
 * each bucket the other dimension keeps its top N and the rest fold into that bucket's "(other: K)"; a time
 * dimension alone is never cut. `rows` must be sorted (sortRows).
 */
export function topRows(rows: ReportRow[], by: readonly Dimension[], timeDim: Dimension | null, top: number): ReportRow[] {
  if (timeDim === null) return rows.length > top ? [...rows.slice(0, top), fold(rows.slice(top), by)] : rows;
  if (by.length === 1) return rows;
  const other = by.find((d) => d !== timeDim)!;
  const out: ReportRow[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && rows[j]!.key[timeDim] === rows[i]!.key[timeDim]) j++;
    const bucket = rows.slice(i, j);
    out.push(...bucket.slice(0, top));
    if (bucket.length > top) {
      const f = fold(bucket.slice(top), by);
      f.key[timeDim] = rows[i]!.key[timeDim]!;
      f.key[other] = `(other: ${bucket.length - top})`;
      out.push(f);
    }
    i = j;
  }
  return out;
}

/** Each row's share of `totalUsd` and the running share in row order (never above 1 from float sums). */
export function addShares(rows: ReportRow[], totalUsd: string): void {
  let cum = 0;
  for (const r of rows) {
    r.share = ratio(r.costUsd, totalUsd);
    cum += r.share;
    r.cumulativeShare = Math.min(1, cum);
  }
}

/**
 * The trend of daily totals: peak, mean, the last 7 days against the 7 before. `series` has every day of the
 * window, oldest first ("0" where nothing ran).
 */
export function trendOf(series: readonly { day: string; usd: string }[]): Trend {
  let peak: { day: string; usd: string } | null = null;
  for (const p of series) if (!peak || compareDec(p.usd, peak.usd) > 0) peak = p;
  const sum = (xs: readonly { usd: string }[]) => xs.reduce((a, x) => addDec(a, x.usd), "0");
  const total = sum(series);
  const last7 = sum(series.slice(-7));
  const prior = series.slice(-14, -7);
  const prior7 = sum(prior);
  return {
    days: series.length,
    peakDay: peak?.day ?? null,
    peakUsd: peak?.usd ?? "0",
    meanPerDayUsd: series.length ? mulFrac(total, 1n, BigInt(series.length)) : "0",
    last7Usd: last7,
    prior7Usd: prior7,
    change: prior.length === 7 && compareDec(prior7, "0") > 0 ? ratio(last7, prior7) - 1 : null,
  };
}

/** "peak day 2025-11-12 $5.10 · mean $3.29/day over 28 days · last 7 days $24.10 vs $22.00 the 7 before (+9.5%)". */
export function trendHeadline(t: Trend, rows: readonly ReportRow[], d: Dimension): Report["headline"] {
  const change = t.change === null ? "" : ` (${t.change >= 0 ? "+" : ""}${(t.change * 100).toFixed(1)}%)`;
  const last =
    t.days >= 14 ? ` · last 7 days ${usd(t.last7Usd)} vs ${usd(t.prior7Usd)} the 7 before${change}` : t.days >= 7 ? ` · last 7 days ${usd(t.last7Usd)}` : "";
  const buckets = new Set(rows.map((r) => r.key[d])).size;
  const text = t.peakDay
    ? `peak day ${t.peakDay} ${usd(t.peakUsd)} · mean ${usd(t.meanPerDayUsd)}/day over ${t.days} day${t.days === 1 ? "" : "s"}${last}`
    : "no spend in this window";
  return { text, top: 0, groups: buckets, share: 0 };
}

/** The headline over a database that holds no usage at all (the table under it is empty, whatever the flags). */
export const NOTHING_INGESTED = "no usage loaded yet: the database holds none (llmcost ingest FILES loads request logs or provider exports)";

/** "3 of 9 features = 79.6% of $93.16": the fewest top groups of the first dimension that reach 80% of spend. */
export function headline(rows: readonly ReportRow[], d: Dimension, total: string): Report["headline"] {
  const byFirst = new Map<string, string>();
  for (const r of rows) byFirst.set(r.key[d]!, addDec(byFirst.get(r.key[d]!) ?? "0", r.costUsd));
  const groups = [...byFirst.values()].sort((a, b) => compareDec(b, a));
  let acc = "0";
  let top = 0;
  for (const g of groups) {
    if (ratio(acc, total) >= 0.8) break;
    acc = addDec(acc, g);
    top++;
  }
  const share = ratio(acc, total);
  // No Pareto line over nothing: an empty window, or usage of which none is priced, says so.
  if (groups.length === 0) return { text: "no usage in this window", top: 0, groups: 0, share: 0 };
  if (compareDec(total, "0") === 0 && rows.some((r) => r.unpriced.rows > 0)) {
    return {
      text: `no priced spend: ${groups.length === 1 ? `1 ${DIMENSION_PLURAL[d].slice(0, -1)} has` : `${int(groups.length)} ${DIMENSION_PLURAL[d]} have`} usage, and none of it has a price (see unpriced below)`,
      top: 0,
      groups: groups.length,
      share: 0,
    };
  }
  if (compareDec(total, "0") === 0) {
    return { text: "no spend: all of the usage in this window costs $0", top: 0, groups: groups.length, share: 0 };
  }
  return {
    text: `${int(top)} of ${int(groups.length)} ${DIMENSION_PLURAL[d]} = ${(share * 100).toFixed(1)}% of ${usd(total)}`,
    top,
    groups: groups.length,
    share,
  };
}
