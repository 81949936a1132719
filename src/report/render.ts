import { bar, sparkline } from "../output/chart.js";
import { envelope, type PricingId } from "../output/envelope.js";
import { type Cell, type Doc, type DocColumn, type DocFormat, emit, heading, note, PEOPLE, subtitle, tableBlock, text } from "../output/document.js";
import { colors, type Format, int, json, pct, usd, usdNumber } from "../output/format.js";
import type { ReportJsonT } from "../schemas/report.js";
import type { Report, ReportQuery, ReportRow } from "./types.js";
import { TIME_DIMENSIONS } from "./dims.js";
import { NOTHING_INGESTED } from "./shape.js";
import { addDays, DATE } from "./window.js";

const BASIS_LABEL = { "request logs": "request logs", "usage exports": "provider usage exports", "cost exports": "cost exports (the bill)" } as const;

const cacheWrite = (r: ReportRow) => r.tokens.cacheWrite5m + r.tokens.cacheWrite1h;

/** Cost cell: priced dollars, flagged when some of the row has no price, and `*` when some of it is provisional. */
function costCell(r: ReportRow): string {
  const mark = r.provisional ? " *" : "";
  if (r.unpriced.rows === 0) return `${usd(r.costUsd)}${mark}`;
  return `${r.unpriced.rows > 0 && Number(r.costUsd) === 0 ? "unpriced" : `${usd(r.costUsd)} +unpriced`}${mark}`;
}

/** What the `*` of a cost cell means (also said on stderr): buckets the provider may still revise. */
export function provisionalNote(report: Report): string | null {
  const p = report.totals.provisional;
  if (!p) return null;
  return `* provisional: ${int(p.rows)} row(s), ${usd(p.costUsd)}, are from buckets that end after their export's data_refreshed_at (not final yet; the provider may revise them: ingest a later export to replace them)`;
}

/** The part of an allocated bill that went by logged tokens, because its request logs have no cost (unpriced). */
export function tokenAllocationNote(report: Report): string | null {
  const t = report.allocatedByTokens;
  if (!t) return null;
  return `${usd(t.usd)} of the bill (${t.models.join(", ")}) has request logs but no request-log cost (unpriced): allocated to features by their logged tokens instead`;
}

/** "model=gpt-4o matched gpt-4o-2024-08-06, gpt-4o-2024-11-20": what a typed model name selected. */
export function matchedNote(report: Report): string | null {
  if (!report.matched.length) return null;
  return report.matched.map((m) => `model=${m.name} matched ${m.matched.join(", ")}`).join(" · ");
}

export function unpricedNote(report: Report): string | null {
  const u = report.totals.unpriced;
  if (u.rows === 0) return null;
  return `unpriced: ${int(u.requests)} requests, ${int(u.tokens)} tokens (${u.models.join(", ")}) are not in the totals; add prices with --pricing FILE or pricing.overrides (see \`llmcost pricing check\`)`;
}

function title(report: Report): string {
  const w = report.window;
  // Dates in the report's zone (the window's local days), as its day rows are.
  const from = w.since ?? w.days[0] ?? w.firstTs?.slice(0, 10) ?? "…";
  // The arrow ends on the last day included, as without --until; a datetime --until is shown as the exclusive bound.
  const to = w.until ? (DATE.test(w.until) ? addDays(w.until, -1) : w.until) : (w.days[w.days.length - 1] ?? w.lastTs?.slice(0, 10) ?? "…");
  const zone = w.until && !DATE.test(w.until) ? `${w.tz}, end exclusive` : w.tz;
  const asOf = report.pricingMode === "repriced" ? " · repriced" : "";
  const source = report.allocatedFrom ? `the bill (${report.allocatedFrom}) allocated by request-log cost per day and model` : BASIS_LABEL[report.basis];
  return `Spend by ${report.by.join(" × ")} · ${source} · ${from} → ${to} (${zone})${asOf}`;
}

export function renderReport(report: Report, format: Format, catalog: PricingId, q: ReportQuery): string {
  return format === "json" ? json(reportJson(report, catalog, q)) : emit(reportDocument(report, q), format);
}

/** The report for people and spreadsheets: headline, scope, the Pareto table, totals and caveats. */
export function reportDocument(report: Report, q: ReportQuery, fixedShares = true): Doc {
  const c = colors();
  // Cost exports are the bill: amounts without token counts, so their tables show no token columns.
  const bill = report.basis === "cost exports" && report.allocatedFrom === null;
  // A sparkline of a row that is itself a time bucket would show that one bucket: only other rows get one.
  const withTrend = q.chart && !report.by.some((d) => TIME_DIMENSIONS.includes(d));
  // The share bar's scale: the widest row's share (once, not once per row drawn).
  let maxShare = 0;
  for (const r of report.rows) maxShare = Math.max(maxShare, r.share);
  const tokens = (key: string, head: string, priority: number, only?: readonly DocFormat[]): DocColumn => ({
    key,
    head,
    type: "count",
    fit: { priority },
    ...(only ? { only } : {}),
  });
  const columns: DocColumn[] = [
    ...report.by.map(
      (d): DocColumn => ({
        key: d,
        head: d.toUpperCase(),
        type: "text",
        ...(TIME_DIMENSIONS.includes(d) ? {} : { fit: { min: d === "model" ? 20 : 16, shrink: "middle" as const } }),
      }),
    ),
    tokens("requests", "Requests", 3, bill ? ["csv"] : undefined),
    tokens("input_tokens", "Input", 5, bill ? ["csv"] : undefined),
    tokens("cached_input_tokens", "Cached", 6, bill ? ["csv"] : undefined),
    tokens("cache_write_tokens", "Cache write", 7, bill ? [] : PEOPLE),
    tokens("cache_write_5m_tokens", "", 0, ["csv"]),
    tokens("cache_write_1h_tokens", "", 0, ["csv"]),
    tokens("output_tokens", "Output", 4, bill ? ["csv"] : undefined),
    tokens("reasoning_tokens", "", 0, ["csv"]),
    { key: "cost_usd", head: "Cost", type: "money" },
    { key: "share", head: "Share", type: "percent" },
    { key: "cumulative_share", head: "Cum.", type: "percent", fit: { priority: 2 } },
    tokens("unpriced_requests", "", 0, ["csv"]),
    tokens("unpriced_tokens", "", 0, ["csv"]),
    { key: "unpriced_models", head: "", type: "text", only: ["csv"] },
    {
      key: "share_bar",
      head: "",
      type: "text",
      only: ["table"],
      fit: { label: "share bar", priority: 8, min: 4, shrink: (i, w) => c.cyan(narrowBar(report.rows[i]!.share, w, maxShare)) },
    },
    ...(withTrend
      ? [
          {
            key: "daily",
            head: "Daily",
            type: "text",
            only: ["table"],
            fit: { priority: 1, min: 7, shrink: (i: number, w: number) => sparkline(resample((report.rows[i]!.daily ?? []).map(Number), w)) },
          } as const,
        ]
      : []),
  ];
  const share = (x: number): Cell => ({ value: fixedShares ? x.toFixed(6) : x, text: pct(x) });
  const rows = report.rows.map((r) => [
    ...report.by.map((d) => r.key[d]!),
    r.requests,
    r.tokens.input,
    r.tokens.cachedInput,
    cacheWrite(r),
    r.tokens.cacheWrite5m,
    r.tokens.cacheWrite1h,
    r.tokens.output,
    r.tokens.reasoning,
    { value: r.costUsd, text: costCell(r), ...(r.unpriced.rows ? { tone: "warn" as const } : {}) },
    share(r.share),
    share(r.cumulativeShare),
    r.unpriced.requests,
    r.unpriced.tokens,
    r.unpriced.models.join(" "),
    { value: null, text: bar(r.share, 16), tone: "accent" as const },
    ...(withTrend ? [sparkline((r.daily ?? []).map(Number))] : []),
  ]);
  const notes = [unpricedNote(report), provisionalNote(report)].filter((x) => x !== null).join("\n");
  const matched = matchedNote(report);
  const totals = bill
    ? `total billed: ${usd(report.totals.costUsd)}`
    : `total: ${usd(report.totals.costUsd)} · ${int(report.totals.requests)} ${report.totals.requests === 1 ? "request" : "requests"}`;
  return {
    blocks: [
      heading(report.headline.text),
      subtitle(title(report)),
      ...(matched ? [text(matched)] : []),
      ...(report.rows.length === 0 && report.headline.text !== NOTHING_INGESTED
        ? [text("no usage in this window (check --since/--until, --where and --source)", ["table"])]
        : []),
      tableBlock({ name: "report", columns, rows }),
      text(totals, ["table"]),
      ...(notes ? [note(notes, PEOPLE)] : []),
    ],
  };
}

/*
 * How the table gives way on a narrow terminal (the columns' `fit`): the dimensions and Cost, Share stay; the daily
 * chart (asked for) goes last, then Cum., Requests, Output, Input, Cached, Cache write, and the share bar first (it
 * narrows before it goes). Names are shortened in the middle; dates never.
 */

/** The share bar drawn in `width` cells at most, on the scale that fits the widest row (`max`, its share). */
function narrowBar(share: number, width: number, max: number): string {
  const cells = max > 0 ? Math.min(16, width / max) : width;
  return bar(share, Math.floor(cells * 8 - 1e-9) / 8);
}

/** Daily values summed into at most `width` equal runs of days, for a sparkline narrower than the window. */
function resample(values: readonly number[], width: number): number[] {
  const k = Math.ceil(values.length / Math.max(1, width));
  const out: number[] = [];
  for (let i = 0; i < values.length; i += k) out.push(values.slice(i, i + k).reduce((a, v) => a + v, 0));
  return out;
}

export function reportJson(report: Report, catalog: PricingId, q: ReportQuery): ReportJsonT {
  const row = (r: ReportRow) => ({
    key: r.key,
    requests: r.requests,
    tokens: r.tokens,
    costUsd: usdNumber(r.costUsd),
    share: Number(r.share.toFixed(6)),
    cumulativeShare: Number(r.cumulativeShare.toFixed(6)),
    unpriced: r.unpriced,
    ...(r.provisional ? { provisional: { rows: r.provisional.rows, costUsd: usdNumber(r.provisional.costUsd) } } : {}),
    ...(r.daily ? { daily: r.daily.map((d, i) => ({ day: report.window.days[i]!, costUsd: usdNumber(d) })) } : {}),
  });
  return {
    ...envelope("report", catalog, {
      by: q.by,
      since: q.since,
      until: q.until,
      where: q.where.map((w) => `${w.dim}=${w.value}`),
      top: q.top,
      tz: q.tz,
      source: q.source,
      pricingAsOf: q.pricingAsOf,
    }),
    source: report.source,
    basis: report.basis,
    pricingMode: report.pricingMode,
    allocatedFrom: report.allocatedFrom,
    window: report.window,
    headline: report.headline,
    trend: report.trend
      ? {
          ...report.trend,
          peakUsd: usdNumber(report.trend.peakUsd),
          meanPerDayUsd: usdNumber(report.trend.meanPerDayUsd),
          last7Usd: usdNumber(report.trend.last7Usd),
          prior7Usd: usdNumber(report.trend.prior7Usd),
          change: report.trend.change === null ? null : Number(report.trend.change.toFixed(6)),
        }
      : null,
    matched: report.matched,
    totals: {
      requests: report.totals.requests,
      tokens: report.totals.tokens,
      costUsd: usdNumber(report.totals.costUsd),
      unpriced: report.totals.unpriced,
      ...(report.totals.provisional ? { provisional: { rows: report.totals.provisional.rows, costUsd: usdNumber(report.totals.provisional.costUsd) } } : {}),
    },
    rows: report.rows.map(row),
  };
}
