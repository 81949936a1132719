import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, query, tmp } from "./helpers.js";

/**
 * Ingest compares a new file only with the stored rows in its time range: a request_id counts as already ingested
 * when a stored row with it lies within 2 days (REQUEST_ID_WINDOW) of the new row, in either physical table.
 */
test("request_id: a stored copy within 2 days is the same request; further apart it is another", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const head = "timestamp,model,user,input_tokens,output_tokens,request_id\n";
  writeFileSync(
    join(t, "a.csv"),
    head +
      [
        "2025-10-10T12:00:00Z,gpt-4o-mini,u1:chat,10,5,r1",
        "2025-10-10T12:00:00Z,gpt-4o-mini,u1:chat,20,5,r2",
        "2025-10-10T12:00:00Z,gpt-4o-mini,u1:chat,30,5,r3",
      ].join("\n") +
      "\n",
  );
  // r1 47 hours later and r3 at the same time are copies; r2 49 hours later is another request; r4 is new.
  writeFileSync(
    join(t, "b.csv"),
    head +
      [
        "2025-10-12T11:00:00Z,gpt-4o-mini,u1:chat,11,5,r1",
        "2025-10-12T13:00:00Z,gpt-4o-mini,u1:chat,21,5,r2",
        "2025-10-10T12:00:00Z,gpt-4o-mini,u1:chat,31,5,r3",
        "2025-10-11T00:00:00Z,gpt-4o-mini,u1:chat,40,5,r4",
      ].join("\n") +
      "\n",
  );
  // A JSON Lines log (stored in the wide table, compared with the lean one) repeating r1 five seconds on, and r2 two
  // days and one second before its first copy.
  writeFileSync(
    join(t, "c.jsonl"),
    [
      { timestamp: "2025-10-10T12:00:05Z", model: "gpt-4o-mini", user: "u1:chat", input_tokens: 12, output_tokens: 5, request_id: "r1" },
      { timestamp: "2025-10-08T11:59:59Z", model: "gpt-4o-mini", user: "u1:chat", input_tokens: 22, output_tokens: 5, request_id: "r2" },
      { timestamp: "2025-10-01T00:00:00Z", model: "gpt-4o-mini", user: "u1:chat", input_tokens: 50, output_tokens: 5, request_id: "r5" },
    ]
      .map((o) => JSON.stringify(o))
      .join("\n") + "\n",
  );
  for (const f of ["a.csv", "b.csv"]) assert.equal((await cli(["ingest", "--db", db, f], { cwd: t })).code, 0);
  const r = await cli(["ingest", "--db", db, "--output", "json", "c.jsonl"], { cwd: t });
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout).files[0] as { rows: number; skipped: unknown };
  // r1 is 5 s from a stored r1; r2 at 10-08 11:59:59 is 2 days and 1 s before the stored 10-10 12:00 one and further
  // from the 10-12 13:00 one: another request. r5 is new.
  assert.deepEqual([f.rows, f.skipped], [2, [{ reason: "request_id already ingested", rows: 1 }]]);
  assert.deepEqual(await query(db, "SELECT request_id, list(input_tokens ORDER BY ts)::VARCHAR AS input FROM usage GROUP BY 1 ORDER BY 1"), [
    { request_id: "r1", input: "[10]" },
    { request_id: "r2", input: "[22, 20, 21]" },
    { request_id: "r3", input: "[30]" },
    { request_id: "r4", input: "[40]" },
    { request_id: "r5", input: "[50]" },
  ]);
  const b = await cli(["ingest", "--db", join(t, "b.duckdb"), "--output", "json", "a.csv", "b.csv"], { cwd: t });
  assert.deepEqual(
    (JSON.parse(b.stdout).files as { rows: number; skipped: unknown }[]).map((x) => [x.rows, x.skipped]),
    [
      [3, []],
      [2, [{ reason: "request_id already ingested", rows: 2 }]],
    ],
  );
});
