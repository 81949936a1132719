/**
 * Bundles the compiled CLI (dist/src/cli.js and everything it imports: zod, commander, chalk, csv-parse and DuckDB's
 * JavaScript API) into one CommonJS file, dist/bundle/cli.cjs, which bin/llmcost.js compiles with a V8 code cache
 * (bin/llmcost.js says how). Node then reads one file instead of about 350, and esbuild leaves out what nothing
 * imports (zod's 60 locale files). A command's modules still run only when it is chosen (esbuild turns the lazy
 * `import()`s into lazy initialisers). The native DuckDB binding (@duckdb/node-bindings, a .node file per platform)
 * stays outside and is loaded from node_modules as before.
 *
 * After bundling, the demo runs once through the binary: that run writes the code cache (every function the demo
 * compiled: ingest, report, savings, reconcile), so the first command a user runs starts from it too.
 *
 * The tests run the compiled modules in process and the bundle through bin/llmcost.js, so both are tried; `npm test`
 * builds both first.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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
// A code cache of an earlier build must not linger (bin/llmcost.js names caches by content too).
rmSync(OUT, { recursive: true, force: true });

await build({
  entryPoints: [join(DIST, "src", "cli.js")],
  outfile: join(OUT, "cli.cjs"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["@duckdb/node-bindings"],
  // src/paths.ts finds the package from its module's URL: in the bundle, the bundle's own.
  define: { "import.meta.url": "__llmcost_url" },
  banner: { js: 'const __llmcost_url = require("node:url").pathToFileURL(__filename).href;' },
  // Whitespace and syntax only: names stay, so a --debug stack trace still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [duckdbInline],
  // An import() left in the bundle fails at run time: bin/llmcost.js compiles the bundle as a vm.Script, which has no
  // loader for it ("A dynamic import callback was not specified"). As require()s, the lazy imports of Node's own
  // modules (the error path's line search, gzip) work there too; the check below keeps it so.
  supported: { "dynamic-import": false },
  logLevel: "warning",
});
const bundled = readFileSync(join(OUT, "cli.cjs"), "utf8");
const left = /\bimport\((["'`])[^"'`]*\1\)/.exec(bundled);
if (left) throw new Error(`dist/bundle/cli.cjs: ${left[0]} is left in the bundle, and bin/llmcost.js cannot run it`);

// The code cache: written by the binary after a run that found none (bin/llmcost.js).
const warm = mkdtempSync(join(tmpdir(), "llmcost-bundle-"));
try {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin", "llmcost.js"), "demo", "--db", join(warm, "demo.duckdb")], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.status !== 0) throw new Error(`the bundle's demo run failed (exit ${r.status}):\n${r.stderr}`);
} finally {
  rmSync(warm, { recursive: true, force: true });
}
