import { envelope } from "../output/envelope.js";
import { type Column, csv, fitText, type Format, int, json, markdown, pct, shareNumber, table, usd, usdNumber } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import type { SimulateJsonT } from "../schemas/simulate.js";
import { SWEEP } from "../tactics/semantic-cache.js";
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
    monthly: o.monthly ? { factor: `${r.monthlyFactor.num}/${r.monthlyFactor.den}`, baselineUsd: m(r.baselineUsd), finalUsd: m(r.finalUsd), savedUsd: m(r.savedUsd) } : null,
    features: r.features.map((f) => ({ ...f, baselineUsd: money(f.baselineUsd), projectedUsd: money(f.projectedUsd), savedUsd: money(f.savedUsd), savedPct: Number(f.savedPct.toFixed(6)) })),
    selfHost: o.selfHost
      ? { ...o.selfHost, selfHostMonthlyUsd: money(o.selfHost.selfHostMonthlyUsd), apiMonthlyUsd: money(o.selfHost.apiMonthlyUsd), monthlyDeltaUsd: money(o.selfHost.monthlyDeltaUsd), breakEvenMonthlyUsd: money(o.selfHost.breakEvenMonthlyUsd), costPerHourUsd: money(o.selfHost.costPerHourUsd) }
      : null,
  };
}

/**
 * The CSV: one table, its `table` column naming the part. `steps`: the baseline, each tactic (cost after it, saved,
 * saved share of the cost before it, requests affected) and the total (saved share of the baseline); `features`:
 * each feature's baseline, projected cost and saving. Dollars and shares as numbers; monthly columns with --monthly.
 */
export function simCsv(o: SimOutput): string {
  const r = o.result;
  const m = (v: string) => (o.monthly ? usdNumber(monthly(v, r.monthlyFactor)) : null);
  const head = ["table", "name", "baseline_usd", "cost_usd", "saved_usd", "saved_share", "requests", "unpriced_requests", "monthly_cost_usd", "monthly_saved_usd"];
  const rows: unknown[][] = [
    ["steps", "baseline", usdNumber(r.baselineUsd), usdNumber(r.baselineUsd), null, null, r.requests, r.unpricedRequests, m(r.baselineUsd), null],
    ...r.steps.map((s) => ["steps", s.tactic, null, usdNumber(s.costUsd), usdNumber(s.savedUsd), shareNumber(s.savedPct), s.affectedRequests, null, m(s.costUsd), m(s.savedUsd)]),
    ["steps", "total", usdNumber(r.baselineUsd), usdNumber(r.finalUsd), usdNumber(r.savedUsd), shareNumber(r.savedPct), r.requests, r.unpricedRequests, m(r.finalUsd), m(r.savedUsd)],
    ...r.features.map((f) => ["features", f.feature, usdNumber(f.baselineUsd), usdNumber(f.projectedUsd), usdNumber(f.savedUsd), shareNumber(f.savedPct), null, f.unpricedRequests, m(f.projectedUsd), m(f.savedUsd)]),
  ];
  return csv(head, rows);
}

export function renderSim(o: SimOutput, format: Format, catalog: Catalog): string {
  if (format === "json") return json(simJson(o, catalog));
  if (format === "csv") return simCsv(o);
  const r = o.result;
  const mcol = (v: string) => (o.monthly ? [usd(monthly(v, r.monthlyFactor))] : []);
  const head = ["Step", "Cost", "Saved", "Saved % of cost before", "Requests affected", ...(o.monthly ? [`Per month (×30/${r.monthlyFactor.den} days)`] : [])];
  const rows: string[][] = [
    ["baseline", usd(r.baselineUsd), "", "", int(r.requests), ...mcol(r.baselineUsd)],
    ...r.steps.map((s) => [`after ${s.tactic}`, usd(s.costUsd), usd(s.savedUsd), pct(s.savedPct), int(s.affectedRequests), ...mcol(s.costUsd)]),
    ["total saved (% of baseline)", usd(r.finalUsd), usd(r.savedUsd), pct(r.savedPct), "", ...mcol(r.savedUsd)],
  ];
  const fHead = ["Feature", "Baseline", "Projected", "Saved", "Saved % of feature"];
  const fRows = r.features.map((f) => [f.unpricedRequests ? `${f.feature} (${int(f.unpricedRequests)} unpriced)` : f.feature, usd(f.baselineUsd), usd(f.projectedUsd), usd(f.savedUsd), pct(f.savedPct)]);
  const align: ("left" | "right")[] = ["left", "right", "right", "right", "right", "right"];
  if (format === "markdown") {
    return `**Simulated savings: ${usd(r.savedUsd)} (${pct(r.savedPct)} of the baseline) on ${int(r.requests)} requests over ${r.window.days} day(s)** _(estimate)_\n\n${markdown(head, rows, align)}\n${markdown(fHead, fRows, align)}\n${notes(r, "- ")}${assumptionsText(o, "- ")}`;
  }
  const header = `Simulation (estimate) on ${int(r.requests)} requests · ${r.window.firstTs?.slice(0, 10)} → ${r.window.lastTs?.slice(0, 10)} (${r.window.days} day${r.window.days === 1 ? "" : "s"})`;
  const unpriced = r.unpricedRequests ? `\n${int(r.unpricedRequests)} unpriced requests are outside every figure (see \`llmcost pricing check\`).` : "";
  const evidence = r.steps.flatMap((s) => [...(s.note ? [`  ${s.tactic}: ${s.note}`] : []), ...s.evidence.slice(0, 5).map((e) => `  ${s.tactic} · ${e.feature}: ${e.text}`)]);
  const self = o.selfHost ? `\n${selfHostText(o.selfHost)}\n` : "";
  const hits = hitRates(r);
  // On a narrow terminal the headers and step names wrap; then the requests column goes, then the shares, then the
  // monthly figures. Step, Cost and Saved stay.
  const hides: (number | undefined)[] = [undefined, undefined, undefined, 2, 3, 1];
  const cols: Column[] = head.map((h, i) => ({ head: h, align: align[i], ...(i === 0 ? { min: 16, shrink: "wrap" as const } : {}), ...(hides[i] ? { priority: hides[i] } : {}) }));
  const fCols: Column[] = fHead.map((h, i) => ({ head: h, align: align[i], ...(i === 0 ? { min: 16 } : {}), ...(i === 4 ? { priority: 1 } : {}) }));
  return fitText(`${header}\n${table(cols, rows)}\n${table(fCols, fRows)}\n${hits}${evidence.length ? `Evidence:\n${evidence.join("\n")}\n` : ""}${assumptionsText(o, "  - ")}${self}${unpriced}\n`);
}

/** The cache steps' hit rates (the semantic cache with its threshold sweep), for the table output. */
function hitRates(r: SimOutput["result"]): string {
  const rate = (x: unknown) => pct(Number(x ?? 0));
  const lines = r.steps.flatMap((s) => {
    const d = s.details;
    if (s.tactic === "cache") return [`  cache: ${rate(d.hitRate)} of ${int(r.requests)} requests hit (TTL ${int(Number(d.ttlSeconds))}s)`];
    if (s.tactic !== "semantic-cache") return [];
    const sweep = SWEEP.map((t) => `${t}: ${rate(d[`hitRateAt${t}`])}`).join(" · ");
    return [`  semantic-cache: ${rate(d.hitRate)} of ${int(Number(d.considered))} requests considered hit at ${String(d.threshold)} (${String(d.similarity)}); sweep ${sweep}`];
  });
  return lines.length ? `Hit rates:\n${lines.join("\n")}\n` : "";
}

/** Why a tactic changed nothing (for the formats without an evidence list). */
function notes(r: SimResult, bullet: string): string {
  const lines = r.steps.filter((s) => s.note).map((s) => `${bullet}${s.tactic}: ${s.note}`);
  return lines.length ? `Notes:\n${lines.join("\n")}\n\n` : "";
}

function assumptionsText(o: SimOutput, bullet: string): string {
  const lines = o.result.steps.flatMap((s) => s.assumptions.map((a) => `${bullet}${s.tactic}: ${a}`));
  const m = o.monthly ? [`${bullet}monthly: observed ${o.result.window.days} day(s) scaled to a 30-day month`] : [];
  return `Assumptions:\n${[...lines, ...m, `${bullet}prices: the epoch in force at each request's timestamp; tokens unchanged except where a tactic says so`].join("\n")}\n`;
}

function selfHostText(s: SelfHost): string {
  const verdict =
    Number(s.monthlyDeltaUsd) > 0
      ? `self-hosting saves ${usd(s.monthlyDeltaUsd)}/month`
      : `the API is cheaper by ${usd(s.monthlyDeltaUsd.replace("-", ""))}/month`;
  return `Self-host: ${s.instances} always-on instance(s) at ${usd(s.costPerHourUsd)}/h and ${int(s.tokensPerSec)} tokens/s = ${usd(s.selfHostMonthlyUsd)}/month for ${int(s.tokensPerMonth)} tokens/month, against ${usd(s.apiMonthlyUsd)}/month of API spend: ${verdict}. One instance breaks even above ${usd(s.breakEvenMonthlyUsd)}/month of API spend.`;
}
