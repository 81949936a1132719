import { z } from "zod";
import { NoFilters, envelope } from "./common.js";

/** The JSON contract of `llmcost formats --format json` (src/schemas/formats.schema.json is generated from it). */
export const FormatsJson = z.strictObject({
  ...envelope("formats", NoFilters),
  formats: z.array(
    z.strictObject({
      name: z.string(),
      kind: z.enum(["billing", "requests", "companion"]),
      target: z.enum(["usage", "billed_cost", "companion"]),
      description: z.string(),
    }),
  ),
});
export type FormatsJsonT = z.infer<typeof FormatsJson>;
