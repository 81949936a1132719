import { usageError } from "../errors.js";
import { addDec, compareDec, mulFrac, ratio, subDec, sumDec } from "../money.js";

/** `USD`, `USD/day` or `USD/month` (the default period is given by the caller). */
export interface Cap {
  usd: string;
  period: "day" | "month";
}

export function parseCap(value: string, flag: string, fallback: Cap["period"] = "month"): Cap {
  const m = /^\$?(\d+(?:\.\d+)?)(?:\/(day|month))?$/.exec(value.trim());
  if (!m) throw usageError(`${flag} expects USD, USD/day or USD/month (got ${JSON.stringify(value)})`);
  return { usd: m[1]!, period: (m[2] as Cap["period"] | undefined) ?? fallback };
}

/** `NAME=USD[/day|/month]`; the name may itself contain '=' only before the last one. */
export function parseNamedCap(value: string, flag: string): { name: string; cap: Cap } {
  const eq = value.lastIndexOf("=");
  if (eq <= 0) throw usageError(`${flag} expects NAME=USD[/day|/month] (got ${JSON.stringify(value)})`);
  return { name: value.slice(0, eq), cap: parseCap(value.slice(eq + 1), flag) };
}

/** A `--max-age` duration: `90m`, `36h`, `2d`, `1w` (a bare number is days). */
export interface Duration {
  text: string;
  hours: number;
}
export const DEFAULT_MAX_AGE = "2d";

export function parseDuration(value: string, flag: string): Duration {
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)?$/.exec(value.trim().toLowerCase());
  if (!m || Number(m[1]) <= 0) throw usageError(`${flag} expects a duration such as 36h, 2d or 1w (got ${JSON.stringify(value)})`);
  const unit = m[2] ?? "d";
  const hours = Number(m[1]) * (unit === "m" || unit === "min" ? 1 / 60 : unit === "h" ? 1 : unit === "d" ? 24 : 168);
  return { text: `${m[1]}${unit === "min" ? "m" : unit}`, hours };
}

/** An age in words: "5h", "3.5 days". */
export const ageText = (hours: number): string => (hours < 48 ? `${Math.round(hours)}h` : `${(hours / 24).toFixed(1).replace(/\.0$/, "")} days`);

/** What a check measured, by kind. */
type Measured =
  /** The age of the newest data, in hours, against --max-age (its text as given: `2d`). */
  | { kind: "freshness"; unit: "hours"; actual: number; limit: Duration }
  /** The share of month-to-date tokens without a price, in percent (3.2 for 3.2%), against --fail-on-unpriced. */
  | { kind: "unpriced"; unit: "percent"; actual: number; limit: number }
  /**
   * The latest day of a feature against `factor` × its 7-day median. A rise smaller than `floorUsd` (--spike-min) is
   * no spike, whatever the ratio; `limit` is the spend at which the day is one (the larger of factor × median and
   * median + floorUsd; null if the product is not exact), which it fails at.
   */
  | {
      kind: "spike";
      unit: "usd/day";
      actual: string;
      limit: string | null;
      factor: number;
      median: string;
      ratio: number;
      floorUsd: string;
      /** Of the 7 days before, how many had spend (a median of $0 is new spend only when none had). */
      daysWithSpend: number;
    }
  /**
   * A cap of a feature or a model per day (the latest day's spend) or per month (the projection; the month to date
   * too). `unpricedTokens`: tokens of its scope and period without a price, in no dollar sum (see dollarCheck).
   */
  | { kind: "feature" | "model"; unit: "usd/day"; actual: string; limit: string; unpricedTokens: number }
  | { kind: "feature" | "model"; unit: "usd/month"; actual: string; limit: string; monthToDateUsd: string; unpricedTokens: number }
  /** --max-daily (usd/day), --max-monthly (usd/month, month to date and projected). */
  | { kind: "daily" | "month-to-date" | "projected-month"; unit: "usd/day" | "usd/month"; actual: string; limit: string; unpricedTokens: number }
  /** --max-increase (usd/month). */
  | { kind: "plan"; unit: "usd/month"; actual: string; limit: string };

/**
 * One budget check as data: what was measured (`actual`) against what is allowed (`limit`), in `unit`. Dollars are
 * exact decimal strings; the renderer writes them for people (`$5.00/day`, `3× median $0.59`, the detail) and as
 * numbers for machines, from these fields and the result's facts (its days, its newest row) alone.
 */
export type Check = { scope: string; ok: boolean } & Measured;

/**
 * Whether a dollar check passes: its priced spend within the limit, and something of it priced. A scope whose usage
 * has no price at all measured $0 of it, which proves nothing: it fails (a scope partly unpriced passes on its priced
 * spend, and its detail says how much has no price).
 */
export const dollarOk = (pricedUsd: string, limit: string, unpricedTokens: number): boolean =>
  compareDec(pricedUsd, limit) <= 0 && !(unpricedTokens > 0 && compareDec(pricedUsd, "0") === 0);

/** Daily spend series: day (YYYY-MM-DD) → dollars, for one scope (all, a feature or a model). */
export type Series = Map<string, string>;

export const spendOn = (s: Series, day: string): string => s.get(day) ?? "0";
export const spendBetween = (s: Series, from: string, to: string): string => sumDec([...s].filter(([d]) => d >= from && d <= to).map(([, v]) => v));

/** Month-to-date run rate scaled to the whole month: mtd × daysInMonth / daysElapsed. */
export const projectMonth = (mtd: string, daysElapsed: number, daysInMonth: number): string =>
  mulFrac(mtd, BigInt(daysInMonth), BigInt(Math.max(1, daysElapsed)));

/** Median of the values (the lower middle for an even count), exactly. */
export function median(values: readonly string[]): string {
  const sorted = [...values].sort(compareDec);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : "0";
}

/** `factor` × `dec`, exactly: the factor's decimal digits as a fraction (null for a factor in exponent notation). */
export function timesFactor(dec: string, factor: number): string | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(factor));
  if (!m || !/^[\d.]+$/.test(dec)) return null;
  const frac = m[2] ?? "";
  return mulFrac(dec, BigInt(`${m[1]}${frac}`), 10n ** BigInt(frac.length));
}

/**
 * Spike: the latest complete day against the median of the 7 days before it. It fires when the day is at least
 * `factor` × the median and exceeds it by at least `floorUsd`, so tiny features don't flap. `limit` is the day's spend
 * at which it fires (the larger of the two bounds; null when factor × median is not exact); `daysWithSpend` how many
 * of the trailing days had any (a median of $0 is new spend only when none had).
 */
export function spike(
  day: string,
  trailing: readonly string[],
  factor: number,
  floorUsd: string,
): { ok: boolean; median: string; ratio: number; limit: string | null; daysWithSpend: number } {
  const med = median(trailing);
  const r = compareDec(med, "0") === 0 ? (compareDec(day, "0") > 0 ? Infinity : 0) : ratio(day, med);
  const bigEnough = compareDec(subDec(day, med), floorUsd) >= 0;
  const times = timesFactor(med, factor);
  const limit = times === null ? null : [times, addDec(med, floorUsd)].sort(compareDec)[1]!;
  return { ok: !(r >= factor && bigEnough), median: med, ratio: r, limit, daysWithSpend: trailing.filter((d) => compareDec(d, "0") > 0).length };
}
