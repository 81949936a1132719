/**
 * Builds the 2026 price book from the shared references: `npm run pricing` (see the README, "Pricing").
 *
 *   ../shared/reference/pricing/litellm_model_prices_<date>.json   the LiteLLM price map (every rate kind)
 *   ../shared/reference/pricing/litellm_price_history.csv          when each key was first seen and when it changed
 *
 * The hand-kept tables (pricing/openai.json, anthropic.json, google.json: the dated epochs of prices.csv) stay as
 * they are, except that rate kinds the map states and they lack are added to their epochs whose token rates equal
 * the map's (never a stated rate changed), and map names that are spellings of their models become aliases. Every
 * other first-party model of OpenAI, Anthropic and Google in the map is written to pricing/map-<provider>.json, and
 * each cloud key (Bedrock, Vertex, Azure) whose rates differ from the first party's to pricing/map-<cloud>.json.
 * Rerunning on the same inputs writes the same files.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Catalog, type CatalogModel, PRICING_DIR } from "../src/pricing/load.js";
import { FIRST_PARTY_NAME, mapEntries } from "../src/pricing/coverage.js";
import { type Entry, ratesOf, samePrice } from "../src/pricing/litellm.js";
import { CLOUD_OWN, peel, resolveName } from "../src/pricing/names.js";
import { type EpochT, type ModelT, PricingFile, type PricingFileT } from "../src/pricing/schema.js";

const REF = join(PRICING_DIR, "..", "..", "shared", "reference", "pricing");
const mapFile = readdirSync(REF)
  .filter((f) => /^litellm_model_prices_\d{4}-\d{2}-\d{2}\.json$/.test(f))
  .sort()
  .at(-1); // the newest snapshot
if (!mapFile) throw new Error(`no litellm_model_prices_<date>.json in ${REF}`);
const SNAPSHOT_DATE = /(\d{4}-\d{2}-\d{2})/.exec(mapFile)![1]!;
const MAP = JSON.parse(readFileSync(join(REF, mapFile), "utf8")) as Record<string, Record<string, unknown>>;
const SRC = `LiteLLM ${mapFile}`;

// ---------------------------------------------------------------------------------------------------------------
// Which keys: first-party models of OpenAI, Anthropic and Google, directly and through the clouds.

const FIRST_PARTY: Record<string, "openai" | "anthropic" | "google"> = {
  openai: "openai",
  "text-completion-openai": "openai",
  anthropic: "anthropic",
  gemini: "google",
  "vertex_ai-language-models": "google",
};
const CLOUD_OF: Record<string, "bedrock" | "vertex" | "azure"> = {
  bedrock: "bedrock",
  bedrock_converse: "bedrock",
  "vertex_ai-anthropic_models": "vertex",
  azure: "azure",
};
const MODES = ["chat", "responses", "embedding", "completion", "audio_transcription", "audio_speech", "realtime", "image_generation"];

const isSizedImageKey = (k: string) => /^(hd|standard|low|medium|high|\d+-x-\d+)\//.test(k) || /\/\d+-x-\d+\//.test(k);

// ---------------------------------------------------------------------------------------------------------------
// Rates from a map entry.

// ---------------------------------------------------------------------------------------------------------------
// Dates: the release date in a dated id, else the first observation in the price history.

interface Observation {
  date: string;
  event: string;
  rates: Partial<EpochT>;
  source: string;
}

const history = new Map<string, Observation[]>();
{
  const lines = readFileSync(join(REF, "litellm_price_history.csv"), "utf8").trim().split("\n");
  const head = lines[0]!.split(",");
  const col = (name: string) => head.indexOf(name);
  for (const line of lines.slice(1)) {
    const c = line.split(",");
    const key = c[col("model_key")]!;
    const p = peel(key);
    if (!p) continue;
    const r = (name: string) => (c[col(name)] ? String(Number(c[col(name)])) : undefined);
    const obs: Observation = {
      date: c[col("observed_at")]!.slice(0, 10),
      event: c[col("event")]!,
      rates: {
        input: r("input_per_mtok"),
        output: r("output_per_mtok"),
        cached_input: r("cache_read_per_mtok"),
        cache_write_5m: r("cache_creation_per_mtok"),
        cache_write_1h: r("cache_creation_above_1hr_per_mtok"),
        batch_input: r("input_batches_per_mtok"),
        batch_output: r("output_batches_per_mtok"),
      },
      source: `litellm_price_history.csv: ${key} ${c[col("event")]} ${c[col("observed_at")]} (${c[col("mirror_repo")]} ${c[col("mirror_commit")]})`,
    };
    // A key's history is its provider's own: the same name on Vertex and on the Gemini API has two histories.
    const provider = c[col("litellm_provider")];
    if (!provider) continue;
    const k = `${provider}:${p.core}`;
    history.set(k, [...(history.get(k) ?? []), obs]);
  }
  for (const obs of history.values()) obs.sort((a, b) => a.date.localeCompare(b.date));
}

const releaseDate = (name: string): string | undefined => {
  const m = /-(\d{4})-?(\d{2})-?(\d{2})$/.exec(name) ?? /@(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!m) return undefined;
  const d = `${m[1]}-${m[2]}-${m[3]}`;
  return d >= "2022-01-01" && d <= SNAPSHOT_DATE && !Number.isNaN(Date.parse(d)) ? d : undefined;
};

/**
 * The epochs of a model from the map's current rates: from its release date (or first observation), with a new
 * epoch at each later observation that changed a token rate. Epochs whose token rates equal the map's carry every
 * rate kind the map states; earlier ones the rates the history recorded.
 */
function epochsOf(names: readonly string[], current: Omit<EpochT, "effective_from"> & { notes: string[] }, baseSource: string): EpochT[] {
  const { notes: given, ...rates } = current;
  const notes = [...given];
  const released = names
    .map((n) => n.replace(/^[^:]*:/, ""))
    .map(releaseDate)
    .filter((d): d is string => d !== undefined)
    .sort()[0];
  // A mirror's unit error (a rate 10× off the current one) is no price change: left out, and said in the source.
  const off = (o: Observation) =>
    rates.input !== undefined &&
    rates.output !== undefined &&
    [
      ["input", rates.input],
      ["output", rates.output],
    ].some(([k, v]) => {
      const a = Number(o.rates[k as "input" | "output"]);
      const b = Number(v);
      return b > 0 && (a > b * 10 || a * 10 < b);
    });
  const all = names.flatMap((n) => history.get(n) ?? []).filter((o) => o.event !== "REMOVED" && o.rates.input !== undefined && o.rates.output !== undefined);
  const obs = all.filter((o) => !off(o));
  if (obs.length < all.length) notes.push(`${all.length - obs.length} history observation(s) 10× off the current rates left out`);
  obs.sort((a, b) => a.date.localeCompare(b.date));
  const note = notes.length ? `; ${notes.join("; ")}` : "";
  const full = (date: string, why: string): EpochT => ({ effective_from: date, ...rates, source: `${baseSource}; eff=${why}${note}` });
  if (rates.input === undefined) {
    return [full(released ?? SNAPSHOT_DATE, released ? "release date in the id" : `first seen in ${mapFile}`)];
  }
  const first = obs[0];
  const start = released ?? first?.date ?? SNAPSHOT_DATE;
  const why = released ? "release date in the id" : first ? `first observation (${first.source})` : `first seen in ${mapFile}`;
  const epochs: EpochT[] = [];
  let last: Partial<EpochT> | undefined;
  for (const o of obs) {
    if (last && samePrice(last, o.rates)) continue;
    const date = epochs.length === 0 ? start : o.date;
    if (epochs.length && date <= epochs[epochs.length - 1]!.effective_from) continue;
    epochs.push(
      samePrice(o.rates, rates)
        ? full(date, epochs.length === 0 ? why : `observed change (${o.source})`)
        : {
            effective_from: date,
            input: o.rates.input,
            output: o.rates.output,
            ...(o.rates.cached_input ? { cached_input: o.rates.cached_input } : {}),
            ...(o.rates.cache_write_5m ? { cache_write_5m: o.rates.cache_write_5m } : {}),
            ...(o.rates.cache_write_1h ? { cache_write_1h: o.rates.cache_write_1h } : {}),
            ...(o.rates.batch_input ? { batch_input: o.rates.batch_input } : {}),
            ...(o.rates.batch_output ? { batch_output: o.rates.batch_output } : {}),
            source: epochs.length === 0 ? `${o.source}; eff=${why}` : o.source,
          },
    );
    last = o.rates;
  }
  if (!epochs.length || !samePrice(epochs[epochs.length - 1]!, rates)) {
    const date = epochs.length ? SNAPSHOT_DATE : start;
    if (!epochs.length || date > epochs[epochs.length - 1]!.effective_from) epochs.push(full(date, epochs.length ? `rates of ${mapFile}` : why));
  }
  return epochs;
}

// ---------------------------------------------------------------------------------------------------------------
// The hand-kept tables.

/** A hand-kept table as written (validated, but not re-serialised through the schema: its key order stays). */
const readTable = (f: string): PricingFileT => {
  const raw = JSON.parse(readFileSync(join(PRICING_DIR, f), "utf8")) as PricingFileT;
  PricingFile.parse(raw);
  for (const m of raw.models) m.aliases ??= [];
  return raw;
};
const HAND = ["openai.json", "anthropic.json", "google.json"];
const hand = new Map(HAND.map((f) => [f, readTable(f)]));
const catalogOf = (models: CatalogModel[]): Catalog => ({ version: SNAPSHOT_DATE, sha256: "", models, discounts: [], deployments: {} });
const handModels = (): CatalogModel[] => [...hand].flatMap(([f, t]) => t.models.map((m) => ({ ...m, provider: t.provider, origin: f })));

// ---------------------------------------------------------------------------------------------------------------
// First-party keys → models.

interface Key {
  key: string;
  name: string;
  provider: "openai" | "anthropic" | "google";
  entry: Entry;
  rates: ReturnType<typeof ratesOf>;
}

const keys: Key[] = [];
for (const [key, entry] of Object.entries(MAP)) {
  if (key === "sample_spec" || typeof entry !== "object" || entry === null) continue;
  const provider = FIRST_PARTY[String(entry.litellm_provider)];
  if (!provider || !MODES.includes(String(entry.mode)) || isSizedImageKey(key) || key.startsWith("ft:")) continue;
  const p = peel(key);
  if (!p || !FIRST_PARTY_NAME.test(p.core) || /moderation/.test(p.core)) continue;
  const rates = ratesOf(entry, provider);
  if (
    rates.input === undefined &&
    rates.per_image === undefined &&
    rates.input_per_second === undefined &&
    rates.output_per_second === undefined &&
    rates.input_per_1m_characters === undefined
  )
    continue;
  keys.push({ key, name: p.core, provider, entry, rates });
}
// The Gemini API key (gemini/…) is the first-party rate of a name both it and a bare Vertex key carry.
keys.sort((a, b) => Number(b.key.startsWith("gemini/")) - Number(a.key.startsWith("gemini/")) || a.key.localeCompare(b.key));

const generated = new Map<string, { provider: string; models: ModelT[] }>();
const out = (provider: string) => {
  const file = `map-${provider}.json`;
  if (!generated.has(file)) generated.set(file, { provider, models: [] });
  return generated.get(file)!.models;
};
const enriched: string[] = [];
const aliasAdded: string[] = [];

/**
 * Rate kinds of charges apart from the token tiers: added to every hand-kept epoch at the map's token rates. The
 * token tiers (cache, batch, long context, priority, flex) only to the current epoch: the earlier ones are dated
 * facts, split where such a tier began (claude-sonnet-4's long context from 2025-08-12), and the map says not when.
 */
const CHARGE_KINDS: ReadonlySet<string> = new Set([
  "output_reasoning",
  "input_audio",
  "cached_input_audio",
  "output_audio",
  "input_image_tokens",
  "output_image_tokens",
  "per_image",
  "input_per_second",
  "output_per_second",
  "input_per_1m_characters",
  "web_search_per_1k",
  "geo_multipliers",
  "fast_multiplier",
]);

/** Adds the map's rate kinds a hand-kept epoch lacks, where its token rates equal the map's. Never changes a rate. */
function enrich(m: ModelT, k: Key): boolean {
  let changed = false;
  m.prices.forEach((e, i) => {
    const current = i === m.prices.length - 1;
    if (!samePrice(e, k.rates)) return;
    for (const [kind, v] of Object.entries(k.rates) as [keyof EpochT, unknown][]) {
      if (kind === ("notes" as keyof EpochT) || v === undefined || e[kind] !== undefined) continue;
      if (!current && !CHARGE_KINDS.has(kind)) continue;
      if (kind === "batch_input" || kind === "batch_output") continue; // batch is curated with its sources
      (e as Record<string, unknown>)[kind] = v;
      const tag = `; rate kinds added from ${SRC} key ${k.key}`;
      if (!e.source?.includes(tag)) e.source = `${e.source ?? ""}${tag}`;
      changed = true;
    }
  });
  return changed;
}

const handled = new Set<string>();
const matched = new Set<string>();
for (const k of keys) {
  const hit = resolveName(catalogOf(handModels()), k.name);
  if (!hit) continue;
  const table = hand.get(hit.model.origin)!;
  const m = table.models.find((x) => x.id === hit.model.id)!;
  const latest = m.prices[m.prices.length - 1]!;
  if (samePrice(latest, k.rates)) {
    if (enrich(m, k)) enriched.push(`${m.id} ← ${k.key}`);
    handled.add(k.key);
    matched.add(k.name);
  } else if (matched.has(k.name)) {
    // The same name at another rate on Vertex: a Vertex model of its own, below.
  } else if (m.aliases.some((a) => a.toLowerCase() === k.name)) {
    // A pointer priced apart from the model it is listed under (chatgpt-4o-latest): it gets its own rates.
    m.aliases = m.aliases.filter((a) => a.toLowerCase() !== k.name);
  } else if (k.name !== m.id.toLowerCase()) {
    // A spelling that resolves to this model by a rule but is priced apart: its own model below.
  } else {
    handled.add(k.key); // the hand-kept table disagrees with the map on its own id: the table's dated facts win
  }
}

/** Keys split into runs of identical rates (every kind), in their order. */
function byRates<T extends { rates: ReturnType<typeof ratesOf> }>(members: readonly T[]): T[][] {
  const parts: T[][] = [];
  const sig = (k: T) => JSON.stringify({ ...k.rates, notes: [] });
  for (const k of members) {
    const part = parts.find((p) => sig(p[0]!) === sig(k));
    if (part) part.push(k);
    else parts.push([k]);
  }
  return parts;
}

const stripDate = (n: string) => n.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, "").replace(/-latest$/, "");
const groups = new Map<string, Key[]>();
for (const k of keys) {
  if (handled.has(k.key)) continue;
  const g = `${k.provider}|${stripDate(k.name)}`;
  groups.set(g, [...(groups.get(g) ?? []), k]);
}
const newModels: { provider: string; model: ModelT; rates: Key["rates"] }[] = [];
const handNames = new Set(handModels().flatMap((m) => [m.id, ...m.aliases].map((a) => a.toLowerCase())));
/** Keys left out because another key of the same name and provider states other rates. */
const conflicts: string[] = [];
for (const members of groups.values()) {
  for (const part of byRates(members)) {
    const names = [...new Set(part.map((k) => k.name))];
    const id = names.find((n) => n === stripDate(n) && !n.endsWith("-latest")) ?? names.find((n) => !n.endsWith("-latest")) ?? names[0]!;
    const k0 = part[0]!;
    const histNames = [...new Set(part.map((k) => `${String(k.entry.litellm_provider)}:${k.name}`))];
    const model: ModelT = {
      id,
      aliases: names.filter((n) => n !== id).sort(),
      mode: String(k0.entry.mode),
      prices: epochsOf(histNames, k0.rates, `${SRC} key${part.length > 1 ? "s" : ""} ${part.map((k) => k.key).join(", ")}`),
    };
    // A name both the Gemini API and Vertex sell at different rates: the Gemini API's is the first-party model
    // (its keys sort first), Vertex's a cloud model of its own, named as LiteLLM's vertex_ai/ keys are.
    const clash = newModels.some((n) => n.model.id === id) || handNames.has(id);
    if (clash && part.every((k) => k.entry.litellm_provider === "vertex_ai-language-models") && !newModels.some((n) => n.model.id === `vertex_ai/${id}`)) {
      newModels.push({ provider: "vertex", model: { ...model, id: `vertex_ai/${id}`, aliases: [] }, rates: k0.rates });
      continue;
    }
    if (clash) {
      conflicts.push(`${part.map((k) => k.key).join(", ")} (kept the rates of the key listed first for ${id})`);
      continue;
    }
    newModels.push({ provider: k0.provider, model, rates: k0.rates });
  }
}

// Names resolved twice (a generated alias that is already a hand-kept id or alias) stay with the hand-kept model.
const taken = new Set(handModels().flatMap((m) => [m.id, ...m.aliases].map((a) => a.toLowerCase())));
for (const n of newModels) {
  n.model.aliases = n.model.aliases.filter((a) => !taken.has(a.toLowerCase()));
  for (const a of [n.model.id, ...n.model.aliases]) taken.add(a.toLowerCase());
}

// Undated pointers of dated Claude ids (`claude-3-7-sonnet`, `claude-3-5-haiku-latest`): the newest snapshot of a
// name, where no model already claims the pointer. Anthropic's API accepts them; OpenRouter and display names use them.
{
  const claude = [...[...hand.values()].flatMap((t) => t.models), ...newModels.filter((n) => n.provider === "anthropic").map((n) => n.model)].filter((m) =>
    /^claude-.+-\d{8}$/.test(m.id),
  );
  for (const m of claude.sort((a, b) => b.id.localeCompare(a.id))) {
    const base = m.id.replace(/-\d{8}$/, "");
    for (const p of [base, `${base}-latest`]) {
      if (taken.has(p)) continue;
      m.aliases.push(p);
      taken.add(p);
      aliasAdded.push(`${p} → ${m.id}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cheaper siblings: the family's next tier down, when it is cheaper.

function siblingFor(id: string, ids: ReadonlySet<string>, price: (id: string) => number): string | undefined {
  const cands: string[] = [];
  /** The family's models of one size with the same major version and a minor at most this one's, newest first. */
  const sameMajor = (re: (v: string) => RegExp, major: string, minor: number) =>
    [...ids]
      .map((x) => ({ x, m: re(major).exec(x) }))
      .filter((c) => c.m && Number(c.m[1] ?? "0") <= minor)
      .sort((a, b) => Number(b.m![1] ?? "0") - Number(a.m![1] ?? "0"))
      .map((c) => c.x);
  const oa = /^gpt-(\d+)(?:\.(\d+))?(-pro|-mini|-nano)?(-.+)?$/.exec(id);
  if (oa && !/(audio|realtime|transcribe|tts|image|search|codex|chat|deep-research|oss)/.test(id)) {
    const [, major, minor = "0", size, rest = ""] = oa;
    const fam = `gpt-${major}${minor !== "0" || id.startsWith(`gpt-${major}.0`) ? `.${minor}` : ""}`;
    const order = ["-pro", "", "-mini", "-nano"];
    for (const next of order.slice(order.indexOf(size ?? "") + 1)) {
      cands.push(`${fam}${next}${rest}`, `${fam}${next}`);
      // No such size in this version (gpt-5.1-mini): the newest of that size in the same major version.
      cands.push(...sameMajor((mj) => new RegExp(`^gpt-${mj}(?:\\.(\\d+))?${next}$`), major!, Number(minor)));
    }
  }
  const codex = /^(gpt-\d+(?:\.\d+)?-codex)(-max)?$/.exec(id);
  if (codex) cands.push(`${codex[1]}-mini`);
  const cl = /^claude-(opus|sonnet)-(\d+)(?:-(\d+))?(-\d{8})?$/.exec(id);
  if (cl) {
    const [, tierName, major, minor = "0"] = cl;
    const down = tierName === "opus" ? "sonnet" : "haiku";
    const same = [...ids].filter((x) => new RegExp(`^claude-${down}-${major}(?:-(\\d))?(?:-\\d{8})?$`).test(x));
    const minorOf = (x: string) => Number(new RegExp(`^claude-${down}-${major}-(\\d)(?!\\d{7})`).exec(x)?.[1] ?? "0");
    cands.push(...same.filter((x) => minorOf(x) <= Number(minor)).sort((a, b) => minorOf(b) - minorOf(a) || a.length - b.length));
  }
  const gm = /^gemini-(\d+)(?:\.(\d+))?-(pro|flash)(-lite)?(-.+)?$/.exec(id);
  if (gm && !/(image|tts|audio|live|computer-use|robotics|customtools)/.test(id)) {
    const [, major, minor, size, lite, rest = ""] = gm;
    const ver = minor === undefined ? major : `${major}.${minor}`;
    const next = size === "pro" ? "flash" : lite ? undefined : "flash-lite";
    if (next) {
      cands.push(`gemini-${ver}-${next}${rest}`, `gemini-${ver}-${next}`, `gemini-${ver}-${next}-preview`);
      cands.push(...sameMajor((mj) => new RegExp(`^gemini-${mj}(?:\\.(\\d+))?-${next}(?:-preview)?$`), major!, Number(minor ?? "0")));
    }
  }
  return cands.find((c) => c !== id && ids.has(c) && price(c) < price(id));
}

// ---------------------------------------------------------------------------------------------------------------
// Clouds: a key whose rates differ from the first party's gets a model of its own.

/**
 * When a cloud's own model launched, where neither the map, the price history nor its id says (its key would
 * otherwise be priced only from the snapshot's date, and every earlier row left unpriced). Rates unchanged since.
 */
const LAUNCHED: Record<string, { date: string; source: string }> = {
  ...Object.fromEntries(
    ["nova-micro", "nova-lite", "nova-pro"].map((core) => [
      core,
      { date: "2024-12-03", source: "AWS launch of Amazon Nova Micro, Lite and Pro at re:Invent, 3 Dec 2024 (vendor date from memory; verify)" },
    ]),
  ),
  "nova-premier": { date: "2025-04-30", source: "AWS: Amazon Nova Premier generally available, 30 Apr 2025 (vendor date from memory; verify)" },
  "nova-2-lite": { date: "2025-12-02", source: "AWS launch of Amazon Nova 2 Lite at re:Invent, 2 Dec 2025 (vendor date from memory; verify)" },
};

function cloudModels(firstParty: Catalog): { provider: string; model: ModelT }[] {
  interface CloudKey {
    key: string;
    cloud: "bedrock" | "vertex" | "azure";
    geo: string;
    core: string;
    base: CatalogModel | undefined;
    rates: ReturnType<typeof ratesOf>;
    entry: Entry;
  }
  const all: CloudKey[] = [];
  for (const [key, entry] of Object.entries(MAP)) {
    if (typeof entry !== "object" || entry === null || isSizedImageKey(key)) continue;
    const cloud = CLOUD_OF[String(entry.litellm_provider)];
    if (!cloud || !["chat", "responses", "embedding", "completion"].includes(String(entry.mode))) continue;
    const p = peel(key);
    if (!p || !(FIRST_PARTY_NAME.test(p.core) || CLOUD_OWN[cloud]?.test(p.core))) continue;
    const rates = ratesOf(entry, cloud);
    if (rates.input === undefined) continue;
    all.push({ key, cloud, geo: p.geo, core: p.core, base: resolveName(firstParty, p.core)?.model, rates, entry });
  }
  all.sort((a, b) => a.key.length - b.key.length || a.key.localeCompare(b.key));
  const sameAsBase = (k: CloudKey) => {
    const e = k.base?.prices[k.base.prices.length - 1];
    return e !== undefined && samePrice(e, k.rates);
  };
  // Per cloud, geography and model: when every key there sells at the first party's rates, the naming rules send
  // them to the first-party model. Otherwise each distinct rate is a model of the cloud's (the keys at the first
  // party's rate too, so that each key resolves to its own rate).
  const groups = new Map<string, CloudKey[]>();
  for (const k of all) {
    const g = `${k.cloud}|${k.geo}|${k.base?.id ?? k.core}`;
    groups.set(g, [...(groups.get(g) ?? []), k]);
  }
  const result: { provider: string; model: ModelT }[] = [];
  for (const members of groups.values()) {
    // (A geography's keys always get models: else a name of that geography would resolve to the cloud's other rate.)
    if (members.every(sameAsBase) && members[0]!.geo === "") continue;
    for (const part of byRates(members)) {
      const k = part[0]!;
      const { notes, ...r } = k.rates;
      const first = history.get(`${String(k.entry.litellm_provider)}:${k.core}`)?.[0]?.date;
      const released = releaseDate(k.core);
      const launched = LAUNCHED[k.core];
      const date = first ?? released ?? k.base?.prices[0]?.effective_from ?? launched?.date ?? SNAPSHOT_DATE;
      const why = first
        ? "first observation in litellm_price_history.csv"
        : released
          ? "release date in the id"
          : k.base
            ? `first epoch of ${k.base.id}`
            : launched
              ? launched.source
              : `first seen in ${mapFile}`;
      const model: ModelT = {
        id: k.key,
        aliases: part.slice(1).map((x) => x.key),
        mode: String(k.entry.mode),
        prices: [
          {
            effective_from: date,
            ...r,
            source: `${SRC} key${part.length > 1 ? "s" : ""} ${part.map((x) => x.key).join(", ")} (${k.cloud}${k.geo ? ` ${k.geo}` : ""} rate${k.base ? (sameAsBase(k) ? `, as ${k.base.id}` : `, differs from ${k.base.id}`) : ""}); eff=${why}${notes.length ? `; ${notes.join("; ")}` : ""}`,
          },
        ],
      };
      if (k.base?.cheaper_sibling) model.cheaper_sibling = k.base.cheaper_sibling;
      result.push({ provider: k.cloud, model });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Write.

for (const n of newModels) out(n.provider).push(n.model);
const firstPartyCatalog = catalogOf([...handModels(), ...newModels.map((n) => ({ ...n.model, provider: n.provider, origin: `map-${n.provider}.json` }))]);
const ids = new Set(firstPartyCatalog.models.map((m) => m.id));
const priceOf = (id: string) => {
  const e = firstPartyCatalog.models.find((m) => m.id === id)?.prices.at(-1);
  return e?.input !== undefined && e.output !== undefined ? Number(e.input) + Number(e.output) : Number.POSITIVE_INFINITY;
};
for (const n of newModels) {
  const s = siblingFor(n.model.id, ids, priceOf);
  if (s) n.model.cheaper_sibling = s;
}
for (const c of cloudModels(firstPartyCatalog)) out(c.provider).push(c.model);

const write = (file: string, table: PricingFileT) => {
  const checked = PricingFile.safeParse(table);
  if (!checked.success) throw new Error(`${file}: ${checked.error.message}`);
  writeFileSync(join(PRICING_DIR, file), `${JSON.stringify(table, null, 2)}\n`);
};
for (const [f, t] of hand) write(f, t);
for (const [file, { provider, models }] of [...generated].sort(([a], [b]) => a.localeCompare(b))) {
  models.sort((a, b) => a.id.localeCompare(b.id));
  write(file, {
    $schema: "./pricing.schema.json",
    provider,
    version: SNAPSHOT_DATE,
    currency: "USD",
    unit: "USD per 1M tokens",
    notes: `Generated by scripts/make-pricing.ts from ${mapFile} and litellm_price_history.csv; do not edit by hand (rerun the script). Rates are USD per 1M tokens unless the field says otherwise (per_image: USD per image; *_per_second: USD per second; web_search_per_1k: USD per 1,000 calls).`,
    models,
  });
}
// The snapshot's first-party keys with the fields `pricing coverage` compares, so it runs offline from the package.
{
  const keep = ["litellm_provider", "mode", "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost"];
  const subset: Record<string, Record<string, unknown>> = {};
  for (const { name, entry } of mapEntries(MAP, MODES)) subset[name] = Object.fromEntries(keep.filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]]));
  mkdirSync(join(PRICING_DIR, "coverage"), { recursive: true });
  writeFileSync(join(PRICING_DIR, "coverage", mapFile.replace(".json", ".first-party.json")), `${JSON.stringify(subset, null, 1)}\n`);
}

const count = [...generated.values()].reduce((a, g) => a + g.models.length, 0);
process.stderr.write(
  (conflicts.length ? `left out, for a name another key prices differently: ${conflicts.join("; ")}\n` : "") +
    `wrote ${count} models to ${[...generated.keys()].join(", ")}; enriched ${enriched.length} hand-kept epochs' models (${enriched.length ? enriched.slice(0, 6).join("; ") : "none"}${enriched.length > 6 ? "; …" : ""})${aliasAdded.length ? `; ${aliasAdded.length} aliases added` : ""}\n`,
);
