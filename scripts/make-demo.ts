/**
 * Regenerates the demo fixtures (npm run fixtures). Deterministic: same seeds, same bytes.
 * - fixtures/demo/requests.jsonl: the app's request logs (28 days of synthetic traffic).
 * - fixtures/demo/openai-costs.json: OpenAI's bill for those days (Costs API page, grouped by project and line item).
 * - fixtures/demo/anthropic-cost-report.json: Anthropic's bill for them (Admin cost report, amounts in cents).
 *
 * The bills price the logged traffic at the providers' list rates (written here, not read from pricing/: the bill
 * is the provider's side), and add what the logs never saw:
 * - a nightly eval job in its own OpenAI project (proj_evals) on gpt-4o: a few cents a night, inside reconcile's
 *   tolerance on every day, so it only shows as the unattributed remainder and in `report --source billing --by project`;
 * - the fine-tuned model the legal-drafts feature calls: OpenAI bills it, llmcost has no price for it (every day's
 *   line is flagged: nothing priced explains it);
 * - one afternoon of prompt experiments in the Anthropic Console (workspace wrkspc_research) on 2025-11-18: that
 *   day's Sonnet line is flagged.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rng, type SyntheticRow, synthesize, toJsonl } from "./synthetic.js";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const out = join(root, "fixtures", "demo");
const START = new Date("2025-11-01T00:00:00Z");
const DAYS = 28;

/** List rates in micro-dollars per 1M tokens (2.5 $/1M = 2_500_000), November 2025. */
const OPENAI_RATES: Record<string, { input: bigint; cached: bigint; output: bigint }> = {
  "gpt-4o-2024-08-06": { input: 2_500_000n, cached: 1_250_000n, output: 10_000_000n },
  "gpt-4o-mini-2024-07-18": { input: 150_000n, cached: 75_000n, output: 600_000n },
  "o3-2025-04-16": { input: 2_000_000n, cached: 500_000n, output: 8_000_000n },
  "gpt-4.1-mini-2025-04-14": { input: 400_000n, cached: 100_000n, output: 1_600_000n },
  // Fine-tuned gpt-4o-mini: twice the base model's rates.
  "ft:gpt-4o-mini-2024-07-18:acme::legal01": { input: 300_000n, cached: 150_000n, output: 1_200_000n },
};
const SONNET = "claude-sonnet-4-5-20250929";
const SONNET_RATES = {
  uncached_input_tokens: 3_000_000n,
  cache_read_input_tokens: 300_000n,
  "cache_creation.ephemeral_5m_input_tokens": 3_750_000n,
  output_tokens: 15_000_000n,
};
const SONNET_DESCRIPTION = {
  uncached_input_tokens: "Claude Sonnet 4.5 Usage - Input Tokens",
  cache_read_input_tokens: "Claude Sonnet 4.5 Usage - Cache Read Input Tokens",
  "cache_creation.ephemeral_5m_input_tokens": "Claude Sonnet 4.5 Usage - Cache Write Input Tokens (5m)",
  output_tokens: "Claude Sonnet 4.5 Usage - Output Tokens",
} as const;
type SonnetToken = keyof typeof SONNET_RATES;

const APP_PROJECT = "proj_app_prod";
const EVAL_PROJECT = "proj_evals";
const APP_WORKSPACE = "wrkspc_support_bot";
const RESEARCH_WORKSPACE = "wrkspc_research";
const EXPERIMENT_DAY = 17; // 2025-11-18

/** tokens × (micro-dollars per 1M tokens) = picodollars (1e-12 $). */
const pico = (tokens: number, rate: bigint): bigint => BigInt(tokens) * rate;
/** Picodollars as a decimal string rounded half-up to `places` decimals of `unit` (1e12 = dollars, 1e10 = cents). */
function decimal(p: bigint, unit: bigint, places: number): string {
  const step = unit / 10n ** BigInt(places);
  const q = (p + step / 2n) / step;
  const s = q.toString().padStart(places + 1, "0");
  return `${s.slice(0, -places)}.${s.slice(-places)}`;
}

type Line = { tokens: number; cost: bigint };
const add = (m: Map<string, Line>, key: string, tokens: number, rate: bigint) => {
  const l = m.get(key) ?? { tokens: 0, cost: 0n };
  m.set(key, { tokens: l.tokens + tokens, cost: l.cost + pico(tokens, rate) });
};

const lines: string[] = [];
// Per day: OpenAI "project|line item" → tokens and cost; Anthropic "workspace|token type" → tokens and cost.
const openai = Array.from({ length: DAYS }, () => new Map<string, Line>());
const anthropic = Array.from({ length: DAYS }, () => new Map<string, Line>());
const dayOf = (r: SyntheticRow) => Math.floor((r.ts.getTime() - START.getTime()) / 86_400_000);
for (const row of synthesize({ start: START, days: DAYS, perDay: 500, seed: 42 })) {
  lines.push(toJsonl(row));
  const d = dayOf(row);
  if (row.f.provider === "openai") {
    const rates = OPENAI_RATES[row.f.model]!;
    const m = openai[d]!;
    add(m, `${APP_PROJECT}|${row.f.model}, input`, row.input - row.cached, rates.input);
    add(m, `${APP_PROJECT}|${row.f.model}, cached input`, row.cached, rates.cached);
    add(m, `${APP_PROJECT}|${row.f.model}, output`, row.output + row.reasoning, rates.output);
  } else if (row.f.provider === "anthropic") {
    // As toJsonl logs it: a request that reads no cache writes 30% of its input to it.
    const write = row.cached > 0 ? 0 : Math.floor(row.input * 0.3);
    const m = anthropic[d]!;
    const put = (t: SonnetToken, n: number) => add(m, `${APP_WORKSPACE}|${t}`, n, SONNET_RATES[t]);
    put("uncached_input_tokens", row.input - row.cached - write);
    put("cache_read_input_tokens", row.cached);
    put("cache_creation.ephemeral_5m_input_tokens", write);
    put("output_tokens", row.output);
  }
  // Google (classify-tickets) has no bill here: llmcost reads no Google Cloud billing export.
}
writeFileSync(join(out, "requests.jsonl"), lines.join("\n") + "\n");

// The workloads the logs never saw.
const r = rng(7);
for (let d = 0; d < DAYS; d++) {
  const evalPrompts = 10;
  add(openai[d]!, `${EVAL_PROJECT}|gpt-4o-2024-08-06, input`, evalPrompts * (1000 + Math.floor(r() * 400)), OPENAI_RATES["gpt-4o-2024-08-06"]!.input);
  add(openai[d]!, `${EVAL_PROJECT}|gpt-4o-2024-08-06, output`, evalPrompts * (80 + Math.floor(r() * 40)), OPENAI_RATES["gpt-4o-2024-08-06"]!.output);
}
add(anthropic[EXPERIMENT_DAY]!, `${RESEARCH_WORKSPACE}|uncached_input_tokens`, 312_400, SONNET_RATES.uncached_input_tokens);
add(anthropic[EXPERIMENT_DAY]!, `${RESEARCH_WORKSPACE}|output_tokens`, 31_870, SONNET_RATES.output_tokens);

const unix = (d: number) => START.getTime() / 1000 + d * 86_400;
const iso = (d: number) => new Date(START.getTime() + d * 86_400_000).toISOString().replace(".000Z", "Z");
const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => a.localeCompare(b));

// OpenAI Costs API: GET /v1/organization/costs?bucket_width=1d&group_by=project_id&group_by=line_item&limit=31.
const openaiPage = {
  object: "page",
  data: openai.map((m, d) => ({
    object: "bucket",
    start_time: unix(d),
    end_time: unix(d + 1),
    results: sorted(m)
      .filter(([, l]) => l.tokens > 0)
      .map(([key, l]) => {
        const [project, lineItem] = key.split("|");
        return {
          object: "organization.costs.result",
          amount: { value: decimal(l.cost, 10n ** 12n, 6), currency: "usd" },
          line_item: lineItem,
          project_id: project,
          api_key_id: null,
          quantity: l.tokens,
        };
      }),
  })),
  has_more: false,
  next_page: null,
};

// Anthropic Admin API: GET /v1/organizations/cost_report?group_by[]=workspace_id&group_by[]=description&limit=31.
const anthropicReport = {
  data: anthropic.map((m, d) => ({
    starting_at: iso(d),
    ending_at: iso(d + 1),
    results: sorted(m)
      .filter(([, l]) => l.tokens > 0)
      .map(([key, l]) => {
        const [workspace, tokenType] = key.split("|") as [string, SonnetToken];
        return {
          amount: decimal(l.cost, 10n ** 10n, 5),
          context_window: "0-200k",
          cost_type: "tokens",
          currency: "USD",
          description: SONNET_DESCRIPTION[tokenType],
          inference_geo: "global",
          model: SONNET,
          service_tier: "standard",
          token_type: tokenType,
          workspace_id: workspace,
        };
      }),
  })),
  has_more: false,
  next_page: null,
};

mkdirSync(out, { recursive: true });
writeFileSync(join(out, "openai-costs.json"), `${JSON.stringify(openaiPage, null, 1)}\n`);
writeFileSync(join(out, "anthropic-cost-report.json"), `${JSON.stringify(anthropicReport, null, 1)}\n`);
console.log(`wrote ${lines.length} requests to fixtures/demo/requests.jsonl, and their bills: openai-costs.json, anthropic-cost-report.json`);
