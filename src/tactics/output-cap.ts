import { rewriteSim, type Tactic } from "./types.js";

/** Output cap: output tokens (reasoning included) are clipped at N per request. */
export function outputCap(cap: number): Tactic {
  return {
    name: "output-cap",
    assumptions: [`output tokens (reasoning included) clipped at ${cap.toLocaleString("en")} per request; answers still fit`],
    async apply({ db }) {
      const n = Number((await db.one<{ n: string }>("SELECT count(*) AS n FROM sim WHERE NOT cache_hit AND output_tokens > $cap", { cap }))?.n ?? 0);
      await rewriteSim(
        db,
        {
          output_tokens: "CASE WHEN NOT s.cache_hit THEN least(s.output_tokens, $cap) ELSE s.output_tokens END",
          reasoning_tokens: "CASE WHEN NOT s.cache_hit THEN least(s.reasoning_tokens, $cap) ELSE s.reasoning_tokens END",
        },
        "",
        { cap },
      );
      return { affectedRequests: n, evidence: [], details: { cap } };
    },
  };
}
