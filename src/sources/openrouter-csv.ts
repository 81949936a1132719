import { anyTs } from "./request-log-jsonl.js";
import { bool, has, money, readCsv, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { csvHead, headerHas } from "./util.js";

/** OpenRouter Activity export CSV: one row per generation; `user` is the request's user field. */
export const openrouterCsv: UsageAdapter = {
  name: "openrouter-csv",
  description: "OpenRouter Activity export CSV (one row per generation; the full, the routerview and shorter headers)",
  target: "usage",
  kind: "requests",
  tokenFields: ["tokens_prompt", "tokens_completion", "tokens_cached"],
  // The full export has generation_id; shorter exports (cost_total, cost_cache, tokens_prompt, …) may not: the
  // token columns, the time and a model or cost column are the signature.
  detect: (head) =>
    headerHas(head, "created_at", "tokens_prompt", "tokens_completion") &&
    (headerHas(head, "generation_id") || headerHas(head, "model_permaslug") || headerHas(head, "cost_total")),
  read(file) {
    const types = Object.fromEntries(
      ["tokens_prompt", "tokens_completion", "tokens_reasoning", "tokens_cached", "generation_time_ms"].map((c) => [c, "DOUBLE"]),
    );
    return { from: readCsv(file, types), lines: "csv" };
  },
  columns(file) {
    const { header } = csvHead(file);
    const opt = (n: string) => (has(header, n) ? text(has(header, n)!) : "NULL");
    const num = (n: string) => has(header, n) ?? "NULL";
    const slug = has(header, "model_permaslug") ? opt("model_permaslug") : opt("model");
    return {
      ts: anyTs("created_at"),
      provider: `CASE WHEN strpos(${slug}, '/') > 0 THEN ${vendorOfSlug(`split_part(${slug}, '/', 1)`)} ELSE lower(${opt("provider_name")}) END`,
      model: slug,
      api_key: opt("api_key_name"),
      project: opt("app_name"),
      tag: opt("user"),
      requests: "1",
      // tokens_prompt includes cached; tokens_completion already includes reasoning (don't add it again).
      input_tokens: tok(`${num("tokens_prompt")} - coalesce(${num("tokens_cached")}, 0)`),
      cached_input_tokens: tok(num("tokens_cached")),
      output_tokens: tok(num("tokens_completion")),
      reasoning_tokens: tok(num("tokens_reasoning")),
      status: `CASE WHEN ${bool(opt("cancelled"))} THEN 'cancelled' ELSE ${opt("finish_reason_normalized")} END`,
      latency_ms: `CASE WHEN ${num("generation_time_ms")} >= 0 THEN round(${num("generation_time_ms")})::BIGINT END`,
      request_id: opt("generation_id"),
      reported_cost_usd: money(opt("cost_total")),
    };
  },
};

/** OpenRouter's vendor prefixes that differ from llmcost's provider keys (meta-llama/llama-3.3-70b-instruct is Meta's). */
const SLUG_VENDORS: Record<string, string> = { "meta-llama": "meta", mistralai: "mistral", "x-ai": "xai", "amazon-nova": "amazon" };

const vendorOfSlug = (prefix: string): string =>
  `(CASE lower(${prefix}) ${Object.entries(SLUG_VENDORS)
    .map(([k, v]) => `WHEN '${k}' THEN '${v}'`)
    .join(" ")} ELSE lower(${prefix}) END)`;
