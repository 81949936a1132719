import { addDec, compareDec, mulFrac, subDec } from "../money.js";
import { type CostSource, modelIdFromAlias } from "../pricing/sql.js";
import type { Db, Param } from "../store/db.js";
import type { RollupRel } from "../store/rollup.js";
import type { ReportRow } from "./types.js";

const pico = (v: string): bigint => {
  const [i, f = ""] = v.replace("-", "").split(".");
  const x = BigInt(i!) * 10n ** 12n + BigInt(f.padEnd(12, "0").slice(0, 12));
  return v.startsWith("-") ? -x : x;
};

export const UNATTRIBUTED = "(unattributed)";

/**
 * `report --source billing --by feature`: the bill (cost exports, else usage exports priced by llmcost) allocated to
 * features in proportion to request-log cost on the same day and model. A line whose logs have no cost (a model the
 * price book lacks, such as a fine-tune) is allocated by the logs' tokens instead, and said (`byTokens`). Lines no
 * request log explains (a day or model without logs, tool charges without a model) stay "(unattributed)". Exact: each
 * line's last feature takes the remainder, so allocations add up to the bill to the pico-dollar.
 */
export async function allocateBilled(
  db: Db,
  cs: CostSource,
  /** The time window as SQL for a given timestamp column. */
  filter: (col: string) => string,
  params: Record<string, Param>,
  /** Request logs and usage exports from the rollup instead of the raw rows: its relation, day column and window. */
  rollup?: { rel: RollupRel; day: string; filter: () => string },
): Promise<{
  rows: ReportRow[];
  pool: "cost exports" | "usage exports";
  firstDay: string | null;
  lastDay: string | null;
  /** The bill allocated by logged tokens (its logs had no cost): how much, and for which models. */
  byTokens: { usd: string; models: string[] } | null;
}> {
  // The rollup holds the stored costs (it is read only when they are current: cs.cost is u.cost_usd, no join).
  const rel = rollup?.rel ?? "usage";
  const day = rollup?.day ?? "u.ts";
  const join = rollup ? "" : cs.join;
  const usageFilter = rollup ? rollup.filter() : filter("u.ts");
  const billed = await db.all<{ day: string; model: string | null; usd: string }>(
    `SELECT strftime(b.ts, '%Y-%m-%d') AS day, ${modelIdFromAlias("b.model")} AS model, sum(b.amount_usd)::VARCHAR AS usd
     FROM billed_cost b WHERE ${filter("b.ts")} GROUP BY ALL`,
    params,
  );
  const pool = billed.length ? "cost exports" : "usage exports";
  const lines = billed.length
    ? billed
    : await db.all<{ day: string; model: string | null; usd: string }>(
        `SELECT strftime(${day}, '%Y-%m-%d') AS day, ${modelIdFromAlias("u.model")} AS model, coalesce(sum(${cs.cost}), 0)::VARCHAR AS usd
         FROM ${rel} u ${join} WHERE u.source_kind = 'billing' AND ${usageFilter} GROUP BY ALL`,
        params,
      );
  const logged = await db.all<{
    day: string;
    model: string | null;
    feature: string;
    usd: string;
    requests: string;
    input: string;
    cached: string;
    cw5: string;
    cw1: string;
    output: string;
    reasoning: string;
  }>(
    `SELECT strftime(${day}, '%Y-%m-%d') AS day, ${modelIdFromAlias("u.model")} AS model, u.feature, coalesce(sum(${cs.cost}), 0)::VARCHAR AS usd,
       sum(u.requests) AS requests, sum(u.input_tokens) AS input, sum(u.cached_input_tokens) AS cached,
       sum(u.cache_write_5m_tokens) AS cw5, sum(u.cache_write_1h_tokens) AS cw1, sum(u.output_tokens) AS output, sum(u.reasoning_tokens) AS reasoning
     FROM ${rel} u ${join} WHERE u.source_kind = 'requests' AND ${usageFilter} GROUP BY ALL ORDER BY 3`,
    params,
  );
  const key = (day: string, model: string | null) => `${day}\u0000${model ?? ""}`;
  const byLine = new Map<string, typeof logged>();
  for (const l of logged) byLine.set(key(l.day, l.model), [...(byLine.get(key(l.day, l.model)) ?? []), l]);
  const alloc = new Map<string, string>();
  const add = (f: string, v: string) => alloc.set(f, addDec(alloc.get(f) ?? "0", v));
  // Every token the request paid for once: output includes reasoning, so reasoning is not added again.
  const tokensOf = (p: (typeof logged)[number]): bigint => [p.input, p.cached, p.cw5, p.cw1, p.output].reduce((a, v) => a + BigInt(v ?? 0), 0n);
  let tokenUsd = "0";
  const tokenModels = new Set<string>();
  for (const line of lines) {
    const logs = byLine.get(key(line.day, line.model)) ?? [];
    // By cost; when the logs have none (every one unpriced), by tokens.
    let parts = logs.filter((p) => compareDec(p.usd, "0") > 0).map((p) => ({ feature: p.feature, weight: pico(p.usd) }));
    if (parts.length === 0) {
      parts = logs.map((p) => ({ feature: p.feature, weight: tokensOf(p) })).filter((p) => p.weight > 0n);
      if (parts.length && compareDec(line.usd, "0") !== 0) {
        tokenUsd = addDec(tokenUsd, line.usd);
        tokenModels.add(line.model ?? "(no model)");
      }
    }
    const total = parts.reduce((a, p) => a + p.weight, 0n);
    if (total <= 0n) {
      add(UNATTRIBUTED, line.usd);
      continue;
    }
    let given = "0";
    parts.forEach((p, i) => {
      const share = i === parts.length - 1 ? subDec(line.usd, given) : mulFrac(line.usd, p.weight, total);
      given = addDec(given, share);
      add(p.feature, share);
    });
  }
  const stats = new Map<string, ReportRow>();
  for (const l of logged) {
    const r = stats.get(l.feature) ?? emptyRow(l.feature);
    r.requests += Number(l.requests);
    r.tokens.input += Number(l.input);
    r.tokens.cachedInput += Number(l.cached);
    r.tokens.cacheWrite5m += Number(l.cw5);
    r.tokens.cacheWrite1h += Number(l.cw1);
    r.tokens.output += Number(l.output);
    r.tokens.reasoning += Number(l.reasoning);
    stats.set(l.feature, r);
  }
  const rows = [...alloc].map(([feature, usd]) => ({ ...(stats.get(feature) ?? emptyRow(feature)), costUsd: usd }));
  const days = lines.map((l) => l.day).sort();
  const byTokens = tokenModels.size ? { usd: tokenUsd, models: [...tokenModels].sort() } : null;
  return { rows, pool, firstDay: days[0] ?? null, lastDay: days.at(-1) ?? null, byTokens };
}

function emptyRow(feature: string): ReportRow {
  return {
    key: { feature },
    requests: 0,
    tokens: { input: 0, cachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0, reasoning: 0 },
    costUsd: "0",
    share: 0,
    cumulativeShare: 0,
    unpriced: { rows: 0, requests: 0, tokens: 0, models: [] },
  };
}
