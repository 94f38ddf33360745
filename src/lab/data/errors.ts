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
    super(hint ? `${path}: ${oneLine}\n${hint}` : `${path}: ${oneLine}`);
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
