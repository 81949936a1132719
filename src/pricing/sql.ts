import type { Db } from "../store/db.js";
import type { Catalog } from "./load.js";
import { aliasRows, rateRows } from "./rates.js";

/**
 * Puts the catalog into two TEMP tables (they work on read-only connections too), bound as one JSON parameter:
 *   price_alias(alias, model_id)             lower-cased exact aliases
 *   price_rate(model_id, mode, valid_from, valid_to, rates…)  USD per 1M tokens, DECIMAL(18,6)
 */
export async function installPricing(db: Db, catalog: Catalog): Promise<void> {
  const rate = "DECIMAL(18,6)";
  await db.run(
    // The *_p columns are the same rates as integers: USD per 1M tokens × 10^6 = picodollars per token (see costPerRow).
    `CREATE OR REPLACE TEMP TABLE price_rate AS
     SELECT *, ${PICO.map((c) => `CAST(${c} * 1000000 AS BIGINT) AS ${c}_p`).join(", ")} FROM (SELECT unnest(json_transform($rows::JSON, '[{"model_id":"VARCHAR","provider":"VARCHAR","valid_from":"TIMESTAMP","valid_to":"TIMESTAMP","mode":"VARCHAR","input":"${rate}","cached":"${rate}","cw5":"${rate}","cw1":"${rate}","output":"${rate}","lc_threshold":"BIGINT","lc_input":"${rate}","lc_cached":"${rate}","lc_cw5":"${rate}","lc_cw1":"${rate}","lc_output":"${rate}"}]'), recursive := true))`,
    { rows: JSON.stringify(rateRows(catalog)) },
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE price_alias AS
     SELECT * FROM (SELECT unnest(json_transform($rows::JSON, '[{"alias":"VARCHAR","model_id":"VARCHAR"}]'), recursive := true))`,
    { rows: JSON.stringify(aliasRows(catalog)) },
  );
}

/**
 * For ingest, after installPricing: aliases and rates joined into price_alias_rate, so pricing a row is one hash join
 * instead of two, with the provider already as usage_lean stores it (see ingestPriceJoin).
 */
export async function installIngestPricing(db: Db): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE price_alias_rate AS
     SELECT pa.alias, pr.*, TRY_CAST(pr.provider AS lean_provider) AS provider_lean
     FROM price_alias pa JOIN price_rate pr USING (model_id)`,
  );
}

/** A model name as its priced model id (display names, snapshots, prefixes), or the name itself when unknown. */
export const modelIdFromAlias = (expr: string): string =>
  `coalesce((SELECT pa.model_id FROM price_alias pa WHERE pa.alias = lower(${expr})), ${expr})`;

/** The pricing mode of a usage row: batch first, then the priority/flex service tiers. */
export const modeExpr = (u: string): string =>
  `(CASE WHEN ${u}.batch THEN 'batch' WHEN lower(${u}.service_tier) IN ('priority', 'flex') THEN lower(${u}.service_tier) ELSE 'standard' END)`;

/**
 * Joins a usage relation `u` to its rates as `pr`. `at` is the instant whose prices apply: the row's own timestamp,
 * or a fixed `--pricing-as-of` parameter.
 */
export const priceJoin = (u: string, at = `${u}.ts`, t: PriceTables = DEFAULT_TABLES): string => `
  LEFT JOIN ${t.alias} ${t.a} ON ${t.a}.alias = lower(${u}.model)
  LEFT JOIN ${t.rate} ${t.r} ON ${t.r}.model_id = ${t.a}.model_id AND ${t.r}.mode = ${modeExpr(u)}
    AND ${at} >= ${t.r}.valid_from AND ${at} < ${t.r}.valid_to`;

/** priceJoin for ingest, over price_alias_rate: the same rows, one join. `pr` also has `provider_lean`. */
export const ingestPriceJoin = (u: string): string => `
  LEFT JOIN price_alias_rate pr ON pr.alias = lower(${u}.model) AND pr.mode = ${modeExpr(u)}
    AND ${u}.ts >= pr.valid_from AND ${u}.ts < pr.valid_to`;

/** Which price tables a join reads and the aliases it gives them (a second catalog can sit beside the first). */
export interface PriceTables {
  alias: string;
  rate: string;
  a: string;
  r: string;
}
export const DEFAULT_TABLES: PriceTables = { alias: "price_alias", rate: "price_rate", a: "pa", r: "pr" };

/** Whether row `u` pays rate row `r`'s long-context tier (see costExpr). */
const longContextApplies = (u: string, r: string, decision?: string): string =>
  `(${r}.lc_threshold IS NOT NULL AND ${decision ?? `coalesce(${u}.long_context, (${u}.input_tokens + ${u}.cached_input_tokens + ${u}.cache_write_5m_tokens + ${u}.cache_write_1h_tokens) > ${r}.lc_threshold)`})`;

/**
 * Exact cost in DECIMAL(38,12): tokens × USD-per-1M × 10^-6, never divided. NULL when unpriced.
 * The long-context tier is all-or-nothing per request: stated by the source for bucketed exports, else decided by
 * the request's total input (uncached + cached + cache writes) against the threshold. `longContext` replaces that
 * decision for callers that pre-aggregated requests (see sim/simulate.ts).
 */
export const costExpr = (u: string, longContext?: string, r = "pr"): string => {
  const lc = longContextApplies(u, r, longContext);
  const sum = (p: string) =>
    `(${u}.input_tokens * ${r}.${p}input + ${u}.cached_input_tokens * ${r}.${p}cached + ${u}.cache_write_5m_tokens * ${r}.${p}cw5 + ${u}.cache_write_1h_tokens * ${r}.${p}cw1 + ${u}.output_tokens * ${r}.${p}output)`;
  return `CAST(CASE WHEN ${r}.model_id IS NULL THEN NULL WHEN ${lc} THEN ${sum("lc_")} * 0.000001::DECIMAL(7,6) ELSE ${sum("")} * 0.000001::DECIMAL(7,6) END AS DECIMAL(38,12))`;
};

/** The long-context thresholds of the catalog, largest first. */
const lcThresholds = (catalog: Catalog): number[] =>
  [...new Set(catalog.models.flatMap((m) => m.prices.flatMap((e) => (e.long_context ? [e.long_context.threshold_tokens] : []))))].sort((a, b) => b - a);

/**
 * A request's long-context class: the largest known threshold its total input exceeds (0: none). total > T ⟺
 * class ≥ T for every threshold T of the catalog, so requests summed by class price exactly.
 */
export const lcbSql = (catalog: Catalog, total: string): string => {
  const t = lcThresholds(catalog);
  return t.length ? `CASE ${t.map((x) => `WHEN ${total} > ${x} THEN ${x}`).join(" ")} ELSE 0 END` : "0";
};

const PICO = ["input", "cached", "cw5", "cw1", "output", "lc_input", "lc_cached", "lc_cw5", "lc_cw1", "lc_output"] as const;

/**
 * The same exact cost as costExpr, for one row of BIGINT token counts (ingest, repricing): the sum is taken in integer
 * picodollars (tokens × rate·10^6), then scaled once to DECIMAL. About 2.5x cheaper than five DECIMAL(38)
 * products. An INT64 overflow means a row of over $9M (ingest reports it like any row of $1M or more).
 */
export const costPerRow = (u: string, r = "pr"): string => {
  const lc = longContextApplies(u, r);
  const rate = (c: string) => `(CASE WHEN ${lc} THEN ${r}.lc_${c}_p ELSE ${r}.${c}_p END)`;
  const pico = `(${u}.input_tokens * ${rate("input")} + ${u}.cached_input_tokens * ${rate("cached")} + ${u}.cache_write_5m_tokens * ${rate("cw5")} + ${u}.cache_write_1h_tokens * ${rate("cw1")} + ${u}.output_tokens * ${rate("output")})`;
  return `CAST(CASE WHEN ${r}.model_id IS NULL THEN NULL ELSE ${pico} * 0.000000000001::DECIMAL(13,12) END AS DECIMAL(38,12))`;
};

/** The pricing sha256 that the stored usage.cost_usd values were computed with. */
export async function storedPricingSha(db: Db): Promise<string | undefined> {
  const row = await db.one<{ value: string }>("SELECT value FROM meta WHERE key = 'pricing_sha256'");
  return row?.value;
}

/**
 * Re-prices every stored row with the installed catalog (after a pricing change) and records its sha256.
 * Runs inside the caller's transaction.
 */
export async function repriceStored(db: Db, sha256: string): Promise<void> {
  // Both physical tables behind the usage view. Lean rows are never batch, tiered or long-context by declaration,
  // and are priced exactly when they have a cost.
  const lean = "(SELECT rowid AS row_id, *, false AS batch, NULL::VARCHAR AS service_tier, NULL::BOOLEAN AS long_context FROM usage_lean)";
  for (const [table, from, set] of [
    ["usage_wide", "(SELECT rowid AS row_id, * FROM usage_wide)", "cost_usd = x.cost, priced = x.priced"],
    ["usage_lean", lean, "cost_usd = x.cost"],
  ] as const) {
    await db.run(
      `UPDATE ${table} SET ${set}
       FROM (SELECT u.row_id, ${costPerRow("u")} AS cost, pr.model_id IS NOT NULL AS priced FROM ${from} u ${priceJoin("u")}) x
       WHERE ${table}.rowid = x.row_id`,
    );
  }
  await db.run("INSERT OR REPLACE INTO meta VALUES ('pricing_sha256', $1)", [sha256]);
}

export interface CostSource {
  /** Joins to add after `FROM usage u` (empty when stored costs are current). */
  join: string;
  cost: string;
  priced: string;
  /** "stored" when the ingest-time costs are current, "repriced" when computed on the fly. */
  mode: "stored" | "repriced";
}

/**
 * Stored costs are used when they were computed with this exact catalog and no --pricing-as-of is asked for;
 * otherwise cost is computed in the query from the installed price tables (still exact DECIMAL).
 */
export async function costSource(db: Db, catalogSha: string, asOf: string | null): Promise<CostSource> {
  if (asOf === null && (await storedPricingSha(db)) === catalogSha) {
    return { join: "", cost: "u.cost_usd", priced: "u.priced", mode: "stored" };
  }
  const at = asOf === null ? "u.ts" : "CAST($pricing_as_of AS TIMESTAMP)";
  return { join: priceJoin("u", at), cost: costPerRow("u"), priced: "(pr.model_id IS NOT NULL)", mode: "repriced" };
}
