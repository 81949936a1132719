import { DuckDBInstance } from "@duckdb/node-api";
const i = await DuckDBInstance.create("/work/main/bench-data/big-100000000.duckdb", { access_mode: "READ_ONLY" });
const c = await i.connect();
for (const q of process.argv.slice(2)) { const t = performance.now(); const r = await c.runAndReadAll(q); console.log(JSON.stringify(r.getRowObjectsJson()).slice(0, 600), ((performance.now() - t) / 1000).toFixed(2) + "s"); }
