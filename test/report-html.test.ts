import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { cli, demoDatabase, tmp } from "./helpers.js";
import { countColor, readPng } from "./png.js";

let dir = "";
let demo = "";
before(async () => {
  ({ dir, db: demo } = await demoDatabase());
});

const unescapeHtml = (s: string): string =>
  s
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
const attr = (tag: string, name: string): string | undefined => new RegExp(`\\sdata-${name}="([^"]*)"`).exec(tag)?.[1];
const text = (html: string): string =>
  unescapeHtml(html.replace(/<[^>]+>/g, ""))
    .replace(/\u00a0/g, " ")
    .trim();

interface PageRow {
  key: Record<string, string>;
  data: Record<string, number>;
  cells: string[];
}

/** The rows of the page's table: keys and numbers from data-* attributes, and the cells as a reader sees them. */
function pageRows(html: string): PageRow[] {
  const body = /<table id="rows">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr class="row"([^>]*)>([\s\S]*?)<\/tr>/g)].map(([, tag, inner]) => {
    const key: Record<string, string> = {};
    for (const m of inner!.matchAll(/<td class="key[^"]*" data-dim="([^"]+)" data-value="([^"]*)">/g)) key[m[1]!] = unescapeHtml(m[2]!);
    const data: Record<string, number> = {};
    for (const m of tag!.matchAll(/data-([a-z0-9-]+)="([^"]*)"/g)) data[m[1]!] = Number(m[2]);
    const cells = [...inner!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!));
    return { key, data, cells };
  });
}

interface JsonRow {
  key: Record<string, string>;
  requests: number;
  tokens: { input: number; cachedInput: number; cacheWrite5m: number; cacheWrite1h: number; output: number; reasoning: number };
  costUsd: number;
  share: number;
  cumulativeShare: number;
  unpriced: { rows: number; requests: number };
}

const money = (s: string): number => Number(s.replace(/[$,]/g, "").replace(/\s*\+ unpriced$/, ""));
const count = (s: string): number => Number(s.replace(/,/g, ""));

/** Writes the page and the JSON report with the same flags, and checks every row's numbers are the same. */
async function samePage(flags: string[]): Promise<{ html: string; json: { totals: { costUsd: number; requests: number }; rows: JsonRow[] } }> {
  const file = join(dir, `page-${flags.join("_").replace(/[^a-z0-9_-]/gi, "")}.html`);
  const r = await cli(["report", "--db", demo, ...flags, "--html", file]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(file, "utf8");
  const j = await cli(["report", "--db", demo, ...flags, "--format", "json"]);
  assert.equal(j.code, 0, j.stderr);
  const json = JSON.parse(j.stdout);
  const rows = pageRows(html);
  assert.ok(json.rows.length > 0);
  assert.equal(rows.length, json.rows.length, "one table row per JSON row");
  json.rows.forEach((x: JsonRow, i: number) => {
    const p = rows[i]!;
    const where = `${flags.join(" ")} row ${i} ${JSON.stringify(x.key)}`;
    assert.deepEqual(p.key, x.key, where);
    assert.deepEqual(
      [
        p.data.cost,
        p.data.share,
        p.data["cumulative-share"],
        p.data.requests,
        p.data.input,
        p.data["cached-input"],
        p.data["cache-write-5m"],
        p.data["cache-write-1h"],
        p.data.output,
        p.data.reasoning,
        p.data["unpriced-requests"],
      ],
      [
        x.costUsd,
        x.share,
        x.cumulativeShare,
        x.requests,
        x.tokens.input,
        x.tokens.cachedInput,
        x.tokens.cacheWrite5m,
        x.tokens.cacheWrite1h,
        x.tokens.output,
        x.tokens.reasoning,
        x.unpriced.requests,
      ],
      where,
    );
    // What a reader sees: requests, input, cached, cache write, output, cost, share, cumulative share.
    const [req, input, cached, write, output, cost, share, cum] = p.cells.slice(Object.keys(x.key).length);
    assert.deepEqual(
      [count(req!), count(input!), count(cached!), count(write!), count(output!)],
      [x.requests, x.tokens.input, x.tokens.cachedInput, x.tokens.cacheWrite5m + x.tokens.cacheWrite1h, x.tokens.output],
      where,
    );
    if (cost === "unpriced") assert.ok(x.costUsd === 0 && x.unpriced.rows > 0, where);
    else assert.ok(Math.abs(money(cost!) - x.costUsd) <= (x.costUsd >= 1 ? 0.005 : 0.00005) + 1e-9, `${where}: ${cost} vs ${x.costUsd}`);
    assert.ok(Math.abs(Number(share!.replace("%", "")) - x.share * 100) <= 0.05 + 1e-9, `${where}: ${share}`);
    assert.ok(Math.abs(Number(cum!.replace("%", "")) - x.cumulativeShare * 100) <= 0.05 + 1e-9, `${where}: ${cum}`);
    assert.match(req!, /^\d{1,3}(,\d{3})*$/, "thousands are grouped");
  });
  const foot = /<tr class="total"([^>]*)>/.exec(html)?.[1] ?? "";
  assert.equal(Number(attr(foot, "cost")), json.totals.costUsd);
  assert.equal(Number(attr(foot, "requests")), json.totals.requests);
  return { html, json };
}

const steps = (html: string) => {
  const tag = /<table id="steps"([^>]*)>/.exec(html)?.[1] ?? "";
  return { baseline: Number(attr(tag, "baseline")), final: Number(attr(tag, "final")), requests: Number(attr(tag, "requests")) };
};

test("report --html: the table holds the JSON report's rows and numbers, and the charts draw them", async () => {
  const { html, json } = await samePage([]);
  assert.equal((html.match(/<rect class="bar"/g) ?? []).length, json.rows.length, "one Pareto bar per row");
  // $ on every bar: the nine features' costs as the table shows them (the unpriced one says so).
  const labels = [...(/<svg id="pareto"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "").matchAll(/<text class="value"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(labels, ["$45.00", "$15.44", "$15.27", "$12.98", "$1.55", "$1.46", "$0.3499", "$0.1273", "unpriced"]);
  assert.match(html, /data from 1 Nov 2025 to 28 Nov 2025 \(28 days, UTC\)/);
  // The waterfall replays the same traffic: its baseline is the report's priced total ($ on each step).
  const s = steps(html);
  assert.equal(s.baseline, json.totals.costUsd);
  assert.equal(s.requests, 14_560);
  const wf = /<svg id="waterfall"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
  assert.equal((wf.match(/<text class="value"[^>]*>(\$|−\$|\+\$)[\d,.]+<\/text>/g) ?? []).length, 6, "a $ label on each of the six steps");
});

test("report --html --where: the table, the daily lines and the waterfall cover only the filtered traffic", async () => {
  const { html, json } = await samePage(["--where", "model=gpt-4o", "--by", "feature,model"]);
  assert.ok(json.rows.every((r) => r.key.model === "gpt-4o-2024-08-06"));
  assert.match(html, /model = <code>gpt-4o-2024-08-06<\/code> \(typed: gpt-4o\)/, "the page says what it is filtered to");
  const s = steps(html);
  assert.equal(s.baseline, json.totals.costUsd, "the waterfall starts from the filtered total, not all traffic");
  assert.equal(s.requests, json.totals.requests);
  assert.ok(s.final < s.baseline);
  assert.equal((html.match(/<polyline class="series"/g) ?? []).length, json.rows.length);
  const since = await samePage(["--where", "feature=chat", "--since", "2025-11-10", "--until", "2025-11-17"]);
  assert.equal(steps(since.html).requests, since.json.totals.requests);
  assert.equal(steps(since.html).baseline, since.json.totals.costUsd);
  assert.match(since.html, /data from 10 Nov 2025 to 16 Nov 2025 \(7 days, UTC\)/);
  assert.equal((since.html.match(/<circle cx="[^"]+" cy="[^"]+" r="2.2"/g) ?? []).length, 7, "one point per day of the window");
});

test("report --html --by day: a time series in date order with $ on each day, not a Pareto", async () => {
  const { html, json } = await samePage(["--by", "day"]);
  assert.ok(!html.includes('id="pareto"'), "no Pareto of days");
  const buckets = [...html.matchAll(/<rect class="tbar" data-bucket="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(buckets.length, 28);
  assert.deepEqual(buckets, [...buckets].sort(), "in time order");
  assert.deepEqual(
    buckets,
    json.rows.map((r) => r.key.day),
  );
  const ts = /<svg id="timeseries"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
  assert.equal((ts.match(/<text class="value"[^>]*>\$[\d.]+<\/text>/g) ?? []).length, 28);
  assert.match(html, /<td class="key time" data-dim="day" data-value="2025-11-01">Sat 1 Nov 2025<\/td>/);
  // Another zone moves the days, in the table and the chart alike; weeks fill every bucket with no gap.
  const ny = await samePage(["--by", "day,model", "--tz", "America/New_York", "--since", "2025-11-03", "--until", "2025-11-10"]);
  assert.deepEqual(
    [...new Set([...ny.html.matchAll(/data-bucket="([^"]+)"/g)].map((m) => m[1]))],
    ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07", "2025-11-08", "2025-11-09"],
  );
  assert.match(ny.html, /America\/New_York/);
  const week = await samePage(["--by", "week"]);
  assert.deepEqual(
    [...week.html.matchAll(/data-bucket="([^"]+)"/g)].map((m) => m[1]),
    week.json.rows.map((r) => r.key.week),
  );
});

test("report --html escapes every name from the data: features, models, filters, legends", async () => {
  const t = tmp();
  const db = join(t, "x.duckdb");
  const evil = "<script>alert('x')</script>&\"";
  writeFileSync(
    join(t, "x.jsonl"),
    [
      JSON.stringify({ timestamp: "2025-10-20T08:00:00Z", model: "gpt-4o", feature: evil, input_tokens: 5000, output_tokens: 100 }),
      JSON.stringify({ timestamp: "2025-10-21T08:00:00Z", model: "gpt-4o-mini", feature: "chat", input_tokens: 500, output_tokens: 100 }),
    ].join("\n") + "\n",
  );
  assert.equal((await cli(["ingest", "--db", db, join(t, "x.jsonl")])).code, 0);
  for (const flags of [[], ["--by", "feature,model"], ["--where", `feature=${evil}`], ["--by", "day,feature"]]) {
    const file = join(t, "r.html");
    const r = await cli(["report", "--db", db, ...flags, "--html", file]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(file, "utf8");
    assert.ok(!html.includes("<script") && !html.includes("alert('x')"), `escaped with ${flags.join(" ")}`);
    assert.ok(html.includes("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"), flags.join(" "));
    assert.ok(!/\ssrc=|\shref=|url\(|@import/i.test(html), "nothing is fetched");
  }
});

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
test("report --html --by day,model renders in headless Chromium: the stacked series is drawn", {
  skip: CHROMIUM ? false : "Chromium is not installed (apt-get install chromium)",
}, async () => {
  const page = join(dir, "series.html");
  assert.equal((await cli(["report", "--db", demo, "--by", "day,model", "--html", page])).code, 0);
  const shot = join(dir, "series.png");
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
      "--window-size=900,1000",
      `--screenshot=${shot}`,
      `file://${page}`,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  assert.ok(existsSync(shot), r.stderr);
  const img = readPng(readFileSync(shot));
  // gpt-4o is the bottom of every day's bar (#2563eb), o3 the next (#f59e0b).
  assert.ok(countColor(img, [37, 99, 235]) > 20_000, `blue pixels: ${countColor(img, [37, 99, 235])}`);
  assert.ok(countColor(img, [245, 158, 11]) > 3_000, `amber pixels: ${countColor(img, [245, 158, 11])}`);
});
