import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type GlobalOptions, loadContext, now } from "../context.js";
import { ensureWritable, writeOutput } from "../output/files.js";
import { ExitError, usageError } from "../errors.js";
import { collectReport, type ReportQuery } from "../report/collect.js";
import { parseBy, parseWhere, TIME_DIMENSIONS } from "../report/dims.js";
import { provisionalNote, renderReport } from "../report/render.js";
import { parseInstant, parseTz, parseWindow } from "../report/window.js";
import { stderr, stdout } from "../io.js";
import { openForRead } from "../store/open.js";

export interface ReportOptions extends GlobalOptions {
  by?: string;
  since?: string;
  until?: string;
  where?: string[];
  top?: string;
  users?: string;
  pricingAsOf?: string;
  source?: string;
  tz?: string;
  chart?: boolean;
  html?: string;
}

const Top = z.coerce.number().int().positive();

/** Flags → a validated query. Every user value is checked here; only allow-listed identifiers reach SQL. */
/** Reads a --users file (CSV with an id column, or one id per line) into hash → raw id. Raw ids stay in memory. */
export function readUsers(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw usageError(`--users: cannot read ${path}`);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const header = lines[0]?.split(",").map((h) => h.trim().toLowerCase()) ?? [];
  const col = ["user_id", "user", "id", "email"].map((h) => header.indexOf(h)).find((i) => i >= 0);
  const ids = col !== undefined ? lines.slice(1).map((l) => l.split(",")[col]?.trim() ?? "") : lines;
  const map = new Map<string, string>();
  for (const id of ids) if (id) map.set(createHash("sha256").update(id).digest("hex").slice(0, 12), id);
  return map;
}

export function parseReportQuery(o: ReportOptions): ReportQuery {
  const top = o.top === undefined ? null : Top.safeParse(o.top);
  if (top && !top.success) throw usageError(`--top expects a positive whole number (got ${JSON.stringify(o.top)})`);
  const source = z.enum(["billing", "requests", "auto"]).safeParse(o.source ?? "auto");
  if (!source.success) throw usageError(`--source must be billing, requests or auto (got ${JSON.stringify(o.source)})`);
  const q: ReportQuery = {
    by: parseBy(o.by),
    ...parseWindow(o),
    where: parseWhere(o.where ?? []),
    top: top ? top.data : null,
    tz: parseTz(o.tz),
    source: source.data,
    pricingAsOf: parseInstant(o.pricingAsOf, "--pricing-as-of"),
    chart: o.chart === true,
    users: o.users ? readUsers(o.users) : null,
  };
  if (q.pricingAsOf !== null && !/^\d{4}-\d{2}-\d{2}$/.test(q.pricingAsOf)) throw usageError("--pricing-as-of expects a date (YYYY-MM-DD)");
  return q;
}

export async function run(opts: ReportOptions): Promise<number> {
  const ctx = loadContext(opts);
  const q = parseReportQuery(opts);
  if (opts.html) ensureWritable(opts.html, "--html");
  const db = await openForRead(ctx);
  try {
    const report = await collectReport(db, ctx.catalog, q);
    stdout(renderReport(report, ctx.format, ctx.catalog, q));
    const provisional = provisionalNote(report);
    for (const note of [...report.notes, ...(provisional ? [provisional.replace(/^\* /, "")] : [])]) stderr(`note: ${note}\n`);
    if (opts.html) {
      // The page always has daily series and, with request logs, the default playbook's waterfall. Its modules load
      // only here: a plain report starts faster without them.
      const [{ renderHtml }, { simulate }, { defaultTactics }] = await Promise.all([
        import("../report/html.js"),
        import("../sim/simulate.js"),
        import("./savings.js"),
      ]);
      // A time dimension draws its own series: no daily lines to add, so no second scan.
      const withDaily = q.chart || q.by.some((d) => TIME_DIMENSIONS.includes(d)) ? report : await collectReport(db, ctx.catalog, { ...q, chart: true });
      // The waterfall replays the traffic the report covers: the same window, zone and --where filters.
      let simNote: string | null = null;
      const sim =
        report.source === "requests" && report.rows.length
          ? await simulate(db, ctx.catalog, ctx.config, { features: [], since: q.since, until: q.until, tz: q.tz, where: report.filters }, defaultTactics(ctx.catalog, ctx.config.tactics?.promptCache?.prefixShare ?? 0.5)).catch((e: unknown) => {
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
