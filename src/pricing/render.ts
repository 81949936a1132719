/**
 * The `pricing` subcommands' documents (list, show, check, coverage). Rates are USD per 1M tokens as the price tables
 * write them (`2.50`, `0.075`): exact decimal strings, shown as they are, none as "—" for people and empty in CSV.
 */
import { type Block, type Cell, type Doc, type DocColumn, type DocFormat, type DocTable, tableBlock, text } from "../output/document.js";
import { int } from "../output/format.js";
import type { CoverageRow } from "./coverage.js";
import type { Catalog, CatalogModel } from "./load.js";

const TERMINAL: readonly DocFormat[] = ["table"];
const PEOPLE: readonly DocFormat[] = ["table", "markdown"];
const CSV: readonly DocFormat[] = ["csv"];

/** These tables are lists of facts: every column drawn from the left, as the price tables read. */
const table = (name: string, columns: DocColumn[], rows: DocTable["rows"]): DocTable => ({ name, columns, rows, alignTerminal: false, alignMarkdown: false });
const rate = (v: string | undefined): string | Cell => (v === undefined ? { value: null, text: "—" } : v);
const rateColumn = (key: string, head: string, fit?: DocColumn["fit"]): DocColumn => ({ key, head, type: "number", ...(fit ? { fit } : {}) });
type Epoch = CatalogModel["prices"][number];

/** `pricing list`: each model's current epoch. On a narrow terminal the rarer rates go first, then the provider. */
export function pricingListDocument(catalog: Catalog, models: readonly CatalogModel[]): Doc {
  const columns: DocColumn[] = [
    { key: "provider", head: "Provider", type: "text", fit: { priority: 6 } },
    { key: "model", head: "Model", type: "text", fit: { min: 20 } },
    { key: "since", head: "Since", type: "date", fit: { priority: 1 } },
    { key: "epochs", head: "Epochs", type: "count", fit: { priority: 7 } },
    rateColumn("input", "Input"),
    rateColumn("cached_input", "Cached"),
    rateColumn("cache_write_5m", "Write 5m", { priority: 4 }),
    rateColumn("cache_write_1h", "Write 1h", { priority: 5 }),
    rateColumn("output", "Output"),
    rateColumn("batch_input", "Batch in", { priority: 3 }),
    rateColumn("batch_output", "Batch out", { priority: 3 }),
    { key: "long_context_tokens", head: "Long ctx", type: "count", fit: { priority: 2 } },
  ];
  const rows = models.map((m) => {
    const e = m.prices[m.prices.length - 1]!;
    const lc = e.long_context?.threshold_tokens;
    return [
      m.provider,
      m.id,
      e.effective_from,
      m.prices.length,
      ...rates(e),
      lc === undefined ? { value: null, text: "" } : { value: lc, text: `>${int(lc)}` },
    ];
  });
  return {
    blocks: [
      text(`Pricing ${catalog.version} (sha256 ${catalog.sha256.slice(0, 12)}) · USD per 1M tokens · current epoch shown`, TERMINAL),
      tableBlock(table("models", columns, rows)),
    ],
  };
}

const rates = (e: Epoch) => [
  rate(e.input),
  rate(e.cached_input),
  rate(e.cache_write_5m),
  rate(e.cache_write_1h),
  rate(e.output),
  rate(e.batch_input),
  rate(e.batch_output),
];

/** The rates of a model that are not per token of the usual kinds, in words. */
function otherRates(e: Epoch): string[] {
  return [
    e.output_reasoning && `reasoning ${e.output_reasoning}`,
    e.input_audio && `audio in ${e.input_audio}`,
    e.cached_input_audio && `audio cached ${e.cached_input_audio}`,
    e.output_audio && `audio out ${e.output_audio}`,
    e.input_image_tokens && `image tokens in ${e.input_image_tokens}`,
    e.output_image_tokens && `image tokens out ${e.output_image_tokens}`,
    e.per_image && `$${e.per_image} per image`,
    e.input_per_second && `$${e.input_per_second} per second in`,
    e.output_per_second && `$${e.output_per_second} per second out`,
    e.input_per_1m_characters && `$${e.input_per_1m_characters} per 1M characters`,
    e.web_search_per_1k && `web search $${e.web_search_per_1k} per 1,000 calls`,
    e.geo_multipliers?.us && `US-only inference ×${e.geo_multipliers.us}`,
    e.fast_multiplier && `fast mode ×${e.fast_multiplier}`,
  ].filter((x): x is string => typeof x === "string" && x !== "");
}

/**
 * `pricing show`: the model's facts, its epochs (a CSV splits the tiers' in/out rates into columns) and, on the
 * terminal, its other rates and sources. On a narrow terminal the tiers wrap, then go, long context first.
 */
export function pricingShowDocument(m: CatalogModel, asked: string, via: string | undefined, snapshots: readonly string[]): Doc {
  const tier = (key: string, head: string, min: number, priority: number): DocColumn => ({
    key,
    head,
    type: "text",
    only: PEOPLE,
    fit: { min, priority, shrink: "wrap" },
  });
  const columns: DocColumn[] = [
    { key: "from", head: "From", type: "date" },
    { key: "to", head: "To", type: "date" },
    rateColumn("input", "Input"),
    rateColumn("cached_input", "Cached"),
    rateColumn("cache_write_5m", "Write 5m", { priority: 3 }),
    rateColumn("cache_write_1h", "Write 1h", { priority: 4 }),
    rateColumn("output", "Output"),
    rateColumn("batch_input", "Batch in", { priority: 2 }),
    rateColumn("batch_output", "Batch out", { priority: 2 }),
    tier("long_context", "Long context", 10, 1),
    { key: "long_context_tokens", head: "", type: "count", only: CSV },
    { key: "long_context_input", head: "", type: "number", only: CSV },
    { key: "long_context_output", head: "", type: "number", only: CSV },
    tier("priority", "Priority", 9, 5),
    { key: "priority_input", head: "", type: "number", only: CSV },
    { key: "priority_output", head: "", type: "number", only: CSV },
    tier("flex", "Flex", 9, 6),
    { key: "flex_input", head: "", type: "number", only: CSV },
    { key: "flex_output", head: "", type: "number", only: CSV },
  ];
  const pair = (t: { input: string; output: string } | undefined) => (t ? `${t.input}/${t.output}` : "");
  const rows = m.prices.map((e, i) => {
    const lc = e.long_context;
    return [
      e.effective_from,
      m.prices[i + 1]?.effective_from ?? null,
      ...rates(e),
      lc ? `>${int(lc.threshold_tokens)}: ${pair(lc)}` : "",
      lc?.threshold_tokens ?? null,
      lc?.input ?? null,
      lc?.output ?? null,
      pair(e.priority),
      e.priority?.input ?? null,
      e.priority?.output ?? null,
      pair(e.flex),
      e.flex?.input ?? null,
      e.flex?.output ?? null,
    ];
  });
  const others = m.prices.filter((e) => otherRates(e).length).map((e) => `  ${e.effective_from}: ${otherRates(e).join(" · ")}`);
  const facts = [
    `${m.id} (${m.provider}, from ${m.origin})${via && via !== "id" ? ` · matched ${JSON.stringify(asked)} by ${via}` : ""}`,
    ...(m.mode ? [`mode: ${m.mode}`] : []),
    `aliases: ${m.aliases.join(", ") || "—"}`,
    ...(snapshots.length ? [`snapshots (priced on their own, matched by the family name in --where/--route/--model-max): ${snapshots.join(", ")}`] : []),
    ...(m.cheaper_sibling ? [`cheaper sibling (simulate --route mini): ${m.cheaper_sibling}`] : []),
    "USD per 1M tokens",
  ];
  return {
    blocks: [
      ...facts.map((f) => text(f, TERMINAL)),
      tableBlock(table("epochs", columns, rows)),
      ...(others.length ? [text(`other rates:\n${others.join("\n")}`, TERMINAL)] : []),
      text(`sources:\n${m.prices.map((e) => `  ${e.effective_from}: ${e.source ?? "(no source)"}`).join("\n")}`, TERMINAL),
    ],
  };
}

export interface UnpricedModel {
  model: string;
  provider: string | null;
  rows: number;
  requests: number;
  tokens: number;
  firstSeen: string;
  lastSeen: string;
  reason: string;
}

/**
 * `pricing check`: the tables' summary, the models of the database without a price and (on the terminal) the stated
 * costs against computed (`stated`: statedBlocks). On a narrow terminal the reason wraps, the dates go first.
 */
export function pricingCheckDocument(summary: string, store: string, unpriced: readonly UnpricedModel[], stated: readonly Block[]): Doc {
  const count = (key: string, head: string, priority?: number): DocColumn => ({ key, head, type: "count", ...(priority ? { fit: { priority } } : {}) });
  const columns: DocColumn[] = [
    { key: "model", head: "Model", type: "text", fit: { min: 20 } },
    { key: "provider", head: "Provider", type: "text", fit: { priority: 2 } },
    count("rows", "Rows", 3),
    count("requests", "Requests", 1),
    count("tokens", "Tokens"),
    { key: "first_seen", head: "First seen", type: "date", fit: { priority: 4 } },
    { key: "last_seen", head: "Last seen", type: "date", fit: { priority: 4 } },
    { key: "reason", head: "Why", type: "text", fit: { min: 24, shrink: "wrap" } },
  ];
  const rows = unpriced.map((u) => [u.model, u.provider, u.rows, u.requests, u.tokens, u.firstSeen, u.lastSeen, u.reason]);
  return {
    blocks: [
      text(summary, TERMINAL),
      ...(unpriced.length
        ? [
            text(`${unpriced.length} model(s) in ${store} have no price (their rows are unpriced, never $0, unless the source states a cost):`, TERMINAL),
            tableBlock(table("unpriced", columns, rows)),
          ]
        : [text(`every model in ${store} is priced`, TERMINAL), tableBlock(table("unpriced", columns, rows), ["csv", "markdown"])]),
      ...stated,
    ],
  };
}

/** `pricing coverage`: how many names resolve, and the names that do not (all with --all). The CSV splits the rate. */
export function coverageDocument(headline: string, source: string, rows: readonly CoverageRow[]): Doc {
  const columns: DocColumn[] = [
    { key: "name", head: "Name", type: "text", fit: { min: 20 } },
    { key: "status", head: "Status", type: "text" },
    { key: "model", head: "Model", type: "text", fit: { min: 20 } },
    { key: "rate", head: "Rate in/out", type: "text", only: PEOPLE, fit: { priority: 1 } },
    { key: "input", head: "", type: "number", only: CSV },
    { key: "output", head: "", type: "number", only: CSV },
    { key: "via", head: "How", type: "text", fit: { priority: 2 } },
    { key: "reason", head: "Why", type: "text", fit: { min: 24, shrink: "wrap" } },
  ];
  const cells = rows.map((r) => [r.name, r.status, r.model, r.input !== null ? `${r.input}/${r.output}` : "", r.input, r.output, r.via, r.reason]);
  return {
    blocks: [text(headline, TERMINAL), text(source, TERMINAL), tableBlock(table("names", columns, cells), rows.length ? undefined : ["csv", "markdown"])],
  };
}
