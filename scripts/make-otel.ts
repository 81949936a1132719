/**
 * Writes N synthetic OpenTelemetry GenAI spans, one OTLP/JSON span per line: node dist/scripts/make-otel.js N FILE
 * Each trace is an invoke_agent span (repeating its first child's usage, as real agent spans do) over two chat spans,
 * so a third of the spans are skipped and the dedup of parents is part of what is measured.
 */
import { createWriteStream } from "node:fs";

const MODELS = ["gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14", "claude-sonnet-4-5-20250929", "gemini-2.5-flash"];
const FEATURES = ["chat", "search", "summarize", "triage", "support-bot"];

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
const kv = (key: string, v: string | number) => (typeof v === "number" ? { key, value: { intValue: String(v) } } : { key, value: { stringValue: v } });

export async function writeOtel(spans: number, path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  let seed = 7;
  const rand = (m: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % m;
  };
  const t0 = BigInt(Date.parse("2026-10-01T00:00:00Z")) * 1_000_000n;
  let buf: string[] = [];
  for (let n = 0, trace = 0; n < spans; trace++) {
    const traceId = hex(trace, 32);
    const start = t0 + BigInt(trace) * 2_500_000_000n;
    const user = `${hex(rand(5000) * 7919, 12).slice(-12)}:${FEATURES[rand(FEATURES.length)]}`;
    const model = MODELS[rand(MODELS.length)]!;
    const usage = [0, 1].map(() => ({ input: 200 + rand(6000), cached: rand(2) * 1024, output: 20 + rand(800) }));
    const span = (id: number, parent: number | null, op: string, u: { input: number; cached: number; output: number } | null, offsetMs: number) =>
      JSON.stringify({
        traceId,
        spanId: hex(trace * 3 + id + 1, 16),
        ...(parent !== null ? { parentSpanId: hex(trace * 3 + parent + 1, 16) } : {}),
        name: `${op} ${model}`,
        kind: op === "chat" ? "SPAN_KIND_CLIENT" : "SPAN_KIND_INTERNAL",
        startTimeUnixNano: String(start + BigInt(offsetMs) * 1_000_000n),
        endTimeUnixNano: String(start + BigInt(offsetMs + 400 + rand(2000)) * 1_000_000n),
        attributes: [
          kv("gen_ai.operation.name", op),
          kv("gen_ai.provider.name", model.startsWith("claude") ? "anthropic" : model.startsWith("gemini") ? "gcp.gemini" : "openai"),
          kv("gen_ai.request.model", model),
          kv("gen_ai.response.model", model),
          ...(u
            ? [
                kv("gen_ai.usage.input_tokens", u.input + u.cached),
                kv("gen_ai.usage.cache_read.input_tokens", u.cached),
                kv("gen_ai.usage.output_tokens", u.output),
              ]
            : []),
          kv("enduser.id", user),
        ],
        status: { code: "STATUS_CODE_OK" },
      });
    buf.push(span(0, null, "invoke_agent", usage[0]!, 0));
    buf.push(span(1, 0, "chat", usage[0]!, 5));
    buf.push(span(2, 0, "chat", usage[1]!, 900));
    n += 3;
    if (buf.length >= 9_999) {
      await write(`${buf.join("\n")}\n`);
      buf = [];
    }
  }
  if (buf.length) await write(`${buf.join("\n")}\n`);
  await new Promise<void>((r) => out.end(() => r()));
}

if (process.argv[1]?.endsWith("make-otel.js")) {
  await writeOtel(Number(process.argv[2]), process.argv[3]!);
}
