import { existsSync } from "node:fs";
import { join } from "node:path";
import { Db } from "./db.js";

/** Where a reading command's data lives: the database file, or a lake (--lake DIR). */
export interface StoreLocation {
  dbPath: string;
  lake: string | null;
}

/** Opens the store read-only. A lake is loaded only when asked for (its module is not needed otherwise). */
export async function openForRead(at: StoreLocation): Promise<Db> {
  if (at.lake !== null) return (await import("./lake.js")).openLake(at.lake);
  return Db.open(at.dbPath, { readOnly: true });
}

/** Whether there is anything to read yet (a database file, or a lake with its manifests directory). */
export const storeExists = (at: StoreLocation): boolean => (at.lake !== null ? existsSync(join(at.lake, "_manifests")) : existsSync(at.dbPath));

/** The store's name in messages. */
export const storeName = (at: StoreLocation): string => (at.lake !== null ? `the lake ${at.lake}` : at.dbPath);
