import { z } from "zod";
import { NoFilters, envelope } from "./common.js";
import { ReportJson } from "./report.js";
import { SavingsJson } from "./savings.js";

/** The JSON contract of `llmcost demo --format json`: the report by feature and the savings, each a full document. */
export const DemoJson = z.strictObject({
  ...envelope("demo", NoFilters),
  report: ReportJson,
  savings: SavingsJson,
});
export type DemoJsonT = z.infer<typeof DemoJson>;
