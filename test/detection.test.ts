import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { sniff } from "../src/ingest/files.js";
import { withMappedNames } from "../src/sources/flat-log.js";
import { ADAPTERS, adapterByName, detectAdapter } from "../src/sources/index.js";
import type { Head } from "../src/sources/types.js";
import { FIXTURES } from "./helpers.js";

// Format detection without a database: which adapter claims each fixture, and that no two claim one by accident.

/** Every fixture file and the one format it is (hand-listed: a new fixture must be added here). */
const EXPECTED: Record<string, string> = {
  "agents/claude/projects/-Users-dev-src-billing-web/4f1c2b7e-8d3a-4e51-9b6f-2a7c9e0d5b13.jsonl": "claude-code-jsonl",
  "agents/claude/projects/-Users-dev-src-billing-web/4f1c2b7e-8d3a-4e51-9b6f-2a7c9e0d5b13/subagents/agent-a7d2e9f1.jsonl": "claude-code-jsonl",
  "agents/claude/projects/-Users-dev-src-billing-web/b83e0f19-27c4-4d6a-a1f5-6e9d3c2b7a04.jsonl": "claude-code-jsonl",
  "agents/codex/sessions/2026/10/23/rollout-2026-10-23T14-02-11-019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b.jsonl": "codex-jsonl",
  "agents/codex/sessions/2026/10/23/rollout-2026-10-23T14-03-05-019a2b3d-1e2f-7a30-9b4c-5d6e7f8a9b0c.jsonl": "codex-jsonl",
  "demo/anthropic-cost-report.json": "anthropic-cost-json",
  "demo/openai-costs.json": "openai-costs-json",
  "demo/requests.jsonl": "request-log-jsonl",
  "formats/anthropic-analytics-cost.json": "anthropic-analytics-cost",
  "formats/anthropic-analytics-usage.json": "anthropic-analytics-usage",
  "formats/anthropic-cost.csv": "anthropic-cost-csv",
  "formats/anthropic-cost.json": "anthropic-cost-json",
  "formats/anthropic-tokens.csv": "anthropic-tokens-csv",
  "formats/anthropic-usage.json": "anthropic-usage-json",
  "formats/bedrock-cloudwatch.json": "bedrock-cloudwatch-events",
  "formats/bedrock-govcloud.jsonl": "bedrock-invocation-log",
  "formats/bedrock-s3.jsonl": "bedrock-invocation-log",
  "formats/claude-code.jsonl": "claude-code-jsonl",
  "formats/codex.jsonl": "codex-jsonl",
  "formats/gemini-responses.jsonl": "gemini-response-json",
  "formats/langfuse-trace.json": "langfuse-json",
  "formats/litellm-spend-logs.json": "litellm-spend-logs",
  "formats/openai-batch-input.jsonl": "openai-batch-input",
  "formats/openai-batch-output.jsonl": "openai-batch-output",
  "formats/openai-cost-v1.csv": "openai-cost-csv",
  "formats/openai-cost-v2.csv": "openai-cost-csv",
  "formats/openai-costs.json": "openai-costs-json",
  "formats/openai-legacy-usage.json": "openai-legacy-usage-json",
  "formats/openai-usage-completions-2026.json": "openai-usage-json",
  "formats/openai-usage-completions.json": "openai-usage-json",
  "formats/openai-usage-embeddings.json": "openai-usage-json",
  "formats/openai-usage.csv": "openai-usage-csv",
  "formats/openrouter.csv": "openrouter-csv",
  "formats/otel-otlp.json": "otel-otlp-json",
  "formats/otel-spans.jsonl": "otel-spans-jsonl",
  "formats/requests-2026-gateway.jsonl": "request-log-jsonl",
  "formats/requests-openai.jsonl": "request-log-jsonl",
  "formats/requests.csv": "request-log-csv",
  "real/anthropic-analytics-cost-provisional.json": "anthropic-analytics-cost",
  "real/anthropic-names.jsonl": "request-log-jsonl",
  "real/anthropic-tokens-daily.csv": "anthropic-tokens-csv",
  "real/anthropic-tokens-hourly.csv": "anthropic-tokens-csv",
  "real/app-field-names.jsonl": "request-log-jsonl",
  "real/bedrock-apac-nova-micro.json": "bedrock-invocation-log",
  "real/bedrock-nova-lite-invocation.json": "bedrock-invocation-log",
  "real/bom-requests.jsonl": "request-log-jsonl",
  "real/cached-exceeds-input.jsonl": "request-log-jsonl",
  // Only with its config's logs.fields (custom-fields.config.json) does it read as a request log.
  "real/custom-fields.jsonl": "request-log-jsonl",
  "real/gateway.csv": "request-log-csv",
  "real/groq-batch-output.jsonl": "openai-batch-output",
  "real/langfuse-pydantic-ai-gemini.json": "langfuse-json",
  "real/litellm-daily-spend.json": "litellm-spend-logs",
  "real/litellm-spend-logs-ui.json": "litellm-spend-logs",
  "real/openai-app-flat.jsonl": "request-log-jsonl",
  "real/openai-costs-2d.json": "openai-costs-json",
  "real/openai-usage-1d.json": "openai-usage-json",
  "real/openai-usage-1h.json": "openai-usage-json",
  "real/openai-usage-buckets.json": "openai-usage-json",
  "real/openrouter-app.jsonl": "request-log-jsonl",
  "real/openrouter-short.csv": "openrouter-csv",
  "real/stated-costs.jsonl": "request-log-jsonl",
  "real/vertex-gemini-raw-response.json": "gemini-response-json",
};

/** Config files beside the fixtures: not inputs. */
const NOT_INPUTS = new Set(["real/custom-fields.config.json"]);

/**
 * The signatures that overlap today, and why the first (earlier in ADAPTERS) is right: a file of the first format
 * also matches the second's looser check. Detection order resolves them; any other overlap is a bug (or belongs here,
 * with its reason, and the specific format first).
 */
const OVERLAPS: readonly (readonly [specific: string, general: string, why: string])[] = [
  ["openai-usage-csv", "request-log-csv", "start_time is one of a request log's timestamp names, and the export has model, input_tokens and output_tokens"],
  [
    "anthropic-analytics-usage",
    "anthropic-usage-json",
    'the Analytics report has the legacy report\'s starting_at buckets and no cost fields (its "group" object tells them apart)',
  ],
  ["anthropic-analytics-cost", "anthropic-cost-json", "the Analytics report has starting_at and amount strings, the legacy cost report's signature"],
  ["bedrock-invocation-log", "request-log-jsonl", "a record has a timestamp and a modelId at the top level, which is what a request log line needs"],
];

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

const fixtures = walk(FIXTURES)
  .map((path) => relative(FIXTURES, path))
  .filter((f) => !NOT_INPUTS.has(f));

function headOf(file: string): Head {
  const s = sniff(join(FIXTURES, file));
  assert.ok(s.ok, `${file}: ${s.ok ? "" : s.reason}`);
  if (file === "real/custom-fields.jsonl") {
    const config = JSON.parse(readFileSync(join(FIXTURES, "real", "custom-fields.config.json"), "utf8")) as { logs: { fields: Record<string, string> } };
    return withMappedNames(s.head, config.logs.fields);
  }
  return s.head;
}

const claims = (head: Head): string[] => ADAPTERS.filter((a) => a.detect(head)).map((a) => a.name);

test("every fixture is in the expected list, and every expected format is a registered adapter", () => {
  assert.deepEqual([...fixtures].sort(), Object.keys(EXPECTED).sort(), "a fixture was added or removed: list it in EXPECTED");
  for (const name of new Set(Object.values(EXPECTED))) assert.ok(adapterByName(name), `${name} is not an adapter`);
  // Every adapter has at least one fixture.
  assert.deepEqual(
    ADAPTERS.map((a) => a.name).filter((n) => !Object.values(EXPECTED).includes(n)),
    [],
  );
});

test("every fixture is detected as exactly its format", () => {
  for (const file of fixtures) assert.equal(detectAdapter(headOf(file))?.name, EXPECTED[file], file);
});

test("no two adapters claim one fixture, but for the listed overlaps, where the specific format is tried first", () => {
  const seen = new Set<string>();
  for (const file of fixtures) {
    const [first, ...also] = claims(headOf(file));
    assert.equal(first, EXPECTED[file], file);
    for (const other of also) {
      const overlap = OVERLAPS.find(([s, g]) => s === first && g === other);
      assert.ok(overlap, `${file}: claimed by ${first} and also by ${other}; make one detect() stricter, or list the overlap with its reason`);
      seen.add(`${first} ${other}`);
    }
  }
  const order = ADAPTERS.map((a) => a.name);
  for (const [specific, general] of OVERLAPS) {
    assert.ok(order.indexOf(specific) < order.indexOf(general), `${specific} must come before ${general} in ADAPTERS`);
    assert.ok(seen.has(`${specific} ${general}`), `the overlap ${specific} / ${general} no longer happens: drop it from OVERLAPS`);
  }
});

test("a general format's own fixtures are claimed by it alone (the specific formats do not reach into them)", () => {
  for (const [specific, general] of OVERLAPS) {
    for (const [file, format] of Object.entries(EXPECTED)) {
      if (format === general) assert.ok(!claims(headOf(file)).includes(specific), `${specific} claims ${file}, a ${general} file`);
    }
  }
});

test("a head no format knows is claimed by none (never a guess)", () => {
  const unknown: Head[] = [
    { kind: "csv", header: ["name", "email", "signup_date"], delimiter: "," },
    { kind: "csv", header: ["timestamp", "model"], delimiter: "," },
    { kind: "json", text: '{"name":"llmcost","version":"0.1.0"}', first: { name: "llmcost", version: "0.1.0" } },
    { kind: "json", text: "[1, 2, 3]" },
  ];
  for (const head of unknown) assert.deepEqual(claims(head), [], JSON.stringify(head));
});
