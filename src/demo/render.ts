/**
 * The demo's document: the report by feature, the top savings and the bill in a line, then (on the terminal) the
 * next commands to try; JSON embeds each part's own document.
 */
import { concat, type Doc, type DocColumn, type DocFormat, type DocTable, emit, PEOPLE, restrict, tableBlock, text } from "../output/document.js";
import { envelope } from "../output/envelope.js";
import { type Format, json, usd } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import type { Reconcile } from "../reconcile/collect.js";
import { reconcileJson } from "../reconcile/render.js";
import { reportDocument, reportJson } from "../report/render.js";
import type { DemoJsonT } from "../schemas/demo.js";
import { savingsDocument, savingsJson } from "../commands/savings.js";
import { type DemoResult, RECONCILE_OPTS, SAVINGS_SCOPE } from "./result.js";

/** The bill in one line: what was billed, how much of it the request logs tag to a feature, what reconcile flags. */
function billLine(r: Reconcile): string {
  const t = r.totals;
  if (t.billedUsd === null || t.coveragePct === null) return "The bill: no cost export in the demo data.";
  const billed = r.providers.filter((p) => p.billedUsd !== null).map((p) => `${p.provider} ${usd(p.billedUsd)}`);
  return (
    `The bill: ${usd(t.billedUsd)} (${billed.join(", ")}); the request logs tag ${t.coveragePct.toFixed(1)}% of it to features, ` +
    `${usd(t.unattributedUsd)} is unattributed; ${t.flaggedLines} bill line(s) flagged (reconcile lists them)`
  );
}

/** A path as it can be pasted into a shell. */
const shellPath = (p: string) => (/^[\w./-]+$/.test(p) ? p : `'${p.replaceAll("'", "'\\''")}'`);

function nextCommands(r: DemoResult): string[] {
  if (r.database === null) {
    return [
      "Top 5 shown; `llmcost savings` lists all with assumptions, `llmcost simulate --route mini --batch auto` composes them.",
      "Next: llmcost ingest <your exports>, then llmcost report --by feature,model and llmcost reconcile (or keep this demo's data: llmcost demo --db demo.duckdb)",
    ];
  }
  const db = ` --db ${shellPath(r.database)}`;
  return [
    "Top 5 shown. Next, on the demo database:",
    `  llmcost savings${db}`,
    `  llmcost simulate${db} --route mini --batch auto`,
    `  llmcost report${db} --by feature,model`,
    `  llmcost report${db} --by day --chart`,
    `  llmcost reconcile${db} --flagged`,
    `  llmcost report${db} --source billing --by project`,
  ];
}

const TERMINAL: readonly DocFormat[] = ["table"];
const CSV: readonly DocFormat[] = ["csv"];
/** A blank line between the parts on the terminal (markdown puts one between every block). */
const gap = text("", TERMINAL);

/** Per provider, for the CSV: billed, logged, tagged, unattributed, the share tagged and the flagged lines. */
function billData(r: Reconcile): DocTable {
  const money = (key: string): DocColumn => ({ key, head: "", type: "money" });
  const columns: DocColumn[] = [
    { key: "provider", head: "", type: "text" },
    ...["billed_usd", "logged_usd", "attributed_usd", "unattributed_usd"].map(money),
    { key: "coverage_share", head: "", type: "percent" },
    { key: "flagged_lines", head: "", type: "count" },
  ];
  const rows = r.providers.map((p) => [
    p.provider,
    p.billedUsd,
    p.loggedUsd,
    p.attributedUsd,
    p.unattributedUsd,
    p.coveragePct === null ? null : p.coveragePct / 100,
    p.flaggedLines,
  ]);
  return { name: "bill", columns, rows };
}

/**
 * The report by feature, the top 5 savings and the bill in a line, then (on the terminal) the next commands. The CSV
 * holds one table, its `table` column naming the part: `report` (spend per feature), `savings` (the top
 * opportunities) and `bill` (per provider); data, not display: dollars and shares as numbers, empty for none.
 */
export function demoDocument(r: DemoResult): Doc {
  return concat(
    restrict(reportDocument(r.report, r.query), PEOPLE),
    { blocks: [gap] },
    // The report's rows as data, its shares as numbers (0.5) where the report's own CSV writes 0.500000.
    restrict(reportDocument(r.report, r.query, false), CSV),
    savingsDocument(r.savings, 5, false),
    {
      blocks: [gap, text(billLine(r.reconcile), PEOPLE), gap, tableBlock(billData(r.reconcile), CSV), ...nextCommands(r).map((l) => text(l, TERMINAL))],
    },
  );
}

export function renderDemo(r: DemoResult, format: Format, catalog: Catalog): string {
  if (format !== "json") return emit(demoDocument(r), format);
  // One document: the demo's envelope, and each part as its own command prints it (report, savings, reconcile).
  const doc: DemoJsonT = {
    ...envelope("demo", catalog),
    database: r.database,
    ingested: r.ingested,
    report: reportJson(r.report, catalog, r.query),
    savings: savingsJson(r.savings, catalog, SAVINGS_SCOPE),
    reconcile: reconcileJson(r.reconcile, catalog, { ...RECONCILE_OPTS, flagged: false }),
  };
  return json(doc);
}
