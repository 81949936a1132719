import assert from "node:assert/strict";
import { test } from "node:test";
import { ExitError } from "../src/errors.js";
import { instantSql, parseInstant, parseTz, parseWindow, windowConds } from "../src/report/window.js";

// --since, --until and --tz, without a database.

const usage = (message: string) => (err: unknown) => err instanceof ExitError && err.code === 2 && err.message === message;

test("parseInstant: ISO dates, compact dates and datetimes; nothing else", () => {
  assert.equal(parseInstant(undefined, "--since"), null);
  assert.equal(parseInstant("2025-11-01", "--since"), "2025-11-01");
  assert.equal(parseInstant("20251101", "--since"), "2025-11-01", "YYYYMMDD is written out");
  assert.equal(parseInstant("2025-11-01T08:00:00Z", "--since"), "2025-11-01T08:00:00Z");
  assert.equal(parseInstant("2025-11-01 08:00", "--since"), "2025-11-01 08:00");
  assert.equal(parseInstant("2025-11-01T08:00:00.250+05:30", "--until"), "2025-11-01T08:00:00.250+05:30");
  assert.throws(
    () => parseInstant("yesterday", "--since"),
    usage('--since expects an ISO date (2025-11-01 or 20251101) or datetime (2025-11-01T08:00:00Z) (got "yesterday")'),
  );
  assert.throws(
    () => parseInstant("2025-11-01T8:00", "--since"),
    usage('--since expects an ISO date (2025-11-01 or 20251101) or datetime (2025-11-01T08:00:00Z) (got "2025-11-01T8:00")'),
  );
  // Dates JavaScript would roll over (2025-02-30 → March 2) are refused.
  assert.throws(() => parseInstant("2025-02-30", "--until"), usage('--until is not a real date (got "2025-02-30")'));
  assert.throws(() => parseInstant("20251301", "--until"), usage('--until is not a real date (got "20251301")'));
  assert.throws(() => parseInstant("2025-11-01T25:00:00Z", "--until"), usage('--until is not a real date (got "2025-11-01T25:00:00Z")'));
  assert.equal(parseInstant("2024-02-29", "--since"), "2024-02-29", "a leap day is a real date");
});

test("parseWindow: --until must come after --since (exclusive end), else exit 2, never an empty report", () => {
  assert.deepEqual(parseWindow({}), { since: null, until: null });
  assert.deepEqual(parseWindow({ since: "20251101", until: "2025-11-05" }), { since: "2025-11-01", until: "2025-11-05" });
  assert.deepEqual(parseWindow({ until: "2025-11-05" }), { since: null, until: "2025-11-05" });
  assert.throws(() => parseWindow({ since: "2025-11-01", until: "2025-11-01" }), usage("--until 2025-11-01 is not after --since 2025-11-01"), "an empty range");
  assert.throws(() => parseWindow({ since: "2025-11-05", until: "2025-11-01" }), usage("--until 2025-11-01 is not after --since 2025-11-05"));
  // Both absolute: compared exactly. 10:00+02:00 is 08:00Z, so an until of 08:00Z is not after it, 08:01Z is.
  assert.throws(() => parseWindow({ since: "2025-11-01T10:00:00+02:00", until: "2025-11-01T08:00:00Z" }), ExitError);
  assert.deepEqual(parseWindow({ since: "2025-11-01T10:00:00+02:00", until: "2025-11-01T08:01:00Z" }).until, "2025-11-01T08:01:00Z");
  // One absolute, one wall-clock (local to --tz, unknown here): only refused when no zone (±14 h) could order them.
  assert.deepEqual(parseWindow({ since: "2025-11-01T10:00:00Z", until: "2025-11-01T09:00:00" }).since, "2025-11-01T10:00:00Z");
  assert.throws(
    () => parseWindow({ since: "2025-11-01T10:00:00", until: "2025-10-30T10:00:00+00:00" }),
    usage("--until 2025-10-30T10:00:00+00:00 is not after --since 2025-11-01T10:00:00"),
  );
});

test("parseTz: any IANA zone the runtime knows; UTC by default", () => {
  assert.equal(parseTz(undefined), "UTC");
  assert.equal(parseTz("UTC"), "UTC");
  assert.equal(parseTz("Europe/Berlin"), "Europe/Berlin");
  assert.equal(parseTz("America/New_York"), "America/New_York");
  assert.throws(() => parseTz("Mars/Olympus_Mons"), usage('--tz: unknown time zone "Mars/Olympus_Mons"'));
});

test("window SQL: values are bound parameters; plain dates and wall-clock times are read in $tz, offsets as given", () => {
  const local = "timezone('UTC', timezone($tz, CAST($since AS TIMESTAMP)))";
  assert.equal(instantSql("$since", "2025-11-01"), local);
  assert.equal(instantSql("$since", "2025-11-01T08:00:00"), local);
  assert.equal(instantSql("$since", "2025-11-01T08:00:00Z"), "timezone('UTC', CAST($since AS TIMESTAMPTZ))");
  assert.equal(instantSql("$since", "2025-11-01T08:00:00-0500"), "timezone('UTC', CAST($since AS TIMESTAMPTZ))");
  const params: Record<string, unknown> = {};
  assert.deepEqual(windowConds("ts", "2025-11-01", "2025-11-05T00:00:00+01:00", params), [
    "ts >= timezone('UTC', timezone($tz, CAST($since AS TIMESTAMP)))",
    "ts < timezone('UTC', CAST($until AS TIMESTAMPTZ))",
  ]);
  assert.deepEqual(params, { since: "2025-11-01", until: "2025-11-05T00:00:00+01:00" });
  const none: Record<string, unknown> = {};
  assert.deepEqual(windowConds("ts", null, null, none), []);
  assert.deepEqual(none, {});
  // A hostile value never reaches the SQL text.
  const evil: Record<string, unknown> = {};
  const sql = windowConds("ts", "2025-11-01'; DROP TABLE usage; --", null, evil).join(" ");
  assert.ok(!sql.includes("DROP"), sql);
  assert.equal(evil.since, "2025-11-01'; DROP TABLE usage; --");
});
