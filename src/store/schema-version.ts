/**
 * The schema version this llmcost writes: the last of schema.ts's MIGRATIONS (a test checks they agree). Apart, so
 * that a reading command checks a database's version without building every migration's SQL (and the adapters' list
 * it names).
 */
export const SCHEMA_VERSION = 12;
