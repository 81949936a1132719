import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageDir } from "../paths.js";
import { type Context, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { ingest } from "../ingest/ingest.js";
import { type DemoResult, RECONCILE_OPTS, SAVINGS_SCOPE } from "../demo/result.js";
import { renderDemo } from "../demo/render.js";
import { int } from "../output/format.js";
import { collectReconcile } from "../reconcile/collect.js";
import { collectReport } from "../report/collect.js";
import { Db } from "../store/db.js";
import { parseReportQuery } from "./report.js";
import { parseFlags } from "../flags/common.js";
import type { DemoFlagsT } from "../flags/misc.js";
import { ReportFlags } from "../flags/report.js";
import { collectSavings } from "./savings.js";
import { stderr, stdout } from "../io.js";

export const DEMO_DIR = packageDir("fixtures", "demo");

/**
 * Ingests the bundled demo fixtures (request logs, and the OpenAI and Anthropic bills of the same days) and shows the
 * main report: into a throwaway database, or into --db PATH, which is kept so the next commands can be tried on it.
 */
export async function run(opts: DemoFlagsT): Promise<number> {
  if (opts.lake !== undefined)
    throw usageError(
      "demo does not use --lake: it ingests into a temporary database, or into --db PATH (kept)",
      "ingest your own files with: llmcost ingest --lake DIR FILES",
    );
  const kept = opts.db !== undefined;
  if (kept) await refuseRealData(opts.db!);
  const dir = kept ? undefined : mkdtempSync(join(tmpdir(), "llmcost-demo-"));
  const ctx = loadContext({ ...opts, db: dir === undefined ? opts.db : join(dir, "demo.duckdb") });
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
    const query = parseReportQuery(parseFlags(ReportFlags, { chart: ctx.format === "table" }));
    const report = await collectReport(db, ctx.pricing, query);
    const savings = await collectSavings(db, ctx.catalog, ctx, SAVINGS_SCOPE);
    const reconcile = await collectReconcile(db, ctx.catalog, RECONCILE_OPTS);
    return {
      database: kept ? ctx.dbPath : null,
      ingested: { files: result.files.length, rows: result.files.reduce((a, f) => a + f.rows, 0) },
      query,
      report,
      savings,
      reconcile,
    };
  } finally {
    db.close();
  }
}

/** The demo's made-up traffic never joins real data: an existing --db must hold nothing but an earlier demo. */
async function refuseRealData(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const db = await Db.open(path, { readOnly: true });
  try {
    const other = await db.one<{ n: string }>("SELECT count(*) AS n FROM ingests WHERE NOT starts_with(file_path, $1)", [DEMO_DIR]);
    if (Number(other?.n ?? 0) > 0) {
      throw usageError(
        `demo --db ${path}: that database holds your own data; the demo's made-up traffic would mix into it`,
        "pass a new path, such as --db demo.duckdb",
      );
    }
  } finally {
    db.close();
  }
}
