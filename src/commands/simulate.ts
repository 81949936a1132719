import { z } from "zod";
import { type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { parseWindow, parseTz } from "../report/window.js";
import { renderSim } from "../sim/render.js";
import { parseSelfHost, selfHost } from "../sim/self-host.js";
import { monthly, simulate } from "../sim/simulate.js";
import { Db } from "../store/db.js";
import { openForRead } from "../store/open.js";
import { batch } from "../tactics/batch.js";
import { exactCache } from "../tactics/cache.js";
import { semanticCache } from "../tactics/semantic-cache.js";
import { outputCap } from "../tactics/output-cap.js";
import { promptCache } from "../tactics/prompt-cache.js";
import { prune } from "../tactics/prune.js";
import { route } from "../tactics/route.js";
import type { Tactic } from "../tactics/types.js";
import { stderr, stdout } from "../io.js";
import { DEFAULTS } from "../defaults.js";

export interface SimulateOptions extends GlobalOptions {
  feature?: string[];
  since?: string;
  until?: string;
  tz?: string;
  monthly?: boolean;
  cache?: string;
  ttl?: string;
  threshold?: string;
  route?: string;
  escalate?: string;
  batch?: string;
  promptCache?: boolean;
  prefixShare?: string;
  prune?: string[];
  outputCap?: string;
  selfHost?: string;
}

const Share = z.coerce.number().min(0).max(1);
const parseShare = (v: string, flag: string): number => {
  const r = Share.safeParse(v);
  if (!r.success || v.trim() === "") throw usageError(`${flag} expects a fraction between 0 and 1 (got ${JSON.stringify(v)})`);
  return r.data;
};
const parsePositiveInt = (v: string, flag: string): number => {
  const r = z.coerce.number().int().positive().safeParse(v);
  if (!r.success) throw usageError(`${flag} expects a positive whole number (got ${JSON.stringify(v)})`);
  return r.data;
};

/** `--prune 0.6`, `--prune feature=0.6`, repeatable or comma-separated. */
export function parsePrune(values: readonly string[]): { feature: string | null; share: number }[] {
  return values.flatMap((v) => v.split(",")).map((p) => {
    const eq = p.lastIndexOf("=");
    return eq < 0 ? { feature: null, share: parseShare(p, "--prune") } : { feature: p.slice(0, eq), share: parseShare(p.slice(eq + 1), "--prune") };
  });
}

/** Flags → tactics in playbook order: cache, route, batch, prompt-cache, prune, output-cap. */
export function buildTactics(o: SimulateOptions, ctx: ReturnType<typeof loadContext>): Tactic[] {
  const tactics: Tactic[] = [];
  const t = ctx.config.tactics ?? {};
  if (o.cache !== undefined) {
    const ttl = o.ttl === undefined ? DEFAULTS.cacheTtlSeconds : parsePositiveInt(o.ttl, "--ttl");
    if (o.cache === "exact") tactics.push(exactCache(ttl));
    else if (o.cache === "semantic") tactics.push(semanticCache(ttl, o.threshold === undefined ? 0.95 : parseShare(o.threshold, "--threshold")));
    else throw usageError(`--cache expects exact or semantic (got ${JSON.stringify(o.cache)})`);
  }
  if (o.route !== undefined) {
    const esc = o.escalate === undefined ? DEFAULTS.escalateShare : parseShare(o.escalate, "--escalate");
    tactics.push(route(o.route, esc, "all", ctx.catalog));
  }
  if (o.batch !== undefined) tactics.push(batch(o.batch === "auto" ? "auto" : o.batch.split(",").map((f) => f.trim())));
  if (o.promptCache) {
    const share = o.prefixShare ?? String(t.promptCache?.prefixShare ?? 0.5);
    tactics.push(promptCache(parseShare(share, "--prefix-share")));
  }
  if (o.prune?.length) tactics.push(prune(parsePrune(o.prune)));
  if (o.outputCap !== undefined) tactics.push(outputCap(parsePositiveInt(o.outputCap, "--output-cap")));
  return tactics;
}

export async function run(o: SimulateOptions): Promise<number> {
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
    if (o.cache !== undefined) await warnStaleDenyList(db, ctx.config.cache?.denyPrefixes ?? []);
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
