import { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import { usageError } from "../errors.js";
import { parseSelfHost } from "../sim/self-host.js";
import { flag, format, Globals, parsed, positiveInt, repeated, share, via, windowFlags } from "./common.js";

const CACHES = ["exact", "semantic"] as const;

const cacheKind = (v: string): (typeof CACHES)[number] => {
  const r = z.enum(CACHES).safeParse(v);
  if (!r.success) throw usageError(`--cache expects exact or semantic (got ${JSON.stringify(v)})`);
  return r.data;
};

/** `--prune 0.6`, `--prune feature=0.6`, repeatable or comma-separated. */
export function parsePrune(values: readonly string[]): { feature: string | null; share: number }[] {
  const pruneShare = share("--prune");
  return values.flatMap((v) => v.split(",")).map((p) => {
    const eq = p.lastIndexOf("=");
    return eq < 0 ? { feature: null, share: pruneShare(p) } : { feature: p.slice(0, eq), share: pruneShare(p.slice(eq + 1)) };
  });
}

/**
 * `llmcost simulate`. Keys in the order the flags are checked (the first bad one is the error). --prefix-share
 * competes with the config's tactics.promptCache.prefixShare: see buildTactics.
 */
export const SimulateFlags = Globals.extend({
  feature: repeated(),
  monthly: flag(),
  ttl: parsed(positiveInt("--ttl")).default(DEFAULTS.cacheTtlSeconds),
  cache: parsed(cacheKind).optional(),
  threshold: parsed(share("--threshold")).default(DEFAULTS.semanticThreshold),
  route: z.string().optional(),
  escalate: parsed(share("--escalate")).default(DEFAULTS.escalateShare),
  batch: z.string().optional(),
  promptCache: flag(),
  prefixShare: parsed(share("--prefix-share")).default(DEFAULTS.prefixShare),
  prune: via(z.array(z.string()), parsePrune).prefault([]),
  outputCap: parsed(positiveInt("--output-cap")).optional(),
  selfHost: parsed(parseSelfHost).optional(),
  ...windowFlags,
  format: format(),
});
export type SimulateFlagsT = z.output<typeof SimulateFlags>;
