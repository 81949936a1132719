import type { Tactic } from "./types.js";

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
      const share = `coalesce((SELECT p.share FROM (SELECT unnest(json_transform($map::JSON, '[{"feature":"VARCHAR","share":"DOUBLE"}]'), recursive := true)) p WHERE p.feature = sim.feature), CAST($all AS DOUBLE))`;
      const keep = (col: string) => `CAST(round(${col} * (1 - ${share})) AS BIGINT)`;
      const n = Number(
        (await db.one<{ n: string }>(`SELECT count(*) AS n FROM sim WHERE NOT cache_hit AND ${share} > 0`, { map, all }))?.n ?? 0,
      );
      await db.run(
        `UPDATE sim SET input_tokens = ${keep("input_tokens")}, cached_input_tokens = ${keep("cached_input_tokens")},
           cache_write_5m_tokens = ${keep("cache_write_5m_tokens")}, cache_write_1h_tokens = ${keep("cache_write_1h_tokens")}
         WHERE NOT cache_hit AND ${share} > 0`,
        { map, all },
      );
      return { affectedRequests: n, evidence: [], details: { share: all } };
    },
  };
}
