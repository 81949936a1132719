import { type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { parseWindow, parseTz } from "../report/window.js";
import { renderSim } from "../sim/render.js";
import { parseSelfHost, selfHost } from "../sim/self-host.js";
import { monthly, simulate } from "../sim/simulate.js";
import { Db } from "../store/db.js";
import { openForRead } from "../store/open.js";
import { flagReader } from "../tactics/flags.js";
import { tacticsFromFlags } from "../tactics/registry.js";
import type { Tactic } from "../tactics/types.js";
import { stderr, stdout } from "../io.js";

/**
 * The simulate flags of its own; each tactic's flags are declared by the tactic (src/tactics/registry.ts) and read
 * from the same values.
 */
export interface SimulateOptions extends GlobalOptions {
  feature?: string[];
  since?: string;
  until?: string;
  tz?: string;
  monthly?: boolean;
  selfHost?: string;
}
/** With the tactics' flags, as commander stores them (by `flagKey`); the tactics read and judge their own. */
export type SimulateFlags = SimulateOptions & Readonly<Record<string, unknown>>;

/** Flags → tactics in playbook order (the registry's); a bad value is a usage error naming the flag. */
export function buildTactics(o: SimulateFlags, ctx: ReturnType<typeof loadContext>): Tactic[] {
  return tacticsFromFlags(flagReader(o), { catalog: ctx.catalog, tactics: ctx.config.tactics ?? {} });
}

export async function run(o: SimulateFlags): Promise<number> {
  const ctx = loadContext(o);
  const tactics = buildTactics(o, ctx);
  const self = o.selfHost !== undefined ? parseSelfHost(o.selfHost) : null;
  if (tactics.length === 0 && !self) {
    throw usageError("choose at least one tactic", "e.g. --cache exact --route mini --batch auto --prompt-cache --prune 0.3 --output-cap 500; `llmcost savings` tries them all");
  }
  const scope = { features: o.feature ?? [], ...parseWindow(o), tz: parseTz(o.tz) };
  const db = await openForRead(ctx);
  try {
    const result = await simulate(db, ctx.catalog, ctx.config, scope, tactics);
    if (tactics.some((t) => t.denyList)) await warnStaleDenyList(db, ctx.config.cache?.denyPrefixes ?? []);
    const sh = self ? selfHost(self, Math.round((result.baselineTokens * result.monthlyFactor.num) / result.monthlyFactor.den), monthly(result.baselineUsd, result.monthlyFactor)) : null;
    const filters = { features: scope.features, since: scope.since, until: scope.until, tz: scope.tz, tactics: tactics.map((x) => x.name), monthly: o.monthly === true };
    stdout(renderSim({ result, monthly: o.monthly === true, selfHost: sh, filters }, ctx.format, ctx.catalog));
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
