import { z } from "zod";
import { DEFAULTS } from "../defaults.js";
import { usageError } from "../errors.js";
import { parseBy, parseWhere } from "../report/dims.js";
import { parseInstant } from "../report/window.js";
import { flag, format, Globals, parsed, positiveInt, via, windowFlags } from "./common.js";

const SOURCES = ["billing", "requests", "auto"] as const;

const source = (v: string): (typeof SOURCES)[number] => {
  const r = z.enum(SOURCES).safeParse(v);
  if (!r.success) throw usageError(`--source must be billing, requests or auto (got ${JSON.stringify(v)})`);
  return r.data;
};

/** --pricing-as-of: a date (the price tables change by day). */
const pricingDate = (v: string): string => {
  const d = parseInstant(v, "--pricing-as-of")!;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw usageError("--pricing-as-of expects a date (YYYY-MM-DD)");
  return d;
};

/** `llmcost report`. Keys in the order the flags are checked (the first bad one is the error). */
export const ReportFlags = Globals.extend({
  top: parsed(positiveInt("--top")).optional(),
  source: parsed(source).prefault(DEFAULTS.source),
  by: parsed(parseBy).prefault(DEFAULTS.by),
  since: windowFlags.since,
  until: windowFlags.until,
  where: via(z.array(z.string()), parseWhere).prefault([]),
  tz: windowFlags.tz,
  pricingAsOf: parsed(pricingDate).optional(),
  users: z.string().optional(),
  chart: flag(),
  html: z.string().optional(),
  format: format(),
});
export type ReportFlagsT = z.output<typeof ReportFlags>;
