import { DEFAULT_SPIKE_MIN, type BudgetQuery, collectBudget, failed, mergeConfig, readPlan } from "../budget/collect.js";
import { parseNamedCap } from "../budget/checks.js";
import { renderBudget, summaryMarkdown, verdict } from "../budget/render.js";
import { loadContext } from "../context.js";
import type { BudgetFlagsT } from "../flags/budget.js";
import { EXIT, usageError } from "../errors.js";
import { appendOutput, ensureWritable, writeOutput } from "../output/files.js";
import { colors, usdNumber } from "../output/format.js";
import type { BudgetFiltersT } from "../schemas/budget.js";
import { env, io, stderr, stdout } from "../io.js";
import { openForRead } from "../store/open.js";

/** Flags (checked by their schema, flags/budget.ts) → the query; the config fills in later (mergeConfig). */
export function parseBudgetQuery(o: BudgetFlagsT): BudgetQuery {
  return {
    maxDaily: o.maxDaily ?? null,
    maxMonthly: o.maxMonthly ?? null,
    featureCaps: o.featureMax,
    modelCaps: o.modelMax,
    spike: o.spike ?? null,
    spikeMinUsd: o.spikeMin,
    failOnUnpricedPct: o.failOnUnpriced ?? null,
    plan: o.plan ? readPlan(o.plan) : null,
    maxIncrease: o.maxIncrease ?? null,
    maxAge: o.maxAge ?? null,
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

export async function run(o: BudgetFlagsT, given: ReadonlySet<string> = new Set()): Promise<number> {
  const ctx = loadContext(o);
  const q = mergeConfig(parseBudgetQuery(o), ctx.config, (v, flag) => parseNamedCap(v, flag), given);
  if (o.summary) ensureWritable(o.summary, "--summary");
  const nothing =
    q.maxDaily === null &&
    q.maxMonthly === null &&
    !q.featureCaps.length &&
    !q.modelCaps.length &&
    q.spike === null &&
    q.failOnUnpricedPct === null &&
    !q.plan &&
    o.maxAge === undefined;
  if (nothing)
    throw usageError(
      "no budgets to check",
      "pass --max-daily, --max-monthly, --max-age, --feature-max, --model-max, --spike, --fail-on-unpriced or --plan, or set budgets in the config",
    );
  const db = await openForRead(ctx);
  let result: Awaited<ReturnType<typeof collectBudget>>;
  try {
    result = await collectBudget(db, ctx.pricing, ctx.config, q);
  } finally {
    db.close();
  }
  // The report first (stdout), then the PR summary, then the verdict (stderr).
  stdout(renderBudget(result, ctx.format, ctx.pricing, budgetFilters(q, o.plan ?? null)));
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
