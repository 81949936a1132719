/** Regenerates src/schemas/*.schema.json from the zod definitions (npm run schemas). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Config } from "../src/config.js";
import { ReportJson } from "../src/report/schema.js";

const dir = join(fileURLToPath(import.meta.url), "..", "..", "..", "src", "schemas");
export const SCHEMAS = { "report.schema.json": ReportJson, "config.schema.json": Config } as const;
export const render = (schema: z.ZodType): string => `${JSON.stringify(z.toJSONSchema(schema, { io: "input" }), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, schema] of Object.entries(SCHEMAS)) writeFileSync(join(dir, name), render(schema));
  console.log(`wrote ${Object.keys(SCHEMAS).join(", ")} to src/schemas/`);
}
