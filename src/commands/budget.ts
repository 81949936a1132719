import { z } from "zod";
import { DEFAULT_SPIKE_MIN, type BudgetQuery, collectBudget, failed, mergeConfig, readPlan } from "../budget/collect.js";
import { parseCap, parseDuration, parseNamedCap } from "../budget/checks.js";
import { renderBudget, summaryMarkdown, verdict } from "../budget/render.js";
import { type GlobalOptions, loadContext } from "../context.js";
import { EXIT, usageError } from "../errors.js";
import { appendOutput, ensureWritable, writeOutput } from "../output/files.js";
import { colors, usdNumber } from "../output/format.js";
import type { BudgetFiltersT } from "../schemas/budget.js";
import { env, io, stderr, stdout } from "../io.js";
import { openForRead } from "../store/open.js";

export interface BudgetOptions extends GlobalOptions {
  maxDaily?: string;
  maxMonthly?: string;
  featureMax?: string[];
  modelMax?: string[];
  spike?: string;
  spikeMin?: string;
  failOnUnpriced?: string;
  summary?: string;
  plan?: string;
  maxIncrease?: string;
  maxAge?: string;
}

const usdFlag = (v: string | undefined, flag: string): string | null => (v === undefined ? null : parseCap(v, flag).usd);

export function parseBudgetQuery(o: BudgetOptions): BudgetQuery {
  const spike = o.spike === undefined ? null : z.coerce.number().gt(1).safeParse(o.spike);
  if (spike && !spike.success) throw usageError(`--spike expects a factor above 1, e.g. 2.0 (got ${JSON.stringify(o.spike)})`);
  const pct = o.failOnUnpriced === undefined ? null : z.coerce.number().min(0).max(100).safeParse(o.failOnUnpriced);
  if (pct && !pct.success) throw usageError(`--fail-on-unpriced expects a percentage from 0 to 100 (got ${JSON.stringify(o.failOnUnpriced)})`);
  return {
    maxDaily: usdFlag(o.maxDaily, "--max-daily"),
    maxMonthly: usdFlag(o.maxMonthly, "--max-monthly"),
    featureCaps: (o.featureMax ?? []).map((v) => parseNamedCap(v, "--feature-max")),
    modelCaps: (o.modelMax ?? []).map((v) => parseNamedCap(v, "--model-max")),
    spike: spike ? spike.data : null,
    spikeMinUsd: usdFlag(o.spikeMin, "--spike-min"),
    failOnUnpricedPct: pct ? pct.data : null,
    plan: o.plan ? readPlan(o.plan) : null,
    maxIncrease: usdFlag(o.maxIncrease, "--max-increase"),
    maxAge: o.maxAge === undefined ? null : parseDuration(o.maxAge, "--max-age"),
  };
}

/** The budgets checked, for the JSON envelope: dollars as numbers, the plan as its file. */
export function budgetFilters(q: BudgetQuery, plan: string | null): BudgetFiltersT {
  const caps = (cs: BudgetQuery["featureCaps"]) => cs.map((c) => ({ name: c.name, cap: { usd: usdNumber(c.cap.usd), period: c.cap.period } }));
  return {
    maxDaily: usdNumber(q.maxDaily),
    maxMonthly: usdNumber(q.maxMonthly),
    featureCaps: caps(q.featureCaps),
    modelCaps: caps(q.modelCaps),
    spike: q.spike,
    spikeMinUsd: usdNumber(q.spikeMinUsd ?? DEFAULT_SPIKE_MIN),
    failOnUnpricedPct: q.failOnUnpricedPct,
    plan,
    maxIncrease: usdNumber(q.maxIncrease),
    maxAge: q.maxAge,
  };
}

export async function run(o: BudgetOptions): Promise<number> {
  const ctx = loadContext(o);
  const q = mergeConfig(parseBudgetQuery(o), ctx.config, (v, flag) => parseNamedCap(v, flag));
  if (o.summary) ensureWritable(o.summary, "--summary");
  const nothing = q.maxDaily === null && q.maxMonthly === null && !q.featureCaps.length && !q.modelCaps.length && q.spike === null && q.failOnUnpricedPct === null && !q.plan && o.maxAge === undefined;
  if (nothing) throw usageError("no budgets to check", "pass --max-daily, --max-monthly, --max-age, --feature-max, --model-max, --spike, --fail-on-unpriced or --plan, or set budgets in the config");
  const db = await openForRead(ctx);
  let result;
  try {
    result = await collectBudget(db, ctx.catalog, ctx.config, q);
  } finally {
    db.close();
  }
  // The report first (stdout), then the PR summary, then the verdict (stderr).
  stdout(renderBudget(result, ctx.format, ctx.catalog, budgetFilters(q, o.plan ?? null)));
  const md = summaryMarkdown(result);
  if (o.summary) writeOutput(o.summary, md, "--summary");
  else {
    const summary = env().GITHUB_STEP_SUMMARY;
    if (summary) appendOutput(summary, md, "GITHUB_STEP_SUMMARY");
  }
  const c = colors(io().stderr);
  const bad = failed(result);
  stderr(`${bad.length ? c.red(verdict(result)) : c.green(verdict(result))}\n`);
  return bad.length ? EXIT.checkFailed : EXIT.ok;
}
