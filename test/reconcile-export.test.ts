import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { cli, demoDatabase, golden, stable, query, tmp } from "./helpers.js";
import { countColor, readPng } from "./png.js";

let dir = "";
let mixed = "";
let demo = "";
before(async () => {
  dir = tmp();
  mixed = join(dir, "mixed.duckdb");
  const files = ["openai-usage.csv", "openai-cost-v1.csv", "requests-openai.jsonl", "anthropic-cost.csv", "anthropic-tokens.csv"].map(
    (f) => `fixtures/formats/${f}`,
  );
  assert.equal((await cli(["ingest", "--db", mixed, ...files])).code, 0);
  ({ db: demo } = await demoDatabase());
});

test("reconcile: billed vs computed vs request logs per day × provider × model", async () => {
  const r = await cli(["reconcile", "--db", mixed]);
  assert.equal(r.code, 0, r.stderr);
  golden("reconcile/mixed.table", stable(r.stdout, dir));
  const j = JSON.parse((await cli(["reconcile", "--db", mixed, "--format", "json"])).stdout);
  const gpt4o = j.rows.find((x: { day: string; model: string }) => x.day === "2025-10-05" && x.model === "gpt-4o-2024-08-06");
  // The dashboard cost export ($0.13360 + $0.00720 + $0.10646) matches the usage export priced by llmcost exactly.
  assert.deepEqual([gpt4o.billedUsd, gpt4o.computedUsd, gpt4o.deltaUsd, gpt4o.flagged], [0.24726, 0.24726, 0, false]);
  assert.deepEqual(
    j.providers.map((p: { provider: string; coveragePct: number | null }) => [p.provider, p.coveragePct === null ? null : Math.round(p.coveragePct)]),
    [
      ["anthropic", 0],
      ["google", null],
      ["openai", 100],
    ],
  );
  assert.equal(j.totals.billedUsd, 4.62726);
  assert.ok(
    j.rows.some((x: { flagged: boolean; billedUsd: number | null; computedUsd: number | null }) => x.flagged && x.billedUsd !== null && x.computedUsd === null),
    "a bill with no usage export is flagged",
  );
  const tight = JSON.parse((await cli(["reconcile", "--db", mixed, "--since", "2025-10-05", "--until", "2025-10-06", "--format", "json"])).stdout);
  assert.deepEqual([...new Set(tight.rows.map((x: { day: string }) => x.day))], ["2025-10-05"]);
});

test("report --source billing --by feature allocates the bill exactly, with an (unattributed) row", async () => {
  const r = await cli(["report", "--db", mixed, "--source", "billing", "--by", "feature", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.allocatedFrom, "cost exports");
  const rows = Object.fromEntries(j.rows.map((x: { key: { feature: string }; costUsd: number }) => [x.key.feature, x.costUsd]));
  // 2025-10-05 gpt-4o: the only logged feature is "summarize", so the whole $0.24726 line goes to it.
  assert.deepEqual(rows, { "(unattributed)": 4.38, summarize: 0.24726 });
  assert.equal(j.totals.costUsd, 4.62726);
  assert.equal((await cli(["report", "--db", mixed, "--source", "billing", "--by", "feature", "--where", "model=x"])).code, 2);
});

test("export --parquet writes the canonical table partitioned by day, readable by DuckDB", async () => {
  const out = join(dir, "parquet");
  const r = await cli(["export", "--db", demo, "--parquet", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readdirSync(out).filter((d) => d.startsWith("day=")).length, 28);
  const rows = await query(
    demo,
    `SELECT count(*)::INT AS n, count(DISTINCT day)::INT AS days FROM read_parquet('${out}/**/*.parquet', hive_partitioning = true)`,
  );
  assert.deepEqual(rows, [{ n: 14560, days: 28 }]);
  assert.equal((await cli(["export", "--db", demo, "--parquet", out])).code, 2, "a non-empty directory needs --overwrite");
  assert.equal((await cli(["export", "--db", demo])).code, 2);
});

test("report --html: one self-contained page with the Pareto, daily and waterfall charts, escaped", async () => {
  const t = tmp();
  const db = join(t, "x.duckdb");
  const evil = "<script>alert(1)</script>";
  writeFileSync(
    join(t, "x.jsonl"),
    [
      JSON.stringify({ timestamp: "2025-10-20T08:00:00Z", model: "gpt-4o", feature: evil, input_tokens: 5000, output_tokens: 100 }),
      JSON.stringify({ timestamp: "2025-10-21T08:00:00Z", model: "gpt-4o-mini", feature: "chat", input_tokens: 500, output_tokens: 100 }),
    ].join("\n") + "\n",
  );
  assert.equal((await cli(["ingest", "--db", db, join(t, "x.jsonl")])).code, 0);
  const file = join(t, "r.html");
  assert.equal((await cli(["report", "--db", db, "--html", file])).code, 0);
  const html = readFileSync(file, "utf8");
  assert.ok(!html.includes(evil) && html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "feature names are escaped");
  assert.ok(!/<script|\ssrc=|\shref=|url\(/i.test(html), "no scripts and nothing fetched");
  const page = join(dir, "demo.html");
  assert.equal((await cli(["report", "--db", demo, "--html", page])).code, 0);
  const demoHtml = readFileSync(page, "utf8");
  assert.equal((demoHtml.match(/<svg /g) ?? []).length, 3);
  assert.equal((demoHtml.match(/<rect class="bar"/g) ?? []).length, 9, "one Pareto bar per feature");
  assert.equal((demoHtml.match(/<polyline class="series"/g) ?? []).length, 6);
  assert.equal((demoHtml.match(/<rect class="step"/g) ?? []).length, 6, "baseline, four tactics, after");
});

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
test("report --html renders in headless Chromium: the SVG charts are drawn", {
  skip: CHROMIUM ? false : "Chromium is not installed (apt-get install chromium)",
}, async () => {
  const page = join(dir, "render.html");
  assert.equal((await cli(["report", "--db", demo, "--html", page])).code, 0);
  const shot = join(dir, "shot.png");
  const r = spawnSync(
    CHROMIUM!,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--user-data-dir=${mkdtempSync(join(tmpdir(), "chrome-"))}`,
      "--window-size=900,2600",
      `--screenshot=${shot}`,
      `file://${page}`,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  assert.ok(existsSync(shot), r.stderr);
  const img = readPng(readFileSync(shot));
  assert.equal(img.width, 900);
  // Pareto bars and waterfall ends are #2563eb, waterfall savings #16a34a: thousands of pixels each when drawn.
  assert.ok(countColor(img, [37, 99, 235]) > 20_000, `blue pixels: ${countColor(img, [37, 99, 235])}`);
  assert.ok(countColor(img, [22, 163, 74]) > 5_000, `green pixels: ${countColor(img, [22, 163, 74])}`);
});

test("an output path that can't be written is exit 2 with the reason, before any work", async () => {
  const missing = join(dir, "no-such-dir", "out");
  for (const args of [
    ["export", "--db", demo, "--focus", `${missing}.csv`],
    ["export", "--db", demo, "--parquet", join(missing, "pq")],
    ["report", "--db", demo, "--html", `${missing}.html`],
    ["budget", "--db", demo, "--max-daily", "1", "--summary", `${missing}.md`],
  ]) {
    const r = await cli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /^llmcost: --\w+ .*: directory .* does not exist\n$/);
  }
});
