import { resolve } from "node:path";
import { ExitError, usageError } from "../errors.js";
import { firstLine, isDiskFull } from "../store/db.js";
import { badJsonDocLine, blankLines, firstBadJsonLine } from "./files.js";
import type { Planned } from "./types.js";

/** Turns a DuckDB reader error into "line N: reason" parts. Line is undefined when DuckDB didn't say. */
export function readerError(err: unknown): { line?: number; reason: string } {
  const msg = err instanceof Error ? err.message : String(err);
  const csvLine = /CSV Error on Line: (\d+)/.exec(msg)?.[1];
  const jsonLine = /in line (\d+)/.exec(msg)?.[1];
  const line = csvLine ?? jsonLine;
  let reason = firstLine(msg)
    .replace(/^[A-Za-z ]+Error: /, "")
    .replace(/^CSV Error on Line: \d+\s*/, "");
  const detail = msg.split("\n").map((l) => l.trim());
  if (/Expected Number of Columns: (\d+) Found: (\d+)/i.test(msg)) {
    const m = /Expected Number of Columns: (\d+) Found: (\d+)/i.exec(msg)!;
    reason = `expected ${m[1]} columns, found ${m[2]}`;
  } else if (/Could not convert string/.test(msg)) {
    const m = /Could not convert string "([^"]*)" to '([A-Z]+)'/.exec(msg);
    const col = /Column ([^\s]+) is being converted/.exec(msg)?.[1] ?? /column "?([^"\s]+)"?/.exec(msg)?.[1];
    reason = m ? `"${m[1]}" is not a number${col ? ` (column ${col})` : ""}` : reason;
  } else if (/Malformed JSON/.test(msg)) {
    reason = `malformed JSON: ${/: ([^:]+)$/.exec(firstLine(msg))?.[1]?.trim() ?? "parse error"}`;
  } else if (/JSON transform error/.test(msg)) {
    const m = /Failed to cast value to (\w+): (.+)$/.exec(firstLine(msg));
    const dup = /has duplicate key "([^"]+)"/.exec(msg);
    const record = /in record\/value (\d+)/.exec(msg)?.[1];
    const at = record !== undefined && line === undefined ? ` (record ${record})` : "";
    // Never the raw record (it may hold prompts or ids): what is wrong, and where.
    reason = m
      ? `${m[2]!.slice(0, 40)} is not a ${m[1] === "numerical" ? "number" : m[1]}`
      : dup
        ? `the key "${dup[1]}" appears twice in one object${at}`
        : `a value of the wrong shape (a list or object where a plain value belongs, or the reverse)${at}`;
  } else if (/Invalid unicode|invalid UTF-8/i.test(msg)) {
    reason = "invalid UTF-8";
  } else if (/Maximum line size|maximum_line_size|line size/i.test(msg)) {
    reason = "line too long (over DuckDB's maximum line size)";
  } else if (/Referenced column "([^"]+)" not found/.test(msg)) {
    reason = `no column or field "${/Referenced column "([^"]+)"/.exec(msg)![1]}", which this format needs (is it another format? see \`llmcost formats\`)`;
  } else if (/state machine reached an invalid state|unterminated quote/i.test(msg)) {
    reason = "not valid CSV here (an unclosed quote, or a delimiter that changes)";
  } else if (/value (-?nan|-?inf)/i.test(msg)) {
    reason = `${/value (-?nan|-?inf)/i.exec(msg)![1]} is not a number`;
  } else if (/with value (\S+) can't be cast because the value is out of range/.test(msg)) {
    reason = `${/with value (\S+) can't/.exec(msg)![1]} is out of range (a timestamp or a count no real export holds)`;
  } else if (reason === "" && detail.length > 1) {
    reason = detail.find((l) => l !== "") ?? msg;
  }
  if (reason.trim() === "") reason = "this row could not be read";
  return { line: line !== undefined ? Number(line) : undefined, reason: reason.replace(/\.$/, "") };
}

/** A bad record DuckDB's reader stopped at, with its line: --skip-bad-rows on JSON Lines leaves it out and retries. */
export class BadLineError extends ExitError {
  constructor(
    display: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(2, `${display}:${line}: ${reason}`);
  }
}

/** Any error of a statement that reads the file, in the user's words, with the file line where one can be found. */
export async function readFailure(p: Planned, err: unknown): Promise<ExitError> {
  if (err instanceof ExitError) return err;
  // Not the input's fault: the database's disk. The transaction rolls back, so nothing of the file is kept.
  if (isDiskFull(err)) {
    return usageError(`the disk holding the database is full; nothing of ${p.input.display} was kept`, "free space (or use another --db) and ingest it again");
  }
  const e = readerError(err);
  // The file DuckDB names, when it is one read beside this one (an OpenAI Batch output's input file).
  const named = /in file "([^"]+)"/.exec(err instanceof Error ? err.message : "")?.[1];
  const companion = p.source.companions.find((c) => named !== undefined && resolve(c.path) === resolve(named));
  const file = companion ?? { path: p.source.path, head: p.source.head, display: p.input.display };
  // JSON Lines (the first line parsed on its own): find the real bad line; DuckDB names the one after it.
  const jsonl = file.head.kind === "json" && file.head.first !== undefined;
  if (e.reason.startsWith("malformed JSON") && jsonl) e.line = (await firstBadJsonLine(file.path)) ?? e.line;
  else if (jsonl && e.line !== undefined) e.line = skipLines(e.line, await blankLines(file.path));
  else if (e.reason.startsWith("malformed JSON") && e.line === undefined) e.line = await badJsonDocLine(file.path);
  return badRead(file.display, e);
}

/** A reader error as the user's error: with its line when DuckDB (or the JSON scan) found one. */
export const badRead = (display: string, e: { line?: number; reason: string }): ExitError =>
  e.line !== undefined ? new BadLineError(display, e.line, e.reason) : usageError(`${display}: ${e.reason}`);

/** The file line of a row numbered among parsed rows only: every rejected line at or before it pushes it down. */
export function skipLines(line: number, rejected: readonly number[]): number {
  let l = line;
  for (const r of rejected) if (r <= l) l++;
  return l;
}
