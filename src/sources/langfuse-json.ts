import { isoTs, money, readJson, str, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

const OBS =
  "STRUCT(id VARCHAR, traceId VARCHAR, parentObservationId VARCHAR, type VARCHAR, name VARCHAR, startTime VARCHAR, " +
  "endTime VARCHAR, model VARCHAR, usageDetails MAP(VARCHAR, DOUBLE), costDetails MAP(VARCHAR, VARCHAR), " +
  "providedCostDetails MAP(VARCHAR, VARCHAR), usage STRUCT(input DOUBLE, output DOUBLE, total DOUBLE), totalCost VARCHAR, " +
  "calculatedTotalCost VARCHAR, userId VARCHAR, level VARCHAR, latency DOUBLE)";
const TRACE = "STRUCT(id VARCHAR, name VARCHAR, userId VARCHAR, projectId VARCHAR, environment VARCHAR, tags VARCHAR[], metadata VARCHAR)";

/** usageDetails keys (free-form; these are the ones Langfuse and its SDKs write). */
const ud = (...keys: string[]) => `coalesce(${keys.map((k) => `o.usageDetails[${str(k)}]`).join(", ")})`;
const CACHED = ud("input_cached_tokens", "input_cache_read", "cache_read_input_tokens", "prompt_details.cache_read", "cached_tokens");
const CW_1H = ud("input_cache_creation_1h", "input_cache_write_1h");
const CW_5M = `coalesce(${ud("input_cache_creation_5m", "input_cache_write_5m")}, ${ud("input_cache_creation", "input_cache_write", "cache_creation_input_tokens", "prompt_details.cache_write")} - coalesce(${CW_1H}, 0))`;
const REASONING = ud("output_reasoning", "output_reasoning_tokens", "completion_details.reasoning", "reasoning_tokens");
const AUDIO_IN = ud("input_audio", "input_audio_tokens", "prompt_details.audio");
const AUDIO_OUT = ud("output_audio", "output_audio_tokens", "completion_details.audio");
const INPUT = `coalesce(o.usageDetails['input'], o.usage.input)`;
const OUTPUT = `coalesce(o.usageDetails['output'], o.usage.output)`;
const TYPES = ["GENERATION", "EMBEDDING"];

/**
 * Langfuse trace and observation exports. Reference: formats-2026.md §2.
 * - UI "Download JSON" (`{trace, observations}`), the public API's trace (`GET /api/public/traces/{id}`: the trace
 *   with its `observations`) and observation pages (`{data, meta}`, v1 and v2).
 * - Only GENERATION and EMBEDDING observations carry billable usage; one counts when no observation below it also
 *   carries usage (an AGENT, or a GENERATION wrapping its child's call, repeats it). A repeated observation id (pages
 *   that overlap) counts once.
 * - usageDetails keys are disjoint in current Langfuse (cache, audio and reasoning keys apart from input/output);
 *   older data put them inside input/output: when `total` is less than the sum of the other keys, the sub-keys are
 *   taken as included and subtracted from input (output already includes reasoning).
 */
export const langfuseJson: UsageAdapter = {
  name: "langfuse-json",
  description: "Langfuse trace/observation exports (UI Download JSON, public API traces and observations pages): GENERATION usage",
  target: "usage",
  kind: "requests",
  tokenFields: ["usageDetails", "inputUsage", "outputUsage", "promptTokens", "completionTokens"],
  detect: (head) => jsonHas(head, /"parentObservationId"\s*:/) && jsonHas(head, /"(usageDetails|observations|calculatedTotalCost)"\s*:/),
  read: () => {
    const doc = readJson({
      trace: TRACE,
      observations: `${OBS}[]`,
      data: `${OBS}[]`,
      id: "VARCHAR",
      name: "VARCHAR",
      userId: "VARCHAR",
      projectId: "VARCHAR",
      environment: "VARCHAR",
      tags: "VARCHAR[]",
      metadata: "VARCHAR",
    });
    // The trace: the export's `trace`, else the API trace's own top-level fields.
    const obs = `(SELECT coalesce(trace, CASE WHEN id IS NOT NULL THEN {'id': id, 'name': name, 'userId': userId, 'projectId': projectId, 'environment': environment, 'tags': tags, 'metadata': metadata} END) AS t,
        CASE WHEN observations IS NOT NULL THEN 'observations' ELSE 'data' END AS __arr,
        unnest(coalesce(observations, data)) AS o, generate_subscripts(coalesce(observations, data), 1) - 1 AS __i
      FROM ${doc})`;
    const sumOthers = `list_sum(list_transform(list_filter(map_entries(o.usageDetails), e -> e.key <> 'total'), e -> e.value))`;
    const staged = `SELECT *, __arr || '[' || __i || ']' AS __loc, coalesce(o.traceId, t.id) AS trace_id, o.id AS obs_id,
        (coalesce(${INPUT}, 0) + coalesce(${OUTPUT}, 0)) > 0 AS __usage,
        coalesce(o.usageDetails['total'] < ${sumOthers}, false) AS __inclusive
      FROM ${obs}`;
    return {
      from: `(WITH RECURSIVE __s AS MATERIALIZED (${staged}),
        __anc(trace_id, obs_id) AS (
          SELECT trace_id, o.parentObservationId FROM __s WHERE __usage AND o.parentObservationId IS NOT NULL
          UNION
          SELECT p.trace_id, p.o.parentObservationId FROM __anc JOIN __s p ON p.trace_id = __anc.trace_id AND p.obs_id = __anc.obs_id
          WHERE p.o.parentObservationId IS NOT NULL)
        SELECT __s.*, CASE
            WHEN row_number() OVER (PARTITION BY __s.trace_id, __s.obs_id ORDER BY __s.__loc) > 1 THEN 'observation already counted (repeated id)'
            WHEN upper(__s.o.type) NOT IN (${TYPES.map(str).join(", ")}) THEN 'not a generation (span, agent, tool, event…)'
            WHEN NOT __s.__usage THEN 'generation without usage'
            WHEN __a.obs_id IS NOT NULL THEN 'parent repeating a nested generation''s usage'
          END AS __why
        FROM __s LEFT JOIN (SELECT DISTINCT trace_id, obs_id FROM __anc) __a ON __a.trace_id = __s.trace_id AND __a.obs_id = __s.obs_id)`,
      keep: { sql: "__why IS NULL", reason: "not counted", why: "__why" },
      lines: { record: "__loc" },
    };
  },
  columns: () => {
    const z = (e: string) => `coalesce(${e}, 0)`;
    const cacheParts = `${z(CACHED)} + ${z(CW_5M)} + ${z(CW_1H)} + ${z(AUDIO_IN)}`;
    return {
      ts: isoTs("o.startTime"),
      model: `CASE WHEN lower(o.model) <> 'unknown' THEN ${text("o.model")} END`,
      project: text("t.projectId"),
      workspace: text("t.environment"),
      tag: text("coalesce(o.userId, t.userId)"),
      feature_hint: text(`coalesce(json_extract_string(t.metadata, '$.feature'), list_filter(t.tags, x -> starts_with(x, 'feature:'))[1][9:], t.name)`),
      endpoint: "lower(o.type)",
      requests: "1",
      // Audio tokens are input/output tokens too: without audio prices they are counted at the text rates.
      input_tokens: tok(`CASE WHEN __inclusive THEN ${INPUT} - (${cacheParts}) + ${z(AUDIO_IN)} ELSE ${z(INPUT)} + ${z(AUDIO_IN)} END`),
      cached_input_tokens: tok(CACHED),
      cache_write_5m_tokens: tok(CW_5M),
      cache_write_1h_tokens: tok(CW_1H),
      output_tokens: tok(`CASE WHEN __inclusive THEN ${OUTPUT} ELSE ${z(OUTPUT)} + ${z(REASONING)} + ${z(AUDIO_OUT)} END`),
      reasoning_tokens: tok(REASONING),
      status: `CASE WHEN o.level = 'ERROR' THEN 'error' END`,
      latency_ms: `CASE WHEN o.latency >= 0 THEN round(o.latency * 1000)::BIGINT
        ELSE CAST(epoch_ms(${isoTs("o.endTime")}) - epoch_ms(${isoTs("o.startTime")}) AS BIGINT) END`,
      request_id: `'langfuse:' || obs_id`,
      // The cost the SDK sent, else the one Langfuse computed (0 means none was known).
      reported_cost_usd: `coalesce(${money("o.providedCostDetails['total']")}, ${money("o.costDetails['total']")}, nullif(${money("o.totalCost")}, 0), nullif(${money("o.calculatedTotalCost")}, 0))`,
    };
  },
  checks: [{ sql: "model IS NULL", reason: "generation without a model" }],
};
