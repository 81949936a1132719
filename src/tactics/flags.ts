import { usageError } from "../errors.js";

/**
 * A `simulate` flag a tactic declares: what `src/cli.ts` adds to the command (its commander flags, help and default)
 * and how the tactic reads it (`parse`, which validates and names the flag in its usage error). Flags are parsed
 * when the tactic is built, so a flag of a tactic that was not chosen is never judged (`--ttl x` without `--cache`).
 * Two tactics may share a flag (the caches share `--cache` and `--ttl`): the same object, listed by both.
 */
export interface TacticFlag<T = unknown> {
  /** As commander takes them: "--ttl <seconds>" (a value), "--prompt-cache" (a switch). */
  flags: string;
  help: string;
  /** Shown in --help, and the value when the flag is not given. */
  default?: string;
  /** Each use adds a value: the tactic reads the list (absent when empty). */
  repeatable?: boolean;
  /** The typed value from what was given: the string, the list of a repeatable flag, `true` for a switch. */
  parse(raw: string | readonly string[] | true): T;
}

/** "--prefix-share <share>" → "--prefix-share". */
export const flagName = (f: Pick<TacticFlag, "flags">): string => f.flags.split(" ")[0]!;

/** The key commander stores a flag's value under: "--prefix-share" → "prefixShare". */
export const flagKey = (f: Pick<TacticFlag, "flags">): string =>
  flagName(f)
    .slice(2)
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Reads the tactics' flags from the parsed command line (commander's values, by `flagKey`). */
export interface FlagReader {
  /** The flag's parsed value (its default when not given), or undefined when it was not given and has no default. */
  read<T>(flag: TacticFlag<T>): T | undefined;
  /** Whether the user gave the flag (commander holds no defaults: a given flag beats the config, even at its default). */
  given(flag: TacticFlag): boolean;
}

/** A flag's value as commander stored it, as `parse` takes it; undefined when it was not given (or an empty list). */
export function givenValue(v: unknown): string | readonly string[] | true | undefined {
  if (v === undefined || v === false) return undefined;
  if (Array.isArray(v)) return v.length ? v.map(String) : undefined;
  return v === true ? true : String(v);
}

export function flagReader(values: Readonly<Record<string, unknown>>): FlagReader {
  const raw = (flag: TacticFlag) => givenValue(values[flagKey(flag)]);
  return {
    read: <T>(flag: TacticFlag<T>) => {
      const v = raw(flag) ?? flag.default;
      return v === undefined ? undefined : flag.parse(v);
    },
    given: (flag) => raw(flag) !== undefined,
  };
}

/** The raw value as one string (a value flag); a list or a switch here is a mistake in the flag's declaration. */
export const one = (raw: string | readonly string[] | true): string => {
  if (typeof raw !== "string") throw new Error(`a value flag read as ${JSON.stringify(raw)}`);
  return raw;
};
export const many = (raw: string | readonly string[] | true): readonly string[] => (typeof raw === "string" ? [raw] : raw === true ? [] : raw);

/** A fraction between 0 and 1 (`0.5`, `1`); empty is no fraction. */
export function parseShare(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === "" || Number.isNaN(n) || n < 0 || n > 1) throw usageError(`${flag} expects a fraction between 0 and 1 (got ${JSON.stringify(v)})`);
  return n;
}

/** A whole number above 0 (`3600`), a safe integer (as zod's `int()`). */
export function parsePositiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw usageError(`${flag} expects a positive whole number (got ${JSON.stringify(v)})`);
  return n;
}
