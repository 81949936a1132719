import { z } from "zod";
import { type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { envelope } from "../output/envelope.js";
import { csv, type Format, json, markdown, table, usd, usdNumber, usdSigned } from "../output/format.js";
import type { Catalog } from "../pricing/load.js";
import { collectReconcile, type Reconcile } from "../reconcile/collect.js";
import { parseInstant, parseTz } from "../report/window.js";
import { Db } from "../store/db.js";

const cell = (v: string | null) => (v === null ? "—" : usd(v));
const signed = (v: string | null) => (v === null ? "—" : usdSigned(v));

export function renderReconcile(r: Reconcile, format: Format, catalog: Catalog, filters: Record<string, unknown>): string {
  if (format === "json") {
    const m = (v: string | null) => (v === null ? null : usdNumber(v));
    return json({
      ...envelope("reconcile", catalog, filters),
      tolerancePct: r.tolerancePct,
      totals: { ...r.totals, billedUsd: m(r.totals.billedUsd), computedUsd: m(r.totals.computedUsd), loggedUsd: m(r.totals.loggedUsd), attributedUsd: m(r.totals.attributedUsd), unattributedUsd: m(r.totals.unattributedUsd), coveragePct: Number(r.totals.coveragePct.toFixed(4)) },
      rows: r.rows.map((x) => ({ ...x, billedUsd: m(x.billedUsd), computedUsd: m(x.computedUsd), loggedUsd: m(x.loggedUsd), attributedUsd: m(x.attributedUsd), deltaUsd: m(x.deltaUsd), deltaPct: x.deltaPct === null ? null : Number(x.deltaPct.toFixed(4)) })),
    });
  }
  const head = ["Day", "Provider", "Model", "Billed", "Computed", "Δ computed−billed", "Request logs", "Tagged", "Flag"];
  const rows = r.rows.map((x) => [
    x.day,
    x.provider,
    x.model,
    cell(x.billedUsd),
    cell(x.computedUsd),
    x.deltaUsd === null ? "—" : `${signed(x.deltaUsd)} (${x.deltaPct === null ? "—" : `${x.deltaPct.toFixed(1)}%`})`,
    cell(x.loggedUsd),
    cell(x.attributedUsd),
    x.flagged ? "CHECK" : "",
  ]);
  if (format === "csv") return csv(head, rows);
  const t = r.totals;
  const summary = `${t.reference === "billed" ? "Billed" : "Computed"} ${usd(t.reference === "billed" ? t.billedUsd : t.computedUsd)} · request logs ${usd(t.loggedUsd)} · tagged ${usd(t.attributedUsd)} = ${t.coveragePct.toFixed(1)}% coverage · unattributed ${usd(t.unattributedUsd)}`;
  const flagged = r.rows.filter((x) => x.flagged).length;
  const note = flagged
    ? `${flagged} line(s) flagged: computed and billed differ by more than ${r.tolerancePct}%, or one side is missing (a pricing error or a missing export)`
    : `no line differs by more than ${r.tolerancePct}%`;
  if (format === "markdown") return `**${summary}**\n\n${markdown(head, rows)}\n${note}\n`;
  return `${summary}\n${table(head, rows)}\n${note}\n`;
}

export async function run(o: GlobalOptions & { format?: string; since?: string; until?: string; tz?: string; tolerance?: string }): Promise<number> {
  const ctx = loadContext(o);
  const tol = z.coerce.number().min(0).safeParse(o.tolerance ?? "5");
  if (!tol.success) throw usageError(`--tolerance expects a percentage (got ${JSON.stringify(o.tolerance)})`);
  const opts = { since: parseInstant(o.since, "--since"), until: parseInstant(o.until, "--until"), tz: parseTz(o.tz), tolerancePct: tol.data };
  const db = await Db.open(ctx.dbPath, { readOnly: true });
  try {
    const r = await collectReconcile(db, ctx.catalog, opts);
    process.stdout.write(renderReconcile(r, ctx.format, ctx.catalog, opts));
  } finally {
    db.close();
  }
  return 0;
}
