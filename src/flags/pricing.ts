import { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import { usageError } from "../errors.js";
import { IsoDate } from "../pricing/schema.js";
import { parseTolerance } from "../reconcile/stated.js";
import { flag, format, Globals, list, parsed } from "./common.js";

/** `llmcost pricing list`: --provider is checked against the price tables by the command. */
export const PricingListFlags = Globals.extend({ provider: z.string().optional(), format: format() });
export type PricingListFlagsT = z.output<typeof PricingListFlags>;

/** `llmcost pricing show MODEL`. */
export const PricingShowFlags = Globals.extend({ format: format() });
export type PricingShowFlagsT = z.output<typeof PricingShowFlags>;

/** `llmcost pricing check`. */
export const PricingCheckFlags = Globals.extend({ tolerance: parsed(parseTolerance).default(DEFAULTS.tolerancePct), format: format() });
export type PricingCheckFlagsT = z.output<typeof PricingCheckFlags>;

/** `llmcost pricing coverage [FILE]`. */
export const PricingCoverageFlags = Globals.extend({
  modes: parsed((v) => list(v).filter(Boolean)).prefault(DEFAULTS.coverageModes),
  all: flag(),
  format: format(),
});
export type PricingCoverageFlagsT = z.output<typeof PricingCoverageFlags>;

const effectiveFrom = (v: string): string => {
  if (!IsoDate.safeParse(v).success) throw usageError(`--effective-from: ${JSON.stringify(v)} is not a calendar date (YYYY-MM-DD)`);
  return v;
};

/** `llmcost pricing import-litellm FILE`: without --effective-from, the command takes the date in the file name. */
export const PricingImportFlags = Globals.extend({
  out: z.string().optional(),
  effectiveFrom: parsed(effectiveFrom).optional(),
  providers: parsed(list).prefault(DEFAULTS.importProviders),
});
export type PricingImportFlagsT = z.output<typeof PricingImportFlags>;
