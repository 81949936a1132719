import type { GlobalOptions } from "../context.js";
import { loadContext } from "../context.js";
import { type IngestResult, ingest } from "../ingest/ingest.js";
import { colors, csv, type Format, int, json, markdown, table, usd } from "../output/format.js";
import { envelope } from "../output/envelope.js";
import { type IngestProgress, progressLine } from "../output/progress.js";
import type { Catalog } from "../pricing/load.js";

export interface IngestOptions extends GlobalOptions {
  format?: string;
  sourceFormat?: string;
  replace?: boolean;
  dryRun?: boolean;
  skipBadRows?: boolean;
}

export async function run(files: string[], opts: IngestOptions): Promise<number> {
  const ctx = loadContext(opts);
  const progress = process.stderr.isTTY ? progressBar() : undefined;
  // An error ends the line first, so its message starts on a clean line.
  const result = await ingest({
    dbPath: ctx.dbPath,
    lake: ctx.lake,
    inputs: files,
    format: opts.sourceFormat,
    replace: opts.replace === true,
    dryRun: opts.dryRun === true,
    skipBadRows: opts.skipBadRows === true,
    tagPattern: ctx.config.tags.pattern,
    cacheDenyPrefixes: ctx.config.cache?.denyPrefixes ?? [],
    catalog: ctx.catalog,
    sourceOptions: ctx.config.sources ?? {},
    logs: ctx.config.logs,
    onProgress: progress?.tick,
    onFileDone: progress?.done,
  }).finally(() => progress?.done());
  process.stdout.write(render(result, ctx.format, ctx.catalog));
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
      process.stderr.write(`\r\x1b[K${progressLine(name, e, Date.now() - start, process.stderr.columns ?? 80)}`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write("\r\x1b[K");
      shown = false;
    },
  };
}

function warn(result: IngestResult): void {
  const c = colors(process.stderr);
  for (const s of result.skippedInputs) process.stderr.write(`note: ${s.file}: ${s.reason}; skipped\n`);
  for (const f of result.files) {
    for (const b of f.badRows) process.stderr.write(`${f.file}${b.line !== null ? `:${b.line}` : `: ${b.where}`}: ${b.reason} (skipped)\n`);
  }
  const unpriced = [...new Set(result.files.flatMap((f) => f.unpricedModels))].sort();
  if (unpriced.length) {
    process.stderr.write(
      `${c.yellow("warning")}: no price for ${unpriced.join(", ")}; these rows are reported as unpriced, never $0 (add them with --pricing FILE or pricing.overrides)\n`,
    );
  }
  for (const u of result.files.flatMap((f) => f.unpricedOther)) process.stderr.write(`${c.yellow("warning")}: ${u.model}: ${u.why}\n`);
  const reported = [...new Set(result.files.flatMap((f) => f.reportedCostModels))].sort();
  if (reported.length) {
    process.stderr.write(
      `note: no price for ${reported.join(", ")}; their rows use the cost the source states (cost_source reported; --cost-mode computed leaves them unpriced)\n`,
    );
  }
  if (result.dryRun) process.stderr.write("dry run: nothing was written\n");
}

const statusText = (f: IngestResult["files"][number]): string => (f.status === "ingested" ? `#${f.ingestId}` : f.status);

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function render(result: IngestResult, format: Format, catalog: Catalog): string {
  if (format === "json") {
    const skippedFiles = result.skippedInputs.length ? { skippedFiles: result.skippedInputs } : {};
    return json({ ...envelope("ingest", catalog, { dryRun: result.dryRun }), db: result.db, files: result.files, ...skippedFiles });
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
  return `${table(head, shown, align)}\n${notes.join("")}${int(total)} rows ${result.dryRun ? "would be added (dry run)" : "added"} to ${result.db}\n`;
}
