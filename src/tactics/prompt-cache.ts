import type { Tactic } from "./types.js";

/** Minimum cacheable prefix, in tokens, by provider (OpenAI and Anthropic document 1,024 for most models). */
export const MIN_PREFIX = 1024;
/** A prefix stays warm this long after its last use (the provider caches' default lifetime). */
export const WARM_SECONDS = 300;

/**
 * Provider prompt caching. For requests whose input is at least the minimum prefix, a share of the input (the
 * repeated system prompt and context) is served from the provider cache when the same feature and model ran within
 * the last 5 minutes (the prefix is warm). Only the part not already cached moves, so traffic that already caches
 * well saves little. A cold request writes the prefix: Anthropic bills that write at the 5-minute write rate
 * (1.25× input), OpenAI has no write premium.
 */
export function promptCache(prefixShare: number): Tactic {
  return {
    name: "prompt-cache",
    assumptions: [
      `${Math.round(prefixShare * 100)}% of each eligible request's input is a prefix shared with the feature's other requests`,
      `eligible: input ≥ ${MIN_PREFIX.toLocaleString("en")} tokens; warm when the same feature and model ran within ${WARM_SECONDS / 60} minutes`,
      "a cold Anthropic request pays the 5-minute cache-write rate (1.25× input) on the prefix; OpenAI and Gemini writes cost the input rate",
    ],
    async apply({ db }) {
      await db.run(
        `CREATE OR REPLACE TEMP TABLE pc AS
         SELECT rid, provider,
           -- tokens that would be cached: the prefix share of all input, less what is cached already
           greatest(0, least(input_tokens, CAST(round((input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens) * CAST($share AS DOUBLE)) AS BIGINT) - cached_input_tokens)) AS moved,
           coalesce(ts - lag(ts) OVER (PARTITION BY feature, model ORDER BY ts, rid) <= INTERVAL (${WARM_SECONDS}) SECOND, false) AS warm
         FROM sim
         WHERE NOT cache_hit AND input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens >= ${MIN_PREFIX}`,
        { share: prefixShare },
      );
      // Warm: the prefix is read from cache. Cold on Anthropic: the prefix is written at the 5m write rate.
      // Cold elsewhere: it stays plain input.
      await db.run(
        `UPDATE sim SET
           input_tokens = sim.input_tokens - CASE WHEN pc.warm OR sim.provider = 'anthropic' THEN pc.moved ELSE 0 END,
           cached_input_tokens = sim.cached_input_tokens + CASE WHEN pc.warm THEN pc.moved ELSE 0 END,
           cache_write_5m_tokens = sim.cache_write_5m_tokens + CASE WHEN NOT pc.warm AND sim.provider = 'anthropic' THEN pc.moved ELSE 0 END
         FROM pc WHERE sim.rid = pc.rid AND pc.moved > 0`,
      );
      const per = await db.all<{ feature: string; eligible: string; total: string; cached_share: number }>(
        `SELECT s.feature, count(pc.rid) AS eligible, count(*) AS total,
           sum(s.cached_input_tokens) / nullif(sum(s.input_tokens + s.cached_input_tokens), 0) AS cached_share
         FROM sim s LEFT JOIN pc ON pc.rid = s.rid AND pc.moved > 0 AND pc.warm WHERE NOT s.cache_hit GROUP BY 1 HAVING count(pc.rid) > 0 ORDER BY 2 DESC`,
      );
      const affected = Number((await db.one<{ n: string }>("SELECT count(*) AS n FROM pc WHERE moved > 0 AND warm"))?.n ?? 0);
      await db.run("DROP TABLE IF EXISTS pc");
      return {
        affectedRequests: affected,
        evidence: per.map((r) => ({
          feature: r.feature,
          text: `${Math.round((100 * Number(r.eligible)) / Number(r.total))}% of requests have ≥${MIN_PREFIX.toLocaleString("en")} input tokens on a warm prefix`,
        })),
        details: { prefixShare },
      };
    },
  };
}
