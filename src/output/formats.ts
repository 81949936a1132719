/**
 * The output formats, once: `--format`'s choices (cli.ts, without loading any renderer), the config's check
 * (context.ts) and the document's emitters (document.ts) read this list. JSON is each command's typed result; every
 * other format is emitted from the neutral document by its file in ./emit/.
 */
export const FORMATS = ["table", "json", "csv", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

/** The formats a document is emitted in. */
export type DocFormat = Exclude<Format, "json">;
export const DOC_FORMATS: readonly DocFormat[] = FORMATS.filter((f): f is DocFormat => f !== "json");
