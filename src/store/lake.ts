import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { usageError } from "../errors.js";
import { Db, isDiskFull } from "./db.js";
import {
  emptyLake,
  KEYED_TABLES,
  type KeyedTable,
  LAKE_TABLES,
  LAKE_VERSION,
  type LakeState,
  type Manifest,
  manifestsDir,
  readLake,
  UUID_RE,
} from "./lake-manifest.js";
import { LakeRows } from "./lake-rows.js";
import { MIGRATIONS } from "./schema.js";

/**
 * `--lake DIR`: the canonical tables as Parquet files (layout in lake-manifest.ts and the README's "Lake" section).
 * Readers get an in-memory DuckDB whose usage_wide, usage_lean and billed_cost are views over the files that
 * committed manifests list, and whose ingests, model_names and meta come from the manifests: the read code queries
 * the same names as in a database file, unchanged. An ingest runs the usual pipeline against an in-memory staging
 * database (LakeStage), then writes the new rows as files and its manifest last: no lock, so any number of processes
 * or machines can ingest into one lake at once.
 */

/** The tables a lake provides; any other table a migration makes (a rollup) is not in a lake, and is dropped. */
const LAKE_CATALOG = new Set<string>([...LAKE_TABLES, "ingests", "meta", "model_names", "schema_migrations"]);

/** ENUM columns are plain strings in Parquet: cast back to the schema's named types, so they sort and compare alike. */
const ENUM_TYPES: Readonly<Record<string, string>> = {
  "usage_wide.source_kind": "source_kind",
  "usage_wide.source_format": "source_format",
  "usage_lean.provider": "lean_provider",
};

/** A file path as an SQL string literal (COPY … TO takes no parameter). */
const literal = (p: string): string => {
  if (p.includes("\0")) throw usageError("the lake path contains a NUL byte");
  return `'${p.replaceAll("'", "''")}'`;
};

const HIVE = "hive_partitioning = true, hive_types = {'day': DATE, 'source': VARCHAR, 'ingest': VARCHAR}, union_by_name = true";

/** Opens a lake for a reading command. A lake with no manifests yet is exit 2, as a missing database is. */
export async function openLake(dir: string): Promise<Db> {
  const state = readLake(dir);
  if (state === null)
    throw usageError(`no lake at ${dir} (no _manifests/ directory)`, "run `llmcost ingest --lake DIR <files>` first, or pass --lake with the lake's directory");
  const db = await Db.memory(dir);
  try {
    await installLake(db, state, "");
    const shas = new Set(state.effective.map((m) => m.pricingSha256));
    // Stored costs stand only when every ingest priced with the same tables; otherwise readers price on the fly.
    if (shas.size === 1) await db.run("INSERT OR REPLACE INTO meta VALUES ('pricing_sha256', $1)", [[...shas][0]!]);
    for (const t of await db.all<{ name: string }>("SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary")) {
      if (!LAKE_CATALOG.has(t.name)) await db.run(`DROP TABLE main."${t.name.replaceAll('"', '""')}"`);
    }
    await db.shadowCostMode();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Makes the lake's rows visible in `db`: with prefix "" the tables of the schema are replaced by views of the same
 * names (a reader); with "lake_" views beside them (staging), which also give each row's day partition and ingest
 * (lake_day, lake_ingest: a filter on them skips the other files). Fills ingests and model_names from the manifests.
 * A row's ingest_id is its manifest's position in commit order; its rowid is unique per file list.
 */
async function installLake(db: Db, state: LakeState, prefix: "" | "lake_"): Promise<void> {
  const deletes = state.manifests.flatMap((m) => m.deletes);
  // Staging filters on the partitions, and DuckDB numbers the files it reads after pruning (file_index): its views
  // take a row's ingest_id from its ingest partition instead, joined to the manifests' numbers.
  if (prefix) {
    await db.run(
      'CREATE OR REPLACE TEMP TABLE lake_ingest_ids AS SELECT * FROM (SELECT unnest(json_transform($rows::JSON, \'[{"ingest":"VARCHAR","ingest_id":"INTEGER"}]\'), recursive := true))',
      {
        rows: JSON.stringify([...state.ids].map(([ingest, ingest_id]) => ({ ingest, ingest_id }))),
      },
    );
  }
  for (const table of LAKE_TABLES) {
    const files = state.effective.flatMap((m) =>
      m.files.filter((f) => f.table === table).map((f) => ({ path: join(state.dir, f.path), id: state.ids.get(m.ingest)! })),
    );
    if (files.length === 0) {
      if (prefix)
        await db.run(
          `CREATE OR REPLACE TEMP VIEW ${prefix}${table} AS SELECT *, rowid, NULL::DATE AS lake_day, NULL::VARCHAR AS lake_ingest FROM ${table} WHERE false`,
        );
      continue;
    }
    await db.run(`SET VARIABLE lake_files_${table} = $files`, { files: files.map((f) => f.path) });
    await db.run(`SET VARIABLE lake_ids_${table} = $ids::INTEGER[]`, { ids: JSON.stringify(files.map((f) => f.id)) });
    const target = await db.all<{ name: string; type: string }>(
      "SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $1 ORDER BY column_index",
      [table],
    );
    const present = new Set(
      (await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(getvariable('lake_files_${table}'), ${HIVE})`)).map((r) => r.column_name),
    );
    const cols = target.map(({ name, type }) => {
      const q = `"${name.replaceAll('"', '""')}"`;
      if (name === "ingest_id") return prefix ? "i.ingest_id" : `getvariable('lake_ids_${table}')[f.file_index::BIGINT + 1]::INTEGER AS ingest_id`;
      const t = ENUM_TYPES[`${table}.${name}`] ?? type;
      return present.has(name) ? `CAST(f.${q} AS ${t}) AS ${q}` : `NULL::${t} AS ${q}`;
    });
    const dels = (KEYED_TABLES as readonly string[]).includes(table) ? deletes.filter((d) => d.table === table).map((d) => join(state.dir, d.path)) : [];
    if (dels.length) await db.run(`SET VARIABLE lake_deletes_${table} = $files`, { files: dels });
    const from = `(SELECT *, file_index, file_row_number FROM read_parquet(getvariable('lake_files_${table}'), ${HIVE})) f${
      prefix ? " JOIN lake_ingest_ids i ON i.ingest = f.ingest" : ""
    }${
      dels.length
        ? ` ANTI JOIN read_parquet(getvariable('lake_deletes_${table}'), hive_partitioning = false) d ON d.replaced_ingest = f.ingest AND d.row_key = f.row_key`
        : ""
    }`;
    const partitions = prefix ? ", f.day AS lake_day, f.ingest AS lake_ingest" : "";
    const view = `SELECT ${cols.join(", ")}, (f.file_index::BIGINT << 32) | f.file_row_number::BIGINT AS rowid${partitions} FROM ${from}`;
    if (prefix) await db.run(`CREATE OR REPLACE TEMP VIEW ${prefix}${table} AS ${view}`);
    else {
      await db.run(`DROP TABLE ${table}`);
      await db.run(`CREATE VIEW ${table} AS ${view}`);
    }
  }
  const ingests = state.effective.map((m) => ({
    ingest_id: state.ids.get(m.ingest)!,
    file_path: m.source.path,
    file_sha256: m.source.sha256,
    file_bytes: m.source.bytes,
    source_format: m.source.format,
    source_kind: m.source.kind,
    rows_read: m.record.rowsRead,
    rows_inserted: m.record.rowsInserted,
    rows_skipped: m.record.rowsSkipped,
    rows_replaced: m.record.rowsReplaced,
    min_ts: m.record.minTs,
    max_ts: m.record.maxTs,
    ingested_at: m.record.ingestedAt,
    cache_deny: m.record.cacheDeny,
  }));
  if (ingests.length) {
    await db.run(
      `INSERT INTO ingests BY NAME SELECT * FROM (SELECT unnest(json_transform($rows::JSON, '[{"ingest_id":"INTEGER","file_path":"VARCHAR","file_sha256":"VARCHAR",
         "file_bytes":"BIGINT","source_format":"VARCHAR","source_kind":"VARCHAR","rows_read":"BIGINT","rows_inserted":"BIGINT","rows_skipped":"BIGINT",
         "rows_replaced":"BIGINT","min_ts":"TIMESTAMP","max_ts":"TIMESTAMP","ingested_at":"TIMESTAMP","cache_deny":"VARCHAR"}]'), recursive := true))`,
      { rows: JSON.stringify(ingests) },
    );
  }
  const models = [...new Set(state.effective.flatMap((m) => m.models))];
  if (models.length) await db.run("INSERT OR IGNORE INTO model_names SELECT unnest($names::VARCHAR[])", { names: JSON.stringify(models) });
}

/**
 * An ingest into a lake: a staging database holding the lake's ingests (the ledger) and, of its rows, what the
 * pipeline's checks read for the files of this run, copied when a check asks (`rows`, lake-rows.ts): provider-export
 * rows, which have row keys, and the request ids of request logs, of the days each check reads. So the same code
 * answers "already ingested", --replace, bucket overlap and request-id dedupe. After each file's transaction,
 * commit() writes what changed: the new rows as files, the earlier rows it replaced as tombstones, the ingests it
 * superseded, and its manifest last.
 */
export class LakeStage {
  private constructor(
    readonly dir: string,
    readonly db: Db,
    /** The hook the pipeline's checks call for the lake's rows they read (store/lake-rows.ts). */
    readonly rows: LakeRows,
    private readonly tmp: string,
    private readonly uuids: Map<number, string>,
    private prior: Set<number>,
    private readonly pricingSha: string,
  ) {}

  static async open(dir: string, pricingSha: string): Promise<LakeStage> {
    const state = readLake(dir) ?? emptyLake(dir);
    const tmp = mkdtempSync(join(tmpdir(), "llmcost-lake-"));
    const db = await Db.memory(dir, { tempDir: tmp });
    try {
      await installLake(db, state, "lake_");
      // The lake's files keep the costs they were priced with: staging never reprices them (readers do, on the fly).
      await db.run("INSERT OR REPLACE INTO meta VALUES ('pricing_sha256', $1)", [pricingSha]);
      const stage = new LakeStage(dir, db, await LakeRows.create(db, state), tmp, new Map([...state.ids].map(([u, id]) => [id, u])), new Set(), pricingSha);
      await stage.snapshot();
      return stage;
    } catch (err) {
      db.close();
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  close(): void {
    this.db.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }

  /** What staging holds before the next file: the lake's ingests, and the keys of the rows a file may replace. */
  private async snapshot(): Promise<void> {
    this.prior = new Set((await this.db.all<{ id: string }>("SELECT ingest_id AS id FROM ingests")).map((r) => Number(r.id)));
    await this.db.run(`CREATE OR REPLACE TEMP TABLE lake_prior AS
      SELECT DISTINCT 'usage_wide' AS tbl, ingest_id, row_key FROM usage_wide WHERE row_key IS NOT NULL
      UNION ALL SELECT DISTINCT 'billed_cost', ingest_id, row_key FROM billed_cost WHERE row_key IS NOT NULL`);
  }

  /**
   * Writes staged ingest `id` to the lake; returns its ingest id as readers number it. Files first, under a name
   * of their own (ingest=UUID), then the manifest, renamed into place: until then, readers see none of it.
   */
  async commit(id: number, models: readonly string[]): Promise<number> {
    if (!Number.isInteger(id)) throw new Error(`lake commit: bad ingest id ${id}`);
    const uuid = randomUUID();
    const db = this.db;
    const rec = await db.one<Record<string, string | null>>(
      `SELECT file_path, file_sha256, file_bytes, source_format, source_kind, rows_read, rows_inserted, rows_skipped, rows_replaced,
         strftime(min_ts, '%Y-%m-%d %H:%M:%S.%f') AS min_ts, strftime(max_ts, '%Y-%m-%d %H:%M:%S.%f') AS max_ts,
         strftime(ingested_at, '%Y-%m-%d %H:%M:%S.%f') AS ingested_at, cache_deny FROM ingests WHERE ingest_id = $1`,
      [id],
    );
    if (!rec) throw new Error(`lake commit: ingest ${id} is not staged`);
    const now = new Set((await db.all<{ id: string }>("SELECT ingest_id AS id FROM ingests")).map((r) => Number(r.id)));
    // A prior ingest gone from the ledger was replaced whole (--replace); the new ingest may reuse its number.
    const superseded = [...this.prior].filter((p) => !now.has(p) || p === id);
    const staging = join(this.dir, "_staging", uuid);
    mkdirSync(staging, { recursive: true });
    const files: Manifest["files"] = [];
    const deletes: Manifest["deletes"] = [];
    try {
      for (const table of LAKE_TABLES) {
        const n = Number((await db.one<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ingest_id = $1`, [id]))?.n ?? 0);
        if (n === 0) continue;
        const partitions =
          table === "billed_cost"
            ? "source_format::VARCHAR AS source"
            : `ts::DATE AS day, ${table === "usage_lean" ? "'request-log-csv'" : "source_format::VARCHAR"} AS source`;
        const out = join(staging, table);
        await db.run(
          `COPY (SELECT * EXCLUDE (ingest_id), ${partitions} FROM ${table} WHERE ingest_id = ${id}) TO ${literal(out)}
           (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day, source), FILENAME_PATTERN 'data_{i}')`,
        );
        for (const f of walk(out)) {
          const rel = relative(out, f).split(sep); // day=…, source=…, data_N.parquet
          const dest = join(this.dir, table, ...rel.slice(0, -1), `ingest=${uuid}`);
          mkdirSync(dest, { recursive: true });
          renameSync(f, join(dest, rel[rel.length - 1]!));
          files.push({ table, path: [table, ...rel.slice(0, -1), `ingest=${uuid}`, rel[rel.length - 1]!].join("/"), rows: 0 });
        }
      }
      if (files.length) {
        await db.run("SET VARIABLE lake_new = $files", { files: files.map((f) => join(this.dir, f.path)) });
        const counts = await db.all<{ i: string; n: string }>("SELECT file_index AS i, count(*) AS n FROM read_parquet(getvariable('lake_new')) GROUP BY 1");
        for (const c of counts) files[Number(c.i)]!.rows = Number(c.n);
      }
      // Earlier rows the bucket-overlap checks removed in staging: tombstones, by (ingest, row_key).
      await db.run(
        'CREATE OR REPLACE TEMP TABLE lake_uuid AS SELECT * FROM (SELECT unnest(json_transform($rows::JSON, \'[{"ingest_id":"INTEGER","ingest":"VARCHAR"}]\'), recursive := true))',
        {
          rows: JSON.stringify([...this.uuids].map(([ingest_id, ingest]) => ({ ingest_id, ingest }))),
        },
      );
      for (const table of KEYED_TABLES) {
        const gone = `SELECT u.ingest AS replaced_ingest, p.row_key FROM lake_prior p JOIN lake_uuid u USING (ingest_id)
          WHERE p.tbl = '${table}' AND list_contains($superseded::INTEGER[], p.ingest_id) = false
            AND NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.ingest_id = p.ingest_id AND t.row_key = p.row_key)`;
        const sup = { superseded: JSON.stringify(superseded) };
        const n = Number((await db.one<{ n: string }>(`SELECT count(*) AS n FROM (${gone})`, sup))?.n ?? 0);
        if (n === 0) continue;
        const out = join(staging, `${table}.deletes.parquet`);
        await db.run(`CREATE OR REPLACE TEMP TABLE lake_gone AS ${gone} ORDER BY 1, 2`, sup);
        await db.run(`COPY lake_gone TO ${literal(out)} (FORMAT parquet, COMPRESSION zstd)`);
        mkdirSync(join(this.dir, "_deletes", `ingest=${uuid}`), { recursive: true });
        const path = `_deletes/ingest=${uuid}/${table}.parquet`;
        renameSync(out, join(this.dir, path));
        deletes.push({ table: table as KeyedTable, path, rows: n });
      }
      const manifest: Manifest = {
        lake: LAKE_VERSION,
        schemaVersion: MIGRATIONS[MIGRATIONS.length - 1]!.version,
        ingest: uuid,
        committedAt: new Date().toISOString(),
        source: { path: rec.file_path!, sha256: rec.file_sha256!, bytes: Number(rec.file_bytes), format: rec.source_format!, kind: rec.source_kind! },
        record: {
          rowsRead: Number(rec.rows_read),
          rowsInserted: Number(rec.rows_inserted),
          rowsSkipped: Number(rec.rows_skipped),
          rowsReplaced: Number(rec.rows_replaced),
          minTs: rec.min_ts ?? null,
          maxTs: rec.max_ts ?? null,
          ingestedAt: rec.ingested_at!,
          cacheDeny: rec.cache_deny ?? null,
        },
        pricingSha256: this.pricingSha,
        models: [...models],
        supersedes: superseded.map((s) => this.uuids.get(s)!).filter((u) => u !== undefined && UUID_RE.test(u)),
        files,
        deletes,
      };
      // On disk before the manifest that makes them visible (a power cut must not leave a manifest of cut files).
      for (const f of [...files, ...deletes]) flush(join(this.dir, f.path));
      writeManifest(this.dir, manifest);
    } catch (err) {
      throw diskError(this.dir, err);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    this.uuids.set(id, uuid);
    this.rows.numbered(id);
    await this.snapshot();
    // Readers number ingests by commit order: this one's position now (a concurrent commit may still land before it).
    return readLake(this.dir)?.ids.get(uuid) ?? id;
  }
}

/** The commit point: the manifest is written in full under a hidden name, flushed, then renamed into place. */
function writeManifest(dir: string, m: Manifest): void {
  const mdir = manifestsDir(dir);
  mkdirSync(mdir, { recursive: true });
  const tmp = join(mdir, `.${m.ingest}.json.tmp`);
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(m, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(mdir, `${m.ingest}.json`));
}

function flush(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".parquet") ? [join(dir, e.name)] : []));
}

function diskError(dir: string, err: unknown): unknown {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (isDiskFull(err)) return usageError(`the disk holding the lake ${dir} is full; this file's ingest was not committed`, "free space and ingest it again");
  if (code === "EACCES" || code === "EPERM" || code === "EROFS" || /Permission denied|Read-only file system/i.test(msg)) {
    return usageError(
      `cannot write the lake ${dir}: permission denied (or a read-only file system); nothing was committed`,
      "pass --lake with a directory you can write",
    );
  }
  return err;
}
