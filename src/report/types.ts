import type { CostSource } from "../pricing/sql.js";
import type { NameMatch } from "../resolve/names.js";
import type { Dimension } from "./dims.js";

/** The report's types: the query it answers and the result collect.ts returns (allocate.ts and render.ts read them). */
export interface ReportQuery {
  by: Dimension[];
  since: string | null;
  until: string | null;
  where: { dim: Dimension; value: string }[];
  top: number | null;
  tz: string;
  source: "billing" | "requests" | "auto";
  pricingAsOf: string | null;
  chart: boolean;
  /** --users: hash → raw id, for display only (read by the command; raw ids are never stored). */
  users: ReadonlyMap<string, string> | null;
}

export interface Tokens {
  input: number;
  cachedInput: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
  reasoning: number;
}

export interface Unpriced {
  rows: number;
  requests: number;
  tokens: number;
  models: string[];
}

/** Rows from buckets the provider has not finalised (Anthropic analytics: after the page's data_refreshed_at). */
export interface Provisional {
  rows: number;
  costUsd: string;
}

export interface ReportRow {
  key: Record<string, string>;
  requests: number;
  tokens: Tokens;
  /** Exact decimal string, priced rows only. */
  costUsd: string;
  share: number;
  cumulativeShare: number;
  unpriced: Unpriced;
  /** Present when some of the row's data is provisional. */
  provisional?: Provisional;
  /** Daily spend for --chart, oldest first, one entry per day of the window. */
  daily?: string[];
}

/** Daily spend over the window: what a time report's headline says instead of "3 of 28 days = 81%". */
export interface Trend {
  days: number;
  peakDay: string | null;
  peakUsd: string;
  meanPerDayUsd: string;
  last7Usd: string;
  prior7Usd: string;
  /** last 7 days against the 7 before, as a ratio − 1 (null when the 7 before are $0 or not in the window). */
  change: number | null;
}

export interface Report {
  source: "billing" | "requests";
  /** What the rows are: request logs, provider usage exports (priced by llmcost) or cost exports (the bill itself). */
  basis: "request logs" | "usage exports" | "cost exports";
  /** Said on stderr: why the report reads what it reads. */
  notes: string[];
  pricingMode: CostSource["mode"];
  /** --source billing --by feature: the bill allocated to features by request-log cost (see allocate.ts). */
  allocatedFrom: "cost exports" | "usage exports" | null;
  /** Of an allocated bill, what went by logged tokens because its logs had no cost (unpriced), and for which models. */
  allocatedByTokens: { usd: string; models: string[] } | null;
  by: Dimension[];
  window: { since: string | null; until: string | null; tz: string; firstTs: string | null; lastTs: string | null; days: string[] };
  totals: { requests: number; tokens: Tokens; costUsd: string; unpriced: Unpriced; provisional?: Provisional };
  headline: { text: string; top: number; groups: number; share: number };
  /** Over time (`--by day|week|month` first) the headline is this trend line, not a Pareto line. */
  trend: Trend | null;
  /** What each `--where model=` name matched (a family name matches every snapshot of it). */
  matched: NameMatch[];
  /** The --where filters as applied: each dimension with the values it may take (model names resolved). */
  filters: { dim: Dimension; values: string[] }[];
  rows: ReportRow[];
}
