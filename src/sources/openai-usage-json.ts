import { bool, readJson, text, tok, unixIso, unixTs } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

const USAGE_RESULT =
  "STRUCT(object VARCHAR, input_tokens DOUBLE, output_tokens DOUBLE, input_cached_tokens DOUBLE, " +
  "input_cache_write_tokens DOUBLE, input_cache_write_12h_tokens DOUBLE, num_model_requests DOUBLE, project_id VARCHAR, " +
  "user_id VARCHAR, api_key_id VARCHAR, model VARCHAR, batch VARCHAR, service_tier VARCHAR, api_source VARCHAR, " +
  "input_audio_tokens DOUBLE, output_audio_tokens DOUBLE)";

/**
 * Buckets → results. Old schemas named the array `result`; parse `results`, fall back to `result`. A record is a page
 * (`{"object": "page", "data": [buckets]}`: one page, an array of pages, or JSONL) or a bucket itself: the bare list
 * of buckets a script collects over pages (`all_data.extend(page["data"])`, as the OpenAI cookbook does).
 */
export const pages = (result: string): string => {
  const bucket = `STRUCT(start_time DOUBLE, end_time DOUBLE, results ${result}[], result ${result}[])`;
  const self = `{'start_time': start_time, 'end_time': end_time, 'results': results, 'result': result}::${bucket}`;
  return `(SELECT bk.start_time AS start_time, bk.end_time AS end_time, unnest(coalesce(bk.results, bk.result)) AS r
    FROM (SELECT unnest(CASE WHEN data IS NOT NULL THEN data WHEN start_time IS NOT NULL THEN [${self}] ELSE [] END) AS bk FROM ${readJson({
      object: "VARCHAR",
      data: `${bucket}[]`,
      start_time: "DOUBLE",
      end_time: "DOUBLE",
      results: `${result}[]`,
      result: `${result}[]`,
    })}))`;
};

export const isPage = /"object"\s*:\s*"page"/;
/** A page, or a bucket of one (a bare list of buckets). */
export const isBuckets = /"object"\s*:\s*"(page|bucket)"/;
export const isCosts = /organization\.costs\.result|"amount"\s*:\s*\{/;

/** OpenAI Usage API pages: /organization/usage/completions and /usage/embeddings (one page, an array, or JSONL). */
export const openaiUsageJson: UsageAdapter = {
  name: "openai-usage-json",
  description: "OpenAI Usage API JSON (completions and embeddings): pages, or a bare list of buckets as scripts save them; per bucket × group",
  target: "usage",
  kind: "billing",
  tokenFields: ["input_tokens", "output_tokens", "num_model_requests"],
  detect: (head) => jsonHas(head, isBuckets, /"start_time"\s*:\s*\d/) && !isCosts.test(head.kind === "json" ? head.text : ""),
  read: () => ({
    from: pages(USAGE_RESULT),
    // The results union also holds images, audio, vector stores…: only token results are usage.
    keep: {
      sql: `r.object IS NULL OR r.object LIKE '%usage.completions.result' OR r.object LIKE '%usage.embeddings.result'`,
      reason: "not a completions/embeddings result",
    },
    lines: { record: `coalesce('bucket ' || ${unixIso("start_time")}, 'a bucket without start_time')` },
  }),
  columns: () => ({
    ts: unixTs("start_time"),
    bucket_end: unixTs("end_time"),
    provider: `'openai'`,
    model: text("r.model"),
    project: text("r.project_id"),
    api_key: text("r.api_key_id"),
    user_raw: text("r.user_id"),
    // api_source (agents_api | unlabeled; only when grouped by it) splits the endpoint: completions/agents_api.
    endpoint: `CASE WHEN r.object LIKE '%embeddings%' THEN 'embeddings' ELSE 'completions' END || coalesce('/' || ${text("r.api_source")}, '')`,
    requests: tok("r.num_model_requests"),
    // input_tokens include cached and cache-write tokens (both retentions) of every modality. The modality fields
    // are subsets of these buckets: audio (uncached input_audio_tokens, output_audio_tokens) is priced at the model's
    // audio rates through audio_input_tokens / audio_output_tokens below.
    input_tokens: tok(
      "r.input_tokens - coalesce(r.input_cached_tokens, 0) - coalesce(r.input_cache_write_tokens, 0) - coalesce(r.input_cache_write_12h_tokens, 0)",
    ),
    cached_input_tokens: tok("r.input_cached_tokens"),
    // Two retentions, two buckets: the default (30-minute) writes as the short one, 12-hour writes as the long one.
    cache_write_5m_tokens: tok("r.input_cache_write_tokens"),
    cache_write_1h_tokens: tok("r.input_cache_write_12h_tokens"),
    output_tokens: tok("r.output_tokens"),
    // Audio tokens: parts of uncached input and of output, billed at the model's audio rates (cached audio bills as
    // cached input).
    audio_input_tokens: tok("r.input_audio_tokens"),
    audio_output_tokens: tok("r.output_audio_tokens"),
    batch: bool("r.batch"),
    service_tier: text("r.service_tier"),
    long_context: "false",
  }),
};
