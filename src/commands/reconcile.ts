import { z } from "zod";
import { type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { envelope } from "../output/envelope.js";
import { compareDec } from "../money.js";
import { roundDecimal } from "../pricing/decimal.js";
import { csv, type Format, json, markdown, table, usd, usdNumber, usdSigned } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import { collectReconcile, type Reconcile, type ReconcileTotals } from "../reconcile/collect.js";
import { parseTz, parseWindow } from "../report/window.js";
import { statedCells, statedText } from "../reconcile/stated.js";
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

export function renderReconcile(r: Reconcile, format: Format, catalog: Catalog, filters: Record<string, unknown> & { flagged: boolean }): string {
  // Flagged lines first, then the rest (each in day × provider × model order); --flagged shows only those.
  const lines = [...r.rows.filter((x) => x.flagged), ...(filters.flagged ? [] : r.rows.filter((x) => !x.flagged))];
  const m = (v: string | null) => (v === null ? null : usdNumber(v));
  const totalsJson = (t: ReconcileTotals) => ({
    ...t,
    billedUsd: m(t.billedUsd),
    computedUsd: m(t.computedUsd),
    loggedUsd: m(t.loggedUsd),
    attributedUsd: m(t.attributedUsd),
    unattributedUsd: m(t.unattributedUsd),
    coveragePct: t.coveragePct === null ? null : Number(t.coveragePct.toFixed(4)),
  });
  if (format === "json") {
    return json({
      ...envelope("reconcile", catalog, filters),
      tolerancePct: r.tolerancePct,
      totals: totalsJson(r.totals),
      providers: r.providers.map((p) => ({ provider: p.provider, ...totalsJson(p) })),
      stated: filters.flagged ? r.stated.filter((s) => s.flagged) : r.stated,
      rows: lines.map((x) => ({ ...x, billedUsd: m(x.billedUsd), computedUsd: m(x.computedUsd), loggedUsd: m(x.loggedUsd), attributedUsd: m(x.attributedUsd), deltaUsd: m(x.deltaUsd), deltaPct: x.deltaPct === null ? null : Number(x.deltaPct.toFixed(4)) })),
    });
  }
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
    x.comparedWith ?? (x.billedUsd === null ? "no bill" : "nothing"),
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
  return `${summary}\n${table(pHead, pRows)}\n${note}\n${shown}${lines.length ? `${table(head, rows)}\n` : ""}${statedText(stated, r.tolerancePct)}`;
}

export async function run(o: GlobalOptions & { format?: string; since?: string; until?: string; tz?: string; tolerance?: string; flagged?: boolean }): Promise<number> {
  const ctx = loadContext(o);
  const tol = z.coerce.number().min(0).safeParse(o.tolerance ?? "5");
  if (!tol.success) throw usageError(`--tolerance expects a percentage (got ${JSON.stringify(o.tolerance)})`);
  const opts = { ...parseWindow(o), tz: parseTz(o.tz), tolerancePct: tol.data };
  const db = await openForRead(ctx);
  try {
    const r = await collectReconcile(db, ctx.catalog, opts);
    process.stdout.write(renderReconcile(r, ctx.format, ctx.catalog, { ...opts, flagged: o.flagged === true }));
  } finally {
    db.close();
  }
  return 0;
}
