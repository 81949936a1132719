import { isoTs, readJson, text } from "./sql.js";
import { MISSING_TIME, type UsageAdapter } from "./types.js";
import { GEMINI_STRUCT, USAGE_STRUCT, usageObjectColumns, withUsageObject } from "./usage-object.js";
import { jsonHas } from "./util.js";
import { hasTimeField } from "./flat-log.js";

/** The keys a Gemini API / Vertex AI `generateContent` response starts with (formats-2026.md §7). */
const RESPONSE_KEYS = ["candidates", "usageMetadata", "modelVersion", "responseId", "createTime", "promptFeedback"];
const STARTS_AS_RESPONSE = new RegExp(`^\\s*\\[?\\s*\\{\\s*"(${RESPONSE_KEYS.join("|")})"\\s*:`);

/**
 * Raw Gemini API and Vertex AI `generateContent` responses, as apps and debug logs save them: one response (pretty
 * printed or not), an array of them, or one per line. `usageMetadata` holds the counts: promptTokenCount includes
 * cachedContentTokenCount, candidatesTokenCount excludes thoughtsTokenCount (see withUsageObject). The time is
 * Vertex's `createTime`; a Gemini API (AI Studio) response has none, so it is a bad row (no timestamp): log such
 * responses inside a request log line with a timestamp (request-log-jsonl reads `usageMetadata` there). `responseId`
 * is the request id: a response logged twice (LiteLLM's debug log prints each RAW RESPONSE twice) or streamed in
 * chunks counts once, with its largest counts.
 * The candidates' text is never read.
 */
export const geminiResponseJson: UsageAdapter = {
  name: "gemini-response-json",
  description:
    "Gemini API / Vertex AI generateContent responses (one, an array, or JSON Lines): usageMetadata counts, modelVersion, createTime (Vertex) as the time, responseId as the request id",
  target: "usage",
  kind: "requests",
  tokenFields: ["promptTokenCount", "candidatesTokenCount", "cachedContentTokenCount", "thoughtsTokenCount"],
  // A record that starts as a response does and carries usageMetadata. A line with a time field of its own is an app's
  // request log (request-log-jsonl reads usageMetadata there too).
  detect: (head) => jsonHas(head, STARTS_AS_RESPONSE, /"usageMetadata"\s*:/) && !(head.kind === "json" && head.first !== undefined && hasTimeField(head.first)),
  read: (file) => {
    const perLine = file.head.kind === "json" && file.head.first !== undefined;
    const records = readJson({ createTime: "VARCHAR", modelVersion: "VARCHAR", responseId: "VARCHAR", usageMetadata: GEMINI_STRUCT });
    // One response per responseId: a streamed response (streamGenerateContent saves an array of chunks) repeats its id
    // with usageMetadata growing to the final counts, and a debug log may print a response twice. The largest counts
    // are the response's.
    const size = ["promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount"]
      .map((f) => `coalesce(usageMetadata.${f}, 0)`)
      .join(" + ");
    const rows = `(SELECT *, CASE WHEN responseId IS NOT NULL AND row_number() OVER (PARTITION BY responseId ORDER BY ${size} DESC, __line DESC) > 1
        THEN 'responseId already counted (a stream chunk or a second copy)' END AS __why
      FROM (SELECT row_number() OVER () AS __line, * FROM ${records}))`;
    return {
      from: withUsageObject(rows, `NULL::${USAGE_STRUCT}`, "usageMetadata", "'google'"),
      keep: { sql: "__why IS NULL", reason: "not counted", why: "__why" },
      lines: perLine ? { line: "__line" } : { record: `coalesce('responseId ' || responseId, 'response ' || __line)` },
    };
  },
  columns: () => {
    const obj = usageObjectColumns();
    return {
      ts: isoTs("createTime"),
      // A resource path or a google/ prefix (publishers/google/models/gemini-2.5-flash) names the model at its end.
      model: `regexp_replace(${text("modelVersion")}, '^.*/', '')`,
      // NULL lets ingest take the provider of the resolved model (Gemini API and Vertex ids share names).
      provider: "NULL",
      endpoint: "'generateContent'",
      requests: "1",
      request_id: text("responseId"),
      input_tokens: obj.input_tokens,
      cached_input_tokens: obj.cached_input_tokens,
      output_tokens: obj.output_tokens,
      reasoning_tokens: obj.reasoning_tokens,
    };
  },
  checks: [{ sql: "model IS NULL", reason: "response without a modelVersion" }],
  checkHints: {
    [MISSING_TIME]:
      "a Gemini API (AI Studio) response carries no time (Vertex's has createTime): if this is one, log it inside a " +
      'request-log line that has a time, such as {"timestamp": "…", "feature": "…", "response": <the response>}',
  },
};
