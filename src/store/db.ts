import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from "@duckdb/node-api";
import { ExitError, usageError } from "../errors.js";
import { shadowUsageSql } from "./cost-mode.js";
import { SCHEMA_VERSION } from "./schema-version.js";
import { env, stderr } from "../io.js";

// require(), not import: importing this CommonJS package from an ES module makes Node lex every file it re-exports
// to find the names, about 60 ms of every command's start.
const duckdb = createRequire(import.meta.url)("@duckdb/node-api") as typeof import("@duckdb/node-api");
const { listValue } = duckdb;

export type Param = string | number | bigint | boolean | null;
/** Positional ($1…) or named ($name) parameters; string arrays bind as LIST(VARCHAR). */
export type Params = readonly Param[] | Readonly<Record<string, Param | readonly string[]>>;

/** Binds params; named ones the statement doesn't use are dropped (DuckDB rejects extras), so callers can share a set. */
function bind(sql: string, params: Params): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (Array.isArray(params)) return params.length ? (params as DuckDBValue[]) : undefined;
  const out: Record<string, DuckDBValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!new RegExp(`\\$${k}\\b`).test(sql)) continue;
    out[k] = Array.isArray(v) ? listValue(v as string[]) : (v as DuckDBValue);
  }
  return Object.keys(out).length ? out : undefined;
}
export type Row = Record<string, unknown>;

/**
 * LLMCOST_PROFILE=1 prints each statement's wall time to stderr, and the process's CPU time over it (every DuckDB
 * thread: on a shared machine the steadier figure). For benchmarking, not for users.
 */
const profile = () => env().LLMCOST_PROFILE === "1" || env().LLMCOST_PROFILE === "full";
const profileFull = () => env().LLMCOST_PROFILE === "full";
let cpu0 = process.cpuUsage();
const trace = (sql: string, t0: number) => {
  const c = process.cpuUsage(cpu0);
  cpu0 = process.cpuUsage();
  const s = (x: number) => x.toFixed(3);
  stderr(
    `[sql ${s((performance.now() - t0) / 1000)}s cpu ${s((c.user + c.system) / 1e6)}s] ${sql.replace(/\s+/g, " ").slice(0, profileFull() ? undefined : 100)}\n`,
  );
};

export interface DbOptions {
  readOnly: boolean;
  /** For --dry-run on a database that does not exist yet: work in memory, write nothing. */
  inMemoryIfMissing?: boolean;
}

/** A full disk, as Node (ENOSPC) or DuckDB ("No space left on device", "disk is full") reports it. */
export function isDiskFull(err: unknown): boolean {
  return (
    (err as NodeJS.ErrnoException | undefined)?.code === "ENOSPC" ||
    /No space left on device|disk is full|ENOSPC/i.test(err instanceof Error ? err.message : String(err))
  );
}

/** The DuckDB settings llmcost changes for a step (names from code only: never user input). */
export type Setting = "preserve_insertion_order" | "disabled_optimizers";

/** The one handle to DuckDB. Everything that touches SQL goes through here. */
export class Db {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  static async open(path: string, opts: DbOptions): Promise<Db> {
    const exists = existsSync(path);
    if (opts.readOnly && !exists) {
      throw usageError(`database not found: ${path}`, "run `llmcost ingest <files>` first, or pass --db PATH");
    }
    if (!exists && !opts.readOnly && !opts.inMemoryIfMissing) await Db.create(path);
    if (exists) notDuckDb(path);
    const target = !exists && opts.inMemoryIfMissing ? ":memory:" : path;
    let instance: DuckDBInstance;
    try {
      instance = await duckdb.DuckDBInstance.create(target, opts.readOnly ? { access_mode: "READ_ONLY" } : {});
    } catch (err) {
      throw translateOpenError(path, err);
    }
    const conn = await instance.connect();
    const db = new Db(path, instance, conn);
    // Bucketing and timestamp parsing must not depend on the machine's zone.
    await conn.run("SET TimeZone = 'UTC'");
    if (!opts.readOnly) {
      const pending = exists ? await db.pendingMigrations() : { count: 0, from: 0 };
      if (pending.count > 0 || (exists && (await db.formatStep()) !== null)) {
        await db.migrateBeside();
        // An upgrade is said (a type widened for a new adapter is not: nothing a user sees changes).
        if (pending.count > 0) stderr(`note: ${path}: upgraded from schema v${pending.from} to v${SCHEMA_VERSION}\n`);
        return Db.open(path, opts);
      }
      await db.migrate();
    } else {
      await db.checkSchema();
      // Reading commands answer in the --cost-mode asked for (ingest always stores both costs).
      await db.shadowCostMode();
    }
    return db;
  }

  /**
   * An in-memory database with llmcost's schema (every migration run): the staging database of an ingest into a lake,
   * and the catalog a lake's readers query (store/lake.ts). `tempDir` is where DuckDB spills when memory runs short.
   */
  static async memory(label: string, opts: { tempDir?: string } = {}): Promise<Db> {
    const instance = await duckdb.DuckDBInstance.create(":memory:", opts.tempDir ? { temp_directory: opts.tempDir } : {});
    const conn = await instance.connect();
    const db = new Db(label, instance, conn);
    await conn.run("SET TimeZone = 'UTC'");
    await db.migrate();
    return db;
  }

  /** For a reading command: shadows the usage view in the --cost-mode asked for (see cost-mode.ts). */
  async shadowCostMode(): Promise<void> {
    const cat = await this.one<{ d: string }>("SELECT current_database() AS d");
    const shadow = shadowUsageSql(cat!.d);
    if (shadow) await this.run(shadow);
  }

  /**
   * A new database is built beside its path, migrated and checkpointed, then linked into place: a kill during the
   * first ingest can leave no half-made file (DuckDB 1.5 cannot replay a WAL holding the migrations' type changes).
   * link() never replaces a file, so two processes creating one database at once cannot lose each other's work.
   */
  private static async create(path: string): Promise<void> {
    const dir = dirname(path);
    const prefix = `.${basename(path)}.creating-`;
    const tmp = join(dir, `${prefix}${process.pid}`);
    try {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: "ENOTDIR" });
      removeStale(dir, prefix);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        throw usageError(
          `cannot create the database ${path}: the directory ${dir} does not exist`,
          `create it first (mkdir -p ${dir}), or pass another --db PATH`,
        );
      }
      if (code === "ENOTDIR") throw usageError(`cannot create the database ${path}: ${dir} is not a directory`, "pass another --db PATH");
      throw translateOpenError(path, err);
    }
    if (!writeBlank(tmp)) {
      let instance: DuckDBInstance;
      try {
        instance = await duckdb.DuckDBInstance.create(tmp);
      } catch (err) {
        throw translateOpenError(path, err);
      }
      try {
        const conn = await instance.connect();
        const db = new Db(path, instance, conn);
        await db.migrate();
        conn.closeSync();
      } finally {
        instance.closeSync();
      }
      try {
        blank ??= readFileSync(tmp);
      } catch {
        // Only a saving for the next database of this process: it is migrated again.
      }
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw translateOpenError(path, err);
    } finally {
      rmSync(tmp, { force: true });
      rmSync(`${tmp}.wal`, { force: true });
    }
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }

  async run(sql: string, params: Params = []): Promise<void> {
    const t = profile() ? performance.now() : 0;
    if (profile()) cpu0 = process.cpuUsage();
    await this.conn.run(sql, bind(sql, params));
    if (profile()) trace(sql, t);
  }

  /** Rows as JSON-safe objects: BIGINT and DECIMAL arrive as strings, so money is never a float here. */
  async all<T extends Row = Row>(sql: string, params: Params = []): Promise<T[]> {
    const t = profile() ? performance.now() : 0;
    if (profile()) cpu0 = process.cpuUsage();
    const reader = await this.conn.runAndReadAll(sql, bind(sql, params));
    if (profile()) trace(sql, t);
    return reader.getRowObjectsJson() as T[];
  }

  async one<T extends Row = Row>(sql: string, params: Params = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /** Runs fn in a transaction. Any error rolls back: a COMMIT after a failed statement would silently roll back anyway. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.run("BEGIN TRANSACTION");
    try {
      const result = await fn();
      await this.conn.run("COMMIT");
      return result;
    } catch (err) {
      await this.conn.run("ROLLBACK").catch(() => undefined);
      // Not the input's fault: the database's disk (at any step, the commit included). Nothing of it was kept.
      if (!(err instanceof ExitError) && isDiskFull(err)) {
        throw usageError(
          `the disk holding ${this.path} is full; nothing was written to the database`,
          "free some space (or use another --db) and run the command again",
        );
      }
      throw err;
    }
  }

  /** The migrations this database has run; refuses a database llmcost did not make, or one from a newer llmcost. */
  private async appliedMigrations(): Promise<Set<number>> {
    const tables = await this.all<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main'",
    );
    if (tables.length > 0 && !tables.some((t) => t.name === "schema_migrations")) {
      throw usageError(
        `${this.path} is a DuckDB database that llmcost did not create; llmcost leaves it as it is`,
        "pass another --db PATH for llmcost's own database",
      );
    }
    if (tables.length === 0) return new Set();
    const done = new Set((await this.all<{ version: string }>("SELECT version FROM schema_migrations")).map((r) => Number(r.version)));
    this.refuseNewer(Math.max(0, ...done));
    return done;
  }

  /** How many migrations this database lacks, and the version it is at. */
  private async pendingMigrations(): Promise<{ count: number; from: number }> {
    const done = await this.appliedMigrations();
    const { MIGRATIONS } = await import("./schema.js");
    return { count: MIGRATIONS.filter((m) => !done.has(m.version)).length, from: Math.max(0, ...done) };
  }

  /**
   * An existing database is migrated in a copy beside it, checkpointed, then renamed over it: a kill part way through
   * leaves the old file as it was (in place, DuckDB 1.5 could not replay a WAL holding the migrations' type changes,
   * and the file no longer opened). This handle keeps the file locked meanwhile and is closed at the end.
   */
  private async migrateBeside(): Promise<void> {
    const dir = dirname(this.path);
    const prefix = `.${basename(this.path)}.migrating-`;
    removeStale(dir, prefix);
    const tmp = join(dir, `${prefix}${process.pid}`);
    try {
      await this.conn.run("CHECKPOINT");
      copyFileSync(this.path, tmp);
      const instance = await duckdb.DuckDBInstance.create(tmp);
      try {
        const conn = await instance.connect();
        await new Db(this.path, instance, conn).migrate();
        conn.closeSync();
      } finally {
        instance.closeSync();
      }
      renameSync(tmp, this.path);
    } catch (err) {
      throw err instanceof ExitError ? err : translateOpenError(this.path, err);
    } finally {
      rmSync(tmp, { force: true });
      rmSync(`${tmp}.wal`, { force: true });
      this.close();
    }
  }

  /**
   * Runs `fn` with DuckDB settings changed, and puts back what they were afterwards, on success or error alike (a
   * setting left behind would change every later statement of the connection).
   */
  async withSettings<T>(settings: Readonly<Partial<Record<Setting, string | boolean>>>, fn: () => Promise<T>): Promise<T> {
    const names = Object.keys(settings) as Setting[];
    const before: string[] = [];
    for (const n of names) before.push((await this.one<{ v: string }>(`SELECT current_setting('${n}')::VARCHAR AS v`))?.v ?? "");
    const literal = (v: string | boolean) => (typeof v === "boolean" ? String(v) : `'${v.replaceAll("'", "''")}'`);
    for (const n of names) await this.run(`SET ${n} = ${literal(settings[n]!)}`);
    try {
      return await fn();
    } finally {
      for (const [i, n] of names.entries()) await this.run(`SET ${n} = ${literal(before[i]!)}`).catch(() => undefined);
    }
  }

  private async migrate(): Promise<void> {
    const done = await this.appliedMigrations();
    await this.conn.run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)");
    // Every pending migration in one transaction: a database is at its old version or the latest, never between (and a
    // new one is made in one commit instead of one per migration). The migrations' SQL is built only for a writer.
    const { MIGRATIONS } = await import("./schema.js");
    const pending = MIGRATIONS.filter((m) => !done.has(m.version));
    const ran = pending.length > 0;
    if (ran) {
      await this.transaction(async () => {
        for (const m of pending) await this.conn.run(m.sql);
        await this.run("INSERT INTO schema_migrations SELECT unnest($v::INTEGER[]), now()::TIMESTAMP", { v: pending.map((m) => String(m.version)) });
      });
    }
    const step = await this.formatStep();
    if (step !== null) await this.transaction(() => this.conn.run(step).then(() => undefined));
    // Out of the WAL at once: a kill before the next checkpoint must not leave type changes to replay.
    if (ran || step !== null) await this.conn.run("CHECKPOINT");
  }

  /** The generated step that adds the registered adapters' names missing from the source_format type, or null. */
  private async formatStep(): Promise<string | null> {
    const r = await this.one<{ v: string[] }>("SELECT enum_range(NULL::source_format)::VARCHAR[] AS v");
    const [{ sourceFormatStep }, { ADAPTERS }] = await Promise.all([import("./schema.js"), import("../sources/index.js")]);
    return sourceFormatStep(
      r?.v ?? [],
      ADAPTERS.map((a) => a.name),
    );
  }

  private refuseNewer(version: number): void {
    const latest = SCHEMA_VERSION;
    if (version > latest) {
      throw usageError(
        `${this.path} was written by a newer llmcost (schema v${version}; this one knows up to v${latest}); nothing was read or changed`,
        "upgrade llmcost to read it",
      );
    }
  }

  private async checkSchema(): Promise<void> {
    const row = await this.one<{ v: string | null }>("SELECT max(version) AS v FROM schema_migrations").catch(() => undefined);
    const latest = SCHEMA_VERSION;
    if (!row || row.v === null) {
      throw usageError(`${this.path} is not an llmcost database`, "run `llmcost ingest <files>` to create one");
    }
    this.refuseNewer(Number(row.v));
    if (Number(row.v) < latest) {
      throw usageError(`${this.path} uses an older schema (v${row.v}, current v${latest})`, "run any `llmcost ingest` to migrate it");
    }
  }
}

function translateOpenError(path: string, err: unknown): ExitError {
  const msg = err instanceof Error ? err.message : String(err);
  const pid = /PID (\d+)/i.exec(msg)?.[1];
  if (/could not set lock|conflicting lock/i.test(msg)) {
    return usageError(`database is in use by another llmcost process (pid ${pid ?? "unknown"}): ${path}`, "wait for it to finish, or use another --db");
  }
  if (/not a valid DuckDB database|Failure while replaying WAL|INTERNAL Error|Corrupt/i.test(msg)) {
    return usageError(`${path} is damaged or not a DuckDB database; llmcost left it as it is`, "restore it from a copy, or pass another --db PATH");
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (isDiskFull(err)) {
    return usageError(`the disk holding ${path} is full; the database was left as it was`, "free some space and run the command again");
  }
  if (code === "EACCES" || code === "EPERM" || /Permission denied|Read-only file system/i.test(msg)) {
    return usageError(`cannot write the database ${path}: permission denied (or a read-only file system)`, "pass --db with a path you can write");
  }
  return usageError(`cannot open database ${path}: ${firstLine(msg).replace(/^[A-Za-z ]+Error: /, "")}`);
}

/**
 * A new database as this process made its first one: every migration run and checkpointed, no rows. A process that
 * creates several databases (the in-process tests make hundreds) writes these bytes instead of migrating again (about
 * 0.1 s each); one created once per process, as by the CLI, is made as before.
 */
let blank: Buffer | undefined;

/** Writes the blank database to `tmp`; false when there is none yet, or the write failed (the slow path says why). */
function writeBlank(tmp: string): boolean {
  if (!blank) return false;
  try {
    writeFileSync(tmp, blank);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

/** A DuckDB file says DUCK at byte 8. Anything else (an export passed as --db) is named for what it is. */
function notDuckDb(path: string): void {
  let head: Buffer;
  try {
    if (statSync(path).isDirectory()) throw usageError(`--db ${path} is a directory`, "pass a database file path, such as llmcost.duckdb");
    const fd = openSync(path, "r");
    head = Buffer.alloc(12);
    const n = readSync(fd, head, 0, 12, 0);
    closeSync(fd);
    if (n === 0) return;
  } catch (err) {
    if (err instanceof ExitError) throw err;
    throw usageError(`cannot read the database ${path}: permission denied`);
  }
  if (head.subarray(8, 12).toString("latin1") !== "DUCK") {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the printable-text test names the allowed bytes, tab, LF and CR among them
    const text = /^[\x09\x0a\x0d\x20-\x7e\xef\xbb\xbf]+$/.test(head.toString("latin1"));
    throw usageError(
      `${path} is not a DuckDB database${text ? " (it looks like a text file: an export or a log?)" : ""}`,
      text ? `to load it: llmcost ingest ${path}` : "pass --db with llmcost's database file",
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function firstLine(s: string): string {
  return s.split("\n")[0]?.trim() ?? s;
}

/** What a killed llmcost left behind (a `PREFIX<pid>` copy whose process is gone) goes. */
function removeStale(dir: string, prefix: string): void {
  for (const f of readdirSync(dir)) {
    const pid = f.startsWith(prefix) ? Number.parseInt(f.slice(prefix.length), 10) : NaN;
    if (Number.isInteger(pid) && (pid === process.pid || !alive(pid))) {
      rmSync(join(dir, f), { force: true });
      rmSync(join(dir, `${f}.wal`), { force: true });
    }
  }
}
