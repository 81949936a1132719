import { usageError } from "../errors.js";

/**
 * A row's provider, with a missing one spelled "(unknown)" like every missing value: NULL, or the 'unknown' that a
 * vendor-less usage object (Groq, vLLM…) of an unpriced model is stored with.
 */
export const providerSql = (col: string): string => `coalesce(nullif(${col}, 'unknown'), '(unknown)')`;

/** The allow-list of report dimensions. Only these SQL expressions ever reach the query text. */
export const DIMENSIONS = {
  feature: "u.feature",
  user: "coalesce(u.user_hash, '(unknown)')",
  model: "coalesce(u.model, '(unknown)')",
  provider: providerSql("u.provider"),
  project: "coalesce(u.project, '(none)')",
  api_key: "coalesce(u.api_key, '(none)')",
  endpoint: "coalesce(u.endpoint, '(none)')",
  batch: "CASE WHEN u.batch THEN 'batch' ELSE 'realtime' END",
  service_tier: "coalesce(u.service_tier, '(none)')",
  workspace: "coalesce(u.workspace, '(none)')",
  // Cost exports only: OpenAI's line item, else Anthropic's cost type and token type ("tokens output_tokens").
  line_item: "coalesce(u.line_item, nullif(concat_ws(' ', u.cost_type, u.token_type), ''), '(none)')",
  day: "strftime(__local, '%Y-%m-%d')",
  week: "strftime(date_trunc('week', __local), '%Y-%m-%d')",
  month: "strftime(__local, '%Y-%m')",
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as Dimension[];
export const TIME_DIMENSIONS: readonly Dimension[] = ["day", "week", "month"];
/** Dimensions only cost exports have (report --source billing). */
export const BILLED_ONLY_DIMENSIONS: readonly Dimension[] = ["line_item"];
/** Dimensions a cost export has (the others are properties of usage rows: features, users, endpoints…). */
export const BILLED_DIMENSIONS: readonly Dimension[] = [
  "model",
  "provider",
  "project",
  "api_key",
  "workspace",
  "service_tier",
  "line_item",
  "day",
  "week",
  "month",
];

export function parseDimension(value: string, flag: string): Dimension {
  const v = value.trim();
  if (!(DIMENSION_NAMES as string[]).includes(v)) {
    throw usageError(`${flag}: unknown dimension ${JSON.stringify(v)}`, `one of: ${DIMENSION_NAMES.join(", ")}`);
  }
  return v as Dimension;
}

/** `--by feature` or `--by feature,model`. */
export function parseBy(value: string | undefined): Dimension[] {
  const parts = (value ?? "feature").split(",");
  if (parts.length > 2) throw usageError("--by takes one or two dimensions, e.g. --by feature,model");
  const dims = parts.map((p) => parseDimension(p, "--by"));
  if (dims.length === 2 && dims[0] === dims[1]) throw usageError("--by: the two dimensions must differ");
  return dims;
}

/** `--where DIM=VALUE`, repeatable; the value is bound as a parameter, never spliced into SQL. */
export function parseWhere(values: readonly string[]): { dim: Dimension; value: string }[] {
  return values.map((w) => {
    const eq = w.indexOf("=");
    if (eq <= 0) throw usageError(`--where expects DIM=VALUE (got ${JSON.stringify(w)})`);
    return { dim: parseDimension(w.slice(0, eq), "--where"), value: w.slice(eq + 1) };
  });
}

/** A dimension's values in the plural, for prose ("3 of 12 features"). */
export const DIMENSION_PLURAL: Record<Dimension, string> = {
  feature: "features",
  user: "users",
  model: "models",
  provider: "providers",
  project: "projects",
  api_key: "API keys",
  endpoint: "endpoints",
  batch: "batch modes",
  service_tier: "service tiers",
  workspace: "workspaces",
  line_item: "line items",
  day: "days",
  week: "weeks",
  month: "months",
};
