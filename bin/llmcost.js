#!/usr/bin/env node
// Thin launcher: the CLI, compiled and bundled into one CommonJS file (dist/bundle/cli.cjs, built by `npm ci` via the
// prepare script; see scripts/bundle.ts), compiled here with a V8 code cache. Node 20 keeps no compile cache of its
// own (module.enableCompileCache came in Node 22), and compiling the 1.5 MB bundle, then each function as it first
// runs, took about 0.05 s of every command. The cache sits beside the bundle, named by the bundle's content and the
// Node version (V8 checks its own version and flags, but only the source's length); a run that found none (or one V8
// refused) writes it after the command, when the directory is writable. Only whoever can write the bundle can write
// the cache.
import { createHash } from "node:crypto";
import { accessSync, constants, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

const file = fileURLToPath(new URL("../dist/bundle/cli.cjs", import.meta.url));
const source = readFileSync(file, "utf8");
const key = createHash("sha1").update(source).digest("hex").slice(0, 12);
const cacheFile = join(dirname(file), `cli.${key}.${process.version}-${process.arch}.v8cache`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(source), { filename: file, cachedData });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
process.exitCode = await module.exports.main(process.argv);

if (cachedData === undefined || script.cachedDataRejected) {
  try {
    accessSync(dirname(file), constants.W_OK);
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only install runs without the cache.
  }
}
