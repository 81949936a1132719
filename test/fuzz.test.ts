import assert from "node:assert/strict";
import { test } from "node:test";
import { runFuzz } from "../scripts/fuzz.js";
import { FULL_TIER } from "./helpers.js";

// A seeded sample of the fuzzer (npm run fuzz runs 5,000): every mutant of every fixture is accepted with sane rows
// or refused with exit 2, the file named, a reason in plain words and the database unchanged. Bounded to about a
// minute, with a fixed seed so CI is repeatable (npm run fuzz takes FUZZ_SEED for new mutants).
test("fuzz: every mutant of every fixture is accepted with sane rows or refused in plain words, database unchanged", FULL_TIER, async () => {
  process.env.LLMCOST_NOW ??= "2026-11-24T12:00:00Z";
  const seed = Number(process.env.FUZZ_SEED ?? 1);
  const res = await runFuzz({ seed, count: 400, budgetMs: 60_000 });
  assert.ok(res.mutants >= 20, `only ${res.mutants} mutants in the time budget`);
  assert.ok(res.outcomes.accepted! > 0 && res.outcomes.refused! > 0, JSON.stringify(res.outcomes));
  assert.deepEqual(res.failures, [], `replay with FUZZ_SEED=${seed} npm run fuzz`);
});
