/**
 * A problem with the user's data (a folder, an archive, one image file). Its first message line always reads
 * `<path>: <problem>`, so a CLI can print it as is and a UI can show which file or folder to fix; an optional hint
 * (for example the expected folder tree) follows on the next lines.
 */
export class DataError extends Error {
  /** The file or folder at fault, as the user would recognise it. */
  readonly path: string;
  /** What is wrong, one line, no path. */
  readonly problem: string;
  /** Optional extra lines explaining what was expected. */
  readonly hint?: string;

  constructor(path: string, problem: string, hint?: string) {
    // Collapse line breaks in the problem itself: the first line must stay "<path>: <problem>".
    const oneLine = problem.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    super(hint ? `${showPath(path)}: ${oneLine}\n${hint}` : `${showPath(path)}: ${oneLine}`);
    this.name = 'DataError';
    this.path = path;
    this.problem = oneLine;
    if (hint !== undefined) this.hint = hint;
  }
}

/** True for a DataError (also across module copies, where `instanceof` can fail). */
export function isDataError(err: unknown): err is DataError {
  return err instanceof DataError || (err instanceof Error && err.name === 'DataError' && 'path' in err);
}

/**
 * A path as one printable line: control characters (a newline or a tab in a file name) written as `\n`, `\t` or
 * `\xNN`, so a hostile file name cannot break a one-line message or fake another line of output.
 */
export function showPath(path: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this shows escaped
  return path.replace(/[\x00-\x1f\x7f]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\t'
        ? '\\t'
        : c === '\r'
          ? '\\r'
          : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
