import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { loadContext } from "../src/context.js";
import { simulate } from "../src/sim/simulate.js";
import { openForRead } from "../src/store/open.js";
import { flagName, flagReader } from "../src/tactics/flags.js";
import { PLAYBOOK_STEPS, playbookTactics, tacticFlags, TACTICS, tacticsFromFlags } from "../src/tactics/registry.js";
import { SIM_COLUMNS } from "../src/tactics/types.js";
import { cli, demoDatabase } from "./helpers.js";

let dir = "";
let demo = "";
before(async () => {
  ({ dir, db: demo } = await demoDatabase());
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the registry lists every tactic once, in playbook order; the default playbook is its first four", () => {
  assert.deepEqual(
    TACTICS.map((t) => t.name),
    ["cache", "semantic-cache", "route", "batch", "prompt-cache", "prune", "output-cap"],
  );
  assert.deepEqual(PLAYBOOK_STEPS, ["cache", "route", "batch", "prompt-cache", "prune", "output-cap"]);
  assert.equal(new Set(TACTICS.map((t) => t.name)).size, TACTICS.length);
  const catalog = loadContext({}).catalog;
  assert.deepEqual(
    playbookTactics(catalog).map((t) => t.name),
    ["cache", "route", "batch", "prompt-cache"],
  );
  assert.deepEqual(
    TACTICS.filter((t) => t.inPlaybook).map((t) => t.playbookLabel),
    ["exact cache", "routing to cheaper siblings", "batch where traffic allows", "prompt caching"],
  );
});

test("every tactic declares its flags and columns; column names are unique and never a sim column's", () => {
  const base = new Set<string>(SIM_COLUMNS.map((c) => c.name));
  const seen = new Set<string>();
  for (const t of TACTICS) {
    assert.ok(t.flags.length > 0, `${t.name} declares no flag`);
    assert.ok(Array.isArray(t.columns), `${t.name} declares no columns`);
    assert.ok(t.rewrites.length > 0, `${t.name} rewrites no sim column`);
    for (const c of t.columns) {
      assert.ok(!base.has(c.name) && !seen.has(c.name), `${t.name}: column ${c.name} collides`);
      assert.ok(c.what.length > 0, `${t.name}: column ${c.name} says nothing`);
      seen.add(c.name);
    }
    for (const c of t.rewrites) assert.ok(base.has(c), `${t.name} rewrites ${c}, not a sim column`);
  }
  // Shared flags are one object: each name once, in playbook order.
  const names = tacticFlags().map(flagName);
  assert.deepEqual(names, [
    "--cache",
    "--ttl",
    "--threshold",
    "--route",
    "--escalate",
    "--batch",
    "--prompt-cache",
    "--prefix-share",
    "--prune",
    "--output-cap",
  ]);
});

test("simulate --help shows every declared flag with its help and default; the flags choose the tactics in order", async () => {
  const help = (await cli(["simulate", "--help"])).stdout.replace(/\s+/g, " ");
  for (const f of tacticFlags()) {
    assert.ok(help.includes(`${f.flags} ${f.help}`), `${f.flags} missing from simulate --help`);
    if (f.default !== undefined) assert.ok(help.includes(`${f.help} (default: "${f.default}")`), `${f.flags}: default not shown`);
  }
  assert.match(help, /tactics in playbook order \(cache, route, batch, prompt-cache, prune, output-cap\)/);
  const ctx = { catalog: loadContext({}).catalog, tactics: {} };
  // Flags as commander leaves them: defaults filled in, a repeatable flag's empty list.
  const chosen = (values: Record<string, unknown>) =>
    tacticsFromFlags(flagReader({ ttl: "3600", escalate: "0.08", prune: [], ...values }), ctx).map((t) => t.name);
  assert.deepEqual(chosen({ outputCap: "10", cache: "semantic", route: "mini", promptCache: true, prune: ["0.1"], batch: "auto" }), [
    "semantic-cache",
    "route",
    "batch",
    "prompt-cache",
    "prune",
    "output-cap",
  ]);
  assert.deepEqual(chosen({}), []);
  // A flag of a tactic not chosen is not judged; one of a chosen tactic is, naming the flag.
  assert.deepEqual(chosen({ ttl: "soon", threshold: "2", prefixShare: "x", escalate: "y" }), []);
  assert.throws(() => chosen({ cache: "exact", ttl: "soon" }), /--ttl expects a positive whole number \(got "soon"\)/);
  assert.throws(() => chosen({ cache: "fuzzy" }), /--cache expects exact or semantic/);
  assert.throws(() => chosen({ promptCache: true, prefixShare: "" }), /--prefix-share expects a fraction/);
});

test("the declared column types are the ones DuckDB builds in sim (a sum column is summed to HUGEINT)", async () => {
  const ctx = loadContext({ db: demo });
  const all = tacticsFromFlags(
    flagReader({ cache: "exact", ttl: "3600", route: "mini", escalate: "0.08", batch: "auto", promptCache: true, prune: ["0.2"], outputCap: "800" }),
    { catalog: ctx.catalog, tactics: {} },
  );
  const db = await openForRead(ctx);
  try {
    await simulate(db, ctx.catalog, ctx.config, { features: [], since: null, until: null, tz: "UTC" }, all);
    const actual = new Map((await db.all<{ column_name: string; column_type: string }>("DESCRIBE sim")).map((r) => [r.column_name, r.column_type]));
    const expected = new Map<string, string>(SIM_COLUMNS.map((c) => [c.name, c.type]));
    for (const t of all) for (const c of t.columns) if (c.kept !== "request") expected.set(c.name, c.kept === "sum" ? "HUGEINT" : c.type);
    assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expected].sort()));
  } finally {
    db.close();
  }
  // The semantic cache's keys too.
  const sem = tacticsFromFlags(flagReader({ cache: "semantic", ttl: "3600" }), { catalog: ctx.catalog, tactics: {} });
  const db2 = await openForRead(ctx);
  try {
    await simulate(db2, ctx.catalog, ctx.config, { features: [], since: null, until: null, tz: "UTC" }, sem);
    const types = new Map((await db2.all<{ column_name: string; column_type: string }>("DESCRIBE sim")).map((r) => [r.column_name, r.column_type]));
    for (const c of sem[0]!.columns) assert.equal(types.get(c.name), c.type, c.name);
  } finally {
    db2.close();
  }
});
