import type { Catalog, CatalogModel } from "./load.js";

/**
 * Model names as they are sent, resolved to a priced model. Exact, never fuzzy: a name resolves when it is an id or
 * a listed alias (any case, surrounding blanks ignored), or when one of the explicit rules below turns it into one.
 * Every rule is documented in the README ("Model names") and tested in test/names.test.ts.
 */

/** The clouds that resell first-party models, sometimes at their own rates (a model of that provider in pricing/). */
export const CLOUDS = ["bedrock", "vertex", "azure"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** A cloud's own models, which no first party sells: Amazon Nova on Bedrock (scripts/make-pricing.ts prices them). */
export const CLOUD_OWN: Partial<Record<Cloud, RegExp>> = { bedrock: /^nova-/ };

/**
 * The cross-region geography an AWS region bills as (eu-west-1: eu; ap-south-1: apac; us-gov-west-1: us-gov), for a
 * name that carries a region; any other geography as it is.
 */
const regionGeo = (geo: string): string => {
  const r = /^(us-gov|us|eu|ap|ca|sa|me|af|il|mx)-[a-z]+-\d$/.exec(geo)?.[1];
  return r === undefined ? geo : r === "ap" ? "apac" : r;
};

/**
 * GovCloud is its own AWS partition with one price list: its regions (us-gov-east-1, us-gov-west-1) and its
 * cross-region prefix (us-gov.) bill alike, so a GovCloud name takes GovCloud's rate where any of them lists the
 * model. Commercial regions are not pooled this way: their geographies differ (see the clouds lookup).
 */
const GOV = "us-gov";
const isGov = (geo: string): boolean => regionGeo(geo) === GOV;

export interface Peeled {
  /** The name with every cloud and vendor wrapper removed, lower case. */
  core: string;
  /** The cloud the name says it was sent through (its rates apply where they differ), or null. */
  cloud: Cloud | null;
  /** A geography or region the name carries (`us` of `us.anthropic.…`, `eu` of `azure/eu/…`), or "". */
  geo: string;
  /** The Bedrock version suffix removed (`v1:0` of `-v1:0` and of `-v1`), or "". */
  version: string;
  /** The rules applied, in order, for `pricing show` and `pricing coverage`. */
  rules: string[];
}

const BEDROCK_GEO = /^(us-gov|us|eu|apac|au|jp|global|ca|in|sa|mx)\.(?=[a-z0-9-]+\.)/;
const BEDROCK_VENDOR = /^(anthropic|openai|google|amazon|meta|mistral|cohere|ai21|deepseek|qwen|writer|twelvelabs)\./;
const BEDROCK_VERSION = /-v\d+(:\d+)?$|:\d+$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):\d*:(inference-profile|foundation-model|application-inference-profile|provisioned-model|custom-model)\/(.+)$/;

/**
 * Strips what clouds, gateways and SDKs wrap a model name in. The rules, in order:
 * - blanks around are dropped, case is folded, inner blanks become hyphens (display names: "Claude Sonnet 4.5");
 * - Bedrock ARNs: the model or inference-profile id after `foundation-model/` or `inference-profile/`;
 * - path prefixes: `openrouter/`, `openai/`, `anthropic/`, `google/`, `gemini/`, `models/`, `vertex_ai/`,
 *   `bedrock/` (with `converse/`, `invoke/` and an AWS region), `azure/` and `azure_ai/` (with a region: eu, us,
 *   global…), Vertex `projects/…/locations/…/publishers/…/models/…` and `publishers/…/models/…`;
 * - Bedrock ids: a cross-region prefix (`us.`, `eu.`, `apac.`, `au.`, `jp.`, `global.`, `us-gov.` …), the vendor
 *   (`anthropic.`) and the version (`-v1:0`, `-v2:0`, `-v1`, `:0`);
 * - Vertex versions: `@20241022` → `-20241022`, `@001` → `-001`, `@latest` and `@default` dropped;
 * - Claude's dotted versions (OpenRouter, display names): `claude-3.7-sonnet` → `claude-3-7-sonnet`.
 * Returns null for names no rule can reach (an application inference-profile ARN: map it with pricing.deployments).
 */
export function peel(name: string): Peeled | null {
  const rules: string[] = [];
  let s = name.trim().toLowerCase();
  let cloud: Cloud | null = null;
  let geo = "";
  if (/\s/.test(s)) {
    s = s.replace(/\s+/g, "-");
    rules.push("display name");
  }
  let version = "";
  const arn = ARN.exec(s);
  if (arn) {
    if (arn[2] !== "inference-profile" && arn[2] !== "foundation-model") return null;
    s = arn[3]!;
    cloud = "bedrock";
    geo = arn[1]!;
    rules.push("Bedrock ARN");
  }
  for (let guard = 0; guard < 8; guard++) {
    const before = s;
    const seg = (prefix: string): boolean => {
      if (!s.startsWith(prefix)) return false;
      s = s.slice(prefix.length);
      return true;
    };
    if (seg("openrouter/")) rules.push("openrouter/ prefix");
    else if (seg("bedrock/")) {
      cloud = "bedrock";
      rules.push("bedrock/ prefix");
      for (const mode of ["converse/", "invoke/", "converse_like/"]) seg(mode);
      const region = s.split("/")[0]!;
      if (s.includes("/") && AWS_REGION.test(region)) {
        s = s.slice(region.length + 1);
        geo = region;
      }
    } else if (seg("azure/") || seg("azure_ai/")) {
      cloud = "azure";
      rules.push("azure/ prefix");
      const region = /^(eu|us|global|global-standard|datazone|data-zone)\//.exec(s);
      if (region) {
        s = s.slice(region[0].length);
        geo = region[1]!;
      }
    } else if (seg("vertex_ai/") || seg("vertex_ai_beta/")) {
      cloud = "vertex";
      rules.push("vertex_ai/ prefix");
    } else if (/^projects\/[^/]+\/locations\/[^/]+\//.test(s)) {
      s = s.replace(/^projects\/[^/]+\/locations\/[^/]+\//, "");
      cloud = "vertex";
      rules.push("Vertex resource path");
    } else if (/^publishers\/[^/]+\/models\//.test(s)) {
      s = s.replace(/^publishers\/[^/]+\/models\//, "");
      cloud = cloud ?? "vertex";
      rules.push("Vertex publisher path");
    } else if (seg("models/")) rules.push("models/ prefix");
    else {
      const vendor = /^(openai|anthropic|google|gemini)\//.exec(s);
      if (vendor) {
        s = s.slice(vendor[0].length);
        rules.push(`${vendor[1]}/ prefix`);
      }
    }
    if (s === before) break;
  }
  const geoPrefix = BEDROCK_GEO.exec(s);
  if (geoPrefix) {
    s = s.slice(geoPrefix[0].length);
    geo = geoPrefix[1]!;
    cloud = "bedrock";
    rules.push(`Bedrock ${geo}. cross-region prefix`);
  }
  const vendor = BEDROCK_VENDOR.exec(s);
  if (vendor) {
    s = s.slice(vendor[0].length);
    cloud = "bedrock";
    rules.push("Bedrock vendor prefix");
    const v = BEDROCK_VERSION.exec(s);
    if (v) {
      s = s.slice(0, v.index);
      const [major, minor] = v[0].replace(/^-?v?/, "").split(":");
      version = minor === undefined ? `v${major}:0` : v[0].startsWith("-v") ? `v${major}:${minor}` : `:${minor}`;
      rules.push("Bedrock version suffix");
    }
  }
  const at = /@(\d{8}|\d{3})$|@(latest|default)$/.exec(s);
  if (at) {
    s = at[1] ? s.replace(/@(\d+)$/, "-$1") : s.slice(0, at.index);
    cloud = cloud ?? "vertex";
    rules.push("Vertex @version");
  }
  if (s.startsWith("claude-") && /\d\.\d/.test(s)) {
    s = s.replace(/(\d)\.(\d)/g, "$1-$2");
    rules.push("Claude dotted version");
  }
  return { core: s, cloud, geo, version, rules };
}

export interface Resolution {
  model: CatalogModel;
  /** How the name was matched: "id", "alias", "deployment", or the rules applied. */
  via: string;
}

interface NameIndex {
  byId: Map<string, CatalogModel>;
  /** lower-cased id or alias → model id. */
  aliases: Map<string, string>;
  /** `cloud|geo|first-party id` → the cloud's own model for it. */
  clouds: Map<string, string>;
  /**
   * A cloud's own models (CLOUD_OWN), by `cloud|geo|core|version` → model id; `cloud|*|core|version` → the first
   * listed (the shortest key: the one without a geography where there is one).
   */
  own: Map<string, string>;
  memo: Map<string, Resolution | null>;
}

const indexes = new WeakMap<Catalog, NameIndex>();

/** alias (lower-cased) → model id. Ids are their own aliases; an override's names win over built-in ones. */
export function aliasMap(catalog: Catalog): Map<string, string> {
  return indexOf(catalog).aliases;
}

/** The exact aliases as rows, for the price_alias table. */
export function aliasRows(catalog: Catalog): { alias: string; model_id: string }[] {
  return [...aliasMap(catalog)].map(([alias, model_id]) => ({ alias, model_id }));
}

function indexOf(catalog: Catalog): NameIndex {
  const known = indexes.get(catalog);
  if (known) return known;
  const aliases = new Map<string, string>();
  for (const pass of [false, true]) {
    for (const m of catalog.models) {
      if ((m.origin === "override") !== pass) continue;
      for (const a of [m.id, ...m.aliases]) aliases.set(a.trim().toLowerCase(), m.id);
    }
  }
  const byId = new Map(catalog.models.map((m) => [m.id, m]));
  const clouds = new Map<string, string>();
  const own = new Map<string, string>();
  const setOnce = (map: Map<string, string>, key: string, id: string) => {
    if (!map.has(key)) map.set(key, id);
  };
  for (const m of catalog.models) {
    if (!(CLOUDS as readonly string[]).includes(m.provider)) continue;
    for (const name of [m.id, ...m.aliases]) {
      const p = peel(name);
      if (!p) continue;
      if (CLOUD_OWN[m.provider as Cloud]?.test(p.core)) {
        for (const geo of new Set([p.geo, regionGeo(p.geo), "*"])) setOnce(own, `${m.provider}|${geo}|${p.core}|${p.version}`, m.id);
        continue;
      }
      const base = aliases.get(p.core);
      if (!base || base === m.id) continue;
      // A base that is itself a cloud's model (Bedrock prices Claude 3 Haiku's cache apart) takes a geography's own
      // rate, never another bare one.
      if ((CLOUDS as readonly string[]).includes(byId.get(base)?.provider ?? "") && p.geo === "") continue;
      setOnce(clouds, `${m.provider}|${p.geo}|${base}`, m.id);
      if (isGov(p.geo)) setOnce(clouds, `${m.provider}|${GOV}|${base}`, m.id);
    }
  }
  const index = { byId, aliases, clouds, own, memo: new Map() };
  indexes.set(catalog, index);
  return index;
}

/**
 * Resolves a model name as sent (a log's `model`, a Bedrock `modelId`, a user's `--where model=`) to a priced model:
 * an exact id or alias first; a deployment name from the config's `pricing.deployments`; then the wrapper rules of
 * peel(). A name that says a cloud gets that cloud's model where pricing/ has one (its rates differ from the first
 * party's), in that geography where there is one; else the first-party model.
 */
export function resolveName(catalog: Catalog, name: string): Resolution | null {
  const ix = indexOf(catalog);
  const key = name.trim().toLowerCase();
  const memo = ix.memo.get(key);
  if (memo !== undefined) return memo;
  const result = resolveUncached(catalog, ix, key);
  ix.memo.set(key, result);
  return result;
}

/** `deployments`: false for a deployment's target, which is a model name, never another deployment. */
function resolveUncached(catalog: Catalog, ix: NameIndex, key: string, deployments = true): Resolution | null {
  const exact = ix.aliases.get(key);
  if (exact) return { model: ix.byId.get(exact)!, via: exact.toLowerCase() === key ? "id" : "alias" };
  const deployment = deployments ? Object.entries(catalog.deployments).find(([d]) => d.trim().toLowerCase() === key) : undefined;
  if (deployment) {
    const target = resolveUncached(catalog, ix, deployment[1].trim().toLowerCase(), false);
    return target ? { model: target.model, via: `deployment ${deployment[0]} → ${deployment[1]}` } : null;
  }
  const p = peel(key);
  if (!p) return null;
  const base = ix.aliases.get(p.core);
  const via = p.rules.join(", ") || "alias";
  const c = p.cloud;
  if (c && CLOUD_OWN[c]?.test(p.core)) {
    // A cloud's own model (Amazon Nova), of that version: the rate of the name's geography (a region's: eu-west-1 is
    // eu), else the one without a geography; a name without one takes the only one listed (Nova Premier is sold
    // through us. alone).
    const at = (geo: string) => ix.own.get(`${c}|${geo}|${p.core}|${p.version}`);
    const own = p.geo ? (at(p.geo) ?? at(regionGeo(p.geo)) ?? at("")) : (at("") ?? at("*"));
    return own ? { model: ix.byId.get(own)!, via: `${via} (${c} rate)` } : null;
  }
  if (!base) return null;
  if (p.cloud) {
    const own =
      ix.clouds.get(`${p.cloud}|${p.geo}|${base}`) ??
      (isGov(p.geo) ? ix.clouds.get(`${p.cloud}|${GOV}|${base}`) : undefined) ??
      ix.clouds.get(`${p.cloud}||${base}`);
    if (own) return { model: ix.byId.get(own)!, via: `${via} (${p.cloud} rate)` };
  }
  return { model: ix.byId.get(base)!, via };
}

/** Why a name does not resolve, in the user's words (pricing check, pricing coverage). */
export function unresolvedReason(_catalog: Catalog, name: string): string {
  const key = name.trim().toLowerCase();
  if (/^arn:aws[a-z-]*:bedrock:[^:]*:\d*:application-inference-profile\//.test(key)) {
    return 'an application inference profile names no model: map it in the config, "pricing": {"deployments": {"<arn>": "<model>"}}';
  }
  const p = peel(key);
  if (p?.rules.some((r) => r.startsWith("azure"))) return `no price for ${p.core}; an Azure deployment name? map it with pricing.deployments`;
  if (!/[0-9]/.test(key) && !key.includes("/"))
    return 'no price entry or alias for this name (an Azure deployment? map it with "pricing": {"deployments": {"NAME": "MODEL"}})';
  return "no price entry or alias for this name";
}
