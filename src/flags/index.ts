import type { z } from "zod";
import { BudgetFlags } from "./budget.js";
import { parseFlags } from "./common.js";
import { ExportFlags } from "./export.js";
import { CompletionFlags, DemoFlags, FormatsFlags, IngestFlags } from "./misc.js";
import { PricingCheckFlags, PricingCoverageFlags, PricingImportFlags, PricingListFlags, PricingShowFlags } from "./pricing.js";
import { ReportFlags } from "./report.js";
import { ReconcileFlags, SavingsFlags } from "./reports.js";
import { SimulateFlags } from "./simulate.js";

/** Every command's flag schema, by its command line (cli.ts loads this module only when a command runs). */
export const FLAGS = {
  ingest: IngestFlags,
  report: ReportFlags,
  simulate: SimulateFlags,
  savings: SavingsFlags,
  budget: BudgetFlags,
  reconcile: ReconcileFlags,
  export: ExportFlags,
  "pricing list": PricingListFlags,
  "pricing show": PricingShowFlags,
  "pricing check": PricingCheckFlags,
  "pricing coverage": PricingCoverageFlags,
  "pricing import-litellm": PricingImportFlags,
  formats: FormatsFlags,
  demo: DemoFlags,
  completion: CompletionFlags,
} as const;
export type FlagCommand = keyof typeof FLAGS;
export type FlagsOf<K extends FlagCommand> = z.output<(typeof FLAGS)[K]>;

export const flagsFor = <K extends FlagCommand>(command: K, raw: unknown): FlagsOf<K> => parseFlags(FLAGS[command], raw) as FlagsOf<K>;
