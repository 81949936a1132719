import { readJson, text, unixTs } from "./sql.js";
import type { CompanionAdapter, UsageAdapter } from "./types.js";
import { USAGE_STRUCT, usageObjectColumns, withUsageObject } from "./usage-object.js";
import { firstHasKeys } from "./util.js";

const INPUT_BODY = 'STRUCT(model VARCHAR, "user" VARCHAR, safety_identifier VARCHAR, metadata STRUCT(user_id VARCHAR, feature VARCHAR))';

/** OpenAI Batch input JSONL: carries the request `user` / `safety_identifier` tags, but no usage. */
export const openaiBatchInput: CompanionAdapter = {
  name: "openai-batch-input",
  description: "OpenAI Batch input JSONL: joined to its output file by custom_id to keep user tags",
  target: "companion",
  detect: (head) => firstHasKeys(head, "custom_id", "method", "url", "body"),
};

/**
 * OpenAI Batch output JSONL. Usage is billed at batch rates. Output order differs from input order, so tags come
 * from the input file(s) given in the same run, joined on custom_id.
 */
export const openaiBatchOutput: UsageAdapter = {
  name: "openai-batch-output",
  description: "OpenAI Batch output JSONL (joined to the input JSONL by custom_id when both are given)",
  target: "usage",
  kind: "requests",
  tokenFields: ["prompt_tokens", "completion_tokens", "input_tokens", "output_tokens"],
  detect: (head) => firstHasKeys(head, "custom_id", "response") || firstHasKeys(head, "custom_id", "error"),
  read(file) {
    // Inputs by how much of their name they share with this output's (batch_abc_input / batch_abc_output): the
    // last tie-break when two jobs' custom_ids and models are the same.
    const inputs = file.companions
      .filter((c) => openaiBatchInput.detect(c.head))
      .map((c) => c.path)
      .sort((a, b) => commonPrefix(b, file.path) - commonPrefix(a, file.path) || a.localeCompare(b));
    const output = readJson(
      {
        id: "VARCHAR",
        custom_id: "VARCHAR",
        response: `STRUCT(status_code DOUBLE, request_id VARCHAR, body STRUCT(id VARCHAR, model VARCHAR, created DOUBLE, created_at DOUBLE, service_tier VARCHAR, usage ${USAGE_STRUCT}))`,
        error: "STRUCT(code VARCHAR, message VARCHAR)",
      },
      "newline_delimited",
    );
    // custom_ids repeat across jobs (request-1, request-2… as in OpenAI's docs), so an output joins one input only:
    // the one that shares most of its custom_ids, then most of its models. A custom_id repeated in that input joins once.
    const input = inputs.length
      ? `(WITH inp AS (SELECT filename AS __file, row_number() OVER () AS __iline, custom_id, url, body
             FROM ${readJson({ custom_id: "VARCHAR", url: "VARCHAR", body: INPUT_BODY }, "newline_delimited", "$inputs", ", filename = true")}),
           outp AS (SELECT DISTINCT custom_id, response.body.model AS model FROM ${output}),
           best AS (SELECT i.__file FROM inp i JOIN outp o USING (custom_id)
             GROUP BY i.__file ORDER BY count(DISTINCT custom_id) DESC, count(*) FILTER (WHERE starts_with(o.model, i.body.model)) DESC,
               list_position($inputs, i.__file) LIMIT 1)
         SELECT custom_id, url, body FROM inp WHERE __file = (SELECT __file FROM best)
         QUALIFY row_number() OVER (PARTITION BY custom_id ORDER BY __iline) = 1)`
      : `(SELECT NULL::VARCHAR AS custom_id, NULL::VARCHAR AS url, NULL::${INPUT_BODY} AS body WHERE false)`;
    return {
      from: withUsageObject(
        `(SELECT o.*, i.url AS req_url, i.body AS req FROM (SELECT row_number() OVER () AS __line, * FROM ${output}) o LEFT JOIN ${input} i ON i.custom_id = o.custom_id)`,
        "response.body.usage",
        null,
        "NULL",
      ),
      params: inputs.length ? { inputs } : undefined,
      reads: inputs,
      keep: { sql: "response.body.usage IS NOT NULL", reason: "failed request (no usage)" },
      lines: { line: "__line" },
    };
  },
  columns: () => {
    const obj = usageObjectColumns();
    return {
      ...obj,
      ts: unixTs("coalesce(response.body.created, response.body.created_at)"),
      // The same shape comes from other vendors' batch APIs (Groq…): the resolved model's provider, else 'unknown'.
      provider: `'unknown'`,
      model: `coalesce(${text("response.body.model")}, ${text("req.model")})`,
      tag: `coalesce(${text("req.safety_identifier")}, ${text('req."user"')}, ${text("req.metadata.user_id")})`,
      feature_hint: text("req.metadata.feature"),
      endpoint: `coalesce(regexp_extract(req_url, '^/v1/(.+)$', 1), 'chat/completions')`,
      requests: "1",
      batch: "true",
      service_tier: `coalesce(${text("response.body.service_tier")}, 'batch')`,
      status: "CAST(response.status_code AS BIGINT)::VARCHAR",
      request_id: `coalesce(${text("response.request_id")}, ${text("id")})`,
    };
  },
};

const commonPrefix = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
};
