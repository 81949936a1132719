import { loadContext } from "../context.js";
import type { SavingsFlagsT } from "../flags/reports.js";
import { compareDec } from "../money.js";
import { envelope } from "../output/envelope.js";
import { type Doc, type DocColumn, emit, PEOPLE, tableBlock, text } from "../output/document.js";
import { type Format, json, plainText, usd, usdNumber } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import type { SavingsJsonT } from "../schemas/savings.js";
import { parseWindow } from "../report/window.js";
import { monthly, simulate } from "../sim/simulate.js";
import type { Db } from "../store/db.js";
import { openForRead } from "../store/open.js";
import { playbookTactics } from "../tactics/registry.js";
import type { Tactic } from "../tactics/types.js";
import { stdout } from "../io.js";

export interface Opportunity {
  feature: string;
  tactic: string;
  monthlyUsd: string;
  savedUsd: string;
  shareOfFeature: number;
  evidence: string;
}

export interface SavingsResult {
  window: { firstTs: string | null; lastTs: string | null; days: number };
  baselineMonthlyUsd: string;
  opportunities: Opportunity[];
  /** Why a tactic found nothing, for each tactic that affected no request. */
  notes: string[];
  assumptions: string[];
}

/**
 * The default playbook (the registry's), in playbook order, with the config's prompt-cache prefix share: each is
 * measured alone on the current traffic. (The HTML report composes them.)
 */
export function defaultTactics(catalog: Catalog, prefixShare: number): Tactic[] {
  return playbookTactics(catalog, { promptCache: { prefixShare } });
}

export async function collectSavings(
  db: Db,
  catalog: Catalog,
  ctx: ReturnType<typeof loadContext>,
  scope: Parameters<typeof simulate>[3],
): Promise<SavingsResult> {
  const tactics = playbookTactics(catalog, ctx.config.tactics ?? {});
  const opportunities: Opportunity[] = [];
  const notes: string[] = [];
  let base: Awaited<ReturnType<typeof simulate>> | null = null;
  for (const tactic of tactics) {
    const r = await simulate(db, catalog, ctx.config, scope, [tactic]);
    base ??= r;
    const step = r.steps[0]!;
    if (step.note) notes.push(`${tactic.name}: ${step.note}`);
    for (const f of r.features) {
      if (compareDec(f.savedUsd, "0") <= 0) continue;
      opportunities.push({
        feature: f.feature,
        tactic: tactic.name,
        savedUsd: f.savedUsd,
        monthlyUsd: monthly(f.savedUsd, r.monthlyFactor),
        shareOfFeature: f.savedPct,
        evidence: step.evidence.find((e) => e.feature === f.feature)?.text ?? "",
      });
    }
  }
  opportunities.sort((a, b) => compareDec(b.monthlyUsd, a.monthlyUsd) || a.feature.localeCompare(b.feature));
  const days = base?.window.days ?? 0;
  return {
    window: { firstTs: base?.window.firstTs ?? null, lastTs: base?.window.lastTs ?? null, days: base?.window.days ?? 0 },
    baselineMonthlyUsd: base ? monthly(base.baselineUsd, base.monthlyFactor) : "0",
    opportunities,
    notes,
    assumptions: [
      ...tactics.flatMap((x) => x.assumptions.map((a) => `${x.name}: ${a}`)),
      "each opportunity is measured alone on current traffic; they overlap, so use `llmcost simulate` to compose them",
      `per month: the ${dayCount(days)} observed scaled to 30 days` +
        (days > 0 && days < 7 ? "; under a week of traffic shows no weekly pattern (weekends, weekly jobs), so the monthly figures are rough" : ""),
    ],
  };
}

/** The JSON document: every opportunity (a limit is for the tables only). */
export function savingsJson(r: SavingsResult, catalog: Catalog, filters: SavingsJsonT["filters"]): SavingsJsonT {
  return {
    ...envelope("savings", catalog, filters),
    estimate: true,
    window: r.window,
    baselineMonthlyUsd: usdNumber(r.baselineMonthlyUsd),
    opportunities: r.opportunities.map((o) => ({
      ...o,
      monthlyUsd: usdNumber(o.monthlyUsd),
      savedUsd: usdNumber(o.savedUsd),
      shareOfFeature: Number(o.shareOfFeature.toFixed(6)),
    })),
    notes: r.notes,
    assumptions: r.assumptions,
  };
}

const dayCount = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

export function renderSavings(r: SavingsResult, format: Format, catalog: Catalog, filters: SavingsJsonT["filters"], limit = Infinity): string {
  return format === "json" ? json(savingsJson(r, catalog, filters)) : emit(savingsDocument(r, limit), format);
}

/** The ranking for people and spreadsheets: the title, the top `limit` opportunities, why tactics found none, the assumptions. */
export function savingsDocument(r: SavingsResult, limit = Infinity, withAssumptions = true): Doc {
  const ops = r.opportunities.slice(0, limit);
  // On a narrow terminal: the evidence wraps, then the rank and the share of the feature go. The CSV is data: the
  // dollars over the observed window too, and evidence without thousands separators.
  const columns: DocColumn[] = [
    { key: "rank", head: "#", type: "count", fit: { priority: 3 } },
    { key: "feature", head: "Feature", type: "text", fit: { min: 16 } },
    { key: "tactic", head: "Tactic", type: "text" },
    { key: "monthly_saved_usd", head: "Saved per month", type: "money" },
    { key: "saved_usd", head: "", type: "money", only: ["csv"] },
    { key: "share_of_feature", head: "% of feature's spend", type: "percent", fit: { priority: 2 } },
    { key: "evidence", head: "Evidence", type: "text", fit: { priority: 1, min: 30, shrink: "wrap" } },
  ];
  const rows = ops.map((o, i) => [
    { value: i + 1, text: String(i + 1) },
    o.feature,
    o.tactic,
    o.monthlyUsd,
    o.savedUsd,
    o.shareOfFeature,
    { value: plainText(o.evidence), text: o.evidence },
  ]);
  const notes = r.notes.length ? [text(`No opportunity:\n${r.notes.map((n) => `  - ${n}`).join("\n")}`, PEOPLE)] : [];
  return {
    blocks: [
      text(`Savings opportunities · estimates per 30-day month · current spend ${usd(r.baselineMonthlyUsd)}/month (${dayCount(r.window.days)} observed)`, [
        "table",
      ]),
      text(`**Savings opportunities** (estimates, per 30-day month; spend ${usd(r.baselineMonthlyUsd)}/month)`, ["markdown"]),
      tableBlock({ name: "savings", columns, rows }),
      ...notes,
      ...(withAssumptions ? [text(r.assumptions.map((a) => `  - ${a}`).join("\n"), ["table"])] : []),
    ],
  };
}

export async function run(o: SavingsFlagsT): Promise<number> {
  const ctx = loadContext(o);
  const scope = { features: o.feature, ...parseWindow(o), tz: o.tz };
  const db = await openForRead(ctx);
  try {
    const r = await collectSavings(db, ctx.catalog, ctx, scope);
    stdout(renderSavings(r, ctx.format, ctx.catalog, { features: scope.features, since: scope.since, until: scope.until, tz: scope.tz }));
  } finally {
    db.close();
  }
  return 0;
}
