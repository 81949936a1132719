import type { ConfigT } from "../config.js";
import type { Catalog } from "../pricing/load.js";
import type { Db } from "../store/db.js";

/**
 * A cost-cutting tactic. It rewrites the simulated traffic in the `sim` temp table (one row per request, same
 * columns as `usage` plus `cache_hit` and `extra_cost`), acting only on what earlier tactics left, so tactics
 * compose in playbook order without double counting. Costs are recomputed from the price tables after each step.
 */
export interface Tactic {
  name: string;
  /** Per-request columns beyond tokens that this tactic reads (loading them costs time on big traffic). */
  needs?: readonly ("prompt_hash" | "prompt_sig")[];
  /** Human-readable assumptions this run used, shown with the result. */
  assumptions: string[];
  apply(ctx: TacticContext): Promise<TacticResult>;
}

export interface TacticContext {
  db: Db;
  catalog: Catalog;
  config: ConfigT;
}

export interface TacticResult {
  /** Requests whose cost this tactic changed. */
  affectedRequests: number;
  /** Facts about the traffic that justify the tactic, per feature where it applies. */
  evidence: { feature: string; text: string }[];
  /** Extra numbers the tactic reports (hit rates, escalations…). */
  details: Record<string, number | string>;
}

/** Features selected for a tactic: all, or a listed subset. */
export type FeatureScope = "all" | readonly string[];

/** A bound list of strings: passed as JSON so an empty list still has a type. */
export const stringList = (param: string): string => `json_transform($${param}::JSON, '["VARCHAR"]')`;
export const scopeSql = (scope: FeatureScope, param: string, column = "feature"): string =>
  scope === "all" ? "true" : `list_contains(${stringList(param)}, ${column})`;
export const scopeParams = (scope: FeatureScope, param: string): Record<string, string> => (scope === "all" ? {} : { [param]: JSON.stringify(scope) });

/**
 * Rewrites the `sim` table with some columns replaced. A parallel CREATE TABLE AS is several times faster than an
 * UPDATE touching millions of rows. `from` may add joins (the sim table is aliased `s`).
 */
export async function rewriteSim(
  db: Db,
  replace: Record<string, string>,
  joins = "",
  params: Record<string, string | number> = {},
  source = "sim",
): Promise<void> {
  const cols = Object.entries(replace).map(([c, e]) => `${e} AS ${c}`).join(", ");
  const keep = source === "sim" ? "s.*" : `s.* EXCLUDE (${EXTRA_COLUMNS.join(", ")})`;
  await db.run(`CREATE OR REPLACE TEMP TABLE sim AS SELECT ${keep} REPLACE (${cols}) FROM ${source} s ${joins}`, params);
}

/** Helper columns a tactic's `source` table (a copy of sim) may add; they are dropped when sim is rewritten. */
export const EXTRA_COLUMNS = ["moved", "warm"];
