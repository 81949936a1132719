import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { ingest } from "../ingest/ingest.js";
import { int } from "../output/format.js";
import { collectReport } from "../report/collect.js";
import { renderReport } from "../report/render.js";
import { Db } from "../store/db.js";
import { parseReportQuery } from "./report.js";
import { collectSavings, renderSavings } from "./savings.js";

export const DEMO_DIR = fileURLToPath(new URL("../../../fixtures/demo/", import.meta.url));

/**
 * Ingests the bundled demo fixtures and shows the main report: into a throwaway database, or into --db PATH, which
 * is kept so the next commands can be tried on it.
 */
export async function run(opts: GlobalOptions & { format?: string }): Promise<number> {
  if (opts.lake !== undefined) throw usageError("demo does not use --lake: it ingests into a temporary database, or into --db PATH (kept)", "ingest your own files with: llmcost ingest --lake DIR FILES");
  const kept = opts.db !== undefined;
  if (kept) await refuseRealData(opts.db!);
  const dir = kept ? undefined : mkdtempSync(join(tmpdir(), "llmcost-demo-"));
  const ctx = { ...loadContext({ ...opts, db: dir === undefined ? opts.db : join(dir, "demo.duckdb") }) };
  try {
    const result = await ingest({
      dbPath: ctx.dbPath,
      inputs: [DEMO_DIR],
      replace: false,
      dryRun: false,
      tagPattern: ctx.config.tags.pattern,
      cacheDenyPrefixes: ctx.config.cache?.denyPrefixes ?? [],
      catalog: ctx.catalog,
    });
    const rows = result.files.reduce((a, f) => a + f.rows, 0);
    const into = kept ? ctx.dbPath : "a temporary database";
    process.stderr.write(`demo: ingested ${int(rows)} rows from ${result.files.length} bundled file(s) into ${into}\n`);
    const db = await Db.open(ctx.dbPath, { readOnly: true });
    try {
      const q = parseReportQuery({ by: "feature", chart: ctx.format === "table" });
      const report = await collectReport(db, ctx.catalog, q);
      const savings = await collectSavings(db, ctx.catalog, ctx, { features: [], since: null, until: null, tz: "UTC" });
      if (ctx.format === "json") {
        // One JSON document: the report and the savings side by side.
        process.stdout.write(`{"report":${renderReport(report, "json", ctx.catalog, q).trim()},"savings":${renderSavings(savings, "json", ctx.catalog, {}).trim()}}\n`);
      } else {
        process.stdout.write(renderReport(report, ctx.format, ctx.catalog, q));
        process.stdout.write(`\n${renderSavings({ ...savings, assumptions: [] }, ctx.format, ctx.catalog, {}, 5)}`);
      }
    } finally {
      db.close();
    }
    if (ctx.format === "table") {
      // Commands that work as printed: on the kept database, or on the user's own after an ingest.
      const db = kept ? ` --db ${/^[\w./-]+$/.test(ctx.dbPath) ? ctx.dbPath : JSON.stringify(ctx.dbPath)}` : "";
      process.stdout.write(
        kept
          ? `Top 5 shown. Next, on the demo database:\n  llmcost savings${db}\n  llmcost simulate${db} --route mini --batch auto\n  llmcost report${db} --by feature,model\n  llmcost report${db} --by day --chart\n`
          : "Top 5 shown; `llmcost savings` lists all with assumptions, `llmcost simulate --route mini --batch auto` composes them.\n" +
              "Next: llmcost ingest <your exports>, then llmcost report --by feature,model (or keep this demo's data: llmcost demo --db demo.duckdb)\n",
      );
    }
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  return 0;
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
