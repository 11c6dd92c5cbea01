// One error type for every problem found in a config.json (or state.json,
// process.json): where it is (a JSON pointer, RFC 6901) and what rule it
// breaks, rendered as `config.json: /process/args: must be a non-empty array`.

export class ConfigError extends Error {
  /** JSON pointer into the document; '' is the whole document. */
  readonly pointer: string;
  /** The rule that is broken, in words (the part after the pointer). */
  readonly rule: string;
  /** The document's name as shown to the user: config.json, process.json, ... */
  readonly file: string;

  constructor(pointer: string, rule: string, file = 'config.json') {
    // The whole document has the pointer '' but is shown as '/' so that every
    // message keeps the `file: pointer: rule` shape.
    super(`${file}: ${pointer === '' ? '/' : pointer}: ${rule}`);
    this.name = 'ConfigError';
    this.pointer = pointer;
    this.rule = rule;
    this.file = file;
  }

  /** The same error reported against another document name. */
  withFile(file: string): ConfigError {
    return new ConfigError(this.pointer, this.rule, file);
  }
}

/** Escapes one reference token of a JSON pointer (RFC 6901 section 3). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON pointer from its unescaped tokens: ('process', 'args', 0) -> /process/args/0 */
export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(t)}`).join('');
}
