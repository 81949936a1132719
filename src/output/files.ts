import { accessSync, constants, existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { usageError } from "../errors.js";

/** Fails with exit 2 (not an internal error) when `path` can't be written: a missing or read-only directory. */
export function ensureWritable(path: string, flag: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw usageError(`${flag} ${path}: directory ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw usageError(`${flag} ${path}: directory ${dir} is not writable`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw usageError(`${flag} ${path}: is a directory`);
}

export function writeOutput(path: string, data: string, flag: string): void {
  ensureWritable(path, flag);
  writeFileSync(path, data);
}

/** An output directory: an existing writable directory, or one that can be created. */
export function ensureWritableDir(path: string, flag: string): void {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw usageError(`${flag} ${path}: not a directory`);
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw usageError(`${flag} ${path}: directory is not writable`);
    }
    return;
  }
  ensureWritable(path, flag);
}
