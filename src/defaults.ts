/**
 * Defaults a flag and the code behind it share, written once. Plain constants only: cli.ts imports this for --help,
 * which must not load DuckDB or any command module.
 */
export const DEFAULTS = {
  /** simulate --ttl, savings' exact cache: a cache entry lives an hour from the miss that set it. */
  cacheTtlSeconds: 3600,
  /** simulate --escalate, savings' route: 8% of routed requests escalate and pay both calls. */
  escalateShare: 0.08,
  /** reconcile and pricing check --tolerance, in percent. */
  tolerancePct: 5,
  /** pricing import-litellm --providers. */
  importProviders: "openai,anthropic,google",
} as const;
