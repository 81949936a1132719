import type { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import { parseTolerance } from "../reconcile/stated.js";
import { flag, format, Globals, parsed, repeated, windowFlags } from "./common.js";

/** `llmcost savings`: the scope every tactic is measured on. */
export const SavingsFlags = Globals.extend({ feature: repeated(), ...windowFlags, format: format() });
export type SavingsFlagsT = z.output<typeof SavingsFlags>;

/** `llmcost reconcile`. */
export const ReconcileFlags = Globals.extend({
  ...windowFlags,
  tolerance: parsed(parseTolerance).default(DEFAULTS.tolerancePct),
  flagged: flag(),
  format: format(),
});
export type ReconcileFlagsT = z.output<typeof ReconcileFlags>;
