import { usageError } from "../errors.js";
import { installPricing, readingCostSource } from "../pricing/sql.js";
import type { PricingRef } from "../pricing/load.js";
import type { Db, Param } from "../store/db.js";
import { BILLED_DIMENSIONS, BILLED_ONLY_DIMENSIONS, DIMENSIONS, type Dimension, TIME_DIMENSIONS } from "./dims.js";
import { allocateBilled } from "./allocate.js";
import { addShares, attachDaily, dayRange, fold, headline, NOTHING_INGESTED, sortRows, topRows, trendHeadline, trendOf } from "./shape.js";
import { windowConds } from "./window.js";
import { rollupFor, rollupUsable, rollupWindowConds, utcDayWindow } from "../store/rollup.js";
import { checkFeature, knownFeatures, knownModelsFrom, type NameMatch, resolveModelName } from "../resolve/names.js";

export type { Provisional, Report, ReportQuery, ReportRow, Tokens, Trend, Unpriced } from "./types.js";
import type { Report, ReportQuery, ReportRow, Trend } from "./types.js";

const n = (v: unknown): number => Number(v ?? 0);
const dec = (v: unknown): string => (v === null || v === undefined ? "0" : String(v));

/** The rollup column each dimension is computed from (see dims.ts). */
const ROLLUP_COLUMN: Record<Dimension, string> = {
  feature: "feature",
  user: "user_hash",
  model: "model",
  provider: "provider",
  project: "project",
  api_key: "api_key",
  endpoint: "endpoint",
  batch: "batch",
  service_tier: "service_tier",
  workspace: "workspace",
  line_item: "day",
  day: "day",
  week: "day",
  month: "day",
};

/** Local time for bucketing: naive UTC → the --tz wall clock. */
const LOCAL = "timezone($tz, timezone('UTC', u.ts))";

/**
 * --source auto: request logs when the window has any, else provider exports. The ledger answers for free when the
 * database holds only one kind; otherwise one row is probed (LIMIT 1, never a count).
 */
async function pickSource(
  db: Db,
  q: ReportQuery,
  rel: string,
  filter: string,
  params: Record<string, Param>,
): Promise<{ source: "billing" | "requests"; only: boolean }> {
  const kinds = (await db.all<{ k: string }>("SELECT DISTINCT source_kind AS k FROM ingests WHERE rows_inserted > 0")).map((r) => r.k);
  // Nothing loaded yet (only companions, or every row skipped): labelled as request logs, what most users load first.
  if (kinds.length === 0) return { source: q.source === "billing" ? "billing" : "requests", only: false };
  const only = kinds.length === 1;
  if (q.source !== "auto") return { source: q.source, only: only && kinds[0] === q.source };
  if (only && filter === "true") return { source: kinds[0] === "billing" ? "billing" : "requests", only };
  const probe = (kind: string) => db.one(`SELECT 1 AS hit FROM ${rel} u WHERE u.source_kind = '${kind}' AND ${filter} LIMIT 1`, params);
  // A window with neither kind (an empty range) is labelled by what the database holds, request logs first.
  const source = (await probe("requests")) ? "requests" : (await probe("billing")) || !kinds.includes("requests") ? "billing" : "requests";
  return { source, only: only && kinds[0] === source };
}

export async function collectReport(db: Db, pricing: PricingRef, q: ReportQuery): Promise<Report> {
  // The price tables resolve a --where model name (and allocate a bill, below).
  const cs = await readingCostSource(
    db,
    pricing,
    q.pricingAsOf,
    q.where.some((w) => w.dim === "model"),
  );
  const params: Record<string, Param> = { tz: q.tz };
  if (q.pricingAsOf) params.pricing_as_of = q.pricingAsOf;
  // The usage rollup (per UTC day × every dimension) answers when its days and costs are the query's: UTC, a window
  // of whole UTC days, the stored costs. Otherwise the raw rows; the output is the same either way.
  const days = q.tz === "UTC" && (await rollupUsable(db, cs.mode)) ? utcDayWindow(q.since, q.until, q.tz) : null;
  const rollup = rollupFor([...q.by, ...q.where.map((w) => w.dim)].map((d) => ROLLUP_COLUMN[d]));
  const rel = days ? rollup : "usage";
  // Converting every row to local time is the most expensive part of a scan: skip it in UTC.
  const local = days ? "u.day" : q.tz === "UTC" ? "u.ts" : LOCAL;
  const dim = (d: Dimension) => DIMENSIONS[d].replaceAll("__local", local);
  // The window on raw timestamps (cost exports are always read raw), and on the usage relation read.
  const rawWindow = windowConds("u.ts", q.since, q.until, params);
  const conds = days ? rollupWindowConds(days, params) : [...rawWindow];
  const timeFilter = (col: string) => windowConds(col, q.since, q.until, params).join(" AND ") || "true";
  // Repeated --where on one dimension means any of those values; different dimensions must all match.
  const byDim = new Map<Dimension, string[]>();
  // Model and feature names a user types must exist in the window: a typo is an error, never an empty report. A
  // model name resolves through the price book's aliases, and a family name matches every snapshot of it.
  const windowOnly = rawWindow.join(" AND ") || "true";
  const usageWindow = conds.join(" AND ") || "true";
  const matched: NameMatch[] = [];
  const models = q.where.some((w) => w.dim === "model")
    ? await knownModelsFrom(
        db,
        `SELECT DISTINCT model FROM (SELECT u.model FROM ${rel} u WHERE ${usageWindow} UNION ALL SELECT u.model FROM billed_cost u WHERE ${windowOnly}) WHERE model IS NOT NULL`,
        params,
      )
    : [];
  const features = q.where.some((w) => w.dim === "feature") ? await knownFeatures(db, usageWindow, params, rel) : [];
  for (const w of q.where) {
    if (w.dim === "model") {
      const m = await resolveModelName(db, w.value, models, `--where model=${w.value}`);
      matched.push(m);
      byDim.set("model", [...(byDim.get("model") ?? []), ...m.matched]);
    } else {
      if (w.dim === "feature") checkFeature(w.value, features, `--where feature=${w.value}`);
      byDim.set(w.dim, [...(byDim.get(w.dim) ?? []), w.value]);
    }
  }
  const whereConds: string[] = [];
  [...byDim].forEach(([d, values], i) => {
    params[`w${i}`] = JSON.stringify(values);
    whereConds.push(`list_contains(json_transform($w${i}::JSON, '["VARCHAR"]'), ${dim(d)})`);
  });
  // On the usage relation read (rollup or raw), and on the cost exports (raw timestamps; the same dimensions).
  const filter = [...conds, ...whereConds].join(" AND ") || "true";
  const billedWhere = whereConds.map((c) => c.replaceAll("u.day", "u.ts"));
  const billedFilter = [...rawWindow, ...billedWhere].join(" AND ") || "true";
  const dims = [...q.by, ...q.where.map((w) => w.dim)];
  const billedOnly = dims.filter((d) => BILLED_ONLY_DIMENSIONS.includes(d));
  if (billedOnly.length && q.source === "requests") throw usageError(`${billedOnly[0]} is a dimension of cost exports: use --source billing`);
  const notes: string[] = [];
  // The bill itself (cost exports) is reported with --source billing when the window has any; under auto, when
  // nothing else is there (a database of cost exports only would otherwise print $0).
  const costExports = async () => (await db.one(`SELECT 1 AS hit FROM billed_cost u WHERE ${windowOnly} LIMIT 1`, params)) !== undefined;
  let picked: { source: "billing" | "requests"; only: boolean };
  let basis: Report["basis"];
  if (billedOnly.length) {
    if (!(await costExports()))
      throw usageError(
        `${billedOnly[0]} is a dimension of cost exports, and there are none in this window`,
        "ingest a cost export (OpenAI costs, Anthropic cost report), or check --since/--until",
      );
    picked = { source: "billing", only: false };
    basis = "cost exports";
  } else {
    picked = await pickSource(db, q, rel, filter, params);
    const usageExports =
      picked.source === "billing" &&
      (await db.one(`SELECT 1 AS hit FROM ${rel} u WHERE u.source_kind = 'billing' AND ${filter} LIMIT 1`, params)) !== undefined;
    const asBill = picked.source === "billing" && (q.source === "billing" || !usageExports) && (await costExports());
    basis = picked.source === "requests" ? "request logs" : asBill ? "cost exports" : "usage exports";
    if (asBill && q.source === "auto")
      notes.push(
        "no request logs or provider usage exports in this window: reporting the cost exports (the bill; no token counts). --source billing says this explicitly",
      );
  }
  // --by feature on the bill allocates it to features by request-log cost (all of it unattributed without logs).
  const allocate = q.by.length === 1 && q.by[0] === "feature" && (q.source === "billing" || (q.source === "auto" && basis === "cost exports"));
  if (allocate && q.source === "auto")
    notes.push("the bill has no features: without request logs all of it is (unattributed); see it --by model, day, project or line_item");
  const { source, only } = picked;
  params.kind = source;
  if (basis === "cost exports" && !allocate) {
    const missing = dims.find((d) => !BILLED_DIMENSIONS.includes(d));
    if (missing)
      throw usageError(
        `cost exports have no ${missing}: report them by ${BILLED_DIMENSIONS.join(", ")}`,
        missing === "feature"
          ? "--source billing --by feature allocates the bill to features by request-log cost"
          : "use --source requests for request-log dimensions",
      );
  }

  const timeDim = q.by.find((d) => TIME_DIMENSIONS.includes(d)) ?? null;
  const dimSql = q.by.map((d, i) => `${dim(d)} AS d${i}`).join(", ");
  const dimCols = q.by.map((_, i) => `d${i}`).join(", ");
  const billedDim = (d: Dimension) => DIMENSIONS[d].replaceAll("__local", local === "u.day" ? "u.ts" : local);
  const fromRollup = days !== null && basis !== "cost exports";
  const base =
    basis === "cost exports"
      ? `
    SELECT ${q.by.map((d, i) => `${billedDim(d)} AS d${i}`).join(", ")}, ${q.chart || timeDim ? `${local === "u.day" ? "u.ts" : local} AS local_ts,` : ""} u.ts, u.model, 0::BIGINT AS requests, 0::BIGINT AS input_tokens,
      0::BIGINT AS cached_input_tokens, 0::BIGINT AS cache_write_5m_tokens, 0::BIGINT AS cache_write_1h_tokens, 0::BIGINT AS output_tokens,
      0::BIGINT AS reasoning_tokens, u.amount_usd AS cost, coalesce(u.status = 'provisional', false) AS provisional
    FROM billed_cost u
    WHERE ${billedFilter}`
      : fromRollup
        ? `
    SELECT ${dimSql}, ${q.chart || timeDim ? "u.day AS local_ts," : ""} u.min_ts, u.max_ts, u.model, u.requests, u.input_tokens, u.cached_input_tokens,
      u.cache_write_5m_tokens, u.cache_write_1h_tokens, u.output_tokens, u.reasoning_tokens, u.cost_usd AS cost, u.provisional,
      u.n_rows, u.n_priced, u.u_requests, u.u_tokens
    FROM report_rollup u`
        : `
    SELECT ${dimSql}, ${q.chart || timeDim ? `${local} AS local_ts,` : ""} u.ts, u.model, u.requests, u.input_tokens, u.cached_input_tokens,
      u.cache_write_5m_tokens, u.cache_write_1h_tokens, u.output_tokens, u.reasoning_tokens,
      ${cs.cost} AS cost, coalesce(u.status = 'provisional', false) AS provisional
    FROM usage u ${cs.join}
    WHERE ${only ? "true" : "u.source_kind = $kind"} AND ${filter}`;
  // The rollup rows of the window, summed by just the columns this report reads, once: the groups, the unpriced
  // details, the trend and the chart then read a few thousand rows instead of scanning the rollup each.
  if (fromRollup && !allocate) {
    const cols = [...new Set([...q.by.map((d) => ROLLUP_COLUMN[d]), "model", "provisional", ...(q.chart || timeDim ? ["day"] : [])])].join(", ");
    await db.run(
      `CREATE OR REPLACE TEMP TABLE report_rollup AS
       SELECT ${cols}, min(min_ts) AS min_ts, max(max_ts) AS max_ts, sum(requests) AS requests, sum(input_tokens) AS input_tokens,
         sum(cached_input_tokens) AS cached_input_tokens, sum(cache_write_5m_tokens) AS cache_write_5m_tokens,
         sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens,
         sum(cost_usd) AS cost_usd, sum(n_rows) AS n_rows, sum(n_priced) AS n_priced, sum(u_requests) AS u_requests, sum(u_tokens) AS u_tokens
       FROM ${rollup} u WHERE ${only ? "true" : "u.source_kind = $kind"} AND ${filter}
       GROUP BY ${cols}`,
      params,
    );
  }
  let rows: ReportRow[];
  let firstTs: string | null;
  let lastTs: string | null;
  let allocatedFrom: Report["allocatedFrom"] = null;
  let allocatedByTokens: Report["allocatedByTokens"] = null;
  if (allocate) {
    // Provider exports carry no feature: allocate the bill by request-log cost per day and model.
    if (q.where.some((w) => w.dim !== "feature")) {
      throw usageError("--source billing --by feature allocates the whole bill: only --where feature=… is supported with it");
    }
    // The bill's model names and the logs' meet as price-book ids (price_alias).
    await installPricing(db, pricing.catalog);
    const a = await allocateBilled(
      db,
      cs,
      timeFilter,
      params,
      days !== null ? { rel: rollup, day: "u.day", filter: () => rollupWindowConds(days, params).join(" AND ") || "true" } : undefined,
    );
    const keep = q.where.map((w) => w.value);
    rows = keep.length ? a.rows.filter((r) => keep.includes(r.key.feature!)) : a.rows;
    allocatedFrom = a.pool;
    basis = a.pool;
    allocatedByTokens = a.byTokens;
    firstTs = a.firstDay ? `${a.firstDay}T00:00:00Z` : null;
    lastTs = a.lastDay ? `${a.lastDay}T00:00:00Z` : null;
  } else {
    const g = await groupRows(db, base, dimCols, params, q, fromRollup ? ROLLUP_AGG : RAW_AGG);
    rows = g.rows;
    firstTs = g.firstTs;
    lastTs = g.lastTs;
  }
  const totals = fold(rows, q.by);
  // With a time dimension, rows run chronologically (by bucket, then by cost within it).
  sortRows(rows, q.by, timeDim);
  const windowDays = firstTs && lastTs ? await localDays(db, firstTs, lastTs, q.tz) : [];
  const trend = timeDim && TIME_DIMENSIONS.includes(q.by[0]!) && allocatedFrom === null ? await dailyTrend(db, base, params, windowDays) : null;
  const headlineResult =
    rows.length === 0 && !(await db.one("SELECT 1 AS hit FROM ingests WHERE rows_inserted > 0 LIMIT 1"))
      ? { text: NOTHING_INGESTED, top: 0, groups: 0, share: 0 }
      : trend
        ? trendHeadline(trend, rows, q.by[0]!)
        : headline(rows, q.by[0]!, totals.costUsd);
  if (q.chart && rows.length && allocatedFrom === null && !timeDim) await addDaily(db, base, params, q, rows, windowDays);
  if (q.top !== null) rows = topRows(rows, q.by, timeDim, q.top);
  addShares(rows, totals.costUsd);

  return {
    source,
    basis,
    notes,
    pricingMode: cs.mode,
    allocatedFrom,
    allocatedByTokens,
    by: q.by,
    window: { since: q.since, until: q.until, tz: q.tz, firstTs, lastTs, days: windowDays },
    totals: {
      requests: totals.requests,
      tokens: totals.tokens,
      costUsd: totals.costUsd,
      unpriced: totals.unpriced,
      ...(totals.provisional ? { provisional: totals.provisional } : {}),
    },
    headline: headlineResult,
    trend,
    matched,
    filters: [...byDim].map(([d, values]) => ({ dim: d, values })),
    rows,
  };
}

/** Every local day from the first to the last timestamp (two values converted in SQL, not every row). */
async function localDays(db: Db, firstTs: string, lastTs: string, tz: string): Promise<string[]> {
  const r = await db.one<{ a: string; b: string }>(
    `SELECT strftime(timezone($tz, timezone('UTC', CAST($a AS TIMESTAMP))), '%Y-%m-%d') AS a,
            strftime(timezone($tz, timezone('UTC', CAST($b AS TIMESTAMP))), '%Y-%m-%d') AS b`,
    { tz, a: firstTs.replace("Z", ""), b: lastTs.replace("Z", "") },
  );
  return dayRange(r?.a ?? null, r?.b ?? null);
}

async function addDaily(db: Db, base: string, params: Record<string, Param>, q: ReportQuery, rows: ReportRow[], days: string[]): Promise<void> {
  const dimCols = q.by.map((_, i) => `d${i}`).join(", ");
  const daily = await db.all(
    `WITH base AS (${base}) SELECT ${dimCols}, strftime(local_ts, '%Y-%m-%d') AS day, coalesce(sum(cost), 0)::VARCHAR AS cost
     FROM base GROUP BY ALL`,
    params,
  );
  attachDaily(rows, daily, q.by, days);
}

/** Daily totals of the report's rows (local days, every day of the window, $0 where nothing ran). */
async function dailyTrend(db: Db, base: string, params: Record<string, Param>, days: string[]): Promise<Trend> {
  const rows = await db.all<{ day: string; cost: string }>(
    `WITH base AS (${base}) SELECT strftime(local_ts, '%Y-%m-%d') AS day, coalesce(sum(cost), 0)::VARCHAR AS cost FROM base GROUP BY 1`,
    params,
  );
  const byDay = new Map(rows.map((r) => [r.day, r.cost]));
  return trendOf(days.map((d) => ({ day: d, usd: byDay.get(d) ?? "0" })));
}

/**
 * How groupRows sums its base relation: raw rows (one per request or bucket; cost NULL when unpriced) or rollup rows
 * (already sums, with their row counts and unpriced parts), so both give the same figures.
 */
interface Agg {
  rows: string;
  priced: string;
  firstTs: string;
  lastTs: string;
  /** Rows holding unpriced usage. */
  unpriced: string;
  uRequests: string;
  uTokens: string;
}
const RAW_AGG: Agg = {
  rows: "count(*)",
  priced: "count(cost)",
  firstTs: "min(ts)",
  lastTs: "max(ts)",
  unpriced: "cost IS NULL",
  uRequests: "sum(requests)",
  uTokens: "sum(input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens)",
};
const ROLLUP_AGG: Agg = {
  rows: "sum(n_rows)",
  priced: "sum(n_priced)",
  firstTs: "min(min_ts)",
  lastTs: "max(max_ts)",
  unpriced: "n_rows > n_priced",
  uRequests: "sum(u_requests)",
  uTokens: "sum(u_tokens)",
};

/** The one scan of a report: sums per group, plus unpriced details where there are unpriced rows. */
async function groupRows(
  db: Db,
  base: string,
  dimCols: string,
  params: Record<string, Param>,
  q: ReportQuery,
  agg: Agg,
): Promise<{ rows: ReportRow[]; firstTs: string | null; lastTs: string | null }> {
  // One scan: totals, the headline and the window are derived from these groups.
  const grouped = await db.all(
    `WITH base AS (${base})
     SELECT ${dimCols},
       sum(requests)::BIGINT AS requests, sum(input_tokens)::BIGINT AS input, sum(cached_input_tokens)::BIGINT AS cached,
       sum(cache_write_5m_tokens)::BIGINT AS cw5, sum(cache_write_1h_tokens)::BIGINT AS cw1, sum(output_tokens)::BIGINT AS output,
       sum(reasoning_tokens)::BIGINT AS reasoning, coalesce(sum(cost), 0)::VARCHAR AS cost,
       ${agg.rows} - ${agg.priced} AS u_rows, coalesce(${agg.rows} FILTER (WHERE provisional), 0) AS p_rows,
       coalesce(sum(cost) FILTER (WHERE provisional), 0)::VARCHAR AS p_cost,
       strftime(${agg.firstTs}, '%Y-%m-%dT%H:%M:%SZ') AS first_ts, strftime(${agg.lastTs}, '%Y-%m-%dT%H:%M:%SZ') AS last_ts
     FROM base GROUP BY ${dimCols}`,
    params,
  );
  // Cost is NULL exactly when a row is unpriced; details are gathered only when there are such rows.
  if (grouped.some((r) => n(r.u_rows) > 0)) {
    const unpriced = await db.all(
      `WITH base AS (${base})
       SELECT ${dimCols}, coalesce(${agg.uRequests}, 0) AS u_requests, coalesce(${agg.uTokens}, 0) AS u_tokens,
         list(DISTINCT coalesce(model, '(no model)') ORDER BY coalesce(model, '(no model)')) AS u_models
       FROM base WHERE ${agg.unpriced} GROUP BY ${dimCols}`,
      params,
    );
    const keyOf = (r: Record<string, unknown>) => q.by.map((_, i) => String(r[`d${i}`])).join("\u0000");
    const byKey = new Map(unpriced.map((r) => [keyOf(r), r]));
    for (const r of grouped) Object.assign(r, byKey.get(keyOf(r)) ?? {});
  }

  const users = q.users;
  const label = (d: Dimension, v: string) => (d === "user" && users?.has(v) ? users.get(v)! : v);
  const rows: ReportRow[] = grouped.map((r) => ({
    key: Object.fromEntries(q.by.map((d, i) => [d, label(d, String(r[`d${i}`]))])),
    requests: n(r.requests),
    tokens: {
      input: n(r.input),
      cachedInput: n(r.cached),
      cacheWrite5m: n(r.cw5),
      cacheWrite1h: n(r.cw1),
      output: n(r.output),
      reasoning: n(r.reasoning),
    },
    costUsd: dec(r.cost),
    share: 0,
    cumulativeShare: 0,
    unpriced: { rows: n(r.u_rows), requests: n(r.u_requests), tokens: n(r.u_tokens), models: (r.u_models as string[] | null) ?? [] },
    ...(n(r.p_rows) > 0 ? { provisional: { rows: n(r.p_rows), costUsd: dec(r.p_cost) } } : {}),
  }));
  return {
    rows,
    firstTs: grouped.map((r) => String(r.first_ts)).sort()[0] ?? null,
    lastTs:
      grouped
        .map((r) => String(r.last_ts))
        .sort()
        .at(-1) ?? null,
  };
}
