import { compareDec, ratio, subDec, sumDec } from "../money.js";
import type { Catalog } from "../pricing/load.js";
import { costSource, installPricing, modelIdFromAlias } from "../pricing/sql.js";
import { providerSql } from "../report/dims.js";
import { windowConds } from "../report/window.js";
import type { Db, Param } from "../store/db.js";
import { rollupUsable, rollupWindowConds, utcDayWindow } from "../store/rollup.js";
import { collectStated, type StatedVsComputed } from "./stated.js";

export interface ReconcileRow {
  day: string;
  provider: string;
  model: string;
  /** The grain this line is compared at: the finest both sides have (see collectReconcile). */
  grain: "model" | "provider" | "day";
  /** Provider cost exports: what the bill says. */
  billedUsd: string | null;
  /** Priced from provider usage exports. */
  computedUsd: string | null;
  /** Priced from request logs (all of them). */
  loggedUsd: string | null;
  /** Priced from request logs that carry a feature tag. */
  attributedUsd: string | null;
  /** Request-log requests of this line without a price (not in loggedUsd): a bill line they would explain shows it. */
  unpricedRequests: number;
  /** What the bill is compared with: the usage exports where there are any, else the request logs. */
  comparedWith: "usage exports" | "request logs" | null;
  /** (computed, else logged) − billed, when both exist. */
  deltaUsd: string | null;
  deltaPct: number | null;
  flagged: boolean;
}

/** Totals of one provider, or of everything. Coverage and unattributed are over the days that have a bill only. */
export interface ReconcileTotals {
  /** null: no such data in the window (never shown as $0). */
  billedUsd: string | null;
  computedUsd: string | null;
  loggedUsd: string | null;
  attributedUsd: string | null;
  /** billed − tagged request-log cost on the lines with a bill; null without a bill. */
  unattributedUsd: string | null;
  /** tagged ÷ billed on the days with a bill, in %; null without a bill (never a share of another provider's bill). */
  coveragePct: number | null;
  flaggedLines: number;
}

export interface Reconcile {
  tolerancePct: number;
  rows: ReconcileRow[];
  /** Per model, the cost the sources stated against the cost computed from the price tables (rows with both). */
  stated: StatedVsComputed[];
  totals: ReconcileTotals;
  providers: ({ provider: string } & ReconcileTotals)[];
}

type Raw = {
  day: string;
  provider: string;
  model: string;
  billed: string | null;
  computed: string | null;
  logged: string | null;
  attributed: string | null;
  unpriced: number;
};

const NO_MODEL = "(no model)";
/** A missing provider, spelled as report spells it (providerSql). */
const NO_PROVIDER = "(unknown)";
const addNull = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : sumDec([a, b]));

/** Sums lines into one at a coarser grain. */
function merge(rows: Raw[], key: Pick<Raw, "day" | "provider" | "model">): Raw {
  const acc: Raw = { ...key, billed: null, computed: null, logged: null, attributed: null, unpriced: 0 };
  for (const r of rows) {
    acc.billed = addNull(acc.billed, r.billed);
    acc.computed = addNull(acc.computed, r.computed);
    acc.logged = addNull(acc.logged, r.logged);
    acc.attributed = addNull(acc.attributed, r.attributed);
    acc.unpriced += r.unpriced;
  }
  return acc;
}

/**
 * Per day × provider × model: the bill (cost exports), the cost computed from usage exports and the cost seen in
 * request logs. Model names are resolved through the pricing aliases so "gpt-4o-2024-08-06" in a cost export and in a
 * usage export are the same line. Each day × provider is compared at the finest grain the bill has: per model when
 * every bill line names one, else per provider (a cost export grouped by day only), else per day (a bill line with no
 * provider). A line is flagged when the bill and what explains it (usage exports, else request logs) differ by more
 * than the tolerance, or when nothing explains a bill line.
 */
export async function collectReconcile(
  db: Db,
  catalog: Catalog,
  opts: { since: string | null; until: string | null; tz: string; tolerancePct: number },
): Promise<Reconcile> {
  await installPricing(db, catalog);
  const cs = await costSource(db, catalog.sha256, null);
  const params: Record<string, Param> = { tz: opts.tz };
  const window = (col: string) => windowConds(col, opts.since, opts.until, params).join(" AND ") || "true";
  // Usage from the rollup (per UTC day) when its costs are current and the window is whole UTC days.
  const days = (await rollupUsable(db, cs.mode)) ? utcDayWindow(opts.since, opts.until, opts.tz) : null;
  const usageWindow = days ? rollupWindowConds(days, params).join(" AND ") || "true" : window("u.ts");
  const model = (col: string) => `coalesce(${modelIdFromAlias(col)}, '${NO_MODEL}')`;
  const raw = await db.all<Raw>(
    `WITH billed AS (
       SELECT strftime(b.ts, '%Y-%m-%d') AS day, ${providerSql("b.provider")} AS provider, ${model("b.model")} AS model, sum(b.amount_usd) AS billed
       FROM billed_cost b WHERE ${window("b.ts")} GROUP BY ALL),
     usage_cost AS (
       SELECT strftime(${days ? "u.day" : "u.ts"}, '%Y-%m-%d') AS day, ${providerSql("u.provider")} AS provider, ${model("u.model")} AS model,
         sum(${cs.cost}) FILTER (WHERE u.source_kind = 'billing') AS computed,
         sum(${cs.cost}) FILTER (WHERE u.source_kind = 'requests') AS logged,
         sum(${cs.cost}) FILTER (WHERE u.source_kind = 'requests' AND u.feature <> '(untagged)') AS attributed,
         coalesce(${days ? "sum(u.u_requests) FILTER (WHERE u.source_kind = 'requests')" : `sum(u.requests) FILTER (WHERE u.source_kind = 'requests' AND NOT ${cs.priced})`}, 0) AS unpriced
       FROM ${days ? "usage_rollup_coarse" : "usage"} u ${cs.join} WHERE ${usageWindow} GROUP BY ALL)
     SELECT coalesce(b.day, c.day) AS day, coalesce(b.provider, c.provider) AS provider, coalesce(b.model, c.model) AS model,
       b.billed::VARCHAR AS billed, c.computed::VARCHAR AS computed, c.logged::VARCHAR AS logged, c.attributed::VARCHAR AS attributed,
       coalesce(c.unpriced, 0)::INTEGER AS unpriced
     FROM billed b FULL OUTER JOIN usage_cost c ON b.day = c.day AND b.provider = c.provider AND b.model = c.model
     ORDER BY 1, 2, 3`,
    params,
  );
  // The grain of each day: a bill line without a provider merges the whole day; else per day × provider, a bill
  // without a model breakdown merges that provider's day.
  const lines: { r: Raw; grain: ReconcileRow["grain"] }[] = [];
  const byDay = new Map<string, Raw[]>();
  for (const r of raw) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r]);
  for (const [day, rows] of byDay) {
    if (rows.some((r) => r.billed !== null && r.provider === NO_PROVIDER)) {
      lines.push({ r: merge(rows, { day, provider: "(all providers)", model: "(all models)" }), grain: "day" });
      continue;
    }
    const byProvider = new Map<string, Raw[]>();
    for (const r of rows) byProvider.set(r.provider, [...(byProvider.get(r.provider) ?? []), r]);
    for (const [provider, ps] of byProvider) {
      const billedLines = ps.filter((r) => r.billed !== null);
      // Only a bill with no model on any line is "grouped by day"; a model-less line beside per-model ones (web
      // search, a credit) is a line of its own.
      if (billedLines.length && billedLines.every((r) => r.model === NO_MODEL) && ps.some((r) => r.model !== NO_MODEL))
        lines.push({ r: merge(ps, { day, provider, model: "(all models)" }), grain: "provider" });
      else for (const r of ps) lines.push({ r, grain: "model" });
    }
  }
  const out: ReconcileRow[] = lines.map(({ r, grain }) => {
    const ref = r.computed ?? r.logged;
    const comparedWith = r.computed !== null ? "usage exports" : r.logged !== null ? "request logs" : null;
    const delta = r.billed !== null && ref !== null ? subDec(ref, r.billed) : null;
    const pct = delta !== null && compareDec(r.billed!, "0") !== 0 ? 100 * ratio(delta, r.billed!) : null;
    const flagged = (pct !== null && Math.abs(pct) > opts.tolerancePct) || (r.billed !== null && ref === null && compareDec(r.billed, "0") !== 0);
    return {
      day: r.day,
      provider: r.provider,
      model: r.model,
      grain,
      billedUsd: r.billed,
      computedUsd: r.computed,
      loggedUsd: r.logged,
      attributedUsd: r.attributed,
      unpricedRequests: Number(r.unpriced),
      comparedWith: r.billed !== null ? comparedWith : null,
      deltaUsd: delta,
      deltaPct: pct,
      flagged,
    };
  });
  const totalsOf = (rows: ReconcileRow[]): ReconcileTotals => {
    const sum = (f: (r: ReconcileRow) => string | null, rs = rows) => (rs.some((r) => f(r) !== null) ? sumDec(rs.map((r) => f(r) ?? "0")) : null);
    // Coverage is over the lines with a bill (at their grain): tagged logs of a model or day the bill does not
    // cover are not a share of it.
    const onBill = rows.filter((r) => r.billedUsd !== null);
    const billedUsd = sum((r) => r.billedUsd);
    const tagged = sum((r) => r.attributedUsd, onBill) ?? "0";
    const hasBill = billedUsd !== null && compareDec(billedUsd, "0") !== 0;
    return {
      billedUsd,
      computedUsd: sum((r) => r.computedUsd),
      loggedUsd: sum((r) => r.loggedUsd),
      attributedUsd: sum((r) => r.attributedUsd),
      unattributedUsd: hasBill ? subDec(billedUsd!, tagged) : null,
      coveragePct: hasBill ? 100 * ratio(tagged, billedUsd!) : null,
      flaggedLines: rows.filter((r) => r.flagged).length,
    };
  };
  const providers = [...new Set(out.map((r) => r.provider))].sort().map((provider) => ({ provider, ...totalsOf(out.filter((r) => r.provider === provider)) }));
  const stated = await collectStated(db, catalog.sha256, opts.tolerancePct, { where: usageWindow, params, rollup: days !== null });
  return { tolerancePct: opts.tolerancePct, rows: out, stated, totals: totalsOf(out), providers };
}
