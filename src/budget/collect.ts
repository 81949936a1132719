import { readFileSync } from "node:fs";
import { z } from "zod";
import type { ConfigT } from "../config.js";
import { now } from "../context.js";
import { DEFAULTS } from "../defaults.js";
import { NoTrafficError, usageError } from "../errors.js";
import { flagOverConfig } from "../flags/common.js";
import { addDec, compareDec, subDec, sumDec } from "../money.js";
import type { Catalog, PricingRef } from "../pricing/load.js";
import { readingCostSource } from "../pricing/sql.js";
import { checkFeature, knownFeatures, knownModels, resolveModelName } from "../resolve/names.js";
import type { Db } from "../store/db.js";
import { rollupUsable } from "../store/rollup.js";
import { addDays } from "../report/window.js";
import {
  type Cap,
  type Check,
  DEFAULT_MAX_AGE,
  type Duration,
  parseDuration,
  dollarOk,
  projectMonth,
  type Series,
  spendBetween,
  spendOn,
  spike,
} from "./checks.js";

export const Plan = z.strictObject({
  changes: z
    .array(
      z.union([
        z.strictObject({ feature: z.string().min(1), from: z.string().min(1).optional(), to: z.string().min(1), note: z.string().optional() }),
        z.strictObject({ feature: z.string().min(1), batch: z.literal(true), note: z.string().optional() }),
      ]),
    )
    .min(1),
});
export type PlanT = z.infer<typeof Plan>;

export function readPlan(path: string): PlanT {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw usageError(`--plan ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = Plan.safeParse(raw);
  if (!r.success) {
    throw usageError(
      `--plan ${path}: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
      'e.g. {"changes":[{"feature":"summarize","to":"gpt-4o"},{"feature":"digest","batch":true}]}',
    );
  }
  return r.data;
}

export interface BudgetQuery {
  maxDaily: string | null;
  maxMonthly: string | null;
  featureCaps: { name: string; cap: Cap }[];
  modelCaps: { name: string; cap: Cap }[];
  spike: number | null;
  /** null until mergeConfig: neither the flag nor the config said. */
  spikeMinUsd: string | null;
  failOnUnpricedPct: number | null;
  plan: PlanT | null;
  maxIncrease: string | null;
  /** null: the config's budgets.maxAge, else the default (2 days). */
  maxAge: Duration | null;
}

export interface PlanLine {
  feature: string;
  change: string;
  currentMonthlyUsd: string;
  plannedMonthlyUsd: string;
  deltaMonthlyUsd: string;
  requests: number;
}

export interface BudgetResult {
  source: "requests" | "billing";
  /** The newest data of the source (UTC, ISO) and its age at the time of the check. */
  newestTs: string;
  ageHours: number;
  /** What each --model-max name matched (a family name covers every snapshot). */
  matched: { name: string; matched: string[] }[];
  refDay: string;
  monthStart: string;
  /** The day the run rate starts: the month's first, or the source's first day with data if later. */
  runRateFrom: string;
  /** The days of the run rate: runRateFrom through refDay. */
  daysElapsed: number;
  /** When the checks read request logs: the cost exports' total of the same month to date, or null without any. */
  billUsd: string | null;
  /**
   * When the checks read request logs and the month to date has provider data: the run rate of the provider checks
   * (scope PROVIDER_SCOPE), from the month's first or the provider data's first day that month.
   */
  provider: { runRateFrom: string; daysElapsed: number } | null;
  daysInMonth: number;
  dayUsd: string;
  mtdUsd: string;
  projectedUsd: string;
  checks: Check[];
  plan: PlanLine[];
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The scope of the daily and monthly checks run on the provider's own data beside the request logs. */
export const PROVIDER_SCOPE = "provider data";

/** A usage row's tokens, as the gate counts them (the unpriced share, tokens without a price). */
const TOKENS = "u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens + u.output_tokens";

/**
 * The --max-daily and --max-monthly checks of one scope: the latest day's spend (when `dayUsd` is given), the month
 * to date and its projection; `unpriced` gives the scope's tokens without a price, of the day or the month.
 */
function spendChecks(
  q: Pick<BudgetQuery, "maxDaily" | "maxMonthly">,
  scope: string,
  spend: { dayUsd: string | null; mtdUsd: string; projectedUsd: string },
  unpriced: (day?: string) => number,
  refDay: string,
): Check[] {
  const checks: Check[] = [];
  if (q.maxDaily !== null && spend.dayUsd !== null) {
    const u = unpriced(refDay);
    checks.push({
      kind: "daily",
      scope,
      unit: "usd/day",
      actual: spend.dayUsd,
      limit: q.maxDaily,
      unpricedTokens: u,
      ok: dollarOk(spend.dayUsd, q.maxDaily, u),
    });
  }
  if (q.maxMonthly !== null) {
    const u = unpriced();
    for (const [kind, actual] of [
      ["month-to-date", spend.mtdUsd],
      ["projected-month", spend.projectedUsd],
    ] as const)
      checks.push({ kind, scope, unit: "usd/month", actual, limit: q.maxMonthly, unpricedTokens: u, ok: dollarOk(actual, q.maxMonthly, u) });
  }
  return checks;
}

/**
 * The provider's own spend per UTC day over [from, to] (inclusive): per day and provider, the bill (cost exports)
 * where there is one, else the usage exports priced; null when neither has a day in the range. `unpriced`: the usage
 * exports' tokens without a price, per day, of the days they count for.
 */
async function providerSpend(
  db: Db,
  rel: string,
  cs: { cost: string; join: string },
  range: { from: string; to: string },
): Promise<{ days: Series; unpriced: Map<string, number>; runRateFrom: string; daysElapsed: number } | null> {
  const usage =
    rel === "usage_rollup_coarse"
      ? `SELECT u.day AS d, u.provider, coalesce(sum(u.cost_usd), 0) AS usd, coalesce(sum(u.u_tokens), 0) AS unpriced
         FROM usage_rollup_coarse u WHERE u.source_kind = 'billing' AND u.day BETWEEN CAST($from AS DATE) AND CAST($to AS DATE) GROUP BY ALL`
      : `SELECT CAST(u.ts AS DATE) AS d, u.provider, coalesce(sum(${cs.cost}), 0) AS usd,
           coalesce(sum(${TOKENS}) FILTER (WHERE ${cs.cost} IS NULL), 0) AS unpriced
         FROM usage u ${cs.join}
         WHERE u.source_kind = 'billing' AND u.ts >= CAST($from AS TIMESTAMP) AND u.ts < CAST($to AS DATE) + INTERVAL 1 DAY GROUP BY ALL`;
  const rows = await db.all<{ day: string; usd: string; unpriced: string }>(
    `WITH b AS (
       SELECT coalesce(day, CAST(ts AS DATE)) AS d, provider, sum(amount_usd) AS usd FROM billed_cost
       WHERE coalesce(day, CAST(ts AS DATE)) BETWEEN CAST($from AS DATE) AND CAST($to AS DATE) GROUP BY ALL),
     u AS (${usage})
     SELECT strftime(d, '%Y-%m-%d') AS day, sum(coalesce(b.usd, u.usd))::VARCHAR AS usd,
       sum(CASE WHEN b.usd IS NULL THEN u.unpriced ELSE 0 END) AS unpriced
     FROM b FULL JOIN u USING (d, provider) GROUP BY 1 ORDER BY 1`,
    range,
  );
  if (rows.length === 0) return null;
  // The run rate over the provider data's own days, first to last: a bill lags the logs by a day or more, and the
  // days after its last are not $0.
  const runRateFrom = rows[0]!.day;
  const last = rows.at(-1)!.day;
  return {
    days: new Map(rows.map((r) => [r.day, r.usd])),
    unpriced: new Map(rows.map((r) => [r.day, Number(r.unpriced)])),
    runRateFrom,
    daysElapsed: Math.round((Date.parse(last) - Date.parse(runRateFrom)) / 86_400_000) + 1,
  };
}

/** A plan line for a feature with no traffic in the window: nothing to price, said so. */
const noTraffic = (feature: string, change: string): PlanLine => ({
  feature,
  change: `${change} (no traffic in the last 30 days)`,
  currentMonthlyUsd: "0",
  plannedMonthlyUsd: "0",
  deltaMonthlyUsd: "0",
  requests: 0,
});

/**
 * Budgets from flags win over the config; the config fills what flags leave unset. `given`: the flags the user gave
 * (commander's value source), so an explicit flag wins even when it equals its default (--spike-min 1).
 */
export function mergeConfig(
  q: BudgetQuery,
  config: ConfigT,
  parse: (v: string, flag: string) => { name: string; cap: Cap },
  given: ReadonlySet<string>,
): BudgetQuery {
  const b = config.budgets;
  if (!b) return { ...q, spikeMinUsd: q.spikeMinUsd ?? DEFAULT_SPIKE_MIN };
  const fromConfig = (m: Record<string, string>, flag: string) => Object.entries(m).map(([k, v]) => parse(`${k}=${v}`, flag));
  const num = (v: number | undefined) => (v !== undefined ? String(v) : undefined);
  const pick = <T>(key: string, flagValue: T, config: () => T | undefined) => flagOverConfig(given, key, flagValue, config);
  return {
    ...q,
    maxDaily: pick("maxDaily", q.maxDaily, () => num(b.daily)),
    maxMonthly: pick("maxMonthly", q.maxMonthly, () => num(b.monthly)),
    featureCaps: pick("featureMax", q.featureCaps, () => fromConfig(b.features, "budgets.features")),
    modelCaps: pick("modelMax", q.modelCaps, () => fromConfig(b.models, "budgets.models")),
    spike: pick("spike", q.spike, () => b.spike),
    spikeMinUsd: pick("spikeMin", q.spikeMinUsd ?? DEFAULT_SPIKE_MIN, () => num(b.spikeMinUsd)),
    failOnUnpricedPct: pick("failOnUnpriced", q.failOnUnpricedPct, () => b.failOnUnpricedPct),
    maxAge: pick("maxAge", q.maxAge, () => (b.maxAge !== undefined ? parseDuration(b.maxAge, "budgets.maxAge") : undefined)),
  };
}
export const DEFAULT_SPIKE_MIN: string = DEFAULTS.spikeMinUsd;

export async function collectBudget(db: Db, pricing: PricingRef, config: ConfigT, q: BudgetQuery): Promise<BudgetResult> {
  // The price tables resolve --model-max names; a --plan replays requests at the price book's rates.
  const cs = await readingCostSource(db, pricing, null, q.modelCaps.length > 0 || q.plan !== null);
  // The usage rollup (per UTC day) holds everything the gate reads but the plan's replays, when its costs are current.
  const roll = await rollupUsable(db, cs.mode);
  const rel = roll ? "usage_rollup_coarse" : "usage";
  const [maxTs, maxEnd] = roll ? ["max(max_ts)", "max(max_bucket_end)"] : ["max(ts)", "max(bucket_end)"];
  const kinds = await db.all<{ kind: string; last: string; newest: string }>(
    `SELECT source_kind AS kind, strftime(${maxTs}, '%Y-%m-%d') AS last,
       strftime(greatest(${maxTs}, coalesce(${maxEnd} - INTERVAL 1 SECOND, ${maxTs})), '%Y-%m-%dT%H:%M:%SZ') AS newest
     FROM ${rel} GROUP BY 1`,
  );
  const pick = kinds.find((k) => k.kind === "requests") ?? kinds.find((k) => k.kind === "billing");
  if (!pick) throw usageError("no usage in the database to check", "run `llmcost ingest <files>` first");
  const source = pick.kind as "requests" | "billing";
  // The latest complete day: the last day with data, but never today (it is still filling up).
  const yesterday = addDays(iso(now()), -1);
  // biome-ignore lint/complexity/useMathMinMax: ISO dates, compared as strings
  const refDay = pick.last < yesterday ? pick.last : yesterday;
  const monthStart = `${refDay.slice(0, 7)}-01`;
  const daysInMonth = new Date(Date.UTC(Number(refDay.slice(0, 4)), Number(refDay.slice(5, 7)), 0)).getUTCDate();
  const from = [monthStart, addDays(refDay, -7)].sort()[0]!;
  // The run rate is over the days the data covers: from the month's first, or from a scope's first day with data when
  // that is later (logs ingested from the 25th on are not 24 days of $0). Each scope's first day, from all its data.
  const firsts = await db.all<{ feature: string; model: string; first: string }>(
    `SELECT u.feature, coalesce(u.model, '(unknown)') AS model, strftime(min(${roll ? "u.day" : "u.ts"}), '%Y-%m-%d') AS first
     FROM ${rel} u WHERE u.source_kind = $kind GROUP BY ALL`,
    { kind: source },
  );
  const firstOf = (match: (r: (typeof firsts)[number]) => boolean): string => [refDay, ...firsts.filter(match).map((r) => r.first)].sort()[0]!;
  const runRate = (first: string): { from: string; days: number } => {
    const start = first > monthStart ? first : monthStart;
    return { from: start, days: Math.round((Date.parse(refDay) - Date.parse(start)) / 86_400_000) + 1 };
  };
  const { from: runRateFrom, days: daysElapsed } = runRate(firstOf(() => true));

  const rows = await db.all<{ day: string; feature: string; model: string; cost: string; tokens: string; unpriced: string }>(
    roll
      ? `SELECT strftime(u.day, '%Y-%m-%d') AS day, u.feature, coalesce(u.model, '(unknown)') AS model,
       coalesce(sum(u.cost_usd), 0)::VARCHAR AS cost, sum(u.tokens) AS tokens, coalesce(sum(u.u_tokens), 0) AS unpriced
     FROM usage_rollup_coarse u
     WHERE u.source_kind = $kind AND u.day >= CAST($from AS DATE) AND u.day < CAST($to AS DATE)
     GROUP BY ALL`
      : `SELECT strftime(u.ts, '%Y-%m-%d') AS day, u.feature, coalesce(u.model, '(unknown)') AS model,
       coalesce(sum(${cs.cost}), 0)::VARCHAR AS cost,
       sum(${TOKENS}) AS tokens, coalesce(sum(${TOKENS}) FILTER (WHERE ${cs.cost} IS NULL), 0) AS unpriced
     FROM usage u ${cs.join}
     WHERE u.source_kind = $kind AND u.ts >= CAST($from AS TIMESTAMP) AND u.ts < CAST($to AS TIMESTAMP)
     GROUP BY ALL`,
    { kind: source, from, to: addDays(refDay, 1) },
  );
  const series = (key: (r: (typeof rows)[number]) => string | null) => {
    const out = new Map<string, Series>();
    for (const r of rows) {
      const k = key(r);
      if (k === null) continue;
      const s = out.get(k) ?? new Map<string, string>();
      s.set(r.day, addDec(s.get(r.day) ?? "0", r.cost));
      out.set(k, s);
    }
    return out;
  };
  const all = series(() => "all").get("all") ?? new Map<string, string>();
  const byFeature = series((r) => r.feature);
  const byModel = series((r) => r.model);
  /** Tokens without a price of the rows `match` picks, on `day` or (no day) over the month to date. */
  const unpricedIn = (match: (r: (typeof rows)[number]) => boolean, day?: string): number =>
    rows.filter((r) => match(r) && (day ? r.day === day : r.day >= monthStart && r.day <= refDay)).reduce((a, r) => a + Number(r.unpriced), 0);

  const checks: Check[] = [];
  // Freshness first: a gate on stale data passes on spend that stopped being recorded, which is worse than no gate.
  const maxAge = q.maxAge ?? parseDuration(DEFAULT_MAX_AGE, "--max-age");
  const ageHours = Math.max(0, (now().getTime() - Date.parse(pick.newest)) / 3_600_000);
  checks.push({
    kind: "freshness",
    scope: "all",
    unit: "hours",
    actual: ageHours,
    limit: maxAge,
    ok: ageHours <= maxAge.hours,
  });
  const dayUsd = spendOn(all, refDay);
  const mtdUsd = spendBetween(all, monthStart, refDay);
  const projectedUsd = projectMonth(mtdUsd, daysElapsed, daysInMonth);
  const over = (actual: string, limit: string) => compareDec(actual, limit) > 0;
  const everything = () => true;
  checks.push(...spendChecks(q, "all", { dayUsd, mtdUsd, projectedUsd }, (day) => unpricedIn(everything, day), refDay));
  // Names in caps must exist in the gate's data: a typo would pass at $0. A model name resolves through the price
  // book's aliases and a family name covers every snapshot; the check's scope says what it matched.
  const matched: BudgetResult["matched"] = [];
  const scopeOf = new Map<string, string[]>();
  const where = `among the ${source === "requests" ? "request logs" : "provider exports"}`;
  if (q.modelCaps.length) {
    const known = await knownModels(db, "u.source_kind = $kind", { kind: source }, rel);
    for (const { name } of q.modelCaps) {
      const m = await resolveModelName(db, name, known, `--model-max ${name}`, where);
      matched.push({ name, matched: m.matched });
      scopeOf.set(name, m.matched);
    }
  }
  if (q.featureCaps.length) {
    const known = await knownFeatures(db, "u.source_kind = $kind", { kind: source }, rel);
    for (const { name } of q.featureCaps) checkFeature(name, known, `--feature-max ${name}`, where);
  }
  const capChecks = (caps: BudgetQuery["featureCaps"], kind: "feature" | "model", data: Map<string, Series>) => {
    for (const { name: given, cap } of caps) {
      const names = kind === "model" ? (scopeOf.get(given) ?? [given]) : [given];
      const s = new Map<string, string>();
      for (const n of names) for (const [d, v] of data.get(n) ?? []) s.set(d, addDec(s.get(d) ?? "0", v));
      const same = names.length === 1 && names[0] === given;
      const name = same ? given : `${given} (${names.join(", ")})`;
      const inScope = (r: { feature: string; model: string }) => names.includes(kind === "model" ? r.model : r.feature);
      if (cap.period === "day") {
        const a = spendOn(s, refDay);
        const u = unpricedIn(inScope, refDay);
        checks.push({ kind, scope: name, unit: "usd/day", actual: a, limit: cap.usd, unpricedTokens: u, ok: dollarOk(a, cap.usd, u) });
      } else {
        const mtd = spendBetween(s, monthStart, refDay);
        const proj = projectMonth(mtd, runRate(firstOf(inScope)).days, daysInMonth);
        const u = unpricedIn(inScope);
        checks.push({
          kind,
          scope: name,
          unit: "usd/month",
          actual: proj,
          limit: cap.usd,
          ok: dollarOk(mtd, cap.usd, u) && dollarOk(proj, cap.usd, u),
          monthToDateUsd: mtd,
          unpricedTokens: u,
        });
      }
    }
  };
  capChecks(q.featureCaps, "feature", byFeature);
  capChecks(q.modelCaps, "model", byModel);
  if (q.spike !== null) {
    for (const [feature, s] of [...byFeature].sort(([a], [b]) => a.localeCompare(b))) {
      const trailing = Array.from({ length: 7 }, (_, i) => spendOn(s, addDays(refDay, -7 + i)));
      const day = spendOn(s, refDay);
      const floorUsd = q.spikeMinUsd ?? DEFAULT_SPIKE_MIN;
      const r = spike(day, trailing, q.spike, floorUsd);
      if (!r.ok || compareDec(day, "0") > 0) {
        checks.push({
          kind: "spike",
          scope: feature,
          unit: "usd/day",
          actual: day,
          limit: r.limit,
          factor: q.spike,
          median: r.median,
          ok: r.ok,
          ratio: r.ratio,
          floorUsd,
          daysWithSpend: r.daysWithSpend,
        });
      }
    }
  }
  if (q.failOnUnpricedPct !== null) {
    const mtdRows = rows.filter((r) => r.day >= monthStart);
    const tokens = mtdRows.reduce((a, r) => a + Number(r.tokens), 0);
    const unpriced = mtdRows.reduce((a, r) => a + Number(r.unpriced), 0);
    const share = tokens ? (100 * unpriced) / tokens : 0;
    checks.push({
      kind: "unpriced",
      scope: "all",
      unit: "percent",
      actual: share,
      limit: q.failOnUnpricedPct,
      ok: share <= q.failOnUnpricedPct,
    });
  }

  // Request logs may cover part of the traffic (one service logs, another does not): the provider's own data of the
  // same days is checked against the same budgets too, so a bill over the budget never passes behind logs under it.
  const provider = source === "requests" ? await providerSpend(db, rel, cs, { from: monthStart, to: refDay }) : null;
  if (provider) {
    const mtd = spendBetween(provider.days, monthStart, refDay);
    const spend = {
      // No daily check of a day the provider data does not have yet (a bill lags the logs).
      dayUsd: provider.days.has(refDay) ? spendOn(provider.days, refDay) : null,
      mtdUsd: mtd,
      projectedUsd: projectMonth(mtd, provider.daysElapsed, daysInMonth),
    };
    const unpriced = (day?: string) => [...provider.unpriced].reduce((a, [d, n]) => a + (day === undefined || d === day ? n : 0), 0);
    checks.push(...spendChecks(q, PROVIDER_SCOPE, spend, unpriced, refDay));
  }

  // The gate reads the request logs; a bill of the same days is said beside them (reconcile compares the two).
  const bill =
    source === "requests"
      ? await db.one<{ usd: string | null }>(
          `SELECT sum(amount_usd)::VARCHAR AS usd FROM billed_cost
           WHERE coalesce(day, ts::DATE) >= CAST($from AS DATE) AND coalesce(day, ts::DATE) <= CAST($to AS DATE)`,
          { from: monthStart, to: refDay },
        )
      : undefined;
  const plan = q.plan ? await planDiff(db, pricing.catalog, config, q.plan, refDay, rel) : [];
  if (q.maxIncrease !== null) {
    const delta = sumDec(plan.map((p) => p.deltaMonthlyUsd));
    checks.push({ kind: "plan", scope: "plan", unit: "usd/month", actual: delta, limit: q.maxIncrease, ok: !over(delta, q.maxIncrease) });
  }
  return {
    source,
    newestTs: pick.newest,
    ageHours,
    matched,
    refDay,
    monthStart,
    runRateFrom,
    daysElapsed,
    billUsd: bill?.usd ?? null,
    provider: provider ? { runRateFrom: provider.runRateFrom, daysElapsed: provider.daysElapsed } : null,
    daysInMonth,
    dayUsd,
    mtdUsd,
    projectedUsd,
    checks,
    plan,
  };
}

/**
 * Plan diff, as infracost does for cloud: each change is replayed on the last 30 days of its feature's request
 * traffic (ending on the reference day) and the cost difference is the monthly delta.
 */
async function planDiff(db: Db, catalog: Catalog, config: ConfigT, plan: PlanT, refDay: string, rel: "usage" | "usage_rollup_coarse"): Promise<PlanLine[]> {
  const since = addDays(refDay, -29);
  const until = addDays(refDay, 1);
  const lines: PlanLine[] = [];
  // The replay's modules load only for a plan: a gate without one starts faster.
  const [{ simulate }, { batch }, { route }] = await Promise.all([import("../sim/simulate.js"), import("../tactics/batch.js"), import("../tactics/route.js")]);
  const features = await knownFeatures(db, "u.source_kind = 'requests'", {}, rel);
  for (const c of plan.changes) {
    // A plan's feature must exist in the request logs (a typo would cost $0); its `from` model is resolved by route.
    checkFeature(c.feature, features, "--plan: feature", "in the request logs");
    const scope = { features: [c.feature], since, until, tz: "UTC" };
    let spec: string | null = null;
    if ("to" in c) {
      const models = c.from
        ? [c.from]
        : (
            await db.all<{ model: string }>(
              rel === "usage_rollup_coarse"
                ? "SELECT DISTINCT model FROM usage_rollup_coarse WHERE source_kind = 'requests' AND feature = $f AND model IS NOT NULL AND day >= CAST($s AS DATE) AND day < CAST($u AS DATE) ORDER BY 1"
                : "SELECT DISTINCT model FROM usage WHERE source_kind = 'requests' AND feature = $f AND model IS NOT NULL AND ts >= CAST($s AS TIMESTAMP) AND ts < CAST($u AS TIMESTAMP) ORDER BY 1",
              { f: c.feature, s: since, u: until },
            )
          ).map((r) => r.model);
      spec = models.map((m) => `${m}=${c.to}`).join(",");
    }
    const change = "batch" in c ? "moves to the Batch API" : `${c.from ?? "all models"} → ${c.to}`;
    if ("to" in c && !spec) {
      lines.push(noTraffic(c.feature, change));
      continue;
    }
    const tactic = "batch" in c ? batch([c.feature]) : route(spec!, 0, [c.feature], catalog, `--plan: feature ${c.feature}:`);
    const r = await simulate(db, catalog, config, scope, [tactic]).catch((err: unknown) => {
      if (err instanceof NoTrafficError) return null;
      throw err;
    });
    if (!r) {
      lines.push(noTraffic(c.feature, change));
      continue;
    }
    const matched = r.steps[0]?.details.matched;
    lines.push({
      feature: c.feature,
      change: "from" in c && c.from && typeof matched === "string" ? `${c.from} (${matched.slice(c.from.length + 1)}) → ${c.to}` : change,
      currentMonthlyUsd: r.baselineUsd,
      plannedMonthlyUsd: r.finalUsd,
      deltaMonthlyUsd: subDec(r.finalUsd, r.baselineUsd),
      requests: r.requests,
    });
  }
  return lines;
}

export const failed = (r: BudgetResult): Check[] => r.checks.filter((c) => !c.ok);
