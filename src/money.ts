/**
 * Exact dollar arithmetic on decimal strings (as DuckDB returns DECIMAL values), via BigInt at 12 decimal places.
 * Floats appear only in shares and percentages, never in amounts.
 */
const SCALE = 12;
const UNIT = 10n ** BigInt(SCALE);

function units(v: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(v.trim());
  if (!m) throw new Error(`not a decimal amount: ${v}`);
  const x = BigInt(m[2]!) * UNIT + BigInt((m[3] ?? "").padEnd(SCALE, "0").slice(0, SCALE));
  return m[1] ? -x : x;
}

function str(x: bigint): string {
  const neg = x < 0n;
  const a = neg ? -x : x;
  return `${neg ? "-" : ""}${a / UNIT}.${(a % UNIT).toString().padStart(SCALE, "0")}`;
}

export const addDec = (a: string, b: string): string => str(units(a) + units(b));
export const subDec = (a: string, b: string): string => str(units(a) - units(b));
export const sumDec = (xs: readonly string[]): string => str(xs.reduce((acc, x) => acc + units(x), 0n));

/** a × num / den, rounded half away from zero at 12 decimals. */
export function mulFrac(a: string, num: bigint, den: bigint): string {
  const p = units(a) * num;
  const q = p / den;
  const r = p % den;
  return str(2n * (r < 0n ? -r : r) >= den ? q + (p < 0n ? -1n : 1n) : q);
}

/** Exact comparison of two decimal strings. */
export const compareDec = (a: string, b: string): number => {
  const d = units(a) - units(b);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
};

/** part / whole as a float for display (shares, percentages). */
export const ratio = (part: string, whole: string): number => (units(whole) === 0n ? 0 : Number(units(part)) / Number(units(whole)));
