import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { envelope } from "../output/envelope.js";
import { writeOutput } from "../output/files.js";
import { type Doc, emit } from "../output/document.js";
import { type Format, int, json } from "../output/format.js";
import { convertLiteLLM } from "../pricing/litellm.js";
import { coverage, type CoverageRow, FIRST_PARTY_NAME, mapEntries } from "../pricing/coverage.js";
import { type Catalog, type CatalogModel, PRICING_DIR } from "../pricing/load.js";
import { peel, resolveName as resolveModelName, unresolvedReason } from "../pricing/names.js";
import { IsoDate, Overrides } from "../pricing/schema.js";
import { installPricing, type UnpricedRow, unpricedSql, unpricedWhy } from "../pricing/sql.js";
import { catalogSnapshots, catalogSuggestions } from "../resolve/names.js";
import type { PricingCheckJsonT, PricingCoverageJsonT, PricingListJsonT, PricingShowJsonT } from "../schemas/pricing.js";
import { openForRead, storeExists, storeName } from "../store/open.js";
import { statedBlocks } from "../reconcile/render.js";
import { collectStated, type StatedVsComputed } from "../reconcile/stated.js";
import { coverageDocument, pricingCheckDocument, pricingListDocument, pricingShowDocument } from "../pricing/render.js";
import { stderr, stdout } from "../io.js";

import type { PricingCheckFlagsT, PricingCoverageFlagsT, PricingImportFlagsT, PricingListFlagsT, PricingShowFlagsT } from "../flags/pricing.js";

/** JSON is the typed result; the other formats are the document's. */
const render = (format: Format, doc: Doc, jsonValue: unknown): string => (format === "json" ? json(jsonValue) : emit(doc, format));

export async function list(opts: PricingListFlagsT): Promise<number> {
  const ctx = loadContext(opts);
  // A provider that has no model in the price tables is a typo, never an empty list (names compare case-blind).
  const known = [...new Set(ctx.catalog.models.map((m) => m.provider))].sort();
  const provider = opts.provider?.trim().toLowerCase();
  if (provider !== undefined && !known.includes(provider)) {
    throw usageError(`--provider ${JSON.stringify(opts.provider)}: no such provider in the price tables`, `known providers: ${known.join(", ")}`);
  }
  const models = ctx.catalog.models.filter((m) => provider === undefined || m.provider === provider);
  const doc: PricingListJsonT = { ...envelope("pricing list", ctx.catalog, { provider: opts.provider ?? null }), unit: "USD per 1M tokens", models };
  stdout(render(ctx.format, pricingListDocument(ctx.catalog, models), doc));
  return 0;
}

/** A model name as a user or a log gives it, through the same naming rules as ingest (see pricing/names.ts). */
export function resolveModel(catalog: Catalog, name: string): CatalogModel | undefined {
  return resolveModelName(catalog, name)?.model;
}

export async function show(name: string, opts: PricingShowFlagsT): Promise<number> {
  const ctx = loadContext(opts);
  const m = resolveModel(ctx.catalog, name);
  if (!m) {
    const close = catalogSuggestions(ctx.catalog, name);
    throw usageError(
      `no pricing for ${JSON.stringify(name)}`,
      `${close.length ? `did you mean ${close.join(", ")}? ` : ""}model names match exactly (ids and listed aliases); see \`llmcost pricing list\``,
    );
  }
  const snapshots = catalogSnapshots(ctx.catalog, m.id);
  const via = resolveModelName(ctx.catalog, name)?.via;
  stdout(render(ctx.format, pricingShowDocument(m, name, via, snapshots), { ...envelope("pricing show", ctx.catalog), model: m } satisfies PricingShowJsonT));
  return 0;
}

/** "; the source's stated cost is used for N rows" when some rows of an unpriced model state a cost. */
const statedNote = (x: UnpricedRow): string => {
  const n = Number(x.reported_rows);
  if (n === 0) return "";
  return n === Number(x.rows)
    ? "; the cost the source states is used (cost_source reported)"
    : `; the source's stated cost is used for ${int(n)} of ${int(Number(x.rows))} rows`;
};

const checkJson = (
  catalog: Catalog,
  tolerancePct: number,
  unpriced: PricingCheckJsonT["unpriced"],
  stated: PricingCheckJsonT["stated"],
): PricingCheckJsonT => ({
  ...envelope("pricing check", catalog, { tolerancePct }),
  models: catalog.models.length,
  unpriced,
  stated,
});

/** Validates the tables (loading does) and lists models in the database that have no price. Exit 1 when any. */
export async function check(opts: PricingCheckFlagsT): Promise<number> {
  const ctx = loadContext(opts);
  const tolerance = opts.tolerance;
  const summary = `pricing tables OK: ${ctx.catalog.models.length} models, version ${ctx.catalog.version}, sha256 ${ctx.catalog.sha256.slice(0, 12)}`;
  if (!storeExists(ctx)) {
    stderr(`${summary}\nno ${ctx.lake !== null ? "lake" : "database"} at ${ctx.lake ?? ctx.dbPath}: nothing else to check\n`);
    if (ctx.format === "json") stdout(json(checkJson(ctx.catalog, tolerance, [], [])));
    return 0;
  }
  const db = await openForRead(ctx);
  let rows: UnpricedRow[];
  let stated: StatedVsComputed[];
  try {
    await installPricing(db, ctx.catalog);
    rows = await db.all<UnpricedRow>(unpricedSql("true"));
    stated = await collectStated(db, ctx.catalog.sha256, tolerance);
  } finally {
    db.close();
  }
  const unpriced = rows.map((x) => ({
    model: x.model,
    provider: x.provider,
    rows: Number(x.rows),
    requests: Number(x.requests),
    tokens: Number(x.tokens),
    firstSeen: x.first_seen,
    lastSeen: x.last_seen,
    reason: `${x.kind === "no-price" ? unresolvedReason(ctx.catalog, x.model) : unpricedWhy(x)}${statedNote(x)}`,
    statedCostRows: Number(x.reported_rows),
  }));
  stdout(
    render(
      ctx.format,
      pricingCheckDocument(summary, storeName(ctx), unpriced, statedBlocks(stated, tolerance)),
      checkJson(ctx.catalog, tolerance, unpriced, stated),
    ),
  );
  return unpriced.length || stated.some((s) => s.flagged) ? 1 : 0;
}

export async function importLiteLLM(file: string, opts: PricingImportFlagsT): Promise<number> {
  const ctx = loadContext(opts);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw usageError(`${file}: cannot read a LiteLLM price map: ${err instanceof Error ? err.message : String(err)}`);
  }
  const dated = /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1];
  const effectiveFrom = opts.effectiveFrom ?? dated;
  if (!effectiveFrom) throw usageError("--effective-from DATE is required (the file name has no YYYY-MM-DD date)");
  // A date from the file name is checked as --effective-from's would be (flags/pricing.ts checks the flag's).
  if (!IsoDate.safeParse(effectiveFrom).success) throw usageError(`--effective-from: ${JSON.stringify(effectiveFrom)} is not a calendar date (YYYY-MM-DD)`);
  const providers = opts.providers;
  const r = convertLiteLLM(raw, effectiveFrom, providers, ctx.catalog);
  const checked = Overrides.safeParse(r.overrides);
  if (!checked.success) throw new Error(`converted table failed validation: ${checked.error.message}`);
  const out = opts.out ?? `litellm-${effectiveFrom}.json`;
  writeOutput(out, `${JSON.stringify({ models: r.overrides.models }, null, 2)}\n`, "--out");
  const list = (xs: string[], n = 12) =>
    xs
      .slice(0, n)
      .map((x) => `  ${x}\n`)
      .join("") + (xs.length > n ? `  … and ${xs.length - n} more (see the file)\n` : "");
  stderr(
    `wrote ${r.overrides.models.length} models (${providers.join(", ")}) to ${out}: ${r.stacked} built-in models get an epoch from ${effectiveFrom} on top of ` +
      `their own (their aliases and earlier prices kept), ${r.added} new ones are priced from ${effectiveFrom}; skipped ${r.skipped} entries without token prices or of other providers\n` +
      (r.derived.length ? `${r.derived.length} models lack rate kinds in the map, kept at the book's ratio to input/output:\n${list(r.derived)}` : "") +
      (r.contradictions.length ? `${r.contradictions.length} rates contradict the book by more than 50% (check them):\n${list(r.contradictions, 40)}` : "") +
      `use it with: llmcost --pricing ${out} …  (or put it in the config's pricing.overrides)\n`,
  );
  return 0;
}

/** The bundled first-party keys of the newest LiteLLM snapshot (written by scripts/make-pricing.ts). */
function bundledMap(): { path: string; date: string } {
  const dir = join(PRICING_DIR, "coverage");
  const f = existsSync(dir)
    ? readdirSync(dir)
        .filter((x) => x.endsWith(".first-party.json"))
        .sort()
        .at(-1)
    : undefined;
  if (!f) throw usageError("no bundled price-map keys in pricing/coverage/", "pass a LiteLLM price map or a list of model names");
  return { path: join(dir, f), date: /(\d{4}-\d{2}-\d{2})/.exec(f)?.[1] ?? "9999-12-31" };
}

/**
 * `pricing coverage [FILE]`: how the names of a LiteLLM price map (or a list of names) resolve. For a map, each
 * key's rate is compared with the book's on the map's date. Exit 1 when a first-party name is unpriced.
 */
export async function coverageCommand(file: string | undefined, opts: PricingCoverageFlagsT): Promise<number> {
  const ctx = loadContext(opts);
  const src = file === undefined ? bundledMap() : { path: file, date: /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1] };
  let text: string;
  try {
    text = readFileSync(src.path, "utf8");
  } catch (err) {
    throw usageError(`${src.path}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const asOf = src.date ?? new Date().toISOString().slice(0, 10);
  const modes = opts.modes;
  let names: Parameters<typeof coverage>[1];
  let parsed: unknown;
  try {
    parsed = text.trimStart().startsWith("{") ? JSON.parse(text) : undefined;
  } catch (err) {
    throw usageError(`${src.path}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed !== undefined) {
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw usageError(`${src.path}: a LiteLLM price map is a JSON object of model names`);
    names = mapEntries(parsed as Record<string, unknown>, modes);
  } else {
    names = [
      ...new Set(
        text
          .split(/\r?\n/)
          .map((l) => l.split(",")[0]!.trim())
          .filter((l) => l && !l.startsWith("#")),
      ),
    ].map((name) => ({ name }));
  }
  const rows = coverage(ctx.catalog, names, asOf);
  const firstParty = (r: CoverageRow) => r.provider !== null || FIRST_PARTY_NAME.test(peel(r.name)?.core ?? "");
  const unpriced = rows.filter((r) => r.status === "unpriced" && firstParty(r));
  const counts = {
    names: rows.length,
    priced: rows.filter((r) => r.status === "priced").length,
    differentRate: rows.filter((r) => r.status === "different-rate").length,
    unpriced: rows.filter((r) => r.status === "unpriced").length,
  };
  const pct = rows.length ? ((100 * counts.priced) / rows.length).toFixed(1) : "100.0";
  const shown = opts.all ? rows : rows.filter((r) => r.status !== "priced");
  const headline = `${counts.priced} of ${counts.names} names (${pct}%) resolve to the rate ${parsed !== undefined ? `the map states (prices on ${asOf})` : `in force on ${asOf}`}; ${counts.differentRate} at another rate, ${counts.unpriced} unpriced`;
  const doc: PricingCoverageJsonT = {
    ...envelope("pricing coverage", ctx.catalog),
    source: src.path,
    asOf,
    modes: parsed !== undefined ? modes : null,
    counts,
    names: rows,
  };
  stdout(render(ctx.format, coverageDocument(headline, `source: ${src.path}${parsed !== undefined ? ` · modes: ${modes.join(", ")}` : ""}`, shown), doc));
  return unpriced.length ? 1 : 0;
}
