import { loadContext } from "../context.js";
import type { SavingsFlagsT } from "../flags/reports.js";
import { compareDec } from "../money.js";
import { envelope } from "../output/envelope.js";
import { type Column, csv, fitText, type Format, json, markdown, pct, plainText, shareNumber, table, usd, usdNumber } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import type { SavingsJsonT } from "../schemas/savings.js";
import { parseWindow } from "../report/window.js";
import { monthly, simulate } from "../sim/simulate.js";
import { Db } from "../store/db.js";
import { openForRead } from "../store/open.js";
import { batch } from "../tactics/batch.js";
import { exactCache } from "../tactics/cache.js";
import { promptCache } from "../tactics/prompt-cache.js";
import { route } from "../tactics/route.js";
import type { Tactic } from "../tactics/types.js";
import { stdout } from "../io.js";
import { DEFAULTS } from "../defaults.js";

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

/** Every tactic with its default assumptions, in playbook order; each is measured alone on the current traffic. */
export function defaultTactics(catalog: Catalog, prefixShare: number): Tactic[] {
  return [exactCache(DEFAULTS.cacheTtlSeconds), route("mini", DEFAULTS.escalateShare, "all", catalog), batch("auto"), promptCache(prefixShare)];
}

export async function collectSavings(db: Db, catalog: Catalog, ctx: ReturnType<typeof loadContext>, scope: Parameters<typeof simulate>[3]): Promise<SavingsResult> {
  const t = ctx.config.tactics ?? {};
  const tactics = defaultTactics(catalog, t.promptCache?.prefixShare ?? DEFAULTS.prefixShare);
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
    opportunities: r.opportunities.map((o) => ({ ...o, monthlyUsd: usdNumber(o.monthlyUsd), savedUsd: usdNumber(o.savedUsd), shareOfFeature: Number(o.shareOfFeature.toFixed(6)) })),
    notes: r.notes,
    assumptions: r.assumptions,
  };
}

const dayCount = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

export function renderSavings(r: SavingsResult, format: Format, catalog: Catalog, filters: SavingsJsonT["filters"], limit = Infinity): string {
  const ops = r.opportunities.slice(0, limit);
  if (format === "json") return json(savingsJson(r, catalog, filters));
  const head = ["#", "Feature", "Tactic", "Saved per month", "% of feature's spend", "Evidence"];
  const rows = ops.map((o, i) => [String(i + 1), o.feature, o.tactic, usd(o.monthlyUsd), pct(o.shareOfFeature), o.evidence]);
  if (format === "csv") {
    // Data, not display: dollars per month and over the observed window, the share as a fraction.
    return csv(
      ["rank", "feature", "tactic", "monthly_saved_usd", "saved_usd", "share_of_feature", "evidence"],
      ops.map((o, i) => [i + 1, o.feature, o.tactic, usdNumber(o.monthlyUsd), usdNumber(o.savedUsd), shareNumber(o.shareOfFeature), plainText(o.evidence)]),
    );
  }
  const align: ("left" | "right")[] = ["right", "left", "left", "right", "right", "left"];
  const notes = r.notes.length ? `No opportunity:\n${r.notes.map((n) => `  - ${n}`).join("\n")}\n` : "";
  if (format === "markdown") return `**Savings opportunities** (estimates, per 30-day month; spend ${usd(r.baselineMonthlyUsd)}/month)\n\n${markdown(head, rows, align)}${notes ? `\n${notes}` : ""}`;
  const title = `Savings opportunities · estimates per 30-day month · current spend ${usd(r.baselineMonthlyUsd)}/month (${dayCount(r.window.days)} observed)`;
  // On a narrow terminal: the evidence wraps, then the rank and the share of the feature go.
  const cols: Column[] = [
    { head: "#", align: "right", priority: 3 },
    { head: "Feature", min: 16 },
    { head: "Tactic" },
    { head: "Saved per month", align: "right" },
    { head: "% of feature's spend", align: "right", priority: 2 },
    { head: "Evidence", priority: 1, min: 30, shrink: "wrap" },
  ];
  return fitText(`${title}\n${table(cols, rows)}\n${notes}${r.assumptions.map((a) => `  - ${a}`).join("\n")}\n`);
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
