import assert from "node:assert/strict";
import { test } from "node:test";
import { concat, type Doc, type DocTable, emit, heading, note, restrict, subtitle, tableBlock, text } from "../src/output/document.js";

// The emitters alone, no CLI: every expected string is written out by hand. Off a terminal (node --test pipes
// stdout), tables are full width and uncoloured.

/** One row of each column type, and a row of nothing. */
const TYPES: DocTable = {
  name: "types",
  columns: [
    { key: "cost_usd", head: "Cost", type: "money" },
    { key: "requests", head: "Requests", type: "count" },
    { key: "share", head: "Share", type: "percent" },
    { key: "day", head: "Day", type: "date" },
    { key: "name", head: "Name", type: "text" },
    { key: "hours", head: "Hours", type: "number" },
    { key: "ok", head: "OK", type: "boolean" },
  ],
  rows: [
    ["1234.5678", 14560, 0.8612, "2025-11-28", "chat, v2", 12.13, true],
    ["0.00012345", 7, 0.5, "2025-11-29", 'say "hi"', 0.5, false],
    [null, null, null, null, null, null, null],
  ],
};
const doc = (...blocks: Doc["blocks"]): Doc => ({ blocks });

test("table: money as $ (4 places below $1), counts grouped, shares as %, numbers and dates as they are, none empty; numbers right, heads too", () => {
  assert.equal(
    emit(doc(tableBlock(TYPES)), "table"),
    [
      "┌───────────┬──────────┬───────┬────────────┬──────────┬───────┬─────┐",
      "│      Cost │ Requests │ Share │ Day        │ Name     │ Hours │  OK │",
      "│ $1,234.57 │   14,560 │ 86.1% │ 2025-11-28 │ chat, v2 │ 12.13 │ yes │",
      '│   $0.0001 │        7 │ 50.0% │ 2025-11-29 │ say "hi" │   0.5 │  no │',
      "│           │          │       │            │          │       │     │",
      "└───────────┴──────────┴───────┴────────────┴──────────┴───────┴─────┘",
      "",
    ].join("\n"),
  );
});

test("csv: keys as the header, dollars to 6 places, fractions, raw counts, true/false, quoted text, empty for none", () => {
  assert.equal(
    emit(doc(tableBlock(TYPES)), "csv"),
    [
      "cost_usd,requests,share,day,name,hours,ok",
      '1234.5678,14560,0.8612,2025-11-28,"chat, v2",12.13,true',
      '0.000123,7,0.5,2025-11-29,"say ""hi""",0.5,false',
      ",,,,,,",
      "",
    ].join("\n"),
  );
});

test("markdown: the alignment row right-aligns numbers; pipes are escaped; none is an empty cell", () => {
  const t: DocTable = {
    ...TYPES,
    rows: [
      ["5", 3, 0.25, "2025-11-28", "a|b", 1, true],
      [null, null, null, null, null, null, null],
    ],
  };
  assert.equal(
    emit(doc(tableBlock(t)), "markdown"),
    [
      "| Cost | Requests | Share | Day | Name | Hours | OK |",
      "| ---: | ---: | ---: | --- | --- | ---: | ---: |",
      "| $5.00 | 3 | 25.0% | 2025-11-28 | a\\|b | 1 | yes |",
      "|  |  |  |  |  |  |  |",
      "",
    ].join("\n"),
  );
  // alignMarkdown: false writes a plain separator row.
  assert.match(emit(doc(tableBlock({ ...t, alignMarkdown: false })), "markdown"), /^\| Cost .*\n\| --- \| --- \| --- \| --- \| --- \| --- \| --- \|\n/);
});

test("a cell's text is what people read; its value is what the CSV holds; a cell of none may say so", () => {
  const t: DocTable = {
    name: "t",
    columns: [
      { key: "cost_usd", head: "Cost", type: "money" },
      { key: "flagged", head: "Flag", type: "boolean" },
    ],
    rows: [
      [
        { value: "4.2", text: "$4.20 +unpriced", tone: "warn" },
        { value: true, text: "CHECK" },
      ],
      [
        { value: null, text: "—" },
        { value: false, text: "" },
      ],
    ],
  };
  assert.equal(emit(doc(tableBlock(t)), "csv"), "cost_usd,flagged\n4.2,true\n,false\n");
  assert.equal(emit(doc(tableBlock(t)), "markdown"), "| Cost | Flag |\n| ---: | ---: |\n| $4.20 +unpriced | CHECK |\n| — |  |\n");
});

test("only: a block or a column in some formats (a CSV-only split, a terminal-only line)", () => {
  const t: DocTable = {
    name: "t",
    columns: [
      { key: "model", head: "Model", type: "text" },
      { key: "rate", head: "Rate in/out", type: "text", only: ["table", "markdown"] },
      { key: "input", head: "", type: "number", only: ["csv"] },
      { key: "output", head: "", type: "number", only: ["csv"] },
    ],
    rows: [["gpt-4o", "2.5/10", "2.5", "10"]],
  };
  const d = doc(text("for people", ["table"]), tableBlock(t), note("a caveat", ["markdown"]));
  assert.equal(emit(d, "csv"), "model,input,output\ngpt-4o,2.5,10\n");
  assert.equal(emit(d, "markdown"), "| Model | Rate in/out |\n| --- | --- |\n| gpt-4o | 2.5/10 |\n\n> a caveat\n");
  assert.equal(emit(d, "table"), "for people\n┌────────┬─────────────┐\n│ Model  │ Rate in/out │\n│ gpt-4o │ 2.5/10      │\n└────────┴─────────────┘\n");
});

test("csv of several tables: one header led by `table`, the union of the keys in order of first use, or csvKeys", () => {
  const a: DocTable = {
    name: "providers",
    columns: [
      { key: "provider", head: "", type: "text" },
      { key: "billed_usd", head: "", type: "money" },
    ],
    rows: [["openai", "0.24726"]],
  };
  const b: DocTable = {
    name: "lines",
    columns: [
      { key: "day", head: "", type: "date" },
      { key: "provider", head: "", type: "text" },
      { key: "flagged", head: "", type: "boolean" },
    ],
    rows: [["2025-10-05", "openai", false]],
  };
  const d = doc(text("prose is not data"), tableBlock(a), tableBlock(b));
  assert.equal(emit(d, "csv"), "table,provider,billed_usd,day,flagged\nproviders,openai,0.24726,,\nlines,openai,,2025-10-05,false\n");
  // The order wanted; a key no table has is left out, a key not named follows.
  assert.equal(
    emit({ ...d, csvKeys: ["day", "provider", "nowhere"] }, "csv"),
    "table,day,provider,billed_usd,flagged\nproviders,,openai,0.24726,\nlines,2025-10-05,openai,,false\n",
  );
  // A table without rows still brings its columns (a CSV's header does not depend on the data).
  assert.equal(emit(doc(tableBlock(a), tableBlock({ ...b, rows: [] })), "csv"), "table,provider,billed_usd,day,flagged\nproviders,openai,0.24726,,\n");
});

test("prose blocks: terminal lines; markdown bold headline, italic scope, quoted note, lists; blocks a blank line apart or by gap", () => {
  const d = doc(
    heading("Spend"),
    subtitle("by feature"),
    text("plain"),
    note("careful"),
    { kind: "list", title: "Notes:", items: ["one", "two"] },
    { kind: "list", title: "Flat:", items: ["x"], bullets: false },
  );
  assert.equal(emit(d, "table"), "Spend\nby feature\nplain\ncareful\nNotes:\n  - one\n  - two\nFlat:\n  x\n");
  assert.equal(emit(d, "markdown"), "**Spend**\n\n_by feature_\n\nplain\n\n> careful\n\nNotes:\n- one\n- two\n\nFlat:\nx\n");
  assert.equal(emit(d, "csv"), "", "prose is no CSV");
  // gap: 0 glues a caption to its table, 2 leaves two blank lines; an empty last block with gap 0 ends on a blank line.
  const t: DocTable = { name: "t", columns: [{ key: "a", head: "A", type: "text" }], rows: [["x"]] };
  const g = doc(text("caption"), { ...tableBlock(t), gap: 0 }, { ...text("after"), gap: 2 }, { ...text(""), gap: 0 });
  assert.equal(emit(g, "markdown"), "caption\n| A |\n| --- |\n| x |\n\n\nafter\n\n");
  assert.equal(emit(g, "table"), "caption\n┌───┐\n│ A │\n│ x │\n└───┘\nafter\n\n");
});

test("alignTerminal: false draws every column from the left; restrict and concat compose documents", () => {
  const t: DocTable = { name: "t", columns: [{ key: "n", head: "Count", type: "count" }], rows: [[7]], alignTerminal: false };
  assert.equal(emit(doc(tableBlock(t)), "table"), "┌───────┐\n│ Count │\n│ 7     │\n└───────┘\n");
  const part = doc(text("everywhere"), text("terminal", ["table"]), tableBlock(t));
  const both = concat(restrict(part, ["markdown"]), doc(text("after")));
  assert.equal(emit(both, "table"), "after\n");
  assert.equal(emit(both, "markdown"), "everywhere\n\n| Count |\n| ---: |\n| 7 |\n\nafter\n");
  assert.equal(emit(both, "csv"), "");
});
