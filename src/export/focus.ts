import type { Catalog } from "../pricing/load.js";
import { installPricing, longContextApplies, modeExpr, modelIdFromAlias, unpricedChargeExpr } from "../pricing/sql.js";
import { CHARGE_COUNTS, TOKEN_BUCKETS } from "../sources/types.js";
import type { Db } from "../store/db.js";

/**
 * The FinOps FOCUS export (1.2, or 1.3 with its additions). One source of truth per day × provider: the bill (cost
 * exports) where there is one, else the provider usage exports, else the request logs; the bill and the usage exports
 * are allocated to features by the request logs of the same day. One row per price meter (input, cached input, cache
 * writes, output, reasoning, audio, web search) of a model, mode and price epoch, so every row has a real unit price.
 * All in SQL (temp tables fx_*); the caller COPYs `focusSelect()` to the file.
 */

export type FocusVersion = "1.2" | "1.3";
export interface FocusOptions {
  version: FocusVersion;
  /** zero: FOCUS-valid (costs 0, x_PricingStatus says unpriced); empty: cost cells left empty (not FOCUS-valid). */
  unpricedCost: "zero" | "empty";
  /** BillingAccountId/Name; default: the provider. */
  billingAccount: string | null;
}

/** Display names: the FOCUS ProviderName (the seller, which is also the invoice issuer) per stored provider key. */
const PROVIDER_DISPLAY: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google",
  mistral: "Mistral AI",
  xai: "xAI",
  deepseek: "DeepSeek",
  cohere: "Cohere",
  meta: "Meta",
  amazon: "Amazon",
  azure: "Microsoft",
  groq: "Groq",
  together: "Together AI",
  fireworks: "Fireworks AI",
  perplexity: "Perplexity",
  openrouter: "OpenRouter",
  bedrock: "Amazon Web Services",
  vertex: "Google Cloud",
  ai21: "AI21 Labs",
  unidentified: "Unidentified provider",
};
const SERVICE_NAME: Record<string, string> = { bedrock: "Amazon Bedrock", vertex: "Vertex AI", azure: "Azure OpenAI", amazon: "Amazon Bedrock" };
/** Resellers and clouds: the model's maker (PublisherName) comes from the model id's prefix, not the seller. */
const RESELLERS = ["bedrock", "vertex", "azure", "openrouter"];
/** A provider llmcost could not identify (no provider in the source and a model no price table knows). */
export const UNIDENTIFIED_PROVIDER = "Unidentified provider";

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const caseMap = (expr: string, map: Record<string, string>, otherwise: string) =>
  `(CASE ${expr} ${Object.entries(map)
    .map(([k, v]) => `WHEN ${lit(k)} THEN ${lit(v)}`)
    .join(" ")} ELSE ${otherwise} END)`;
/** A provider key as its display name; an unknown key as written (never "Unknown"). */
const display = (key: string) => caseMap(`lower(${key})`, PROVIDER_DISPLAY, `coalesce(${key}, ${lit(UNIDENTIFIED_PROVIDER)})`);

/** The price meters of a usage row: [name, family (what a bill line names), token column expression, rate]. */
interface Meter {
  name: string;
  family: "input" | "cached" | "cw5" | "cw1" | "output" | "web_search";
  qty: (u: string) => string;
  /** USD per PricingUnit for rate row `r`, before multipliers. */
  rate: (r: string, lc: string) => string;
  unit: "1000000 Tokens" | "1000 Requests";
}
const tier = (c: string) => (r: string, lc: string) => `(CASE WHEN ${lc} THEN coalesce(${r}.lc_${c}, ${r}.${c}) ELSE ${r}.${c} END)`;
const METERS: Meter[] = [
  { name: "Input tokens", family: "input", qty: (u) => `${u}.input_tokens - ${u}.audio_input_tokens`, rate: tier("input"), unit: "1000000 Tokens" },
  {
    name: "Audio input tokens",
    family: "input",
    qty: (u) => `${u}.audio_input_tokens`,
    rate: (r, lc) => `${tier("input")(r, lc)} + ${r}.ain_d`,
    unit: "1000000 Tokens",
  },
  { name: "Cached input tokens", family: "cached", qty: (u) => `${u}.cached_input_tokens`, rate: tier("cached"), unit: "1000000 Tokens" },
  { name: "Cache write tokens (5 min)", family: "cw5", qty: (u) => `${u}.cache_write_5m_tokens`, rate: tier("cw5"), unit: "1000000 Tokens" },
  { name: "Cache write tokens (1 hour)", family: "cw1", qty: (u) => `${u}.cache_write_1h_tokens`, rate: tier("cw1"), unit: "1000000 Tokens" },
  {
    name: "Output tokens",
    family: "output",
    qty: (u) => `${u}.output_tokens - ${u}.reasoning_tokens - ${u}.audio_output_tokens`,
    rate: tier("output"),
    unit: "1000000 Tokens",
  },
  {
    name: "Reasoning tokens",
    family: "output",
    qty: (u) => `${u}.reasoning_tokens`,
    rate: (r, lc) => `${tier("output")(r, lc)} + ${r}.rsn_d`,
    unit: "1000000 Tokens",
  },
  {
    name: "Audio output tokens",
    family: "output",
    qty: (u) => `${u}.audio_output_tokens`,
    rate: (r, lc) => `${tier("output")(r, lc)} + ${r}.aout_d`,
    unit: "1000000 Tokens",
  },
  { name: "Web search calls", family: "web_search", qty: (u) => `${u}.web_search_requests`, rate: (r) => `${r}.ws`, unit: "1000 Requests" },
];
const meterUnit = (meter: string) => caseMap(meter, Object.fromEntries(METERS.map((m) => [m.name, m.unit])), "'Charge'");
const METER_FAMILY = caseMap("meter", Object.fromEntries(METERS.map((m) => [m.name, m.family])), "NULL");
const FAMILY_METER: Record<string, string> = {
  input: "Input tokens",
  cached: "Cached input tokens",
  cw5: "Cache write tokens (5 min)",
  cw1: "Cache write tokens (1 hour)",
  output: "Output tokens",
  web_search: "Web search calls",
};

/** The rate multipliers of a row (US-only inference, fast mode), as in pricing/sql.ts. */
const mult = (u: string, r: string) =>
  `(CASE WHEN ${u}.inference_geo = 'us' AND ${r}.geo_us IS NOT NULL THEN ${r}.geo_us ELSE 1 END * CASE WHEN ${u}.speed = 'fast' THEN coalesce(${r}.fast, 1) ELSE 1 END)`;

/** picodollars (HUGEINT) of a DECIMAL amount, and back: the allocations divide integers, never floats. */
const toPico = (x: string) => `CAST(${x} * 1000000000000 AS HUGEINT)`;
const fromPico = (x: string) => `(CAST(${x} AS DECIMAL(38,0)) * 0.000000000001::DECIMAL(13,12))`;

/**
 * Builds the temp tables. `list` is the built-in catalog (ListUnitPrice), `effective` the one with the user's
 * overrides and discounts (ContractedUnitPrice; BilledCost where there is no bill).
 */
export async function buildFocus(db: Db, effective: Catalog, list: Catalog): Promise<void> {
  // Explicit decimal types wherever two decimals meet: DuckDB gives a CASE (or a list) of DECIMALs of different scales
  // the smallest scale, which would round. Unit prices DECIMAL(38,18) (rate × multipliers), quantities (38,6), costs
  // (38,24) (unit × quantity, exact).
  await installPricing(db, list);
  await db.run("CREATE OR REPLACE TEMP TABLE list_rate AS SELECT * FROM price_rate");
  await db.run("CREATE OR REPLACE TEMP TABLE list_alias AS SELECT * FROM price_alias");
  await installPricing(db, effective);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE fx_maker AS SELECT model_id, any_value(provider) AS provider FROM (SELECT model_id, provider FROM price_rate UNION ALL SELECT model_id, provider FROM list_rate) GROUP BY 1`,
  );
  const lcE = longContextApplies("u", "pr");
  const lcL = longContextApplies("u", "lr");
  const status = `CASE WHEN pr.model_id IS NOT NULL AND ${unpricedChargeExpr("u", "pr")} IS NULL THEN 'priced' WHEN u.reported_cost_usd IS NOT NULL THEN 'reported' ELSE 'unpriced' END`;
  const TOKENS = [...TOKEN_BUCKETS, ...CHARGE_COUNTS];
  // Pass 1, per usage row (the only pass over every row): its price epoch in both catalogs, long-context decision
  // and pricing status, summed per group of rows that share one price. A row the price tables cannot price whole
  // (no price, a charge without a rate) is unpriced, as in `report`.
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_group AS
    SELECT u.ts::DATE AS day, u.source_kind::VARCHAR AS kind,
      lower(coalesce(nullif(lower(u.provider), 'unknown'), pr.provider, lr.provider, mk.provider)) AS provider,
      coalesce(pa.model_id, la.model_id, u.model, '(no model)') AS sku, coalesce(pr.provider, lr.provider, mk.provider) AS maker,
      u.feature, u.project, ${modeExpr("u")} AS mode, coalesce(${lcE}, false) AS lc_e, coalesce(${lcL}, false) AS lc_l,
      u.inference_geo, u.speed, ${status} AS status, pr.model_id AS e_model, pr.valid_from AS e_from, lr.model_id AS l_model, lr.valid_from AS l_from,
      ${TOKENS.map((t) => `sum(u.${t})::BIGINT AS ${t}`).join(", ")}, sum(u.reported_cost_usd) AS reported
    FROM usage u
    LEFT JOIN price_alias pa ON pa.alias = lower(u.model)
    LEFT JOIN price_rate pr ON pr.model_id = pa.model_id AND pr.mode = ${modeExpr("u")} AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
    LEFT JOIN list_alias la ON la.alias = lower(u.model)
    LEFT JOIN list_rate lr ON lr.model_id = la.model_id AND lr.mode = ${modeExpr("u")} AND u.ts >= lr.valid_from AND u.ts < lr.valid_to
    LEFT JOIN fx_maker mk ON mk.model_id = coalesce(pa.model_id, la.model_id)
    GROUP BY ALL`);
  // Pass 2, per group: its meters, each at its unit price (rate × multipliers); a group priced only by the cost its
  // source states is one "Stated cost" charge.
  const meters = METERS.map(
    (m) =>
      `{meter: ${lit(m.name)}, qty: CAST(${m.qty("u")} AS BIGINT), eff: CAST((${m.rate("pr", "u.lc_e")}) * ${mult("u", "pr")} AS DECIMAL(38,18)), list: CAST((${m.rate("lr", "u.lc_l")}) * ${mult("u", "lr")} AS DECIMAL(38,18))}`,
  ).join(", ");
  const tokens = "u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens + u.output_tokens";
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_meter AS
    WITH rows AS (
      SELECT u.day, u.kind, u.provider, u.sku, u.maker, u.feature, u.project, u.mode, u.lc_e OR u.lc_l AS lc, u.inference_geo AS geo, u.speed,
        u.status, coalesce(u.e_from, u.l_from) AS valid_from, u.reported,
        CASE WHEN u.e_model IS NOT NULL AND u.l_model IS NULL THEN 'contracted' ELSE 'list' END AS list_basis,
        ${tokens} AS tokens, [${meters}] AS ms
      FROM fx_group u
      LEFT JOIN price_rate pr ON pr.model_id = u.e_model AND pr.mode = u.mode AND pr.valid_from = u.e_from
      LEFT JOIN list_rate lr ON lr.model_id = u.l_model AND lr.mode = u.mode AND lr.valid_from = u.l_from
    ),
    metered AS (
      SELECT r.* EXCLUDE (ms, reported, tokens), m.meter, m.qty::HUGEINT AS qty,
        CASE WHEN r.status = 'priced' THEN m.eff END AS eff_unit,
        CASE WHEN r.status = 'priced' THEN coalesce(m.list, m.eff) END AS list_unit, NULL::DECIMAL(38,12) AS stated
      FROM rows r, unnest(r.ms) AS t(m) WHERE r.status <> 'reported' AND m.qty <> 0
      UNION ALL
      SELECT r.* EXCLUDE (ms, reported, tokens), 'Stated cost', r.tokens::HUGEINT, NULL, NULL, r.reported
      FROM rows r WHERE r.status = 'reported'
    )
    SELECT day, kind, provider, sku, any_value(maker) AS maker, feature, project, mode, lc, geo, speed, status, valid_from,
      meter, any_value(list_basis) AS list_basis, eff_unit, list_unit, sum(qty) AS qty, sum(stated) AS stated
    FROM metered GROUP BY ALL`);

  // Base rows per day × provider: the usage exports, each meter line allocated to the request logs' features in
  // proportion to their tokens of that model and meter (exact integers: the last feature takes the remainder);
  // request logs only for what no usage export of that day × provider has a line for (the model and meter).
  await db.run("CREATE OR REPLACE TEMP TABLE fx_exp AS SELECT row_number() OVER () AS line, * FROM fx_meter WHERE kind = 'billing'");
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_base AS
    WITH logs AS (SELECT day, provider, sku, meter, coalesce(feature, '(untagged)') AS feature, sum(qty) AS q FROM fx_meter WHERE kind = 'requests' GROUP BY ALL),
    parts AS (
      SELECT e.line, l.feature, l.q, sum(l.q) OVER w AS total, row_number() OVER (w ORDER BY l.q DESC, l.feature) AS rn, count(*) OVER w AS n
      FROM fx_exp e JOIN logs l ON l.day = e.day AND l.provider = e.provider AND l.sku = e.sku AND l.meter = e.meter AND l.q > 0
      WHERE e.status <> 'reported'
      WINDOW w AS (PARTITION BY e.line)),
    shares AS (SELECT p.*, e.qty * p.q // p.total AS share, e.qty AS line_qty FROM parts p JOIN fx_exp e USING (line)),
    alloc AS (
      SELECT line, feature, CASE WHEN rn = n THEN line_qty - (sum(share) OVER (PARTITION BY line) - share) ELSE share END AS qty FROM shares)
    SELECT e.* EXCLUDE (line, feature, qty), a.feature, a.qty, 'usage export' AS source, 'request-log tokens' AS alloc
    FROM fx_exp e JOIN alloc a USING (line)
    UNION ALL BY NAME
    SELECT e.* EXCLUDE (line, feature), CASE WHEN e.feature IS NULL OR e.feature = '(untagged)' THEN '(unattributed)' ELSE e.feature END AS feature, 'usage export' AS source, NULL AS alloc
    FROM fx_exp e WHERE NOT EXISTS (SELECT 1 FROM alloc a WHERE a.line = e.line)
    UNION ALL BY NAME
    SELECT m.*, 'request log' AS source, NULL AS alloc
    FROM fx_meter m WHERE m.kind = 'requests'
      AND NOT EXISTS (SELECT 1 FROM fx_exp x WHERE x.day = m.day AND x.provider IS NOT DISTINCT FROM m.provider AND x.sku = m.sku AND x.meter = m.meter)`);
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_base_cost AS
    SELECT row_number() OVER () AS part, *, ${METER_FAMILY} AS family,
      ${rowCost("eff_unit", "")} AS eff_cost, ${rowCost("list_unit", "")} AS list_cost
    FROM fx_base`);

  // The bill: cost-export lines per day × provider × model × token family. Each base row of a billed day × provider
  // is claimed by the most specific line that covers it (model and family, model, family, the whole day), and each
  // line is allocated over the rows it claimed in proportion to their cost (their tokens when none is priced),
  // exactly: the last row takes the remainder. A line that claims nothing is one charge of its own.
  const family = `(CASE WHEN b.cost_type ILIKE '%web_search%' OR coalesce(b.token_type, b.line_item) ILIKE '%web search%' THEN 'web_search'
      WHEN coalesce(b.token_type, b.line_item) ILIKE '%uncached%' THEN 'input'
      WHEN coalesce(b.token_type, b.line_item) ILIKE '%cache%' AND (coalesce(b.token_type, b.line_item) ILIKE '%write%' OR coalesce(b.token_type, b.line_item) ILIKE '%creat%')
        THEN CASE WHEN coalesce(b.token_type, b.line_item) ILIKE '%1h%' THEN 'cw1' ELSE 'cw5' END
      WHEN coalesce(b.token_type, b.line_item) ILIKE '%cache%' THEN 'cached'
      WHEN coalesce(b.token_type, b.line_item) ILIKE '%output%' THEN 'output'
      WHEN coalesce(b.token_type, b.line_item) ILIKE '%input%' THEN 'input' END)`;
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_bill AS
    SELECT row_number() OVER (ORDER BY day, provider, sku NULLS LAST, family NULLS LAST, project NULLS LAST) AS bline, *
    FROM (
      SELECT coalesce(b.day, b.ts::DATE) AS day, lower(b.provider) AS provider, ${modelIdFromAlias("b.model")} AS sku, ${family} AS family,
        b.project, sum(b.amount_usd) AS amount, sum(b.quantity) AS quantity, string_agg(DISTINCT b.line_item, '; ') AS line_item
      FROM billed_cost b GROUP BY ALL)`);
  // A bill line per project (SubAccountId). A base row of a project the bill has claims that project's lines (the most
  // specific of them); every other row claims the most specific of the lines left, so where the usage names no project
  // (request logs seldom do) each project's line is spread over the features in proportion to their cost.
  const spec = "(b.sku IS NOT NULL)::INT * 2 + (b.family IS NOT NULL)::INT";
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_claim AS
    WITH cand AS (
      SELECT p.part, b.bline, ${spec} AS spec, coalesce(b.project = p.project, false) AS own
      FROM fx_base_cost p JOIN fx_bill b ON b.day = p.day AND b.provider = p.provider
        AND (b.sku IS NULL OR b.sku = p.sku) AND (b.family IS NULL OR b.family = p.family)),
    mine AS (
      SELECT part, bline FROM (SELECT *, max(spec) OVER (PARTITION BY part) AS top FROM cand WHERE own) WHERE spec = top),
    rest AS (
      SELECT part, bline FROM (
        SELECT *, max(spec) OVER (PARTITION BY part) AS top FROM cand
        WHERE part NOT IN (SELECT part FROM mine) AND bline NOT IN (SELECT bline FROM mine))
      WHERE spec = top)
    SELECT * FROM mine UNION ALL SELECT * FROM rest`);
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_alloc AS
    WITH w AS (
      SELECT c.bline, c.part, ${toPico("b.amount")} AS amount,
        CASE WHEN sum(coalesce(p.eff_cost, 0)) OVER g > 0 THEN ${toPico("coalesce(p.eff_cost, 0)")} ELSE p.qty END AS w
      FROM fx_claim c JOIN fx_bill b USING (bline) JOIN fx_base_cost p USING (part) WINDOW g AS (PARTITION BY c.bline)),
    s AS (
      SELECT *, sum(w) OVER g AS total, row_number() OVER (g ORDER BY w DESC, part) AS rn, count(*) OVER g AS n
      FROM w WINDOW g AS (PARTITION BY bline)),
    sh AS (SELECT *, CASE WHEN total = 0 THEN CASE WHEN rn = 1 THEN amount ELSE 0 END ELSE amount * w // total END AS share FROM s)
    SELECT part, bline, ${fromPico("CASE WHEN rn = n AND total <> 0 THEN amount - (sum(share) OVER (PARTITION BY bline) - share) ELSE share END")} AS billed
    FROM sh`);
  // A base row that claimed several projects' lines is split into one row per line: its tokens (and a stated cost) in
  // proportion to what each line billed it, exactly (the largest takes the remainder; a credit or a $0 line takes no
  // tokens; all to the largest when none billed it anything). A $0 row of no tokens is left out.
  await db.run(`
    CREATE OR REPLACE TEMP TABLE fx_split AS
    WITH w AS (
      SELECT a.part, a.bline, a.billed, p.qty, ${toPico("coalesce(p.stated, 0)")} AS stated, greatest(${toPico("a.billed")}, 0) AS w,
        row_number() OVER (PARTITION BY a.part ORDER BY a.billed DESC, a.bline) AS rn, count(*) OVER (PARTITION BY a.part) AS n
      FROM fx_alloc a JOIN fx_base_cost p USING (part)),
    s AS (SELECT *, sum(w) OVER (PARTITION BY part) AS total FROM w),
    sh AS (
      SELECT *, CASE WHEN total = 0 THEN CASE WHEN rn = 1 THEN qty ELSE 0 END ELSE qty * w // total END AS q,
        CASE WHEN total = 0 THEN CASE WHEN rn = 1 THEN stated ELSE 0 END ELSE stated * w // total END AS st FROM s),
    split AS (
      SELECT part, bline, billed, n > 1 AS split,
        CASE WHEN rn = 1 THEN qty - (sum(q) OVER (PARTITION BY part) - q) ELSE q END AS qty,
        ${fromPico("CASE WHEN rn = 1 THEN stated - (sum(st) OVER (PARTITION BY part) - st) ELSE st END")} AS stated
      FROM sh)
    SELECT * FROM split WHERE NOT (split AND qty = 0 AND billed = 0 AND stated = 0)`);
}

/**
 * A base row's cost at `unit` (eff_unit or list_unit): unit price × PricingQuantity, or the cost its source states;
 * NULL when unpriced. Columns read with prefix `p` ("p." or "").
 */
const rowCost = (unit: string, p: string, qty = `${p}qty`, stated = `${p}stated`): string =>
  `CAST(CASE WHEN ${p}status = 'priced' THEN CAST(${p}${unit} * ${quantity(qty, `${p}meter`)} AS DECIMAL(38,24)) WHEN ${p}status = 'reported' THEN CAST(${stated} AS DECIMAL(38,24)) END AS DECIMAL(38,24))`;

/** A meter's PricingQuantity from its consumed count: tokens per 1M, web search calls per 1,000 (exact decimals). */
function quantity(qty: string, meter: string): string {
  // Every branch DECIMAL(38,6): a CASE of decimals of different scales takes the smallest one.
  return `CAST(CASE WHEN ${meter} = 'Web search calls' THEN CAST(CAST(${qty} AS DECIMAL(38,0)) * 0.001::DECIMAL(4,3) AS DECIMAL(38,6)) WHEN ${meter} = 'Stated cost' THEN 1::DECIMAL(38,6) ELSE CAST(CAST(${qty} AS DECIMAL(38,0)) * 0.000001::DECIMAL(7,6) AS DECIMAL(38,6)) END AS DECIMAL(38,6))`;
}

/** A DECIMAL as text without trailing zeros, always with a decimal point ("12.5", "3.0"): the FOCUS numeric form. */
const num = (x: string) =>
  `CASE WHEN ${x} IS NULL THEN NULL ELSE regexp_replace(regexp_replace(CAST(${x} AS VARCHAR), '(\\.[0-9]*?)0+$', '\\1'), '\\.$', '.0') END`;
const numOr = (x: string) =>
  `CASE WHEN ${x} IS NULL THEN NULL WHEN strpos(CAST(${x} AS VARCHAR), '.') = 0 THEN CAST(${x} AS VARCHAR) || '.0' ELSE ${num(x)} END`;

/** The rows of the export, FOCUS columns first, then the x_ columns. */
export function focusSelect(o: FocusOptions): string {
  const pv = "coalesce(r.provider, 'unidentified')";
  const providerName = display(pv);
  const makerKey = `(CASE WHEN r.maker IS NULL THEN ${pv} WHEN list_contains(${lit(`[${RESELLERS.map((x) => `"${x}"`).join(",")}]`)}::VARCHAR[], r.maker)
    THEN coalesce(nullif(regexp_extract(r.sku, '^(?:[a-z]{2}\\.|global\\.|[a-z]+/)?([a-z0-9]+)[./-]', 1), ''), ${pv}) ELSE r.maker END)`;
  const publisher = `(CASE WHEN r.sku = '(no model)' AND r.maker IS NULL THEN ${providerName} ELSE ${caseMap(`lower(${makerKey})`, PROVIDER_DISPLAY, `coalesce(${makerKey}, ${providerName})`)} END)`;
  const serviceName = caseMap(`lower(${pv})`, SERVICE_NAME, `${providerName} || ' API'`);
  const account = o.billingAccount === null ? null : lit(o.billingAccount);
  const feature = "coalesce(r.feature, '(untagged)')";
  const tagged = `${feature} NOT IN ('(untagged)', '(unattributed)')`;
  const tags = `CASE WHEN ${tagged} THEN to_json({feature: r.feature})::VARCHAR ELSE '{}' END`;
  const empty = o.unpricedCost === "empty";
  // Unpriced usage: unit prices and costs 0 (FOCUS requires them on Usage rows) flagged by x_PricingStatus, or empty.
  const cost = (x: string) => (empty ? `CASE WHEN r.status = 'unpriced' THEN NULL ELSE coalesce(${x}, '0.0') END` : `coalesce(${x}, '0.0')`);
  const listCost = (x: string) =>
    empty ? `CASE WHEN r.status IN ('unpriced', 'billed-list-unpriced') THEN NULL ELSE coalesce(${x}, '0.0') END` : `coalesce(${x}, '0.0')`;
  const priceId = `concat_ws('/', ${pv}, r.sku, r.mode, CASE WHEN r.lc THEN 'long-context' END, CASE WHEN r.geo = 'us' THEN 'us-only' END,
      CASE WHEN r.speed = 'fast' THEN 'fast' END, r.meter, coalesce(strftime(r.valid_from, '%Y-%m-%d'), r.status))`;
  const description = `concat(r.sku, ' ', lower(r.meter), CASE WHEN r.mode <> 'standard' THEN ', ' || r.mode END, CASE WHEN r.lc THEN ', long context' END,
      CASE WHEN r.status = 'unpriced' THEN ' (no price in llmcost''s tables)' END, CASE WHEN r.billed_line IS NOT NULL THEN '; billed: ' || r.billed_line END)`;
  const v13 = o.version === "1.3";
  const cols: [string, string][] = [
    ["BilledCost", cost(num("r.billed_cost"))],
    ["EffectiveCost", cost(num("r.billed_cost"))],
    ["ListCost", listCost(num("r.list_cost"))],
    ["ContractedCost", listCost(num("r.contracted_cost"))],
    ["BillingCurrency", "'USD'"],
    ["BillingAccountId", account ?? pv],
    ["BillingAccountName", account ?? `${providerName} || ' account'`],
    ["BillingPeriodStart", "strftime(date_trunc('month', r.day), '%Y-%m-%dT%H:%M:%SZ')"],
    ["BillingPeriodEnd", "strftime(date_trunc('month', r.day) + INTERVAL 1 MONTH, '%Y-%m-%dT%H:%M:%SZ')"],
    ["ChargePeriodStart", "strftime(r.day, '%Y-%m-%dT%H:%M:%SZ')"],
    ["ChargePeriodEnd", "strftime(r.day + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M:%SZ')"],
    ["ChargeCategory", "'Usage'"],
    ["ChargeClass", "NULL::VARCHAR"],
    ["ChargeDescription", description],
    ["ChargeFrequency", "'Usage-Based'"],
    ["InvoiceId", "NULL::VARCHAR"],
    ["InvoiceIssuerName", providerName],
    ["ProviderName", providerName],
    ["PublisherName", publisher],
    ...(v13
      ? ([
          ["ServiceProviderName", providerName],
          ["HostProviderName", providerName],
        ] as [string, string][])
      : []),
    ["PricingCategory", "'Standard'"],
    ["PricingQuantity", numOr("r.pricing_qty")],
    ["PricingUnit", "r.pricing_unit"],
    ["ListUnitPrice", listCost(numOr("r.list_unit"))],
    ["ContractedUnitPrice", listCost(numOr("r.eff_unit"))],
    ["ServiceCategory", "'AI and Machine Learning'"],
    ["ServiceSubcategory", "'Generative AI'"],
    ["ServiceName", serviceName],
    ["SkuId", "r.sku"],
    ["SkuPriceId", priceId],
    ["SkuPriceDetails", `to_json({x_Mode: r.mode, x_LongContext: r.lc, x_Meter: r.meter, x_PricingUnit: r.pricing_unit})::VARCHAR`],
    ["SkuMeter", "r.meter"],
    ["SubAccountId", "r.project"],
    ["SubAccountName", "r.project"],
    ["ConsumedQuantity", numOr("r.qty")],
    ["ConsumedUnit", "r.consumed_unit"],
    ["Tags", tags],
    ...(v13
      ? ([
          ["AllocatedMethodId", "CASE WHEN r.alloc IS NOT NULL THEN 'llmcost/' || replace(r.alloc, ' ', '-') END"],
          ["AllocatedMethodDetails", `CASE WHEN r.alloc IS NOT NULL THEN to_json({x_Basis: r.alloc, x_Source: r.source})::VARCHAR END`],
          ["AllocatedResourceId", "NULL::VARCHAR"],
          ["AllocatedResourceName", "NULL::VARCHAR"],
          ["AllocatedTags", `CASE WHEN r.alloc IS NOT NULL THEN ${tags} END`],
          ["ContractApplied", "NULL::VARCHAR"],
        ] as [string, string][])
      : []),
    ["x_PricingStatus", "r.status"],
    ["x_Source", "r.source"],
    ["x_Feature", feature],
    ["x_AllocationBasis", "r.alloc"],
    [
      "x_ListPriceBasis",
      "CASE WHEN r.status NOT IN ('unpriced', 'billed-list-unpriced', 'reported-unpriced') AND r.pricing_unit <> 'Charge' THEN r.list_basis END",
    ],
  ];
  return `
    WITH base AS (
      SELECT p.* REPLACE (coalesce(a.qty, p.qty) AS qty, CASE WHEN a.split THEN a.stated ELSE p.stated END AS stated,
          CASE WHEN a.split THEN ${rowCost("eff_unit", "p.", "a.qty", "a.stated")} ELSE p.eff_cost END AS eff_cost,
          CASE WHEN a.split THEN ${rowCost("list_unit", "p.", "a.qty", "a.stated")} ELSE p.list_cost END AS list_cost),
        a.billed, bl.line_item AS bl_item, bl.project AS bl_project
      FROM fx_base_cost p LEFT JOIN fx_split a USING (part) LEFT JOIN fx_bill bl USING (bline)),
    billed_dp AS (SELECT DISTINCT day, provider FROM fx_bill),
    r AS (
      SELECT b.day, b.provider, b.sku, b.maker, b.feature, coalesce(b.bl_project, b.project) AS project, b.mode, b.lc, b.geo, b.speed, b.meter, b.valid_from,
        b.list_basis, b.qty, ${quantity("b.qty", "b.meter")} AS pricing_qty, ${meterUnit("b.meter")} AS pricing_unit,
        CASE WHEN b.meter = 'Web search calls' THEN 'Requests' ELSE 'Tokens' END AS consumed_unit,
        CAST(CASE WHEN b.status = 'reported' THEN CAST(b.stated AS DECIMAL(38,18)) ELSE CAST(b.eff_unit AS DECIMAL(38,18)) END AS DECIMAL(38,18)) AS eff_unit,
        CAST(CASE WHEN b.status = 'reported' THEN CAST(b.stated AS DECIMAL(38,18)) ELSE CAST(b.list_unit AS DECIMAL(38,18)) END AS DECIMAL(38,18)) AS list_unit,
        b.list_cost, b.eff_cost AS contracted_cost,
        CAST(CASE WHEN d.day IS NULL THEN b.eff_cost ELSE CAST(coalesce(b.billed, 0) AS DECIMAL(38,24)) END AS DECIMAL(38,24)) AS billed_cost,
        CASE WHEN d.day IS NOT NULL AND b.billed IS NOT NULL THEN 'cost export' ELSE b.source END AS source,
        CASE WHEN d.day IS NOT NULL AND b.billed IS NOT NULL THEN concat_ws(' after ', 'bill by cost', b.alloc) ELSE b.alloc END AS alloc,
        CASE WHEN d.day IS NULL THEN CASE WHEN b.status = 'reported' THEN 'reported-unpriced' ELSE b.status END
          WHEN b.billed IS NULL THEN CASE WHEN b.status = 'unpriced' THEN 'unpriced' ELSE 'not-billed' END
          WHEN b.status = 'unpriced' THEN 'billed-list-unpriced' ELSE 'billed' END AS status,
        b.bl_item AS billed_line
      FROM base b LEFT JOIN billed_dp d ON d.day = b.day AND d.provider = b.provider
      UNION ALL BY NAME
      -- Bill lines that no usage explains: one charge each, at the billed amount.
      SELECT bl.day, bl.provider, coalesce(bl.sku, '(no model)') AS sku, '(unattributed)' AS feature, bl.project, 'standard' AS mode, false AS lc,
        coalesce(${caseMap("bl.family", FAMILY_METER, "NULL")}, 'Billed charge') AS meter, 'list' AS list_basis,
        1::HUGEINT AS qty, 1::DECIMAL(38,6) AS pricing_qty, 'Charge' AS pricing_unit, 'Charges' AS consumed_unit,
        CAST(bl.amount AS DECIMAL(38,18)) AS eff_unit, CAST(bl.amount AS DECIMAL(38,18)) AS list_unit, CAST(bl.amount AS DECIMAL(38,24)) AS list_cost, CAST(bl.amount AS DECIMAL(38,24)) AS contracted_cost, CAST(bl.amount AS DECIMAL(38,24)) AS billed_cost,
        'cost export' AS source, 'billed' AS status, bl.line_item AS billed_line
      FROM fx_bill bl WHERE NOT EXISTS (SELECT 1 FROM fx_claim c WHERE c.bline = bl.bline)
    )
    SELECT ${cols.map(([n, e]) => `${e} AS ${n}`).join(",\n      ")}
    FROM r
    ORDER BY ChargePeriodStart, ProviderName, SkuId, SkuMeter, SkuPriceId, x_Feature, x_Source`;
}

/** ProviderName for a stored provider key (an unknown key as written). */
export const providerDisplayName = (key: string): string => PROVIDER_DISPLAY[key.toLowerCase()] ?? key;
