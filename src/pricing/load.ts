import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { usageError } from "../errors.js";
import { MAX_DEPTH, tooDeep } from "../json.js";
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
  /** Deployment names (Azure, Bedrock application profiles) → the model they serve: config `pricing.deployments`. */
  deployments: Readonly<Record<string, string>>;
}

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");

function parseJsonFile(path: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw usageError(`${path}: cannot read pricing: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (tooDeep(v)) throw usageError(`${path}: cannot read pricing: nested more than ${MAX_DEPTH} levels deep`);
  return v;
}

/**
 * Loads the built-in tables from pricing/*.json, then user overrides (config `pricing.overrides`, then --pricing FILE).
 * An override model replaces a built-in model of the same id; its aliases win over built-in ones.
 */
export function loadCatalog(opts: { dir?: string; overrides?: unknown[]; overrideLabels?: string[]; deployments?: Record<string, string> } = {}): Catalog {
  const dir = opts.dir ?? PRICING_DIR;
  const hash = createHash("sha256");
  const models = new Map<string, CatalogModel>();
  const paths = new Map<string, string>();
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
    parsed.data.models.forEach((m, i) => {
      if (models.has(m.id)) throw usageError(`pricing/${f}: models[${i}]: model ${m.id} is also defined in pricing/${models.get(m.id)!.origin}`);
      models.set(m.id, { ...m, provider: parsed.data.provider, origin: f });
      paths.set(m.id, `pricing/${f}: models[${i}]`);
    });
  }
  checkAliases([...models.values()], (m) => paths.get(m.id)!);
  const discounts: OverridesT["discounts"] = [];
  (opts.overrides ?? []).forEach((o, i) => {
    const label = opts.overrideLabels?.[i] ?? "pricing overrides";
    hash.update(`override\n${JSON.stringify(o)}\n`);
    const parsed = Overrides.safeParse(o);
    if (!parsed.success) throw usageError(`${label}: invalid pricing overrides: ${issues(parsed.error)}`);
    checkAliases(parsed.data.models, (m) => `${label}: models[${parsed.data.models.indexOf(m)}]`);
    // An override replaces a built-in model, but one file defining a model twice is a typo: which one was meant?
    const first = new Map<string, number>();
    parsed.data.models.forEach((m, j) => {
      if (first.has(m.id))
        throw usageError(
          `${label}: models[${j}]: model ${m.id} is already defined at models[${first.get(m.id)}]`,
          "merge its prices into one entry (one epoch per effective_from)",
        );
      first.set(m.id, j);
    });
    for (const m of parsed.data.models) models.set(m.id, { ...m, origin: "override" });
    discounts.push(...parsed.data.discounts);
  });
  const deployments = opts.deployments ?? {};
  if (Object.keys(deployments).length) hash.update(`deployments\n${JSON.stringify(deployments)}\n`);
  return {
    version: opts.overrides?.length ? `${version}+overrides` : version,
    sha256: hash.digest("hex"),
    models: [...models.values()],
    discounts,
    deployments,
  };
}

/** An alias (or id) claimed by two models of one source is ambiguous: exit 2, naming both and the JSON path. */
function checkAliases<M extends ModelT>(models: readonly M[], where: (m: M) => string): void {
  const owner = new Map<string, { id: string; path: string }>();
  for (const m of models) {
    [m.id, ...m.aliases].forEach((a, j) => {
      const key = a.trim().toLowerCase();
      const path = `${where(m)}${j === 0 ? ".id" : `.aliases[${j - 1}]`}`;
      const prev = owner.get(key);
      if (prev && prev.id !== m.id) {
        throw usageError(
          `${path}: ${JSON.stringify(a)} is claimed by two models, ${prev.id} (${prev.path}) and ${m.id}`,
          "a name must resolve to one model: remove one of them",
        );
      }
      owner.set(key, { id: m.id, path });
    });
  }
}

/** Reads a --pricing FILE: overrides in the same shape as the config's `pricing.overrides`. */
export function readOverridesFile(path: string): unknown {
  return parseJsonFile(path);
}
