import type { Head, SourceFile } from "./types.js";

export function csvHead(file: SourceFile): { header: string[]; delimiter: string } {
  if (file.head.kind !== "csv") throw new Error(`${file.path}: expected a CSV file`);
  return { header: file.head.header, delimiter: file.head.delimiter };
}

export const headerHas = (head: Head, ...names: string[]): boolean => head.kind === "csv" && names.every((n) => head.header.includes(n));

/** Key signature of the first JSON record (or of the document head when the first record can't be parsed alone). */
export const jsonHas = (head: Head, ...patterns: RegExp[]): boolean => head.kind === "json" && patterns.every((p) => p.test(head.text));

export const firstHasKeys = (head: Head, ...keys: string[]): boolean => head.kind === "json" && head.first !== undefined && keys.every((k) => k in head.first!);
