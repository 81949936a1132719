import assert from "node:assert/strict";
import { test } from "node:test";
import { Chalk } from "chalk";
import Table from "cli-table3";
import { rng } from "../scripts/synthetic.js";
import { boxTable } from "../src/output/box.js";
import { displayWidth } from "../src/output/fit.js";

/** The table as cli-table3 drew it for llmcost (before box.ts): no colour on heads or borders, no rule between rows. */
function cliTable3(head: string[], rows: string[][], align?: ("left" | "right")[]): string {
  const t = new Table({
    head,
    style: { head: [], border: [] },
    ...(align ? { colAligns: align } : {}),
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const r of rows) t.push(r);
  return t.toString();
}

test("box tables are the bytes cli-table3 drew: random heads, rows, alignments, wrapped cells, colour and wide characters", () => {
  const random = rng(20261203);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
  const colour = new Chalk({ level: 1 });
  const words = [
    "",
    "a",
    "gpt-4o",
    "$45.00",
    "48.8%",
    "summarize-articles",
    "日本語",
    "é",
    "e\u0301",
    "x y",
    "Saved\nper\nmonth",
    "one\ntwo",
    "—",
    "✓",
    "🚀",
    "🤖 bot",
  ];
  let compared = 0;
  for (let t = 0; t < 1500; t++) {
    const n = 1 + Math.floor(random() * 5);
    const head = random() < 0.9 ? Array.from({ length: n }, () => pick(words) || "H") : [];
    const rows = Array.from({ length: Math.floor(random() * 6) }, () =>
      Array.from({ length: n }, () => {
        const w = pick(words);
        return random() < 0.2 ? colour.red(w) : random() < 0.1 ? colour.bold.green(w) : w;
      }),
    );
    const align = random() < 0.7 ? Array.from({ length: n }, () => pick(["left", "right"] as const)) : undefined;
    if (!head.length && !rows.length) continue;
    assert.equal(boxTable(head, rows, align), cliTable3(head, rows, align), JSON.stringify({ head, rows, align }));
    compared++;
  }
  assert.ok(compared > 1400);
});

test("emoji from the data take two columns, as a terminal draws them (transport and map symbols, extended-A too)", () => {
  assert.equal(displayWidth("🚀"), 2);
  assert.equal(displayWidth("🪄 wand"), 7);
  assert.equal(displayWidth("🤖 bot"), 6);
  assert.equal(displayWidth("✓"), 1);
});

test("a table of more rows than a call takes arguments (a report by user) is drawn, every row", () => {
  const rows = Array.from({ length: 200_000 }, (_, i) => [`user-${i}`, `$${i}.00`]);
  const out = boxTable(["USER", "Cost"], rows, ["left", "right"]).split("\n");
  assert.equal(out.length, 200_003);
  assert.equal(out[1], `│ USER        │       Cost │`);
  assert.equal(out[200_001], `│ user-199999 │ $199999.00 │`);
});
