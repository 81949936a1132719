import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { usageError } from "../errors.js";
import { packageDir } from "../paths.js";
import { MAX_DEPTH, tooDeep } from "../json.js";
import { type ModelT, Overrides, type OverridesT, PricingFile } from "./schema.js";

export const PRICING_DIR = packageDir("pricing");

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

/** JSON of a pricing file (its text, when already read), refused with the file's name when it does not parse. */
function parseJsonFile(path: string, raw?: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(raw ?? readFileSync(path, "utf8"));
  } catch (err) {
    throw usageError(`${path}: cannot read pricing: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (tooDeep(v)) throw usageError(`${path}: cannot read pricing: nested more than ${MAX_DEPTH} levels deep`);
  return v;
}

type LoadOptions = { dir?: string; overrides?: unknown[]; overrideLabels?: string[]; deployments?: Record<string, string> };

/**
 * Catalogs already built in this process, by their inputs' sha256 (main() can run many times in one process: the
 * tests, tools). Frozen, so that no caller can change what a later one gets.
 */
const built = new Map<string, Catalog>();

/**
 * A price book named by its inputs, not yet built: its sha256 (what stored costs and the rollup are checked against)
 * and version, read without validating the tables; `catalog` builds it on first read. A command answered from stored
 * costs never builds it: stored costs match only inputs that an earlier run built and checked.
 */
export interface PricingRef {
  readonly sha256: string;
  /** As Catalog.version; from the tables' `version` fields when the catalog is not built. */
  readonly version: string;
  readonly catalog: Catalog;
}

/**
 * Loads the built-in tables from pricing/*.json, then user overrides (config `pricing.overrides`, then --pricing FILE).
 * An override model replaces a built-in model of the same id; its aliases win over built-in ones.
 */
export function loadCatalog(opts: LoadOptions = {}): Catalog {
  return pricingRef(opts).catalog;
}

/** The price book of these inputs (as loadCatalog), built only when its `catalog` is read. */
export function pricingRef(opts: LoadOptions = {}): PricingRef {
  const dir = opts.dir ?? PRICING_DIR;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .sort();
  const raws = files.map((f) => readFileSync(join(dir, f), "utf8"));
  // The inputs' digest: what the stored costs are checked against, and this process's key for the parsed catalog.
  const hash = createHash("sha256");
  for (const [i, f] of files.entries()) hash.update(`${f}\n${raws[i]}\n`);
  for (const o of opts.overrides ?? []) hash.update(`override\n${JSON.stringify(o)}\n`);
  const deployments = opts.deployments ?? {};
  if (Object.keys(deployments).length) hash.update(`deployments\n${JSON.stringify(deployments)}\n`);
  const sha256 = hash.digest("hex");
  const key = `${dir}\n${sha256}`;
  const catalog = (): Catalog => {
    let c = built.get(key);
    if (!c) {
      c = deepFreeze(buildCatalog(dir, files, raws, opts, sha256));
      built.set(key, c);
    }
    return c;
  };
  return {
    sha256,
    get version() {
      return built.get(key)?.version ?? tableVersion(raws, opts);
    },
    get catalog() {
      return catalog();
    },
  };
}

/** Catalog.version: the newest table's version, marked when overrides apply. */
function catalogVersion(tableVersions: readonly string[], opts: LoadOptions): string {
  let version = "0000-00-00";
  for (const v of tableVersions) if (v > version) version = v;
  return opts.overrides?.length ? `${version}+overrides` : version;
}

/** Catalog.version from the tables' text, unchecked (a table that does not parse fails when the catalog is built). */
function tableVersion(raws: readonly string[], opts: LoadOptions): string {
  const versions = raws.flatMap((raw) => {
    try {
      const v = (JSON.parse(raw) as { version?: unknown }).version;
      return typeof v === "string" ? [v] : [];
    } catch {
      return [];
    }
  });
  return catalogVersion(versions, opts);
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function buildCatalog(dir: string, files: readonly string[], raws: readonly string[], opts: LoadOptions, sha256: string): Catalog {
  const models = new Map<string, CatalogModel>();
  const paths = new Map<string, string>();
  const versions: string[] = [];
  for (const [i, f] of files.entries()) {
    const parsed = PricingFile.safeParse(parseJsonFile(join(dir, f), raws[i]!));
    if (!parsed.success) throw usageError(`pricing/${f}: invalid pricing table: ${issues(parsed.error)}`);
    versions.push(parsed.data.version);
    parsed.data.models.forEach((m, i) => {
      if (models.has(m.id)) throw usageError(`pricing/${f}: models[${i}]: model ${m.id} is also defined in pricing/${models.get(m.id)!.origin}`);
      models.set(m.id, { ...m, provider: parsed.data.provider, origin: f });
      paths.set(m.id, `pricing/${f}: models[${i}]`);
    });
  }
  checkAliases([...models.values()], (m) => paths.get(m.id)!);
  const given: { d: OverridesT["discounts"][number]; path: string }[] = [];
  (opts.overrides ?? []).forEach((o, i) => {
    const label = opts.overrideLabels?.[i] ?? "pricing overrides";
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
    for (const [j, d] of parsed.data.discounts.entries()) given.push({ d, path: `${label}: discounts[${j}]` });
  });
  const discounts = given.map(({ d, path }) => knownDiscount(d, path, [...models.values()]));
  return {
    version: catalogVersion(versions, opts),
    sha256,
    models: [...models.values()],
    discounts,
    deployments: { ...(opts.deployments ?? {}) },
  };
}

/**
 * A discount names its provider and model as the price book does (any case; a model by id or alias): one that names
 * nothing in the book would apply to no rate, silently, so it is exit 2 naming the key.
 */
function knownDiscount(d: OverridesT["discounts"][number], path: string, models: readonly CatalogModel[]): OverridesT["discounts"][number] {
  const out = { ...d };
  if (d.provider !== undefined) {
    const providers = [...new Set(models.map((m) => m.provider))].sort();
    const p = providers.find((x) => x.toLowerCase() === d.provider!.trim().toLowerCase());
    if (p === undefined) throw usageError(`${path}.provider: no priced model has provider ${JSON.stringify(d.provider)}`, `providers: ${providers.join(", ")}`);
    out.provider = p;
  }
  if (d.model !== undefined) {
    const key = d.model.trim().toLowerCase();
    const m = models.find((x) => x.id.toLowerCase() === key || x.aliases.some((a) => a.trim().toLowerCase() === key));
    if (m === undefined) throw usageError(`${path}.model: no priced model has id or alias ${JSON.stringify(d.model)}`, "`llmcost pricing list` shows the ids");
    out.model = m.id;
  }
  return out;
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
