import { parseFlags } from "./common.js";
import type { FLAGS, FlagCommand, FlagsOf } from "./index.js";

/**
 * Each command's flag schema, loaded on its own: a run imports only its command's schema module (index.ts imports
 * them all, for the types and the tests). The mapped type makes every command of FLAGS have its loader, of its schema;
 * a test checks each loads the very schema FLAGS holds.
 */
export const FLAG_SCHEMAS: { readonly [K in FlagCommand]: () => Promise<(typeof FLAGS)[K]> } = {
  ingest: async () => (await import("./misc.js")).IngestFlags,
  report: async () => (await import("./report.js")).ReportFlags,
  simulate: async () => (await import("./simulate.js")).SimulateFlags,
  savings: async () => (await import("./reports.js")).SavingsFlags,
  budget: async () => (await import("./budget.js")).BudgetFlags,
  reconcile: async () => (await import("./reports.js")).ReconcileFlags,
  export: async () => (await import("./export.js")).ExportFlags,
  "pricing list": async () => (await import("./pricing.js")).PricingListFlags,
  "pricing show": async () => (await import("./pricing.js")).PricingShowFlags,
  "pricing check": async () => (await import("./pricing.js")).PricingCheckFlags,
  "pricing coverage": async () => (await import("./pricing.js")).PricingCoverageFlags,
  "pricing import-litellm": async () => (await import("./pricing.js")).PricingImportFlags,
  formats: async () => (await import("./misc.js")).FormatsFlags,
  demo: async () => (await import("./misc.js")).DemoFlags,
  completion: async () => (await import("./misc.js")).CompletionFlags,
};

/** A command's options through its flag schema: typed, defaulted, each bad value an exit-2 error. */
export async function loadFlags<K extends FlagCommand>(command: K, raw: unknown): Promise<FlagsOf<K>> {
  return parseFlags(await FLAG_SCHEMAS[command](), raw) as FlagsOf<K>;
}
