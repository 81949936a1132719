import { loadContext } from "../context.js";
import type { IngestFlagsT } from "../flags/misc.js";
import { type IngestResult, ingest } from "../ingest/ingest.js";
import { type Column, colors, csv, fitText, type Format, int, json, markdown, table, usd, usdNumber } from "../output/format.js";
import { envelope } from "../output/envelope.js";
import { type IngestProgress, progressLine } from "../output/progress.js";
import type { Catalog } from "../pricing/load.js";
import type { IngestJsonT } from "../schemas/ingest.js";
import { io, stderr, stdout } from "../io.js";

/** `opts.format` names the input format (none: detected), `opts.output` the summary's format. */
export async function run(files: string[], opts: IngestFlagsT): Promise<number> {
  const ctx = loadContext({ ...opts, format: opts.output });
  const progress = io().stderr.isTTY ? progressBar() : undefined;
  // An error ends the line first, so its message starts on a clean line.
  const result = await ingest({
    dbPath: ctx.dbPath,
    lake: ctx.lake,
    inputs: files,
    format: opts.format,
    replace: opts.replace,
    dryRun: opts.dryRun,
    skipBadRows: opts.skipBadRows,
    tagPattern: ctx.config.tags.pattern,
    cacheDenyPrefixes: ctx.config.cache?.denyPrefixes ?? [],
    catalog: ctx.catalog,
    sourceOptions: ctx.config.sources ?? {},
    logs: ctx.config.logs,
    onProgress: progress?.tick,
    onFileDone: progress?.done,
  }).finally(() => progress?.done());
  stdout(render(result, ctx.format, ctx.catalog));
  warn(result);
  return 0;
}

/** The progress line on stderr (a TTY only): redrawn in place, cleared when the file is done. */
function progressBar() {
  let shown = false;
  let file = "";
  let start = 0;
  return {
    tick: (name: string, e: IngestProgress) => {
      if (name !== file || !shown) {
        file = name;
        start = Date.now();
      }
      stderr(`\r\x1b[K${progressLine(name, e, Date.now() - start, io().stderr.columns ?? 80)}`);
      shown = true;
    },
    done: () => {
      if (shown) stderr("\r\x1b[K");
      shown = false;
    },
  };
}

function warn(result: IngestResult): void {
  const c = colors(io().stderr);
  for (const s of result.skippedInputs) stderr(`note: ${s.file}: ${s.reason}; skipped\n`);
  for (const f of result.files) {
    for (const b of f.badRows) stderr(`${f.file}${b.line !== null ? `:${b.line}` : `: ${b.where}`}: ${b.reason} (skipped)\n`);
  }
  const unpriced = [...new Set(result.files.flatMap((f) => f.unpricedModels))].sort();
  if (unpriced.length) {
    stderr(
      `${c.yellow("warning")}: no price for ${unpriced.join(", ")}; these rows are reported as unpriced, never $0 (add them with --pricing FILE or pricing.overrides)\n`,
    );
  }
  for (const u of result.files.flatMap((f) => f.unpricedOther)) stderr(`${c.yellow("warning")}: ${u.model}: ${u.why}\n`);
  const reported = [...new Set(result.files.flatMap((f) => f.reportedCostModels))].sort();
  if (reported.length) {
    stderr(
      `note: no price for ${reported.join(", ")}; their rows use the cost the source states (cost_source reported; --cost-mode computed leaves them unpriced)\n`,
    );
  }
  if (result.dryRun) stderr("dry run: nothing was written\n");
}

const statusText = (f: IngestResult["files"][number]): string => (f.status === "ingested" ? `#${f.ingestId}` : f.status);

/**
 * On a narrow terminal: paths shortened in the middle (the file name stays), lists wrap; the replaced count goes
 * first, then the providers, the date range and the models.
 */
const INGEST_COLS: Column[] = [
  { head: "File", min: 18, shrink: "start" },
  { head: "Format", min: 12 },
  { head: "Ingest" },
  { head: "Rows", align: "right" },
  { head: "Skipped", min: 20, shrink: "wrap" },
  { head: "Replaced", align: "right", priority: 5 },
  { head: "From", priority: 3 },
  { head: "To", priority: 3 },
  { head: "Providers", priority: 4, min: 9, shrink: "wrap" },
  { head: "Models", priority: 2, min: 20, shrink: "end" },
];

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function render(result: IngestResult, format: Format, catalog: Catalog): string {
  if (format === "json") {
    const skippedFiles = result.skippedInputs.length ? { skippedFiles: result.skippedInputs } : {};
    const files = result.files.map((f) => ({ ...f, billedUsd: usdNumber(f.billedUsd) }));
    return json({ ...envelope("ingest", catalog, { dryRun: result.dryRun }), db: result.db, files, ...skippedFiles } satisfies IngestJsonT);
  }
  const head = ["File", "Format", "Ingest", "Rows", "Skipped", "Replaced", "From", "To", "Providers", "Models"];
  const cells = result.files.map((f) => [
    f.file,
    f.format,
    statusText(f),
    int(f.rows),
    f.skipped.map((s) => `${int(s.rows)} ${s.reason}`).join("; ") || "0",
    f.replacedFrom.length ? `${int(f.replaced)} (${f.replacedFrom.map((r) => `${int(r.rows)} of #${r.ingestId}`).join(", ")})` : int(f.replaced),
    f.from?.slice(0, 10) ?? "",
    f.to?.slice(0, 10) ?? "",
    f.providers.join(" "),
    f.models.join(" "),
  ]);
  if (format === "csv") return csv(head, cells);
  const align: ("left" | "right")[] = ["left", "left", "left", "right", "left", "right", "left", "left", "left", "left"];
  if (format === "markdown") return markdown(head, cells, align);
  const notes = result.files
    .filter((f) => f.note || f.billedUsd)
    .map((f) => `${f.file}: ${[f.billedUsd ? `billed ${usd(f.billedUsd)}` : "", f.note ?? ""].filter(Boolean).join("; ")}\n`);
  const total = result.files.reduce((a, f) => a + f.rows, 0);
  const shown = cells.map((r) => r.map((c, i) => (i === 9 ? clip(c, 44) : i === 0 ? clip(c, 48) : c)));
  return fitText(`${table(INGEST_COLS, shown)}\n${notes.join("")}${int(total)} rows ${result.dryRun ? "would be added (dry run)" : "added"} to ${result.db}\n`);
}
