import { lcbSql } from "../pricing/sql.js";
import { many, parseShare, type TacticFlag } from "./flags.js";
import { rewriteSim, simCount, type TacticDef } from "./types.js";

export interface PruneShare {
  /** null: every feature. */
  feature: string | null;
  share: number;
}

/** `--prune 0.6`, `--prune feature=0.6`, repeatable or comma-separated. */
export function parsePrune(values: readonly string[]): PruneShare[] {
  return values
    .flatMap((v) => v.split(","))
    .map((p) => {
      const eq = p.lastIndexOf("=");
      return eq < 0 ? { feature: null, share: parseShare(p, "--prune") } : { feature: p.slice(0, eq), share: parseShare(p.slice(eq + 1), "--prune") };
    });
}

const PRUNE_FLAG: TacticFlag<PruneShare[]> = {
  flags: "--prune <share>",
  help: "cut input by P, or FEATURE=P (repeatable)",
  repeatable: true,
  parse: (raw) => parsePrune(many(raw)),
};

export interface PruneSettings {
  /** The share cut on every feature (0: none), and per feature. */
  all: number;
  perFeature: { feature: string; share: number }[];
}

const BUCKETS = [
  ["input", "input_tokens"],
  ["cached", "cached_input_tokens"],
  ["cw5", "cache_write_5m_tokens"],
  ["cw1", "cache_write_1h_tokens"],
] as const;

/** Prompt pruning: every input bucket shrinks by a fraction, per feature (`FEATURE=P`) or for all (`P`). */
export const PRUNE: TacticDef<PruneSettings, null> = {
  name: "prune",
  step: "prune",
  flags: [PRUNE_FLAG],
  columns: [
    { name: "pr_share", type: "DOUBLE", kept: "request", what: "the share of the request's input cut (0 for a cache hit)" },
    { name: "pr_input", type: "BIGINT", kept: "sum", what: "input tokens after pruning" },
    { name: "pr_cached", type: "BIGINT", kept: "sum", what: "cached input tokens after pruning" },
    { name: "pr_cw5", type: "BIGINT", kept: "sum", what: "5-minute cache-write tokens after pruning" },
    { name: "pr_cw1", type: "BIGINT", kept: "sum", what: "1-hour cache-write tokens after pruning" },
    { name: "pr_n", type: "INTEGER", kept: "sum", what: "1 for a pruned request" },
    { name: "pr_lcb", type: "INTEGER", kept: "key", what: "the long-context class of the pruned input" },
  ],
  rewrites: ["input_tokens", "cached_input_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "lcb"],
  noEffect: "no input tokens left to prune",
  fromFlags(flags) {
    const shares = flags.read(PRUNE_FLAG);
    if (shares === undefined) return null;
    const all = shares.find((s) => s.feature === null)?.share ?? 0;
    return { all, perFeature: shares.flatMap((s) => (s.feature === null ? [] : [{ feature: s.feature, share: s.share }])) };
  },
  start: () => null,
  assumptions: ({ all, perFeature }) => [
    ...(all > 0 ? [`input tokens cut by ${Math.round(all * 100)}% on every feature`] : []),
    ...perFeature.map((s) => `input tokens of ${s.feature} cut by ${Math.round(s.share * 100)}%`),
    "output is unchanged by shorter prompts",
  ],
  // Per request: each bucket is rounded to whole tokens, and the request's long-context class follows its new size.
  async perRequest({ catalog, row }, { all, perFeature }) {
    const columns: Record<string, string> = { pr_share: `(CASE WHEN ${row.hit} THEN 0 ELSE coalesce(pr_p.share, CAST($pr_all AS DOUBLE)) END)` };
    for (const [k] of BUCKETS) columns[`pr_${k}`] = `CAST(round(${row[k]} * (1 - r.pr_share)) AS BIGINT)`;
    columns.pr_n = "CASE WHEN r.pr_share > 0 THEN 1 ELSE 0 END";
    columns.pr_lcb = lcbSql(catalog, `(${BUCKETS.map(([k]) => `r.pr_${k}`).join(" + ")})`);
    return {
      columns,
      joins: `LEFT JOIN (SELECT unnest(json_transform($pr_map::JSON, '[{"feature":"VARCHAR","share":"DOUBLE"}]'), recursive := true)) pr_p ON pr_p.feature = r.feature`,
      row: Object.fromEntries(BUCKETS.map(([k]) => [k, `r.pr_${k}`])),
      params: { pr_map: JSON.stringify(perFeature), pr_all: all },
    };
  },
  async apply({ db }, { all }) {
    const n = await simCount(db, "true", {}, "pr_n");
    await rewriteSim(db, { ...Object.fromEntries(BUCKETS.map(([k, col]) => [col, `s.pr_${k}`])), lcb: "s.pr_lcb" });
    return { affectedRequests: n, evidence: [], details: { share: all } };
  },
};
