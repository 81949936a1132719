import type { ConfigT } from "../config.js";
import { usageError } from "../errors.js";
import { compareDec, mulFrac, ratio, subDec, sumDec } from "../money.js";
import type { Catalog } from "../pricing/load.js";
import { costExpr, installPricing, priceJoin } from "../pricing/sql.js";
import { windowConds } from "../report/window.js";
import type { Db, Param } from "../store/db.js";
import { stringList, type Tactic, type TacticResult } from "../tactics/types.js";

export interface SimScope {
  features: readonly string[];
  since: string | null;
  until: string | null;
  tz: string;
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
  features: { feature: string; baselineUsd: string; projectedUsd: string; savedUsd: string; savedPct: number }[];
  /** × 30 / observed days. */
  monthlyFactor: { num: number; den: number };
}

/** Loads the selected request-log traffic into the `sim` temp table: one row per request, costs recomputed from prices. */
export async function loadSim(
  db: Db,
  catalog: Catalog,
  scope: SimScope,
  needs: ReadonlySet<string> = new Set(["prompt_hash", "prompt_sig"]),
): Promise<{ params: Record<string, Param>; rows: number }> {
  await installPricing(db, catalog);
  const params: Record<string, Param> = { tz: scope.tz };
  const conds = ["u.source_kind = 'requests'", ...windowConds("u.ts", scope.since, scope.until, params)];
  if (scope.features.length) {
    params.features = JSON.stringify(scope.features);
    conds.push(`list_contains(${stringList("features")}, u.feature)`);
  }
  await db.run(
    `CREATE OR REPLACE TEMP TABLE sim AS
     SELECT u.rowid AS rid, u.ts, u.feature, u.model, u.provider, u.batch, u.service_tier, u.long_context,
       u.requests, u.input_tokens, u.cached_input_tokens, u.cache_write_5m_tokens, u.cache_write_1h_tokens,
       u.output_tokens, u.reasoning_tokens,
       ${needs.has("prompt_hash") ? "u.prompt_hash" : "NULL::VARCHAR AS prompt_hash"},
       ${needs.has("prompt_sig") ? "u.prompt_sig" : "NULL::UBIGINT[] AS prompt_sig"},
       false AS cache_hit, CAST(0 AS DECIMAL(38,12)) AS extra_cost,
       NULL::VARCHAR AS esc_model, CAST(0 AS DECIMAL(9,6)) AS esc_share
     FROM usage u WHERE ${conds.join(" AND ")}`,
    params,
  );
  const rows = Number((await db.one<{ n: string }>("SELECT count(*) AS n FROM sim"))?.n ?? 0);
  if (rows === 0) {
    throw usageError(
      "no request-log traffic in this window to simulate",
      "simulate replays request logs (per-request tokens, tags and prompt hashes); ingest them, or widen --since/--until/--feature",
    );
  }
  return { params, rows };
}

/**
 * Cost per feature of the simulated traffic now: a cache hit is $0; escalations add their extra call.
 * Requests are first summed by everything their price depends on (model, mode, day, and which long-context
 * threshold they cross), then priced: cost is linear in tokens within one rate row, so this is exact and prices a few
 * thousand groups instead of every request.
 */
export async function simCost(db: Db, catalog: Catalog): Promise<Map<string, { cost: string; unpriced: number }>> {
  const thresholds = [...new Set(catalog.models.flatMap((m) => m.prices.flatMap((e) => (e.long_context ? [e.long_context.threshold_tokens] : []))))].sort((a, b) => b - a);
  const total = "(input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens)";
  // The largest known threshold the request exceeds (0: none): total > T ⟺ lcb ≥ T for every T in the set.
  const lcb = thresholds.length ? `CASE ${thresholds.map((t) => `WHEN ${total} > ${t} THEN ${t}`).join(" ")} ELSE 0 END` : "0";
  const rows = await db.all<{ feature: string; cost: string; unpriced: string }>(
    `WITH agg AS MATERIALIZED (
       SELECT feature, model, batch, service_tier, CAST(CAST(ts AS DATE) AS TIMESTAMP) AS ts, ${lcb} AS lcb, cache_hit,
         esc_model, esc_share, NULL::BOOLEAN AS long_context, count(*) AS n,
         sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
         sum(cache_write_5m_tokens) AS cache_write_5m_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
         sum(output_tokens) AS output_tokens, sum(extra_cost) AS extra_cost
       FROM sim GROUP BY ALL),
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
  const { rows } = await loadSim(db, catalog, scope, new Set(tactics.flatMap((t) => t.needs ?? [])));
  const window = await db.one<{ first: string; last: string; hours: number }>(
    `SELECT strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') AS first, strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') AS last,
       date_diff('second', min(ts), max(ts)) / 3600.0 AS hours FROM sim`,
  );
  // The observed window in whole days: the --since/--until span when given, else first to last request.
  const days =
    scope.since && scope.until
      ? Math.max(1, Math.round((new Date(scope.until).getTime() - new Date(scope.since).getTime()) / 86_400_000))
      : Math.max(1, Math.ceil((window?.hours ?? 0) / 24));
  const baseline = await simCost(db, catalog);
  const baselineUsd = total(baseline);
  const tokens = await db.one<{ n: string }>(
    "SELECT coalesce(sum(input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens), 0) AS n FROM sim",
  );
  const steps: SimStep[] = [];
  let prev = baselineUsd;
  for (const t of tactics) {
    const r = await t.apply({ db, catalog, config });
    const now = total(await simCost(db, catalog));
    const saved = subDec(prev, now);
    steps.push({ tactic: t.name, assumptions: t.assumptions, costUsd: now, savedUsd: saved, savedPct: ratio(saved, prev), ...r });
    prev = now;
  }
  const after = await simCost(db, catalog);
  const features = [...baseline.entries()]
    .map(([feature, b]) => {
      const p = after.get(feature)?.cost ?? "0";
      const saved = subDec(b.cost, p);
      return { feature, baselineUsd: b.cost, projectedUsd: p, savedUsd: saved, savedPct: ratio(saved, b.cost) };
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
