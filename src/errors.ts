/** The exit-code contract from SPEC.md. */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2, internal: 70 } as const;

/** The one error type commands throw; the entry point turns it into a message and an exit code. */
export class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "ExitError";
  }
}

export const usageError = (message: string, hint?: string): ExitError => new ExitError(EXIT.usage, message, hint);

/** Nothing to replay: no request-log rows in the window (a usage error a caller such as budget --plan may expect). */
export class NoTrafficError extends ExitError {
  constructor(message: string, hint?: string) {
    super(EXIT.usage, message, hint);
    this.name = "NoTrafficError";
  }
}
