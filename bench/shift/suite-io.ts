/** Where the shift suite writes: its table to `out`, its progress to `log`. */
export interface SuiteIO {
  out(text: string): void;
  log(line: string): void;
}

export const STDIO: SuiteIO = {
  out: (text) => process.stdout.write(text),
  log: (line) => process.stderr.write(`[bench shift] ${line}\n`),
};
