import { usageError } from "../errors.js";
import type { Catalog } from "../pricing/load.js";
import { aliasRows } from "../pricing/names.js";
import { type FeatureScope, rewriteSim, scopeParams, scopeSql, type Tactic } from "./types.js";

/** `mini` → every model's declared cheaper sibling; `A=B,C=D` → explicit pairs (ids or aliases). */
export function routePairs(spec: string, catalog: Catalog): { from: string; to: string }[] {
  const aliases = new Map(aliasRows(catalog).map((a) => [a.alias, a.model_id]));
  if (spec === "mini") {
    return catalog.models.filter((m) => m.cheaper_sibling).map((m) => ({ from: m.id, to: m.cheaper_sibling! }));
  }
  return spec.split(",").map((pair) => {
    const [from, to, extra] = pair.split("=").map((s) => s.trim());
    if (!from || !to || extra !== undefined) throw usageError(`--route expects mini or FROM=TO[,FROM=TO…] (got ${JSON.stringify(pair)})`);
    const f = aliases.get(from.toLowerCase());
    const t = aliases.get(to.toLowerCase());
    if (!f) throw usageError(`--route: no pricing for ${JSON.stringify(from)}`, "see `llmcost pricing list`");
    if (!t) throw usageError(`--route: no pricing for ${JSON.stringify(to)}`, "see `llmcost pricing list`");
    return { from: f, to: t };
  });
}

/**
 * Model routing: traffic on a routed model moves to the cheaper one. A share `escalate` is escalated back to the
 * big model and pays both calls, so each routed request costs cost(small) + escalate × cost(big), in expectation.
 */
export function route(spec: string, escalate: number, scope: FeatureScope, catalog: Catalog): Tactic {
  const pairs = routePairs(spec, catalog);
  const params = { pairs: JSON.stringify(pairs), esc: escalate.toFixed(6), ...scopeParams(scope, "route_features") };
  return {
    name: "route",
    assumptions: [
      `route ${spec === "mini" ? "each model to its cheaper sibling from the pricing tables" : pairs.map((p) => `${p.from} → ${p.to}`).join(", ")}`,
      `${(escalate * 100).toFixed(1)}% of routed requests escalate to the original model and pay both calls (the escalated call gets later tactics too: batch, pruning, output cap)`,
      "token counts are unchanged by the cheaper model",
    ],
    async perRequest({ db, rows, row, params: rowParams }) {
      await db.run(
        `CREATE OR REPLACE TEMP TABLE route_map AS
         SELECT * FROM (SELECT unnest(json_transform($pairs::JSON, '[{"from":"VARCHAR","to":"VARCHAR"}]'), recursive := true))`,
        params,
      );
      // Each model name of the traffic, resolved once: its model id and where route sends it (a few rows, joined on
      // the name as logged instead of resolving every request).
      await db.run(
        `CREATE OR REPLACE TEMP TABLE route_model AS
         SELECT m.model, coalesce(pa.model_id, m.model) AS model_id, rm."to"
         FROM (SELECT DISTINCT ${row.model} AS model FROM ${rows} r) m
         LEFT JOIN price_alias pa ON pa.alias = lower(m.model) LEFT JOIN route_map rm ON rm."from" = pa.model_id`,
        rowParams,
      );
      // Later per-request work (prompt caching's warm prefixes) sees each request on the model it is routed to, by
      // model id, so routed requests share a prefix cache with the traffic already on that model.
      return {
        columns: {
          rt_model: `CASE WHEN rt."to" IS NOT NULL AND NOT (${row.hit}) AND ${scopeSql(scope, "route_features", "r.feature")} THEN rt."to" ELSE coalesce(rt.model_id, ${row.model}) END`,
        },
        joins: `LEFT JOIN route_model rt ON rt.model = ${row.model}`,
        row: { model: "r.rt_model" },
        params: scopeParams(scope, "route_features"),
      };
    },
    async apply({ db }) {
      // sim holds the model names as logged: route_model (built by perRequest) already resolved each one.
      const routed = `(rm."to" IS NOT NULL AND NOT s.cache_hit AND ${scopeSql(scope, "route_features", "s.feature")})`;
      const join = "LEFT JOIN route_model rm ON rm.model = s.model";
      const per = await db.all<{ feature: string; from_model: string; to_model: string; n: string }>(
        `SELECT s.feature, rm.model_id AS from_model, rm."to" AS to_model, sum(s.n) AS n FROM sim s ${join}
         WHERE ${routed} GROUP BY ALL ORDER BY n DESC, 1, 2`,
        params,
      );
      // The row moves to the small model and remembers the big one: the escalated call is priced with the traffic
      // (in its state after every later tactic) when costs are summed, not frozen here.
      await rewriteSim(
        db,
        {
          model: `CASE WHEN ${routed} THEN rm."to" ELSE s.model END`,
          esc_model: `CASE WHEN ${routed} THEN s.model ELSE s.esc_model END`,
          esc_share: `CASE WHEN ${routed} THEN CAST($esc AS DECIMAL(9,6)) ELSE s.esc_share END`,
        },
        join,
        params,
      );
      const affected = per.reduce((a, r) => a + Number(r.n), 0);
      const seen = new Set<string>();
      return {
        affectedRequests: affected,
        evidence: per
          .filter((r) => !seen.has(r.feature) && seen.add(r.feature))
          .map((r) => ({ feature: r.feature, text: `${r.from_model} → ${r.to_model} on ${Number(r.n).toLocaleString("en")} requests` })),
        details: { escalate },
      };
    },
  };
}
