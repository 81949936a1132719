import { DEFAULTS } from "../defaults.js";
import { SIG_SIZE } from "../sources/sql.js";
import type { Db } from "../store/db.js";
import { CACHE_FLAG, chosenCache, rateText, TTL_FLAG } from "./cache.js";
import { one, parseShare, type TacticFlag } from "./flags.js";
import { cacheExclusions, deniedRequests, rewriteSim, type TacticDef } from "./types.js";

export const SWEEP = [0.91, 0.93, 0.95, 0.97] as const;
const BANDS = 8;

/** Random hyperplanes for embeddings: 64 sign bits (8 bands × 8) over at most SUBSPACE dimensions. */
const PLANES = 64;
const SUBSPACE = 256;

/**
 * How prompts are compared. With an embedding column: cosine similarity of the embeddings (exact), with candidates
 * from random-hyperplane LSH. Otherwise, with logged prompt text: the MinHash signature of its word shingles stored at
 * ingest (estimated Jaccard, a lexical proxy for semantic similarity), with candidates from MinHash LSH.
 */
interface Similarity {
  name: "cosine" | "minhash";
  /** The per-request value compared, as `v` in sc_rows. */
  value: string;
  /** Fills sc_bands(rid, feature, model, ts, b, bh) from sc_rows: one hash per request and band. */
  bands(db: Db): Promise<void>;
  /** Similarity of two requests' values a.v and b.v. */
  score: string;
  assumption: (threshold: number) => string;
}

const BAND_ROWS = SIG_SIZE / BANDS;
const MINHASH: Similarity = {
  name: "minhash",
  value: "r.prompt_sig",
  async bands(db) {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE sc_bands AS
       SELECT rid, feature, model, ts, b, hash(v[b * ${BAND_ROWS} + 1 : b * ${BAND_ROWS} + ${BAND_ROWS}]) AS bh FROM sc_rows, range(${BANDS}) t(b)`,
    );
  },
  score: `len(list_filter(range(1, ${SIG_SIZE + 1}), i -> a.v[i] = b.v[i])) / ${SIG_SIZE}.0`,
  assumption: (t) => `near-duplicate prompts by MinHash over word 3-shingles (estimated Jaccard ≥ ${t}) — lexical similarity stands in for semantic`,
};

/** Deterministic pseudo-random numbers (xorshift32, fixed seed): the same traffic always gives the same candidates. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/**
 * The band hashes of embeddings of one length: bit k is the sign of the embedding projected on a random ±1 plane.
 * Long embeddings are first cut to a fixed random subset of SUBSPACE dimensions (near-duplicates stay near in it; the
 * similarity itself is always exact). The planes are SQL literals, constant per query: 64 dense dot products a request.
 */
function cosineBands(dim: number): string {
  const next = xorshift(0x9e3779b9);
  const all = Array.from({ length: dim }, (_, i) => i + 1);
  // A seeded partial Fisher–Yates shuffle picks the subspace.
  for (let i = 0; i < Math.min(SUBSPACE, dim); i++) {
    const j = i + (next() % (dim - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const sub = all.slice(0, Math.min(SUBSPACE, dim));
  const plane = () => `[${sub.map(() => (next() & 1 ? 1 : -1)).join(",")}]::FLOAT[]`;
  const perBand = PLANES / BANDS;
  const hashes = Array.from({ length: BANDS }, () => `hash([${Array.from({ length: perBand }, () => `list_dot_product(s, ${plane()}) > 0`).join(", ")}])`);
  const s = dim <= SUBSPACE ? "v" : `list_select(v, [${sub.join(",")}])`;
  return `SELECT rid, feature, model, ts, unnest(range(${BANDS})) AS b, unnest([${hashes.join(", ")}]) AS bh
          FROM (SELECT *, ${s} AS s FROM sc_rows WHERE len(v) = ${dim})`;
}

const COSINE: Similarity = {
  name: "cosine",
  value: "r.prompt_emb",
  async bands(db) {
    const dims = (await db.all<{ dim: number }>("SELECT DISTINCT len(v)::INTEGER AS dim FROM sc_rows ORDER BY 1")).map((r) => Number(r.dim));
    await db.run(`CREATE OR REPLACE TEMP TABLE sc_bands AS ${dims.map(cosineBands).join(" UNION ALL ")}`);
  },
  score: "CASE WHEN len(a.v) = len(b.v) THEN list_cosine_similarity(a.v, b.v) ELSE 0 END",
  assumption: (t) => `near-duplicate prompts by cosine similarity of the logged embeddings (≥ ${t})`,
};

/**
 * Semantic (near-duplicate) response cache, as an estimate. A request is a hit when an earlier request of the same
 * feature and model, less than TTL seconds before it, is similar enough (see Similarity). Candidate pairs come from LSH
 * banding. Every request considered pays an embedding lookup of its input at the text-embedding-3-small rate.
 * Requests without prompt text or embedding, on the config's deny-list, or of features with cacheable: false are never
 * hits.
 */
const THRESHOLD_FLAG: TacticFlag<number> = {
  flags: "--threshold <x>",
  help: `similarity threshold for --cache semantic (default ${DEFAULTS.semanticThreshold}; 0.91/0.93/0.95/0.97 are always reported)`,
  parse: (raw) => parseShare(one(raw), "--threshold"),
};

export interface SemanticCacheSettings {
  ttlSeconds: number;
  threshold: number;
}
export interface SemanticCacheState {
  /** Requests with a prompt to compare (each pays an embedding lookup). */
  considered: number;
  hits: number;
  denied: number;
  /** How prompts were compared: what the traffic allows (an embedding column, else prompt text). */
  method: Similarity["name"];
  /** The hit rate at each threshold of SWEEP, as `hitRateAt0.95`. */
  sweep: Record<string, number>;
}

export const SEMANTIC_CACHE: TacticDef<SemanticCacheSettings, SemanticCacheState> = {
  name: "semantic-cache",
  step: "cache",
  flags: [CACHE_FLAG, TTL_FLAG, THRESHOLD_FLAG],
  columns: [
    { name: "sc_hit", type: "BOOLEAN", kept: "key", what: "served from the semantic cache" },
    { name: "sc_seen", type: "BOOLEAN", kept: "key", what: "considered: has a prompt to compare, so pays an embedding lookup" },
  ],
  rewrites: ["cache_hit", "extra_cost"],
  noEffect: "no request is similar enough to an earlier one within the TTL, or the requests have no prompt embedding",
  denyList: true,
  fromFlags(flags) {
    const ttlSeconds = chosenCache(flags, "semantic");
    return ttlSeconds === null ? null : { ttlSeconds, threshold: flags.read(THRESHOLD_FLAG) ?? DEFAULTS.semanticThreshold };
  },
  start: () => ({ considered: 0, hits: 0, denied: 0, method: "minhash", sweep: {} }),
  assumptions: ({ ttlSeconds, threshold }, { method }) => [
    `near-duplicate prompts within ${ttlSeconds}s in the same feature and model are served from cache at $0 — an estimate`,
    (method === "cosine" ? COSINE : MINHASH).assumption(threshold),
    "every request considered pays an embedding of its input at the text-embedding-3-small rate",
    "requests without logged prompt text or embedding, prompts on the config's cache.denyPrefixes (checked at ingest), and features with cacheable: false are never served from cache",
  ],
  async perRequest(ctx, { ttlSeconds, threshold }, stats) {
    const { db, config, rows, row, params } = ctx;
    const has = await db.one<{ emb: string }>(`SELECT count(*) FILTER (WHERE r.prompt_emb IS NOT NULL) AS emb FROM ${rows} r`, params);
    const method = Number(has?.emb ?? 0) > 0 ? COSINE : MINHASH;
    stats.method = method.name;
    const excl = cacheExclusions(row.hit);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE sc_rows AS
       SELECT rid, feature, ${row.model} AS model, ts, ${method.value} AS v FROM ${rows} r
       WHERE ${method.value} IS NOT NULL AND NOT ${excl.sql}`,
      { ...params, ...excl.params(config) },
    );
    stats.denied = await deniedRequests(ctx);
    await method.bands(db);
    // For each request, the best similarity to an earlier request within the TTL (candidates share a band).
    await db.run(
      `CREATE OR REPLACE TEMP TABLE sc_best AS
       WITH pairs AS (
         SELECT DISTINCT y.rid AS later, x.rid AS earlier FROM sc_bands x JOIN sc_bands y
           ON x.feature = y.feature AND x.model = y.model AND x.b = y.b AND x.bh = y.bh
          AND (x.ts < y.ts OR (x.ts = y.ts AND x.rid < y.rid)) AND y.ts - x.ts <= to_seconds($ttl))
       SELECT p.later AS rid, max(${method.score}) AS sim
       FROM pairs p JOIN sc_rows a ON a.rid = p.later JOIN sc_rows b ON b.rid = p.earlier GROUP BY 1`,
      { ttl: ttlSeconds },
    );
    const sweep = await db.one<Record<string, string>>(
      `SELECT (SELECT count(*) FROM sc_rows) AS considered, ${SWEEP.map((t, i) => `count(*) FILTER (WHERE sim >= ${t}) AS t${i}`).join(", ")},
         count(*) FILTER (WHERE sim >= CAST($t AS DOUBLE)) AS hits FROM sc_best`,
      { t: threshold },
    );
    stats.considered = Number(sweep?.considered ?? 0);
    stats.hits = Number(sweep?.hits ?? 0);
    stats.sweep = Object.fromEntries(
      SWEEP.map((t, i) => [`hitRateAt${t}`, stats.considered ? Number((Number(sweep?.[`t${i}`] ?? 0) / stats.considered).toFixed(6)) : 0]),
    );
    await db.run("CREATE OR REPLACE TEMP TABLE sc_hit AS SELECT rid FROM sc_best WHERE sim >= CAST($t AS DOUBLE)", { t: threshold });
    await db.run("CREATE OR REPLACE TEMP TABLE sc_seen AS SELECT rid FROM sc_rows");
    for (const t of ["sc_rows", "sc_bands", "sc_best"]) await db.run(`DROP TABLE IF EXISTS ${t}`);
    return {
      columns: {
        sc_hit: stats.hits ? "rid IN (SELECT rid FROM sc_hit)" : "false",
        sc_seen: stats.considered ? "rid IN (SELECT rid FROM sc_seen)" : "false",
      },
      row: { hit: `(${row.hit} OR r.sc_hit)` },
    };
  },
  async apply({ db }, { ttlSeconds, threshold }, stats) {
    const perFeature = await db.all<{ feature: string; hits: string; total: string }>(
      `SELECT feature, sum(n) FILTER (WHERE sc_hit) AS hits, sum(n) FILTER (WHERE sc_seen) AS total
       FROM sim GROUP BY 1 HAVING sum(n) FILTER (WHERE sc_hit) > 0 ORDER BY 2 DESC`,
    );
    const embedRate = `(SELECT er.input FROM price_rate er WHERE er.model_id = 'text-embedding-3-small' AND er.mode = 'standard' AND s.ts >= er.valid_from AND s.ts < er.valid_to)`;
    const tokens = "(s.input_tokens + s.cached_input_tokens + s.cache_write_5m_tokens + s.cache_write_1h_tokens)";
    await rewriteSim(db, {
      cache_hit: "s.cache_hit OR s.sc_hit",
      extra_cost: `s.extra_cost + CASE WHEN s.sc_seen THEN CAST(coalesce(${tokens} * ${embedRate}, 0) * 0.000001::DECIMAL(7,6) AS DECIMAL(38,12)) ELSE 0 END`,
    });
    return {
      affectedRequests: stats.hits,
      evidence: perFeature.map((r) => ({
        feature: r.feature,
        text:
          stats.method === "cosine"
            ? `${Math.round((100 * Number(r.hits)) / Number(r.total))}% of requests nearly repeat one within ${ttlSeconds}s (embedding cosine ≥ ${threshold}, estimate)`
            : `${Math.round((100 * Number(r.hits)) / Number(r.total))}% of requests with logged prompts nearly repeat one within ${ttlSeconds}s (similarity ≥ ${threshold}, estimate)`,
      })),
      details: {
        similarity: stats.method,
        threshold,
        considered: stats.considered,
        hits: stats.hits,
        deniedRequests: stats.denied,
        hitRate: stats.considered ? Number((stats.hits / stats.considered).toFixed(6)) : 0,
        ...stats.sweep,
      },
    };
  },
  summary: (step) => {
    const d = step.details;
    const sweep = SWEEP.map((t) => `${t}: ${rateText(d[`hitRateAt${t}`])}`).join(" · ");
    return [
      {
        section: "Hit rates",
        text: `semantic-cache: ${rateText(d.hitRate)} of ${Number(d.considered).toLocaleString("en")} requests considered hit at ${String(d.threshold)} (${String(d.similarity)}); sweep ${sweep}`,
      },
    ];
  },
};
