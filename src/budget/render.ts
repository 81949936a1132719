import { type Doc, type DocColumn, type DocFormat, type DocTable, emit, tableBlock, text } from "../output/document.js";
import { envelope, type PricingId } from "../output/envelope.js";
import { type Format, json, plainText, usd, usdNumber, usdSigned } from "../output/format.js";
import { compareDec, subDec } from "../money.js";
import type { BudgetFiltersT, BudgetJsonT } from "../schemas/budget.js";
import { ageText, type Check } from "./checks.js";
import { type BudgetResult, failed, PROVIDER_SCOPE } from "./collect.js";

/** A check's measure for people: `$3.98`, `12h old`, `1.53%`. */
function actualText(c: Check): string {
  switch (c.kind) {
    case "freshness":
      return `${ageText(c.actual)} old`;
    case "unpriced":
      return `${c.actual.toFixed(2)}%`;
    default:
      return usd(c.actual);
  }
}

/** A check's limit for people: `$10.00`, a cap with its period (`$60.00/month`), `3× median $0.59`, `2d old`, `1%`. */
function limitText(c: Check): string {
  switch (c.kind) {
    case "freshness":
      return `${c.limit.text} old`;
    case "unpriced":
      return `${c.limit}%`;
    case "spike":
      return `${c.factor}× median ${usd(c.median)}`;
    case "feature":
    case "model":
      return `${usd(c.limit)}/${c.unit === "usd/day" ? "day" : "month"}`;
    default:
      return usd(c.limit);
  }
}

/**
 * What a check measured over, in words, and for a dollar check the tokens of its scope that have no price (in no
 * sum): "spend on 2025-11-28; 14,022 tokens without a price, not in it".
 */
function detailText(c: Check, r: BudgetResult): string {
  const base = measuredOver(c, r);
  if (!("unpricedTokens" in c) || c.unpricedTokens === 0) return base;
  const n = c.unpricedTokens.toLocaleString("en");
  const priced = c.kind === "feature" || c.kind === "model" ? (c.unit === "usd/month" ? c.monthToDateUsd : c.actual) : c.actual;
  return compareDec(priced, "0") === 0
    ? `${base}; nothing priced: all ${n} tokens have no price, so the limit cannot be checked`
    : `${base}; ${n} tokens without a price, not in it`;
}

function measuredOver(c: Check, r: BudgetResult): string {
  switch (c.kind) {
    case "freshness":
      return `newest ${r.source === "requests" ? "request log" : "provider export"} row at ${r.newestTs}`;
    case "daily":
      return `spend on ${r.refDay}`;
    case "month-to-date":
      return `${r.monthStart} → ${r.refDay}`;
    case "projected-month": {
      const rate = c.scope === PROVIDER_SCOPE && r.provider ? r.provider : r;
      return rate.runRateFrom === r.monthStart
        ? `run rate over ${rate.daysElapsed} of ${r.daysInMonth} days`
        : `run rate over ${rate.daysElapsed} day(s) of data (from ${rate.runRateFrom}) × ${r.daysInMonth}`;
    }
    case "feature":
    case "model":
      return c.unit === "usd/day" ? `spend on ${r.refDay}` : `month to date ${usd(c.monthToDateUsd)}, projected ${usd(c.actual)}`;
    case "spike": {
      // A median of $0 with spend on some of the 7 days (a weekly job) is no new spend: said as it is.
      const what = Number.isFinite(c.ratio)
        ? `${c.ratio.toFixed(2)}× the 7-day median`
        : c.daysWithSpend === 0
          ? "new spend (7-day median is $0)"
          : `7-day median is $0 (spend on ${c.daysWithSpend} of the 7 days before)`;
      // Over the factor yet ok: the rise is under --spike-min. Said, so an ok never hides an actual over its limit.
      return c.ok && c.ratio >= c.factor ? `${what}, but up ${usd(subDec(c.actual, c.median))}: under --spike-min ${usd(c.floorUsd)}` : what;
    }
    case "unpriced":
      return "% of month-to-date tokens without a price";
    case "plan":
      return "monthly cost change of the plan";
  }
}

/** A check's actual and limit as numbers in its unit (dollars, hours or percent), as the JSON and the CSV hold them. */
function checkNumbers(c: Check): { actual: number | null; limit: number | null } {
  switch (c.kind) {
    case "freshness":
      return { actual: Number(c.actual.toFixed(2)), limit: c.limit.hours };
    case "unpriced":
      return { actual: Number(c.actual.toFixed(2)), limit: c.limit };
    default:
      return { actual: usdNumber(c.actual), limit: usdNumber(c.limit) };
  }
}

/** "data through 2025-11-28T23:10:00Z (361 days old)": what the gate's numbers are as of. */
const dataAge = (r: BudgetResult) => `data through ${r.newestTs} (${ageText(r.ageHours)} old)`;

export function verdict(r: BudgetResult): string {
  const bad = failed(r);
  if (r.checks.length === 0) return "budget: no checks ran";
  const line =
    bad.length === 0
      ? `budget: OK (${r.checks.length} check${r.checks.length === 1 ? "" : "s"} passed)`
      : `budget: FAILED (${bad.length} of ${r.checks.length}: ${bad.map((c) => `${c.kind} ${c.scope}`).join(", ")})`;
  // Never a silent pass on usage without a price: how much of what the dollar checks read is in no sum.
  const unpriced = Math.max(0, ...r.checks.map((c) => ("unpricedTokens" in c ? c.unpricedTokens : 0)));
  return unpriced > 0
    ? `${line}\nwarning: ${unpriced.toLocaleString("en")} tokens without a price are in no dollar sum above (add prices with --pricing FILE or pricing.overrides; --fail-on-unpriced 0 fails on any)`
    : line;
}

const TERMINAL: readonly DocFormat[] = ["table"];
const MARKDOWN: readonly DocFormat[] = ["markdown"];

/**
 * The checks: the terminal's status is `ok`/`FAIL`, the PR summary's ✅/❌, the CSV's `ok` true/false with each
 * measure's unit. On a narrow terminal the detail, actual and limit wrap, scopes are shortened in the middle.
 */
function checksTable(r: BudgetResult): DocTable {
  const wrap = (min: number) => ({ fit: { min, shrink: "wrap" as const } });
  const columns: DocColumn[] = [
    { key: "status", head: "Status", type: "text", only: TERMINAL },
    { key: "status", head: "Status", type: "text", only: MARKDOWN },
    { key: "ok", head: "", type: "boolean", only: ["csv"] },
    { key: "check", head: "Check", type: "text", fit: { min: 12 } },
    { key: "scope", head: "Scope", type: "text", fit: { min: 10 } },
    { key: "actual", head: "Actual", type: "number", ...wrap(8) },
    { key: "limit", head: "Limit", type: "number", ...wrap(8) },
    { key: "unit", head: "", type: "text", only: ["csv"] },
    { key: "detail", head: "Detail", type: "text", ...wrap(16) },
  ];
  const rows = r.checks.map((c) => {
    const n = checkNumbers(c);
    const detail = detailText(c, r);
    return [
      c.ok ? "ok" : "FAIL",
      c.ok ? "✅" : "❌",
      c.ok,
      c.kind,
      c.scope,
      { value: n.actual, text: actualText(c) },
      { value: n.limit, text: limitText(c) },
      c.unit,
      { value: plainText(detail), text: detail },
    ];
  });
  return { name: "checks", columns, rows, alignTerminal: false };
}

/** The plan's changes, monthly; its feature is the CSV's `scope`. On a narrow terminal the change wraps. */
function planTable(r: BudgetResult): DocTable {
  const columns: DocColumn[] = [
    { key: "scope", head: "Feature", type: "text", fit: { min: 16 } },
    { key: "change", head: "Change", type: "text", fit: { min: 16, shrink: "wrap" } },
    { key: "current_monthly_usd", head: "Now /month", type: "money" },
    { key: "planned_monthly_usd", head: "Planned /month", type: "money" },
    { key: "delta_monthly_usd", head: "Delta", type: "money" },
  ];
  const rows = r.plan.map((p) => [
    p.feature,
    p.change,
    p.currentMonthlyUsd,
    p.plannedMonthlyUsd,
    { value: p.deltaMonthlyUsd, text: `${usdSigned(p.deltaMonthlyUsd)}/month` },
  ]);
  return { name: "plan", columns, rows, alignTerminal: false };
}

/**
 * The gate's document: on the terminal a line of facts and the checks (then the plan); in markdown the summary a PR
 * shows (GitHub's job summary: a ✅/❌ title, ending with a blank line so the next step's summary starts apart); in
 * CSV the checks and the plan under one header (the plan's columns are there without a plan).
 */
export function budgetDocument(r: BudgetResult): Doc {
  const bad = failed(r);
  const basis = r.source === "requests" ? "request logs" : "provider exports";
  const plan = r.plan.length > 0;
  return {
    blocks: [
      text(
        `Budget check · ${dataAge(r)} · latest complete day ${r.refDay}: ${usd(r.dayUsd)} · month to date ${usd(r.mtdUsd)} · projected ${usd(r.projectedUsd)}`,
        TERMINAL,
      ),
      text(
        bad.length ? `### ❌ LLM budget: ${bad.length} of ${r.checks.length} checks failed` : `### ✅ LLM budget: all ${r.checks.length} checks passed`,
        MARKDOWN,
      ),
      text(
        `${dataAge(r)} · latest complete day **${r.refDay}**: ${usd(r.dayUsd)} · month to date ${usd(r.mtdUsd)} · projected month ${usd(r.projectedUsd)} (${basis})`,
        MARKDOWN,
      ),
      ...(r.billUsd === null
        ? []
        : [
            text(
              `the bill (cost exports) for ${r.monthStart} → ${r.refDay}: ${usd(r.billUsd)}; these checks read the request logs (month to date ${usd(r.mtdUsd)}), and \`llmcost reconcile\` compares the two`,
              [...TERMINAL, ...MARKDOWN],
            ),
          ]),
      tableBlock(checksTable(r), r.checks.length ? undefined : ["csv", "markdown"]),
      ...(plan ? [text("Plan (monthly, from the last 30 days of each feature's traffic):", TERMINAL), text("#### Plan", MARKDOWN)] : []),
      tableBlock(planTable(r), plan ? undefined : ["csv"]),
      { ...text("", MARKDOWN), gap: 0 },
    ],
  };
}

/** The markdown for a PR: what GitHub shows in the job summary. */
export const summaryMarkdown = (r: BudgetResult): string => emit(budgetDocument(r), "markdown");

/** The JSON document: a check's actual and limit are numbers in its unit (dollars, hours or percent), as in the CSV. */
export function budgetJson(r: BudgetResult, catalog: PricingId, filters: BudgetFiltersT): BudgetJsonT {
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
    checks: r.checks.map((c) => ({
      kind: c.kind,
      scope: c.scope,
      ...checkNumbers(c),
      unit: c.unit,
      ok: c.ok,
      ...("unpricedTokens" in c ? { unpricedTokens: c.unpricedTokens } : {}),
      detail: detailText(c, r),
    })),
    plan: r.plan.map((p) => ({
      ...p,
      currentMonthlyUsd: usdNumber(p.currentMonthlyUsd),
      plannedMonthlyUsd: usdNumber(p.plannedMonthlyUsd),
      deltaMonthlyUsd: usdNumber(p.deltaMonthlyUsd),
    })),
  };
}

export function renderBudget(r: BudgetResult, format: Format, catalog: PricingId, filters: BudgetFiltersT): string {
  return format === "json" ? json(budgetJson(r, catalog, filters)) : emit(budgetDocument(r), format);
}
