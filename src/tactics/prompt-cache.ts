import { one, parseShare, type TacticFlag } from "./flags.js";
import { rewriteSim, type TacticDef } from "./types.js";

const PROMPT_CACHE_FLAG: TacticFlag<true> = {
  flags: "--prompt-cache",
  help: "reprice repeated prefixes at cached rates (incl. write premium, min prefix)",
  parse: () => true,
};
const PREFIX_SHARE_FLAG: TacticFlag<number> = {
  flags: "--prefix-share <share>",
  help: "share of input that is a repeated prefix (default: config, else 0.5)",
  parse: (raw) => parseShare(one(raw), "--prefix-share"),
};
/** The prefix share when neither the flag nor the config says (config `tactics.promptCache.prefixShare`). */
export const DEFAULT_PREFIX_SHARE = 0.5;

export interface PromptCacheSettings {
  prefixShare: number;
}

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
/**
 * Where a request's moved prefix tokens go: warm, read from the cache; cold on Anthropic, written at the 5-minute
 * write rate; cold elsewhere, they stay plain input. `t` are the current bucket expressions; `x` the alias holding
 * pc_warm, pc_moved and provider (per request, or on the summed traffic).
 */
const shift = (t: { input: string; cached: string; cw5: string }, x: string) => ({
  input: `(${t.input} - CASE WHEN ${x}.pc_warm OR ${x}.provider = 'anthropic' THEN ${x}.pc_moved ELSE 0 END)`,
  cached: `(${t.cached} + CASE WHEN ${x}.pc_warm THEN ${x}.pc_moved ELSE 0 END)`,
  cw5: `(${t.cw5} + CASE WHEN NOT ${x}.pc_warm AND ${x}.provider = 'anthropic' THEN ${x}.pc_moved ELSE 0 END)`,
});

export const PROMPT_CACHE: TacticDef<PromptCacheSettings, null> = {
  name: "prompt-cache",
  step: "prompt-cache",
  flags: [PROMPT_CACHE_FLAG, PREFIX_SHARE_FLAG],
  columns: [
    { name: "pc_warm", type: "BOOLEAN", kept: "key", what: "an eligible request on a warm prefix (same feature and model within 5 minutes)" },
    { name: "pc_moved", type: "BIGINT", kept: "sum", what: "input tokens that would be read from (or written to) the provider cache" },
    { name: "pc_n", type: "INTEGER", kept: "sum", what: "1 for a request that would read a warm prefix (the evidence)" },
  ],
  rewrites: ["input_tokens", "cached_input_tokens", "cache_write_5m_tokens"],
  noEffect: "no request has enough input on a warm prefix (same feature and model within 5 minutes)",
  fromFlags(flags, { tactics }) {
    if (!flags.given(PROMPT_CACHE_FLAG)) return null;
    // The flag, else the config; the config's value is judged as the flag's would be.
    const share = flags.given(PREFIX_SHARE_FLAG)
      ? flags.read(PREFIX_SHARE_FLAG)!
      : PREFIX_SHARE_FLAG.parse(String(tactics.promptCache?.prefixShare ?? DEFAULT_PREFIX_SHARE));
    return { prefixShare: share };
  },
  playbook: { label: "prompt caching", settings: ({ tactics }) => ({ prefixShare: tactics.promptCache?.prefixShare ?? DEFAULT_PREFIX_SHARE }) },
  start: () => null,
  assumptions: ({ prefixShare }) => [
    `${Math.round(prefixShare * 100)}% of each eligible request's input is a prefix shared with the feature's other requests`,
    `eligible: input ≥ ${MIN_PREFIX.toLocaleString("en")} tokens; warm when the same feature and model ran within ${WARM_SECONDS / 60} minutes`,
    "a cold Anthropic request pays the 5-minute cache-write rate (1.25× input) on the prefix; OpenAI and Gemini writes cost the input rate",
  ],
  async perRequest({ db, rows, row, params }, { prefixShare }) {
    const total = `(${row.input} + ${row.cached} + ${row.cw5} + ${row.cw1})`;
    // Only eligible requests that reach the provider keep a prefix warm.
    const eligible = `(NOT (${row.hit}) AND ${total} >= ${MIN_PREFIX})`;
    const bucket = (ts: string) => `epoch_us(${ts}) // ${WARM_SECONDS * 1_000_000}`;
    // Warm = an earlier eligible request of the same feature and model (in time, then id, order) at most
    // WARM_SECONDS before. Per time bucket of that width: its first eligible request, and its last. A request that is
    // not the first of its bucket is warm (the first is less than WARM_SECONDS earlier); the first is warm when the
    // previous bucket's last request is close enough, as anything older is more than WARM_SECONDS away. So the cold
    // requests are some of the buckets' first ones: pc_cold lists them. No per-request sort, and no join back.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE pc_cold AS
       SELECT r0 AS rid FROM (
         SELECT r0, t0, b, lag(b) OVER w AS prev_b, lag(t1) OVER w AS prev_t1 FROM (
           SELECT feature, ${row.model} AS model, ${bucket("ts")} AS b, min(ts) AS t0, max(ts) AS t1, arg_min(rid, (ts, rid)) AS r0
           FROM ${rows} r WHERE ${eligible} GROUP BY ALL)
         WINDOW w AS (PARTITION BY feature, model ORDER BY b))
       WHERE prev_b IS NULL OR prev_b <> b - 1 OR prev_t1 < t0 - INTERVAL ${WARM_SECONDS} SECOND`,
      params,
    );
    return {
      columns: {
        pc_warm: `coalesce(${eligible} AND NOT (r.rid IN (SELECT rid FROM pc_cold)), false)`,
        // Tokens that would be cached: the prefix share of all input, less what is cached already.
        pc_moved: `CASE WHEN ${eligible} THEN greatest(0, least(${row.input}, CAST(round(${total} * CAST($pc_share AS DOUBLE)) AS BIGINT) - ${row.cached})) ELSE 0 END`,
        // requests that would read a warm prefix (the evidence)
        pc_n: "CASE WHEN r.pc_warm AND r.pc_moved > 0 THEN 1 ELSE 0 END",
      },
      row: shift(row, "r"),
      params: { pc_share: prefixShare },
    };
  },
  async apply({ db }, { prefixShare }) {
    const per = await db.all<{ feature: string; eligible: string; total: string }>(
      `SELECT feature, sum(pc_n) AS eligible, sum(n) FILTER (WHERE NOT cache_hit) AS total
       FROM sim GROUP BY 1 HAVING sum(pc_n) > 0 ORDER BY 2 DESC`,
    );
    const moved = shift({ input: "s.input_tokens", cached: "s.cached_input_tokens", cw5: "s.cache_write_5m_tokens" }, "s");
    await rewriteSim(db, { input_tokens: moved.input, cached_input_tokens: moved.cached, cache_write_5m_tokens: moved.cw5 });
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
