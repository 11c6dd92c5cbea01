// One error type carries a message meant for the user all the way up to the
// CLI, which prints it as one line (and to the --log file) and exits.

export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** `container "ID" does not exist`: engines match on "does not exist". */
export class NotExistError extends RuntimeError {
  constructor(id: string) {
    super(`container "${id}" does not exist`);
  }
}

/** Adds context in front of an error's message, keeping one line. */
export function withContext(context: string, err: unknown): RuntimeError {
  const msg = err instanceof Error ? err.message : String(err);
  const code = err instanceof RuntimeError ? err.exitCode : 1;
  return new RuntimeError(`${context}: ${msg}`, code);
}

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
