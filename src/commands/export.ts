import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { loadCatalog } from "../pricing/load.js";
import { costExpr, costSource, installPricing, priceJoin } from "../pricing/sql.js";
import { ensureWritable, ensureWritableDir } from "../output/files.js";
import { Db } from "../store/db.js";

export interface ExportOptions extends GlobalOptions {
  focus?: string;
  parquet?: string;
  overwrite?: boolean;
}

const PROVIDER_NAMES = `CASE u.provider WHEN 'openai' THEN 'OpenAI' WHEN 'anthropic' THEN 'Anthropic' WHEN 'google' THEN 'Google' ELSE coalesce(u.provider, 'Unknown') END`;

/**
 * FinOps FOCUS columns, one row per day × provider × model × feature × user hash × source. Costs are llmcost's
 * exact computed costs (request logs carry no invoice): BilledCost = EffectiveCost = the cost with your pricing
 * overrides, ListCost = the cost at the built-in list prices. Custom columns follow, prefixed x_.
 */
function focusSql(effective: string, list: string, joins: string): string {
  return `
    SELECT
      round(coalesce(sum(${effective}), 0), 12)::DECIMAL(38,12) AS BilledCost,
      round(coalesce(sum(${effective}), 0), 12)::DECIMAL(38,12) AS EffectiveCost,
      round(coalesce(sum(${list}), 0), 12)::DECIMAL(38,12) AS ListCost,
      'USD' AS BillingCurrency,
      strftime(date_trunc('day', u.ts), '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodStart,
      strftime(date_trunc('day', u.ts) + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodEnd,
      'Usage' AS ChargeCategory,
      ${PROVIDER_NAMES} AS ServiceProviderName,
      ${PROVIDER_NAMES} AS PublisherName,
      'AI and Machine Learning' AS ServiceCategory,
      coalesce(u.model, '(unknown)') AS ServiceName,
      coalesce(u.model, '(unknown)') AS SkuId,
      'Tokens' AS SkuMeter,
      sum(u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens + u.output_tokens)::BIGINT AS ConsumedQuantity,
      'Tokens' AS ConsumedUnit,
      to_json({feature: u.feature, user_hash: u.user_hash})::VARCHAR AS Tags,
      u.source_kind AS x_Source,
      u.project AS x_Project,
      sum(u.requests)::BIGINT AS x_Requests,
      sum(u.input_tokens)::BIGINT AS x_InputTokens,
      sum(u.cached_input_tokens)::BIGINT AS x_CachedInputTokens,
      sum(u.cache_write_5m_tokens + u.cache_write_1h_tokens)::BIGINT AS x_CacheWriteTokens,
      sum(u.output_tokens)::BIGINT AS x_OutputTokens,
      bool_or(u.batch) AS x_Batch,
      count(*) FILTER (WHERE (${effective}) IS NULL)::BIGINT AS x_UnpricedRows
    FROM usage u ${joins}
    GROUP BY date_trunc('day', u.ts), u.provider, u.model, u.feature, u.user_hash, u.source_kind, u.project
    ORDER BY ChargePeriodStart, ServiceProviderName, SkuId, Tags`;
}

export async function run(o: ExportOptions): Promise<number> {
  if (!o.focus && !o.parquet) throw usageError("choose what to export", "--focus FILE.csv and/or --parquet DIR");
  const ctx = loadContext(o);
  if (o.focus) ensureWritable(o.focus, "--focus");
  if (o.parquet) ensureWritableDir(o.parquet, "--parquet");
  const db = await Db.open(ctx.dbPath, { readOnly: true });
  try {
    await installPricing(db, ctx.catalog);
    if (o.focus) {
      const cs = await costSource(db, ctx.catalog.sha256, null);
      // List price: the built-in tables without user overrides or discounts, priced in the same query.
      await installPricing(db, loadCatalog());
      await db.run("CREATE OR REPLACE TEMP TABLE list_rate AS SELECT * FROM price_rate");
      await db.run("CREATE OR REPLACE TEMP TABLE list_alias AS SELECT * FROM price_alias");
      await installPricing(db, ctx.catalog);
      const listJoin = priceJoin("u", "u.ts", { alias: "list_alias", rate: "list_rate", a: "la", r: "lr" });
      const listCost = costExpr("u", undefined, "lr");
      const joins = `${cs.join} ${listJoin}`;
      await db.run(`COPY (${focusSql(cs.cost, listCost, joins)}) TO '${escapePath(o.focus)}' (FORMAT csv, HEADER true)`);
      process.stderr.write(`wrote FOCUS CSV to ${o.focus}\n`);
    }
    if (o.parquet) {
      if (existsSync(o.parquet) && readdirSync(o.parquet).length && !o.overwrite) {
        throw usageError(`${o.parquet} is not empty`, "pass --overwrite to replace it, or choose an empty directory");
      }
      mkdirSync(o.parquet, { recursive: true });
      await db.run(
        `COPY (SELECT * EXCLUDE (rid), strftime(ts, '%Y-%m-%d') AS day FROM usage) TO '${escapePath(o.parquet)}'
         (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE true)`,
      );
      process.stderr.write(`wrote usage as Parquet partitioned by day to ${o.parquet}/day=YYYY-MM-DD/\n`);
    }
  } finally {
    db.close();
  }
  return 0;
}

/** COPY … TO takes a literal path (no parameter): quote it as a string literal. */
const escapePath = (p: string): string => {
  if (p.includes("\0")) throw usageError("output path contains a NUL byte");
  return p.replaceAll("'", "''");
};
