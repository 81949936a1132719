import { z } from "zod";
import { type ConfigT, loadConfig } from "./config.js";
import { usageError } from "./errors.js";
import { setCostMode } from "./store/cost-mode.js";
import { FORMATS, type Format } from "./output/format.js";
import { type Catalog, type PricingRef, pricingRef, readOverridesFile } from "./pricing/load.js";
import { env } from "./io.js";

export interface GlobalOptions {
  db?: string;
  lake?: string;
  config?: string;
  pricing?: string;
  format?: string;
  debug?: boolean;
  costMode?: string;
}

export interface Context {
  dbPath: string;
  /** --lake DIR (else $LLMCOST_LAKE): read and ingest the Parquet lake instead of the database file. */
  lake: string | null;
  config: ConfigT;
  /** The price book's identity; its catalog is built on first read (a report from stored costs never builds it). */
  pricing: PricingRef;
  /** The price book, built (and checked) when first read: the same as `pricing.catalog`. */
  readonly catalog: Catalog;
  format: Format;
}

/** --db, else $LLMCOST_DB, else ./llmcost.duckdb. An empty value (an unset CI variable) is an error, never in-memory. */
export function resolveDbPath(opts: GlobalOptions): string {
  if (opts.db !== undefined) {
    if (opts.db.trim() === "") throw usageError("--db is empty", "pass --db PATH, or leave it out for ./llmcost.duckdb");
    return opts.db;
  }
  const fromEnv = env().LLMCOST_DB;
  if (fromEnv !== undefined) {
    if (fromEnv.trim() === "") throw usageError("LLMCOST_DB is set but empty (an unset CI variable?)", "set it to a path, or unset it for ./llmcost.duckdb");
    return fromEnv;
  }
  return "llmcost.duckdb";
}

/**
 * --lake DIR, else $LLMCOST_LAKE, else none (the database file). A flag beats a variable: --db beats $LLMCOST_LAKE,
 * --lake beats $LLMCOST_DB. Both flags, or both variables, name two stores: an error rather than a guess.
 */
export function resolveLake(opts: GlobalOptions): string | null {
  if (opts.lake !== undefined) {
    if (opts.db !== undefined) throw usageError("--db and --lake both name where the data lives", "pass one of them");
    if (opts.lake.trim() === "") throw usageError("--lake is empty", "pass --lake DIR, or leave it out for the database file");
    return opts.lake;
  }
  if (opts.db !== undefined) return null;
  const lake = env().LLMCOST_LAKE;
  if (lake === undefined) return null;
  if (lake.trim() === "")
    throw usageError("LLMCOST_LAKE is set but empty (an unset CI variable?)", "set it to the lake's directory, or unset it for the database file");
  if (env().LLMCOST_DB !== undefined) throw usageError("LLMCOST_DB and LLMCOST_LAKE are both set", "unset one, or pass --db PATH or --lake DIR");
  return lake;
}

export function parseFormat(value: string | undefined): Format {
  const parsed = z.enum(FORMATS).safeParse(value ?? "table");
  if (!parsed.success) throw usageError(`--format must be one of ${FORMATS.join(", ")} (got ${value})`);
  return parsed.data;
}

/** Resolves --db, --config, --pricing and --format the same way for every command. */
export function loadContext(opts: GlobalOptions): Context {
  setCostMode(opts.costMode);
  const { config, path, pricingOverrides } = loadConfig(opts.config);
  const overrides: unknown[] = [];
  const labels: string[] = [];
  if (pricingOverrides !== undefined) {
    overrides.push(pricingOverrides);
    labels.push(`${path}: pricing.overrides`);
  }
  if (opts.pricing !== undefined) {
    overrides.push(readOverridesFile(opts.pricing));
    labels.push(opts.pricing);
  }
  const pricing = pricingRef({ overrides, overrideLabels: labels, deployments: config.pricing?.deployments ?? {} });
  return {
    dbPath: resolveDbPath(opts),
    lake: resolveLake(opts),
    config,
    pricing,
    get catalog() {
      return pricing.catalog;
    },
    format: parseFormat(opts.format),
  };
}

/** "Now", overridable with LLMCOST_NOW (ISO) so golden tests and replays are reproducible. */
export function now(): Date {
  const fixed = env().LLMCOST_NOW;
  if (fixed) {
    const d = new Date(fixed);
    if (Number.isNaN(d.getTime())) throw usageError(`LLMCOST_NOW is not an ISO date: ${fixed}`);
    return d;
  }
  return new Date();
}
