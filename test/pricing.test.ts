import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadCatalog, PRICING_DIR, pricingRef } from "../src/pricing/load.js";
import { costExpr, costPerRow, installPricing, priceJoin } from "../src/pricing/sql.js";
import { Db } from "../src/store/db.js";
import { cli, tmp } from "./helpers.js";

interface Usage {
  model: string;
  ts: string;
  input?: number;
  cached?: number;
  cw5?: number;
  cw1?: number;
  output?: number;
  batch?: boolean;
  tier?: string;
  longContext?: boolean | null;
}

/** Prices rows through the same SQL ingest and report use; returns exact decimal strings (or null when unpriced). */
const price = (rows: Usage[], overrides: unknown[] = []): Promise<(string | null)[]> => priceCharged(rows, overrides);

const M = 1_000_000;

test("gpt-4o-2024-08-06 on 2025-10-05: the real dashboard row costs $0.24726", async () => {
  // 53,440 uncached × $2.50/M = $0.133600
  //  5,760 cached   × $1.25/M = $0.007200
  // 10,646 output   × $10/M   = $0.106460
  //                     total = $0.247260
  assert.deepEqual(await price([{ model: "gpt-4o-2024-08-06", ts: "2025-10-05", input: 53_440, cached: 5_760, output: 10_646 }]), ["0.247260000000"]);
});

test("dated price changes: each row pays the epoch in force at its timestamp", async () => {
  const both = { input: M, output: M };
  const costs = await price([
    { model: "gpt-4o", ts: "2024-09-01", ...both }, // 5 + 15
    { model: "gpt-4o", ts: "2024-11-01", ...both }, // 2.5 + 10
    { model: "o3", ts: "2025-05-01", ...both }, // 10 + 40
    { model: "o3", ts: "2025-07-01", ...both }, // 2 + 8
    { model: "o1-mini", ts: "2024-12-01", ...both }, // 3 + 12
    { model: "o1-mini", ts: "2025-02-01", ...both }, // 1.1 + 4.4
    { model: "claude-3-5-haiku-20241022", ts: "2024-11-10", ...both }, // 1 + 5
    { model: "claude-3-5-haiku-20241022", ts: "2024-12-10", ...both }, // 0.8 + 4
  ]);
  assert.deepEqual(costs, [
    "20.000000000000",
    "12.500000000000",
    "50.000000000000",
    "10.000000000000",
    "15.000000000000",
    "5.500000000000",
    "6.000000000000",
    "4.800000000000",
  ]);
});

test("cache reads and 5m/1h cache writes use their own rates (claude-sonnet-4-5)", async () => {
  // 50k cached × 0.30 + 50k write-5m × 3.75 + 50k write-1h × 6.00 (150k input: under the 200k long-context line)
  // = 15,000 + 187,500 + 300,000 µ$ = 0.5025
  assert.deepEqual(await price([{ model: "claude-sonnet-4-5", ts: "2025-10-01", cached: 50_000, cw5: 50_000, cw1: 50_000 }]), ["0.502500000000"]);
});

test("an epoch from the price history keeps the 1-hour cache-write rate it recorded (claude-sonnet-5, 2026-07-01 to 07-03)", async () => {
  // The history's first observation: 3 / 15, cached 0.3, writes 3.75 (5 min) and 6 (1 hour); from 2026-07-03, 2 / 10,
  // 0.2, 2.5 and 4. 1,000 one-hour write tokens on 2026-07-02 = 1,000 × $6/M = $0.006 (was $0.00375 at the 5-minute
  // rate); on 2026-07-10, 1,000 × $4/M = $0.004.
  assert.deepEqual(
    await price([
      { model: "claude-sonnet-5", ts: "2026-07-02", cw1: 1_000 },
      { model: "claude-sonnet-5", ts: "2026-07-10", cw1: 1_000 },
    ]),
    ["0.006000000000", "0.004000000000"],
  );
});

test("batch rates apply, and batch never swallows the cache discount", async () => {
  const costs = await price([
    // gpt-4o-mini batch: 1M in × 0.075 + 1M out × 0.30 = 0.375
    { model: "gpt-4o-mini", ts: "2025-01-01", input: M, output: M, batch: true },
    // gpt-4o-mini batch cached: cached 0.075 × (batch 0.075 / input 0.15) = 0.0375, below the batch input rate
    { model: "gpt-4o-mini", ts: "2025-01-01", cached: M, batch: true },
    // claude-sonnet-4-5 batch, 50k each: cached 0.30 × 0.5 = 0.15; write-5m 3.75 × 0.5 = 1.875; write-1h 6 × 0.5 = 3
    // = 7,500 + 93,750 + 150,000 µ$ = 0.25125
    { model: "claude-sonnet-4-5-20250929", ts: "2025-10-01", cached: 50_000, cw5: 50_000, cw1: 50_000, batch: true },
  ]);
  assert.deepEqual(costs, ["0.375000000000", "0.037500000000", "0.251250000000"]);
});

test("long context is all-or-nothing per request, output included", async () => {
  const costs = await price([
    // 250,000 input > 200k: 250,000 × 6 + 1,000 × 22.5 = 1,522,500 µ$ = 1.5225
    { model: "claude-sonnet-4-5", ts: "2025-10-01", input: 250_000, output: 1_000 },
    // exactly 200,000 is not above the threshold: 200,000 × 3 + 1,000 × 15 = 0.615
    { model: "claude-sonnet-4-5", ts: "2025-10-01", input: 200_000, output: 1_000 },
    // cache reads count toward the threshold: 150k uncached + 60k cached → all at long rates:
    // 150,000 × 6 + 60,000 × 0.6 + 1,000 × 22.5 = 900,000 + 36,000 + 22,500 = 0.9585
    { model: "claude-sonnet-4-5", ts: "2025-10-01", input: 150_000, cached: 60_000, output: 1_000 },
    // a bucketed export that states "≤ 200k" is never re-judged from aggregated tokens
    { model: "claude-sonnet-4-5", ts: "2025-10-01", input: 250_000, output: 1_000, longContext: false },
  ]);
  assert.deepEqual(costs, ["1.522500000000", "0.615000000000", "0.958500000000", "0.765000000000"]);
});

test("reasoning tokens are billed once, as output", async () => {
  // o3 on 2025-10-05 (2 / 0.5 / 8): 485 × 2 + 7,936 × 0.5 + 912 × 8 (912 output includes 640 reasoning)
  // = 970 + 3,968 + 7,296 = 12,234 µ$ = 0.012234
  assert.deepEqual(await price([{ model: "o3", ts: "2025-10-05", input: 485, cached: 7_936, output: 912 }]), ["0.012234000000"]);
});

test("priority and flex tiers use their own rates", async () => {
  const costs = await price([
    { model: "gpt-4o", ts: "2025-10-01", input: M, output: M, tier: "priority" }, // 4.25 + 17
    { model: "gpt-5", ts: "2025-10-01", input: M, output: M, tier: "flex" }, // 0.625 + 5
    { model: "gpt-4o-mini", ts: "2025-10-01", input: M, output: M, tier: "default" }, // 0.15 + 0.6
  ]);
  assert.deepEqual(costs, ["21.250000000000", "5.625000000000", "0.750000000000"]);
});

test("unknown, fine-tuned and not-yet-released models are unpriced, never $0", async () => {
  const costs = await price([
    { model: "ft:gpt-4o-mini-2024-07-18:acme::abc", ts: "2025-10-01", input: 1000 },
    { model: "my-private-model", ts: "2025-10-01", input: 1000 },
    { model: "gpt-5", ts: "2024-01-01", input: 1000 },
    { model: "GPT-4o-mini", ts: "2025-10-01", input: 1000 }, // case-insensitive exact alias: priced
  ]);
  assert.deepEqual(costs, [null, null, null, "0.000150000000"]);
});

test("overrides: negotiated discounts and private models", async () => {
  const overrides = [
    {
      discounts: [{ provider: "openai", percent: 15 }],
      models: [{ id: "ft:gpt-4o-mini-2024-07-18:acme::abc", provider: "openai", prices: [{ effective_from: "2024-07-18", input: "0.3", output: "1.2" }] }],
    },
  ];
  const costs = await price(
    [
      { model: "gpt-4o-mini", ts: "2025-10-01", input: M }, // 0.15 × 0.85 = 0.1275
      { model: "ft:gpt-4o-mini-2024-07-18:acme::abc", ts: "2025-10-01", input: M, output: M }, // (0.3 + 1.2) × 0.85
      { model: "claude-sonnet-4-5", ts: "2025-10-01", input: 100_000 }, // anthropic: no discount, 100k × 3 = 0.3
    ],
    overrides,
  );
  assert.deepEqual(costs, ["0.127500000000", "1.275000000000", "0.300000000000"]);
});

test("a discount names its provider in any case; one that names no provider or model of the book is exit 2, never ignored", async () => {
  // gpt-4o-mini 0.15 per 1M, less 15%: 0.1275 for 1M input tokens, whatever the case of "OpenAI".
  const costs = await price([{ model: "gpt-4o-mini", ts: "2025-10-01", input: M }], [{ discounts: [{ provider: "OpenAI", percent: 15 }] }]);
  assert.deepEqual(costs, ["0.127500000000"]);
  assert.throws(
    () => loadCatalog({ overrides: [{ discounts: [{ provider: "opnai", percent: 15 }] }], overrideLabels: ["d.json"] }),
    (e: Error & { hint?: string }) =>
      /^d\.json: discounts\[0\]\.provider: no priced model has provider "opnai"$/.test(e.message) && /openai/.test(e.hint ?? ""),
  );
  assert.throws(
    () =>
      loadCatalog({
        overrides: [
          {
            discounts: [
              { provider: "anthropic", percent: 5 },
              { model: "gpt-9", percent: 15 },
            ],
          },
        ],
      }),
    /discounts\[1\]\.model: no priced model has id or alias "gpt-9"/,
  );
});

test("a malformed pricing override is a clear error", () => {
  assert.throws(
    () => loadCatalog({ overrides: [{ models: [{ id: "x", provider: "p", prices: [{ effective_from: "2025-01-01", input: "-1", output: "1" }] }] }] }),
    /invalid pricing overrides: models\.0\.prices\.0\.input/,
  );
});

interface Charged extends Usage {
  reasoning?: number;
  audioIn?: number;
  audioOut?: number;
  webSearch?: number;
  geo?: string;
  speed?: string;
}

/**
 * Prices rows, with the charges beyond tokens (reasoning, audio, web search, inference geo and speed), through the
 * same SQL ingest and report use; returns exact decimal strings (or null when unpriced). Two formulas price a row:
 * DECIMAL over summed traffic (costExpr) and integer picodollars per stored row (costPerRow). They must agree.
 */
async function priceCharged(rows: Charged[], overrides: unknown[] = []): Promise<(string | null)[]> {
  const db = await Db.open(join(tmp(), "p.duckdb"), { readOnly: false });
  try {
    await installPricing(db, loadCatalog({ overrides }));
    for (const [i, r] of rows.entries()) {
      await db.run(
        `INSERT INTO usage_wide (ts, source_kind, source_format, ingest_id, model, feature, requests, input_tokens, cached_input_tokens,
           cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, batch, service_tier, long_context, request_id,
           audio_input_tokens, audio_output_tokens, web_search_requests, inference_geo, speed)
         VALUES ($ts::TIMESTAMP, 'requests', 'request-log-jsonl', 1, $model, 'f', 1, $i, $c, $w5, $w1, $o, $rs, $b, $tier, $lc, $id, $ai, $ao, $ws, $geo, $speed)`,
        {
          ts: r.ts,
          model: r.model,
          i: r.input ?? 0,
          c: r.cached ?? 0,
          w5: r.cw5 ?? 0,
          w1: r.cw1 ?? 0,
          o: r.output ?? 0,
          rs: r.reasoning ?? 0,
          b: r.batch ?? false,
          tier: r.tier ?? null,
          lc: r.longContext ?? null,
          id: String(i),
          ai: r.audioIn ?? 0,
          ao: r.audioOut ?? 0,
          ws: r.webSearch ?? 0,
          geo: r.geo ?? null,
          speed: r.speed ?? null,
        },
      );
    }
    const out = await db.all<{ cost: string | null; per_row: string | null }>(
      `SELECT ${costExpr("u")}::VARCHAR AS cost, ${costPerRow("u")}::VARCHAR AS per_row FROM usage u ${priceJoin("u")} ORDER BY u.request_id::INT`,
    );
    for (const r of out) assert.equal(r.per_row, r.cost, "both cost formulas agree");
    return out.map((r) => r.cost);
  } finally {
    db.close();
  }
}

const thinker = {
  models: [{ id: "acme-thinker", provider: "acme", prices: [{ effective_from: "2025-01-01", input: "1", output: "2", output_reasoning: "5" }] }],
};

test("a separate reasoning rate bills the reasoning part of output at its own rate", async () => {
  // 1,000,000 input × $1/M                      = $1.000000
  //   600,000 other output × $2/M               = $1.200000
  //   400,000 reasoning (part of output) × $5/M = $2.000000
  //                                       total = $4.200000
  assert.deepEqual(await priceCharged([{ model: "acme-thinker", ts: "2025-06-01", input: M, output: M, reasoning: 400_000 }], [thinker]), ["4.200000000000"]);
});

test("audio tokens (parts of input and output) at the audio rates: gpt-realtime", async () => {
  // gpt-realtime: text in $4, audio in $32, text out $16, audio out $64 per 1M
  // 60,000 text in × 4 = 0.240; 40,000 audio in × 32 = 1.280; 4,000 text out × 16 = 0.064; 6,000 audio out × 64 = 0.384
  // total = 1.968
  assert.deepEqual(await priceCharged([{ model: "gpt-realtime", ts: "2026-01-10", input: 100_000, audioIn: 40_000, output: 10_000, audioOut: 6_000 }]), [
    "1.968000000000",
  ]);
});

test("web search calls are priced per call, and are an unpriced charge where the model has no rate", async () => {
  const costs = await priceCharged([
    // claude-sonnet-4-5: 1,000 in × $3/M = 0.003; 100 out × $15/M = 0.0015; 3 searches × $10/1,000 = 0.03 → 0.0345
    { model: "claude-sonnet-4-5-20250929", ts: "2025-11-01", input: 1_000, output: 100, webSearch: 3 },
    // gpt-4.1-nano has no web search rate: the row is unpriced (counted and said), never the tokens alone.
    { model: "gpt-4.1-nano", ts: "2025-11-01", input: 1_000, output: 100, webSearch: 1 },
  ]);
  assert.deepEqual(costs, ["0.034500000000", null]);
});

test("Anthropic US-only inference (inference_geo: us) is ×1.1 on claude-opus-4-6; older models have no uplift", async () => {
  const costs = await priceCharged([
    // claude-opus-4-6: 1,000,000 in × $5/M = 5.00; 100,000 out × $25/M = 2.50; (7.50) × 1.1 = 8.25
    { model: "claude-opus-4-6", ts: "2026-03-01", input: M, output: 100_000, geo: "us" },
    // the same on global inference: 7.50
    { model: "claude-opus-4-6", ts: "2026-03-01", input: M, output: 100_000, geo: "global" },
    // claude-sonnet-4-5 states no US multiplier: 100,000 × $3/M = 0.30
    { model: "claude-sonnet-4-5-20250929", ts: "2026-03-01", input: 100_000, geo: "us" },
  ]);
  assert.deepEqual(costs, ["8.250000000000", "7.500000000000", "0.300000000000"]);
});

test("fast mode (speed: fast) is ×6 on claude-opus-4-6, and unpriced on a model without it", async () => {
  const costs = await priceCharged([
    // 10,000 in × $5/M = 0.05; 1,000 out × $25/M = 0.025; (0.075) × 6 = 0.45
    { model: "claude-opus-4-6", ts: "2026-03-01", input: 10_000, output: 1_000, speed: "fast" },
    // with US-only inference too: 0.45 × 1.1 = 0.495
    { model: "claude-opus-4-6", ts: "2026-03-01", input: 10_000, output: 1_000, speed: "fast", geo: "us" },
    { model: "claude-haiku-4-5-20251001", ts: "2026-03-01", input: 10_000, output: 1_000, speed: "fast" },
  ]);
  assert.deepEqual(costs, ["0.450000000000", "0.495000000000", null]);
});

test("a fast-mode row with a stated cost on a priced model says what has no rate, not that the model has no price", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const line = (extra: string) =>
    `{"timestamp":"2026-03-01T00:00:00Z","model":"claude-haiku-4-5-20251001","provider":"anthropic","input_tokens":10,"output_tokens":5${extra}}`;
  writeFileSync(join(t, "fast.jsonl"), `${line(', "speed":"fast", "cost_usd":0.01')}\n${line("")}\n`);
  const r = await cli(["ingest", "--db", db, join(t, "fast.jsonl")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    "note: claude-haiku-4-5-20251001: fast mode has no rate; those rows use the cost the source states (cost_source reported; --cost-mode computed leaves them unpriced)\n",
  );
  // Without a stated cost the row is unpriced, and said so.
  writeFileSync(join(t, "fast2.jsonl"), `${line(', "speed":"fast"')}\n`);
  const u = await cli(["ingest", "--db", db, join(t, "fast2.jsonl")]);
  assert.equal(u.stderr, "warning: claude-haiku-4-5-20251001: fast mode has no rate: 1 row(s) with it are unpriced\n");
});

test("the 272k long-context tier of gpt-5.4 bills the whole request at its rates", async () => {
  const costs = await priceCharged([
    // 300,000 in > 272,000: 300,000 × $5/M = 1.500; 1,000 out × $22.50/M = 0.0225 → 1.5225
    { model: "gpt-5.4", ts: "2026-04-01", input: 300_000, output: 1_000 },
    // 200,000 in ≤ 272,000: 200,000 × $2.50/M = 0.500; 1,000 out × $15/M = 0.015 → 0.515
    { model: "gpt-5.4", ts: "2026-04-01", input: 200_000, output: 1_000 },
    // priority tier above 272k: its own tier rates, $10/M in, $45/M out: 3.000 + 0.045 = 3.045
    { model: "gpt-5.4", ts: "2026-04-01", input: 300_000, output: 1_000, tier: "priority" },
  ]);
  assert.deepEqual(costs, ["1.522500000000", "0.515000000000", "3.045000000000"]);
});

test("a service tier the model has no rate for is unpriced, never billed at standard; flex and batch tiers apply", async () => {
  const costs = await priceCharged([
    // gpt-4o-2024-08-06 has no priority rate in the book
    { model: "gpt-4o-2024-08-06", ts: "2025-06-01", input: M, tier: "priority" },
    // gpt-5 flex: 1,000,000 × $0.625/M
    { model: "gpt-5", ts: "2025-09-01", input: M, tier: "flex" },
    // a flat service_tier "batch" means batch: gpt-5 batch input $0.625/M
    { model: "gpt-5", ts: "2025-09-01", input: M, tier: "batch" },
    // "default" is standard: $1.25/M
    { model: "gpt-5", ts: "2025-09-01", input: M, tier: "default" },
    // "scale" has no rate anywhere
    { model: "gpt-5", ts: "2025-09-01", input: M, tier: "scale" },
  ]);
  assert.deepEqual(costs, [null, "0.625000000000", "0.625000000000", "1.250000000000", null]);
});

test("a catalog is built once per process for the same inputs, frozen; changed tables or overrides build a new one", async () => {
  const a = loadCatalog();
  assert.equal(loadCatalog(), a, "the same inputs: the same catalog");
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.models[0]) && Object.isFrozen(a.models[0]!.prices[0]));
  assert.throws(() => {
    (a.models[0]!.prices[0] as { input: string }).input = "0";
  }, TypeError);
  const discounted = loadCatalog({ overrides: [{ discounts: [{ provider: "openai", percent: 10 }] }] });
  assert.notEqual(discounted, a);
  assert.notEqual(discounted.sha256, a.sha256);
  // A table edited on disk between two runs of one process: read again, not the catalog of before.
  const dir = join(tmp(), "pricing");
  cpSync(PRICING_DIR, dir, { recursive: true });
  const before = loadCatalog({ dir });
  assert.equal(before.sha256, a.sha256);
  const file = join(dir, "openai.json");
  writeFileSync(file, readFileSync(file, "utf8").replace(/"version": "[0-9-]+"/, '"version": "2099-01-01"'));
  const after = loadCatalog({ dir });
  assert.notEqual(after.sha256, before.sha256);
  assert.notEqual(after.version, before.version);
});

test("a price book's sha256 and version are read without building it; reading its catalog builds and checks it", () => {
  const dir = join(tmp(), "pricing");
  cpSync(PRICING_DIR, dir, { recursive: true });
  const file = join(dir, "openai.json");
  writeFileSync(file, readFileSync(file, "utf8").replace(/"version": "[0-9-]+"/, '"version": "2099-02-03"'));
  const ref = pricingRef({ dir });
  assert.equal(ref.version, "2099-02-03", "the newest table's version, from its text");
  const built = ref.catalog;
  assert.deepEqual([ref.sha256, ref.version], [built.sha256, built.version]);
  const withOverrides = pricingRef({ dir, overrides: [{ discounts: [{ provider: "openai", percent: 10 }] }] });
  assert.equal(withOverrides.version, "2099-02-03+overrides");
  assert.equal(withOverrides.version, withOverrides.catalog.version);
  // A table that breaks its schema: the reference still names the inputs; building it refuses them, naming the file.
  writeFileSync(file, readFileSync(file, "utf8").replace(/"input": /, '"input": "free", "was": '));
  const bad = pricingRef({ dir });
  assert.notEqual(bad.sha256, ref.sha256);
  assert.throws(() => bad.catalog, /pricing\/openai\.json: invalid pricing table/);
});
