#!/usr/bin/env node
// `npm run bench -- <suite> [options]`: runs a benchmark suite from bench/ in plain Node via tsx.
import { register } from 'tsx/esm/api';

register();
const { runBench } = await import('../bench/run.ts');
process.exitCode = await runBench(process.argv.slice(2));
