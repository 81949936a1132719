import { modelIdFromAlias } from "../pricing/sql.js";
import { consoleBucketEnd, consoleDate } from "./anthropic-tokens-csv.js";
import { has, money, readCsv, text } from "./sql.js";
import type { BilledAdapter } from "./types.js";
import { csvHead, headerHas } from "./util.js";

/**
 * Anthropic Console cost export (claude_api_cost_*.csv): dollars rounded to cents. Identical key tuples are separate
 * charges, so they are summed, never de-duplicated.
 */
export const anthropicCostCsv: BilledAdapter = {
  name: "anthropic-cost-csv",
  description: "Anthropic Console cost export (claude_api_cost_*.csv), dollars per day × model × token type",
  target: "billed_cost",
  kind: "billing",
  tokenFields: ["cost_usd"],
  detect: (head) => headerHas(head, "usage_date_utc", "cost_usd"),
  read(file) {
    return {
      from: readCsv(file),
      keep: { sql: `${text("cost_usd")} IS NOT NULL`, reason: "no cost" },
      lines: "csv",
    };
  },
  columns(file) {
    const { header } = csvHead(file);
    const opt = (n: string) => (has(header, n) ? text(has(header, n)!) : undefined);
    // Display names ("Claude Sonnet 4.5") become API ids through the pricing aliases; unknown names are kept.
    return {
      ts: consoleDate("usage_date_utc"),
      bucket_end: consoleBucketEnd("usage_date_utc"),
      provider: `'anthropic'`,
      model: opt("model") ? modelIdFromAlias(opt("model")!) : undefined,
      line_item: opt("model"),
      token_type: opt("token_type"),
      cost_type: opt("cost_type"),
      workspace: opt("workspace"),
      api_key: opt("api_key_id") ?? opt("api_key"),
      service_tier: opt("usage_type"),
      amount_usd: money("cost_usd"),
    };
  },
};
