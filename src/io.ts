import { AsyncLocalStorage } from "node:async_hooks";
import { Readable, Writable } from "node:stream";

/** A stream the CLI writes to, with what a TTY check needs (process.stdout and process.stderr are these). */
export type OutStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * Where one run of the CLI writes, what it reads as stdin and which environment it sees. `main(argv)` uses the
 * process's own; `main(argv, io)` a caller's (the tests run the CLI in-process this way). Code that prints or reads
 * the environment asks here (`stdout()`, `stderr()`, `env()`), never `process.stdout` or `process.env` directly.
 */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable;
  env: Record<string, string | undefined>;
}

/** The process's own streams and environment (read when asked for: process.stdin is created on first use). */
const PROCESS: Io = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get stdin() {
    return process.stdin;
  },
  get env() {
    return process.env;
  },
};

const current = new AsyncLocalStorage<Io>();

/** Runs `fn` with `io` as the CLI's streams and environment (for everything it awaits, too). */
export const withIo = <T>(value: Io, fn: () => Promise<T>): Promise<T> => current.run(value, fn);

export const io = (): Io => current.getStore() ?? PROCESS;
export const env = (): Io["env"] => io().env;
/** Writes to the CLI's stdout. */
export const stdout = (s: string): void => void io().stdout.write(s);
/** Writes to the CLI's stderr. */
export const stderr = (s: string): void => void io().stderr.write(s);

/** Streams that keep what is written to them, for `main(argv, io)` in tests and tools. */
export function captureIo(
  opts: { env?: Record<string, string | undefined>; input?: string; tty?: { columns: number } } = {},
): Io & { out(): string; err(): string } {
  const sink = () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        cb();
      },
    });
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
  };
  const o = sink();
  const e = sink();
  // A terminal of that width on stdout (stderr stays a pipe: the ingest progress bar would depend on timing).
  if (opts.tty) Object.assign(o.stream, { isTTY: true, columns: opts.tty.columns });
  return {
    stdout: o.stream,
    stderr: e.stream,
    stdin: Readable.from(opts.input === undefined ? [] : [Buffer.from(opts.input)]),
    env: { ...opts.env },
    out: o.text,
    err: e.text,
  };
}
