/** Regenerates src/schemas/*.schema.json from the zod definitions (npm run schemas). */
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { Config } from "../src/config.js";
import { CONTRACTS } from "../src/schemas/index.js";

export const SCHEMA_DIR = join(fileURLToPath(import.meta.url), "..", "..", "..", "src", "schemas");

/** Every shipped schema file and its zod source: the config's, and one per command's JSON output. */
export const SCHEMAS: Record<string, z.ZodType> = {
  "config.schema.json": Config,
  ...Object.fromEntries(Object.entries(CONTRACTS).map(([name, c]) => [`${name}.schema.json`, c.schema.meta({ title: `llmcost ${c.command}` })])),
};

export const render = (schema: z.ZodType): string => `${JSON.stringify(z.toJSONSchema(schema, { io: "input" }), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // A contract that was removed leaves no stale file behind.
  for (const f of readdirSync(SCHEMA_DIR)) if (f.endsWith(".schema.json") && !(f in SCHEMAS)) rmSync(join(SCHEMA_DIR, f));
  for (const [name, schema] of Object.entries(SCHEMAS)) writeFileSync(join(SCHEMA_DIR, name), render(schema));
  console.log(`wrote ${Object.keys(SCHEMAS).length} schemas to src/schemas/: ${Object.keys(SCHEMAS).join(", ")}`);
}
