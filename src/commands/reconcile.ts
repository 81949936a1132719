import { type GlobalOptions, loadContext } from "../context.js";
import { collectReconcile } from "../reconcile/collect.js";
import { renderReconcile } from "../reconcile/render.js";
import { parseTolerance } from "../reconcile/stated.js";
import { parseTz, parseWindow } from "../report/window.js";
import { stdout } from "../io.js";
import { openForRead } from "../store/open.js";

export async function run(o: GlobalOptions & { format?: string; since?: string; until?: string; tz?: string; tolerance?: string; flagged?: boolean }): Promise<number> {
  const ctx = loadContext(o);
  const opts = { ...parseWindow(o), tz: parseTz(o.tz), tolerancePct: parseTolerance(o.tolerance) };
  const db = await openForRead(ctx);
  try {
    const r = await collectReconcile(db, ctx.catalog, opts);
    stdout(renderReconcile(r, ctx.format, ctx.catalog, { ...opts, flagged: o.flagged === true }));
  } finally {
    db.close();
  }
  return 0;
}
