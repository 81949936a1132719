import { accessSync, appendFileSync, constants, existsSync, statSync, writeFileSync } from "node:fs";
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
  write(() => writeFileSync(path, data), path, flag);
}

/** Appends (the GitHub step summary is shared by every step of a job). */
export function appendOutput(path: string, data: string, label: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw usageError(`${label} ${path}: is a directory`);
  write(() => appendFileSync(path, data), path, label);
}

const WHY: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exhausted",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "a read-only file system",
  EISDIR: "is a directory",
  ENOENT: "the file cannot be created there",
};

function write(fn: () => void, path: string, label: string): void {
  try {
    fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw usageError(`${label} ${path}: cannot write: ${WHY[code] ?? (code || "write failed")}`);
  }
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
