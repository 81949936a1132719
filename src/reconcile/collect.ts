import { compareDec, ratio, subDec, sumDec } from "../money.js";
import type { Catalog } from "../pricing/load.js";
import { costSource, installPricing, modelIdFromAlias } from "../pricing/sql.js";
import { windowConds } from "../report/window.js";
import type { Db, Param } from "../store/db.js";

export interface ReconcileRow {
  day: string;
  provider: string;
  model: string;
  /** Provider cost exports: what the bill says. */
  billedUsd: string | null;
  /** Priced from provider usage exports. */
  computedUsd: string | null;
  /** Priced from request logs (all of them). */
  loggedUsd: string | null;
  /** Priced from request logs that carry a feature tag. */
  attributedUsd: string | null;
  /** computed − billed, when both exist. */
  deltaUsd: string | null;
  deltaPct: number | null;
  flagged: boolean;
}

export interface Reconcile {
  tolerancePct: number;
  rows: ReconcileRow[];
  totals: { billedUsd: string; computedUsd: string; loggedUsd: string; attributedUsd: string; unattributedUsd: string; coveragePct: number; reference: "billed" | "computed" };
}

/**
 * Per day × provider × model: the bill (cost exports), the cost computed from usage exports and the cost seen in
 * request logs. Model names are resolved through the pricing aliases so "gpt-4o-2024-08-06" in a cost export and in a
 * usage export are the same line. A day is flagged when computed and billed differ by more than the tolerance.
 */
export async function collectReconcile(db: Db, catalog: Catalog, opts: { since: string | null; until: string | null; tz: string; tolerancePct: number }): Promise<Reconcile> {
  await installPricing(db, catalog);
  const cs = await costSource(db, catalog.sha256, null);
  const params: Record<string, Param> = { tz: opts.tz };
  const window = (col: string) => windowConds(col, opts.since, opts.until, params).join(" AND ") || "true";
  const model = (col: string) => `coalesce(${modelIdFromAlias(col)}, '(no model)')`;
  const rows = await db.all<{ day: string; provider: string; model: string; billed: string | null; computed: string | null; logged: string | null; attributed: string | null }>(
    `WITH billed AS (
       SELECT strftime(b.ts, '%Y-%m-%d') AS day, b.provider, ${model("b.model")} AS model, sum(b.amount_usd) AS billed
       FROM billed_cost b WHERE ${window("b.ts")} GROUP BY ALL),
     usage_cost AS (
       SELECT strftime(u.ts, '%Y-%m-%d') AS day, coalesce(u.provider, '(unknown)') AS provider, ${model("u.model")} AS model,
         sum(${cs.cost}) FILTER (WHERE u.source_kind = 'billing') AS computed,
         sum(${cs.cost}) FILTER (WHERE u.source_kind = 'requests') AS logged,
         sum(${cs.cost}) FILTER (WHERE u.source_kind = 'requests' AND u.feature <> '(untagged)') AS attributed
       FROM usage u ${cs.join} WHERE ${window("u.ts")} GROUP BY ALL)
     SELECT coalesce(b.day, c.day) AS day, coalesce(b.provider, c.provider) AS provider, coalesce(b.model, c.model) AS model,
       b.billed::VARCHAR AS billed, c.computed::VARCHAR AS computed, c.logged::VARCHAR AS logged, c.attributed::VARCHAR AS attributed
     FROM billed b FULL OUTER JOIN usage_cost c ON b.day = c.day AND b.provider = c.provider AND b.model = c.model
     ORDER BY 1, 2, 3`,
    params,
  );
  const out: ReconcileRow[] = rows.map((r) => {
    const delta = r.billed !== null && r.computed !== null ? subDec(r.computed, r.billed) : null;
    const pct = delta !== null && compareDec(r.billed!, "0") !== 0 ? 100 * ratio(delta, r.billed!) : null;
    const flagged = (pct !== null && Math.abs(pct) > opts.tolerancePct) || (r.billed !== null && r.computed === null && r.logged === null) || (r.billed === null && r.computed !== null);
    return { day: r.day, provider: r.provider, model: r.model, billedUsd: r.billed, computedUsd: r.computed, loggedUsd: r.logged, attributedUsd: r.attributed, deltaUsd: delta, deltaPct: pct, flagged };
  });
  const sum = (f: (r: ReconcileRow) => string | null) => sumDec(out.map((r) => f(r) ?? "0"));
  const billedUsd = sum((r) => r.billedUsd);
  const computedUsd = sum((r) => r.computedUsd);
  const attributedUsd = sum((r) => r.attributedUsd);
  const reference = compareDec(billedUsd, "0") > 0 ? "billed" : "computed";
  const base = reference === "billed" ? billedUsd : computedUsd;
  return {
    tolerancePct: opts.tolerancePct,
    rows: out,
    totals: {
      billedUsd,
      computedUsd,
      loggedUsd: sum((r) => r.loggedUsd),
      attributedUsd,
      unattributedUsd: subDec(base, attributedUsd),
      coveragePct: 100 * ratio(attributedUsd, base),
      reference,
    },
  };
}
