/**
 * Bundles the compiled CLI (dist/src/cli.js and everything it imports: zod, commander, chalk, csv-parse and DuckDB's
 * JavaScript API) into dist/bundle/, which bin/llmcost.js runs: cli.mjs, and a chunk per part a command loads on
 * demand (code splitting keeps the lazy imports lazy: `--help` reads no more than before). Node then reads about 70
 * files instead of about 350, and esbuild leaves out what nothing imports (zod's 60 locale files). `report` on a large
 * database starts about 0.15 s sooner (README, Performance). The native DuckDB binding (@duckdb/node-bindings, a .node
 * file per platform) stays outside and is loaded from node_modules as before.
 *
 * The tests run the compiled modules in process and the bundle through bin/llmcost.js, so both are tried; `npm test`
 * builds both first.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { PACKAGE_ROOT } from "../src/paths.js";

const DIST = join(PACKAGE_ROOT, "dist");

/**
 * store/db.ts loads DuckDB's API with createRequire (importing that CommonJS package from an ES module makes Node lex
 * every file it re-exports). A bundler cannot follow createRequire: for the bundle the call becomes a plain require,
 * which esbuild inlines. The build fails if the call is not there, rather than ship a bundle that loads it unbundled.
 */
const duckdbInline: Plugin = {
  name: "duckdb-inline",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/]store[\\/]db\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const call = 'createRequire(import.meta.url)("@duckdb/node-api")';
      if (!text.includes(call)) throw new Error(`${args.path}: no ${call} to inline`);
      return { contents: text.replace(call, 'require("@duckdb/node-api")'), loader: "js" };
    });
  },
};

const OUT = join(DIST, "bundle");
// Chunk names carry a hash of their content: a chunk of an earlier build must not linger.
rmSync(OUT, { recursive: true, force: true });

await build({
  entryPoints: [join(DIST, "src", "cli.js")],
  outdir: OUT,
  outExtension: { ".js": ".mjs" },
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["@duckdb/node-bindings"],
  // CommonJS code inside an ES module bundle needs a require of its own (for the external binding).
  banner: { js: 'import { createRequire as __llmcostRequire } from "node:module"; const require = __llmcostRequire(import.meta.url);' },
  plugins: [duckdbInline],
  logLevel: "warning",
});
