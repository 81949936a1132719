import { DEFAULTS } from "../defaults.js";
import { usageError } from "../errors.js";
import { type FlagReader, one, parsePositiveInt, type TacticFlag } from "./flags.js";
import { cacheExclusions, deniedRequests, rewriteSim, simCount, type SummaryLine, type TacticDef } from "./types.js";

/** The response caches' kind: exact here, semantic in semantic-cache.ts; both read `--cache` and `--ttl`. */
export const CACHE_FLAG: TacticFlag<"exact" | "semantic"> = {
  flags: "--cache <kind>",
  help: "exact: replay identical prompts through a response cache; semantic: near-duplicate prompts (estimate; needs logged prompt text or an embedding)",
  parse: (raw) => {
    const v = one(raw);
    if (v !== "exact" && v !== "semantic") throw usageError(`--cache expects exact or semantic (got ${JSON.stringify(v)})`);
    return v;
  },
};
export const TTL_FLAG: TacticFlag<number> = {
  flags: "--ttl <seconds>",
  help: "cache entry lifetime from the miss that set it",
  default: String(DEFAULTS.cacheTtlSeconds),
  parse: (raw) => parsePositiveInt(one(raw), "--ttl"),
};

/** The TTL of the cache `--cache` chose (the TTL is judged first, as it always was), or null for the other kind. */
export function chosenCache(flags: FlagReader, kind: "exact" | "semantic"): number | null {
  if (!flags.given(CACHE_FLAG)) return null;
  const ttl = flags.read(TTL_FLAG) ?? DEFAULTS.cacheTtlSeconds;
  return flags.read(CACHE_FLAG) === kind ? ttl : null;
}

/** A hit rate for people. */
export const rateText = (x: unknown): string => `${(Number(x ?? 0) * 100).toFixed(1)}%`;

export interface ExactCacheSettings {
  ttlSeconds: number;
}
export interface ExactCacheState {
  /** Requests served from the cache (found per request, reported by apply). */
  hitRows: number;
  /** Requests whose prompt is on the deny-list. */
  denied: number;
}

/**
 * Exact response cache. Requests are replayed in time order per (feature, model, prompt_hash): an entry is set on a
 * miss and expires TTL seconds later (a hit does not extend it); a hit costs $0.
 *
 * The replay is sequential by nature, so it runs in SQL by pointer doubling rather than row by row: each request
 * points (ASOF join) at the first request of its group after its own TTL, the misses are the path of pointers from
 * the group's first request, and the path is marked in O(log L) rounds for chains of length L. Only sessions (runs of
 * a group's requests with no gap over the TTL) that last longer than the TTL are replayed; the rest are decided by
 * their gaps alone.
 * Features marked `cacheable: false` in the config are left alone. Requests without a prompt_hash count as misses.
 */
export const EXACT_CACHE: TacticDef<ExactCacheSettings, ExactCacheState> = {
  name: "cache",
  step: "cache",
  flags: [CACHE_FLAG, TTL_FLAG],
  columns: [{ name: "cx_hit", type: "BOOLEAN", kept: "key", what: "served from the exact cache" }],
  rewrites: ["cache_hit"],
  noEffect: "no request repeats a prompt (same feature, model and prompt_hash) within the TTL, or the requests have no prompt_hash",
  denyList: true,
  fromFlags(flags) {
    const ttlSeconds = chosenCache(flags, "exact");
    return ttlSeconds === null ? null : { ttlSeconds };
  },
  playbook: { label: "exact cache", settings: () => ({ ttlSeconds: DEFAULTS.cacheTtlSeconds }) },
  start: () => ({ hitRows: 0, denied: 0 }),
  assumptions: ({ ttlSeconds }) => [
    `exact response cache keyed by feature, model and prompt_hash; entries live ${ttlSeconds}s from the miss that set them`,
    "a hit costs $0 (cache storage and lookups are not priced)",
    "requests without a prompt_hash, prompts on the config's cache.denyPrefixes (checked at ingest), and features with cacheable: false are never served from cache",
  ],
  async perRequest(ctx, { ttlSeconds }, state) {
    const { db, config, rows, row, params } = ctx;
    const excl = cacheExclusions(row.hit);
    // Sessions: a request more than TTL after the previous request of its group is always a miss (every entry of
    // the group has expired) and starts the replay afresh, so the replay runs per (group, session). A request alone
    // in its session misses and never enters it. (Lag and lead over one window: cheaper than a GROUP BY over
    // millions of distinct prompts and a join back.) i numbers the rows kept, per group.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE cache_rows AS
       SELECT g, rid, ts, new, sum(new::INTEGER) OVER w AS s, row_number() OVER w AS i FROM (
         SELECT g, rid, ts, coalesce(lag(ts) OVER w + to_seconds($ttl) < ts, true) AS new,
                coalesce(lead(ts) OVER w <= ts + to_seconds($ttl), false) AS near
         FROM (SELECT hash(feature, ${row.model}, prompt_hash) AS g, rid, ts FROM ${rows} r
               WHERE prompt_hash IS NOT NULL AND NOT ${excl.sql})
         WINDOW w AS (PARTITION BY g ORDER BY ts, rid))
       WHERE NOT new OR near
       WINDOW w AS (PARTITION BY g ORDER BY ts, rid)`,
      { ...params, ...excl.params(config), ttl: ttlSeconds },
    );
    // A session whose requests all fall within TTL of its first needs no replay: the first misses, the rest hit.
    // Only the others (cache_chain) are replayed.
    await db.run("CREATE OR REPLACE TEMP TABLE cache_long AS SELECT g, s FROM cache_rows GROUP BY g, s HAVING max(ts) - min(ts) > to_seconds($ttl)", {
      ttl: ttlSeconds,
    });
    await db.run("CREATE OR REPLACE TEMP TABLE cache_chain AS SELECT * FROM cache_rows SEMI JOIN cache_long USING (g, s)");
    // jump(i) = the first request of the session more than TTL after request i (NULL: none).
    await db.run(
      `CREATE OR REPLACE TEMP TABLE cache_jump AS
       SELECT a.g, a.i, b.i AS j FROM cache_chain a ASOF LEFT JOIN cache_chain b ON a.g = b.g AND a.s = b.s AND a.ts + to_seconds($ttl) < b.ts`,
      { ttl: ttlSeconds },
    );
    await db.run("CREATE OR REPLACE TEMP TABLE cache_miss AS SELECT g, i FROM cache_chain WHERE new");
    // Round k adds jump^(2^k) of every known miss, then squares the jump table; after round k the first 2^(k+1)
    // misses of every chain are known. It ends when no jump is left (2^k exceeds the longest session).
    for (;;) {
      const live = await db.one<{ n: string }>("SELECT count(*) AS n FROM cache_jump WHERE j IS NOT NULL");
      if (Number(live?.n ?? 0) === 0) break;
      await db.run(
        `INSERT INTO cache_miss
         SELECT DISTINCT m.g, c.j FROM cache_miss m JOIN cache_jump c ON c.g = m.g AND c.i = m.i WHERE c.j IS NOT NULL
         EXCEPT SELECT * FROM cache_miss`,
      );
      await db.run(
        `CREATE OR REPLACE TEMP TABLE cache_jump AS
         SELECT a.g, a.i, b.j FROM cache_jump a LEFT JOIN cache_jump b ON b.g = a.g AND b.i = a.j`,
      );
    }
    await db.run(
      `CREATE OR REPLACE TEMP TABLE cache_hit AS
       SELECT rid FROM cache_rows ANTI JOIN cache_long USING (g, s) WHERE NOT new
       UNION ALL SELECT r.rid FROM cache_chain r ANTI JOIN cache_miss m ON m.g = r.g AND m.i = r.i`,
    );
    state.hitRows = Number((await db.one<{ n: string }>("SELECT count(*) AS n FROM cache_hit"))?.n ?? 0);
    state.denied = await deniedRequests(ctx);
    for (const t of ["cache_rows", "cache_long", "cache_chain", "cache_jump", "cache_miss"]) await db.run(`DROP TABLE IF EXISTS ${t}`);
    return {
      columns: { cx_hit: state.hitRows ? "rid IN (SELECT rid FROM cache_hit)" : "false" },
      row: { hit: `(${row.hit} OR r.cx_hit)` },
    };
  },
  async apply({ db }, { ttlSeconds }, { hitRows, denied }) {
    const perFeature = await db.all<{ feature: string; hits: string; total: string }>(
      `SELECT feature, sum(n) FILTER (WHERE cx_hit) AS hits, sum(n) AS total FROM sim GROUP BY 1 HAVING sum(n) FILTER (WHERE cx_hit) > 0 ORDER BY 2 DESC`,
    );
    const all = await simCount(db, "true");
    await rewriteSim(db, { cache_hit: "s.cache_hit OR s.cx_hit" });
    return {
      affectedRequests: hitRows,
      evidence: perFeature.map((r) => ({
        feature: r.feature,
        text: `${Math.round((100 * Number(r.hits)) / Number(r.total))}% of requests repeat a prompt within ${humanTtl(ttlSeconds)}`,
      })),
      details: { hitRate: all ? Number((hitRows / all).toFixed(6)) : 0, hits: hitRows, ttlSeconds, deniedRequests: denied },
    };
  },
  summary: (step, sim): SummaryLine[] => [
    {
      section: "Hit rates",
      text: `cache: ${rateText(step.details.hitRate)} of ${sim.requests.toLocaleString("en")} requests hit (TTL ${Number(step.details.ttlSeconds).toLocaleString("en")}s)`,
    },
  ],
};

export const humanTtl = (s: number): string => (s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`);
