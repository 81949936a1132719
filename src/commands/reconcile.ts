import { loadContext } from "../context.js";
import type { ReconcileFlagsT } from "../flags/reports.js";
import { collectReconcile } from "../reconcile/collect.js";
import { renderReconcile } from "../reconcile/render.js";
import { parseWindow } from "../report/window.js";
import { stdout } from "../io.js";
import { openForRead } from "../store/open.js";

export async function run(o: ReconcileFlagsT): Promise<number> {
  const ctx = loadContext(o);
  const opts = { ...parseWindow(o), tz: o.tz, tolerancePct: o.tolerance };
  const db = await openForRead(ctx);
  try {
    const r = await collectReconcile(db, ctx.catalog, opts);
    stdout(renderReconcile(r, ctx.format, ctx.catalog, { ...opts, flagged: o.flagged }));
  } finally {
    db.close();
  }
  return 0;
}
