import { costMode } from "../store/cost-mode.js";
import type { Db } from "../store/db.js";
import type { Catalog, PricingRef } from "./load.js";
import { aliasRows, resolveName } from "./names.js";
import { type RateRow, rateRows } from "./rates.js";

/**
 * Puts the catalog into two TEMP tables (they work on read-only connections too), bound as one JSON parameter:
 *   price_alias(alias, model_id)             lower-cased exact aliases
 *   price_rate(model_id, mode, valid_from, valid_to, rates…)  USD per 1M tokens, DECIMAL(18,6)
 */
/** The catalog each connection's price tables were built from (the naming rules need it for names typed later). */
const installed = new WeakMap<Db, Catalog>();
export const installedCatalog = (db: Db): Catalog | undefined => installed.get(db);

const RATE = "DECIMAL(18,6)";
const MULT = "DECIMAL(9,6)";
/** price_rate's columns from the catalog, in order, with their SQL types. */
const RATE_COLUMNS: readonly (readonly [keyof RateRow, string])[] = [
  ["model_id", "VARCHAR"],
  ["provider", "VARCHAR"],
  ["valid_from", "TIMESTAMP"],
  ["valid_to", "TIMESTAMP"],
  ["mode", "VARCHAR"],
  ...(["input", "cached", "cw5", "cw1", "output", "rsn_d", "ain_d", "aout_d", "ws"] as const).map((c) => [c, RATE] as const),
  ["geo_us", MULT],
  ["fast", MULT],
  ["lc_threshold", "BIGINT"],
  ...(["lc_input", "lc_cached", "lc_cw5", "lc_cw1", "lc_output"] as const).map((c) => [c, RATE] as const),
];
/** The json_transform type of the JSON below: a list per column. */
const RATE_COLUMNS_SPEC = JSON.stringify(Object.fromEntries(RATE_COLUMNS.map(([c, type]) => [c, [type]])));

/**
 * The rate rows of a catalog as the JSON parameter below, a list per column (DuckDB reads that in about half the time
 * of a list of objects), built once per catalog (a catalog is frozen: see loadCatalog).
 */
const rateJson = new WeakMap<Catalog, string>();
function rateColumnsJson(catalog: Catalog): string {
  const known = rateJson.get(catalog);
  if (known !== undefined) return known;
  const rows = rateRows(catalog);
  const json = JSON.stringify(Object.fromEntries(RATE_COLUMNS.map(([c]) => [c, rows.map((r) => r[c] ?? null)])));
  rateJson.set(catalog, json);
  return json;
}

export async function installPricing(db: Db, catalog: Catalog, extraNames: readonly string[] = []): Promise<void> {
  // Already built from this catalog on this connection (savings simulates once per tactic): the same tables.
  if (installed.get(db) === catalog && extraNames.length === 0) return;
  installed.set(db, catalog);
  await db.run(
    // The *_p columns are the same rates as integers: USD per 1M tokens × 10^6 = picodollars per token (see costPerRow);
    // ws_p: USD per 1,000 calls × 10^9 = picodollars per call.
    `CREATE OR REPLACE TEMP TABLE price_rate AS
     SELECT *, ${PICO.map((c) => `CAST(${c} * 1000000 AS BIGINT) AS ${c}_p`).join(", ")}, CAST(ws * 1000000000 AS BIGINT) AS ws_p
     FROM (SELECT ${RATE_COLUMNS.map(([c]) => `unnest(j.${c}) AS ${c}`).join(", ")} FROM (SELECT json_transform($cols::JSON, '${RATE_COLUMNS_SPEC}') AS j))`,
    { cols: rateColumnsJson(catalog) },
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE price_alias AS
     SELECT * FROM (SELECT unnest(json_transform($rows::JSON, '[{"alias":"VARCHAR","model_id":"VARCHAR"}]'), recursive := true))`,
    { rows: JSON.stringify(await aliasRowsFor(db, catalog, extraNames)) },
  );
}

/**
 * The catalog's exact aliases, plus every model name stored in the database (and `extra`) that a naming rule
 * resolves (provider prefixes, Bedrock and Vertex ids…; see names.ts): rules run once per distinct name, in
 * TypeScript, so pricing a row stays one equality join.
 */
async function aliasRowsFor(db: Db, catalog: Catalog, extra: readonly string[]): Promise<{ alias: string; model_id: string }[]> {
  const rows = aliasRows(catalog);
  const known = new Set(rows.map((r) => r.alias));
  const stored = (await db.one<{ n: string }>("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'model_names' AND NOT temporary"))?.n;
  const names = Number(stored ?? 0) > 0 ? (await db.all<{ name: string }>("SELECT name FROM model_names")).map((r) => r.name) : [];
  for (const name of [...names, ...extra]) {
    const key = name.toLowerCase();
    if (known.has(key)) continue;
    const r = resolveName(catalog, name);
    if (r) rows.push({ alias: key, model_id: r.model.id });
    known.add(key);
  }
  return rows;
}

/** Adds the aliases of new model names to the installed price tables (ingest: names first seen in this file). */
export async function addNameAliases(db: Db, catalog: Catalog, names: readonly string[]): Promise<string[]> {
  const added: { alias: string; model_id: string }[] = [];
  const have = new Set((await db.all<{ alias: string }>("SELECT alias FROM price_alias")).map((r) => r.alias));
  for (const name of names) {
    const key = name.toLowerCase();
    if (have.has(key)) continue;
    const r = resolveName(catalog, name);
    if (r) added.push({ alias: key, model_id: r.model.id });
    have.add(key);
  }
  if (!added.length) return [];
  const json = { rows: JSON.stringify(added) };
  const rows = `(SELECT unnest(json_transform($rows::JSON, '[{"alias":"VARCHAR","model_id":"VARCHAR"}]'), recursive := true))`;
  await db.run(`INSERT INTO price_alias SELECT * FROM ${rows}`, json);
  const hasIngestTable = await db.one<{ n: string }>("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'price_alias_rate'");
  if (Number(hasIngestTable?.n ?? 0) > 0) {
    await db.run(
      `INSERT INTO price_alias_rate SELECT pa.alias, pr.*, TRY_CAST(pr.provider AS lean_provider) AS provider_lean
       FROM ${rows} pa JOIN price_rate pr USING (model_id)`,
      json,
    );
  }
  return added.map((a) => a.alias);
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
export const modelIdFromAlias = (expr: string): string => `coalesce((SELECT pa.model_id FROM price_alias pa WHERE pa.alias = lower(${expr})), ${expr})`;

/**
 * The pricing mode of a usage row: batch (the flag, or a `batch` service tier), then the service tier. Tiers that
 * mean standard (default, standard, auto, on_demand) are standard; priority and flex (and Vertex's ON_DEMAND_PRIORITY,
 * ON_DEMAND_FLEX) are theirs; any other tier (scale, provisioned…) has no rate row, so it is unpriced and said.
 */
export const modeExpr = (u: string): string =>
  `(CASE WHEN ${u}.batch OR lower(${u}.service_tier) = 'batch' THEN 'batch'
     WHEN ${u}.service_tier IS NULL OR lower(${u}.service_tier) IN ('default', 'standard', 'auto', 'on_demand', 'standard_only', '') THEN 'standard'
     WHEN lower(${u}.service_tier) IN ('priority', 'on_demand_priority') THEN 'priority'
     WHEN lower(${u}.service_tier) IN ('flex', 'on_demand_flex') THEN 'flex'
     ELSE lower(${u}.service_tier) END)`;

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
export const longContextApplies = (u: string, r: string, decision?: string): string =>
  `(${r}.lc_threshold IS NOT NULL AND ${decision ?? `coalesce(${u}.long_context, (${u}.input_tokens + ${u}.cached_input_tokens + ${u}.cache_write_5m_tokens + ${u}.cache_write_1h_tokens) > ${r}.lc_threshold)`})`;

/**
 * A charge of row `u` that rate row `r` cannot price (web search calls without a rate, fast mode on a model without
 * one), or NULL. Such a row is unpriced, like a model without a price: counted and said, never $0.
 */
export const unpricedChargeExpr = (u: string, r = "pr"): string =>
  `(CASE WHEN ${u}.web_search_requests > 0 AND ${r}.ws IS NULL THEN 'web search'
     WHEN ${u}.speed = 'fast' AND ${r}.fast IS NULL THEN 'fast mode' END)`;

/**
 * `usd` × the factor on every rate of a row: US-only inference (`inference_geo`) and fast mode (`speed`), where
 * priced. Rows with neither (every plain log) skip the multiplication.
 */
const withMultipliers = (usd: string, u: string, r: string): string =>
  `CASE WHEN ${u}.inference_geo IS NULL AND ${u}.speed IS NULL THEN ${usd}
     ELSE ${usd} * CASE WHEN ${u}.inference_geo = 'us' AND ${r}.geo_us IS NOT NULL THEN ${r}.geo_us ELSE 1 END
       * CASE WHEN ${u}.speed = 'fast' THEN ${r}.fast ELSE 1 END END`;

/** Reasoning and audio tokens at their own rates (as differences to the output/input rate), and web search calls. */
const extrasSum = (u: string, r: string, p: string): string =>
  `${u}.reasoning_tokens * ${r}.rsn_d${p} + ${u}.audio_input_tokens * ${r}.ain_d${p} + ${u}.audio_output_tokens * ${r}.aout_d${p} + coalesce(${u}.web_search_requests * ${p === "_p" ? `${r}.ws_p` : `${r}.ws * 1000`}, 0)`;

/**
 * Exact cost in DECIMAL(38,12): tokens × USD-per-1M × 10^-6, never divided. NULL when unpriced.
 * The long-context tier is all-or-nothing per request: stated by the source for bucketed exports, else decided by
 * the request's total input (uncached + cached + cache writes) against the threshold. `longContext` replaces that
 * decision for callers that pre-aggregated requests (see sim/simulate.ts). Reasoning and audio rates, web search
 * calls and the geo and fast-mode multipliers apply on top (see costPerRow).
 */
export const costExpr = (u: string, longContext?: string, r = "pr"): string => {
  const lc = longContextApplies(u, r, longContext);
  const sum = (p: string) =>
    `(${u}.input_tokens * ${r}.${p}input + ${u}.cached_input_tokens * ${r}.${p}cached + ${u}.cache_write_5m_tokens * ${r}.${p}cw5 + ${u}.cache_write_1h_tokens * ${r}.${p}cw1 + ${u}.output_tokens * ${r}.${p}output)`;
  const usd = `(CASE WHEN ${lc} THEN ${sum("lc_")} ELSE ${sum("")} END + ${extrasSum(u, r, "")}) * 0.000001::DECIMAL(7,6)`;
  return `CAST(CASE WHEN ${r}.model_id IS NULL OR ${unpricedChargeExpr(u, r)} IS NOT NULL THEN NULL ELSE ${withMultipliers(usd, u, r)} END AS DECIMAL(38,12))`;
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

const PICO = ["input", "cached", "cw5", "cw1", "output", "rsn_d", "ain_d", "aout_d", "lc_input", "lc_cached", "lc_cw5", "lc_cw1", "lc_output"] as const;

/**
 * The same exact cost as costExpr, for one row of BIGINT token counts (ingest, repricing): the sum is taken in integer
 * picodollars (tokens × rate·10^6), then scaled once to DECIMAL. About 2.5x cheaper than five DECIMAL(38)
 * products. An INT64 overflow means a row of over $9M (ingest reports it like any row of $1M or more).
 */
export const costPerRow = (u: string, r = "pr"): string => {
  const lc = longContextApplies(u, r);
  const rate = (c: string) => `(CASE WHEN ${lc} THEN ${r}.lc_${c}_p ELSE ${r}.${c}_p END)`;
  const pico = `(${u}.input_tokens * ${rate("input")} + ${u}.cached_input_tokens * ${rate("cached")} + ${u}.cache_write_5m_tokens * ${rate("cw5")} + ${u}.cache_write_1h_tokens * ${rate("cw1")} + ${u}.output_tokens * ${rate("output")} + ${extrasSum(u, r, "_p")})`;
  return `CAST(CASE WHEN ${r}.model_id IS NULL OR ${unpricedChargeExpr(u, r)} IS NOT NULL THEN NULL ELSE ${withMultipliers(`${pico} * 0.000000000001::DECIMAL(13,12)`, u, r)} END AS DECIMAL(38,12))`;
};

/** The pricing sha256 that the stored usage.cost_usd values were computed with. */
export async function storedPricingSha(db: Db): Promise<string | undefined> {
  const row = await db.one<{ value: string }>("SELECT value FROM meta WHERE key = 'pricing_sha256'");
  return row?.value;
}

/** Lean rows with the columns their table does not store (constant for every plain log), for pricing SQL. */
const LEAN_AS_WIDE = `false AS batch, NULL::VARCHAR AS service_tier, NULL::BOOLEAN AS long_context, 0::BIGINT AS audio_input_tokens,
  0::BIGINT AS audio_output_tokens, 0::BIGINT AS web_search_requests, NULL::VARCHAR AS inference_geo, NULL::VARCHAR AS speed`;

/**
 * Re-prices stored rows with the installed catalog: every row after a pricing change (then records its sha256), or
 * only one ingest's rows of some model names (`only`: names first resolved by a naming rule during that ingest).
 * Runs inside the caller's transaction.
 */
export async function repriceStored(db: Db, sha256: string | null, only?: { ingestId: number; aliases: readonly string[] }): Promise<void> {
  // Both physical tables behind the usage view. Lean rows are never batch, tiered or long-context by declaration,
  // and are priced exactly when they have a cost.
  const filter = only ? "WHERE ingest_id = $ingest AND list_contains($aliases::VARCHAR[], lower(model))" : "";
  const params: Record<string, string | number> = only ? { ingest: only.ingestId, aliases: JSON.stringify(only.aliases) } : {};
  const lean = `(SELECT rowid AS row_id, *, ${LEAN_AS_WIDE} FROM usage_lean ${filter})`;
  for (const [table, from, set] of [
    [
      "usage_wide",
      `(SELECT rowid AS row_id, * FROM usage_wide ${filter})`,
      "cost_usd = x.cost, priced = x.cost IS NOT NULL, provider = coalesce(usage_wide.provider, x.provider)",
    ],
    ["usage_lean", lean, "cost_usd = x.cost, provider = coalesce(usage_lean.provider, TRY_CAST(x.provider AS lean_provider))"],
  ] as const) {
    await db.run(
      `UPDATE ${table} SET ${set}
       FROM (SELECT u.row_id, ${costPerRow("u")} AS cost, pr.provider FROM ${from} u ${priceJoin("u")}) x
       WHERE ${table}.rowid = x.row_id`,
      params,
    );
  }
  if (sha256 !== null) await db.run("INSERT OR REPLACE INTO meta VALUES ('pricing_sha256', $1)", [sha256]);
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
 * otherwise cost is computed in the query from the installed price tables (still exact DECIMAL). Repriced rows follow
 * `--cost-mode` like stored ones: under `auto` a row the price tables cannot price falls back to the cost its source
 * stated; `computed` leaves it unpriced; `reported` never reprices (the stated cost is the cost).
 */
export async function costSource(db: Db, catalogSha: string, asOf: string | null): Promise<CostSource> {
  return costSourceOf(await storedPricingSha(db), catalogSha, asOf);
}

/** costSource, given the sha256 of the pricing the stored costs were computed with. */
function costSourceOf(stored: string | undefined, catalogSha: string, asOf: string | null): CostSource {
  const mode = costMode();
  if (mode === "reported" || (asOf === null && stored === catalogSha)) {
    return { join: "", cost: "u.cost_usd", priced: "u.priced", mode: "stored" };
  }
  const at = asOf === null ? "u.ts" : "CAST($pricing_as_of AS TIMESTAMP)";
  const computed = costPerRow("u");
  const priced = `(pr.model_id IS NOT NULL AND ${unpricedChargeExpr("u")} IS NULL)`;
  if (mode === "computed") return { join: priceJoin("u", at), cost: computed, priced, mode: "repriced" };
  return {
    join: priceJoin("u", at),
    cost: `coalesce(${computed}, u.reported_cost_usd)`,
    priced: `(${priced} OR u.reported_cost_usd IS NOT NULL)`,
    mode: "repriced",
  };
}

/**
 * The cost source of a reading command, with the price tables installed when they are read: to reprice, when the
 * command needs them (`tables`: resolving a model name, a replay), or when the pricing is not the stored one (so that
 * bad pricing input is refused, built and checked). Stored costs of this very price book need neither the tables nor
 * the catalog built: an earlier run built and checked these inputs.
 */
export async function readingCostSource(db: Db, pricing: PricingRef, asOf: string | null, tables: boolean): Promise<CostSource> {
  const stored = await storedPricingSha(db);
  const cs = costSourceOf(stored, pricing.sha256, asOf);
  if (tables || cs.mode === "repriced" || stored !== pricing.sha256) await installPricing(db, pricing.catalog);
  return cs;
}

/**
 * The unpriced rows of `usage` matching `where`, one row per model name, with why (after installPricing). The price
 * join runs only over rows stored unpriced (a filter on the stored flag first: ingest asks about 1M-row files):
 * `kind` is `no-price` (no id or alias), `before-epoch` (rows before the model's first price; `since` says from
 * when it is priced), `tier` (a service tier or mode the model has no rate for: `detail`) or `charge` (a charge
 * beyond tokens without a rate: `detail`).
 */
export const unpricedSql = (where: string): string => `
  SELECT coalesce(u.model, '(no model)') AS model, any_value(u.provider) AS provider, any_value(pa.model_id) AS model_id,
    count(*) AS rows, count(u.reported_cost_usd) AS reported_rows, sum(u.requests) AS requests,
    sum(u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens + u.output_tokens) AS tokens,
    strftime(min(u.ts), '%Y-%m-%d') AS first_seen, strftime(max(u.ts), '%Y-%m-%d') AS last_seen,
    CASE WHEN bool_or(pa.model_id IS NULL) THEN 'no-price'
         WHEN bool_or(pr.model_id IS NULL AND ps.model_id IS NULL) THEN 'before-epoch'
         WHEN bool_or(pr.model_id IS NULL) THEN 'tier' ELSE 'charge' END AS kind,
    (SELECT strftime(min(valid_from), '%Y-%m-%d') FROM price_rate r WHERE r.model_id = any_value(pa.model_id)) AS since,
    coalesce(string_agg(DISTINCT ${modeExpr("u")}, ', ') FILTER (WHERE pr.model_id IS NULL AND ps.model_id IS NOT NULL),
      string_agg(DISTINCT ${unpricedChargeExpr("u")}, ', ')) AS detail
  FROM usage u ${priceJoin("u")}
  LEFT JOIN price_rate ps ON ps.model_id = pa.model_id AND ps.mode = 'standard' AND u.ts >= ps.valid_from AND u.ts < ps.valid_to
  WHERE NOT coalesce(u.computed_priced, false) AND (pr.model_id IS NULL OR ${unpricedChargeExpr("u")} IS NOT NULL) AND (${where})
  GROUP BY 1 ORDER BY tokens DESC, model`;

export interface UnpricedRow {
  [column: string]: unknown;
  model: string;
  provider: string | null;
  model_id: string | null;
  rows: string;
  /** Rows whose source states a cost: `--cost-mode auto` uses it. */
  reported_rows: string;
  requests: string;
  tokens: string;
  first_seen: string;
  last_seen: string;
  kind: "no-price" | "before-epoch" | "tier" | "charge";
  since: string | null;
  detail: string | null;
}

/** What a model lacks for some of its rows, in a few words ("fast mode has no rate"): the head of unpricedWhy. */
export const rateGap = (r: UnpricedRow): string =>
  r.kind === "no-price"
    ? "no price entry or alias for this name"
    : r.kind === "before-epoch"
      ? `priced from ${r.since}`
      : r.kind === "tier"
        ? `no ${r.detail} rate`
        : `${r.detail} has no rate`;

/** Why a model's rows are unpriced, in the user's words, after the model name as stored. */
export const unpricedWhy = (r: UnpricedRow): string => {
  if (r.kind === "no-price") return rateGap(r);
  const as = r.model_id && r.model_id.toLowerCase() !== r.model.toLowerCase() ? ` (${r.model_id})` : "";
  const n = Number(r.rows).toLocaleString("en-US");
  const rows =
    r.kind === "before-epoch"
      ? `; ${n} earlier row(s) are unpriced`
      : r.kind === "tier"
        ? `: ${n} row(s) on that service tier are unpriced, never billed at standard`
        : `: ${n} row(s) with it are unpriced`;
  return `${rateGap(r)}${as}${rows}`;
};

/**
 * Labels one ingest's rows that have no provider (or `unknown`) with their resolved model's provider: a row the
 * price tables could not price (before the model's first price, a tier without a rate) still names whose model it
 * ran on. Reads only that ingest's rows, and only when some are unpriced. True when it labelled any.
 */
export async function labelProviders(db: Db, catalog: Catalog, table: "usage_wide" | "usage_lean", ingestId: number): Promise<boolean> {
  const missing = (t: string) => (table === "usage_lean" ? `${t}.provider IS NULL` : `(${t}.provider IS NULL OR ${t}.provider = 'unknown')`);
  const names = await db.all<{ model: string }>(`SELECT DISTINCT model FROM ${table} x WHERE x.ingest_id = $id AND x.model IS NOT NULL AND ${missing("x")}`, {
    id: ingestId,
  });
  const map = names.flatMap((n) => {
    // A fine-tune (`ft:gpt-4o-mini-2024-07-18:org::id`) runs on its base model's provider, though it has no price.
    const r = resolveName(catalog, n.model) ?? resolveName(catalog, /^ft:([^:]+):/.exec(n.model)?.[1] ?? "");
    return r ? [{ model: n.model, provider: r.model.provider }] : [];
  });
  if (!map.length) return false;
  const value = table === "usage_lean" ? "TRY_CAST(m.provider AS lean_provider)" : "m.provider";
  await db.run(
    `UPDATE ${table} SET provider = ${value}
     FROM (SELECT unnest(json_transform($map::JSON, '[{"model":"VARCHAR","provider":"VARCHAR"}]'), recursive := true)) m
     WHERE ${table}.ingest_id = $id AND ${table}.model = m.model AND ${missing(table)}`,
    { id: ingestId, map: JSON.stringify(map) },
  );
  return true;
}
