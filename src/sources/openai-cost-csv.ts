import { has, isoTs, money, readCsv, text, unixTs } from "./sql.js";
import { lineItemModel, lineItemTier, lineItemTokenType } from "./openai-line-item.js";
import type { BilledAdapter } from "./types.js";
import { csvHead, headerHas } from "./util.js";

/**
 * OpenAI dashboard cost export (cost_*.csv), v1 (10 columns) and v2 (17 columns). Names and emails in v2 are never read.
 */
export const openaiCostCsv: BilledAdapter = {
  name: "openai-cost-csv",
  description: "OpenAI dashboard cost export, v1 and v2 headers (dollars per day × line item)",
  target: "billed_cost",
  kind: "billing",
  tokenFields: ["amount_value"],
  detect: (head) => headerHas(head, "start_time", "end_time", "amount_value"),
  read(file) {
    return {
      from: readCsv(file, {}, { ragged: true }),
      keep: { sql: `nullif(trim(amount_value), '') IS NOT NULL`, reason: "empty bucket" },
      lines: "csv",
    };
  },
  columns(file) {
    const { header } = csvHead(file);
    const col = (n: string) => has(header, n);
    const li = col("line_item") ? text(col("line_item")!) : "NULL::VARCHAR";
    return {
      ts: col("start_time_iso") ? isoTs(col("start_time_iso")!) : unixTs(col("start_time")!),
      bucket_end: col("end_time_iso") ? isoTs(col("end_time_iso")!) : unixTs(col("end_time")!),
      provider: `'openai'`,
      model: lineItemModel(li),
      line_item: li,
      token_type: lineItemTokenType(li),
      service_tier: lineItemTier(li),
      project: col("project_id") ? text(col("project_id")!) : undefined,
      api_key: col("api_key_id") ? text(col("api_key_id")!) : undefined,
      quantity: col("quantity") ? `try_cast(${text(col("quantity")!)} AS DECIMAL(38,6))` : undefined,
      amount_usd: money("amount_value"),
    };
  },
};
