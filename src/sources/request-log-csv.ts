import { DEFAULT_LOGS, epochOrIso, flatInputSql, includesCachedSql, type LogField, type LogsConfig, namesOf } from "./flat-log.js";
import { keepRequestEvents } from "./request-log-jsonl.js";
import { bool, ident, isoTs, money, readCsv, text, tok, utc } from "./sql.js";
import type { SourceFile, UsageAdapter, UsageColumn } from "./types.js";
import { csvHead } from "./util.js";

const TAG_NAMES = ["safety_identifier", "user", "tag", "user_id"];
const COUNTS = [
  "input_tokens",
  "cached_input_tokens",
  "cache_write_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "output_tokens",
  "reasoning_tokens",
] as const;

const logsOf = (file: SourceFile): LogsConfig => file.logs ?? DEFAULT_LOGS;
/** The header's column for a field: the config's mapping, else the first alias the header has. */
const columnOf = (header: readonly string[], field: LogField, fields: Readonly<Record<string, string>> = {}): string | undefined =>
  namesOf(field, fields).find((n) => !n.includes(".") && header.includes(n));

/** Whether the file's first timestamp is epoch digits (read as text then) rather than ISO (parsed by the reader). */
const epochTs = (file: SourceFile, ts: string): boolean => {
  if (file.head.kind !== "csv") return false;
  const v = file.head.firstRow?.[file.head.header.indexOf(ts)]?.trim() ?? "";
  return /^\d+(\.\d+)?$/.test(v);
};

/**
 * The app's own request log as CSV with flat columns, named as apps write them (see flat-log.ts). Only a timestamp,
 * a model, `input_tokens` and `output_tokens` are required; every other column is optional and matched by name.
 * Whether input_tokens include the cached tokens follows the provider (see flat-log.ts).
 */
export const requestLogCsv: UsageAdapter = {
  name: "request-log-csv",
  description:
    "App request log, CSV with flat columns (timestamp, model, user/tag, feature, token buckets…); input includes cached for OpenAI/Gemini-style providers, excludes for Anthropic",
  target: "usage",
  kind: "requests",
  tokenFields: COUNTS.flatMap((f) => namesOf(f)),
  detect: (head) =>
    head.kind === "csv" &&
    columnOf(head.header, "timestamp") !== undefined &&
    columnOf(head.header, "model") !== undefined &&
    ["input_tokens", "output_tokens"].every((n) => head.header.includes(n)),
  read(file) {
    const { header } = csvHead(file);
    const fields = logsOf(file).fields;
    // Counts as DOUBLE, then checked to be whole: a BIGINT read would silently round "10.5", and loggers write "10.0".
    const types: Record<string, string> = {};
    for (const f of COUNTS) for (const n of namesOf(f, fields)) if (header.includes(n)) types[n] = "DOUBLE";
    const lat = columnOf(header, "latency_ms", fields);
    if (lat) types[lat] = "DOUBLE";
    // The reader parses ISO timestamps (with offsets) itself: faster than casting text, and a bad value is
    // reported with its line. Epoch numbers are read as text and scaled by magnitude.
    const ts = columnOf(header, "timestamp", fields);
    if (ts && !epochTs(file, ts)) types[ts] = "TIMESTAMPTZ";
    return {
      from: readCsv(file, types),
      keep: header.includes("event") ? keepRequestEvents : undefined,
      lines: "csv",
    };
  },
  columns(file) {
    const { header } = csvHead(file);
    const logs = logsOf(file);
    // read_csv already maps empty fields to NULL, so string columns are used as they are.
    const opt = (f: LogField) => {
      const c = columnOf(header, f, logs.fields);
      return c === undefined ? undefined : ident(c);
    };
    const count = (f: LogField) => opt(f) ?? "NULL";
    const tsName = columnOf(header, "timestamp", logs.fields)!;
    const tsCol = ident(tsName);
    const mappedUser = logs.fields.user !== undefined && header.includes(logs.fields.user) ? [logs.fields.user] : [];
    const tags = [...mappedUser, ...TAG_NAMES.filter((n) => header.includes(n))].map((n) => ident(n));
    const model = opt("model")!;
    const stated = opt("provider");
    const has = (f: LogField) => opt(f) !== undefined;
    const cached = tok(count("cached_input_tokens"));
    const cw1 = tok(count("cache_write_1h_tokens"));
    // A cache-write total is 5-minute writes, less what a 1h column says was 1-hour.
    const cw5 = tok(`coalesce(${count("cache_write_5m_tokens")}, ${count("cache_write_tokens")} - coalesce(${count("cache_write_1h_tokens")}, 0))`);
    const anyCache = has("cached_input_tokens") || has("cache_write_tokens") || has("cache_write_5m_tokens") || has("cache_write_1h_tokens");
    const input = tok(count("input_tokens"));
    const lat = opt("latency_ms");
    const cost = opt("cost_usd");
    const cols: Partial<Record<UsageColumn, string>> = {
      ts: epochTs(file, tsName) ? epochOrIso(text(tsCol), isoTs) : utc(tsCol),
      provider: stated ? `lower(${stated})` : undefined,
      model,
      project: opt("project"),
      api_key: opt("api_key"),
      workspace: opt("workspace"),
      tag: tags.length ? `coalesce(${tags.join(", ")})` : undefined,
      feature_hint: opt("feature"),
      endpoint: opt("endpoint"),
      requests: "1",
      batch: header.includes("batch") ? bool(ident("batch")) : undefined,
      service_tier: opt("service_tier"),
      status: opt("status"),
      latency_ms: lat ? `round(${lat})::BIGINT` : undefined,
      prompt_hash: header.includes("prompt_hash") ? ident("prompt_hash") : undefined,
      request_id: opt("request_id") ?? (header.includes("id") ? ident("id") : undefined),
      reported_cost_usd: cost ? money(cost) : undefined,
      input_tokens: anyCache ? flatInputSql(input, [cached, cw5, cw1], includesCachedSql(logs.inputIncludesCached, stated ?? null, model)) : input,
      output_tokens: tok(count("output_tokens")),
    };
    if (has("cached_input_tokens")) cols.cached_input_tokens = cached;
    if (has("cache_write_tokens") || has("cache_write_5m_tokens")) cols.cache_write_5m_tokens = cw5;
    if (has("cache_write_1h_tokens")) cols.cache_write_1h_tokens = cw1;
    if (has("reasoning_tokens")) cols.reasoning_tokens = tok(count("reasoning_tokens"));
    return cols;
  },
};
