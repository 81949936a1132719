import { one, parsePositiveInt, type TacticFlag } from "./flags.js";
import { rewriteSim, simCount, type TacticDef } from "./types.js";

const OUTPUT_CAP_FLAG: TacticFlag<number> = {
  flags: "--output-cap <tokens>",
  help: "clip output tokens per request",
  parse: (raw) => parsePositiveInt(one(raw), "--output-cap"),
};

export interface OutputCapSettings {
  cap: number;
}

/** Output cap: output tokens (reasoning included) are clipped at N per request. */
export const OUTPUT_CAP: TacticDef<OutputCapSettings, null> = {
  name: "output-cap",
  step: "output-cap",
  flags: [OUTPUT_CAP_FLAG],
  columns: [
    { name: "oc_output", type: "BIGINT", kept: "sum", what: "output tokens after the cap" },
    { name: "oc_reasoning", type: "BIGINT", kept: "sum", what: "reasoning tokens after the cap" },
    { name: "oc_n", type: "INTEGER", kept: "sum", what: "1 for a request whose output the cap clips" },
  ],
  rewrites: ["output_tokens", "reasoning_tokens"],
  noEffect: "no request's output exceeds the cap",
  fromFlags(flags) {
    const cap = flags.read(OUTPUT_CAP_FLAG);
    return cap === undefined ? null : { cap };
  },
  start: () => null,
  assumptions: ({ cap }) => [`output tokens (reasoning included) clipped at ${cap.toLocaleString("en")} per request; answers still fit`],
  // Clipping is per request, so it is summed per request; cache hits are left alone.
  async perRequest({ row }, { cap }) {
    return {
      columns: {
        oc_output: `CASE WHEN NOT (${row.hit}) THEN least(${row.output}, $oc_cap) ELSE ${row.output} END`,
        oc_reasoning: `CASE WHEN NOT (${row.hit}) THEN least(${row.reasoning}, $oc_cap) ELSE ${row.reasoning} END`,
        oc_n: `CASE WHEN NOT (${row.hit}) AND ${row.output} > $oc_cap THEN 1 ELSE 0 END`,
      },
      row: { output: "r.oc_output", reasoning: "r.oc_reasoning" },
      params: { oc_cap: cap },
    };
  },
  async apply({ db }, { cap }) {
    const n = await simCount(db, "true", {}, "oc_n");
    await rewriteSim(db, { output_tokens: "s.oc_output", reasoning_tokens: "s.oc_reasoning" });
    return { affectedRequests: n, evidence: [], details: { cap } };
  },
};
