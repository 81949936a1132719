/**
 * Deterministic synthetic traffic, used for the demo fixtures and the benchmarks. Same seed, same bytes.
 */

/** mulberry32: a tiny seeded PRNG, good enough for synthetic traffic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FeatureProfile {
  feature: string;
  model: string;
  provider: "openai" | "anthropic" | "google";
  /** Share of all requests. */
  weight: number;
  input: number;
  output: number;
  /** Share of input tokens served from the provider's prompt cache. */
  cachedShare: number;
  reasoning?: number;
  /** UTC hours the feature runs in (background jobs run off-hours). */
  hours: [number, number];
  /** Share of requests that repeat an earlier prompt exactly. */
  repeat: number;
  users: number;
  untagged?: boolean;
}

export const DEMO_FEATURES: FeatureProfile[] = [
  {
    feature: "summarize-articles",
    model: "gpt-4o-2024-08-06",
    provider: "openai",
    weight: 0.3,
    input: 3200,
    output: 180,
    cachedShare: 0,
    hours: [1, 4],
    repeat: 0.22,
    users: 1,
  },
  {
    feature: "nightly-digest",
    model: "gpt-4o-2024-08-06",
    provider: "openai",
    weight: 0.04,
    input: 6000,
    output: 700,
    cachedShare: 0,
    hours: [2, 3],
    repeat: 0.05,
    users: 40,
  },
  {
    feature: "support-bot",
    model: "claude-sonnet-4-5-20250929",
    provider: "anthropic",
    weight: 0.06,
    input: 5200,
    output: 450,
    cachedShare: 0.55,
    hours: [7, 22],
    repeat: 0.08,
    users: 300,
  },
  {
    feature: "chat",
    model: "gpt-4o-mini-2024-07-18",
    provider: "openai",
    weight: 0.3,
    input: 1400,
    output: 220,
    cachedShare: 0.4,
    hours: [6, 23],
    repeat: 0.12,
    users: 900,
  },
  {
    feature: "code-review",
    model: "o3-2025-04-16",
    provider: "openai",
    weight: 0.02,
    input: 9000,
    output: 2500,
    cachedShare: 0.3,
    reasoning: 1800,
    hours: [0, 5],
    repeat: 0.02,
    users: 60,
  },
  {
    feature: "search-rerank",
    model: "gpt-4.1-mini-2025-04-14",
    provider: "openai",
    weight: 0.12,
    input: 2200,
    output: 30,
    cachedShare: 0.2,
    hours: [0, 24],
    repeat: 0.3,
    users: 900,
  },
  {
    feature: "classify-tickets",
    model: "gemini-2.5-flash",
    provider: "google",
    weight: 0.08,
    input: 900,
    output: 12,
    cachedShare: 0,
    hours: [0, 24],
    repeat: 0.15,
    users: 1,
  },
  {
    feature: "legal-drafts",
    model: "ft:gpt-4o-mini-2024-07-18:acme::legal01",
    provider: "openai",
    weight: 0.01,
    input: 3000,
    output: 900,
    cachedShare: 0,
    hours: [9, 18],
    repeat: 0,
    users: 12,
  },
  {
    feature: "(untagged)",
    model: "gpt-4o-mini-2024-07-18",
    provider: "openai",
    weight: 0.035,
    input: 1000,
    output: 150,
    cachedShare: 0,
    hours: [0, 24],
    repeat: 0.05,
    users: 50,
    untagged: true,
  },
];

const hex = (r: () => number, n: number) => {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
};

export interface SyntheticRow {
  ts: Date;
  f: FeatureProfile;
  user: string;
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  promptHash: string;
  requestId: string;
  latencyMs: number;
}

/** Yields rows in time order over `days` days starting at `start`. */
export function* synthesize(opts: { start: Date; days: number; perDay: number; seed: number; features?: FeatureProfile[] }): Generator<SyntheticRow> {
  const r = rng(opts.seed);
  const features = opts.features ?? DEMO_FEATURES;
  const total = features.reduce((a, f) => a + f.weight, 0);
  const users = features.map((f) => Array.from({ length: f.users }, () => hex(r, 12)));
  const recent = features.map(() => [] as string[]);
  let id = 0;
  for (let d = 0; d < opts.days; d++) {
    // Weekly shape plus slow growth, so budgets and spikes have something to find.
    const dayStart = opts.start.getTime() + d * 86_400_000;
    const growth = 1 + d * 0.01;
    const n = Math.round(opts.perDay * growth * (new Date(dayStart).getUTCDay() % 6 === 0 ? 0.7 : 1));
    const times = Array.from({ length: n }, () => r()).sort((a, b) => a - b);
    for (const t of times) {
      let pick = r() * total;
      let fi = 0;
      while (fi < features.length - 1) {
        pick -= features[fi]!.weight;
        if (pick <= 0) break;
        fi++;
      }
      const f = features[fi]!;
      const [h0, h1] = f.hours;
      const hour = h0 + t * (h1 - h0);
      const ts = new Date(dayStart + Math.floor(hour * 3_600_000));
      const jitter = 0.6 + r() * 0.8;
      const input = Math.max(1, Math.round(f.input * jitter));
      const cached = Math.floor((input * f.cachedShare * (0.5 + r())) / 1.5 / 128) * 128;
      const repeat = recent[fi]!.length > 0 && r() < f.repeat;
      const promptHash = repeat ? recent[fi]![Math.floor(r() * recent[fi]!.length)]! : hex(r, 16);
      if (!repeat) {
        recent[fi]!.push(promptHash);
        if (recent[fi]!.length > 50) recent[fi]!.shift();
      }
      const list = users[fi]!;
      yield {
        ts,
        f,
        user: list[Math.floor(r() * list.length)]!,
        input,
        cached: Math.min(cached, input),
        output: Math.max(1, Math.round(f.output * (0.5 + r()))),
        reasoning: f.reasoning ? Math.round(f.reasoning * (0.5 + r())) : 0,
        promptHash,
        requestId: `req_${(id++).toString(36)}`,
        latencyMs: Math.round(200 + r() * 3000),
      };
    }
  }
}

/** A request log line with the provider's raw usage object, as an app would log it. */
export function toJsonl(row: SyntheticRow): string {
  const { f } = row;
  const tag = f.untagged ? `user-${row.user.slice(0, 6)}` : `${row.user}:${f.feature}`;
  const base = { timestamp: row.ts.toISOString(), request_id: row.requestId, model: f.model, latency_ms: row.latencyMs, prompt_hash: row.promptHash };
  if (f.provider === "anthropic") {
    const write = row.cached > 0 ? 0 : Math.floor(row.input * 0.3);
    const usage = {
      input_tokens: row.input - row.cached - write,
      cache_read_input_tokens: row.cached,
      cache_creation_input_tokens: write,
      output_tokens: row.output,
    };
    return JSON.stringify({ ...base, metadata: { user_id: tag }, usage });
  }
  if (f.provider === "google") {
    const usageMetadata = { promptTokenCount: row.input, candidatesTokenCount: row.output, totalTokenCount: row.input + row.output };
    return JSON.stringify({ ...base, user: tag, usageMetadata });
  }
  const usage = {
    prompt_tokens: row.input,
    completion_tokens: row.output + row.reasoning,
    total_tokens: row.input + row.output + row.reasoning,
    prompt_tokens_details: { cached_tokens: row.cached },
    completion_tokens_details: { reasoning_tokens: row.reasoning },
  };
  return JSON.stringify({ ...base, safety_identifier: tag, usage });
}

export const CSV_HEADER = "timestamp,model,user,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,latency_ms,request_id,prompt_hash";

/** A flat request-log CSV line (canonical disjoint buckets). */
export function toCsv(row: SyntheticRow): string {
  const tag = row.f.untagged ? `user-${row.user.slice(0, 6)}` : `${row.user}:${row.f.feature}`;
  return `${row.ts.toISOString()},${row.f.model},${tag},${row.input - row.cached},${row.cached},${row.output + row.reasoning},${row.reasoning},${row.latencyMs},${row.requestId},${row.promptHash}`;
}
