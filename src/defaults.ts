/**
 * Defaults a flag and the code behind it share, written once. The flag schemas (src/flags/) apply them and --help
 * shows them. Plain constants only: cli.ts imports this for --help, which must not load zod, DuckDB or any command.
 */
export const DEFAULTS = {
  /** --format of every reporting command (ingest: --output). */
  format: "table",
  /** --cost-mode. */
  costMode: "auto",
  /** --tz: day/week/month buckets and plain dates. */
  tz: "UTC",
  /** report --by. */
  by: "feature",
  /** report --source. */
  source: "auto",
  /** simulate --ttl, savings' exact cache: a cache entry lives an hour from the miss that set it. */
  cacheTtlSeconds: 3600,
  /** simulate --threshold for --cache semantic. */
  semanticThreshold: 0.95,
  /** simulate --escalate, savings' route: 8% of routed requests escalate and pay both calls. */
  escalateShare: 0.08,
  /** simulate --prefix-share (when the config's tactics.promptCache.prefixShare is not set), savings' prompt cache. */
  prefixShare: 0.5,
  /** budget --spike-min (when the config's budgets.spikeMinUsd is not set), in USD. */
  spikeMinUsd: "1",
  /** reconcile and pricing check --tolerance, in percent. */
  tolerancePct: 5,
  /** export --focus-version and --unpriced-cost. */
  focusVersion: "1.2",
  unpricedCost: "zero",
  /** pricing coverage --modes. */
  coverageModes: "chat,responses,embedding,completion",
  /** pricing import-litellm --providers. */
  importProviders: "openai,anthropic,google",
} as const;
