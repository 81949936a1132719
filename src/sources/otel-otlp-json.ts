import { RESOURCE, SPAN, keepCounted, spanChecks, spanColumns, spanParams, spanRelationOf, stagedSpans } from "./otel.js";
import { readJson } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

/**
 * OTLP/JSON traces (`TracesData`): one document (an OTLP/HTTP body, a saved export), or one batch per line as the
 * Collector's file exporter writes them. Spans are located by their JSON path (and line, for one batch per line).
 */
export const otelOtlpJson: UsageAdapter = {
  name: "otel-otlp-json",
  description: "OpenTelemetry GenAI spans, OTLP/JSON (resourceSpans; one document or one batch per line, as the Collector file exporter writes)",
  target: "usage",
  kind: "requests",
  detect: (head) => jsonHas(head, /"resourceSpans"\s*:/),
  read: (file) => {
    const docs = `(SELECT row_number() OVER () AS __doc, resourceSpans FROM ${readJson({
      resourceSpans: `STRUCT(resource ${RESOURCE}, scopeSpans STRUCT(spans ${SPAN}[])[])[]`,
    })})`;
    const rs = `(SELECT __doc, unnest(resourceSpans) AS rs, generate_subscripts(resourceSpans, 1) - 1 AS ri FROM ${docs})`;
    const ss = `(SELECT __doc, ri, rs.resource.attributes AS res_attrs, unnest(rs.scopeSpans) AS ss, generate_subscripts(rs.scopeSpans, 1) - 1 AS si FROM ${rs})`;
    const sp = `(SELECT __doc, ri, si, res_attrs, unnest(ss.spans) AS s, generate_subscripts(ss.spans, 1) - 1 AS ki FROM ${ss})`;
    const spans = `(SELECT __doc, 'resourceSpans[' || ri || '].scopeSpans[' || si || '].spans[' || ki || ']' AS __loc,
        __doc || ':' || ri || ':' || si || ':' || ki AS __pos,
        lower(s.traceId) AS trace_id, lower(s.spanId) AS span_id, nullif(lower(s.parentSpanId), '') AS parent_id,
        s.attributes AS attrs, res_attrs, s.startTimeUnixNano AS start_ns, s.endTimeUnixNano AS end_ns, s.status.code AS status_code
      FROM ${sp})`;
    // A first line that parses alone: one batch per line, so the line is named too.
    const perLine = file.head.kind === "json" && file.head.first !== undefined;
    return {
      ...stagedSpans(spans),
      // --skip-bad-rows locates bad spans before anything is staged: in the file itself.
      locate: spanRelationOf(spans, "__pos"),
      params: spanParams(file),
      keep: keepCounted,
      lines: perLine ? { line: `__doc || ': ' || __loc` } : { record: "__loc" },
    };
  },
  columns: () => spanColumns(),
  checks: spanChecks,
};
