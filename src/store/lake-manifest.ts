import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { usageError } from "../errors.js";
import { MIGRATIONS } from "./schema.js";

/**
 * A lake (`--lake DIR`) is the canonical tables as hive-partitioned Parquet plus one JSON manifest per ingest:
 *
 *   DIR/usage_wide/day=YYYY-MM-DD/source=FORMAT/ingest=UUID/data_N.parquet   (likewise usage_lean, billed_cost)
 *   DIR/_deletes/ingest=UUID/TABLE.parquet    (replaced_ingest, row_key): earlier rows this ingest replaced
 *   DIR/_manifests/UUID.json                   the commit: written last, to a temporary name, then renamed
 *
 * A file no committed manifest lists does not exist for a reader (an ingest that crashed before its manifest).
 * The README's "Lake" section is the user-facing description; this module is its one reader.
 */
export const LAKE_VERSION = 1;
export const LAKE_TABLES = ["usage_wide", "usage_lean", "billed_cost"] as const;
export type LakeTable = (typeof LAKE_TABLES)[number];
/** The tables whose rows have a row_key: a later export's buckets can replace theirs (tombstones in _deletes/). */
export const KEYED_TABLES = ["usage_wide", "billed_cost"] as const;
export type KeyedTable = (typeof KEYED_TABLES)[number];

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Paths in a manifest are relative to the lake, in the layout above: nothing else is read, nothing outside DIR. */
const REL_PATH = /^(usage_wide|usage_lean|billed_cost|_deletes)(\/[A-Za-z0-9_=.:-]+)+\.parquet$/;

const uuid = z.string().regex(UUID_RE, "not a UUID");
const relPath = z
  .string()
  .regex(REL_PATH, "not a path inside the lake")
  .refine((p) => !p.split("/").includes(".."), "not a path inside the lake");
const count = z.number().int().nonnegative();

export const ManifestSchema = z.object({
  lake: z.literal(LAKE_VERSION),
  /** llmcost's schema version (store/schema.ts) of the files' columns. */
  schemaVersion: z.number().int().positive(),
  ingest: uuid,
  committedAt: z.string().datetime(),
  source: z.object({
    path: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: count,
    format: z.string(),
    kind: z.string(),
  }),
  record: z.object({
    rowsRead: count,
    rowsInserted: count,
    rowsSkipped: count,
    rowsReplaced: count,
    minTs: z.string().nullable(),
    maxTs: z.string().nullable(),
    ingestedAt: z.string(),
    cacheDeny: z.string().nullable(),
  }),
  /** The price tables the files' cost_usd was computed with. */
  pricingSha256: z.string(),
  models: z.array(z.string()),
  /** Earlier ingests this one replaced whole (--replace): readers drop their files. */
  supersedes: z.array(uuid),
  files: z.array(z.object({ table: z.enum(LAKE_TABLES), path: relPath, rows: count })),
  deletes: z.array(z.object({ table: z.enum(KEYED_TABLES), path: relPath, rows: count })),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export interface LakeState {
  dir: string;
  /** Every committed manifest, in commit order (committedAt, then ingest id). */
  manifests: Manifest[];
  /** ingest_id of each manifest: its 1-based position in commit order. */
  ids: Map<string, number>;
  /** The ingests whose rows readers see: not superseded, and the first of those with the same sha256. */
  effective: Manifest[];
}

export const manifestsDir = (dir: string): string => join(dir, "_manifests");

/** The lake's committed state, or null when DIR holds no lake yet (no _manifests/ directory). */
export function readLake(dir: string): LakeState | null {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw usageError(`--lake ${dir} is a file, not a directory`, "pass a directory for the lake (it is created on first ingest)");
  const mdir = manifestsDir(dir);
  if (!existsSync(mdir)) return null;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  const manifests = readdirSync(mdir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("."))
    .map((f) => {
      const where = join(mdir, f);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(where, "utf8"));
      } catch (err) {
        throw usageError(
          `${where}: not a lake manifest (${err instanceof Error ? err.message : String(err)})`,
          "a manifest is only ever renamed into place whole; restore it, or move it out of _manifests/",
        );
      }
      if (raw !== null && typeof raw === "object" && "lake" in raw && typeof raw.lake === "number" && raw.lake > LAKE_VERSION) {
        throw usageError(
          `${where} was written by a newer llmcost (lake format v${raw.lake}; this one reads v${LAKE_VERSION}); nothing was read or changed`,
          "upgrade llmcost to read this lake",
        );
      }
      const parsed = ManifestSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw usageError(
          `${where}: not a lake manifest (${issue?.path.join(".") || "root"}: ${issue?.message})`,
          "move it out of _manifests/ if it is not llmcost's",
        );
      }
      if (parsed.data.schemaVersion > latest) {
        throw usageError(
          `${where} was written by a newer llmcost (schema v${parsed.data.schemaVersion}; this one knows up to v${latest}); nothing was read or changed`,
          "upgrade llmcost to read this lake",
        );
      }
      if (`${parsed.data.ingest}.json` !== f) throw usageError(`${where}: its ingest id ${parsed.data.ingest} is not its file name`);
      return parsed.data;
    })
    .sort((a, b) => (a.committedAt < b.committedAt ? -1 : a.committedAt > b.committedAt ? 1 : a.ingest < b.ingest ? -1 : a.ingest > b.ingest ? 1 : 0));
  return resolve(dir, manifests);
}

/**
 * Which ingests count. A superseded ingest (--replace) is out. Of ingests with the same content (sha256), the first
 * committed counts: two processes that ingest one file at the same moment both commit, and readers keep one.
 */
export function resolve(dir: string, manifests: Manifest[]): LakeState {
  const ids = new Map(manifests.map((m, i) => [m.ingest, i + 1]));
  const superseded = new Set(manifests.flatMap((m) => m.supersedes));
  const seen = new Set<string>();
  const effective = manifests.filter((m) => {
    if (superseded.has(m.ingest) || seen.has(m.source.sha256)) return false;
    seen.add(m.source.sha256);
    return true;
  });
  return { dir, manifests, ids, effective };
}

export const emptyLake = (dir: string): LakeState => resolve(dir, []);
