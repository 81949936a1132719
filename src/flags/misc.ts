import { z } from "zod";
import { usageError } from "../errors.js";
import { SHELLS } from "../output/completion.js";
import { flag, format, Globals, parsed } from "./common.js";

/**
 * `llmcost ingest FILES`: --format names the input format (checked against the adapters by ingest), --output the
 * summary's format.
 */
export const IngestFlags = Globals.extend({
  format: z.string().optional(),
  replace: flag(),
  dryRun: flag(),
  skipBadRows: flag(),
  output: format(),
});
export type IngestFlagsT = z.output<typeof IngestFlags>;

/** `llmcost formats`. */
export const FormatsFlags = Globals.extend({ format: format() });
export type FormatsFlagsT = z.output<typeof FormatsFlags>;

/** `llmcost demo`. */
export const DemoFlags = Globals.extend({ format: format() });
export type DemoFlagsT = z.output<typeof DemoFlags>;

const shell = (v: string): (typeof SHELLS)[number] => {
  if (!(SHELLS as readonly string[]).includes(v)) throw usageError(`completion: unknown shell ${JSON.stringify(v)}`, `one of ${SHELLS.join(", ")}`);
  return v as (typeof SHELLS)[number];
};

/** `llmcost completion SHELL`: its argument (it takes no options). */
export const CompletionFlags = z.object({ shell: parsed(shell) });
export type CompletionFlagsT = z.output<typeof CompletionFlags>;
