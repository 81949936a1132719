import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadContext, now } from "../context.js";
import { DEFAULTS } from "../defaults.js";
import type { ReportFlagsT } from "../flags/report.js";
import { ensureWritable, writeOutput } from "../output/files.js";
import { ExitError, usageError } from "../errors.js";
import { collectReport, type ReportQuery } from "../report/collect.js";
import { TIME_DIMENSIONS } from "../report/dims.js";
import { provisionalNote, renderReport, tokenAllocationNote } from "../report/render.js";
import { parseWindow } from "../report/window.js";
import { stderr, stdout } from "../io.js";
import { openForRead } from "../store/open.js";

/** Reads a --users file (CSV with an id column, or one id per line) into hash → raw id. Raw ids stay in memory. */
export function readUsers(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw usageError(`--users: cannot read ${path}`);
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const header = lines[0]?.split(",").map((h) => h.trim().toLowerCase()) ?? [];
  const col = ["user_id", "user", "id", "email"].map((h) => header.indexOf(h)).find((i) => i >= 0);
  const ids = col !== undefined ? lines.slice(1).map((l) => l.split(",")[col]?.trim() ?? "") : lines;
  const map = new Map<string, string>();
  for (const id of ids) if (id) map.set(createHash("sha256").update(id).digest("hex").slice(0, 12), id);
  return map;
}

/**
 * Flags (checked by their schema, flags/report.ts) → the query; only allow-listed identifiers reach SQL. --since
 * before --until is checked here, with both.
 */
export function parseReportQuery(o: ReportFlagsT): ReportQuery {
  return {
    by: o.by,
    ...parseWindow(o),
    where: o.where,
    top: o.top ?? null,
    tz: o.tz,
    source: o.source,
    pricingAsOf: o.pricingAsOf ?? null,
    chart: o.chart,
    users: o.users ? readUsers(o.users) : null,
  };
}

export async function run(opts: ReportFlagsT): Promise<number> {
  const ctx = loadContext(opts);
  const q = parseReportQuery(opts);
  if (opts.html) ensureWritable(opts.html, "--html");
  const db = await openForRead(ctx);
  try {
    const report = await collectReport(db, ctx.pricing, q);
    stdout(renderReport(report, ctx.format, ctx.pricing, q));
    const provisional = provisionalNote(report);
    const byTokens = tokenAllocationNote(report);
    for (const note of [...report.notes, ...(byTokens ? [byTokens] : []), ...(provisional ? [provisional.replace(/^\* /, "")] : [])]) stderr(`note: ${note}\n`);
    if (opts.html) {
      // The page always has daily series and, with request logs, the default playbook's waterfall. Its modules load
      // only here: a plain report starts faster without them.
      const [{ renderHtml }, { simulate }, { defaultTactics }] = await Promise.all([
        import("../report/html.js"),
        import("../sim/simulate.js"),
        import("./savings.js"),
      ]);
      // A time dimension draws its own series: no daily lines to add, so no second scan.
      const withDaily = q.chart || q.by.some((d) => TIME_DIMENSIONS.includes(d)) ? report : await collectReport(db, ctx.pricing, { ...q, chart: true });
      // The waterfall replays the traffic the report covers: the same window, zone and --where filters.
      let simNote: string | null = null;
      const sim =
        report.source === "requests" && report.rows.length
          ? await simulate(
              db,
              ctx.catalog,
              ctx.config,
              { features: [], since: q.since, until: q.until, tz: q.tz, where: report.filters },
              defaultTactics(ctx.catalog, ctx.config.tactics?.promptCache?.prefixShare ?? DEFAULTS.prefixShare),
            ).catch((e: unknown) => {
              simNote = `No waterfall: ${e instanceof ExitError ? e.message : "the simulation failed"}.`;
              return null;
            })
          : null;
      writeOutput(opts.html, renderHtml(withDaily, sim, now().toISOString(), simNote), "--html");
      stderr(`wrote ${opts.html}\n`);
    }
  } finally {
    db.close();
  }
  return 0;
}
