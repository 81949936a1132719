import { z } from "zod";
import { parseCap, parseDuration, parseNamedCap } from "../budget/checks.js";
import { DEFAULTS } from "../defaults.js";
import { format, Globals, numberFlag, parsed, via } from "./common.js";

/** A dollar amount (`5`, `$5`); the period some flags allow is for caps only. */
const usd = (name: string) => parsed((v) => parseCap(v, name).usd);
const caps = (name: string) => via(z.array(z.string()), (vs) => vs.map((v) => parseNamedCap(v, name))).prefault([]);

/**
 * `llmcost budget`. Keys in the order the flags are checked (the first bad one is the error). Every budget competes
 * with the config's budgets.*: see mergeConfig (budget/collect.ts), which reads which flags the user gave.
 */
export const BudgetFlags = Globals.extend({
  spike: parsed(numberFlag(z.coerce.number().gt(1), (v) => `--spike expects a factor above 1, e.g. 2.0 (got ${JSON.stringify(v)})`)).optional(),
  failOnUnpriced: parsed(
    numberFlag(z.coerce.number().min(0).max(100), (v) => `--fail-on-unpriced expects a percentage from 0 to 100 (got ${JSON.stringify(v)})`),
  ).optional(),
  maxDaily: usd("--max-daily").optional(),
  maxMonthly: usd("--max-monthly").optional(),
  featureMax: caps("--feature-max"),
  modelMax: caps("--model-max"),
  spikeMin: usd("--spike-min").default(DEFAULTS.spikeMinUsd),
  maxIncrease: usd("--max-increase").optional(),
  maxAge: parsed((v) => parseDuration(v, "--max-age")).optional(),
  plan: z.string().optional(),
  summary: z.string().optional(),
  format: format(),
});
export type BudgetFlagsT = z.output<typeof BudgetFlags>;
