import { lineItemModel, lineItemTier, lineItemTokenType } from "./openai-line-item.js";
import { isBuckets, isCosts, pages } from "./openai-usage-json.js";
import { money, text, unixIso, unixTs } from "./sql.js";
import type { BilledAdapter } from "./types.js";
import { jsonHas } from "./util.js";

const COST_RESULT =
  "STRUCT(object VARCHAR, amount STRUCT(value VARCHAR, currency VARCHAR), line_item VARCHAR, " + "project_id VARCHAR, api_key_id VARCHAR, quantity VARCHAR)";

/** OpenAI Costs API pages (/organization/costs). amount.value is dollars, sometimes a string. */
export const openaiCostsJson: BilledAdapter = {
  name: "openai-costs-json",
  description: "OpenAI Costs API JSON pages, or a bare list of buckets (dollars per day × line item)",
  target: "billed_cost",
  kind: "billing",
  tokenFields: ["amount"],
  detect: (head) => jsonHas(head, isBuckets, /"start_time"\s*:\s*\d/, isCosts),
  read: () => ({
    from: pages(COST_RESULT),
    keep: { sql: `r.amount.value IS NOT NULL`, reason: "no amount" },
    lines: { record: `coalesce('bucket ' || ${unixIso("start_time")}, 'a bucket without start_time')` },
  }),
  columns: () => ({
    ts: unixTs("start_time"),
    bucket_end: unixTs("end_time"),
    provider: `'openai'`,
    model: lineItemModel(text("r.line_item")),
    line_item: text("r.line_item"),
    token_type: lineItemTokenType(text("r.line_item")),
    service_tier: lineItemTier(text("r.line_item")),
    project: text("r.project_id"),
    api_key: text("r.api_key_id"),
    quantity: `try_cast(${text("r.quantity")} AS DECIMAL(38,6))`,
    amount_usd: money("r.amount.value"),
  }),
};
