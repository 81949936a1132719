import { modelIdFromAlias } from "../pricing/sql.js";
import { analyticsRows, isAnalytics, provisional } from "./anthropic-analytics-usage.js";
import { isoTs, money, text } from "./sql.js";
import type { BilledAdapter } from "./types.js";
import { jsonHas } from "./util.js";

/**
 * Anthropic Usage & Cost Analytics API cost pages (2026, /v1/organizations/analytics/cost). `amount` is the
 * effective cost (after discounts, before credits) in fractional cents as a decimal string; it is what is billed.
 * `list_amount` (before discounts) has no column in billed_cost yet and is not stored.
 */
export const anthropicAnalyticsCost: BilledAdapter = {
  name: "anthropic-analytics-cost",
  description:
    "Anthropic Usage & Cost Analytics API cost pages (2026; analytics/cost; fractional cents; list_amount kept; buckets after data_refreshed_at are provisional)",
  target: "billed_cost",
  kind: "billing",
  tokenFields: ["amount", "list_amount"],
  detect: (head) => jsonHas(head, /"starting_at"/, isAnalytics, /"cost"\s*:\s*\{/),
  read: () => ({
    from: analyticsRows("cost STRUCT(amount VARCHAR, list_amount VARCHAR, currency VARCHAR, requests DOUBLE)"),
    keep: { sql: "d.cost.amount IS NOT NULL", reason: "no amount" },
    lines: { record: `'data[' || __i || ']'` },
  }),
  columns: () => ({
    ts: isoTs("d.starting_at"),
    bucket_end: isoTs("d.ending_at"),
    provider: `'anthropic'`,
    model: `CASE WHEN d."group".model IS NOT NULL THEN ${modelIdFromAlias(`d."group".model`)} END`,
    token_type: text(`d."group".token_type`),
    cost_type: text(`d."group".cost_type`),
    api_key: text(`d."group".api_key_id`),
    workspace: text(`d."group".workspace_id`),
    service_tier: text(`d."group".service_tier`),
    // Cents to dollars, exactly: multiply, never divide.
    amount_usd: `${money("d.cost.amount")} * 0.01::DECIMAL(3,2)`,
    list_amount_usd: `${money("d.cost.list_amount")} * 0.01::DECIMAL(3,2)`,
    status: provisional,
  }),
};
