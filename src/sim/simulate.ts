import type { ConfigT } from "../config.js";
import { NoTrafficError } from "../errors.js";
import { compareDec, mulFrac, ratio, subDec, sumDec } from "../money.js";
import type { Catalog } from "../pricing/load.js";
import { costExpr, installPricing, lcbSql, priceJoin } from "../pricing/sql.js";
import { DIMENSIONS, type Dimension } from "../report/dims.js";
import { windowConds } from "../report/window.js";
import { checkFeature, knownFeatures } from "../resolve/names.js";
import type { Db, Param } from "../store/db.js";
import { type RowState, stringList, type Tactic, type TacticResult } from "../tactics/types.js";

export interface SimScope {
  features: readonly string[];
  since: string | null;
  until: string | null;
  tz: string;
  /**
   * Resolved `report --where` filters (a dimension and the values it may take), so the HTML report's waterfall covers
   * the report's traffic. Dimensions come from the allow-list; values are bound.
   */
  where?: readonly { dim: Dimension; values: readonly string[] }[];
}

export interface SimStep extends Omit<TacticResult, "details"> {
  tactic: string;
  assumptions: string[];
  /** Cost of the traffic after this tactic (and all before it). */
  costUsd: string;
  /** What this tactic saved on what the earlier ones left. */
  savedUsd: string;
  savedPct: number;
  details: TacticResult["details"];
}

export interface SimResult {
  window: { since: string | null; until: string | null; firstTs: string | null; lastTs: string | null; days: number };
  requests: number;
  /** Input (all buckets) + output tokens of the selected traffic before any tactic. */
  baselineTokens: number;
  unpricedRequests: number;
  baselineUsd: string;
  steps: SimStep[];
  finalUsd: string;
  savedUsd: string;
  savedPct: number;
  /** Per feature; unpricedRequests are outside its dollars (never counted as $0). */
  features: { feature: string; baselineUsd: string; projectedUsd: string; savedUsd: string; savedPct: number; unpricedRequests: number }[];
  /** × 30 / observed days. */
  monthlyFactor: { num: number; den: number };
}

/** Row state expressions are qualified with `r`, the alias every per-request query gives the relation. */
const BASE_ROW: RowState = {
  hit: "false",
  model: "r.model",
  input: "r.input_tokens",
  cached: "r.cached_input_tokens",
  cw5: "r.cache_write_5m_tokens",
  cw1: "r.cache_write_1h_tokens",
  output: "r.output_tokens",
  reasoning: "r.reasoning_tokens",
};

/** The selected request-log traffic as a condition on `usage u`, binding its values into `params`. */
function scopeWhere(scope: SimScope, params: Record<string, Param>): string {
  params.tz = scope.tz;
  const conds = ["u.source_kind = 'requests'", ...windowConds("u.ts", scope.since, scope.until, params)];
  if (scope.features.length) {
    params.features = JSON.stringify(scope.features);
    conds.push(`list_contains(${stringList("features")}, u.feature)`);
  }
  const local = scope.tz === "UTC" ? "u.ts" : "timezone($tz, timezone('UTC', u.ts))";
  (scope.where ?? []).forEach((w, i) => {
    params[`where${i}`] = JSON.stringify(w.values);
    conds.push(`list_contains(${stringList(`where${i}`)}, ${DIMENSIONS[w.dim].replaceAll("__local", local)})`);
  });
  return conds.join(" AND ");
}

/**
 * Pass 1: the selected request-log traffic, one row per request, read straight from `usage` (nothing is copied), with
 * every tactic's per-request layer on top in playbook order. Pass 2: the result summed into the `sim` temp table.
 */
async function loadSim(
  db: Db,
  catalog: Catalog,
  config: ConfigT,
  scope: SimScope,
  tactics: readonly Tactic[],
): Promise<{ params: Record<string, Param>; rows: number }> {
  await installPricing(db, catalog);
  const params: Record<string, Param> = {};
  let rows = `(SELECT u.rid, u.ts, u.feature, u.model, u.provider, u.batch, u.service_tier, u.long_context,
       u.input_tokens, u.cached_input_tokens, u.cache_write_5m_tokens, u.cache_write_1h_tokens, u.output_tokens,
       u.reasoning_tokens, u.prompt_hash, u.prompt_sig, u.prompt_emb, u.cache_denied, u.audio_input_tokens,
       u.audio_output_tokens, u.web_search_requests, u.inference_geo, u.speed
     FROM usage u WHERE ${scopeWhere(scope, params)})`;
  if (scope.features.length) {
    // A --feature that has no request-log traffic in the window is a typo or the wrong window: say so.
    const p: Record<string, Param> = {};
    const known = await knownFeatures(db, scopeWhere({ ...scope, features: [] }, p), p);
    for (const f of scope.features) checkFeature(f, known, "--feature", "in the request logs of this window");
  }
  const n = Number((await db.one<{ n: string }>(`SELECT count(*) AS n FROM ${rows} r`, params))?.n ?? 0);
  if (n === 0) {
    throw new NoTrafficError(
      "no request-log traffic in this window to simulate",
      "simulate replays request logs (per-request tokens, tags and prompt hashes); ingest them, or widen --since/--until/--feature",
    );
  }
  const keys: string[] = [];
  const sums: string[] = [];
  let row = BASE_ROW;
  for (const t of tactics) {
    if (!t.perRequest) continue;
    const layer = await t.perRequest({ db, catalog, config, rows, row, params });
    const declared = t.columns.map((c) => c.name);
    const extra = Object.keys(layer.columns).filter((c) => !declared.includes(c));
    if (extra.length) throw new Error(`${t.name}: per-request column(s) ${extra.join(", ")} not declared in its columns`);
    // Columns share a projection until one uses another of the same projection (as r.name); joins attach to the first.
    let stage: [string, string][] = [];
    let joins = layer.joins ?? "";
    const flush = () => {
      if (!stage.length) return;
      rows = `(SELECT r.*, ${stage.map(([c, e]) => `${e} AS ${c}`).join(", ")} FROM ${rows} r ${joins})`;
      stage = [];
      joins = "";
    };
    for (const c of declared) {
      const e = layer.columns[c];
      if (e === undefined) throw new Error(`${t.name}: no SQL for its declared per-request column ${c}`);
      if (stage.some(([name]) => new RegExp(`\\br\\.${name}\\b`).test(e))) flush();
      stage.push([c, e]);
    }
    flush();
    keys.push(...t.columns.filter((c) => c.kept === "key").map((c) => c.name));
    sums.push(...t.columns.filter((c) => c.kept === "sum").map((c) => c.name));
    row = { ...row, ...layer.row };
    Object.assign(params, layer.params);
  }
  const total = "(input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens)";
  // Summed per hour (one key: cheaper than day and hour of day); the day (for prices) and hour of day (for batch
  // windows) are derived from it.
  const groupKeys = ["feature", "model", "provider", "batch", "service_tier", "long_context", "inference_geo", "speed", "th", "lcb", ...keys];
  await db.run(
    `CREATE OR REPLACE TEMP TABLE sim AS
     SELECT feature, model, provider, batch, service_tier, long_context, CAST(CAST(th AS DATE) AS TIMESTAMP) AS ts,
       hour(th)::INT AS hr, * EXCLUDE (feature, model, provider, batch, service_tier, long_context, th),
       false AS cache_hit, CAST(0 AS DECIMAL(38,12)) AS extra_cost, NULL::VARCHAR AS esc_model, CAST(0 AS DECIMAL(9,6)) AS esc_share
     FROM (
       SELECT ${groupKeys.join(", ")},
         count(*) AS n, sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
         sum(cache_write_5m_tokens) AS cache_write_5m_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
         sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens,
         sum(audio_input_tokens) AS audio_input_tokens, sum(audio_output_tokens) AS audio_output_tokens,
         sum(web_search_requests) AS web_search_requests
         ${sums.map((c) => `, sum(${c}) AS ${c}`).join("")}
       FROM (SELECT *, date_trunc('hour', ts) AS th, ${lcbSql(catalog, total)} AS lcb FROM ${rows} r)
       GROUP BY ${groupKeys.join(", ")})`,
    params,
  );
  return { params, rows: n };
}

/**
 * Cost per feature of the simulated traffic now: a cache hit is $0; escalations add their extra call. `sim` is summed
 * by everything a price depends on (model, mode, day, long-context class), and cost is linear in tokens within one
 * rate row, so pricing the sums is exact.
 */
export async function simCost(db: Db): Promise<Map<string, { cost: string; unpriced: number }>> {
  const rows = await db.all<{ feature: string; cost: string; unpriced: string }>(
    `WITH agg AS MATERIALIZED (
       SELECT feature, model, batch, service_tier, inference_geo, speed, ts, lcb, cache_hit, esc_model, esc_share, NULL::BOOLEAN AS long_context,
         sum(n) AS n, sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
         sum(cache_write_5m_tokens) AS cache_write_5m_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
         sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens,
         sum(audio_input_tokens) AS audio_input_tokens, sum(audio_output_tokens) AS audio_output_tokens,
         sum(web_search_requests) AS web_search_requests, sum(extra_cost) AS extra_cost
       FROM sim GROUP BY feature, model, batch, service_tier, inference_geo, speed, ts, lcb, cache_hit, esc_model, esc_share),
     own AS (
       SELECT s.feature,
         coalesce(sum(CASE WHEN s.cache_hit THEN 0 ELSE ${costExpr("s", "s.lcb >= pr.lc_threshold")} END + s.extra_cost), 0) AS cost,
         coalesce(sum(s.n) FILTER (WHERE NOT s.cache_hit AND pr.model_id IS NULL), 0) AS unpriced
       FROM agg s ${priceJoin("s")} GROUP BY 1),
     -- Escalated calls (route): the same request on the original model, in its current state, times the share.
     esc AS (
       SELECT s.feature,
         coalesce(sum(CAST(coalesce(${costExpr("s", "s.lcb >= pr.lc_threshold")}, 0) * s.esc_share AS DECIMAL(38,12))), 0) AS cost
       FROM (SELECT * REPLACE (esc_model AS model) FROM agg WHERE esc_model IS NOT NULL AND NOT cache_hit) s ${priceJoin("s")} GROUP BY 1)
     SELECT own.feature, (own.cost + coalesce(esc.cost, 0))::VARCHAR AS cost, own.unpriced
     FROM own LEFT JOIN esc USING (feature)`,
  );
  return new Map(rows.map((r) => [r.feature, { cost: r.cost, unpriced: Number(r.unpriced) }]));
}

const total = (m: Map<string, { cost: string }>) => sumDec([...m.values()].map((v) => v.cost));

/** Runs the tactics in the order given (callers pass playbook order) and returns the waterfall. */
export async function simulate(db: Db, catalog: Catalog, config: ConfigT, scope: SimScope, tactics: readonly Tactic[]): Promise<SimResult> {
  const { rows, params } = await loadSim(db, catalog, config, scope, tactics);
  const window = await db.one<{ first: string; last: string; hours: number }>(
    `SELECT strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') AS last,
       date_diff('second', min(ts), max(ts)) / 3600.0 AS hours FROM usage u WHERE ${scopeWhere(scope, params)}`,
    params,
  );
  // The observed window in whole days: the --since/--until span when given, else first to last request.
  const days =
    scope.since && scope.until
      ? Math.max(1, Math.round((new Date(scope.until).getTime() - new Date(scope.since).getTime()) / 86_400_000))
      : Math.max(1, Math.ceil((window?.hours ?? 0) / 24));
  const baseline = await simCost(db);
  const baselineUsd = total(baseline);
  const tokens = await db.one<{ n: string }>(
    "SELECT coalesce(sum(input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens), 0) AS n FROM sim",
  );
  const steps: SimStep[] = [];
  let prev = baselineUsd;
  for (const t of tactics) {
    const r = await t.apply({ db, catalog, config });
    const now = total(await simCost(db));
    const saved = subDec(prev, now);
    const note = r.note ?? (r.affectedRequests === 0 ? t.noEffect : undefined);
    steps.push({ tactic: t.name, assumptions: t.assumptions, costUsd: now, savedUsd: saved, savedPct: ratio(saved, prev), ...r, ...(note ? { note } : {}) });
    prev = now;
  }
  const after = await simCost(db);
  const features = [...baseline.entries()]
    .map(([feature, b]) => {
      const p = after.get(feature)?.cost ?? "0";
      const saved = subDec(b.cost, p);
      return { feature, baselineUsd: b.cost, projectedUsd: p, savedUsd: saved, savedPct: ratio(saved, b.cost), unpricedRequests: b.unpriced };
    })
    .sort((a, b) => compareDec(b.savedUsd, a.savedUsd) || a.feature.localeCompare(b.feature));
  const saved = subDec(baselineUsd, prev);
  return {
    window: { since: scope.since, until: scope.until, firstTs: window?.first ?? null, lastTs: window?.last ?? null, days },
    requests: rows,
    baselineTokens: Number(tokens?.n ?? 0),
    unpricedRequests: [...baseline.values()].reduce((a, v) => a + v.unpriced, 0),
    baselineUsd,
    steps,
    finalUsd: prev,
    savedUsd: saved,
    savedPct: ratio(saved, baselineUsd),
    features,
    monthlyFactor: { num: 30, den: days },
  };
}

/** An amount scaled to a 30-day month from the observed window. */
export const monthly = (usd: string, f: SimResult["monthlyFactor"]): string => mulFrac(usd, BigInt(f.num), BigInt(f.den));
