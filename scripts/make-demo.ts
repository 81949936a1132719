/** Regenerates fixtures/demo/requests.jsonl (npm run fixtures). Deterministic: same seed, same file. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { synthesize, toJsonl } from "./synthetic.js";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const out = join(root, "fixtures", "demo");
mkdirSync(out, { recursive: true });
const lines: string[] = [];
for (const row of synthesize({ start: new Date("2025-11-01T00:00:00Z"), days: 28, perDay: 500, seed: 42 })) lines.push(toJsonl(row));
writeFileSync(join(out, "requests.jsonl"), lines.join("\n") + "\n");
console.log(`wrote ${lines.length} requests to fixtures/demo/requests.jsonl`);
