import { loadContext } from "../context.js";
import type { ReconcileFlagsT } from "../flags/reports.js";
import { envelope } from "../output/envelope.js";
import { compareDec } from "../money.js";
import { roundDecimal } from "../pricing/decimal.js";
import { type Column, csv, fitText, type Format, int, json, markdown, table, usd, usdNumber, usdSigned } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import type { ReconcileFiltersT, ReconcileJsonT } from "../schemas/reconcile.js";
import { collectReconcile, type Reconcile, type ReconcileTotals } from "../reconcile/collect.js";
import { parseWindow } from "../report/window.js";
import { statedCells, statedText } from "../reconcile/stated.js";
import { stdout } from "../io.js";
import { openForRead } from "../store/open.js";

const cell = (v: string | null) => (v === null ? "—" : usd(v));
/** A signed difference; one that rounds to zero at display precision is "$0.0000", never "-$0.0000". */
const signed = (v: string | null) => {
  if (v === null) return "—";
  const zero = compareDec(roundDecimal(v.replace("-", ""), 4), "0") === 0;
  return zero ? usd("0") : usdSigned(v);
};
const pctCell = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)}%`);

/** A percentage as a fraction for CSV (5.2 → 0.052); null stays empty. */
const fraction = (p: number | null) => (p === null ? null : Number((p / 100).toFixed(6)));

/**
 * The CSV: one table, its `table` column naming the part: `providers` (totals and coverage per provider), `lines`
 * (day × provider × model, flagged first) and `stated` (stated cost vs computed per model). Dollars and shares as
 * numbers, ISO days, empty where the table shows "—".
 */
function reconcileCsv(r: Reconcile, lines: Reconcile["rows"], stated: Reconcile["stated"]): string {
  const m = (v: string | null) => usdNumber(v);
  const head = ["table", "day", "provider", "model", "billed_usd", "computed_usd", "logged_usd", "attributed_usd", "unattributed_usd", "delta_usd", "delta_share", "coverage_share", "compared_with", "flagged", "flagged_lines", "rows", "stated_usd", "stated_diff_share"];
  const providers = r.providers.map((p) => ["providers", null, p.provider, null, m(p.billedUsd), m(p.computedUsd), m(p.loggedUsd), m(p.attributedUsd), m(p.unattributedUsd), null, null, fraction(p.coveragePct), null, null, p.flaggedLines, null, null, null]);
  const rows = lines.map((x) => ["lines", x.day, x.provider, x.model, m(x.billedUsd), m(x.computedUsd), m(x.loggedUsd), m(x.attributedUsd), null, m(x.deltaUsd), fraction(x.deltaPct), null, x.comparedWith, x.flagged, null, null, null, null]);
  const st = stated.map((x) => ["stated", null, x.provider, x.model, null, x.computedUsd, null, null, null, null, null, null, null, x.flagged, null, x.rows, x.statedUsd, fraction(x.diffPct)]);
  return csv(head, [...providers, ...rows, ...st]);
}

/** Flagged lines first, then the rest (each in day × provider × model order); --flagged shows only those. */
const shownLines = (r: Reconcile, flagged: boolean) => [...r.rows.filter((x) => x.flagged), ...(flagged ? [] : r.rows.filter((x) => !x.flagged))];
const m = (v: string | null) => (v === null ? null : usdNumber(v));

/** The JSON document (demo embeds it too). */
export function reconcileJson(r: Reconcile, catalog: Catalog, filters: ReconcileFiltersT): ReconcileJsonT {
  const lines = shownLines(r, filters.flagged);
  const totalsJson = (t: ReconcileTotals) => ({
    billedUsd: m(t.billedUsd),
    computedUsd: m(t.computedUsd),
    loggedUsd: m(t.loggedUsd),
    attributedUsd: m(t.attributedUsd),
    unattributedUsd: m(t.unattributedUsd),
    coveragePct: t.coveragePct === null ? null : Number(t.coveragePct.toFixed(4)),
    flaggedLines: t.flaggedLines,
  });
  const doc: ReconcileJsonT = {
    ...envelope("reconcile", catalog, filters),
    tolerancePct: r.tolerancePct,
    totals: totalsJson(r.totals),
    providers: r.providers.map((p) => ({ provider: p.provider, ...totalsJson(p) })),
    stated: filters.flagged ? r.stated.filter((s) => s.flagged) : r.stated,
    rows: lines.map((x) => ({ ...x, billedUsd: m(x.billedUsd), computedUsd: m(x.computedUsd), loggedUsd: m(x.loggedUsd), attributedUsd: m(x.attributedUsd), deltaUsd: m(x.deltaUsd), deltaPct: x.deltaPct === null ? null : Number(x.deltaPct.toFixed(4)) })),
  };
  return doc;
}

export function renderReconcile(r: Reconcile, format: Format, catalog: Catalog, filters: ReconcileFiltersT): string {
  const lines = shownLines(r, filters.flagged);
  if (format === "json") return json(reconcileJson(r, catalog, filters));
  const head = ["Day", "Provider", "Model", "Billed", "Computed", "Request logs", "Tagged", "Δ vs billed", "Compared with", "Flag"];
  const rows = lines.map((x) => [
    x.day,
    x.provider,
    x.model,
    cell(x.billedUsd),
    cell(x.computedUsd),
    cell(x.loggedUsd),
    cell(x.attributedUsd),
    x.deltaUsd === null ? "—" : `${signed(x.deltaUsd)} (${pctCell(x.deltaPct === null || Math.abs(x.deltaPct) < 0.05 ? 0 : x.deltaPct)})`,
    // A bill line only unpriced logs could explain: say so (the logs are there; their model has no price).
    x.comparedWith ?? (x.billedUsd === null ? "no bill" : x.unpricedRequests > 0 ? `unpriced logs (${int(x.unpricedRequests)})` : "nothing"),
    x.flagged ? "CHECK" : "",
  ]);
  const pHead = ["Provider", "Billed", "Computed", "Request logs", "Tagged", "Unattributed", "Coverage", "Flagged"];
  const pRows = r.providers.map((p) => [p.provider, cell(p.billedUsd), cell(p.computedUsd), cell(p.loggedUsd), cell(p.attributedUsd), cell(p.unattributedUsd), p.coveragePct === null ? "no bill" : `${p.coveragePct.toFixed(1)}%`, String(p.flaggedLines)]);
  if (format === "csv") return reconcileCsv(r, lines, filters.flagged ? r.stated.filter((s) => s.flagged) : r.stated);
  const t = r.totals;
  const summary =
    `Billed ${cell(t.billedUsd)} · computed from usage exports ${cell(t.computedUsd)} · request logs ${cell(t.loggedUsd)} · tagged ${cell(t.attributedUsd)}` +
    (t.unattributedUsd === null ? " · no bill in this window (coverage needs a cost export)" : ` · unattributed ${usd(t.unattributedUsd)} (${t.coveragePct!.toFixed(1)}% of the billed lines tagged)`);
  const note = t.flaggedLines
    ? `${t.flaggedLines} line(s) flagged (listed first): the bill and the usage exports (else the request logs) differ by more than ${r.tolerancePct}%, or nothing explains a bill line (a pricing error or a missing export)`
    : `no line differs by more than ${r.tolerancePct}%`;
  const shown = filters.flagged ? `--flagged: ${lines.length} of ${r.rows.length} line(s)\n` : "";
  // Stated against computed, per model: a wrong price or a wrong reading of a log's tokens shows here.
  const stated = filters.flagged ? r.stated.filter((s) => s.flagged) : r.stated;
  if (format === "markdown") {
    const sc = statedCells(stated, usd);
    const st = stated.length ? `\n\nstated cost vs computed, per model (rows with both; tolerance ${r.tolerancePct}%)\n\n${markdown(sc.head, sc.cells)}` : "";
    return `**${summary}**\n\n${markdown(pHead, pRows)}\n${note}\n\n${shown}${markdown(head, rows)}${st}`;
  }
  // On a narrow terminal: models shortened in the middle; the tagged and request-log columns go first, then the
  // comparison's source.
  const LINE_PRIORITY: Record<string, number> = { Tagged: 4, "Request logs": 3, "Compared with": 2, Provider: 1 };
  const cols: Column[] = head.map((h) => ({
    head: h,
    ...(h === "Model" ? { min: 20 } : h === "Δ vs billed" ? { min: 9, shrink: "wrap" as const } : {}),
    ...(LINE_PRIORITY[h] ? { priority: LINE_PRIORITY[h] } : {}),
  }));
  const pCols: Column[] = pHead.map((h) => ({ head: h, ...(h === "Provider" ? { min: 12 } : {}), ...(h === "Tagged" ? { priority: 2 } : h === "Request logs" ? { priority: 1 } : {}) }));
  return fitText(`${summary}\n${table(pCols, pRows)}\n${note}\n${shown}${lines.length ? `${table(cols, rows)}\n` : ""}${statedText(stated, r.tolerancePct)}`);
}

export async function run(o: ReconcileFlagsT): Promise<number> {
  const ctx = loadContext(o);
  const opts = { ...parseWindow(o), tz: o.tz, tolerancePct: o.tolerance };
  const db = await openForRead(ctx);
  try {
    const r = await collectReconcile(db, ctx.catalog, opts);
    stdout(renderReconcile(r, ctx.format, ctx.catalog, { ...opts, flagged: o.flagged }));
  } finally {
    db.close();
  }
  return 0;
}
