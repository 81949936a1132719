import { keepRequestEvents } from "./request-log-jsonl.js";
import { bool, has, ident, money, readCsv, tok, utc } from "./sql.js";
import { TOKEN_BUCKETS, type UsageAdapter, type UsageColumn } from "./types.js";
import { csvHead } from "./util.js";

const TS_NAMES = ["timestamp", "ts", "time", "created_at"];
const TAG_NAMES = ["safety_identifier", "user", "tag", "user_id"];
const TOKENS = TOKEN_BUCKETS;

/**
 * The app's own request log as CSV with flat canonical columns: disjoint token buckets, so `input_tokens`
 * excludes cached and cache-write tokens. Only `timestamp` (or ts/time/created_at), `model`, `input_tokens` and
 * `output_tokens` are required; every other column is optional and matched by name.
 */
export const requestLogCsv: UsageAdapter = {
  name: "request-log-csv",
  description: "App request log, CSV with flat columns (timestamp, model, user/tag, feature, token buckets…)",
  target: "usage",
  kind: "requests",
  detect: (head) =>
    head.kind === "csv" &&
    TS_NAMES.some((n) => head.header.includes(n)) &&
    ["model", "input_tokens", "output_tokens"].every((n) => head.header.includes(n)),
  read(file) {
    const { header } = csvHead(file);
    // Counts as DOUBLE, then checked to be whole: a BIGINT read would silently round "10.5", and loggers write "10.0".
    const types: Record<string, string> = Object.fromEntries(TOKENS.map((t) => [t, "DOUBLE"]));
    types.latency_ms = "DOUBLE";
    // The reader parses ISO timestamps (with offsets) itself: faster than casting text, and a bad value is
    // reported with its line.
    types[TS_NAMES.find((n) => header.includes(n))!] = "TIMESTAMPTZ";
    return {
      from: readCsv(file, types),
      keep: header.includes("event") ? keepRequestEvents : undefined,
      lines: "csv",
    };
  },
  columns(file) {
    const { header } = csvHead(file);
    const col = (n: string) => has(header, n);
    // read_csv already maps empty fields to NULL, so string columns are used as they are.
    const opt = (n: string) => col(n);
    const tsCol = ident(TS_NAMES.find((n) => header.includes(n))!);
    const tags = TAG_NAMES.filter((n) => header.includes(n)).map((n) => ident(n));
    const model = ident("model");
    const cols: Partial<Record<UsageColumn, string>> = {
      ts: utc(tsCol),
      provider: opt("provider") ? `lower(${opt("provider")})` : undefined,
      model,
      project: opt("project"),
      api_key: opt("api_key"),
      workspace: opt("workspace"),
      tag: tags.length ? `coalesce(${tags.join(", ")})` : undefined,
      feature_hint: opt("feature"),
      endpoint: opt("endpoint"),
      requests: "1",
      batch: col("batch") ? bool(col("batch")!) : undefined,
      service_tier: opt("service_tier"),
      status: opt("status"),
      latency_ms: col("latency_ms") ? `CASE WHEN latency_ms >= 0 THEN round(latency_ms)::BIGINT END` : undefined,
      prompt_hash: opt("prompt_hash"),
      request_id: opt("request_id") ?? opt("id"),
      reported_cost_usd: col("cost_usd") ? money(col("cost_usd")!) : undefined,
    };
    for (const t of TOKENS) if (col(t)) cols[t] = tok(col(t)!);
    return cols;
  },
};
