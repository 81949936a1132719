import { RESOURCE, SPAN_FIELDS, keepCounted, spanChecks, spanColumns, spanParams, spanRelationOf, stagedSpans } from "./otel.js";
import { readJson } from "./sql.js";
import type { UsageAdapter } from "./types.js";

/**
 * OpenTelemetry spans, one OTLP/JSON span object per line (as span exporters and log shippers write them), with the
 * span's `resource` on the line when the exporter adds it.
 */
export const otelSpansJsonl: UsageAdapter = {
  name: "otel-spans-jsonl",
  description: "OpenTelemetry GenAI spans, JSON Lines: one OTLP/JSON span per line (traceId, spanId, typed attributes)",
  target: "usage",
  kind: "requests",
  detect: (head) =>
    head.kind === "json" && head.first !== undefined && "traceId" in head.first && "spanId" in head.first && Array.isArray(head.first.attributes),
  read: (file) => {
    const read = readJson({ ...SPAN_FIELDS, resource: RESOURCE }, "newline_delimited");
    // The dedup of re-sent spans orders copies by content (__loc is NULL), so both relations count the same copy.
    const spans = (lines: string, line: string) => `(SELECT ${line} NULL::VARCHAR AS __loc, lower(traceId) AS trace_id, lower(spanId) AS span_id,
        nullif(lower(parentSpanId), '') AS parent_id, attributes AS attrs, resource.attributes AS res_attrs,
        startTimeUnixNano AS start_ns, endTimeUnixNano AS end_ns, status.code AS status_code
      FROM ${lines})`;
    return {
      // Staged without line numbers: numbering the lines makes DuckDB read the file on one thread.
      ...stagedSpans(spans(read, "")),
      // Only a bad record is located, by reading the file again with its lines numbered.
      locate: spanRelationOf(spans(`(SELECT row_number() OVER () AS __line, * FROM ${read})`, "__line,"), "__line"),
      params: spanParams(file),
      keep: keepCounted,
      lines: { line: "__line" },
    };
  },
  columns: () => spanColumns(),
  checks: spanChecks,
};
