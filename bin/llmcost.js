#!/usr/bin/env node
// Thin launcher: the CLI, compiled and bundled (dist/bundle/, built by `npm ci` via the prepare script; see
// scripts/bundle.ts).
import { main } from "../dist/bundle/cli.mjs";

process.exitCode = await main(process.argv);
