import { envelope } from "../output/envelope.js";
import { mulFrac } from "../money.js";
import { type Column, csv, fitText, type Format, json, markdown, plainText, table, usd, usdNumber, usdSigned } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import type { BudgetFiltersT, BudgetJsonT, CHECK_UNITS } from "../schemas/budget.js";
import { ageText, type Check, parseDuration } from "./checks.js";
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
/** On a narrow terminal: the detail and the change wrap, scopes and features are shortened in the middle. */
const COLS: Column[] = [
  { head: "Status" },
  { head: "Check", min: 12 },
  { head: "Scope", min: 10 },
  { head: "Actual", min: 8, shrink: "wrap" },
  { head: "Limit", min: 8, shrink: "wrap" },
  { head: "Detail", min: 16, shrink: "wrap" },
];
const PLAN_COLS: Column[] = [{ head: "Feature", min: 16 }, { head: "Change", min: 16, shrink: "wrap" }, { head: "Now /month" }, { head: "Planned /month" }, { head: "Delta" }];

/** The markdown for a PR: what GitHub shows in the job summary. */
export function summaryMarkdown(r: BudgetResult): string {
  const bad = failed(r);
  const title = bad.length ? `### ❌ LLM budget: ${bad.length} of ${r.checks.length} checks failed` : `### ✅ LLM budget: all ${r.checks.length} checks passed`;
  const facts = `${dataAge(r)} · latest complete day **${r.refDay}**: ${usd(r.dayUsd)} · month to date ${usd(r.mtdUsd)} · projected month ${usd(r.projectedUsd)} (${r.source === "requests" ? "request logs" : "provider exports"})`;
  const plan = r.plan.length ? `\n#### Plan\n\n${markdown(PLAN_HEAD, planRows(r), ["left", "left", "right", "right", "right"])}` : "";
  return `${title}\n\n${facts}\n\n${markdown(HEAD, rows(r).map((x) => [x[0] === "ok" ? "✅" : "❌", ...x.slice(1)]), ["left", "left", "left", "right", "right", "left"])}${plan}\n`;
}

/** A spike's limit as dollars: the factor × the 7-day median, exactly. */
function spikeLimit(limit: string): string | null {
  const m = /^(\d+)(?:\.(\d+))?× median ([\d.]+)$/.exec(limit);
  if (!m) return null;
  const frac = m[2] ?? "";
  return mulFrac(m[3]!, BigInt(`${m[1]}${frac}`), 10n ** BigInt(frac.length));
}

/** A check's actual and limit as numbers, with their unit (dollars, hours or percent). */
function checkCells(c: Check, r: BudgetResult): [number | null, number | null, (typeof CHECK_UNITS)[number]] {
  if (c.kind === "freshness") return [Number(r.ageHours.toFixed(2)), parseDuration(c.limit, "--max-age").hours, "hours"];
  if (c.kind === "unpriced") return [Number(c.actual), Number(c.limit), "percent"];
  if (c.kind === "spike") return [usdNumber(c.actual), usdNumber(spikeLimit(c.limit)), "usd/day"];
  const m = /^([\d.]+)(?:\/(day|month))?$/.exec(c.limit);
  const period = (m?.[2] as "day" | "month" | undefined) ?? (c.kind === "daily" ? "day" : "month");
  return [usdNumber(c.actual), m ? usdNumber(m[1]!) : null, `usd/${period}`];
}

/** The CSV: one table, its `table` column naming the part (`checks`, then `plan`); numbers as numbers, none as empty. */
function budgetCsv(r: BudgetResult): string {
  const head = ["table", "ok", "check", "scope", "actual", "limit", "unit", "detail", "change", "current_monthly_usd", "planned_monthly_usd", "delta_monthly_usd"];
  const checks = r.checks.map((c) => ["checks", c.ok, c.kind, c.scope, ...checkCells(c, r), plainText(c.detail), null, null, null, null]);
  const plan = r.plan.map((p) => ["plan", null, null, p.feature, null, null, null, null, p.change, usdNumber(p.currentMonthlyUsd), usdNumber(p.plannedMonthlyUsd), usdNumber(p.deltaMonthlyUsd)]);
  return csv(head, [...checks, ...plan]);
}

/** The JSON document: a check's actual and limit are numbers in its unit (dollars, hours or percent), as in the CSV. */
export function budgetJson(r: BudgetResult, catalog: Catalog, filters: BudgetFiltersT): BudgetJsonT {
  return {
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
    checks: r.checks.map((c) => {
      const [actual, limit, unit] = checkCells(c, r);
      return { kind: c.kind, scope: c.scope, actual, limit, unit, ok: c.ok, detail: c.detail };
    }),
    plan: r.plan.map((p) => ({ ...p, currentMonthlyUsd: usdNumber(p.currentMonthlyUsd), plannedMonthlyUsd: usdNumber(p.plannedMonthlyUsd), deltaMonthlyUsd: usdNumber(p.deltaMonthlyUsd) })),
  };
}

export function renderBudget(r: BudgetResult, format: Format, catalog: Catalog, filters: BudgetFiltersT): string {
  if (format === "json") return json(budgetJson(r, catalog, filters));
  if (format === "csv") return budgetCsv(r);
  if (format === "markdown") return summaryMarkdown(r);
  const head = `Budget check · ${dataAge(r)} · latest complete day ${r.refDay}: ${usd(r.dayUsd)} · month to date ${usd(r.mtdUsd)} · projected ${usd(r.projectedUsd)}`;
  const plan = r.plan.length ? `Plan (monthly, from the last 30 days of each feature's traffic):\n${table(PLAN_COLS, planRows(r))}\n` : "";
  return fitText(`${head}\n${r.checks.length ? `${table(COLS, rows(r))}\n` : ""}${plan}`);
}
