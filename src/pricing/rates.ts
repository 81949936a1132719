import type { Catalog, CatalogModel } from "./load.js";
import { fromMicro, mulDiv, toMicro } from "./decimal.js";
import type { EpochT } from "./schema.js";

export const MODES = ["standard", "batch", "priority", "flex"] as const;
export type Mode = (typeof MODES)[number];

/** One flattened price row: the rates for a model, an epoch and a mode. Token rates are USD per 1M tokens. */
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
  /** Reasoning tokens' rate minus the output rate (they are a part of output): 0 when they bill as output. */
  rsn_d: string;
  /** Audio tokens' rate minus the input / output rate (they are a part of uncached input / of output). */
  ain_d: string;
  aout_d: string;
  /** USD per 1,000 web search calls, or null when the model has no rate for them. */
  ws: string | null;
  /** Every rate × this for `inference_geo = 'us'` requests, and for `speed = 'fast'` (null: no such rate). */
  geo_us: string | null;
  fast: string | null;
  lc_threshold: number | null;
  lc_input: string | null;
  lc_cached: string | null;
  lc_cw5: string | null;
  lc_cw1: string | null;
  lc_output: string | null;
}

type Rates = Omit<RateRow, "model_id" | "provider" | "valid_from" | "valid_to" | "mode">;

const FAR_FUTURE = "infinity"; // DuckDB TIMESTAMP: after every date, so --pricing-as-of 9999-12-31 still has the current prices

/**
 * Resolves one epoch into the rates of each mode it has. The rules (documented in the README):
 * - a missing cached rate is the input rate (no discount); missing cache-write rates are the input rate, and a
 *   missing 1h write rate is the 5m one;
 * - batch uses batch_input/batch_output; the other input kinds get the same batch ratio on top of their own rate,
 *   so batch never swallows the cache discount (Anthropic stacks them the same way);
 * - priority and flex exist only where the table has their rates: a request on a tier the model has no rate for is
 *   unpriced, never billed at standard. Their long-context tier is their own where stated, else the standard one
 *   scaled by the tier's input ratio;
 * - long-context rates replace every rate of the request when the threshold is crossed;
 * - an epoch without token rates (per-image, per-second models) has no rows: its token traffic is unpriced.
 */
export function epochModes(e: EpochT, discount: bigint): Partial<Record<Mode, Rates>> {
  if (e.input === undefined || e.output === undefined) return {};
  const m = (v: string) => toMicro(v);
  const input = m(e.input);
  const cached = e.cached_input !== undefined ? m(e.cached_input) : input;
  const cw5 = e.cache_write_5m !== undefined ? m(e.cache_write_5m) : input;
  const cw1 = e.cache_write_1h !== undefined ? m(e.cache_write_1h) : cw5;
  const output = m(e.output);
  const lcOf = (lc: EpochT["long_context"]) => {
    if (!lc) return null;
    const lcIn = m(lc.input);
    const cw5l = lc.cache_write_5m !== undefined ? m(lc.cache_write_5m) : lcIn;
    return {
      input: lcIn,
      cached: lc.cached_input !== undefined ? m(lc.cached_input) : lcIn,
      cw5: cw5l,
      cw1: lc.cache_write_1h !== undefined ? m(lc.cache_write_1h) : cw5l,
      output: m(lc.output),
    };
  };
  const lcRates = lcOf(e.long_context);
  const batchIn = e.batch_input !== undefined ? m(e.batch_input) : input;
  const batchOut = e.batch_output !== undefined ? m(e.batch_output) : output;
  // A ratio applied to the rates that have no batch (or tier) rate of their own.
  const ratio = (num: bigint, den: bigint) => (v: bigint) => (den === 0n ? v : mulDiv(v, num, den));
  const d = (v: bigint) => mulDiv(v, 100n * 1_000_000n - discount, 100n * 1_000_000n);
  const opt = (v: string | undefined) => (v === undefined ? null : m(v));
  const rsn = opt(e.output_reasoning);
  const ain = opt(e.input_audio);
  const aout = opt(e.output_audio);
  const ws = opt(e.web_search_per_1k);
  type Base = { input: bigint; cached: bigint; cw5: bigint; cw1: bigint; output: bigint };
  const pack = (r: Base, l: Base | null, inR: (v: bigint) => bigint, outR: (v: bigint) => bigint): Rates => ({
    input: fromMicro(d(r.input)),
    cached: fromMicro(d(r.cached)),
    cw5: fromMicro(d(r.cw5)),
    cw1: fromMicro(d(r.cw1)),
    output: fromMicro(d(r.output)),
    rsn_d: rsn === null ? "0" : fromMicro(d(outR(rsn)) - d(r.output)),
    ain_d: ain === null ? "0" : fromMicro(d(inR(ain)) - d(r.input)),
    aout_d: aout === null ? "0" : fromMicro(d(outR(aout)) - d(r.output)),
    ws: ws === null ? null : fromMicro(d(ws)),
    geo_us: e.geo_multipliers?.us ?? null,
    fast: e.fast_multiplier ?? null,
    lc_threshold: l ? (e.long_context?.threshold_tokens ?? null) : null,
    lc_input: l ? fromMicro(d(l.input)) : null,
    lc_cached: l ? fromMicro(d(l.cached)) : null,
    lc_cw5: l ? fromMicro(d(l.cw5)) : null,
    lc_cw1: l ? fromMicro(d(l.cw1)) : null,
    lc_output: l ? fromMicro(d(l.output)) : null,
  });
  const scaled = (l: Base | null, inR: (v: bigint) => bigint, outR: (v: bigint) => bigint): Base | null =>
    l && { input: inR(l.input), cached: inR(l.cached), cw5: inR(l.cw5), cw1: inR(l.cw1), output: outR(l.output) };
  const standard = { input, cached, cw5, cw1, output };
  const same = (v: bigint) => v;
  const bIn = ratio(batchIn, input);
  const bOut = ratio(batchOut, output);
  const modes: Partial<Record<Mode, Rates>> = {
    standard: pack(standard, lcRates, same, same),
    batch: pack({ input: batchIn, cached: bIn(cached), cw5: bIn(cw5), cw1: bIn(cw1), output: batchOut }, scaled(lcRates, bIn, bOut), bIn, bOut),
  };
  for (const name of ["priority", "flex"] as const) {
    const t = e[name];
    if (!t) continue;
    const tIn = m(t.input);
    const tOut = m(t.output);
    const inR = ratio(tIn, input);
    const outR = ratio(tOut, output);
    const own = lcOf(t.long_context);
    // Long context on a tier: its own rates where stated; the standard tier's threshold either way.
    const lc = own ?? scaled(lcRates, inR, outR);
    modes[name] = pack(
      { input: tIn, cached: t.cached_input !== undefined ? m(t.cached_input) : inR(cached), cw5: inR(cw5), cw1: inR(cw1), output: tOut },
      lc,
      inR,
      outR,
    );
  }
  return modes;
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
      for (const mode of MODES) {
        const r = modes[mode];
        if (r) rows.push({ model_id: model.id, provider: model.provider, valid_from: e.effective_from, valid_to: to, mode, ...r });
      }
    });
  }
  return rows;
}
