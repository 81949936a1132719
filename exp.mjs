import { DuckDBInstance } from "@duckdb/node-api";
const inst = await DuckDBInstance.create("/work/main/bench-data/big-100000000.duckdb", { access_mode: "READ_ONLY" });
const c = await inst.connect();
await c.run("SET TimeZone='UTC'");
const W = "u.source_kind = 'requests' AND u.ts >= TIMESTAMP '2025-01-01' AND u.ts < TIMESTAMP '2025-02-07'";
const q = async (label, sql) => { const t = performance.now(); const r = await c.runAndReadAll(sql); console.log(label, ((performance.now()-t)/1000).toFixed(2)+"s", JSON.stringify(r.getRowObjectsJson().slice(0,3))); };
for (const [l,s] of Object.entries(JSON.parse(process.argv[2]))) await q(l, s.replaceAll("$W", W));
