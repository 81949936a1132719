import { envelope } from "../output/envelope.js";
import { type Block, type Cell, type Doc, type DocColumn, emit, PEOPLE, tableBlock, text } from "../output/document.js";
import { type Format, int, json, pct, usd, usdNumber } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import type { SimulateJsonT } from "../schemas/simulate.js";
import { summaries } from "../tactics/registry.js";
import type { SelfHost } from "./self-host.js";
import { monthly, type SimResult } from "./simulate.js";

export interface SimOutput {
  result: SimResult;
  monthly: boolean;
  selfHost: SelfHost | null;
  filters: SimulateJsonT["filters"];
}

const money = usdNumber;

export function simJson(o: SimOutput, catalog: Catalog): SimulateJsonT {
  const r = o.result;
  const m = (v: string) => money(monthly(v, r.monthlyFactor));
  return {
    ...envelope("simulate", catalog, o.filters),
    estimate: true,
    window: r.window,
    requests: r.requests,
    unpricedRequests: r.unpricedRequests,
    baselineUsd: money(r.baselineUsd),
    steps: r.steps.map((s) => ({
      tactic: s.tactic,
      costUsd: money(s.costUsd),
      savedUsd: money(s.savedUsd),
      savedPct: Number(s.savedPct.toFixed(6)),
      affectedRequests: s.affectedRequests,
      assumptions: s.assumptions,
      evidence: s.evidence,
      details: s.details,
      note: s.note ?? null,
    })),
    finalUsd: money(r.finalUsd),
    savedUsd: money(r.savedUsd),
    savedPct: Number(r.savedPct.toFixed(6)),
    monthly: o.monthly
      ? { factor: `${r.monthlyFactor.num}/${r.monthlyFactor.den}`, baselineUsd: m(r.baselineUsd), finalUsd: m(r.finalUsd), savedUsd: m(r.savedUsd) }
      : null,
    features: r.features.map((f) => ({
      ...f,
      baselineUsd: money(f.baselineUsd),
      projectedUsd: money(f.projectedUsd),
      savedUsd: money(f.savedUsd),
      savedPct: Number(f.savedPct.toFixed(6)),
    })),
    selfHost: o.selfHost
      ? {
          ...o.selfHost,
          selfHostMonthlyUsd: money(o.selfHost.selfHostMonthlyUsd),
          apiMonthlyUsd: money(o.selfHost.apiMonthlyUsd),
          monthlyDeltaUsd: money(o.selfHost.monthlyDeltaUsd),
          breakEvenMonthlyUsd: money(o.selfHost.breakEvenMonthlyUsd),
          costPerHourUsd: money(o.selfHost.costPerHourUsd),
        }
      : null,
  };
}

export function renderSim(o: SimOutput, format: Format, catalog: Catalog): string {
  return format === "json" ? json(simJson(o, catalog)) : emit(simDocument(o), format);
}

/**
 * The waterfall for people and spreadsheets. Two tables (the CSV writes them as one, its `table` column naming the
 * part): `steps`, the baseline, each tactic (cost after it, saved, saved share of the cost before it, requests
 * affected) and the total (saved share of the baseline); `features`, each feature's baseline, projected cost and
 * saving. The CSV has dollars and shares as numbers, and monthly columns (empty without --monthly). Then the tactics'
 * own lines (hit rates), the evidence, notes and every assumption, for people.
 */
export function simDocument(o: SimOutput): Doc {
  const r = o.result;
  const m = (v: string) => (o.monthly ? monthly(v, r.monthlyFactor) : null);
  const moneyColumn = (key: string, head: string, only?: DocColumn["only"]): DocColumn => ({ key, head, type: "money", ...(only ? { only } : {}) });
  // On a narrow terminal the headers and step names wrap; then the requests column goes, then the shares, then the
  // monthly figures. Step, Cost and Saved stay.
  const stepColumns: DocColumn[] = [
    { key: "name", head: "Step", type: "text", fit: { min: 16, shrink: "wrap" } },
    moneyColumn("baseline_usd", "", ["csv"]),
    moneyColumn("cost_usd", "Cost"),
    moneyColumn("saved_usd", "Saved"),
    { key: "saved_share", head: "Saved % of cost before", type: "percent", fit: { priority: 2 } },
    { key: "requests", head: "Requests affected", type: "count", fit: { priority: 3 } },
    { key: "unpriced_requests", head: "", type: "count", only: ["csv"] },
    ...(o.monthly ? [{ ...moneyColumn("per_month", `Per month (×30/${r.monthlyFactor.den} days)`, PEOPLE), fit: { priority: 1 } }] : []),
    moneyColumn("monthly_cost_usd", "", ["csv"]),
    moneyColumn("monthly_saved_usd", "", ["csv"]),
  ];
  const perMonth = (v: string) => (o.monthly ? [m(v)] : []);
  const stepRows: (string | number | null | Cell)[][] = [
    ["baseline", r.baselineUsd, r.baselineUsd, null, null, r.requests, r.unpricedRequests, ...perMonth(r.baselineUsd), m(r.baselineUsd), null],
    ...r.steps.map((s) => [
      { value: s.tactic, text: `after ${s.tactic}` },
      null,
      s.costUsd,
      s.savedUsd,
      s.savedPct,
      s.affectedRequests,
      null,
      ...perMonth(s.costUsd),
      m(s.costUsd),
      m(s.savedUsd),
    ]),
    [
      { value: "total", text: "total saved (% of baseline)" },
      r.baselineUsd,
      r.finalUsd,
      r.savedUsd,
      r.savedPct,
      { value: r.requests, text: "" },
      r.unpricedRequests,
      // The cost per month, as on every other row (the monthly saving is said under the table).
      ...perMonth(r.finalUsd),
      m(r.finalUsd),
      m(r.savedUsd),
    ],
  ];
  const featureColumns: DocColumn[] = [
    { key: "name", head: "Feature", type: "text", fit: { min: 16 } },
    moneyColumn("baseline_usd", "Baseline"),
    moneyColumn("cost_usd", "Projected"),
    moneyColumn("saved_usd", "Saved"),
    { key: "saved_share", head: "Saved % of feature", type: "percent", fit: { priority: 1 } },
    { key: "unpriced_requests", head: "", type: "count", only: ["csv"] },
    moneyColumn("monthly_cost_usd", "", ["csv"]),
    moneyColumn("monthly_saved_usd", "", ["csv"]),
  ];
  const featureRows = r.features.map((f) => [
    { value: f.feature, text: f.unpricedRequests ? `${f.feature} (${int(f.unpricedRequests)} unpriced)` : f.feature },
    f.baselineUsd,
    f.projectedUsd,
    f.savedUsd,
    f.savedPct,
    f.unpricedRequests,
    m(f.projectedUsd),
    m(f.savedUsd),
  ]);
  const days = `${r.window.days} day${r.window.days === 1 ? "" : "s"}`;
  const evidence = r.steps.flatMap((s) => [
    ...(s.note ? [`${s.tactic}: ${s.note}`] : []),
    ...s.evidence.slice(0, 5).map((e) => `${s.tactic} · ${e.feature}: ${e.text}`),
    // The rest are in --format json (every feature's evidence); the table says how many it leaves out.
    ...(s.evidence.length > 5 ? [`${s.tactic}: ${s.evidence.length - 5} more (--format json lists them all)`] : []),
  ]);
  const notes = r.steps.filter((s) => s.note).map((s) => `${s.tactic}: ${s.note}`);
  const list = (title: string, items: readonly string[], only: DocColumn["only"], bullets = true): Block[] =>
    items.length ? [{ kind: "list", title, items, bullets, ...(only ? { only } : {}) }] : [];
  return {
    blocks: [
      text(`Simulation (estimate) on ${int(r.requests)} requests · ${r.window.firstTs?.slice(0, 10)} → ${r.window.lastTs?.slice(0, 10)} (${days})`, ["table"]),
      text(
        `**Simulated savings: ${usd(r.savedUsd)} (${pct(r.savedPct)} of the baseline) on ${int(r.requests)} requests over ${r.window.days} day(s)** _(estimate)_`,
        ["markdown"],
      ),
      tableBlock({ name: "steps", columns: stepColumns, rows: stepRows }),
      tableBlock({ name: "features", columns: featureColumns, rows: featureRows }),
      ...summaries(r.steps, r).flatMap((s) => list(`${s.section}:`, s.lines, ["table"], false)),
      ...list("Evidence:", evidence, ["table"], false),
      // Markdown has no evidence list: why a tactic changed nothing stands on its own there.
      ...list("Notes:", notes, ["markdown"]),
      ...list("Assumptions:", assumptions(o), PEOPLE),
      ...tail(o),
    ],
  };
}

/** After the assumptions on the terminal: a blank line, the self-host comparison, the unpriced requests left out. */
function tail(o: SimOutput): Block[] {
  const r = o.result;
  const lines = [
    "",
    ...(o.selfHost ? [selfHostText(o.selfHost), ""] : []),
    ...(r.unpricedRequests ? [`${int(r.unpricedRequests)} unpriced requests are outside every figure (see \`llmcost pricing check\`).`] : []),
  ];
  return lines.map((l) => text(l, ["table"]));
}

function assumptions(o: SimOutput): string[] {
  const lines = o.result.steps.flatMap((s) => s.assumptions.map((a) => `${s.tactic}: ${a}`));
  const r = o.result;
  const month = (v: string) => usd(monthly(v, r.monthlyFactor));
  const m = o.monthly
    ? [`monthly: observed ${r.window.days} day(s) scaled to a 30-day month: ${month(r.baselineUsd)} → ${month(r.finalUsd)}, ${month(r.savedUsd)} saved a month`]
    : [];
  return [...lines, ...m, "prices: the epoch in force at each request's timestamp; tokens unchanged except where a tactic says so"];
}

function selfHostText(s: SelfHost): string {
  const verdict =
    Number(s.monthlyDeltaUsd) > 0
      ? `self-hosting saves ${usd(s.monthlyDeltaUsd)}/month`
      : `the API is cheaper by ${usd(s.monthlyDeltaUsd.replace("-", ""))}/month`;
  return `Self-host: ${s.instances} always-on instance(s) at ${usd(s.costPerHourUsd)}/h and ${int(s.tokensPerSec)} tokens/s = ${usd(s.selfHostMonthlyUsd)}/month for ${int(s.tokensPerMonth)} tokens/month, against ${usd(s.apiMonthlyUsd)}/month of API spend: ${verdict}. One instance breaks even above ${usd(s.breakEvenMonthlyUsd)}/month of API spend.`;
}
