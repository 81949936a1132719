import { z } from "zod";
import { usageError } from "../errors.js";

export const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date (YYYY-MM-DD) `n` days later (earlier when negative). */
export const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A validated --tz: any IANA zone the runtime knows. */
export function parseTz(value: string | undefined): string {
  const tz = value ?? "UTC";
  if (tz === "UTC") return tz; // constructing Intl.DateTimeFormat costs ~20 ms: skip it for the default
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
  } catch {
    throw usageError(`--tz: unknown time zone ${JSON.stringify(tz)}`, "use an IANA name such as UTC or Europe/Berlin");
  }
  return tz;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

/** A calendar date that exists: 2025-02-30 does not (JavaScript would roll it to March 2). */
const realDate = (v: string): boolean => {
  const d = v.slice(0, 10);
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
};

/** --since/--until: ISO dates (or YYYYMMDD) or datetimes. Without an offset they are local to --tz. */
export const Instant = z
  .string()
  .transform((v) => v.replace(COMPACT, "$1-$2-$3"))
  .refine((v) => DATE.test(v) || DATETIME.test(v), { message: "expects an ISO date (2025-11-01 or 20251101) or datetime (2025-11-01T08:00:00Z)" })
  .refine((v) => realDate(v) && !Number.isNaN(new Date(DATE.test(v) ? `${v}T00:00:00Z` : v.replace(" ", "T")).getTime()), { message: "is not a real date" });

export function parseInstant(value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  const r = Instant.safeParse(value);
  if (!r.success) throw usageError(`${flag} ${r.error.issues[0]?.message ?? "is invalid"} (got ${JSON.stringify(value)})`);
  return r.data;
}

/** --since and --until together; a range that ends before it starts is a usage error, never an empty report. */
export function parseWindow(o: { since?: string; until?: string }): { since: string | null; until: string | null } {
  const since = parseInstant(o.since, "--since");
  const until = parseInstant(o.until, "--until");
  if (since !== null && until !== null) {
    const ms = (v: string) => new Date(DATE.test(v) ? `${v}T00:00:00Z` : OFFSET.test(v) ? v.replace(" ", "T") : `${v.replace(" ", "T")}Z`).getTime();
    // Mixed offset and wall-clock values compare only up to the widest zone offset.
    const slack = OFFSET.test(since) !== OFFSET.test(until) && !DATE.test(since) ? 14 * 3600_000 : 0;
    if (ms(until) + slack <= ms(since))
      throw usageError(`--until ${until} is not after --since ${since}`, "--since is the start (inclusive), --until the end (exclusive)");
  }
  return { since, until };
}

/**
 * SQL turning a bound instant into naive UTC: with an offset it is absolute, without one it is wall-clock time in
 * the bound $tz.
 */
export const instantSql = (param: string, value: string): string =>
  /(Z|[+-]\d{2}:?\d{2})$/.test(value) && !DATE.test(value)
    ? `timezone('UTC', CAST(${param} AS TIMESTAMPTZ))`
    : `timezone('UTC', timezone($tz, CAST(${param} AS TIMESTAMP)))`;

/** --since/--until as SQL conditions on `col`, binding $since/$until into `params` (with $tz for plain dates). */
export function windowConds(col: string, since: string | null, until: string | null, params: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (since) {
    params.since = since;
    out.push(`${col} >= ${instantSql("$since", since)}`);
  }
  if (until) {
    params.until = until;
    out.push(`${col} < ${instantSql("$until", until)}`);
  }
  return out;
}
