import { rewriteSim, simCount, type Tactic } from "./types.js";

/** Output cap: output tokens (reasoning included) are clipped at N per request. */
export function outputCap(cap: number): Tactic {
  return {
    name: "output-cap",
    assumptions: [`output tokens (reasoning included) clipped at ${cap.toLocaleString("en")} per request; answers still fit`],
    // Clipping is per request, so it is summed per request; cache hits are left alone.
    async perRequest({ row }) {
      return {
        columns: {
          oc_output: `CASE WHEN NOT (${row.hit}) THEN least(${row.output}, $oc_cap) ELSE ${row.output} END`,
          oc_reasoning: `CASE WHEN NOT (${row.hit}) THEN least(${row.reasoning}, $oc_cap) ELSE ${row.reasoning} END`,
          oc_n: `CASE WHEN NOT (${row.hit}) AND ${row.output} > $oc_cap THEN 1 ELSE 0 END`,
        },
        sums: ["oc_output", "oc_reasoning", "oc_n"],
        row: { output: "r.oc_output", reasoning: "r.oc_reasoning" },
        params: { oc_cap: cap },
      };
    },
    async apply({ db }) {
      const n = await simCount(db, "true", {}, "oc_n");
      await rewriteSim(db, { output_tokens: "s.oc_output", reasoning_tokens: "s.oc_reasoning" });
      return { affectedRequests: n, evidence: [], details: { cap } };
    },
  };
}
