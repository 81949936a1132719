import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { usageError } from "./errors.js";
import { MAX_DEPTH, tooDeep } from "./json.js";
import { Overrides } from "./pricing/schema.js";
import { LOG_FIELDS } from "./sources/flat-log.js";

export const DEFAULT_TAG_PATTERN = "^(?<user>[0-9a-f]{12}):(?<feature>.+)$";

const Feature = z.strictObject({
  batchable: z.boolean().optional(),
  cacheable: z.boolean().optional(),
  realtime: z.boolean().optional(),
});

export const Config = z.strictObject({
  $schema: z.string().optional(),
  tags: z
    .strictObject({
      /** A regex with two named groups, `user` and `feature`, matched against the request's user / safety_identifier. */
      pattern: z.string().default(DEFAULT_TAG_PATTERN),
    })
    .default({ pattern: DEFAULT_TAG_PATTERN }),
  features: z.record(z.string(), Feature).default({}),
  budgets: z
    .strictObject({
      daily: z.number().positive().optional(),
      monthly: z.number().positive().optional(),
      features: z.record(z.string(), z.string()).default({}),
      models: z.record(z.string(), z.string()).default({}),
      /** As --spike: a factor above 1 (at 1 or below every day would be a spike). */
      spike: z.number().gt(1, { error: "a factor above 1, as --spike takes (e.g. 2.0)" }).optional(),
      spikeMinUsd: z.number().nonnegative().optional(),
      failOnUnpricedPct: z.number().min(0).max(100).optional(),
      /** Fail when the newest data is older than this (e.g. "36h", "2d"); default 2d. */
      maxAge: z.string().optional(),
    })
    .optional(),
  pricing: z
    .strictObject({
      /** Negotiated discounts and private or fine-tuned models, in the shape of a --pricing FILE. */
      overrides: Overrides.optional(),
      /** Deployment names (Azure deployments, Bedrock application inference profiles) → the model each serves. */
      deployments: z.record(z.string().min(1), z.string().min(1)).default({}),
    })
    .optional(),
  cache: z
    .strictObject({
      /**
       * Prompts starting with one of these (after leading blanks; case-sensitive) are never served from a simulated
       * response cache. Checked when request logs are ingested, since prompt text is never stored.
       */
      denyPrefixes: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  /**
   * How request logs are read. `inputIncludesCached`: whether a flat line's `input_tokens` already counts its cached
   * and cache-write tokens (OpenAI/Gemini apps copy `prompt_tokens`) or not (Anthropic); "auto" decides per line.
   * `fields`: a canonical field's name (CSV) or JSON path (JSONL, dotted) in this log.
   */
  logs: z
    .strictObject({
      inputIncludesCached: z.union([z.boolean(), z.literal("auto")]).default("auto"),
      fields: z.partialRecord(z.enum(LOG_FIELDS), z.string().min(1)).default({}),
    })
    .optional(),
  /** Tactic defaults: `promptCache.prefixShare`, the share of input that is a repeated prefix (0–1, default 0.5). */
  tactics: z
    .strictObject({
      promptCache: z.strictObject({ prefixShare: z.number().min(0).max(1).optional() }).optional(),
    })
    .optional(),
  sources: z
    .strictObject({
      otel: z
        .strictObject({
          /** The span attribute holding the end user (or a `user:feature` tag); default `enduser.id`, then `user.id`. */
          userAttribute: z.string().min(1).optional(),
          /** The span attribute holding the feature; default none (the tag format's feature, else `(untagged)`). */
          featureAttribute: z.string().min(1).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type ConfigT = z.infer<typeof Config>;

/**
 * --config PATH, else ./llmcost.config.json if present, else defaults. Every key is typed: a wrong type is exit 2
 * naming the key. `pricingOverrides` is the overrides as written (the catalog fingerprints them as given).
 */
export function loadConfig(path: string | undefined): { config: ConfigT; path: string | undefined; pricingOverrides: unknown } {
  const resolved = path ?? (existsSync("llmcost.config.json") ? "llmcost.config.json" : undefined);
  if (resolved === undefined) return { config: Config.parse({}), path: undefined, pricingOverrides: undefined };
  if (!existsSync(resolved)) throw usageError(`config not found: ${resolved}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolved, "utf8"));
  } catch (err) {
    throw usageError(`${resolved}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (tooDeep(raw)) throw usageError(`${resolved}: invalid config: nested more than ${MAX_DEPTH} levels deep`);
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
    throw usageError(`${resolved}: invalid config: ${why}`);
  }
  const pricing = (raw as { pricing?: { overrides?: unknown } }).pricing;
  return { config: parsed.data, path: resolved, pricingOverrides: pricing?.overrides };
}

/**
 * Compiles the tag pattern for DuckDB (RE2): named groups become positional, and the order of `user` and `feature`
 * is returned so regexp_extract can name them. `rebuilds`: every tag it decodes is exactly `user:feature` (the
 * default pattern), so usage_lean can drop the tag and rebuild it.
 */
export function compileTagPattern(pattern: string): { re2: string; groups: ["user" | "feature", "user" | "feature"]; rebuilds: boolean } {
  let count: number;
  try {
    count = (new RegExp(`${pattern}|`).exec("")?.length ?? 1) - 1;
  } catch (err) {
    throw usageError(`tags.pattern is not a valid regex: ${err instanceof Error ? err.message : String(err)}`);
  }
  const u = pattern.indexOf("(?<user>");
  const f = pattern.indexOf("(?<feature>");
  if (count !== 2 || u < 0 || f < 0) {
    throw usageError("tags.pattern must have exactly two capture groups, named user and feature", `e.g. ${DEFAULT_TAG_PATTERN} (use (?:…) for other groups)`);
  }
  return {
    re2: pattern.replace("(?<user>", "(").replace("(?<feature>", "("),
    groups: u < f ? ["user", "feature"] : ["feature", "user"],
    rebuilds: pattern === DEFAULT_TAG_PATTERN,
  };
}
