import { costPerRow, modelIdFromAlias, priceJoin, storedPricingSha } from "../pricing/sql.js";
import { usageError } from "../errors.js";
import type { Db, Param } from "../store/db.js";
import { DEFAULTS } from "../defaults.js";

/** One model's stated cost (what the source said) against the cost computed from the price tables, over rows that have both. */
export interface StatedVsComputed {
  model: string;
  provider: string | null;
  rows: number;
  statedUsd: number;
  computedUsd: number;
  /** (stated − computed) / computed, in percent; null when computed is 0. */
  diffPct: number | null;
  flagged: boolean;
}

/**
 * Per model, over rows that carry a stated cost and have a price: the two sums, and whether they differ by more than
 * `tolerancePct`. A wrong price, or a wrong reading of the log's tokens, shows as a flagged model. Stored costs are
 * used when they were computed with `catalogSha`; otherwise rows are priced again here (price tables installed).
 */
export async function collectStated(
  db: Db,
  catalogSha: string,
  tolerancePct: number,
  /** Rows to compare (reconcile's --since/--until), as SQL over `u` with its bound parameters. */
  window: { where: string; params: Record<string, Param>; rollup?: boolean } = { where: "true", params: {} },
): Promise<StatedVsComputed[]> {
  const stored = (await storedPricingSha(db)) === catalogSha;
  // The rollup sums the same rows (stated cost and a price) per day: `where` is then over its days.
  const sql = window.rollup
    ? `SELECT coalesce(${modelIdFromAlias("u.model")}, '(no model)') AS model, min(nullif(u.provider, 'unknown')) AS provider, sum(u.stated_rows) AS rows,
         sum(u.stated_usd)::VARCHAR AS stated, sum(u.stated_computed_usd)::VARCHAR AS computed
       FROM usage_rollup_coarse u WHERE u.stated_rows > 0 AND ${window.where}
       GROUP BY 1 ORDER BY 1`
    : null;
  const cost = stored ? "u.computed_cost_usd" : costPerRow("u");
  const priced = stored ? "u.computed_priced" : "(pr.model_id IS NOT NULL)";
  const rows = await db.all<{ model: string; provider: string | null; rows: string; stated: string; computed: string }>(
    // Per priced model (`openai/gpt-4o-mini` and `gpt-4o-mini` are one model), as the price tables name it; the
    // provider shown is the first by name (a model sold by two providers shows one, the same on every run).
    sql ??
      `SELECT coalesce(${modelIdFromAlias("u.model")}, '(no model)') AS model, min(nullif(u.provider, 'unknown')) AS provider, count(*) AS rows,
       sum(u.reported_cost_usd)::VARCHAR AS stated, sum(${cost})::VARCHAR AS computed
     FROM usage u ${stored ? "" : priceJoin("u")}
     WHERE u.reported_cost_usd IS NOT NULL AND ${priced} AND ${window.where}
     GROUP BY 1 ORDER BY 1`,
    window.params,
  );
  return rows.map((r) => {
    // Dollars as numbers only for display and the percentage; the sums themselves were exact DECIMAL.
    const stated = Number(r.stated);
    const computed = Number(r.computed);
    const diffPct = computed === 0 ? null : ((stated - computed) / computed) * 100;
    return {
      model: r.model,
      provider: r.provider,
      rows: Number(r.rows),
      statedUsd: Number(stated.toFixed(6)),
      computedUsd: Number(computed.toFixed(6)),
      diffPct: diffPct === null ? null : Number(diffPct.toFixed(2)),
      flagged: diffPct === null ? stated !== 0 : Math.abs(diffPct) > tolerancePct,
    };
  });
}

/** --tolerance PCT (reconcile and pricing check; default DEFAULTS.tolerancePct). */
export function parseTolerance(value: string | undefined): number {
  const t = value === undefined ? DEFAULTS.tolerancePct : value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(t) || t < 0) throw usageError(`--tolerance expects a non-negative percentage (got ${JSON.stringify(value)})`);
  return t;
}
