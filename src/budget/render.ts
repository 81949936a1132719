import { envelope } from "../output/envelope.js";
import { csv, type Format, json, markdown, table, usd, usdNumber, usdSigned } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import { ageText, type Check } from "./checks.js";
import { type BudgetResult, failed } from "./collect.js";

const money = (kind: Check["kind"], v: string) => (kind === "unpriced" ? `${v}%` : kind === "freshness" ? `${v} old` : usd(v));
const limitText = (c: Check) => {
  if (c.kind === "unpriced") return `${c.limit}%`;
  if (c.kind === "freshness") return `${c.limit} old`;
  const m = /^([\d.]+)(\/(?:day|month))?$/.exec(c.limit);
  return m ? `${usd(m[1]!)}${m[2] ?? ""}` : c.limit.replace(/median ([\d.]+)/, (_, v: string) => `median ${usd(v)}`);
};

/** "data through 2025-11-28T23:10:00Z (361 days old)": what the gate's numbers are as of. */
const dataAge = (r: BudgetResult) => `data through ${r.newestTs} (${ageText(r.ageHours)} old)`;

export function verdict(r: BudgetResult): string {
  const bad = failed(r);
  if (r.checks.length === 0) return "budget: no checks ran";
  return bad.length === 0
    ? `budget: OK (${r.checks.length} check${r.checks.length === 1 ? "" : "s"} passed)`
    : `budget: FAILED (${bad.length} of ${r.checks.length}: ${bad.map((c) => `${c.kind} ${c.scope}`).join(", ")})`;
}

function rows(r: BudgetResult): string[][] {
  return r.checks.map((c) => [c.ok ? "ok" : "FAIL", c.kind, c.scope, money(c.kind, c.actual), limitText(c), c.detail]);
}

function planRows(r: BudgetResult): string[][] {
  return r.plan.map((p) => [p.feature, p.change, usd(p.currentMonthlyUsd), usd(p.plannedMonthlyUsd), `${usdSigned(p.deltaMonthlyUsd)}/month`]);
}
const HEAD = ["Status", "Check", "Scope", "Actual", "Limit", "Detail"];
const PLAN_HEAD = ["Feature", "Change", "Now /month", "Planned /month", "Delta"];

/** The markdown for a PR: what GitHub shows in the job summary. */
export function summaryMarkdown(r: BudgetResult): string {
  const bad = failed(r);
  const title = bad.length ? `### ❌ LLM budget: ${bad.length} of ${r.checks.length} checks failed` : `### ✅ LLM budget: all ${r.checks.length} checks passed`;
  const facts = `${dataAge(r)} · latest complete day **${r.refDay}**: ${usd(r.dayUsd)} · month to date ${usd(r.mtdUsd)} · projected month ${usd(r.projectedUsd)} (${r.source === "requests" ? "request logs" : "provider exports"})`;
  const plan = r.plan.length ? `\n#### Plan\n\n${markdown(PLAN_HEAD, planRows(r), ["left", "left", "right", "right", "right"])}` : "";
  return `${title}\n\n${facts}\n\n${markdown(HEAD, rows(r).map((x) => [x[0] === "ok" ? "✅" : "❌", ...x.slice(1)]), ["left", "left", "left", "right", "right", "left"])}${plan}\n`;
}

export function renderBudget(r: BudgetResult, format: Format, catalog: Catalog, filters: Record<string, unknown>): string {
  if (format === "json") {
    return json({
      ...envelope("budget", catalog, filters),
      source: r.source,
      newestTs: r.newestTs,
      ageHours: Number(r.ageHours.toFixed(2)),
      matched: r.matched,
      refDay: r.refDay,
      monthStart: r.monthStart,
      daysElapsed: r.daysElapsed,
      daysInMonth: r.daysInMonth,
      dayUsd: usdNumber(r.dayUsd),
      monthToDateUsd: usdNumber(r.mtdUsd),
      projectedMonthUsd: usdNumber(r.projectedUsd),
      passed: failed(r).length === 0,
      checks: r.checks.map((c) => ({ ...c, actual: c.kind === "unpriced" ? Number(c.actual) : c.kind === "freshness" ? c.actual : usdNumber(c.actual) })),
      plan: r.plan.map((p) => ({ ...p, currentMonthlyUsd: usdNumber(p.currentMonthlyUsd), plannedMonthlyUsd: usdNumber(p.plannedMonthlyUsd), deltaMonthlyUsd: usdNumber(p.deltaMonthlyUsd) })),
    });
  }
  if (format === "csv") return csv(HEAD, rows(r)) + (r.plan.length ? `\n${csv(PLAN_HEAD, planRows(r))}` : "");
  if (format === "markdown") return summaryMarkdown(r);
  const head = `Budget check · ${dataAge(r)} · latest complete day ${r.refDay}: ${usd(r.dayUsd)} · month to date ${usd(r.mtdUsd)} · projected ${usd(r.projectedUsd)}`;
  const plan = r.plan.length ? `Plan (monthly, from the last 30 days of each feature's traffic):\n${table(PLAN_HEAD, planRows(r))}\n` : "";
  return `${head}\n${r.checks.length ? `${table(HEAD, rows(r))}\n` : ""}${plan}`;
}
