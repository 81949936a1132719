import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { coverage, FIRST_PARTY_NAME, mapEntries } from "../src/pricing/coverage.js";
import { loadCatalog } from "../src/pricing/load.js";
import { peel, resolveName } from "../src/pricing/names.js";
import { cli, ROOT, tmp } from "./helpers.js";

const SHARED = join(ROOT, "..", "shared", "reference");
const SNAPSHOT = join(SHARED, "pricing", "litellm_model_prices_2026-07-24.json");

test("coverage: at least 98% of the snapshot's first-party chat, responses and embedding keys resolve to the snapshot's rate", () => {
  const raw = JSON.parse(readFileSync(SNAPSHOT, "utf8")) as Record<string, unknown>;
  const rows = coverage(loadCatalog(), mapEntries(raw, ["chat", "responses", "embedding"]), "2026-07-24");
  const priced = rows.filter((r) => r.status === "priced");
  assert.ok(rows.length > 500, `${rows.length} keys measured`);
  assert.ok(priced.length / rows.length >= 0.98, `${priced.length} of ${rows.length} priced at the snapshot's rate`);
  // The rest are listed, each with a reason.
  for (const r of rows.filter((x) => x.status !== "priced")) assert.ok(r.reason && r.reason.length > 10, `${r.name}: ${r.reason}`);
  // No first-party key is unpriced: the ones left are map entries that contradict another key of the same name.
  assert.deepEqual(
    rows.filter((r) => r.status === "unpriced").map((r) => r.name),
    [],
  );
});

/** Every model name a sample carries, wherever it sits (JSON keys, OTLP attributes), across JSON and JSON Lines. */
function sampleModelNames(): Map<string, string> {
  const found = new Map<string, string>();
  const MODEL_KEYS = /^(model|modelId|modelVersion|model_name|model_id|gen_ai\.request\.model|gen_ai\.response\.model|llm\.model_name)$/;
  const visit = (v: unknown, file: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x, file);
      return;
    }
    if (typeof v !== "object" || v === null) return;
    const o = v as Record<string, unknown>;
    // OTLP: {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}
    if (typeof o.key === "string" && MODEL_KEYS.test(o.key) && typeof o.value === "object" && o.value !== null) {
      const s = (o.value as Record<string, unknown>).stringValue;
      if (typeof s === "string") found.set(s, file);
    }
    for (const [k, x] of Object.entries(o)) {
      if (MODEL_KEYS.test(k) && typeof x === "string") found.set(x, file);
      visit(x, file);
    }
  };
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.jsonl?$/.test(f)) {
        const text = readFileSync(p, "utf8").replace(/^\uFEFF/, "");
        try {
          visit(JSON.parse(text), p);
        } catch {
          for (const line of text.split("\n")) if (line.trim()) visit(JSON.parse(line), p);
        }
      }
    }
  };
  walk(join(SHARED, "samples"));
  return found;
}

test("every OpenAI, Anthropic and Google model name in the shared samples resolves", () => {
  const catalog = loadCatalog();
  const names = [...sampleModelNames()].filter(([n]) => FIRST_PARTY_NAME.test(peel(n)?.core ?? ""));
  assert.ok(names.length >= 10, `${names.length} first-party names found`);
  const unresolved = names.filter(([n]) => !resolveName(catalog, n)).map(([n, f]) => `${n} (${f})`);
  assert.deepEqual(unresolved, []);
});

test("pricing coverage: the bundled snapshot by default, a plain list of names, exit 1 on an unpriced first-party name", async () => {
  const r = await cli(["pricing", "coverage"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout.split("\n")[0]!,
    /^\d+ of \d+ names \(9\d\.\d%\) resolve to the rate the map states \(prices on 2026-07-24\); \d+ at another rate, 0 unpriced$/,
  );

  const dir = tmp();
  const list = join(dir, "models.txt");
  writeFileSync(
    list,
    "# names as our gateway logs them\nopenai/gpt-5.4\nus.anthropic.claude-sonnet-4-5-20250929-v1:0\ngemini-3-pro-preview\ngpt-9-ultra\nllama-3.1-70b\n",
  );
  const l = await cli(["pricing", "coverage", list, "--format", "json"]);
  assert.equal(l.code, 1, "gpt-9-ultra is a first-party name without a price");
  const out = JSON.parse(l.stdout) as { counts: Record<string, number>; names: { name: string; status: string; model: string | null }[] };
  assert.deepEqual(out.counts, { names: 5, priced: 3, differentRate: 0, unpriced: 2 });
  assert.deepEqual(
    out.names.map((n) => [n.name, n.status, n.model]),
    [
      ["openai/gpt-5.4", "priced", "gpt-5.4"],
      ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "priced", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"],
      ["gemini-3-pro-preview", "priced", "gemini-3-pro-preview"],
      ["gpt-9-ultra", "unpriced", null],
      ["llama-3.1-70b", "unpriced", null],
    ],
  );
  const ok = join(dir, "ok.txt");
  writeFileSync(ok, "gpt-4o\nllama-3.1-70b\n");
  assert.equal((await cli(["pricing", "coverage", ok])).code, 0, "another vendor's model is not a first-party gap");
});

test("bad pricing input is exit 2 naming the file and the JSON path", async () => {
  const dir = tmp();
  const model = (prices: unknown[], extra: Record<string, unknown> = {}) => ({ models: [{ id: "acme-1", provider: "acme", prices, ...extra }] });
  const cases: [string, unknown, RegExp][] = [
    [
      "unknown rate kind",
      model([{ effective_from: "2025-01-01", input: "1", output: "2", input_tokens_cost: "3" }]),
      /models\.0\.prices\.0: Unrecognized key: "input_tokens_cost"/,
    ],
    ["negative rate", model([{ effective_from: "2025-01-01", input: "-1", output: "2" }]), /models\.0\.prices\.0\.input: a rate is a non-negative decimal/],
    ["non-numeric rate", model([{ effective_from: "2025-01-01", input: "cheap", output: "2" }]), /models\.0\.prices\.0\.input: a rate is/],
    [
      "a 40-digit rate",
      model([{ effective_from: "2025-01-01", input: "1234567890123456789012345678901234567890", output: "2" }]),
      /models\.0\.prices\.0\.input: a rate is .*at most 9 digits/,
    ],
    [
      "a date that does not exist",
      model([{ effective_from: "2025-02-30", input: "1", output: "2" }]),
      /models\.0\.prices\.0\.effective_from: not a calendar date/,
    ],
    [
      "overlapping epochs",
      model([
        { effective_from: "2025-03-01", input: "1", output: "2" },
        { effective_from: "2025-03-01", input: "2", output: "3" },
      ]),
      /models\.0\.prices: price epochs must be sorted .*may not overlap/,
    ],
    [
      "an alias claimed by two models",
      {
        models: [
          { id: "acme-1", provider: "acme", aliases: ["acme"], prices: [{ effective_from: "2025-01-01", input: "1", output: "2" }] },
          { id: "acme-2", provider: "acme", aliases: ["ACME"], prices: [{ effective_from: "2025-01-01", input: "1", output: "2" }] },
        ],
      },
      /models\[1\]\.aliases\[0\]: "ACME" is claimed by two models, acme-1 \(.*models\[0\]\.aliases\[0\]\) and acme-2/,
    ],
  ];
  for (const [what, body, message] of cases) {
    const f = join(dir, `${what.replaceAll(" ", "-")}.json`);
    writeFileSync(f, JSON.stringify(body));
    const r = await cli(["pricing", "list", "--pricing", f]);
    assert.equal(r.code, 2, what);
    assert.ok(r.stderr.includes(f), `${what}: names the file`);
    assert.match(r.stderr, message, what);
    assert.equal(r.stdout, "", what);
  }
});
