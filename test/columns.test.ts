import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ADAPTERS } from "../src/sources/index.js";
import { CHARGE_COUNTS, TOKEN_BUCKETS, TOKEN_COLUMNS } from "../src/sources/types.js";
import { BILLED, LEAN_COLUMNS, usageViewSql, VIEW_COLUMNS, WIDE_COLUMNS } from "../src/store/columns.js";
import { Db } from "../src/store/db.js";
import { rollupTableColumns } from "../src/store/rollup.js";
import { MIGRATIONS, SOURCE_FORMATS_V4, SOURCE_FORMATS_V8, sourceFormatStep, USAGE_VIEW_V7 } from "../src/store/schema.js";
import { SCHEMA_VERSION } from "../src/store/schema-version.js";
import { databaseAtSchema, tmp } from "./helpers.js";

// The column table (store/columns.ts) against what the released migrations build: a column added to the table
// without its migration (or the other way round) fails here.

test("the generated usage view is the one the migrations made (as DuckDB renders both)", async () => {
  const db = await Db.memory("view");
  try {
    await db.run(usageViewSql().replace("VIEW usage AS", "VIEW usage_generated AS"));
    const rendered = async (name: string) =>
      (await db.one<{ sql: string }>("SELECT sql FROM duckdb_views() WHERE view_name = $1", [name]))!.sql.replace(`VIEW ${name} AS`, "VIEW AS");
    assert.equal(await rendered("usage_generated"), await rendered("usage"));
  } finally {
    db.close();
  }
});

test("the count columns are the request count, the token buckets and the charges", () => {
  assert.deepEqual([...TOKEN_COLUMNS], ["requests", ...TOKEN_BUCKETS, ...CHARGE_COUNTS]);
});

test("the migrated tables and the view have the table's columns, in its order", async () => {
  const db = await Db.memory("columns");
  try {
    const described = async (rel: string) =>
      (await db.all<{ column_name: string; column_type: string }>(`DESCRIBE ${rel}`)).map((r) => ({ name: r.column_name, type: r.column_type }));
    const asStored = (t: string) => (t.startsWith("ENUM") ? "enum" : t);
    assert.deepEqual(
      (await described("usage_wide")).map((c) => ({ ...c, type: asStored(c.type) })),
      WIDE_COLUMNS.map((c) => ({ name: c.name, type: c.name === "source_kind" || c.name === "source_format" ? "enum" : c.type })),
    );
    assert.deepEqual(
      (await described("usage_lean")).map((c) => c.name),
      LEAN_COLUMNS.map((c) => c.stored),
    );
    assert.deepEqual(
      (await described("usage")).map((c) => c.name),
      [...VIEW_COLUMNS],
    );
    assert.deepEqual(
      await described("billed_cost"),
      BILLED.map((c) => ({ name: c.name, type: c.type })),
    );
    assert.deepEqual(
      (await described("usage_rollup")).map((c) => ({ ...c, type: asStored(c.type) })),
      rollupTableColumns().map((c) => ({ ...c, type: c.name === "source_kind" ? "enum" : c.type })),
    );
    assert.deepEqual(
      (await described("usage_rollup_coarse")).map((c) => ({ ...c, type: asStored(c.type) })),
      rollupTableColumns(undefined, true).map((c) => ({ ...c, type: c.name === "source_kind" ? "enum" : c.type })),
    );
    assert.deepEqual(
      rollupTableColumns()
        .map((c) => c.name)
        .filter((c) => c !== "user_hash" && c !== "api_key"),
      rollupTableColumns(undefined, true).map((c) => c.name),
    );
  } finally {
    db.close();
  }
});

test("every registered adapter fits the source_format type of a new database", async () => {
  const db = await Db.memory("formats");
  try {
    const r = await db.one<{ v: string[] }>("SELECT enum_range(NULL::source_format)::VARCHAR[] AS v");
    assert.deepEqual(
      ADAPTERS.map((a) => a.name).filter((n) => !r!.v.includes(n)),
      [],
    );
    assert.equal(
      sourceFormatStep(
        r!.v,
        ADAPTERS.map((a) => a.name),
      ),
      null,
    );
  } finally {
    db.close();
  }
});

test("a database whose source_format type lacks a registered adapter is widened on open, keeping its rows", async () => {
  const t = tmp();
  const path = join(t, "narrow.duckdb");
  // As if the adapters of SOURCE_FORMATS_V8 were new: the type holds only v4's formats.
  const v4 = SOURCE_FORMATS_V4.map((f) => `'${f}'`).join(", ");
  await databaseAtSchema(path, 11, [
    `DROP VIEW usage;
     CREATE TYPE source_format_narrow AS ENUM (${v4});
     ALTER TABLE usage_wide ALTER source_format TYPE source_format_narrow;
     DROP TYPE source_format;
     CREATE TYPE source_format AS ENUM (${v4});
     ALTER TABLE usage_wide ALTER source_format TYPE source_format;
     DROP TYPE source_format_narrow;
     ${USAGE_VIEW_V7}`,
    "INSERT INTO usage_wide (ts, source_kind, source_format, ingest_id, model, requests) VALUES ('2025-11-01', 'requests', 'request-log-jsonl', 1, 'gpt-4o', 3)",
  ]);
  const db = await Db.open(path, { readOnly: false });
  try {
    const r = await db.one<{ v: string[] }>("SELECT enum_range(NULL::source_format)::VARCHAR[] AS v");
    assert.deepEqual(r!.v.slice(0, SOURCE_FORMATS_V4.length), [...SOURCE_FORMATS_V4]);
    // Every format migration 8 added, and every one registered since (gemini-response-json: no migration written).
    assert.deepEqual([...r!.v].sort(), [...new Set([...SOURCE_FORMATS_V4, ...SOURCE_FORMATS_V8, ...ADAPTERS.map((a) => a.name)])].sort());
    await db.run(
      "INSERT INTO usage_wide (ts, source_kind, source_format, ingest_id, model, requests) VALUES ('2025-11-02', 'requests', 'otel-spans-jsonl', 2, 'gpt-4o', 1)",
    );
    assert.deepEqual(await db.all("SELECT source_format::VARCHAR AS f, requests::INT AS n FROM usage ORDER BY ts"), [
      { f: "request-log-jsonl", n: 3 },
      { f: "otel-spans-jsonl", n: 1 },
    ]);
  } finally {
    db.close();
  }
});

test("SCHEMA_VERSION, what readers check a database against, is the last migration's", () => {
  assert.equal(SCHEMA_VERSION, MIGRATIONS.at(-1)?.version);
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
  );
});

test("a database made from the process's blank has the schema of one migrated from nothing, and none of the first's rows", async () => {
  const dir = tmp();
  const schema = async (db: Db) => {
    try {
      const tables = await db.all<{ t: string; cols: string }>(
        `SELECT table_name AS t, string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) AS cols
         FROM information_schema.columns WHERE table_schema = 'main' GROUP BY 1 ORDER BY 1`,
      );
      const versions = await db.all<{ v: string }>("SELECT string_agg(version::VARCHAR, ',' ORDER BY version) AS v FROM schema_migrations");
      const formats = await db.one<{ v: string }>("SELECT enum_range(NULL::source_format)::VARCHAR AS v");
      return { tables, versions, formats };
    } finally {
      db.close();
    }
  };
  // Every migration run in memory: the reference, whatever this process created before.
  const fresh = await schema(await Db.memory("reference"));
  const first = join(dir, "first.duckdb");
  const db = await Db.open(first, { readOnly: false });
  await db.run("INSERT INTO meta VALUES ('only_in_first', 'x')");
  db.close();
  // Created after `first`: from the blank bytes.
  const second = join(dir, "second.duckdb");
  assert.deepEqual(await schema(await Db.open(second, { readOnly: false })), fresh);
  assert.deepEqual(await schema(await Db.open(first, { readOnly: false })), fresh);
  const db2 = await Db.open(second, { readOnly: false });
  try {
    assert.equal((await db2.one<{ n: string }>("SELECT count(*) AS n FROM meta WHERE key = 'only_in_first'"))?.n, "0");
    assert.equal(Number((await db2.one<{ v: string }>("SELECT max(version) AS v FROM schema_migrations"))?.v), SCHEMA_VERSION);
  } finally {
    db2.close();
  }
});
