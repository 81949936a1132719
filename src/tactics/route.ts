import { usageError } from "../errors.js";
import type { Catalog } from "../pricing/load.js";
import { aliasRows } from "../pricing/names.js";
import { familyOf, knownModelsFrom, resolveModelName } from "../resolve/names.js";
import { DEFAULTS } from "../defaults.js";
import { one, parseShare, type TacticFlag } from "./flags.js";
import { type FeatureScope, instantiate, rewriteSim, scopeParams, scopeSql, type Tactic, type TacticDef } from "./types.js";

const ROUTE_FLAG: TacticFlag<string> = { flags: "--route <spec>", help: "mini (each model's cheaper sibling) or FROM=TO[,FROM=TO…]", parse: one };
const ESCALATE_FLAG: TacticFlag<number> = {
  flags: "--escalate <share>",
  help: "share of routed requests that escalate and pay both calls",
  default: String(DEFAULTS.escalateShare),
  parse: (raw) => parseShare(one(raw), "--escalate"),
};

/** A route as the user gave it: a model name (resolved against the traffic later) and the priced target id. */
export interface RoutePair {
  from: string;
  to: string;
}

/** `mini` → every model's declared cheaper sibling; `A=B,C=D` → explicit pairs (the target must be priced). */
export function routePairs(spec: string, catalog: Catalog): RoutePair[] {
  const aliases = new Map(aliasRows(catalog).map((a) => [a.alias, a.model_id]));
  if (spec === "mini") {
    return catalog.models.filter((m) => m.cheaper_sibling).map((m) => ({ from: m.id, to: m.cheaper_sibling! }));
  }
  return spec.split(",").map((pair) => {
    const [from, to, extra] = pair.split("=").map((s) => s.trim());
    if (!from || !to || extra !== undefined) throw usageError(`--route expects mini or FROM=TO[,FROM=TO…] (got ${JSON.stringify(pair)})`);
    const t = aliases.get(to.toLowerCase());
    if (!t) throw usageError(`--route: no pricing for ${JSON.stringify(to)}`, "the target must be a priced model; see `llmcost pricing list`");
    return { from, to: t };
  });
}

/** One model name of the traffic and where the route sends it, with the span in which the target has a price. */
interface RouteModel {
  model: string;
  model_id: string;
  to: string | null;
}

export interface RouteSettings {
  spec: string;
  /** The pairs the spec names (resolved against the traffic per request). */
  pairs: RoutePair[];
  escalate: number;
  scope: FeatureScope;
  /** The flag named in errors about the spec's models. */
  flag: string;
}
export interface RouteState {
  /** What each FROM of an explicit spec matched in the traffic ("gpt-4o matched gpt-4o-2024-08-06, …"). */
  matched: string[];
}

/**
 * Model routing: traffic on a routed model moves to the cheaper one. A share `escalate` is escalated back to the
 * big model and pays both calls, so each routed request costs cost(small) + escalate × cost(big), in expectation.
 * A request moves only when the target has a price at the request's time: a model that did not exist yet is no
 * option, so those requests stay (counted and named in the evidence), never priced at $0.
 */
export const ROUTE: TacticDef<RouteSettings, RouteState> = {
  name: "route",
  step: "route",
  flags: [ROUTE_FLAG, ESCALATE_FLAG],
  columns: [{ name: "rt_model", type: "VARCHAR", kept: "request", what: "the model the request runs on after routing (by model id)" }],
  rewrites: ["model", "esc_model", "esc_share"],
  fromFlags(flags, { catalog }) {
    const spec = flags.read(ROUTE_FLAG);
    if (spec === undefined) return null;
    const escalate = flags.read(ESCALATE_FLAG) ?? DEFAULTS.escalateShare;
    return { spec, pairs: routePairs(spec, catalog), escalate, scope: "all", flag: "--route" };
  },
  playbook: {
    label: "routing to cheaper siblings",
    settings: ({ catalog }) => ({ spec: "mini", pairs: routePairs("mini", catalog), escalate: DEFAULTS.escalateShare, scope: "all", flag: "--route" }),
  },
  start: () => ({ matched: [] }),
  assumptions: ({ spec, pairs, escalate }, { matched }) => [
    spec === "mini"
      ? "route each model to its cheaper sibling from the pricing tables"
      : matched.length
        ? // What each name matched in the traffic (known once per request is done).
          `route ${pairs.map((p, i) => `${p.from} (${matched[i]!.slice(p.from.length + 1)}) → ${p.to}`).join(", ")}`
        : `route ${pairs.map((p) => `${p.from} → ${p.to}`).join(", ")}`,
    `${(escalate * 100).toFixed(1)}% of routed requests escalate to the original model and pay both calls (an assumption unless measured on your traffic; the escalated call gets later tactics too: batch, pruning, output cap)`,
    "token counts are unchanged by the cheaper model; its answers are not judged: check quality on an eval of each feature before switching",
    "a request is routed only when the target model has a price at the request's time; the others stay on their model",
  ],
  async perRequest({ db, rows, row, params: rowParams }, { spec, pairs, scope, flag }, state) {
    const mini = spec === "mini";
    // Each model name of the traffic, resolved once (through the price book's aliases): its model id and where
    // route sends it. A family name (gpt-4o) routes every snapshot of it (gpt-4o-2024-08-06…).
    const known = await knownModelsFrom(db, `SELECT DISTINCT ${row.model} AS model FROM ${rows} r`, rowParams);
    const routes = new Map<string, RouteModel>();
    if (mini) {
      const sibling = new Map(pairs.map((p) => [p.from, p.to]));
      for (const k of known) {
        const to = sibling.get(k.modelId) ?? sibling.get(familyOf(k.modelId));
        if (to && to !== k.modelId) routes.set(k.model, { model: k.model, model_id: k.modelId, to });
      }
    } else {
      state.matched = [];
      for (const p of pairs) {
        const m = await resolveModelName(db, p.from, known, `${flag} ${p.from}=${p.to}`, "in the simulated traffic");
        const ids = new Map(known.map((k) => [k.model, k.modelId]));
        for (const name of m.matched) if (!routes.has(name) && ids.get(name) !== p.to) routes.set(name, { model: name, model_id: ids.get(name)!, to: p.to });
        state.matched.push(`${p.from} matched ${m.matched.join(", ")}`);
      }
    }
    // Every name, routed or not: later layers see each request under its model id.
    const list = known.map((k) => routes.get(k.model) ?? { model: k.model, model_id: k.modelId, to: null });
    await db.run(
      `CREATE OR REPLACE TEMP TABLE route_model AS
       SELECT m.model, m.model_id, m."to", t.priced_from, t.priced_to
       FROM (SELECT unnest(json_transform($routes::JSON, '[{"model":"VARCHAR","model_id":"VARCHAR","to":"VARCHAR"}]'), recursive := true)) m
       LEFT JOIN (SELECT model_id, min(valid_from) AS priced_from, max(valid_to) AS priced_to FROM price_rate WHERE mode = 'standard' GROUP BY 1) t
         ON t.model_id = m."to"`,
      { routes: JSON.stringify(list) },
    );
    // Later per-request work (prompt caching's warm prefixes) sees each request on the model it is routed to, by
    // model id, so routed requests share a prefix cache with the traffic already on that model.
    return {
      columns: {
        rt_model: `CASE WHEN rt."to" IS NOT NULL AND r.ts >= rt.priced_from AND r.ts < rt.priced_to AND NOT (${row.hit}) AND ${scopeSql(scope, "route_features", "r.feature")} THEN rt."to" ELSE coalesce(rt.model_id, ${row.model}) END`,
      },
      joins: `LEFT JOIN route_model rt ON rt.model = ${row.model}`,
      row: { model: "r.rt_model" },
      params: scopeParams(scope, "route_features"),
    };
  },
  async apply({ db }, { spec, escalate, scope }, { matched }) {
    const mini = spec === "mini";
    const params = { esc: escalate.toFixed(6), ...scopeParams(scope, "route_features") };
    // sim holds the model names as logged: route_model (built by perRequest) already resolved each one.
    const candidate = `(rm."to" IS NOT NULL AND NOT s.cache_hit AND ${scopeSql(scope, "route_features", "s.feature")})`;
    const priced = `(s.ts >= rm.priced_from AND s.ts < rm.priced_to)`;
    const routed = `(${candidate} AND ${priced})`;
    const join = "LEFT JOIN route_model rm ON rm.model = s.model";
    const per = await db.all<{ feature: string; from_model: string; to_model: string; n: string; stay: string; priced_from: string | null }>(
      `SELECT s.feature, rm.model AS from_model, rm."to" AS to_model, coalesce(sum(s.n) FILTER (WHERE ${priced}), 0) AS n,
         coalesce(sum(s.n) FILTER (WHERE NOT coalesce(${priced}, false)), 0) AS stay, strftime(any_value(rm.priced_from), '%Y-%m-%d') AS priced_from
       FROM sim s ${join} WHERE ${candidate} GROUP BY ALL ORDER BY n DESC, stay DESC, 1, 2`,
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
    const stayed = per.reduce((a, r) => a + Number(r.stay), 0);
    const byFeature = new Map<string, string[]>();
    for (const r of per) {
      const parts: string[] = [];
      if (Number(r.n) > 0) parts.push(`${r.from_model} → ${r.to_model} on ${Number(r.n).toLocaleString("en")} requests`);
      if (Number(r.stay) > 0) {
        const why = r.priced_from ? `${r.to_model} has no price before ${r.priced_from}` : `${r.to_model} has no price`;
        parts.push(`${Number(r.stay).toLocaleString("en")} requests stay on ${r.from_model} (${why})`);
      }
      byFeature.set(r.feature, [...(byFeature.get(r.feature) ?? []), ...parts]);
    }
    const note =
      affected > 0
        ? null
        : per.length
          ? `no request routed: the target model has no price at the time of the ${stayed.toLocaleString("en")} candidate requests`
          : mini
            ? "no request routed: no model of this traffic has a cheaper sibling in the pricing tables"
            : "no request routed: the routed models have no traffic left after the earlier tactics";
    return {
      affectedRequests: affected,
      evidence: [...byFeature].map(([feature, parts]) => ({ feature, text: parts.join("; ") })),
      details: { escalate, notRoutedUnpriced: stayed, ...(matched.length ? { matched: matched.join("; ") } : {}) },
      ...(note ? { note } : {}),
    };
  },
};

/** A route of its own: a scope and the flag its errors name (a budget plan's model change). */
export const route = (spec: string, escalate: number, scope: FeatureScope, catalog: Catalog, flag = "--route"): Tactic =>
  instantiate(ROUTE, { spec, pairs: routePairs(spec, catalog), escalate, scope, flag });
