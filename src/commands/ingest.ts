import { loadContext } from "../context.js";
import type { IngestFlagsT } from "../flags/misc.js";
import { type IngestResult, ingest } from "../ingest/ingest.js";
import { type Doc, type DocColumn, type DocFormat, emit, tableBlock, text } from "../output/document.js";
import { colors, type Format, int, json, usd, usdNumber } from "../output/format.js";
import { envelope } from "../output/envelope.js";
import { type IngestProgress, progressLine } from "../output/progress.js";
import type { Catalog } from "../pricing/load.js";
import type { IngestJsonT } from "../schemas/ingest.js";
import { addDays } from "../report/window.js";
import { adapterByName } from "../sources/index.js";
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
  // Rows llmcost cannot price that state a cost: the model has no price at all, or lacks a rate for some rows.
  const gaps = new Map(result.files.flatMap((f) => f.reportedCostWhy).map((g) => [g.model, g.why]));
  const reported = [...new Set(result.files.flatMap((f) => f.reportedCostModels))].sort();
  const noPrice = reported.filter((m) => !gaps.has(m));
  const stated = "use the cost the source states (cost_source reported; --cost-mode computed leaves them unpriced)";
  if (noPrice.length) stderr(`note: no price for ${noPrice.join(", ")}; their rows ${stated}\n`);
  for (const [model, why] of [...gaps].sort()) stderr(`note: ${model}: ${why}; those rows ${stated}\n`);
  if (result.dryRun) stderr("dry run: nothing was written\n");
}

/**
 * The last day a file covers, for the To column: a provider export's `to` is its last bucket's exclusive end, so a
 * bucket ending at midnight covers the day before (the JSON keeps the end itself).
 */
function lastDay(f: IngestResult["files"][number]): string | null {
  if (!f.to) return null;
  const adapter = adapterByName(f.format);
  const bucketed = f.target === "billed_cost" || (adapter?.target === "usage" && adapter.kind === "billing");
  if (!bucketed || !f.to.endsWith("T00:00:00Z")) return f.to.slice(0, 10);
  return addDays(f.to.slice(0, 10), -1);
}

const statusText = (f: IngestResult["files"][number]): string => (f.status === "ingested" ? `#${f.ingestId}` : f.status);
const TERMINAL: readonly DocFormat[] = ["table"];
const FULL: readonly DocFormat[] = ["markdown", "csv"];

/**
 * The summary: a row per file, then (on the terminal) each file's bill and note and the rows added. Paths and model
 * lists are whole (piped, with --wide, and in markdown and CSV; CSV: raw counts, the status and ingest id apart). On a
 * terminal too narrow for them paths are shortened from the start (the file name stays), lists from the end; the
 * replaced count goes first, then the providers, the date range and the models.
 */
export function ingestDocument(result: IngestResult): Doc {
  const columns: DocColumn[] = [
    { key: "file", head: "File", type: "text", only: TERMINAL, fit: { min: 18, shrink: "start" } },
    { key: "file", head: "File", type: "text", only: FULL },
    { key: "format", head: "Format", type: "text", fit: { min: 12 } },
    { key: "status", head: "Ingest", type: "text" },
    { key: "ingest_id", head: "", type: "count", only: ["csv"] },
    { key: "rows", head: "Rows", type: "count" },
    { key: "skipped_rows", head: "Skipped", type: "count", align: "left", fit: { min: 20, shrink: "wrap" } },
    { key: "skipped", head: "", type: "text", only: ["csv"] },
    { key: "replaced", head: "Replaced", type: "count", fit: { priority: 5 } },
    { key: "from", head: "From", type: "date", fit: { priority: 3 } },
    { key: "to", head: "To", type: "date", fit: { priority: 3 } },
    { key: "providers", head: "Providers", type: "text", fit: { priority: 4, min: 9, shrink: "wrap" } },
    { key: "models", head: "Models", type: "text", only: TERMINAL, fit: { priority: 2, min: 20, shrink: "end" } },
    { key: "models", head: "Models", type: "text", only: FULL },
  ];
  const rows = result.files.map((f) => {
    const models = f.models.join(" ");
    return [
      f.file,
      f.file,
      f.format,
      { value: f.status, text: statusText(f) },
      f.ingestId,
      f.rows,
      { value: f.skipped.reduce((a, s) => a + s.rows, 0), text: f.skipped.map((s) => `${int(s.rows)} ${s.reason}`).join("; ") || "0" },
      f.skipped.map((s) => `${s.rows} ${s.reason}`).join("; "),
      f.replacedFrom.length
        ? { value: f.replaced, text: `${int(f.replaced)} (${f.replacedFrom.map((r) => `${int(r.rows)} of #${r.ingestId}`).join(", ")})` }
        : f.replaced,
      f.from?.slice(0, 10) ?? null,
      lastDay(f),
      f.providers.join(" "),
      models,
      models,
    ];
  });
  const notes = result.files
    .filter((f) => f.note || f.billedUsd)
    .map((f) => text(`${f.file}: ${[f.billedUsd ? `billed ${usd(f.billedUsd)}` : "", f.note ?? ""].filter(Boolean).join("; ")}`, TERMINAL));
  const total = result.files.reduce((a, f) => a + f.rows, 0);
  return {
    blocks: [
      tableBlock({ name: "files", columns, rows }),
      ...notes,
      text(
        result.files.length === 0
          ? `nothing to load: every file is empty (${result.db} is as it was)`
          : `${int(total)} ${total === 1 ? "row" : "rows"} ${result.dryRun ? "would be added (dry run)" : "added"} to ${result.db}`,
        TERMINAL,
      ),
    ],
  };
}

export function render(result: IngestResult, format: Format, catalog: Catalog): string {
  if (format !== "json") return emit(ingestDocument(result), format);
  const skippedFiles = result.skippedInputs.length ? { skippedFiles: result.skippedInputs } : {};
  const files = result.files.map(({ reportedCostWhy: _, ...f }) => ({ ...f, billedUsd: usdNumber(f.billedUsd) }));
  return json({ ...envelope("ingest", catalog, { dryRun: result.dryRun }), db: result.db, files, ...skippedFiles } satisfies IngestJsonT);
}
