import { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import { usageError } from "../errors.js";
import type { FocusOptions } from "../export/focus.js";
import { flag, Globals, parsed } from "./common.js";

const focusVersion = (v: string): FocusOptions["version"] => {
  if (v !== "1.2" && v !== "1.3") throw usageError(`--focus-version ${v}: not a FOCUS version llmcost writes`, "use 1.2 (default) or 1.3");
  return v;
};

const unpricedCost = (v: string): FocusOptions["unpricedCost"] => {
  if (v !== "zero" && v !== "empty") throw usageError(`--unpriced-cost ${v}: unknown`, "use zero (default, FOCUS-valid) or empty");
  return v;
};

const billingAccount = (v: string): string => {
  if (!v.trim()) throw usageError("--billing-account is empty");
  // It is written as an escaped SQL literal: no control characters (NUL) in it.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a control character in an account name is what this check looks for
  if (/[\u0000-\u001f]/.test(v)) throw usageError("--billing-account contains a control character");
  return v.trim();
};

/**
 * `llmcost export`. --focus-version, --unpriced-cost and --billing-account go with --focus: the command tells a
 * flag the user gave from a default by commander's value source.
 */
export const ExportFlags = Globals.extend({
  focus: z.string().optional(),
  focusVersion: parsed(focusVersion).prefault(DEFAULTS.focusVersion),
  unpricedCost: parsed(unpricedCost).prefault(DEFAULTS.unpricedCost),
  billingAccount: parsed(billingAccount).optional(),
  parquet: z.string().optional(),
  overwrite: flag(),
});
export type ExportFlagsT = z.output<typeof ExportFlags>;
