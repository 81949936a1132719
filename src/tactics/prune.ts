import { rewriteSim, type Tactic } from "./types.js";

/** Prompt pruning: every input bucket shrinks by a fraction, per feature (`FEATURE=P`) or for all (`P`). */
export function prune(shares: { feature: string | null; share: number }[]): Tactic {
  const all = shares.find((s) => s.feature === null)?.share ?? 0;
  const perFeature = shares.filter((s) => s.feature !== null) as { feature: string; share: number }[];
  return {
    name: "prune",
    assumptions: [
      ...(all > 0 ? [`input tokens cut by ${Math.round(all * 100)}% on every feature`] : []),
      ...perFeature.map((s) => `input tokens of ${s.feature} cut by ${Math.round(s.share * 100)}%`),
      "output is unchanged by shorter prompts",
    ],
    async apply({ db }) {
      const map = JSON.stringify(perFeature);
      const shares = `(SELECT unnest(json_transform($map::JSON, '[{"feature":"VARCHAR","share":"DOUBLE"}]'), recursive := true))`;
      const share = `(CASE WHEN s.cache_hit THEN 0 ELSE coalesce(p.share, CAST($all AS DOUBLE)) END)`;
      const join = `LEFT JOIN ${shares} p ON p.feature = s.feature`;
      const keep = (col: string) => `CAST(round(s.${col} * (1 - ${share})) AS BIGINT)`;
      const n = Number((await db.one<{ n: string }>(`SELECT count(*) AS n FROM sim s ${join} WHERE ${share} > 0`, { map, all }))?.n ?? 0);
      await rewriteSim(
        db,
        Object.fromEntries(["input_tokens", "cached_input_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens"].map((c) => [c, keep(c)])),
        join,
        { map, all },
      );
      return { affectedRequests: n, evidence: [], details: { share: all } };
    },
  };
}
