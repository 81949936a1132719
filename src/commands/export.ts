import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { loadContext } from "../context.js";
import type { ExportFlagsT } from "../flags/export.js";
import { usageError } from "../errors.js";
import { type FocusOptions, buildFocus, focusSelect } from "../export/focus.js";
import { focusSummary, renderFocusSummary } from "../export/focus-summary.js";
import { ensureWritable, ensureWritableDir } from "../output/files.js";
import { loadCatalog } from "../pricing/load.js";
import { io, stderr } from "../io.js";
import { openForRead } from "../store/open.js";

/** The --focus options (each checked by its schema, flags/export.ts). */
const focusOptions = (o: ExportFlagsT): FocusOptions => ({ version: o.focusVersion, unpricedCost: o.unpricedCost, billingAccount: o.billingAccount ?? null });

export async function run(o: ExportFlagsT, given: ReadonlySet<string> = new Set()): Promise<number> {
  if (!o.focus && !o.parquet) throw usageError("choose what to export", "--focus FILE.csv (or - for stdout) and/or --parquet DIR");
  if (!o.focus && ["focusVersion", "unpricedCost", "billingAccount"].some((k) => given.has(k)))
    throw usageError("--focus-version, --unpriced-cost and --billing-account go with --focus");
  const fo = o.focus ? focusOptions(o) : null;
  const ctx = loadContext(o);
  const toStdout = o.focus === "-";
  if (o.focus && !toStdout) ensureWritable(o.focus, "--focus");
  if (o.parquet) ensureWritableDir(o.parquet, "--parquet");
  const db = await openForRead(ctx);
  try {
    if (o.focus && fo) {
      // ListUnitPrice: the built-in tables, without the user's overrides or discounts (those are ContractedUnitPrice).
      await buildFocus(db, ctx.catalog, loadCatalog());
      // stdout may be a socket or pipe DuckDB cannot open: write a temp file and stream its bytes.
      const tmp = toStdout ? mkdtempSync(join(tmpdir(), "llmcost-focus-")) : null;
      const path = tmp ? join(tmp, "focus.csv") : o.focus;
      try {
        await db.run(`COPY (${focusSelect(fo)}) TO '${escapePath(path)}' (FORMAT csv, HEADER true)`);
        if (tmp) await pipeline(createReadStream(path), io().stdout, { end: false });
      } finally {
        if (tmp) rmSync(tmp, { recursive: true, force: true });
      }
      stderr(renderFocusSummary(await focusSummary(db, fo), fo, toStdout ? "stdout" : o.focus));
    }
    if (o.parquet) {
      if (existsSync(o.parquet) && readdirSync(o.parquet).length && !o.overwrite) {
        throw usageError(`${o.parquet} is not empty`, "pass --overwrite to replace it, or choose an empty directory");
      }
      mkdirSync(o.parquet, { recursive: true });
      await db.run(
        `COPY (SELECT * EXCLUDE (rid), strftime(ts, '%Y-%m-%d') AS day FROM usage) TO '${escapePath(o.parquet)}'
         (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE true)`,
      );
      stderr(`wrote usage as Parquet partitioned by day to ${o.parquet}/day=YYYY-MM-DD/\n`);
    }
  } finally {
    db.close();
  }
  return 0;
}

/** COPY … TO takes a literal path (no parameter): quote it as a string literal. */
const escapePath = (p: string): string => {
  if (p.includes("\0")) throw usageError("output path contains a NUL byte");
  return p.replaceAll("'", "''");
};
