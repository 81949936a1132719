import { loadContext } from "../context.js";
import { usageError } from "../errors.js";
import type { SimulateFlagsT } from "../flags/simulate.js";
import { parseWindow } from "../report/window.js";
import { renderSim } from "../sim/render.js";
import { selfHost } from "../sim/self-host.js";
import { monthly, simulate } from "../sim/simulate.js";
import type { Db } from "../store/db.js";
import { openForRead } from "../store/open.js";
import { flagReader } from "../tactics/flags.js";
import { tacticsFromFlags } from "../tactics/registry.js";
import type { Tactic } from "../tactics/types.js";
import { stderr, stdout } from "../io.js";

/** Flags → tactics in playbook order (the registry's); each tactic reads its own flags (judged by the flag schema). */
export function buildTactics(o: SimulateFlagsT, ctx: ReturnType<typeof loadContext>): Tactic[] {
  return tacticsFromFlags(flagReader(o), { catalog: ctx.catalog, tactics: ctx.config.tactics ?? {} });
}

export async function run(o: SimulateFlagsT): Promise<number> {
  const ctx = loadContext(o);
  const tactics = buildTactics(o, ctx);
  const self = o.selfHost ?? null;
  if (tactics.length === 0 && !self) {
    throw usageError(
      "choose at least one tactic",
      "e.g. --cache exact --route mini --batch auto --prompt-cache --prune 0.3 --output-cap 500; `llmcost savings` tries them all",
    );
  }
  const scope = { features: o.feature, ...parseWindow(o), tz: o.tz };
  const db = await openForRead(ctx);
  try {
    const result = await simulate(db, ctx.catalog, ctx.config, scope, tactics);
    if (tactics.some((t) => t.denyList)) await warnStaleDenyList(db, ctx.config.cache?.denyPrefixes ?? []);
    const sh = self
      ? selfHost(
          self,
          Math.round((result.baselineTokens * result.monthlyFactor.num) / result.monthlyFactor.den),
          monthly(result.baselineUsd, result.monthlyFactor),
        )
      : null;
    const filters = { features: scope.features, since: scope.since, until: scope.until, tz: scope.tz, tactics: tactics.map((x) => x.name), monthly: o.monthly };
    stdout(renderSim({ result, monthly: o.monthly, selfHost: sh, filters }, ctx.format, ctx.catalog));
  } finally {
    db.close();
  }
  return 0;
}

/** The cache deny-list is checked at ingest (prompt text is never stored): say so when the config's has changed since. */
async function warnStaleDenyList(db: Db, current: readonly string[]): Promise<void> {
  const stale = await db.one<{ n: string }>("SELECT count(*) AS n FROM ingests WHERE cache_deny IS NOT NULL AND cache_deny <> $1", [JSON.stringify(current)]);
  const n = Number(stale?.n ?? 0);
  if (n > 0) {
    stderr(
      `warning: ${n} request-log file(s) were checked against another cache.denyPrefixes than the config's; re-ingest them with --replace to apply the current list\n`,
    );
  }
}
