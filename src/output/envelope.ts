import { now } from "../context.js";
import type { Catalog } from "../pricing/load.js";

/** The fields every JSON output carries (SPEC: Global → Output). */
export interface Envelope {
  schemaVersion: 1;
  command: string;
  generatedAt: string;
  currency: "USD";
  pricing: { version: string; sha256: string };
  filters: Record<string, unknown>;
}

export const envelope = (command: string, catalog: Catalog, filters: Record<string, unknown> = {}): Envelope => ({
  schemaVersion: 1,
  command,
  generatedAt: now().toISOString(),
  currency: "USD",
  pricing: { version: catalog.version, sha256: catalog.sha256 },
  filters,
});
