import { usageError } from "../errors.js";

/**
 * `--cost-mode`: which cost the `usage` view answers with.
 *   auto      computed from the price tables where the row is priced, else the cost the source stated (the view itself);
 *   computed  the price tables only (a row without a price is unpriced, whatever its source says);
 *   reported  the source's stated cost only (a row without one is unpriced).
 */
export const COST_MODES = ["auto", "computed", "reported"] as const;
export type CostMode = (typeof COST_MODES)[number];

let mode: CostMode = "auto";

export function setCostMode(value: string | undefined): void {
  if (value === undefined) return;
  if (!(COST_MODES as readonly string[]).includes(value)) throw usageError(`--cost-mode must be one of ${COST_MODES.join(", ")} (got ${value})`);
  mode = value as CostMode;
}
export const costMode = (): CostMode => mode;

const REPLACE: Record<Exclude<CostMode, "auto">, string> = {
  computed: `computed_cost_usd AS cost_usd, coalesce(computed_priced, false) AS priced,
    CASE WHEN computed_priced THEN 'computed' END AS cost_source`,
  reported: `reported_cost_usd AS cost_usd, reported_cost_usd IS NOT NULL AS priced,
    CASE WHEN reported_cost_usd IS NOT NULL THEN 'reported' END AS cost_source`,
};

/**
 * For a mode other than auto, a TEMP view `usage` that shadows the database's for this connection only (temp objects
 * resolve first; they work on read-only connections). `db` is the database's catalog name.
 */
export function shadowUsageSql(db: string): string | null {
  if (mode === "auto") return null;
  return `CREATE OR REPLACE TEMP VIEW usage AS SELECT * REPLACE (${REPLACE[mode]}) FROM "${db.replaceAll('"', '""')}".main.usage`;
}
