import type { Catalog, CatalogModel } from "./load.js";
import { fromMicro, mulDiv, toMicro } from "./decimal.js";
import type { EpochT } from "./schema.js";

export const MODES = ["standard", "batch", "priority", "flex"] as const;
export type Mode = (typeof MODES)[number];

/** One flattened price row: the rates for a model, an epoch and a mode. Rates are USD per 1M tokens. */
export interface RateRow {
  model_id: string;
  provider: string;
  valid_from: string;
  valid_to: string;
  mode: Mode;
  input: string;
  cached: string;
  cw5: string;
  cw1: string;
  output: string;
  lc_threshold: number | null;
  lc_input: string | null;
  lc_cached: string | null;
  lc_cw5: string | null;
  lc_cw1: string | null;
  lc_output: string | null;
}

const FAR_FUTURE = "9999-12-31";

/**
 * Resolves one epoch into the rates of each mode. The rules (documented in the README):
 * - a missing cached rate is the input rate (no discount); missing cache-write rates are the input rate, and a
 *   missing 1h write rate is the 5m one;
 * - batch uses batch_input/batch_output; the other input kinds get the same batch ratio on top of their own rate,
 *   so batch never swallows the cache discount (Anthropic stacks them the same way);
 * - priority/flex use their tier rates where the table has them, else the standard rates;
 * - long-context rates replace every rate of the request when the threshold is crossed.
 */
export function epochModes(e: EpochT, discount: bigint): Record<Mode, Omit<RateRow, "model_id" | "provider" | "valid_from" | "valid_to" | "mode">> {
  const m = (v: string) => toMicro(v);
  const input = m(e.input);
  const cached = e.cached_input !== undefined ? m(e.cached_input) : input;
  const cw5 = e.cache_write_5m !== undefined ? m(e.cache_write_5m) : input;
  const cw1 = e.cache_write_1h !== undefined ? m(e.cache_write_1h) : cw5;
  const output = m(e.output);
  const lc = e.long_context;
  const lcIn = lc ? m(lc.input) : null;
  const lcRates = lc
    ? {
        input: lcIn!,
        cached: lc.cached_input !== undefined ? m(lc.cached_input) : lcIn!,
        cw5: lc.cache_write_5m !== undefined ? m(lc.cache_write_5m) : lcIn!,
        cw1: lc.cache_write_1h !== undefined ? m(lc.cache_write_1h) : lc.cache_write_5m !== undefined ? m(lc.cache_write_5m) : lcIn!,
        output: m(lc.output),
      }
    : null;
  const batchIn = e.batch_input !== undefined ? m(e.batch_input) : input;
  const batchOut = e.batch_output !== undefined ? m(e.batch_output) : output;
  // Ratio applied to the input kinds that have no batch rate of their own.
  const bIn = (v: bigint) => (input === 0n ? v : mulDiv(v, batchIn, input));
  const bOut = (v: bigint) => (output === 0n ? v : mulDiv(v, batchOut, output));
  const d = (v: bigint) => mulDiv(v, 100n * 1_000_000n - discount, 100n * 1_000_000n);
  const pack = (r: { input: bigint; cached: bigint; cw5: bigint; cw1: bigint; output: bigint }, l: typeof lcRates) => ({
    input: fromMicro(d(r.input)),
    cached: fromMicro(d(r.cached)),
    cw5: fromMicro(d(r.cw5)),
    cw1: fromMicro(d(r.cw1)),
    output: fromMicro(d(r.output)),
    lc_threshold: lc ? lc.threshold_tokens : null,
    lc_input: l ? fromMicro(d(l.input)) : null,
    lc_cached: l ? fromMicro(d(l.cached)) : null,
    lc_cw5: l ? fromMicro(d(l.cw5)) : null,
    lc_cw1: l ? fromMicro(d(l.cw1)) : null,
    lc_output: l ? fromMicro(d(l.output)) : null,
  });
  const standard = { input, cached, cw5, cw1, output };
  const tier = (t: EpochT["priority"]) =>
    t ? { input: m(t.input), cached: t.cached_input !== undefined ? m(t.cached_input) : m(t.input), cw5, cw1, output: m(t.output) } : standard;
  return {
    standard: pack(standard, lcRates),
    batch: pack(
      { input: batchIn, cached: bIn(cached), cw5: bIn(cw5), cw1: bIn(cw1), output: batchOut },
      lcRates && { input: bIn(lcRates.input), cached: bIn(lcRates.cached), cw5: bIn(lcRates.cw5), cw1: bIn(lcRates.cw1), output: bOut(lcRates.output) },
    ),
    priority: pack(tier(e.priority), lcRates),
    flex: pack(tier(e.flex), lcRates),
  };
}

/** Discount in micro-percent for a model (the largest matching discount wins; they don't stack). */
function discountFor(catalog: Catalog, model: CatalogModel): bigint {
  let best = 0;
  for (const d of catalog.discounts) {
    if (d.provider !== undefined && d.provider !== model.provider) continue;
    if (d.model !== undefined && d.model !== model.id) continue;
    best = Math.max(best, d.percent);
  }
  return toMicro(best.toFixed(6));
}

export function rateRows(catalog: Catalog): RateRow[] {
  const rows: RateRow[] = [];
  for (const model of catalog.models) {
    const discount = discountFor(catalog, model);
    model.prices.forEach((e, i) => {
      const to = model.prices[i + 1]?.effective_from ?? FAR_FUTURE;
      const modes = epochModes(e, discount);
      for (const mode of Object.keys(modes) as Mode[]) {
        rows.push({ model_id: model.id, provider: model.provider, valid_from: e.effective_from, valid_to: to, mode, ...modes[mode] });
      }
    });
  }
  return rows;
}

/** alias (lower-cased) → model id. Ids are their own aliases. Exact matches only: never fuzzy. */
export function aliasRows(catalog: Catalog): { alias: string; model_id: string }[] {
  const map = new Map<string, string>();
  for (const m of catalog.models) {
    if (m.origin === "override") continue;
    for (const a of [m.id, ...m.aliases]) map.set(a.toLowerCase(), m.id);
  }
  for (const m of catalog.models) {
    if (m.origin !== "override") continue;
    for (const a of [m.id, ...m.aliases]) map.set(a.toLowerCase(), m.id);
  }
  return [...map].map(([alias, model_id]) => ({ alias, model_id }));
}
