import { z } from "zod";
import { NoFilters, envelope } from "./common.js";
import { ReconcileJson } from "./reconcile.js";
import { ReportJson } from "./report.js";
import { SavingsJson } from "./savings.js";

/**
 * The JSON contract of `llmcost demo --format json`: the database kept (null for a temporary one), what was ingested,
 * and the report by feature, the savings and the reconciliation, each a full document.
 */
export const DemoJson = z.strictObject({
  ...envelope("demo", NoFilters),
  database: z.string().nullable(),
  ingested: z.strictObject({ files: z.number().int(), rows: z.number().int() }),
  report: ReportJson,
  savings: SavingsJson,
  reconcile: ReconcileJson,
});
export type DemoJsonT = z.infer<typeof DemoJson>;
