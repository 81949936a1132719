import { compareDec } from "../money.js";
import { type Block, type Cell, type Doc, type DocColumn, type DocFormat, type DocTable, emit, heading, tableBlock, text } from "../output/document.js";
import { envelope } from "../output/envelope.js";
import { type Format, int, json, usd, usdNumber, usdSigned } from "../output/format.js";
import { roundDecimal } from "../pricing/decimal.js";
import type { Catalog } from "../pricing/load.js";
import type { ReconcileFiltersT, ReconcileJsonT } from "../schemas/reconcile.js";
import type { Reconcile, ReconcileTotals } from "./collect.js";
import type { StatedVsComputed } from "./stated.js";

const TERMINAL: readonly DocFormat[] = ["table"];
const MARKDOWN: readonly DocFormat[] = ["markdown"];

/** Dollars, or "—" for none (never $0: no data is not zero spend). */
const dollars = (v: string | null): string | Cell => (v === null ? { value: null, text: "—" } : v);
/** A signed difference; one that rounds to zero at display precision is "$0.0000", never "-$0.0000". */
const signed = (v: string) => (compareDec(roundDecimal(v.replace("-", ""), 4), "0") === 0 ? usd("0") : usdSigned(v));
/** A percentage (5.2 for 5.2%) as the fraction the CSV holds. */
const fraction = (p: number | null) => (p === null ? null : p / 100);

/** Flagged lines first, then the rest (each in day × provider × model order); --flagged shows only those. */
const shownLines = (r: Reconcile, flagged: boolean) => [...r.rows.filter((x) => x.flagged), ...(flagged ? [] : r.rows.filter((x) => !x.flagged))];
const shownStated = (r: Reconcile, flagged: boolean) => (flagged ? r.stated.filter((s) => s.flagged) : r.stated);
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
  return {
    ...envelope("reconcile", catalog, filters),
    tolerancePct: r.tolerancePct,
    totals: totalsJson(r.totals),
    providers: r.providers.map((p) => ({ provider: p.provider, ...totalsJson(p) })),
    stated: shownStated(r, filters.flagged),
    rows: lines.map((x) => ({
      ...x,
      billedUsd: m(x.billedUsd),
      computedUsd: m(x.computedUsd),
      loggedUsd: m(x.loggedUsd),
      attributedUsd: m(x.attributedUsd),
      deltaUsd: m(x.deltaUsd),
      deltaPct: x.deltaPct === null ? null : Number(x.deltaPct.toFixed(4)),
    })),
  };
}

export function renderReconcile(r: Reconcile, format: Format, catalog: Catalog, filters: ReconcileFiltersT): string {
  return format === "json" ? json(reconcileJson(r, catalog, filters)) : emit(reconcileDocument(r, filters.flagged), format);
}

/** Per provider: the bill, what explains it, and the share of it tagged. On a narrow terminal the tagged and request-log columns go. */
export function providersTable(r: Reconcile): DocTable {
  const money = (key: string, head: string, fit?: DocColumn["fit"]): DocColumn => ({ key, head, type: "money", ...(fit ? { fit } : {}) });
  const columns: DocColumn[] = [
    { key: "provider", head: "Provider", type: "text", fit: { min: 12 } },
    money("billed_usd", "Billed"),
    money("computed_usd", "Computed"),
    money("logged_usd", "Request logs", { priority: 1 }),
    money("attributed_usd", "Tagged", { priority: 2 }),
    money("unattributed_usd", "Unattributed"),
    { key: "coverage_share", head: "Coverage", type: "percent" },
    { key: "flagged_lines", head: "Flagged", type: "count" },
  ];
  const rows = r.providers.map((p) => [
    p.provider,
    dollars(p.billedUsd),
    dollars(p.computedUsd),
    dollars(p.loggedUsd),
    dollars(p.attributedUsd),
    dollars(p.unattributedUsd),
    { value: fraction(p.coveragePct), text: p.coveragePct === null ? "no bill" : `${p.coveragePct.toFixed(1)}%` },
    p.flaggedLines,
  ]);
  return { name: "providers", columns, rows, alignTerminal: false, alignMarkdown: false };
}

/**
 * Day × provider × model. On a narrow terminal models are shortened in the middle, the difference wraps, and the
 * tagged and request-log columns go first, then the comparison's source.
 */
function linesTable(lines: Reconcile["rows"]): DocTable {
  const money = (key: string, head: string, fit?: DocColumn["fit"]): DocColumn => ({ key, head, type: "money", ...(fit ? { fit } : {}) });
  const columns: DocColumn[] = [
    { key: "day", head: "Day", type: "date" },
    { key: "provider", head: "Provider", type: "text", fit: { priority: 1 } },
    { key: "model", head: "Model", type: "text", fit: { min: 20 } },
    money("billed_usd", "Billed"),
    money("computed_usd", "Computed"),
    money("logged_usd", "Request logs", { priority: 3 }),
    money("attributed_usd", "Tagged", { priority: 4 }),
    money("delta_usd", "Δ vs billed", { min: 9, shrink: "wrap" }),
    { key: "delta_share", head: "", type: "percent", only: ["csv"] },
    { key: "compared_with", head: "Compared with", type: "text", fit: { priority: 2 } },
    { key: "flagged", head: "Flag", type: "boolean" },
  ];
  const rows = lines.map((x) => [
    x.day,
    x.provider,
    x.model,
    dollars(x.billedUsd),
    dollars(x.computedUsd),
    dollars(x.loggedUsd),
    dollars(x.attributedUsd),
    x.deltaUsd === null
      ? dollars(null)
      : { value: x.deltaUsd, text: `${signed(x.deltaUsd)} (${(x.deltaPct === null || Math.abs(x.deltaPct) < 0.05 ? 0 : x.deltaPct).toFixed(1)}%)` },
    fraction(x.deltaPct),
    // A bill line only unpriced logs could explain: say so (the logs are there; their model has no price).
    {
      value: x.comparedWith,
      text: x.comparedWith ?? (x.billedUsd === null ? "no bill" : x.unpricedRequests > 0 ? `unpriced logs (${int(x.unpricedRequests)})` : "nothing"),
    },
    { value: x.flagged, text: x.flagged ? "CHECK" : "" },
  ]);
  return { name: "lines", columns, rows, alignTerminal: false, alignMarkdown: false };
}

/** Stated cost against computed, per model (reconcile and pricing check). */
export function statedTable(rows: readonly StatedVsComputed[]): DocTable {
  const columns: DocColumn[] = [
    { key: "model", head: "Model", type: "text", fit: { min: 20 } },
    { key: "provider", head: "Provider", type: "text", fit: { priority: 1 } },
    { key: "rows", head: "Rows", type: "count" },
    { key: "stated_usd", head: "Stated", type: "money" },
    { key: "computed_usd", head: "Computed", type: "money" },
    { key: "stated_diff_share", head: "Diff", type: "percent" },
    { key: "flagged", head: "Flag", type: "boolean" },
  ];
  const cells = rows.map((x) => [
    x.model,
    { value: x.provider, text: x.provider ?? "(unknown)" },
    x.rows,
    x.statedUsd,
    x.computedUsd,
    { value: fraction(x.diffPct), text: x.diffPct === null ? "—" : `${x.diffPct > 0 ? "+" : ""}${x.diffPct.toFixed(2)}%` },
    { value: x.flagged, text: x.flagged ? "FLAG" : "" },
  ]);
  return { name: "stated", columns, rows: cells, alignTerminal: false, alignMarkdown: false };
}

/** The comparison for a terminal: its title line and table; nothing when no row states a cost. */
export function statedBlocks(rows: readonly StatedVsComputed[], tolerancePct: number): Block[] {
  if (rows.length === 0) return [];
  const n = rows.filter((r) => r.flagged).length;
  return [
    text(`stated cost vs computed, per model (rows with both; tolerance ${tolerancePct}%): ${n ? `${n} model(s) differ` : "all agree"}`, TERMINAL),
    tableBlock(statedTable(rows), TERMINAL),
  ];
}

/**
 * The bill against the usage: a summary line, the providers' totals, the lines (flagged first) and the stated costs.
 * The CSV holds the three tables under one header, its `table` column naming the part: `providers`, `lines` and
 * `stated`; dollars and shares as numbers, ISO days, empty where the table shows "—".
 */
export function reconcileDocument(r: Reconcile, flagged: boolean): Doc {
  const lines = shownLines(r, flagged);
  const stated = shownStated(r, flagged);
  const t = r.totals;
  const summary =
    `Billed ${usdOr(t.billedUsd)} · computed from usage exports ${usdOr(t.computedUsd)} · request logs ${usdOr(t.loggedUsd)} · tagged ${usdOr(t.attributedUsd)}` +
    (t.unattributedUsd === null
      ? " · no bill in this window (coverage needs a cost export)"
      : ` · unattributed ${usd(t.unattributedUsd)} (${t.coveragePct!.toFixed(1)}% of the billed lines tagged)`);
  const note = t.flaggedLines
    ? `${t.flaggedLines} line(s) flagged (listed first): the bill and the usage exports (else the request logs) differ by more than ${r.tolerancePct}%, or nothing explains a bill line (a pricing error or a missing export)`
    : t.unattributedUsd === null
      ? "no bill line to compare with: the lines below are the usage alone"
      : `no bill line differs from the usage by more than ${r.tolerancePct}%`;
  return {
    blocks: [
      text(summary, TERMINAL),
      heading(summary, MARKDOWN),
      tableBlock(providersTable(r)),
      text(note, ["table", "markdown"]),
      ...(flagged ? [text(`--flagged: ${lines.length} of ${r.rows.length} line(s)`, ["table", "markdown"])] : []),
      // In markdown the --flagged line is the table's caption, right above it.
      { ...tableBlock(linesTable(lines), lines.length ? undefined : ["csv", "markdown"]), gap: flagged ? 0 : 1 },
      ...statedBlocks(stated, r.tolerancePct),
      ...(stated.length ? [{ ...text(`stated cost vs computed, per model (rows with both; tolerance ${r.tolerancePct}%)`, MARKDOWN), gap: 2 }] : []),
      tableBlock(statedTable(stated), stated.length ? ["csv", "markdown"] : ["csv"]),
    ],
    csvKeys: [
      "day",
      "provider",
      "model",
      "billed_usd",
      "computed_usd",
      "logged_usd",
      "attributed_usd",
      "unattributed_usd",
      "delta_usd",
      "delta_share",
      "coverage_share",
      "compared_with",
      "flagged",
      "flagged_lines",
      "rows",
      "stated_usd",
      "stated_diff_share",
    ],
  };
}

const usdOr = (v: string | null) => (v === null ? "—" : usd(v));
