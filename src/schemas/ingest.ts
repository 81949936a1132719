import { z } from "zod";
import { Count, MoneyOrNull, envelope } from "./common.js";

/** The JSON contract of `llmcost ingest --output json` (src/schemas/ingest.schema.json is generated from it). */
export const IngestJson = z.strictObject({
  ...envelope("ingest", z.strictObject({ dryRun: z.boolean() })),
  db: z.string(),
  files: z.array(
    z.strictObject({
      file: z.string(),
      format: z.string(),
      target: z.enum(["usage", "billed_cost", "companion"]),
      status: z.enum(["ingested", "already-ingested", "companion", "dry-run"]),
      ingestId: z.number().int().positive().nullable(),
      sha256: z.string(),
      rows: Count,
      skipped: z.array(z.strictObject({ reason: z.string(), rows: Count })),
      replaced: Count.describe("rows of earlier ingests this file superseded"),
      replacedFrom: z.array(z.strictObject({ ingestId: z.number().int().positive(), rows: Count })),
      from: z.string().nullable(),
      to: z.string().nullable(),
      providers: z.array(z.string()),
      models: z.array(z.string()),
      unpricedModels: z.array(z.string()).describe("model names with no price (their rows are unpriced, never $0)"),
      unpricedOther: z.array(z.strictObject({ model: z.string(), rows: Count, why: z.string() })),
      reportedCostModels: z
        .array(z.string())
        .describe("models with rows llmcost cannot price (no price, or no rate for a charge, tier or date) that state a cost: that cost is used"),
      billedUsd: MoneyOrNull.describe("a cost export's total"),
      note: z.string().nullable(),
      badRows: z
        .array(z.strictObject({ line: z.number().int().positive().nullable(), where: z.string(), reason: z.string() }))
        .describe("--skip-bad-rows: every row left out"),
    }),
  ),
  skippedFiles: z
    .array(z.strictObject({ file: z.string(), reason: z.string() }))
    .optional()
    .describe("present when a directory walk passed over files that are not data"),
});
export type IngestJsonT = z.infer<typeof IngestJson>;
