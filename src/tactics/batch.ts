import { checkFeature } from "../resolve/names.js";
import { one, type TacticFlag } from "./flags.js";
import { type FeatureScope, instantiate, rewriteSim, scopeParams, scopeSql, simCount, stringList, type Tactic, type TacticDef } from "./types.js";

const BATCH_FLAG: TacticFlag<FeatureScope | "auto"> = {
  flags: "--batch <features>",
  help: "auto, or a comma-separated list of features to move to batch rates",
  parse: (raw) => {
    const v = one(raw);
    return v === "auto" ? "auto" : v.split(",").map((f) => f.trim());
  },
};

export interface BatchSettings {
  scope: FeatureScope | "auto";
}

/** A feature is batchable "auto"-matically when the config says so, or its traffic sits in a short daily window. */
export const BATCH_WINDOW_HOURS = 6;
export const BATCH_WINDOW_SHARE = 0.9;
/** A window seen on fewer days says nothing about a daily schedule: one day of any traffic sits in some window. */
export const BATCH_MIN_DAYS = 3;

/**
 * Batch API repricing: realtime requests of the chosen features move to batch rates (cache discounts still stack).
 * `auto` picks features marked `batchable: true` in the config, or whose requests fall ≥90% within a daily window of
 * at most 6 hours (off-hours jobs) on at least 3 days, and never features marked `realtime: true`. Each pick says why.
 */
export const BATCH: TacticDef<BatchSettings, null> = {
  name: "batch",
  step: "batch",
  flags: [BATCH_FLAG],
  columns: [],
  rewrites: ["batch", "service_tier"],
  fromFlags(flags) {
    const scope = flags.read(BATCH_FLAG);
    return scope === undefined ? null : { scope };
  },
  playbook: { label: "batch where traffic allows", settings: () => ({ scope: "auto" }) },
  start: () => null,
  assumptions: ({ scope }) => [
    scope === "auto"
      ? `auto: features marked batchable in the config, or with ≥${BATCH_WINDOW_SHARE * 100}% of requests inside a ≤${BATCH_WINDOW_HOURS}h daily window (UTC) on at least ${BATCH_MIN_DAYS} days; never realtime: true`
      : `batch the features ${scope === "all" ? "(all)" : scope.join(", ")}`,
    "batch results arrive within 24h; the job tolerates that latency",
  ],
  async apply({ db, config }, { scope }) {
    let features: { feature: string; why: string }[];
    /** Features whose hours were not judged: their traffic is on fewer than BATCH_MIN_DAYS days. */
    const fewDays: string[] = [];
    if (scope === "auto") {
      // An hour-of-day histogram per feature (at most 24 rows each); the window search runs on that.
      const hist = await db.all<{ feature: string; hr: number; n: string }>(
        "SELECT feature, hr, sum(n) AS n FROM sim WHERE NOT cache_hit AND NOT batch GROUP BY ALL ORDER BY 1, 2",
      );
      const days = new Map(
        (
          await db.all<{ feature: string; days: string }>("SELECT feature, count(DISTINCT ts) AS days FROM sim WHERE NOT cache_hit AND NOT batch GROUP BY 1")
        ).map((d) => [d.feature, Number(d.days)]),
      );
      const byFeature = new Map<string, number[]>();
      for (const h of hist) {
        const arr = byFeature.get(h.feature) ?? Array<number>(24).fill(0);
        arr[h.hr] = Number(h.n);
        byFeature.set(h.feature, arr);
      }
      features = [];
      for (const [feature, hours] of byFeature) {
        const meta = config.features[feature];
        if (meta?.realtime === true) continue;
        if (meta?.batchable === true) {
          features.push({ feature, why: "marked batchable in the config" });
          continue;
        }
        if ((days.get(feature) ?? 0) < BATCH_MIN_DAYS) {
          fewDays.push(feature);
          continue;
        }
        const w = dailyWindow(hours);
        if (w) {
          const hh = (x: number) => `${String(x % 24).padStart(2, "0")}:00`;
          features.push({
            feature,
            why: `runs ${hh(w.start)} to ${hh(w.start + w.length)} UTC only (${Math.round(w.share * 100)}% of requests), so it can be batched`,
          });
        }
      }
    } else {
      const rows = await db.all<{ feature: string }>(
        `SELECT DISTINCT feature FROM sim WHERE ${scopeSql(scope, "batch_features")} ORDER BY 1`,
        scopeParams(scope, "batch_features"),
      );
      if (scope !== "all") {
        // A listed feature without traffic is a typo or the wrong window: an error, never a silent $0.
        const all = (await db.all<{ feature: string }>("SELECT DISTINCT feature FROM sim ORDER BY 1")).map((r) => r.feature);
        for (const f of scope) checkFeature(f, all, "--batch", "in the simulated traffic");
      }
      features = rows.map((r) => ({ feature: r.feature, why: "listed with --batch" }));
    }
    const list = features.map((f) => f.feature);
    const n = await simCount(db, `NOT cache_hit AND NOT batch AND list_contains(${stringList("f")}, feature)`, { f: JSON.stringify(list) });
    const moves = `(NOT s.cache_hit AND NOT s.batch AND list_contains(${stringList("f")}, s.feature))`;
    await rewriteSim(db, { batch: `s.batch OR ${moves}`, service_tier: `CASE WHEN ${moves} THEN 'batch' ELSE s.service_tier END` }, "", {
      f: JSON.stringify(list),
    });
    const note =
      n > 0
        ? undefined
        : list.length
          ? `no request moved: the requests of ${list.join(", ")} are already batch or served from cache`
          : scope === "auto"
            ? `no feature qualifies: none is marked batchable in the config or runs ≥${BATCH_WINDOW_SHARE * 100}% inside a ≤${BATCH_WINDOW_HOURS}h daily window${few(fewDays)}`
            : "no feature to batch";
    return {
      affectedRequests: n,
      evidence: features.map((f) => ({ feature: f.feature, text: f.why })),
      details: { features: list.join(",") },
      ...(note ? { note } : {}),
    };
  },
};

/** The batch tactic on a scope of its own (a budget plan's batch move). */
export const batch = (scope: FeatureScope | "auto"): Tactic => instantiate(BATCH, { scope });

/** Why features on too few days were not judged, for the note. */
function few(features: readonly string[]): string {
  if (!features.length) return "";
  const who = features.length === 1 ? `${features[0]} runs on fewer` : `${features.length} features run on fewer`;
  return ` on at least ${BATCH_MIN_DAYS} days (${who}: a day or two of any traffic fits some window; mark batch jobs batchable in the config, or list them with --batch)`;
}

/** The shortest daily window (wrapping midnight, ≤ 6 hours) holding ≥ 90% of a feature's requests, if any. */
export function dailyWindow(hours: readonly number[]): { start: number; length: number; share: number } | null {
  const total = hours.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  for (let length = 1; length <= BATCH_WINDOW_HOURS; length++) {
    let best: { start: number; share: number } | null = null;
    for (let start = 0; start < 24; start++) {
      let n = 0;
      for (let k = 0; k < length; k++) n += hours[(start + k) % 24]!;
      if (n / total >= BATCH_WINDOW_SHARE && (!best || n / total > best.share)) best = { start, share: n / total };
    }
    if (best) return { start: best.start, length, share: best.share };
  }
  return null;
}
