/**
 * Exact decimal helpers on strings via BigInt. Used for rates (6 dp) and for rendering money; never floats.
 */
const SCALE = 6;
const UNIT = 10n ** BigInt(SCALE);

/** "1.25" → 1250000n (micro-units). */
export function toMicro(value: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`not a decimal: ${value}`);
  const frac = (m[3] ?? "").padEnd(SCALE, "0");
  if (frac.length > SCALE && /[1-9]/.test(frac.slice(SCALE))) throw new Error(`more than ${SCALE} decimals: ${value}`);
  const v = BigInt(m[2]!) * UNIT + BigInt(frac.slice(0, SCALE));
  return m[1] ? -v : v;
}

export function fromMicro(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % UNIT).toString().padStart(SCALE, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / UNIT}${frac ? `.${frac}` : ""}`;
}

/** Rounds half away from zero: a * num / den. */
export function mulDiv(a: bigint, num: bigint, den: bigint): bigint {
  const p = a * num;
  const q = p / den;
  const r = p % den;
  return 2n * (r < 0n ? -r : r) >= den ? q + (p < 0n ? -1n : 1n) : q;
}

/** Rounds a decimal string to `dp` places (half away from zero) and returns it with exactly `dp` decimals. */
export function roundDecimal(value: string, dp: number): string {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new Error(`not a decimal: ${value}`);
  const frac = m[3] ?? "";
  const digits = BigInt(m[2]! + frac.padEnd(dp, "0").slice(0, dp));
  const roundUp = frac.length > dp && Number(frac[dp]) >= 5;
  const v = digits + (roundUp ? 1n : 0n);
  const s = v.toString().padStart(dp + 1, "0");
  const out = dp > 0 ? `${s.slice(0, -dp)}.${s.slice(-dp)}` : s;
  return m[1] && /[1-9]/.test(out) ? `-${out}` : out;
}
