import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { main } from "../src/cli.js";
import { captureIo } from "../src/io.js";
import { BILLED_SPECS, type BilledName, usageSpec, type ViewColumn } from "../src/store/columns.js";
import { MIGRATIONS } from "../src/store/schema.js";

/** The repository root (tests run from dist/test/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FIXTURES = join(ROOT, "fixtures");
const GOLDEN = join(ROOT, "test", "golden");
const BIN = join(ROOT, "bin", "llmcost.js");

/**
 * The full tier: tests that are slow by nature (the fuzzer, kill -9 at every step, many processes at once, millions
 * of rows, the packed tarball, sweeps of every report from two sources). `npm run test:all` runs them, and so does CI
 * (.ci/run); `npm test`, the quick loop, lists them as skipped with this reason. Pass as a test's options.
 */
export const FULL_TIER = process.env.LLMCOST_TEST_ALL === "1" ? {} : { skip: "full tier only: npm run test:all (CI runs it)" };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  /** In-process only: stdout is a terminal of this many columns (stderr stays a pipe). */
  tty?: { columns: number };
}

/** What every run sees: a fixed clock, UTC and no colour. */
const baseEnv = (extra: Record<string, string> | undefined): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  TZ: "UTC",
  NO_COLOR: "1",
  LLMCOST_NOW: "2026-11-24T12:00:00Z",
  ...extra,
});

// The in-process runs share this process's clock zone: the same UTC the spawned ones get.
process.env.TZ = "UTC";

/** Variables the CLI does not read from its `io.env` but from the process (Node's os.tmpdir(), the clock zone). */
const PROCESS_WIDE = ["TMPDIR", "TMP", "TEMP", "TZ"];

/**
 * Runs the CLI in this process (`main(argv, io)`, stdout, stderr and stdin captured, the environment passed in,
 * `cwd` applied for the call and restored after), as a user would see it: a fixed clock, UTC and no colour. For what
 * needs a real process (signals, a real stdin pipe, a TTY, EPIPE, os.tmpdir()), use `cliProcess`.
 */
export async function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  for (const k of PROCESS_WIDE) {
    if (opts.env?.[k] !== undefined && !(k === "TZ" && opts.env[k] === "UTC")) throw new Error(`cli(): ${k} is process-wide; use cliProcess()`);
  }
  const io = captureIo({ env: baseEnv(opts.env), input: opts.input, ...(opts.tty ? { tty: opts.tty } : {}) });
  const before = process.cwd();
  process.chdir(opts.cwd ?? ROOT);
  try {
    const code = await main(["node", "llmcost", ...args], io);
    return { code, stdout: io.out(), stderr: io.err() };
  } finally {
    process.chdir(before);
  }
}

/** Runs the built CLI (bin/llmcost.js) in a child process, the way a user would. */
export function cliProcess(args: string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input, encoding: "utf8", env: baseEnv(opts.env) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), "llmcost-test-"));
}

/** A digest of everything an ingest of the demo depends on: the built code, the price tables, DuckDB, the fixture. */
function demoKey(): string {
  const hash = createHash("sha256");
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".js") || e.name.endsWith(".json") ? [join(dir, e.name)] : []));
  for (const f of [
    ...files(join(ROOT, "dist", "src")),
    ...files(join(ROOT, "pricing")),
    join(FIXTURES, "demo", "requests.jsonl"),
    join(ROOT, "node_modules", "@duckdb", "node-api", "package.json"),
  ]) {
    hash.update(f).update(readFileSync(f));
  }
  return hash.digest("hex").slice(0, 16);
}

let demoCacheKey: string | undefined;

/**
 * A fresh database of the demo traffic (test files make one in `before`): ingested the way a user would, once per
 * build; later calls, in this or another test process, get a copy of that file (dist/test-cache/, keyed by the code,
 * the price tables and the fixture), which saves a second of CPU each.
 */
export async function demoDatabase(): Promise<{ dir: string; db: string }> {
  const dir = tmp();
  const db = join(dir, "demo.duckdb");
  const cache = join(ROOT, "dist", "test-cache");
  demoCacheKey ??= demoKey();
  const cached = join(cache, `demo-${demoCacheKey}.duckdb`);
  if (existsSync(cached)) {
    copyFileSync(cached, db);
    return { dir, db };
  }
  const r = await cli(["ingest", "--db", db, "fixtures/demo/requests.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  mkdirSync(cache, { recursive: true });
  for (const old of readdirSync(cache)) if (!old.startsWith(`demo-${demoCacheKey}.`)) rmSync(join(cache, old), { force: true }); // earlier builds
  // Written beside and renamed into place: a concurrent test process never reads half a file.
  const part = `${cached}.${process.pid}`;
  copyFileSync(db, part);
  renameSync(part, cached);
  return { dir, db };
}

/** Replaces volatile bits (temp dirs) so goldens are stable. */
export const normalise = (s: string, dir?: string): string => (dir ? s.split(dir).join("<tmp>") : s);

/** normalise(), and the pricing sha256 too: the tables change over time, which is not what a golden is about. */
export const stable = (s: string, dir?: string): string => normalise(s, dir).replace(/"sha256": "[0-9a-f]{64}"/g, '"sha256": "<sha256>"');

/** Compares with test/golden/NAME; UPDATE_GOLDEN=1 rewrites it (update deliberately, and review the diff). */
export function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    if (process.env.CI && !existsSync(path)) assert.fail(`missing golden file ${name}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, "utf8"), `golden mismatch: ${name} (UPDATE_GOLDEN=1 to accept)`);
}

/** Runs SQL against a database file read-only and returns JSON-safe rows. */
export async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** A content checksum of every llmcost table: equal before and after means nothing changed. */
export async function checksum(db: string): Promise<string> {
  const rows = await query(
    db,
    `SELECT (SELECT count(*) FROM usage)::VARCHAR || ':' || coalesce((SELECT md5(string_agg(u::VARCHAR, '|' ORDER BY u::VARCHAR)) FROM usage u), '') || ':' ||
            coalesce((SELECT md5(string_agg(b::VARCHAR, '|' ORDER BY b::VARCHAR)) FROM billed_cost b), '') || ':' ||
            coalesce((SELECT md5(string_agg(i::VARCHAR, '|' ORDER BY i::VARCHAR)) FROM ingests i), '') AS sum`,
  );
  return String(rows[0]?.sum);
}

/** Renders rows as stable text for golden comparison. */
export const dump = (rows: Record<string, unknown>[]): string =>
  rows
    .map((r) =>
      Object.entries(r)
        .map(([k, v]) => `${k}=${v === null ? "NULL" : String(v)}`)
        .join(" "),
    )
    .join("\n") + "\n";

/**
 * A database as an older llmcost left it: the migrations up to `version` run, then `fill` (SQL the test writes for
 * that schema's tables), then a checkpoint. The next llmcost that writes to it runs the rest.
 */
export async function databaseAtSchema(path: string, version: number, fill: readonly string[]): Promise<void> {
  const inst = await DuckDBInstance.create(path);
  const conn = await inst.connect();
  try {
    await conn.run("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)");
    for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
      await conn.run(m.sql);
      await conn.run(`INSERT INTO schema_migrations VALUES (${m.version}, now()::TIMESTAMP)`);
    }
    for (const sql of fill) await conn.run(sql);
    await conn.run("CHECKPOINT");
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** A timestamp as goldens show it (to the second, no zone). */
const shownTs = (c: string) => `strftime(${c}, '%Y-%m-%dT%H:%M:%S') AS ${c}`;

/**
 * The select list of a golden's `usage` rows: the names are the column table's (store/columns.ts), so a renamed or
 * dropped column fails to compile; timestamps (by the table's type) are shown to the second.
 */
export const columnList = (names: readonly ViewColumn[]): string => names.map((c) => (usageSpec(c).type === "TIMESTAMP" ? shownTs(c) : c)).join(", ");

/** The same for `billed_cost` rows. */
export const billedColumnList = (names: readonly BilledName[]): string =>
  names.map((c) => (BILLED_SPECS.find((b) => b.name === c)!.type === "TIMESTAMP" ? shownTs(c) : c)).join(", ");
