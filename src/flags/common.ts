import { z } from "zod";
import { parseFormat } from "../context.js";
import { DEFAULTS } from "../defaults.js";
import { ExitError, usageError } from "../errors.js";
import { parseInstant, parseTz } from "../report/window.js";
import { parsePositiveInt } from "../tactics/flags.js";

/**
 * What every command's flag schema is built from. A flag's value goes through a parse function that throws the
 * usage error a user sees (`--top expects a positive whole number (got "x")`); `via` turns that error into a schema
 * issue, and `parseFlags` turns the first issue (in the schema's key order) back into the same exit-2 error.
 */
export function via<I, T>(base: z.ZodType<I>, parse: (v: I) => T) {
  return base.transform((v, ctx): T => {
    try {
      return parse(v);
    } catch (err) {
      if (!(err instanceof ExitError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message, params: { hint: err.hint } });
      return z.NEVER;
    }
  });
}

/** A flag taking one value (`--top N`). */
export const parsed = <T>(parse: (v: string) => T) => via(z.string(), parse);

/** A flag given or not (`--chart`). */
export const flag = () => z.boolean().default(false);

/** A repeatable flag (`--feature a --feature b`). */
export const repeated = () => z.array(z.string()).default([]);

/** The flag a schema key is (`spikeMin` → `--spike-min`), for issues no parse function worded. */
const flagName = (key: PropertyKey | undefined) => `--${String(key ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Commander's values → a command's typed options, or the exit-2 error of the first flag that fails its schema. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === "custom") throw usageError(issue.message, (issue.params as { hint?: string } | undefined)?.hint);
  throw usageError(`${flagName(issue.path[0])}: ${issue.message}`);
}

/**
 * Flag over config: the flag's value when the user gave the flag (commander's value source "cli" or "env", even when
 * it equals the default), else the config's when it has one, else the flag's default. `config` is read only when
 * needed (a config value the flag overrides is never parsed).
 */
export function flagOverConfig<T>(given: ReadonlySet<string>, key: string, flagValue: T, config: () => T | undefined): T {
  if (given.has(key)) return flagValue;
  return config() ?? flagValue;
}

/** Options every command accepts (see globals() in cli.ts). --cost-mode is checked where it is set (store/cost-mode.ts). */
export const Globals = z.object({
  db: z.string().optional(),
  lake: z.string().optional(),
  config: z.string().optional(),
  pricing: z.string().optional(),
  debug: flag(),
  wide: flag(),
  costMode: z.string().default(DEFAULTS.costMode),
});

/** --format of a reporting command. */
export const format = () => parsed(parseFormat).prefault(DEFAULTS.format);

/** --since / --until, each a valid instant (normalised: 20251101 → 2025-11-01); their order is checked with both. */
export const instant = (name: string) => parsed((v) => parseInstant(v, name)!).optional();

/** --tz: an IANA zone the runtime knows. */
export const tz = () => parsed(parseTz).prefault(DEFAULTS.tz);

/** --since, --until and --tz. */
export const windowFlags = { since: instant("--since"), until: instant("--until"), tz: tz() };

/** A number from a flag: `schema` checks it, `message` says what was expected. */
export const numberFlag =
  (schema: z.ZodType<number>, message: (v: string) => string, blankOk = true) =>
  (v: string): number => {
    const r = schema.safeParse(v);
    if (!r.success || (!blankOk && v.trim() === "")) throw usageError(message(v));
    return r.data;
  };

/** `--top 10`: a whole number above 0 (the tactics' flags use the same parse). */
export const positiveInt = (name: string) => (v: string) => parsePositiveInt(v, name);

/** A comma-separated list, blanks trimmed. */
export const list = (v: string): string[] => v.split(",").map((x) => x.trim());
