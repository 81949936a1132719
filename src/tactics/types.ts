import type { ConfigT } from "../config.js";
import type { Catalog } from "../pricing/load.js";
import type { Db, Param } from "../store/db.js";

import type { FlagReader, TacticFlag } from "./flags.js";

/**
 * A cost-cutting tactic, declared once in its module and listed in `registry.ts` in playbook order. Simulation runs in
 * two passes so that millions of requests are read about once:
 *
 * 1. Per request (optional `perRequest`, in playbook order): work that needs individual requests, such as replaying
 *    a cache or finding warm prompt prefixes. It may build temp tables keyed by request id, and returns a `RowLayer`:
 *    the SQL of its declared per-request `columns` over the requests as earlier layers left them, and how the
 *    request's state reads from now on (`row`). Nothing is materialised per request; the layers become one streaming
 *    query.
 * 2. Summed traffic (`apply`): requests are summed into the `sim` temp table (`SIM_COLUMNS`) plus the columns the
 *    tactics keep as keys and sums. `apply` rewrites `sim` (a few thousand rows) as the tactic acts on what earlier
 *    tactics left, so tactics compose without double counting. Costs are recomputed from the price tables after each
 *    step.
 *
 * `Settings` are what its flags (or the default playbook) chose, fixed for a run; `State` is what `perRequest` finds
 * for `apply` and the assumptions (hit counts, the similarity used), fresh for every simulation (`start`).
 */
export interface TacticDef<Settings, State> {
  /** The step's name in every output (waterfall, JSON `tactic`, CSV, HTML). */
  name: string;
  /** The playbook step it is (both caches are `cache`), as `simulate --help` lists them. */
  step: string;
  /** Its `simulate` flags, in --help order. */
  flags: readonly TacticFlag[];
  /** The per-request columns it adds (prefixed, so that layers never collide). */
  columns: readonly SimColumn[];
  /** The `sim` columns its `apply` rewrites. */
  rewrites: readonly SimColumnName[];
  /** Why it changed nothing, when it affected no request and its result has no `note`. */
  noEffect?: string;
  /** It never serves prompts on the config's cache.denyPrefixes, which ingest checks: simulate warns when that list changed since. */
  denyList?: boolean;
  /** Its settings from the simulate flags, or null when they leave it out; a bad value is a usage error naming the flag. */
  fromFlags(flags: FlagReader, ctx: BuildContext): Settings | null;
  /**
   * Its settings in the default playbook (`savings`, the demo, the HTML waterfall), and how the HTML page names it
   * there ("routing to cheaper siblings"); absent: not in it.
   */
  playbook?: { label: string; settings(ctx: BuildContext): Settings };
  start(settings: Settings): State;
  /** Human-readable assumptions this run used, shown with the result (read after `apply`). */
  assumptions(settings: Settings, state: State): string[];
  perRequest?(ctx: RowContext, settings: Settings, state: State): Promise<RowLayer>;
  apply(ctx: TacticContext, settings: Settings, state: State): Promise<TacticResult>;
  /** Lines of its own for the people-facing outputs (the caches' hit rates), from its step of the result. */
  summary?(step: StepView, sim: { requests: number }): SummaryLine[];
}

/** What tactics are built from: the price book (route resolves model names) and the config's tactic defaults. */
export interface BuildContext {
  catalog: Catalog;
  tactics: NonNullable<ConfigT["tactics"]>;
}

/** A step of the result as a summary reads it. */
export interface StepView {
  tactic: string;
  affectedRequests: number;
  details: TacticResult["details"];
}

/** A line under a titled section of the output ("Hit rates"); sections keep the order they first appear in. */
export interface SummaryLine {
  section: string;
  text: string;
}

/** A tactic with its settings, ready for one simulation (`instantiate`). */
export interface Tactic {
  readonly name: string;
  readonly columns: readonly SimColumn[];
  readonly noEffect?: string;
  readonly denyList: boolean;
  /** Read after the simulation: some say what the traffic allowed (the similarity, the models a name matched). */
  readonly assumptions: string[];
  perRequest?(ctx: RowContext): Promise<RowLayer>;
  apply(ctx: TacticContext): Promise<TacticResult>;
}

/** The tactic a definition and its settings make, with a fresh state. */
export function instantiate<Settings, State>(def: TacticDef<Settings, State>, settings: Settings): Tactic {
  const state = def.start(settings);
  const perRequest = def.perRequest;
  return {
    name: def.name,
    columns: def.columns,
    ...(def.noEffect !== undefined ? { noEffect: def.noEffect } : {}),
    denyList: def.denyList === true,
    get assumptions() {
      return def.assumptions(settings, state);
    },
    ...(perRequest ? { perRequest: (ctx: RowContext) => perRequest.call(def, ctx, settings, state) } : {}),
    apply: (ctx) => def.apply(ctx, settings, state),
  };
}

/** The SQL types of the simulation's columns. */
export type SqlType = "BOOLEAN" | "INTEGER" | "BIGINT" | "HUGEINT" | "DOUBLE" | "VARCHAR" | "TIMESTAMP" | "DECIMAL(38,12)" | "DECIMAL(9,6)";

/**
 * A per-request column a tactic adds. `key`: `sim` groups by it; `sum`: `sim` sums it (a count or a token bucket,
 * HUGEINT there); `request`: per request only (a step towards a later column or the row state).
 */
export interface SimColumn {
  name: string;
  type: SqlType;
  kept: "key" | "sum" | "request";
  what: string;
}

/**
 * The summed traffic every simulation has (`sim`), besides the tactics' keys and sums: everything a price depends on,
 * the request count and token buckets (sums), and what the tactics change (a hit costs $0, `extra_cost` is added,
 * `esc_share` of the row is priced again on `esc_model`).
 */
export const SIM_COLUMNS = [
  { name: "feature", type: "VARCHAR" },
  { name: "model", type: "VARCHAR" },
  { name: "provider", type: "VARCHAR" },
  { name: "batch", type: "BOOLEAN" },
  { name: "service_tier", type: "VARCHAR" },
  { name: "long_context", type: "BOOLEAN" },
  { name: "ts", type: "TIMESTAMP", what: "the day" },
  { name: "hr", type: "INTEGER", what: "hour of day" },
  { name: "inference_geo", type: "VARCHAR" },
  { name: "speed", type: "VARCHAR" },
  { name: "lcb", type: "INTEGER", what: "the long-context class: the request's input size, as the price tables' thresholds tell them apart" },
  { name: "n", type: "BIGINT", what: "requests" },
  { name: "input_tokens", type: "HUGEINT" },
  { name: "cached_input_tokens", type: "HUGEINT" },
  { name: "cache_write_5m_tokens", type: "HUGEINT" },
  { name: "cache_write_1h_tokens", type: "HUGEINT" },
  { name: "output_tokens", type: "HUGEINT" },
  { name: "reasoning_tokens", type: "HUGEINT" },
  { name: "audio_input_tokens", type: "HUGEINT" },
  { name: "audio_output_tokens", type: "HUGEINT" },
  { name: "web_search_requests", type: "HUGEINT" },
  { name: "cache_hit", type: "BOOLEAN", what: "served from a cache: costs $0" },
  { name: "extra_cost", type: "DECIMAL(38,12)", what: "dollars a tactic adds (embedding lookups)" },
  { name: "esc_model", type: "VARCHAR", what: "the model an escalated share is priced on again" },
  { name: "esc_share", type: "DECIMAL(9,6)", what: "the share of the row that escalates" },
] as const satisfies readonly { name: string; type: SqlType; what?: string }[];
export type SimColumnName = (typeof SIM_COLUMNS)[number]["name"];

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
   * The SQL of the declared per-request columns (every one, in their declared order): name → SQL over the previous
   * layer's columns (and `joins`); a column may use the ones before it as `r.name`. The columns of `joins` are visible
   * to the first column only. Which of them `sim` keeps as keys or sums is declared with them (`SimColumn.kept`).
   */
  columns: Record<string, string>;
  joins?: string;
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
  JSON.stringify(
    Object.entries(config.features)
      .filter(([, f]) => f.cacheable === false)
      .map(([name]) => name),
  );

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
  const cols = Object.entries(replace)
    .map(([c, e]) => `${e} AS ${c}`)
    .join(", ");
  await db.run(`CREATE OR REPLACE TEMP TABLE sim AS SELECT s.* REPLACE (${cols}) FROM sim s ${joins}`, params);
}

/** Sums a column of `sim` over the rows matching a condition. */
export async function simCount(db: Db, where: string, params: Record<string, Param> = {}, col = "n"): Promise<number> {
  const r = await db.one<{ n: string }>(`SELECT coalesce(sum(${col}), 0)::BIGINT AS n FROM sim s WHERE ${where}`, params);
  return Number(r?.n ?? 0);
}
