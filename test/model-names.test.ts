import assert from "node:assert/strict";
import { test } from "node:test";
import { loadCatalog } from "../src/pricing/load.js";
import { peel, resolveName, unresolvedReason } from "../src/pricing/names.js";

const catalog = loadCatalog({
  deployments: {
    "prod-gpt4o": "gpt-4o-2024-08-06",
    "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123": "anthropic.claude-3-5-haiku-20241022-v1:0",
  },
});
const id = (name: string) => resolveName(catalog, name)?.model.id ?? null;

test("exact ids and aliases, any case, blanks around ignored", () => {
  assert.equal(id("gpt-4o-2024-08-06"), "gpt-4o-2024-08-06");
  assert.equal(id("  GPT-4o-2024-08-06\t"), "gpt-4o-2024-08-06");
  assert.equal(id("gpt-5.4-2026-03-05"), "gpt-5.4"); // a dated snapshot is an alias of its model when priced alike
  assert.equal(id("claude-haiku-4-5"), "claude-haiku-4-5-20251001"); // the undated pointer
  assert.equal(id("claude-3-5-haiku-latest"), "claude-3-5-haiku-20241022"); // -latest pointer
  assert.equal(id("claude-3-7-sonnet"), "claude-3-7-sonnet-20250219"); // pointer made for a dated Claude id
});

test("a pointer priced apart from its family has its own rates: chatgpt-4o-latest", () => {
  const m = resolveName(catalog, "chatgpt-4o-latest")!.model;
  assert.equal(m.id, "chatgpt-4o-latest");
  const e = m.prices.at(-1)!;
  assert.deepEqual([e.input, e.output], ["5", "15"]); // gpt-4o itself is 2.5/10
});

test("provider prefixes: openai/ anthropic/ google/ gemini/ models/ vertex_ai/ bedrock/ azure/ openrouter/", () => {
  assert.equal(id("openai/gpt-4o-mini"), "gpt-4o-mini");
  assert.equal(id("anthropic/claude-sonnet-4-5-20250929"), "claude-sonnet-4-5-20250929");
  assert.equal(id("google/gemini-2.5-pro"), "gemini-2.5-pro");
  assert.equal(id("gemini/gemini-3-pro-preview"), "gemini-3-pro-preview");
  assert.equal(id("models/gemini-2.5-flash"), "gemini-2.5-flash");
  assert.equal(id("openrouter/openai/gpt-4.1"), "gpt-4.1");
  assert.equal(id("openrouter/anthropic/claude-opus-4-6"), "claude-opus-4-6");
  assert.equal(id("vertex_ai/gemini-2.5-pro"), "gemini-2.5-pro");
  assert.equal(id("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"), "claude-3-5-sonnet-20240620");
  assert.equal(id("azure/gpt-4o"), "gpt-4o"); // Azure's own key at OpenAI's rate
});

test("Bedrock ids: vendor, version suffixes, cross-region prefixes and inference-profile ARNs", () => {
  assert.equal(id("anthropic.claude-3-5-sonnet-20241022-v2:0"), "claude-3-5-sonnet-20241022");
  // Bedrock prices Claude 3 Haiku's cache apart (reads 0.025, not 0.03): its own model, whatever the version suffix.
  assert.equal(id("anthropic.claude-3-haiku-20240307-v1"), "anthropic.claude-3-haiku-20240307-v1:0");
  assert.equal(resolveName(catalog, "anthropic.claude-3-haiku-20240307-v1")!.model.prices.at(-1)!.cached_input, "0.025");
  assert.equal(id("anthropic.claude-3-opus-20240229-v1:0"), "claude-3-opus-20240229");
  for (const geo of ["us", "eu", "apac", "au", "jp", "global", "us-gov"]) {
    assert.ok(id(`${geo}.anthropic.claude-haiku-4-5-20251001-v1:0`), `${geo}. prefix resolves`);
  }
  // The regional (us.) profile of a 4.5 model bills 10% above the first party: that cloud's rate applies.
  const us = resolveName(catalog, "us.anthropic.claude-sonnet-4-5-20250929-v1:0")!.model;
  assert.equal(us.provider, "bedrock");
  assert.deepEqual([us.prices.at(-1)!.input, us.prices.at(-1)!.output], ["3.3", "16.5"]);
  const arn = resolveName(catalog, "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0")!;
  assert.equal(arn.model.id, us.id);
  assert.match(arn.via, /Bedrock ARN/);
  assert.equal(id("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"), "claude-3-5-haiku-20241022");
  // An application inference profile names no model: only a deployment mapping can price it.
  assert.equal(id("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123"), "claude-3-5-haiku-20241022");
  assert.equal(id("arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/zzz999"), null);
  assert.match(unresolvedReason(catalog, "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/zzz999"), /pricing.+deployments/);
});

test("Amazon Nova, a model only Bedrock sells: every Bedrock wrapping reaches its geography's rate", () => {
  const rate = (name: string) => {
    const e = resolveName(catalog, name)?.model.prices.at(-1);
    return e ? [e.input, e.output] : null;
  };
  assert.deepEqual(rate("amazon.nova-pro-v1:0"), ["0.8", "3.2"]);
  assert.deepEqual(rate("us.amazon.nova-pro-v1:0"), ["0.8", "3.2"]);
  assert.deepEqual(rate("apac.amazon.nova-micro-v1:0"), ["0.037", "0.148"]);
  assert.deepEqual(rate("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"), ["0.035", "0.14"]);
  assert.deepEqual(rate("arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.amazon.nova-lite-v1:0"), ["0.078", "0.312"]);
  assert.deepEqual(rate("bedrock/converse/eu.amazon.nova-pro-v1:0"), ["1.05", "4.2"]);
  // A region bills as its geography: eu-west-1 at eu.'s rate, ap-southeast-1 at apac.'s, GovCloud at its own.
  assert.deepEqual(rate("bedrock/eu-west-1/amazon.nova-pro-v1:0"), ["1.05", "4.2"]);
  assert.deepEqual(rate("arn:aws:bedrock:ap-southeast-1::foundation-model/amazon.nova-micro-v1:0"), ["0.037", "0.148"]);
  assert.deepEqual(rate("us-gov.amazon.nova-pro-v1:0"), ["0.96", "3.84"]);
  assert.deepEqual(rate("arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.nova-pro-v1:0"), ["0.96", "3.84"]);
  // GovCloud bills one price list across its regions and its us-gov. profile: a name takes it wherever it is listed.
  assert.deepEqual(rate("us-gov.anthropic.claude-haiku-4-5-20251001-v1:0"), ["1.2", "6"]); // commercial: 1 / 5
  assert.deepEqual(rate("us-gov.anthropic.claude-3-haiku-20240307-v1:0"), ["0.3", "1.5"]); // commercial Bedrock: 0.25
  assert.deepEqual(rate("bedrock/us-gov-east-1/anthropic.claude-3-7-sonnet-20250219-v1:0"), ["3.6", "18"]); // listed in west only
  assert.deepEqual(rate("arn:aws-us-gov:bedrock:us-gov-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"), ["1.2", "6"]);
  // Commercial regions are not pooled: a bare id and an in-region name keep the first party's rate.
  assert.deepEqual(rate("bedrock/us-east-1/anthropic.claude-haiku-4-5-20251001-v1:0"), ["1", "5"]);
  // A geography the table has no key for takes the rate without one; Premier, sold through us. alone, is that rate
  // for its bare id only.
  assert.deepEqual(rate("jp.amazon.nova-lite-v1:0"), ["0.06", "0.24"]);
  assert.deepEqual(rate("amazon.nova-premier-v1:0"), ["2.5", "12.5"]);
  assert.equal(id("eu.amazon.nova-premier-v1:0"), null);
  assert.match(resolveName(catalog, "apac.amazon.nova-micro-v1:0")!.via, /id|alias/);
  // The version is the model's: -v1 is -v1:0, another version matches nothing.
  assert.equal(id("amazon.nova-pro-v1"), "amazon.nova-pro-v1:0");
  for (const name of ["amazon.nova-pro-v2:0", "amazon.nova-pro-v1:1", "amazon.nova-ultra-v1:0"]) assert.equal(id(name), null, name);
  // Only Bedrock's own models: other clouds' models without a first party, and other vendors, stay unpriced.
  for (const name of ["us.anthropic.claude-mythos-preview-v1:0", "azure/datazone/gpt-5.1-chat", "meta.llama3-70b-instruct-v1:0", "nova-pro"])
    assert.equal(id(name), null, name);
});

test("Vertex names: @version, publishers/…/models/…, projects/…/models/…", () => {
  assert.equal(id("claude-3-5-sonnet@20240620"), "claude-3-5-sonnet-20240620");
  assert.equal(id("vertex_ai/claude-sonnet-4-5@20250929"), "claude-sonnet-4-5-20250929");
  assert.equal(id("publishers/google/models/gemini-2.5-flash"), "gemini-2.5-flash");
  assert.equal(id("projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-pro"), "gemini-2.5-pro");
  assert.equal(id("projects/acme-prod/locations/us-east5/publishers/anthropic/models/claude-opus-4-1@20250805"), "claude-opus-4-1-20250805");
});

test("OpenRouter's dotted Claude slugs and display names", () => {
  assert.equal(id("anthropic/claude-3.7-sonnet"), "claude-3-7-sonnet-20250219");
  assert.equal(id("claude-3.5-haiku"), "claude-3-5-haiku-20241022");
  assert.equal(id("anthropic/claude-sonnet-4.5"), "claude-sonnet-4-5-20250929");
  assert.equal(id("Claude Opus 4.6"), "claude-opus-4-6");
  assert.equal(id("GPT-4o mini"), "gpt-4o-mini");
  assert.equal(id("gpt-4.1"), "gpt-4.1"); // dots in GPT and Gemini names are their own
});

test("Azure: deployment names through pricing.deployments; a regional name gets Azure's rate", () => {
  assert.equal(id("prod-gpt4o"), "gpt-4o-2024-08-06");
  assert.equal(id("my-unmapped-deployment"), null);
  assert.match(unresolvedReason(catalog, "my-unmapped-deployment"), /pricing.+deployments/);
  const eu = resolveName(catalog, "azure/eu/gpt-4o-2024-08-06")!.model;
  assert.equal(eu.provider, "azure");
  assert.deepEqual([eu.prices.at(-1)!.input, eu.prices.at(-1)!.output], ["2.75", "11"]); // EU data zone +10%
});

test("never fuzzy: near misses and other vendors' names stay unpriced", () => {
  for (const n of ["gpt-4o-2024-08-07", "gpt4o", "claude-sonnet", "gemini-pro-9", "llama-3.1-70b", "ft:gpt-4o-mini-2024-07-18:acme::legal01", ""]) {
    assert.equal(id(n), null, n);
  }
});

test("peel reports the rules it applied", () => {
  assert.deepEqual(peel("bedrock/us-east-1/us.anthropic.claude-3-5-haiku-20241022-v1:0"), {
    core: "claude-3-5-haiku-20241022",
    cloud: "bedrock",
    geo: "us",
    version: "v1:0",
    rules: ["bedrock/ prefix", "Bedrock us. cross-region prefix", "Bedrock vendor prefix", "Bedrock version suffix"],
  });
});

test("every 2026 model a real export carries resolves, with a cheaper sibling where its family has one", () => {
  const want: Record<string, string | undefined> = {
    "gpt-5.1": "gpt-5-mini",
    "gpt-5.2": "gpt-5-mini",
    "gpt-5.4": "gpt-5.4-mini",
    "gpt-5.4-mini": "gpt-5.4-nano",
    "gpt-5.5": "gpt-5.4-mini",
    "claude-opus-4-6": "claude-sonnet-4-6",
    "claude-opus-4-7": "claude-sonnet-4-6",
    "claude-sonnet-4-6": "claude-haiku-4-5-20251001",
    "gemini-3-pro-preview": "gemini-3-flash-preview",
  };
  for (const [name, sibling] of Object.entries(want)) {
    const m = resolveName(catalog, name)?.model;
    assert.ok(m, `${name} resolves`);
    assert.equal(m.cheaper_sibling, sibling, `${name}'s cheaper sibling`);
    assert.ok(resolveName(catalog, sibling!), `${sibling} is priced`);
  }
});

test("ingest prices names as they are sent, and says exactly which rows are unpriced and why", async () => {
  const { cli, query, tmp } = await import("./helpers.js");
  const { join } = await import("node:path");
  const db = join(tmp(), "g.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/requests-2026-gateway.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    "warning: gpt-5.4: priced from 2026-03-05; 1 earlier row(s) are unpriced\n" +
      "warning: gpt-4o-2024-08-06: no priority rate: 1 row(s) on that service tier are unpriced, never billed at standard\n",
  );
  const rows = await query(db, "SELECT model, cost_usd::VARCHAR AS cost FROM usage ORDER BY ts, model");
  assert.deepEqual(
    rows.map((x) => [x.model, x.cost]),
    [
      ["gpt-5.4", null], // 2026-02-20: before gpt-5.4's first price (2026-03-05)
      // 9,952 uncached × $2.50 + 2,048 cached × $0.25 + 800 output × $15 (per 1M) = 0.024880 + 0.000512 + 0.012 = 0.037392
      ["openai/gpt-5.4", "0.037392000000"],
      // Bedrock's regional (us.) rate: 3,200 × 3.3 + 40,000 × 0.33 + 1,000 × 4.125 + 650 × 16.5 = 38,610 µ$
      ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "0.038610000000"],
      // (1,500 × $5 + 900 × $25 per 1M = 0.03) + 2 web searches × $0.01 = 0.05; US-only inference × 1.1 = 0.055
      ["claude-opus-4-6", "0.055000000000"],
      // fast mode: (800 × $5 + 400 × $25 per 1M = 0.014) × 6 = 0.084
      ["claude-opus-4-6", "0.084000000000"],
      ["gpt-4o-2024-08-06", null], // priority tier: no rate
      // gemini-2.5-flash: 4,000 × $0.30 + 1,000 cached × $0.03 + (300 + 200 thoughts) × $2.50 per 1M = 2,480 µ$
      ["projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-flash", "0.002480000000"],
      // an inference-profile ARN of Bedrock's global Haiku 4.5: 2,000 × $1 + 100 × $5 per 1M = 2,500 µ$
      ["arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0", "0.002500000000"],
      // OpenRouter's dotted slug: 1,000 × $3 + 200 × $15 per 1M = 6,000 µ$
      ["anthropic/claude-3.7-sonnet", "0.006000000000"],
    ],
  );
  const total = await query(db, "SELECT sum(cost_usd)::VARCHAR AS t, count(*) FILTER (WHERE NOT priced) AS unpriced FROM usage");
  // 0.037392 + 0.038610 + 0.055 + 0.084 + 0.002480 + 0.0025 + 0.006 = 0.225982
  assert.deepEqual(total, [{ t: "0.225982000000", unpriced: "2" }]);
  // A second file with the same names prices them in the ingest join (their aliases are stored), with the same costs.
  const again = await cli(["ingest", "--db", db, "--replace", "fixtures/formats/requests-2026-gateway.jsonl"]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await query(db, "SELECT sum(cost_usd)::VARCHAR AS t, count(*) FILTER (WHERE NOT priced) AS unpriced FROM usage"), total);
  const check = await cli(["pricing", "check", "--db", db, "--format", "json"]);
  assert.equal(check.code, 1);
  const unpriced = (JSON.parse(check.stdout) as { unpriced: { model: string; reason: string }[] }).unpriced;
  assert.deepEqual(
    unpriced.map((u) => [u.model, u.reason]),
    [
      ["gpt-5.4", "priced from 2026-03-05; 1 earlier row(s) are unpriced"],
      ["gpt-4o-2024-08-06", "no priority rate: 1 row(s) on that service tier are unpriced, never billed at standard"],
    ],
  );
});
