import { modelIdFromAlias } from "../pricing/sql.js";
import { bucketRecord, buckets, isCostReport } from "./anthropic-usage-json.js";
import { isoTs, money, text } from "./sql.js";
import type { BilledAdapter } from "./types.js";
import { jsonHas } from "./util.js";

/** Anthropic Admin API cost report (/v1/organizations/cost_report). `amount` is a decimal string in CENTS. */
export const anthropicCostJson: BilledAdapter = {
  name: "anthropic-cost-json",
  description: "Anthropic Admin cost report JSON (cost_report; amounts in cents)",
  target: "billed_cost",
  kind: "billing",
  tokenFields: ["amount"],
  detect: (head) => jsonHas(head, /"starting_at"/, isCostReport),
  read: () => ({
    from: buckets(
      "STRUCT(amount VARCHAR, currency VARCHAR, cost_type VARCHAR, description VARCHAR, model VARCHAR, " +
        "token_type VARCHAR, service_tier VARCHAR, context_window VARCHAR, workspace_id VARCHAR)",
    ),
    keep: { sql: "r.amount IS NOT NULL", reason: "no amount" },
    lines: bucketRecord,
  }),
  columns: () => ({
    ts: isoTs("starting_at"),
    bucket_end: isoTs("ending_at"),
    provider: `'anthropic'`,
    model: `CASE WHEN r.model IS NOT NULL THEN ${modelIdFromAlias("r.model")} END`,
    line_item: text("r.description"),
    token_type: text("r.token_type"),
    cost_type: text("r.cost_type"),
    workspace: text("r.workspace_id"),
    service_tier: text("r.service_tier"),
    // Cents to dollars, exactly: multiply, never divide (DECIMAL division yields a DOUBLE).
    amount_usd: `${money("r.amount")} * 0.01::DECIMAL(3,2)`,
  }),
};
