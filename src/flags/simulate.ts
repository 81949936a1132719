import { z } from "zod";
import { flagKey, givenValue, type TacticFlag } from "../tactics/flags.js";
import { tacticFlags } from "../tactics/registry.js";
import { parseSelfHost } from "../sim/self-host.js";
import { flag, format, Globals, parsed, repeated, via, windowFlags } from "./common.js";

/**
 * A tactic's flag (declared by the tactic, src/tactics/registry.ts): judged here whenever it is given, by the tactic's
 * own parse, so `--ttl x` is exit 2 even without `--cache`; the value stays as commander read it, for the tactic to
 * read with its default (see flagReader).
 */
function tacticFlag(f: TacticFlag) {
  return via(z.unknown(), (v) => {
    const given = givenValue(v);
    if (given !== undefined) f.parse(given);
    return v;
  }).optional();
}

/**
 * `llmcost simulate`: its own flags, then every tactic's (in playbook order). Keys in the order the flags are checked
 * (the first bad one is the error). --prefix-share competes with the config's tactics.promptCache.prefixShare: the
 * flag wins when given (see prompt-cache.ts).
 */
export const SimulateFlags = Globals.extend({
  feature: repeated(),
  monthly: flag(),
  ...Object.fromEntries(tacticFlags().map((f) => [flagKey(f), tacticFlag(f)])),
  selfHost: parsed(parseSelfHost).optional(),
  ...windowFlags,
  format: format(),
});
export type SimulateFlagsT = z.output<typeof SimulateFlags>;
