import type { ConfigT } from "../config.js";
import type { Catalog } from "../pricing/load.js";
import type { Db, Param } from "../store/db.js";

/**
 * A cost-cutting tactic. Simulation runs in two passes so that millions of requests are read about once:
 *
 * 1. Per request (optional `perRequest`, in playbook order): work that needs individual requests, such as replaying
 *    a cache or finding warm prompt prefixes. It may build temp tables keyed by request id, and returns a `RowLayer`:
 *    new per-request columns (SQL over the requests as earlier layers left them), and how the request's state reads
 *    from now on (`row`). Nothing is materialised per request; the layers become one streaming query.
 * 2. Summed traffic (`apply`): requests are summed into the `sim` temp table by everything their price depends on
 *    plus the layers' keys. `apply` rewrites `sim` (a few thousand rows) as the tactic acts on what earlier tactics
 *    left, so tactics compose without double counting. Costs are recomputed from the price tables after each step.
 *
 * `sim` columns: feature, model, provider, batch, service_tier, long_context, ts (the day), hr (hour of day), lcb
 * (long-context class), n (requests), the token buckets (sums), cache_hit, extra_cost, esc_model, esc_share, and
 * every layer's keys and sums.
 */
export interface Tactic {
  name: string;
  /** Human-readable assumptions this run used, shown with the result. */
  assumptions: string[];
  perRequest?(ctx: RowContext): Promise<RowLayer>;
  apply(ctx: TacticContext): Promise<TacticResult>;
}

export interface TacticContext {
  db: Db;
  catalog: Catalog;
  config: ConfigT;
}

/** A request's state as SQL expressions over the current per-request relation. */
export interface RowState {
  /** Served from a cache by an earlier tactic. */
  hit: string;
  /** The model the request runs on now (an earlier route may have moved it). */
  model: string;
  input: string;
  cached: string;
  cw5: string;
  cw1: string;
  output: string;
  reasoning: string;
}

export interface RowContext extends TacticContext {
  /** The requests as earlier layers left them: an SQL relation (use it as `FROM ${ctx.rows} r`). */
  rows: string;
  row: RowState;
  /** The values `rows` binds: pass them (with your own) to every query that reads `rows`. */
  params: Record<string, Param>;
}

export interface RowLayer {
  /**
   * New per-request columns, in order: name → SQL over the previous layer's columns (and `joins`); a column may use
   * the ones listed before it as `r.name`. The columns of `joins` are visible to the first column only.
   */
  columns: Record<string, string>;
  joins?: string;
  /** Which new columns `sim` keeps as group keys, and which it sums. */
  keys?: readonly string[];
  sums?: readonly string[];
  /** The request's state for later layers (defaults to unchanged). */
  row?: Partial<RowState>;
  /** Values the columns bind (they join the simulation's parameters). */
  params?: Record<string, Param>;
}

export interface TacticResult {
  /** Requests whose cost this tactic changed. */
  affectedRequests: number;
  /** Facts about the traffic that justify the tactic, per feature where it applies. */
  evidence: { feature: string; text: string }[];
  /** Extra numbers the tactic reports (hit rates, escalations…). */
  details: Record<string, number | string>;
  /** Why the tactic changed nothing, when it affected no request. */
  note?: string;
}

/** Features selected for a tactic: all, or a listed subset. */
export type FeatureScope = "all" | readonly string[];

/** A bound list of strings: passed as JSON so an empty list still has a type. */
export const stringList = (param: string): string => `json_transform($${param}::JSON, '["VARCHAR"]')`;
export const scopeSql = (scope: FeatureScope, param: string, column = "feature"): string =>
  scope === "all" ? "true" : `list_contains(${stringList(param)}, ${column})`;
export const scopeParams = (scope: FeatureScope, param: string): Record<string, string> => (scope === "all" ? {} : { [param]: JSON.stringify(scope) });

/** Features marked `cacheable: false` in the config, as a bound JSON list. */
export const notCacheable = (config: ConfigT): string =>
  JSON.stringify(Object.entries(config.features).filter(([, f]) => f.cacheable === false).map(([name]) => name));

/**
 * Requests a response cache never serves: already hits, features marked `cacheable: false`, and prompts on the
 * config's deny-list (marked at ingest). `sql` is over the per-request relation `r`; bind `params(config)` with it.
 */
export const cacheExclusions = (hit: string) => ({
  sql: `(${hit} OR list_contains(${stringList("excluded")}, r.feature) OR coalesce(r.cache_denied, false))`,
  params: (config: ConfigT) => ({ excluded: notCacheable(config) }),
});

/** Requests not yet served from cache whose prompt is on the deny-list (the cache steps report them). */
export async function deniedRequests({ db, rows, row, params }: RowContext): Promise<number> {
  const r = await db.one<{ n: string }>(`SELECT count(*) AS n FROM ${rows} r WHERE NOT (${row.hit}) AND r.cache_denied`, params);
  return Number(r?.n ?? 0);
}

/**
 * Rewrites the summed traffic (`sim`) with some columns replaced. `joins` may add joins (sim is aliased `s`).
 */
export async function rewriteSim(db: Db, replace: Record<string, string>, joins = "", params: Record<string, Param> = {}): Promise<void> {
  const cols = Object.entries(replace).map(([c, e]) => `${e} AS ${c}`).join(", ");
  await db.run(`CREATE OR REPLACE TEMP TABLE sim AS SELECT s.* REPLACE (${cols}) FROM sim s ${joins}`, params);
}

/** Sums a column of `sim` over the rows matching a condition. */
export async function simCount(db: Db, where: string, params: Record<string, Param> = {}, col = "n"): Promise<number> {
  const r = await db.one<{ n: string }>(`SELECT coalesce(sum(${col}), 0)::BIGINT AS n FROM sim s WHERE ${where}`, params);
  return Number(r?.n ?? 0);
}
