import { BEDROCK_JSON_STRUCTURE, bedrockChecks, bedrockColumns, bedrockRows } from "./bedrock-invocation-log.js";
import { readJson, str } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

/**
 * Bedrock invocation logs read from CloudWatch Logs: the `events` of `aws logs filter-log-events` /
 * `get-log-events` output, or the `logEvents` of a subscription-filter payload, each `message` one record as a
 * JSON string. Records are read as in S3 delivery (bedrock-invocation-log); a record is named by its event index.
 */
export const bedrockCloudwatchEvents: UsageAdapter = {
  name: "bedrock-cloudwatch-events",
  description: "AWS Bedrock model invocation logs from CloudWatch Logs (filter-log-events / get-log-events output, subscription payloads)",
  target: "usage",
  kind: "requests",
  tokenFields: ["inputTokenCount", "outputTokenCount"],
  detect: (head) => jsonHas(head, /"(events|logEvents)"\s*:\s*\[/, /ModelInvocationLog/),
  read: () => {
    const events = `(SELECT unnest(coalesce(events, logEvents)) AS e, generate_subscripts(coalesce(events, logEvents), 1) - 1 AS __i,
        CASE WHEN events IS NOT NULL THEN 'events' ELSE 'logEvents' END AS __arr
      FROM ${readJson({ events: "STRUCT(message VARCHAR)[]", logEvents: "STRUCT(message VARCHAR)[]" })})`;
    const records = `(SELECT __loc, unnest(rec) FROM (SELECT __arr || '[' || __i || ']' AS __loc,
        json_transform(CASE WHEN json_valid(e.message) THEN e.message END, ${str(BEDROCK_JSON_STRUCTURE)}) AS rec FROM ${events}))`;
    return {
      from: bedrockRows(records),
      keep: { sql: "__why IS NULL", reason: "not counted", why: "__why" },
      lines: { record: "__loc" },
      invalid: { sql: "json_valid(e.message) IS NOT TRUE", from: events, at: `__arr || '[' || __i || '].message'`, reason: "not a JSON invocation record" },
    };
  },
  columns: bedrockColumns,
  checks: bedrockChecks,
};
