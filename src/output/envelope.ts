import { now } from "../context.js";
import type { Catalog } from "../pricing/load.js";

/** The fields every JSON output carries (SPEC: Global → Output); src/schemas/common.ts holds their contract. */
export interface Envelope<C extends string = string, F extends object = Record<string, unknown>> {
  schemaVersion: 1;
  command: C;
  generatedAt: string;
  currency: "USD";
  pricing: { version: string; sha256: string };
  filters: F;
}

/** What an envelope says of the price book: a Catalog, or a PricingRef (which need not build it). */
export type PricingId = Pick<Catalog, "version" | "sha256">;

export function envelope<const C extends string>(command: C, catalog: PricingId): Envelope<C, Record<string, never>>;
export function envelope<const C extends string, F extends object>(command: C, catalog: PricingId, filters: F): Envelope<C, F>;
export function envelope(command: string, catalog: PricingId, filters: object = {}): Envelope<string, object> {
  return {
    schemaVersion: 1,
    command,
    generatedAt: now().toISOString(),
    currency: "USD",
    pricing: { version: catalog.version, sha256: catalog.sha256 },
    filters,
  };
}
