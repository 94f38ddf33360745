/** A problem with what the user asked for: printed as one line, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Where a command writes. Progress and diagnostics go to stderr so stdout stays machine-readable. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}
