import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { parse } from "csv-parse/sync";
import { cli, FIXTURES, golden, normalise, tmp } from "./helpers.js";

// The demo's bill, worked out by hand from the fixture files (no llmcost code): the providers' list rates in
// micro-dollars per 1M tokens (so tokens × rate is picodollars), the request logs' tokens as each provider counts them.
const RATES: Record<string, Record<string, bigint>> = {
  "gpt-4o-2024-08-06": { input: 2_500_000n, cached: 1_250_000n, output: 10_000_000n },
  "gpt-4o-mini-2024-07-18": { input: 150_000n, cached: 75_000n, output: 600_000n },
  "o3-2025-04-16": { input: 2_000_000n, cached: 500_000n, output: 8_000_000n },
  "gpt-4.1-mini-2025-04-14": { input: 400_000n, cached: 100_000n, output: 1_600_000n },
  "claude-sonnet-4-5-20250929": { input: 3_000_000n, cached: 300_000n, write5m: 3_750_000n, output: 15_000_000n },
};
/** The fine-tuned model's rates (llmcost ships no price for it; a test passes this one with --pricing). */
const FINE_TUNED = { input: 300_000n, cached: 150_000n, output: 1_200_000n };
const GEMINI = { input: 300_000n, output: 2_500_000n }; // gemini-2.5-flash: logged, but no bill in the demo
const DEMO = join(FIXTURES, "demo");
/** A decimal string of dollars (OpenAI) or cents (Anthropic, `cents`) as picodollars (1e-12 $). */
const pico = (s: string, cents = false): bigint => {
  const [i, f = ""] = s.split(".");
  return BigInt(i! + f.padEnd(12, "0").slice(0, 12)) / (cents ? 100n : 1n);
};
const dollars = (p: bigint): number => Number(p) / 1e12;
/** Dollars as llmcost's JSON prints them: rounded to 6 decimals. */
const json6 = (p: bigint): number => Number(dollars(p).toFixed(6));

/** All in picodollars. */
interface Hand {
  billed: bigint;
  /** Bill lines no request log explains: the eval project, the Console workspace, the fine-tuned model. */
  untracked: { evals: bigint; research: bigint; fineTuned: bigint };
  /** Request-log cost of OpenAI and Anthropic (the providers with a bill): tagged (a user:feature tag) and untagged. */
  tagged: bigint;
  untagged: bigint;
  /** Request-log cost of Gemini (tagged; no bill). */
  gemini: bigint;
  /** Request-log cost of the fine-tuned model at FINE_TUNED's rates (all tagged legal-drafts). */
  fineTunedLogged: bigint;
}

function byHand(): Hand {
  const openai = JSON.parse(readFileSync(join(DEMO, "openai-costs.json"), "utf8")) as {
    data: { results: { amount: { value: string }; line_item: string; project_id: string }[] }[];
  };
  const anthropic = JSON.parse(readFileSync(join(DEMO, "anthropic-cost-report.json"), "utf8")) as {
    data: { results: { amount: string; workspace_id: string }[] }[];
  };
  const h: Hand = { billed: 0n, untracked: { evals: 0n, research: 0n, fineTuned: 0n }, tagged: 0n, untagged: 0n, gemini: 0n, fineTunedLogged: 0n };
  for (const b of openai.data) {
    for (const r of b.results) {
      const v = pico(r.amount.value);
      h.billed += v;
      if (r.project_id === "proj_evals") h.untracked.evals += v;
      if (r.line_item.startsWith("ft:")) h.untracked.fineTuned += v;
    }
  }
  for (const b of anthropic.data) {
    for (const r of b.results) {
      const v = pico(r.amount, true);
      h.billed += v;
      if (r.workspace_id === "wrkspc_research") h.untracked.research += v;
    }
  }
  for (const line of readFileSync(join(DEMO, "requests.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    const x = JSON.parse(line);
    if (x.usageMetadata) {
      h.gemini += BigInt(x.usageMetadata.promptTokenCount) * GEMINI.input + BigInt(x.usageMetadata.candidatesTokenCount) * GEMINI.output;
      continue;
    }
    if ((x.model as string).startsWith("ft:")) {
      const cached = x.usage.prompt_tokens_details?.cached_tokens ?? 0;
      h.fineTunedLogged +=
        BigInt(x.usage.prompt_tokens - cached) * FINE_TUNED.input + BigInt(cached) * FINE_TUNED.cached + BigInt(x.usage.completion_tokens) * FINE_TUNED.output;
      continue; // no price in llmcost's tables
    }
    const rate = RATES[x.model as string]!;
    let cost: bigint;
    if (x.usage.prompt_tokens !== undefined) {
      // OpenAI: prompt_tokens includes the cached ones.
      const cached = x.usage.prompt_tokens_details?.cached_tokens ?? 0;
      cost = BigInt(x.usage.prompt_tokens - cached) * rate.input! + BigInt(cached) * rate.cached! + BigInt(x.usage.completion_tokens) * rate.output!;
    } else {
      // Anthropic: input_tokens excludes cache reads and writes.
      const u = x.usage;
      cost =
        BigInt(u.input_tokens) * rate.input! +
        BigInt(u.cache_read_input_tokens) * rate.cached! +
        BigInt(u.cache_creation_input_tokens) * rate.write5m! +
        BigInt(u.output_tokens) * rate.output!;
    }
    const tag = (x.safety_identifier ?? x.metadata?.user_id ?? x.user) as string;
    if (/^[0-9a-f]{12}:.+$/.test(tag)) h.tagged += cost;
    else h.untagged += cost;
  }
  return h;
}

let dir = "";
let db = "";
let hand: Hand;
let demo: { code: number; stdout: string; stderr: string };
before(async () => {
  hand = byHand();
  dir = tmp();
  db = join(dir, "demo.duckdb");
  demo = await cli(["demo", "--db", db]);
});

test("the demo's bill by hand: $94.66, of which the logs tag 96.86%; the rest is untagged logs and three workloads the logs never saw", async () => {
  assert.equal(dollars(hand.billed), 94.659786);
  assert.equal(dollars(hand.tagged), 91.68512645);
  assert.equal(dollars(hand.untagged), 0.1272696);
  assert.equal(dollars(hand.gemini), 0.349855);
  assert.deepEqual(Object.values(hand.untracked).map(dollars), [1.0977, 1.41525, 0.334432]);
  // The app's own lines are billed as logged (to the bill's rounding): billed − tagged is the untagged logs plus the
  // work the logs never saw.
  const remainder = hand.billed - hand.tagged;
  const explained = hand.untagged + hand.untracked.evals + hand.untracked.research + hand.untracked.fineTuned;
  const off = remainder > explained ? remainder - explained : explained - remainder;
  assert.ok(off < 10n ** 7n, `${remainder} vs ${explained}: within $0.00001 (the bill's rounding)`);
  assert.equal(((100 * Number(hand.tagged)) / Number(hand.billed)).toFixed(4), "96.8575");
});

test("demo --db: reconcile and report --source billing tell the hand-computed story", async () => {
  assert.equal(demo.code, 0, demo.stderr);
  assert.equal(demo.stderr, `demo: ingested 15,066 rows from 3 bundled file(s) into ${db}\n`);
  const r = JSON.parse((await cli(["reconcile", "--db", db, "--format", "json"])).stdout);
  assert.equal(r.totals.billedUsd, json6(hand.billed));
  // Tagged: every request log with a tag (Gemini's too); coverage and the remainder are over the billed lines only.
  assert.equal(r.totals.attributedUsd, json6(hand.tagged + hand.gemini));
  assert.equal(r.totals.coveragePct, Number(((100 * Number(hand.tagged)) / Number(hand.billed)).toFixed(4)));
  assert.equal(r.totals.coveragePct, 96.8575);
  assert.equal(r.totals.unattributedUsd, json6(hand.billed - hand.tagged));
  assert.equal(r.totals.flaggedLines, 29);
  const flagged = r.rows.filter((x: { flagged: boolean }) => x.flagged);
  // Every day's fine-tuned line (billed; llmcost has no price for it), and the Console afternoon of 2025-11-18.
  const ft = flagged.filter((x: { model: string }) => x.model === "ft:gpt-4o-mini-2024-07-18:acme::legal01");
  assert.equal(ft.length, 28);
  // Its logs are there, unpriced: all 163 legal-drafts requests, named on the lines ("unpriced logs (N)" in the table).
  assert.ok(ft.every((x: { loggedUsd: number | null; comparedWith: string | null }) => x.loggedUsd === null && x.comparedWith === null));
  assert.equal(
    ft.reduce((a: number, x: { unpricedRequests: number }) => a + x.unpricedRequests, 0),
    163,
  );
  const sonnet = flagged.filter((x: { provider: string }) => x.provider === "anthropic");
  assert.deepEqual(
    sonnet.map((x: { day: string; billedUsd: number; loggedUsd: number }) => [x.day, x.billedUsd, x.loggedUsd]),
    [["2025-11-18", 1.918307, 0.503057]],
  );
  assert.equal(Number((sonnet[0].billedUsd - sonnet[0].loggedUsd).toFixed(6)), json6(hand.untracked.research));
  // The eval job stays inside the tolerance on every day: never flagged, only in the remainder.
  const gpt4o = r.rows.filter((x: { model: string }) => x.model === "gpt-4o-2024-08-06");
  assert.equal(gpt4o.length, 28);
  assert.ok(gpt4o.every((x: { flagged: boolean; deltaPct: number }) => !x.flagged && x.deltaPct < 0 && x.deltaPct > -5));
  // With the fine-tuned model's price the 28 lines clear (its bill is its logs at that price); the Console afternoon stays.
  const ftPrice = join(dir, "ft.json");
  writeFileSync(
    ftPrice,
    JSON.stringify({
      models: [
        {
          id: "ft:gpt-4o-mini-2024-07-18:acme::legal01",
          provider: "openai",
          prices: [{ effective_from: "2024-07-18", input: "0.3", cached_input: "0.15", output: "1.2" }],
        },
      ],
    }),
  );
  const priced = JSON.parse((await cli(["reconcile", "--db", db, "--pricing", ftPrice, "--format", "json"])).stdout);
  assert.equal(priced.totals.flaggedLines, 1);
  assert.equal(priced.totals.unattributedUsd, json6(hand.billed - hand.tagged - hand.fineTunedLogged));
  assert.ok(
    hand.untracked.fineTuned - hand.fineTunedLogged < 10n ** 7n && hand.fineTunedLogged - hand.untracked.fineTuned < 10n ** 7n,
    "billed as logged, to the bill's rounding",
  );
  const google = r.providers.find((p: { provider: string }) => p.provider === "google");
  assert.equal(google.billedUsd, null, "no Google bill in the demo");

  const bill = JSON.parse((await cli(["report", "--db", db, "--source", "billing", "--by", "project", "--format", "json"])).stdout);
  assert.equal(bill.totals.costUsd, r.totals.billedUsd);
  const evals = bill.rows.find((x: { key: { project: string } }) => x.key.project === "proj_evals");
  assert.equal(evals.costUsd, json6(hand.untracked.evals));
  // The bill by feature: the fine-tune has no price, so its lines go by logged tokens to the one feature that calls
  // it (legal-drafts, its 163 requests), said on stderr; nothing of the bill is left (unattributed).
  const byFeature = await cli(["report", "--db", db, "--source", "billing", "--by", "feature", "--format", "json"]);
  const features = JSON.parse(byFeature.stdout);
  const legal = features.rows.find((x: { key: { feature: string } }) => x.key.feature === "legal-drafts");
  assert.equal(legal.costUsd, json6(hand.untracked.fineTuned));
  assert.equal(legal.requests, 163);
  assert.equal(
    features.rows.find((x: { key: { feature: string } }) => x.key.feature === "(unattributed)"),
    undefined,
  );
  assert.equal(features.totals.costUsd, r.totals.billedUsd);
  assert.match(
    byFeature.stderr,
    /^note: \$0\.3344 of the bill \(ft:gpt-4o-mini-2024-07-18:acme::legal01\) has request logs but no request-log cost \(unpriced\): allocated to features by their logged tokens instead$/m,
  );
  // Without --source the report stays on the request logs: the demo's report is unchanged by the bill.
  assert.equal(JSON.parse((await cli(["report", "--db", db, "--format", "json"])).stdout).totals.costUsd, 92.162251);
});

test("demo --db prints next commands that run on its database, reconcile and the bill among them", async () => {
  const next = demo.stdout.split("\n").filter((l) => l.startsWith("  llmcost "));
  assert.ok(next.some((l) => / reconcile /.test(l)));
  assert.ok(next.some((l) => / report .*--source billing/.test(l)));
  for (const l of next) {
    assert.ok(l.includes(` --db ${db}`), l);
    const r = await cli(l.trim().split(/\s+/).slice(1));
    assert.equal(r.code, 0, `${l}: ${r.stderr}`);
  }
  golden("demo/demo.table", normalise(demo.stdout, dir));
  golden("demo/reconcile-flagged.table", (await cli(["reconcile", "--db", db, "--flagged"])).stdout);
  golden("demo/bill-by-project.table", (await cli(["report", "--db", db, "--source", "billing", "--by", "project"])).stdout);
  // The temporary demo names reconcile too, and how to keep the data for it.
  const temp = await cli(["demo"]);
  assert.equal(temp.code, 0);
  assert.match(temp.stdout, /llmcost reconcile .*llmcost demo --db demo\.duckdb/);
  assert.match(
    temp.stdout,
    /^The bill: \$94\.66 \(anthropic \$16\.68, openai \$77\.98\); the request logs tag 96\.9% of it to features, \$2\.97 is unattributed; 29 bill line\(s\) flagged/m,
  );
});

test("demo --format json is one envelope with schemaVersion; its parts are the report, savings and reconcile documents", async () => {
  const r = await cli(["demo", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.command, "demo");
  assert.equal(j.currency, "USD");
  assert.match(j.pricing.sha256, /^[0-9a-f]{64}$/);
  assert.equal(j.generatedAt, "2026-11-24T12:00:00.000Z");
  assert.equal(j.database, null);
  assert.deepEqual(j.ingested, { files: 3, rows: 15066 });
  assert.deepEqual([j.report.command, j.savings.command, j.reconcile.command], ["report", "savings", "reconcile"]);
  for (const part of [j.report, j.savings, j.reconcile]) assert.equal(part.schemaVersion, 1);
  assert.equal(j.report.totals.costUsd, 92.162251);
  assert.equal(j.reconcile.totals.billedUsd, 94.659786);
  const kept = JSON.parse((await cli(["demo", "--db", join(dir, "json.duckdb"), "--format", "json"])).stdout);
  assert.equal(kept.database, join(dir, "json.duckdb"));
});

test("demo --format csv is one table of data: a `table` column, raw numbers, no display strings", async () => {
  const r = await cli(["demo", "--format", "csv"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
  assert.deepEqual([...new Set(rows.map((x) => x.table))], ["report", "savings", "bill"]);
  assert.equal(rows.filter((x) => x.table === "report").length, 9);
  assert.equal(rows.filter((x) => x.table === "savings").length, 5);
  const summarize = rows.find((x) => x.table === "report" && x.feature === "summarize-articles")!;
  assert.equal(summarize.cost_usd, "44.998938");
  assert.equal(summarize.requests, "4567");
  const openai = rows.find((x) => x.table === "bill" && x.provider === "openai")!;
  assert.deepEqual([openai.billed_usd, openai.coverage_share, openai.flagged_lines], ["77.977446", "0.980002", "28"]);
  assert.equal(rows.find((x) => x.table === "bill" && x.provider === "google")!.billed_usd, "");
  for (const x of rows) for (const v of Object.values(x)) assert.doesNotMatch(v, /^\$|%$|^—$|\d,\d{3}/, `a display string in the CSV: ${v}`);
});
