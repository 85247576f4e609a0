/**
 * User-facing errors. Everything a user can get wrong (a file, a column, a term, a value) is thrown as
 * a {@link MixmcError}; the CLI prints its message without a stack trace and exits with code 2.
 * Anything else is a bug and keeps its stack.
 */
export interface ErrorLocation {
  /** The file the problem is in. */
  file?: string;
  /** 1-based line number in that file. */
  line?: number;
  /** 1-based column number, or the column's name. */
  column?: number | string;
  /** The model term or spec key involved. */
  term?: string;
}

export class MixmcError extends Error {
  readonly location: ErrorLocation;
  constructor(message: string, location: ErrorLocation = {}) {
    super(formatLocation(location) + message);
    this.name = 'MixmcError';
    this.location = location;
  }
}

function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== undefined) parts.push(typeof loc.column === 'number' ? `column ${loc.column}` : `column '${loc.column}'`);
  if (loc.term !== undefined) parts.push(`term '${loc.term}'`);
  return parts.length > 0 ? `${parts.join(', ')}: ` : '';
}

/** True when `err` is an error the user caused (bad input), as opposed to a bug. */
export function isUserError(err: unknown): err is MixmcError {
  return err instanceof MixmcError;
}
