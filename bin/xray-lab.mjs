#!/usr/bin/env node
// Runs the TypeScript CLI in plain Node through tsx's loader: no build step, no native addon, nothing downloaded.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
