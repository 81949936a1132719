import { DEFAULTS } from "../defaults.js";
import type { SavingsResult } from "../commands/savings.js";
import type { Reconcile } from "../reconcile/collect.js";
import type { Report, ReportQuery } from "../report/types.js";

/** What the demo shows: the report by feature, the savings, and the bill against the logs (reconcile). */
export interface DemoResult {
  /** The kept database (--db PATH), or null for a temporary one. */
  database: string | null;
  ingested: { files: number; rows: number };
  query: ReportQuery;
  report: Report;
  savings: SavingsResult;
  reconcile: Reconcile;
}

export const RECONCILE_OPTS = { since: null, until: null, tz: DEFAULTS.tz, tolerancePct: DEFAULTS.tolerancePct } as const;
export const SAVINGS_SCOPE = { features: [], since: null, until: null, tz: DEFAULTS.tz };
