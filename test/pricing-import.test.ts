import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, ROOT, tmp } from "./helpers.js";

const SNAPSHOT = join(ROOT, "..", "shared", "reference", "pricing", "litellm_model_prices_2026-07-24.json");

interface Report {
  totals: { costUsd: number; unpriced: { rows: number } };
  rows: { key: { model: string }; costUsd: number; unpriced: { rows: number } }[];
}

test("import-litellm never breaks history: with the snapshot imported, no priced request goes unpriced and no cost before its date changes", async () => {
  const dir = tmp();
  const db = join(dir, "h.duckdb");
  assert.equal((await cli(["ingest", "--db", db, "fixtures/demo", "fixtures/formats/requests-2026-gateway.jsonl"])).code, 0);
  const out = join(dir, "litellm.json");
  const imp = await cli(["pricing", "import-litellm", SNAPSHOT, "--out", out]);
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stderr, /^wrote \d+ models \(openai, anthropic, google\) to .*: \d+ built-in models get an epoch from 2026-07-24 on top of their own/);
  assert.match(imp.stderr, /models lack rate kinds in the map, kept at the book's ratio to input\/output:\n {2}o1: batch_input, batch_output\n/);
  assert.match(imp.stderr, /rates contradict the book by more than 50% \(check them\):\n {2}gemini-1\.5-flash: output 0\.3 → 0 \(-100%\)\n/);

  // The imported table keeps the built-in epochs and aliases of the models it re-prices.
  const table = JSON.parse(readFileSync(out, "utf8")) as {
    models: { id: string; aliases: string[]; prices: { effective_from: string; batch_input?: string }[] }[];
  };
  const gpt4o = table.models.find((m) => m.id === "gpt-4o")!;
  assert.deepEqual(
    gpt4o.prices.map((e) => e.effective_from),
    ["2024-05-13", "2024-10-02", "2026-07-24"],
  );
  assert.ok(gpt4o.aliases.includes("openai/gpt-4o"));
  // o1's map entry has no batch rate: the book's 50% ratio is kept (o1: $15 in, batch $7.50).
  assert.equal(table.models.find((m) => m.id === "o1")!.prices.at(-1)!.batch_input, "7.5");

  const report = async (extra: string[]) => {
    const r = await cli(["report", "--db", db, "--by", "model", "--format", "json", ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Report;
  };
  const before = await report([]);
  const after = await report(["--pricing", out]);
  // Every request of both files is from before 2026-07-24: nothing changes, to the micro-dollar.
  assert.deepEqual(
    after.rows.map((r) => [r.key.model, r.costUsd, r.unpriced.rows]),
    before.rows.map((r) => [r.key.model, r.costUsd, r.unpriced.rows]),
  );
  assert.equal(after.totals.costUsd, before.totals.costUsd);
  assert.equal(after.totals.unpriced.rows, before.totals.unpriced.rows);
});

test("import-litellm: a date that does not exist is exit 2", async () => {
  const r = await cli(["pricing", "import-litellm", SNAPSHOT, "--effective-from", "2025-02-30", "--out", join(tmp(), "x.json")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--effective-from: "2025-02-30" is not a calendar date/);
});
