import type { z } from "zod";
import { BudgetJson } from "./budget.js";
import { DemoJson } from "./demo.js";
import { FormatsJson } from "./formats.js";
import { IngestJson } from "./ingest.js";
import { PricingCheckJson, PricingCoverageJson, PricingListJson, PricingShowJson } from "./pricing.js";
import { ReconcileJson } from "./reconcile.js";
import { ReportJson } from "./report.js";
import { SavingsJson } from "./savings.js";
import { SimulateJson } from "./simulate.js";

/**
 * Every command's JSON contract, by the name of its schema file: src/schemas/NAME.schema.json (`npm run schemas`
 * writes them; test/json-contracts.test.ts checks that they are current and that real output validates).
 */
export const CONTRACTS = {
  report: { command: "report --format json", schema: ReportJson },
  simulate: { command: "simulate --format json", schema: SimulateJson },
  savings: { command: "savings --format json", schema: SavingsJson },
  budget: { command: "budget --format json", schema: BudgetJson },
  reconcile: { command: "reconcile --format json", schema: ReconcileJson },
  "pricing-list": { command: "pricing list --format json", schema: PricingListJson },
  "pricing-show": { command: "pricing show MODEL --format json", schema: PricingShowJson },
  "pricing-check": { command: "pricing check --format json", schema: PricingCheckJson },
  "pricing-coverage": { command: "pricing coverage --format json", schema: PricingCoverageJson },
  formats: { command: "formats --format json", schema: FormatsJson },
  ingest: { command: "ingest --output json", schema: IngestJson },
  demo: { command: "demo --format json", schema: DemoJson },
} as const satisfies Record<string, { command: string; schema: z.ZodType }>;

export type ContractName = keyof typeof CONTRACTS;
