import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { type GlobalOptions, loadContext } from "../context.js";
import { usageError } from "../errors.js";
import { envelope } from "../output/envelope.js";
import { writeOutput } from "../output/files.js";
import { csv, type Format, int, json, markdown, table } from "../output/format.js";
import { convertLiteLLM } from "../pricing/litellm.js";
import type { Catalog, CatalogModel } from "../pricing/load.js";
import { aliasRows } from "../pricing/rates.js";
import { Overrides } from "../pricing/schema.js";
import { installPricing } from "../pricing/sql.js";
import { Db } from "../store/db.js";
import { collectStated, parseTolerance, type StatedVsComputed, statedText } from "../reconcile/stated.js";

type Opts = GlobalOptions & { format?: string; provider?: string; tolerance?: string };

function emit(format: Format, head: string[], rows: (string | number)[][], jsonValue: unknown, pre = ""): void {
  process.stdout.write(
    format === "json" ? json(jsonValue) : format === "csv" ? csv(head, rows) : format === "markdown" ? markdown(head, rows) : `${pre}${table(head, rows)}\n`,
  );
}

const current = (m: CatalogModel) => m.prices[m.prices.length - 1]!;
const r = (v: string | undefined) => v ?? "—";

export async function list(opts: Opts): Promise<number> {
  const ctx = loadContext(opts);
  const models = ctx.catalog.models.filter((m) => !opts.provider || m.provider === opts.provider);
  const head = ["Provider", "Model", "Since", "Epochs", "Input", "Cached", "Write 5m", "Write 1h", "Output", "Batch in", "Batch out", "Long ctx"];
  const rows = models.map((m) => {
    const e = current(m);
    return [m.provider, m.id, e.effective_from, m.prices.length, e.input, r(e.cached_input), r(e.cache_write_5m), r(e.cache_write_1h), e.output, r(e.batch_input), r(e.batch_output), e.long_context ? `>${int(e.long_context.threshold_tokens)}` : ""];
  });
  emit(ctx.format, head, rows, { ...envelope("pricing list", ctx.catalog), unit: "USD per 1M tokens", models }, `Pricing ${ctx.catalog.version} (sha256 ${ctx.catalog.sha256.slice(0, 12)}) · USD per 1M tokens · current epoch shown\n`);
  return 0;
}

export function resolveModel(catalog: Catalog, name: string): CatalogModel | undefined {
  const id = aliasRows(catalog).find((a) => a.alias === name.toLowerCase())?.model_id;
  return catalog.models.find((m) => m.id === id);
}

export async function show(name: string, opts: Opts): Promise<number> {
  const ctx = loadContext(opts);
  const m = resolveModel(ctx.catalog, name);
  if (!m) throw usageError(`no pricing for ${JSON.stringify(name)}`, "model names match exactly (ids and listed aliases); see `llmcost pricing list`");
  const head = ["From", "To", "Input", "Cached", "Write 5m", "Write 1h", "Output", "Batch in", "Batch out", "Long context", "Priority", "Flex"];
  const rows = m.prices.map((e, i) => [
    e.effective_from,
    m.prices[i + 1]?.effective_from ?? "",
    e.input,
    r(e.cached_input),
    r(e.cache_write_5m),
    r(e.cache_write_1h),
    e.output,
    r(e.batch_input),
    r(e.batch_output),
    e.long_context ? `>${int(e.long_context.threshold_tokens)}: ${e.long_context.input}/${e.long_context.output}` : "",
    e.priority ? `${e.priority.input}/${e.priority.output}` : "",
    e.flex ? `${e.flex.input}/${e.flex.output}` : "",
  ]);
  const pre =
    `${m.id} (${m.provider}, from ${m.origin})\n` +
    `aliases: ${m.aliases.join(", ") || "—"}\n` +
    (m.cheaper_sibling ? `cheaper sibling (simulate --route mini): ${m.cheaper_sibling}\n` : "") +
    "USD per 1M tokens\n";
  const sources = m.prices.map((e) => `  ${e.effective_from}: ${e.source ?? "(no source)"}`).join("\n");
  emit(ctx.format, head, rows, { ...envelope("pricing show", ctx.catalog), model: m }, pre);
  if (ctx.format === "table") process.stdout.write(`sources:\n${sources}\n`);
  return 0;
}

/** Validates the tables (loading does) and lists models in the database that have no price. Exit 1 when any. */
export async function check(opts: Opts): Promise<number> {
  const ctx = loadContext(opts);
  const summary = `pricing tables OK: ${ctx.catalog.models.length} models, version ${ctx.catalog.version}, sha256 ${ctx.catalog.sha256.slice(0, 12)}`;
  if (!existsSync(ctx.dbPath)) {
    process.stderr.write(`${summary}\nno database at ${ctx.dbPath}: nothing else to check\n`);
    if (ctx.format === "json") process.stdout.write(json({ ...envelope("pricing check", ctx.catalog), models: ctx.catalog.models.length, unpriced: [] }));
    return 0;
  }
  const db = await Db.open(ctx.dbPath, { readOnly: true });
  let rows: Record<string, unknown>[];
  let stated: StatedVsComputed[];
  try {
    await installPricing(db, ctx.catalog);
    rows = await db.all(
      `SELECT coalesce(u.model, '(no model)') AS model, any_value(u.provider) AS provider, count(*) AS rows, sum(u.requests) AS requests,
         sum(u.input_tokens + u.cached_input_tokens + u.cache_write_5m_tokens + u.cache_write_1h_tokens + u.output_tokens) AS tokens,
         strftime(min(u.ts), '%Y-%m-%d') AS first_seen, strftime(max(u.ts), '%Y-%m-%d') AS last_seen,
         CASE WHEN bool_or(pa.model_id IS NULL) THEN 'no price entry or alias for this name'
              ELSE 'outside every price epoch of ' || any_value(pa.model_id) END AS reason
       FROM usage u
       LEFT JOIN price_alias pa ON pa.alias = lower(u.model)
       LEFT JOIN price_rate pr ON pr.model_id = pa.model_id AND pr.mode = 'standard' AND u.ts >= pr.valid_from AND u.ts < pr.valid_to
       WHERE pr.model_id IS NULL
       GROUP BY 1 ORDER BY tokens DESC, model`,
    );
    stated = await collectStated(db, ctx.catalog.sha256, parseTolerance(opts.tolerance));
  } finally {
    db.close();
  }
  const unpriced = rows.map((x) => ({
    model: String(x.model),
    provider: x.provider === null ? null : String(x.provider),
    rows: Number(x.rows),
    requests: Number(x.requests),
    tokens: Number(x.tokens),
    firstSeen: String(x.first_seen),
    lastSeen: String(x.last_seen),
    reason: String(x.reason),
  }));
  const head = ["Model", "Provider", "Rows", "Requests", "Tokens", "First seen", "Last seen", "Why"];
  const cells = unpriced.map((u) => [u.model, u.provider ?? "", int(u.rows), int(u.requests), int(u.tokens), u.firstSeen, u.lastSeen, u.reason]);
  if (ctx.format === "table") {
    process.stdout.write(`${summary}\n`);
    process.stdout.write(unpriced.length ? `${unpriced.length} model(s) in ${ctx.dbPath} have no price (reported as unpriced, never $0):\n${table(head, cells)}\n` : `every model in ${ctx.dbPath} is priced\n`);
    process.stdout.write(statedText(stated, opts.tolerance));
  } else {
    emit(ctx.format, head, cells, { ...envelope("pricing check", ctx.catalog), models: ctx.catalog.models.length, unpriced, stated });
  }
  return unpriced.length || stated.some((s) => s.flagged) ? 1 : 0;
}

export async function importLiteLLM(file: string, opts: Opts & { out?: string; effectiveFrom?: string; providers?: string }): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw usageError(`${file}: cannot read a LiteLLM price map: ${err instanceof Error ? err.message : String(err)}`);
  }
  const dated = /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1];
  const effectiveFrom = opts.effectiveFrom ?? dated;
  if (!effectiveFrom || !/^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom)) {
    throw usageError("--effective-from DATE is required (the file name has no YYYY-MM-DD date)");
  }
  const providers = (opts.providers ?? "openai,anthropic,google").split(",").map((p) => p.trim());
  const { overrides, skipped } = convertLiteLLM(raw, effectiveFrom, providers);
  const checked = Overrides.safeParse(overrides);
  if (!checked.success) throw new Error(`converted table failed validation: ${checked.error.message}`);
  const out = opts.out ?? `litellm-${effectiveFrom}.json`;
  writeOutput(out, `${JSON.stringify({ models: overrides.models }, null, 2)}\n`, "--out");
  process.stderr.write(
    `wrote ${overrides.models.length} models (${providers.join(", ")}) effective ${effectiveFrom} to ${out}; skipped ${skipped} entries without token prices or of other providers\n` +
      `use it with: llmcost --pricing ${out} …  (its models override the built-in tables)\n`,
  );
  return 0;
}
