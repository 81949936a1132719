import assert from "node:assert/strict";
import { test } from "node:test";
import { addDec, compareDec, mulFrac, ratio, subDec, sumDec } from "../src/money.js";
import { fromMicro, mulDiv, roundDecimal, toMicro } from "../src/pricing/decimal.js";
import { usd, usdSigned } from "../src/output/format.js";

// Pure functions, no CLI: every expected value below is worked out by hand in the comment beside it.

test("money: sums and differences are exact at 12 decimal places, where floats are not", () => {
  assert.equal(0.1 + 0.2 === 0.3, false); // why amounts are never floats
  assert.equal(addDec("0.1", "0.2"), "0.300000000000");
  assert.equal(subDec("1", "2.5"), "-1.500000000000");
  assert.equal(addDec("-0.000000000001", "0.000000000001"), "0.000000000000");
  assert.equal(addDec(" 1.5 ", "0"), "1.500000000000", "surrounding blanks are trimmed");
  // 100,000 rows of $0.00001: exactly $1 (added as floats: 0.9999999999980838)
  assert.equal(sumDec(Array.from({ length: 100_000 }, () => "0.00001")), "1.000000000000");
  assert.equal(sumDec([]), "0.000000000000");
  assert.equal(sumDec(["12.25", "-0.25", "0.000000000007"]), "12.000000000007");
  // beyond 2^53 (9007199254740992): 9007199254740993 + 0.000000000001 keeps both ends
  assert.equal(addDec("9007199254740993", "0.000000000001"), "9007199254740993.000000000001");
});

test("money: mulFrac rounds half away from zero at 12 decimals", () => {
  assert.equal(mulFrac("10", 1n, 3n), "3.333333333333"); // 3.333333333333|33…: down
  assert.equal(mulFrac("20", 1n, 3n), "6.666666666667"); // 6.666666666666|66…: up
  assert.equal(mulFrac("-20", 1n, 3n), "-6.666666666667"); // away from zero on the negative side too
  assert.equal(mulFrac("0.000000000001", 1n, 2n), "0.000000000001"); // exactly half a unit: up
  assert.equal(mulFrac("-0.000000000001", 1n, 2n), "-0.000000000001"); // and down when negative
  assert.equal(mulFrac("3.5", 4n, 7n), "2.000000000000"); // 3.5 × 4 / 7 = 2 exactly
  assert.equal(mulFrac("100", 31n, 30n), "103.333333333333"); // a 30-day month scaled to 31 days
});

test("money: compareDec compares the values, not the strings; ratio is a float only for shares", () => {
  assert.equal(compareDec("1.50", "1.5"), 0);
  assert.equal(compareDec("10", "9.5"), 1); // as strings "10" < "9.5"
  assert.equal(compareDec("-1", "0.5"), -1);
  assert.equal(compareDec("2", "1.999999999999"), 1);
  assert.equal(ratio("1", "4"), 0.25);
  assert.equal(ratio("0.5", "2"), 0.25);
  assert.equal(ratio("3", "0"), 0, "a share of nothing is 0, never NaN or Infinity");
});

test("money: anything but a plain decimal is refused, never read as 0 or NaN", () => {
  for (const bad of ["1e3", "", "abc", ".5", "+1", "1,000.00", "NaN", "1.2.3"]) {
    assert.throws(() => addDec(bad, "0"), /not a decimal amount/, bad);
  }
});

test("decimal: micro-units (6 places) for rates, exact both ways", () => {
  assert.equal(toMicro("1.25"), 1_250_000n);
  assert.equal(toMicro("0.000001"), 1n);
  assert.equal(toMicro("-3"), -3_000_000n);
  assert.equal(toMicro("1.2500000"), 1_250_000n, "trailing zeros past 6 places are fine");
  assert.throws(() => toMicro("1.0000001"), /more than 6 decimals: 1.0000001/, "a seventh significant decimal is never dropped silently");
  assert.throws(() => toMicro("cheap"), /not a decimal: cheap/);
  assert.equal(fromMicro(1_250_000n), "1.25");
  assert.equal(fromMicro(3_000_000n), "3");
  assert.equal(fromMicro(0n), "0");
  assert.equal(fromMicro(-1n), "-0.000001");
  for (const v of ["0.075", "15", "0.000001", "1234.5678"]) assert.equal(fromMicro(toMicro(v)), v);
});

test("decimal: mulDiv rounds half away from zero", () => {
  assert.equal(mulDiv(5n, 1n, 2n), 3n); // 2.5 → 3
  assert.equal(mulDiv(-5n, 1n, 2n), -3n); // -2.5 → -3
  assert.equal(mulDiv(7n, 1n, 3n), 2n); // 2.33 → 2
  assert.equal(mulDiv(8n, 1n, 3n), 3n); // 2.67 → 3
  // a 50% batch discount on $0.15/M (150000 micro): 75000
  assert.equal(mulDiv(150_000n, 50n, 100n), 75_000n);
  // 1,234,567 tokens at $2.50/M in micro-dollars: 1234567 × 2500000 / 1e6 = 3086417.5 → 3086418
  assert.equal(mulDiv(1_234_567n, 2_500_000n, 1_000_000n), 3_086_418n);
});

test("decimal: roundDecimal rounds the written digits half away from zero, with exactly dp decimals", () => {
  assert.equal(roundDecimal("1.005", 2), "1.01"); // the float 1.005 is 1.00499…: toFixed(2) gives "1.00"
  assert.equal((1.005).toFixed(2), "1.00");
  assert.equal(roundDecimal("2.5", 0), "3");
  assert.equal(roundDecimal("12.3", 4), "12.3000");
  assert.equal(roundDecimal("0.99996", 4), "1.0000"); // the carry runs into the integer part
  assert.equal(roundDecimal("999.995", 2), "1000.00");
  assert.equal(roundDecimal("-0.005", 2), "-0.01");
  assert.equal(roundDecimal("-0.004", 2), "0.00", "no negative zero");
  assert.equal(roundDecimal("7", 2), "7.00");
  assert.throws(() => roundDecimal("1e-3", 2), /not a decimal: 1e-3/);
});

test("usd: 2 decimals from $1, 4 below, grouped thousands, rounded only here", () => {
  assert.equal(usd("1234.565"), "$1,234.57");
  assert.equal(usd("1234567.891"), "$1,234,567.89");
  assert.equal(usd("0.12345"), "$0.1235");
  assert.equal(usd("1"), "$1.00");
  assert.equal(usd("0.99996"), "$1.0000"); // below $1 before rounding: 4 places
  assert.equal(usd("-12.5"), "-$12.50");
  assert.equal(usd("-0.00001"), "$0.0000", "a cost that rounds to nothing has no sign");
  assert.equal(usd(null), "—");
  assert.equal(usd(undefined), "—");
  assert.equal(usdSigned("4280"), "+$4,280.00");
  assert.equal(usdSigned("-6.49"), "-$6.49");
});
