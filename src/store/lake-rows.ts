import type { StoredNeed, StoredRows } from "../ingest/types.js";
import { env, stderr } from "../io.js";
import type { Db } from "./db.js";
import type { LakeState, LakeTable } from "./lake-manifest.js";

/**
 * The lake's rows in an ingest's staging database, copied only when a check of the file asks for them (StoredRows):
 * the days its comparisons read, each (table, kind of row, day) once per run. The staging views (lake_*, see
 * installLake) expose each file's day partition as lake_day and its ingest as lake_ingest, and every copy filters on
 * them with literals, so DuckDB reads only the Parquet files of those days (or of those ingests): an ingest's cost
 * follows the file, not the lake's history. Which days are copied is kept in a staging table (lake_loaded), so a
 * rolled-back file (a dry run, a retry) takes its copies back with it.
 */

/** A part of the lake staging copies: rows of one table, of one kind. */
interface Part {
  table: LakeTable;
  kind: "keyed" | "requests";
}

/** The columns of a request row the request-id dedupe reads (and the wide table's NOT NULLs). */
const WIDE_REQUEST = "ingest_id, ts, bucket_end, source_kind, source_format, request_id";
const EXTRA = "rowid, lake_day, lake_ingest";

/**
 * What staging copies of a part's rows: provider buckets whole (the overlap checks compare their key columns and
 * replace them, and commit() writes tombstones for the ones gone); of request rows only what the dedupe reads.
 */
function partSql({ table, kind }: Part, where: string): string {
  if (table === "usage_lean") return `SELECT ingest_id, ts, request_id FROM lake_usage_lean WHERE request_id IS NOT NULL AND ${where}`;
  if (table === "billed_cost") return `SELECT * EXCLUDE (${EXTRA}) FROM lake_billed_cost WHERE ${where}`;
  if (kind === "keyed") return `SELECT * EXCLUDE (${EXTRA}) FROM lake_usage_wide WHERE row_key IS NOT NULL AND ${where}`;
  return `SELECT ${WIDE_REQUEST} FROM lake_usage_wide WHERE row_key IS NULL AND request_id IS NOT NULL AND ${where}`;
}

const PARTS: readonly Part[] = [
  { table: "usage_wide", kind: "keyed" },
  { table: "usage_wide", kind: "requests" },
  { table: "usage_lean", kind: "requests" },
  { table: "billed_cost", kind: "keyed" },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INTERVAL = /^\d+ (DAY|HOUR|MINUTE|SECOND)S?$/;
const UUID = /^[0-9a-f-]{36}$/;
const dayList = (days: readonly string[]) => days.map((d) => (DAY.test(d) ? `DATE '${d}'` : bad(`day ${d}`))).join(", ");
const bad = (what: string): never => {
  throw new Error(`lake staging: bad ${what}`);
};

export class LakeRows implements StoredRows {
  /** What was copied from the lake (LLMCOST_PROFILE prints it): rows, and the Parquet files of the days asked for. */
  readonly copied = { rows: 0, files: 0, days: new Map<string, Set<string>>() };
  /** Ingests numbered in this run: a number the lake also has (a --replace of the latest ingest) is not the lake's. */
  private readonly ours = new Set<number>();

  private constructor(
    private readonly db: Db,
    private readonly state: LakeState,
  ) {}

  static async create(db: Db, state: LakeState): Promise<LakeRows> {
    await db.run("CREATE TEMP TABLE lake_loaded (tbl VARCHAR, kind VARCHAR, day DATE)");
    return new LakeRows(db, state);
  }

  /** Ingest `id` was numbered in this run (its rows are staged whole; a lake row with the number is another ingest's). */
  numbered(id: number): void {
    this.ours.add(id);
  }

  async replacing(replaced: readonly number[]): Promise<number | null> {
    const ids = replaced.filter((id) => !this.ours.has(id));
    const uuids = this.state.effective.map((m) => m.ingest).filter((u) => ids.includes(this.state.ids.get(u)!));
    if (uuids.length === 0) return null;
    // The rows of those ingests on days not copied yet (the ones copied are staged already): the step removes them
    // all. The filter on the ingest partition reads only those ingests' files.
    const of = `lake_ingest IN (${uuids.map((u) => (UUID.test(u) ? `'${u}'` : bad(`ingest ${u}`))).join(", ")})`;
    for (const part of PARTS) {
      const rest = `lake_day NOT IN (SELECT day FROM lake_loaded WHERE tbl = '${part.table}' AND kind = '${part.kind}')`;
      await this.copy(part, `${of} AND ${rest}`, false, `of ${uuids.length} replaced ingest(s)`);
    }
    // The copy holds only the rows the checks read (request ids, keyed rows): the count of what readers stop seeing
    // is of every row of those ingests.
    let rows = 0;
    for (const table of ["usage_wide", "usage_lean", "billed_cost"])
      rows += Number((await this.db.one<{ n: string }>(`SELECT count(*) AS n FROM lake_${table} WHERE ${of}`))?.n ?? 0);
    return rows;
  }

  async need({ rows, from, hi, margin }: StoredNeed): Promise<void> {
    if (margin !== null && !INTERVAL.test(margin)) bad(`interval ${margin}`);
    const span = await this.db.one<{ lo: string; hi: string }>(
      `SELECT strftime(CAST($from AS TIMESTAMP)${margin ? ` - INTERVAL ${margin}` : ""}, '%Y-%m-%d') AS lo,
         strftime(CAST($hi AS TIMESTAMP)${margin ? ` + INTERVAL ${margin}` : ""}, '%Y-%m-%d') AS hi`,
      { from, hi },
    );
    const parts = rows === "requests" ? PARTS.filter((p) => p.kind === "requests") : PARTS.filter((p) => p.table === rows.keyed && p.kind === "keyed");
    for (const part of parts) {
      const days = (
        await this.db.all<{ day: string }>(
          `SELECT strftime(d, '%Y-%m-%d') AS day FROM range(CAST($lo AS DATE), CAST($hi AS DATE) + 1, INTERVAL 1 DAY) t(d)
           WHERE CAST(d AS DATE) NOT IN (SELECT day FROM lake_loaded WHERE tbl = $tbl AND kind = $kind) ORDER BY 1`,
          { lo: span!.lo, hi: span!.hi, tbl: part.table, kind: part.kind },
        )
      ).map((r) => r.day);
      if (days.length === 0) continue;
      await this.db.run("INSERT INTO lake_loaded SELECT $tbl, $kind, unnest($days::DATE[])", { tbl: part.table, kind: part.kind, days: JSON.stringify(days) });
      const files = this.files(part.table, days);
      this.copied.files += files;
      const seen = this.copied.days.get(`${part.table}:${part.kind}`) ?? new Set<string>();
      for (const d of days) seen.add(d);
      this.copied.days.set(`${part.table}:${part.kind}`, seen);
      await this.copy(part, `lake_day IN (${dayList(days)})`, true, `of days ${days[0]}..${days[days.length - 1]} (${days.length} days, ${files} files)`);
    }
  }

  /**
   * Copies a part's rows that `where` selects, of the lake's ingests still in the ledger (--replace removes one from
   * it), into staging. Provider buckets go to lake_prior too: commit() writes a tombstone for each one a check removes.
   */
  private async copy(part: Part, where: string, prior: boolean, what: string): Promise<void> {
    const live = `list_contains($ours::INTEGER[], ingest_id) = false AND ingest_id IN (SELECT ingest_id FROM ingests)`;
    const ours = { ours: JSON.stringify([...this.ours]) };
    await this.db.run(`CREATE OR REPLACE TEMP TABLE lake_copy AS ${partSql(part, `${where} AND ${live}`)}`, ours);
    const n = Number((await this.db.one<{ n: string }>("SELECT count(*) AS n FROM lake_copy"))?.n ?? 0);
    if (n > 0) {
      await this.db.run(`INSERT INTO ${part.table} BY NAME SELECT * FROM lake_copy`);
      if (prior && part.kind === "keyed")
        await this.db.run(`INSERT INTO lake_prior SELECT DISTINCT '${part.table}', ingest_id, row_key FROM lake_copy WHERE row_key IS NOT NULL`);
    }
    await this.db.run("DROP TABLE lake_copy");
    this.copied.rows += n;
    if (env().LLMCOST_PROFILE === "1" || env().LLMCOST_PROFILE === "full") stderr(`[lake copied ${n} rows of ${part.table} (${part.kind}) ${what}]\n`);
  }

  /** How many of the lake's files of `table` lie on `days`: the ones DuckDB reads for them. */
  private files(table: LakeTable, days: readonly string[]): number {
    const want = new Set(days.map((d) => `day=${d}`));
    return this.state.effective.reduce((n, m) => n + m.files.filter((f) => f.table === table && f.path.split("/").some((s) => want.has(s))).length, 0);
  }
}
