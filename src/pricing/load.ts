import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { usageError } from "../errors.js";
import { type ModelT, Overrides, type OverridesT, PricingFile } from "./schema.js";

export const PRICING_DIR = fileURLToPath(new URL("../../../pricing/", import.meta.url));

export interface CatalogModel extends ModelT {
  provider: string;
  /** Where the entry came from: a pricing file name, or "override". */
  origin: string;
}

export interface Catalog {
  /** The newest table version (YYYY-MM-DD), plus "+overrides" when user overrides apply. */
  version: string;
  /** sha256 over every pricing input, in load order: stored costs are reused only while this matches. */
  sha256: string;
  models: CatalogModel[];
  discounts: OverridesT["discounts"];
}

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");

function parseJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw usageError(`${path}: cannot read pricing: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Loads the built-in tables from pricing/*.json, then user overrides (config `pricing.overrides`, then --pricing FILE).
 * An override model replaces a built-in model of the same id; its aliases win over built-in ones.
 */
export function loadCatalog(opts: { dir?: string; overrides?: unknown[]; overrideLabels?: string[] } = {}): Catalog {
  const dir = opts.dir ?? PRICING_DIR;
  const hash = createHash("sha256");
  const models = new Map<string, CatalogModel>();
  let version = "0000-00-00";
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .sort();
  for (const f of files) {
    const raw = readFileSync(join(dir, f), "utf8");
    hash.update(`${f}\n${raw}\n`);
    const parsed = PricingFile.safeParse(parseJsonFile(join(dir, f)));
    if (!parsed.success) throw usageError(`pricing/${f}: invalid pricing table: ${issues(parsed.error)}`);
    if (parsed.data.version > version) version = parsed.data.version;
    for (const m of parsed.data.models) {
      if (models.has(m.id)) throw usageError(`pricing/${f}: model ${m.id} is defined twice`);
      models.set(m.id, { ...m, provider: parsed.data.provider, origin: f });
    }
  }
  const discounts: OverridesT["discounts"] = [];
  (opts.overrides ?? []).forEach((o, i) => {
    const label = opts.overrideLabels?.[i] ?? "pricing overrides";
    hash.update(`override\n${JSON.stringify(o)}\n`);
    const parsed = Overrides.safeParse(o);
    if (!parsed.success) throw usageError(`${label}: invalid pricing overrides: ${issues(parsed.error)}`);
    for (const m of parsed.data.models) models.set(m.id, { ...m, origin: "override" });
    discounts.push(...parsed.data.discounts);
  });
  return {
    version: opts.overrides?.length ? `${version}+overrides` : version,
    sha256: hash.digest("hex"),
    models: [...models.values()],
    discounts,
  };
}

/** Reads a --pricing FILE: overrides in the same shape as the config's `pricing.overrides`. */
export function readOverridesFile(path: string): unknown {
  return parseJsonFile(path);
}
