import { SIG_SIZE } from "../sources/sql.js";
import { notCacheable, rewriteSim, stringList, type Tactic } from "./types.js";

export const SWEEP = [0.91, 0.93, 0.95, 0.97] as const;
const BANDS = 8;
const ROWS = SIG_SIZE / BANDS;

/**
 * Semantic (near-duplicate) response cache, as an estimate. Prompts are compared by the MinHash signature of their
 * word shingles stored at ingest (a lexical proxy for semantic similarity; the text is never stored). Candidate
 * pairs come from LSH banding (8 bands × 4 rows) within the same feature and model; a request is a hit when an
 * earlier request less than TTL seconds before it has estimated Jaccard similarity ≥ the threshold. Every request
 * considered pays an embedding lookup of its input at the text-embedding-3-small rate. Requests without prompt text,
 * and features with cacheable: false, are never hits.
 */
export function semanticCache(ttlSeconds: number, threshold: number): Tactic {
  const stats = { considered: 0, hits: 0, sweep: {} as Record<string, number> };
  return {
    name: "semantic-cache",
    assumptions: [
      `near-duplicate prompts (MinHash over word 3-shingles, estimated Jaccard ≥ ${threshold}) within ${ttlSeconds}s in the same feature and model are served from cache at $0 — an estimate: lexical similarity stands in for semantic`,
      "every request considered pays an embedding of its input at the text-embedding-3-small rate",
      "requests without logged prompt text, and features with cacheable: false, are never served from cache",
    ],
    async perRequest({ db, config, rows, row, params }) {
      await db.run(
        `CREATE OR REPLACE TEMP TABLE sc_rows AS
         SELECT rid, feature, ${row.model} AS model, ts, prompt_sig FROM ${rows} r
         WHERE NOT (${row.hit}) AND prompt_sig IS NOT NULL AND NOT list_contains(${stringList("excluded")}, feature)`,
        { ...params, excluded: notCacheable(config) },
      );
      await db.run(
        `CREATE OR REPLACE TEMP TABLE sc_bands AS
         SELECT rid, feature, model, ts, b, hash(prompt_sig[b * ${ROWS} + 1 : b * ${ROWS} + ${ROWS}]) AS bh FROM sc_rows, range(${BANDS}) t(b)`,
      );
      // For each request, the best similarity to an earlier request within the TTL (candidates share a band).
      await db.run(
        `CREATE OR REPLACE TEMP TABLE sc_best AS
         WITH pairs AS (
           SELECT DISTINCT y.rid AS later, x.rid AS earlier FROM sc_bands x JOIN sc_bands y
             ON x.feature = y.feature AND x.model = y.model AND x.b = y.b AND x.bh = y.bh
            AND (x.ts < y.ts OR (x.ts = y.ts AND x.rid < y.rid)) AND y.ts - x.ts <= to_seconds($ttl))
         SELECT p.later AS rid,
           max(len(list_filter(range(1, ${SIG_SIZE + 1}), i -> a.prompt_sig[i] = b.prompt_sig[i])) / ${SIG_SIZE}.0) AS sim
         FROM pairs p JOIN sc_rows a ON a.rid = p.later JOIN sc_rows b ON b.rid = p.earlier GROUP BY 1`,
        { ttl: ttlSeconds },
      );
      const sweep = await db.one<Record<string, string>>(
        `SELECT (SELECT count(*) FROM sc_rows) AS considered, ${SWEEP.map((t, i) => `count(*) FILTER (WHERE sim >= ${t}) AS t${i}`).join(", ")},
           count(*) FILTER (WHERE sim >= $t) AS hits FROM sc_best`,
        { t: threshold },
      );
      stats.considered = Number(sweep?.considered ?? 0);
      stats.hits = Number(sweep?.hits ?? 0);
      stats.sweep = Object.fromEntries(SWEEP.map((t, i) => [`hitRateAt${t}`, stats.considered ? Number((Number(sweep?.[`t${i}`] ?? 0) / stats.considered).toFixed(6)) : 0]));
      await db.run("CREATE OR REPLACE TEMP TABLE sc_hit AS SELECT rid FROM sc_best WHERE sim >= CAST($t AS DOUBLE)", { t: threshold });
      await db.run("CREATE OR REPLACE TEMP TABLE sc_seen AS SELECT rid FROM sc_rows");
      for (const t of ["sc_rows", "sc_bands", "sc_best"]) await db.run(`DROP TABLE IF EXISTS ${t}`);
      return {
        columns: {
          sc_hit: stats.hits ? "rid IN (SELECT rid FROM sc_hit)" : "false",
          sc_seen: stats.considered ? "rid IN (SELECT rid FROM sc_seen)" : "false",
        },
        keys: ["sc_hit", "sc_seen"],
        row: { hit: `(${row.hit} OR r.sc_hit)` },
      };
    },
    async apply({ db }) {
      const perFeature = await db.all<{ feature: string; hits: string; total: string }>(
        `SELECT feature, sum(n) FILTER (WHERE sc_hit) AS hits, sum(n) FILTER (WHERE sc_seen) AS total
         FROM sim GROUP BY 1 HAVING sum(n) FILTER (WHERE sc_hit) > 0 ORDER BY 2 DESC`,
      );
      const embedRate = `(SELECT er.input FROM price_rate er WHERE er.model_id = 'text-embedding-3-small' AND er.mode = 'standard' AND s.ts >= er.valid_from AND s.ts < er.valid_to)`;
      const tokens = "(s.input_tokens + s.cached_input_tokens + s.cache_write_5m_tokens + s.cache_write_1h_tokens)";
      await rewriteSim(db, {
        cache_hit: "s.cache_hit OR s.sc_hit",
        extra_cost: `s.extra_cost + CASE WHEN s.sc_seen THEN CAST(coalesce(${tokens} * ${embedRate}, 0) * 0.000001::DECIMAL(7,6) AS DECIMAL(38,12)) ELSE 0 END`,
      });
      return {
        affectedRequests: stats.hits,
        evidence: perFeature.map((r) => ({
          feature: r.feature,
          text: `${Math.round((100 * Number(r.hits)) / Number(r.total))}% of requests with logged prompts nearly repeat one within ${ttlSeconds}s (similarity ≥ ${threshold}, estimate)`,
        })),
        details: {
          threshold,
          considered: stats.considered,
          hits: stats.hits,
          hitRate: stats.considered ? Number((stats.hits / stats.considered).toFixed(6)) : 0,
          ...stats.sweep,
        },
      };
    },
  };
}
