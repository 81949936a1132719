import { usageError } from "../errors.js";
import type { Catalog } from "../pricing/load.js";
import { aliasRows, resolveName } from "../pricing/names.js";
import { installedCatalog } from "../pricing/sql.js";
import type { Db, Param } from "../store/db.js";
import type { RollupRel } from "../store/rollup.js";

/**
 * One resolver for every model or feature name a user types (`--where model=`, `--route FROM=TO`, `--model-max`,
 * plan files, `--feature-max`, `--batch F`, `--feature F`). Model names go through the pricing alias table
 * (`price_alias`, installed by installPricing), so every alias rule of the price book (provider prefixes, display
 * names, Bedrock/Vertex ids) applies to what users type exactly as it applies to what was ingested.
 */

/** A model name as stored in `usage`, with the price-book id it resolves to (itself when it has no alias). */
export interface KnownModel {
  model: string;
  modelId: string;
}

/** What one user-given name matched: the stored model names, in order. */
export interface NameMatch {
  name: string;
  /** The price-book id the name resolves to (the name itself when the price book does not know it). */
  modelId: string;
  matched: string[];
}

/**
 * A dated snapshot suffix: `-2024-08-06` (OpenAI), `-20250929` (Anthropic), `-0613`, `-001` (Gemini), `@20241022`
 * (Vertex). `gpt-4o` is the family of `gpt-4o-2024-08-06`, but not of `gpt-4o-mini` (`-mini` is no snapshot).
 */
const SNAPSHOT = /^[-@](\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3})$/;
export const isSnapshotOf = (name: string, family: string): boolean =>
  name.length > family.length && name.startsWith(family) && SNAPSHOT.test(name.slice(family.length));

/** A name without its snapshot suffix (`gpt-4o-2024-08-06` → `gpt-4o`); the name itself when it has none. */
export const familyOf = (name: string): string => name.replace(/[-@](\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3})$/, "");

/** The distinct stored model names of `usage` (or its rollup, which has the same names) where …, each with its price-book id. */
export async function knownModels(db: Db, where: string, params: Record<string, Param>, rel: "usage" | RollupRel = "usage"): Promise<KnownModel[]> {
  return knownModelsFrom(db, `SELECT DISTINCT u.model FROM ${rel} u WHERE u.model IS NOT NULL AND ${where}`, params);
}

/** The same for any query of distinct names in a column `model` (e.g. a simulation's requests). */
export async function knownModelsFrom(db: Db, distinct: string, params: Record<string, Param>): Promise<KnownModel[]> {
  const rows = await db.all<{ model: string; model_id: string }>(
    `SELECT m.model, coalesce(pa.model_id, m.model) AS model_id
     FROM (${distinct}) m LEFT JOIN price_alias pa ON pa.alias = lower(m.model) WHERE m.model IS NOT NULL ORDER BY 1`,
    params,
  );
  return rows.map((r) => ({ model: r.model, modelId: r.model_id }));
}

/** The price-book id of a user-given name (the lower-cased name itself when unknown). */
export async function modelIdOf(db: Db, name: string): Promise<string> {
  const r = await db.one<{ id: string }>("SELECT model_id AS id FROM price_alias WHERE alias = lower($n)", { n: name });
  if (r) return r.id;
  // A spelling no stored row uses (`openai/gpt-4o`, a Bedrock id): the price book's naming rules, as at ingest.
  const catalog = installedCatalog(db);
  return (catalog && resolveName(catalog, name)?.model.id) ?? name.toLowerCase();
}

/**
 * The stored names a user-given model name means: those resolving to the same model id, and for a family name every
 * snapshot of it (by id or by name as logged). Never fuzzy: suggestions are only for the error message.
 */
export function matchModel(name: string, modelId: string, known: readonly KnownModel[]): string[] {
  const n = name.toLowerCase();
  const id = modelId.toLowerCase();
  return known
    .filter((k) => {
      const m = k.model.toLowerCase();
      const kid = k.modelId.toLowerCase();
      return kid === id || m === n || isSnapshotOf(kid, id) || isSnapshotOf(m, n) || isSnapshotOf(m, id);
    })
    .map((k) => k.model);
}

/** Resolves a user-given model name against the stored names, or fails (exit 2) with the closest ones. */
export async function resolveModelName(db: Db, name: string, known: readonly KnownModel[], flag: string, where = "in this window"): Promise<NameMatch> {
  const modelId = await modelIdOf(db, name);
  const matched = matchModel(name, modelId, known);
  if (!matched.length) {
    // Family names are candidates too, so `gpt4o` suggests `gpt-4o`, not only `gpt-4o-2024-08-06`.
    const names = known.flatMap((k) => [k.model, k.modelId, familyOf(k.model), familyOf(k.modelId)]);
    throw noMatch(flag, "model", name, [...new Set(names)].sort(), where);
  }
  return { name, modelId, matched };
}

/** The distinct features of a relation. */
export async function knownFeatures(db: Db, where: string, params: Record<string, Param>, rel: "usage" | RollupRel = "usage"): Promise<string[]> {
  const rows = await db.all<{ f: string }>(`SELECT DISTINCT u.feature AS f FROM ${rel} u WHERE u.feature IS NOT NULL AND ${where} ORDER BY 1`, params);
  return rows.map((r) => r.f);
}

/** Features match exactly (they are the app's own tags); one that is absent fails (exit 2) with the closest ones. */
export function checkFeature(name: string, known: readonly string[], flag: string, where = "in this window"): void {
  if (!known.includes(name)) throw noMatch(flag, "feature", name, known, where);
}

function noMatch(flag: string, what: string, name: string, candidates: readonly string[], where: string) {
  const close = closest(name, candidates);
  return usageError(
    `${flag}: no ${what} ${JSON.stringify(name)} ${where}`,
    close.length
      ? `did you mean ${close.join(", ")}?`
      : candidates.length
        ? `${what}s ${where}: ${candidates.slice(0, 8).join(", ")}${candidates.length > 8 ? ", …" : ""}`
        : `there is no ${what} ${where}`,
  );
}

/** Up to three candidates closest by edit distance (or containing the name), for "did you mean". */
export function closest(name: string, candidates: readonly string[], max = 3): string[] {
  const n = name.toLowerCase();
  const scored = [...new Set(candidates)].map((c) => {
    const l = c.toLowerCase();
    const d = l.includes(n) || n.includes(l) ? Math.min(1, levenshtein(n, l)) : levenshtein(n, l);
    return { c, d };
  });
  const limit = Math.max(2, Math.floor(n.length / 3));
  return scored
    .filter((s) => s.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((s) => s.c);
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** For `pricing show`: the price-book ids that are snapshots of a family id (gpt-4o → gpt-4o-2024-08-06…). */
export function catalogSnapshots(catalog: Catalog, id: string): string[] {
  return catalog.models
    .map((m) => m.id)
    .filter((x) => isSnapshotOf(x, id))
    .sort();
}

/** For `pricing show`: the closest ids and aliases of the price book to a name it does not know. */
export function catalogSuggestions(catalog: Catalog, name: string): string[] {
  return closest(name, [...catalog.models.map((m) => m.id), ...aliasRows(catalog).map((a) => a.alias)]);
}
