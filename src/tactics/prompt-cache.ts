import { rewriteSim, type Tactic } from "./types.js";

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
      const total = "(input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens)";
      // Per request: tokens that would be cached (the prefix share of all input, less what is cached already) and
      // whether the prefix is warm. The window runs once, into pc; the evidence and the rewrite both read pc.
      await db.run(
        `CREATE OR REPLACE TEMP TABLE pc AS SELECT *,
          CASE WHEN NOT cache_hit AND ${total} >= ${MIN_PREFIX}
               THEN greatest(0, least(input_tokens, CAST(round(${total} * CAST($share AS DOUBLE)) AS BIGINT) - cached_input_tokens)) ELSE 0 END AS moved,
          -- only eligible requests that reached the provider keep a prefix warm
          coalesce(ts - lag(ts) OVER (PARTITION BY feature, model, NOT cache_hit AND ${total} >= ${MIN_PREFIX} ORDER BY ts, rid) <= INTERVAL (${WARM_SECONDS}) SECOND, false) AS warm
        FROM sim`,
        { share: prefixShare },
      );
      const per = await db.all<{ feature: string; eligible: string; total: string }>(
        `SELECT feature, count(*) FILTER (WHERE moved > 0 AND warm) AS eligible, count(*) FILTER (WHERE NOT cache_hit) AS total
         FROM pc GROUP BY 1 HAVING count(*) FILTER (WHERE moved > 0 AND warm) > 0 ORDER BY 2 DESC`,
      );
      // Warm: the prefix is read from cache. Cold on Anthropic: the prefix is written at the 5m write rate.
      // Cold elsewhere: it stays plain input.
      await rewriteSim(
        db,
        {
          input_tokens: "s.input_tokens - CASE WHEN s.warm OR s.provider = 'anthropic' THEN s.moved ELSE 0 END",
          cached_input_tokens: "s.cached_input_tokens + CASE WHEN s.warm THEN s.moved ELSE 0 END",
          cache_write_5m_tokens: "s.cache_write_5m_tokens + CASE WHEN NOT s.warm AND s.provider = 'anthropic' THEN s.moved ELSE 0 END",
        },
        "",
        {},
        "pc",
      );
      await db.run("DROP TABLE pc");
      const affected = per.reduce((a, r) => a + Number(r.eligible), 0);
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
