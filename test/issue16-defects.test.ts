import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, FIXTURES, tmp } from "./helpers.js";

test("reconcile and report spell a missing provider one way, (unknown): a NULL one and a vendor-less usage object alike", async () => {
  const dir = tmp();
  const db = join(dir, "u.duckdb");
  const logs = join(dir, "logs.jsonl");
  writeFileSync(
    logs,
    // A raw usage object of an unpriced model says nothing of its vendor (stored 'unknown'); a flat line with no
    // provider and an unknown model has none (NULL); gpt-4o-mini resolves to openai.
    '{"timestamp":"2025-11-03T08:00:00Z","model":"llama-x-70b","user":"a1b2c3d4e5f6:chat","usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110}}\n' +
      '{"timestamp":"2025-11-03T08:30:00Z","model":"mystery-1","user":"a1b2c3d4e5f6:chat","input_tokens":100,"output_tokens":10,"cost_usd":0.001}\n' +
      '{"timestamp":"2025-11-03T09:00:00Z","model":"gpt-4o-mini","user":"a1b2c3d4e5f6:chat","usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110}}\n',
  );
  assert.equal((await cli(["ingest", "--db", db, logs])).code, 0);
  const bare = /(?<!\()unknown\b/;
  const table = await cli(["reconcile", "--db", db]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /│ \(unknown\) │/);
  assert.doesNotMatch(table.stdout, bare);
  const j = JSON.parse((await cli(["reconcile", "--db", db, "--format", "json"])).stdout);
  assert.deepEqual(
    j.providers.map((p: { provider: string }) => p.provider),
    ["(unknown)", "openai"],
  );
  assert.deepEqual(
    j.rows.map((r: { provider: string; model: string }) => `${r.provider} ${r.model}`),
    ["(unknown) llama-x-70b", "(unknown) mystery-1", "openai gpt-4o-mini"],
  );
  assert.doesNotMatch((await cli(["reconcile", "--db", db, "--format", "csv"])).stdout, bare);
  // The report's convention, which reconcile follows: one (unknown) row for both.
  const rep = JSON.parse((await cli(["report", "--db", db, "--by", "provider", "--format", "json"])).stdout);
  assert.deepEqual(
    rep.rows.map((r: { key: { provider: string }; requests: number }) => [r.key.provider, r.requests]),
    [
      ["(unknown)", 2],
      ["openai", 1],
    ],
  );
});

test("pricing list --provider with a name the price tables do not have is exit 2 naming the known providers", async () => {
  const r = await cli(["pricing", "list", "--provider", "nosuch"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    'llmcost: --provider "nosuch": no such provider in the price tables\nhint: known providers: anthropic, azure, bedrock, google, openai, vertex\n',
  );
  // Case-blind, as a user types it.
  const ok = JSON.parse((await cli(["pricing", "list", "--provider", "OpenAI", "--format", "json"])).stdout);
  assert.ok(ok.models.length > 50);
  assert.ok(ok.models.every((m: { provider: string }) => m.provider === "openai"));
});

test("savings on one day of traffic: no batch pick from one day's hours, the monthly scaling said; from 3 days it picks again", async () => {
  const dir = tmp();
  const all = readFileSync(join(FIXTURES, "demo", "requests.jsonl"), "utf8").split("\n");
  const slice = (days: string[]) => all.filter((l) => days.some((d) => l.startsWith(`{"timestamp":"${d}`))).join("\n") + "\n";
  const one = join(dir, "one.duckdb");
  writeFileSync(join(dir, "one.jsonl"), slice(["2025-11-03"]));
  assert.equal((await cli(["ingest", "--db", one, join(dir, "one.jsonl")])).code, 0);
  const table = await cli(["savings", "--db", one]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /\(1 day observed\)\n/);
  assert.match(
    table.stdout,
    /^ {2}- per month: the 1 day observed scaled to 30 days; under a week of traffic shows no weekly pattern \(weekends, weekly jobs\), so the monthly figures are rough$/m,
  );
  const j = JSON.parse((await cli(["savings", "--db", one, "--format", "json"])).stdout);
  assert.equal(j.window.days, 1);
  // Every feature's traffic sits in some window on one day (summarize-articles in 01:00–04:00, but so would any).
  assert.deepEqual(
    j.opportunities.filter((o: { tactic: string }) => o.tactic === "batch"),
    [],
  );
  assert.deepEqual(
    j.notes.filter((n: string) => n.startsWith("batch:")),
    [
      "batch: no feature qualifies: none is marked batchable in the config or runs ≥90% inside a ≤6h daily window on at least 3 days (9 features run on fewer: a day or two of any traffic fits some window; mark batch jobs batchable in the config, or list them with --batch)",
    ],
  );
  // Marked batchable, a feature is batched from one day too.
  writeFileSync(join(dir, "batch.json"), JSON.stringify({ features: { "summarize-articles": { batchable: true } } }));
  const marked = JSON.parse((await cli(["savings", "--db", one, "--config", join(dir, "batch.json"), "--format", "json"])).stdout);
  assert.deepEqual(
    marked.opportunities
      .filter((o: { tactic: string }) => o.tactic === "batch")
      .map((o: { feature: string; evidence: string; shareOfFeature: number }) => [o.feature, o.evidence, o.shareOfFeature]),
    [["summarize-articles", "marked batchable in the config", 0.5]],
  );
  const three = join(dir, "three.duckdb");
  writeFileSync(join(dir, "three.jsonl"), slice(["2025-11-03", "2025-11-04", "2025-11-05"]));
  assert.equal((await cli(["ingest", "--db", three, join(dir, "three.jsonl")])).code, 0);
  const t = JSON.parse((await cli(["savings", "--db", three, "--format", "json"])).stdout);
  assert.equal(t.window.days, 3);
  assert.deepEqual(
    t.opportunities.filter((o: { tactic: string }) => o.tactic === "batch").map((o: { feature: string; evidence: string }) => [o.feature, o.evidence]),
    [
      ["summarize-articles", "runs 01:00 to 04:00 UTC only (100% of requests), so it can be batched"],
      ["nightly-digest", "runs 02:00 to 03:00 UTC only (100% of requests), so it can be batched"],
      ["code-review", "runs 00:00 to 05:00 UTC only (100% of requests), so it can be batched"],
    ],
  );
});

test("every config key is typed: a wrong type in any of them is exit 2 naming the key", async () => {
  const dir = tmp();
  const cases: [unknown, string][] = [
    [{ $schema: 5 }, "$schema"],
    [{ tags: "x" }, "tags"],
    [{ tags: { pattern: 5 } }, "tags.pattern"],
    [{ features: [] }, "features"],
    [{ features: { chat: { batchable: "yes" } } }, "features.chat.batchable"],
    [{ features: { chat: { cacheable: 1 } } }, "features.chat.cacheable"],
    [{ features: { chat: { realtime: "no" } } }, "features.chat.realtime"],
    [{ features: { chat: { batch: true } } }, "features.chat"],
    [{ budgets: { daily: "10" } }, "budgets.daily"],
    [{ budgets: { monthly: -5 } }, "budgets.monthly"],
    [{ budgets: { features: { chat: 60 } } }, "budgets.features.chat"],
    [{ budgets: { models: { "gpt-4o": true } } }, "budgets.models.gpt-4o"],
    [{ budgets: { spike: "2x" } }, "budgets.spike"],
    [{ budgets: { spikeMinUsd: "1" } }, "budgets.spikeMinUsd"],
    [{ budgets: { failOnUnpricedPct: 150 } }, "budgets.failOnUnpricedPct"],
    [{ budgets: { maxAge: 2 } }, "budgets.maxAge"],
    [{ pricing: { overrides: "prices.json" } }, "pricing.overrides"],
    [{ pricing: { overrides: { models: [{ id: 5 }] } } }, "pricing.overrides.models.0.id"],
    [
      { pricing: { overrides: { models: [{ id: "m", provider: "p", prices: [{ effective_from: "2025-01-01", input: "cheap", output: 1 }] }] } } },
      "pricing.overrides.models.0.prices.0.input",
    ],
    [{ pricing: { overrides: { discounts: [{ percent: "15" }] } } }, "pricing.overrides.discounts.0.percent"],
    [{ pricing: { deployments: { prod: 5 } } }, "pricing.deployments.prod"],
    [{ cache: { denyPrefixes: "SECRET" } }, "cache.denyPrefixes"],
    [{ logs: { inputIncludesCached: "yes" } }, "logs.inputIncludesCached"],
    [{ logs: { fields: { model: 5 } } }, "logs.fields.model"],
    [{ logs: { fields: { nosuch: "x" } } }, "logs.fields"],
    [{ tactics: { promptCache: { prefixShare: "abc" } } }, "tactics.promptCache.prefixShare"],
    [{ tactics: { promptCache: 0.5 } }, "tactics.promptCache"],
    [{ sources: { otel: { userAttribute: 5 } } }, "sources.otel.userAttribute"],
    [{ sources: { otel: { featureAttribute: "" } } }, "sources.otel.featureAttribute"],
    [{ nosuch: 1 }, "(root)"],
  ];
  const file = join(dir, "llmcost.config.json");
  for (const [config, key] of cases) {
    writeFileSync(file, JSON.stringify(config));
    const r = await cli(["pricing", "list", "--provider", "openai", "--config", file]);
    assert.equal(r.code, 2, `${JSON.stringify(config)}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.ok(r.stderr.startsWith(`llmcost: ${file}: invalid config: ${key}: `), `${JSON.stringify(config)} names ${key}: ${r.stderr}`);
  }
  // Every key right: accepted.
  writeFileSync(
    file,
    JSON.stringify({
      tags: { pattern: "^(?<user>[0-9a-f]{12}):(?<feature>.+)$" },
      features: { chat: { batchable: false, cacheable: true, realtime: true } },
      budgets: {
        daily: 10,
        monthly: 200,
        features: { chat: "60/month" },
        models: { "gpt-4o": "1/day" },
        spike: 2,
        spikeMinUsd: 1,
        failOnUnpricedPct: 5,
        maxAge: "2d",
      },
      pricing: {
        overrides: {
          models: [{ id: "acme-llm", provider: "acme", prices: [{ effective_from: "2025-01-01", input: 1, output: "2" }] }],
          discounts: [{ provider: "openai", percent: 10 }],
        },
        deployments: { prod: "gpt-4o" },
      },
      cache: { denyPrefixes: ["SECRET"] },
      logs: { inputIncludesCached: "auto", fields: { model: "llm.model" } },
      tactics: { promptCache: { prefixShare: 0.4 } },
      sources: { otel: { userAttribute: "enduser.id", featureAttribute: "app.feature" } },
    }),
  );
  const ok = await cli(["pricing", "show", "acme-llm", "--config", file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^acme-llm \(acme, from override\)/);
});
