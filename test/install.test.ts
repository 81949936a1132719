import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, tmp, FULL_TIER } from "./helpers.js";

// The README's install: `npm pack`, then `npm install -g` of the tarball. It runs from any directory, with the
// price tables and the demo fixtures it ships. Dependencies come from npm's cache (`npm ci` filled it).
test("the packed tarball installs as a tool and runs from another directory", FULL_TIER, () => {
  const dir = tmp();
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, stdio: "ignore" });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball, "npm pack wrote a tarball");
  const prefix = join(dir, "prefix");
  execFileSync(npm, ["install", "-g", "--prefix", prefix, "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", join(dir, tarball)], {
    stdio: "ignore",
  });
  const bin = join(prefix, "bin", "llmcost");
  // The bundle ships with the code cache the build wrote (bin/llmcost.js), so a read-only install starts from it too.
  const shipped = readdirSync(join(prefix, "lib", "node_modules", "llmcost", "dist", "bundle")).sort();
  assert.equal(shipped.length, 2, shipped.join(" "));
  assert.ok(shipped.includes("cli.cjs"), shipped.join(" "));
  assert.ok(
    shipped.some((f) => /^cli\.[0-9a-f]{12}\.v\d+\.\d+\.\d+-\w+\.v8cache$/.test(f)),
    shipped.join(" "),
  );
  const elsewhere = tmp();
  const env = { PATH: process.env.PATH ?? "", HOME: elsewhere, TZ: "UTC", NO_COLOR: "1" };
  const version = spawnSync(bin, ["--version"], { cwd: elsewhere, encoding: "utf8", env });
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, "0.1.0\n");
  const demo = spawnSync(bin, ["demo", "--format", "json"], { cwd: elsewhere, encoding: "utf8", env });
  assert.equal(demo.status, 0, demo.stderr);
  assert.equal(JSON.parse(demo.stdout).report.totals.costUsd, 92.162251);
  assert.deepEqual(readdirSync(elsewhere), [], "the demo leaves nothing in the working directory");
});
