import assert from "node:assert/strict";
import { test } from "node:test";
import { fixtureOf, showSql } from "../scripts/show-sql.js";
import { ADAPTERS } from "../src/sources/index.js";
import { golden } from "./helpers.js";

// The SQL each adapter's mapping becomes (scripts/show-sql.ts), one golden per format: a change to a mapping, or to
// the SQL every adapter shares (validation, tags, pricing), shows here as a diff to review.
test("the generated INSERT of every input format matches its golden (npm run show-sql -- FORMAT)", () => {
  for (const adapter of ADAPTERS) {
    const fixture = fixtureOf(adapter.name);
    assert.ok(fixture, `${adapter.name}: no bundled fixture is detected as it`);
    const sql = showSql(adapter.name, fixture);
    if (adapter.target === "companion") {
      assert.equal(sql, undefined);
      continue;
    }
    if (sql === undefined) assert.fail(`${adapter.name}: no SQL`);
    assert.ok(sql.includes("INSERT INTO"), adapter.name);
    assert.ok(!sql.includes(fixture), `${adapter.name}: the file is a parameter, never in the SQL text`);
    golden(`sql/${adapter.name}.sql`, sql);
  }
});
