import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Context, type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { ingest } from "../ingest/ingest.js";
import { envelope } from "../output/envelope.js";
import { csv, fitText, type Format, int, json, plainText, shareNumber, usd, usdNumber } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import { collectReconcile, type Reconcile } from "../reconcile/collect.js";
import { collectReport, type Report, type ReportQuery } from "../report/collect.js";
import { renderReport, reportJson } from "../report/render.js";
import type { DemoJsonT } from "../schemas/demo.js";
import { Db } from "../store/db.js";
import { reconcileJson } from "../reconcile/render.js";
import { parseReportQuery } from "./report.js";
import { collectSavings, renderSavings, savingsJson, type SavingsResult } from "./savings.js";
import { stderr, stdout } from "../io.js";

export const DEMO_DIR = fileURLToPath(new URL("../../../fixtures/demo/", import.meta.url));

/** What the demo shows: the report by feature, the savings, and the bill against the logs (reconcile). */
export interface DemoResult {
  /** The kept database (--db PATH), or null for a temporary one. */
  database: string | null;
  ingested: { files: number; rows: number };
  query: ReportQuery;
  report: Report;
  savings: SavingsResult;
  reconcile: Reconcile;
}

const RECONCILE_OPTS = { since: null, until: null, tz: "UTC", tolerancePct: 5 } as const;
const SAVINGS_SCOPE = { features: [], since: null, until: null, tz: "UTC" };

/**
 * Ingests the bundled demo fixtures (request logs, and the OpenAI and Anthropic bills of the same days) and shows the
 * main report: into a throwaway database, or into --db PATH, which is kept so the next commands can be tried on it.
 */
export async function run(opts: GlobalOptions & { format?: string }): Promise<number> {
  if (opts.lake !== undefined) throw usageError("demo does not use --lake: it ingests into a temporary database, or into --db PATH (kept)", "ingest your own files with: llmcost ingest --lake DIR FILES");
  const kept = opts.db !== undefined;
  if (kept) await refuseRealData(opts.db!);
  const dir = kept ? undefined : mkdtempSync(join(tmpdir(), "llmcost-demo-"));
  const ctx = { ...loadContext({ ...opts, db: dir === undefined ? opts.db : join(dir, "demo.duckdb") }) };
  try {
    const result = await collectDemo(ctx, kept);
    const into = kept ? ctx.dbPath : "a temporary database";
    stderr(`demo: ingested ${int(result.ingested.rows)} rows from ${result.ingested.files} bundled file(s) into ${into}\n`);
    stdout(renderDemo(result, ctx.format, ctx.catalog));
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

async function collectDemo(ctx: Context, kept: boolean): Promise<DemoResult> {
  const result = await ingest({
    dbPath: ctx.dbPath,
    inputs: [DEMO_DIR],
    replace: false,
    dryRun: false,
    tagPattern: ctx.config.tags.pattern,
    cacheDenyPrefixes: ctx.config.cache?.denyPrefixes ?? [],
    catalog: ctx.catalog,
  });
  const db = await Db.open(ctx.dbPath, { readOnly: true });
  try {
    const query = parseReportQuery({ by: "feature", chart: ctx.format === "table" });
    const report = await collectReport(db, ctx.catalog, query);
    const savings = await collectSavings(db, ctx.catalog, ctx, SAVINGS_SCOPE);
    const reconcile = await collectReconcile(db, ctx.catalog, RECONCILE_OPTS);
    return { database: kept ? ctx.dbPath : null, ingested: { files: result.files.length, rows: result.files.reduce((a, f) => a + f.rows, 0) }, query, report, savings, reconcile };
  } finally {
    db.close();
  }
}

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

function nextCommands(r: DemoResult): string {
  if (r.database === null) {
    return (
      "Top 5 shown; `llmcost savings` lists all with assumptions, `llmcost simulate --route mini --batch auto` composes them.\n" +
      "Next: llmcost ingest <your exports>, then llmcost report --by feature,model and llmcost reconcile (or keep this demo's data: llmcost demo --db demo.duckdb)\n"
    );
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
    "",
  ].join("\n");
}

/**
 * CSV: one table, its `table` column naming the part: `report` (spend per feature), `savings` (the top
 * opportunities) and `bill` (per provider: billed, logged, tagged, unattributed, coverage). Data, not display:
 * dollars and shares as numbers, empty for none.
 */
function demoCsv(r: DemoResult): string {
  const head = [
    "table", "feature", "requests", "input_tokens", "cached_input_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "output_tokens", "reasoning_tokens",
    "cost_usd", "share", "cumulative_share", "unpriced_requests", "unpriced_tokens", "unpriced_models",
    "rank", "tactic", "monthly_saved_usd", "saved_usd", "share_of_feature", "evidence",
    "provider", "billed_usd", "logged_usd", "attributed_usd", "unattributed_usd", "coverage_share", "flagged_lines",
  ];
  const blank = (n: number) => Array<null>(n).fill(null);
  const report = r.report.rows.map((x) => [
    "report", x.key.feature, x.requests, x.tokens.input, x.tokens.cachedInput, x.tokens.cacheWrite5m, x.tokens.cacheWrite1h, x.tokens.output, x.tokens.reasoning,
    usdNumber(x.costUsd), shareNumber(x.share), shareNumber(x.cumulativeShare), x.unpriced.requests, x.unpriced.tokens, x.unpriced.models.join(" "), ...blank(13),
  ]);
  const savings = r.savings.opportunities.slice(0, 5).map((o, i) => [
    "savings", o.feature, ...blank(13), i + 1, o.tactic, usdNumber(o.monthlyUsd), usdNumber(o.savedUsd), shareNumber(o.shareOfFeature), plainText(o.evidence), ...blank(7),
  ]);
  const bill = r.reconcile.providers.map((p) => [
    "bill", ...blank(20), p.provider, usdNumber(p.billedUsd), usdNumber(p.loggedUsd), usdNumber(p.attributedUsd), usdNumber(p.unattributedUsd),
    p.coveragePct === null ? null : Number((p.coveragePct / 100).toFixed(6)), p.flaggedLines,
  ]);
  return csv(head, [...report, ...savings, ...bill]);
}

export function renderDemo(r: DemoResult, format: Format, catalog: Catalog): string {
  if (format === "json") {
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
  if (format === "csv") return demoCsv(r);
  const report = renderReport(r.report, format, catalog, r.query);
  const savings = renderSavings({ ...r.savings, assumptions: [] }, format, catalog, SAVINGS_SCOPE, 5);
  const bill = billLine(r.reconcile);
  // Each part ends with a newline (the savings table with a blank line): one blank line between parts.
  const gap = (s: string) => `${s.replace(/\n+$/, "")}\n\n`;
  if (format === "markdown") return `${gap(report)}${gap(savings)}${bill}\n`;
  return `${gap(report)}${gap(savings)}${fitText(gap(bill))}${fitText(nextCommands(r))}`;
}

/** The demo's made-up traffic never joins real data: an existing --db must hold nothing but an earlier demo. */
async function refuseRealData(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const db = await Db.open(path, { readOnly: true });
  try {
    const other = await db.one<{ n: string }>("SELECT count(*) AS n FROM ingests WHERE NOT starts_with(file_path, $1)", [DEMO_DIR]);
    if (Number(other?.n ?? 0) > 0) {
      throw usageError(`demo --db ${path}: that database holds your own data; the demo's made-up traffic would mix into it`, "pass a new path, such as --db demo.duckdb");
    }
  } finally {
    db.close();
  }
}
