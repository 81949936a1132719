import { lcbSql } from "../pricing/sql.js";
import { rewriteSim, simCount, type Tactic } from "./types.js";

const BUCKETS = [
  ["input", "input_tokens"],
  ["cached", "cached_input_tokens"],
  ["cw5", "cache_write_5m_tokens"],
  ["cw1", "cache_write_1h_tokens"],
] as const;

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
    // Per request: each bucket is rounded to whole tokens, and the request's long-context class follows its new size.
    async perRequest({ catalog, row }) {
      const columns: Record<string, string> = { pr_share: `(CASE WHEN ${row.hit} THEN 0 ELSE coalesce(pr_p.share, CAST($pr_all AS DOUBLE)) END)` };
      for (const [k] of BUCKETS) columns[`pr_${k}`] = `CAST(round(${row[k]} * (1 - r.pr_share)) AS BIGINT)`;
      columns.pr_n = "CASE WHEN r.pr_share > 0 THEN 1 ELSE 0 END";
      columns.pr_lcb = lcbSql(catalog, `(${BUCKETS.map(([k]) => `r.pr_${k}`).join(" + ")})`);
      return {
        columns,
        joins: `LEFT JOIN (SELECT unnest(json_transform($pr_map::JSON, '[{"feature":"VARCHAR","share":"DOUBLE"}]'), recursive := true)) pr_p ON pr_p.feature = r.feature`,
        keys: ["pr_lcb"],
        sums: [...BUCKETS.map(([k]) => `pr_${k}`), "pr_n"],
        row: Object.fromEntries(BUCKETS.map(([k]) => [k, `r.pr_${k}`])),
        params: { pr_map: JSON.stringify(perFeature), pr_all: all },
      };
    },
    async apply({ db }) {
      const n = await simCount(db, "true", {}, "pr_n");
      await rewriteSim(db, { ...Object.fromEntries(BUCKETS.map(([k, col]) => [col, `s.pr_${k}`])), lcb: "s.pr_lcb" });
      return { affectedRequests: n, evidence: [], details: { share: all } };
    },
  };
}
