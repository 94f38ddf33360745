/**
 * Starting wasm in Node must leave the process's crash handlers as they were: tfjs's emscripten build adds two that
 * rethrow, and a rethrow from inside them ends the process past every other handler (a test fork died that way in
 * CI, with no report). Checked in a child process too, where a stray rejection must reach the host's own handler.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withoutAddedProcessHandlers } from '../../src/lab/backend/fast-training/emscripten-handlers';
import { selectBackend } from '../../src/lab/backend/select-backend';

const run = promisify(execFile);

function handlers(): ((...args: never[]) => unknown)[][] {
  return [process.listeners('uncaughtException'), process.listeners('unhandledRejection')];
}

describe('process handlers around the wasm start', () => {
  it('removes only what the start added', async () => {
    const own = (): void => {};
    const before = handlers();
    await withoutAddedProcessHandlers(async () => {
      process.on('unhandledRejection', () => {});
      process.on('uncaughtException', () => {});
    });
    expect(handlers()).toEqual(before);
    process.on('unhandledRejection', own);
    await withoutAddedProcessHandlers(async () => {});
    expect(process.listeners('unhandledRejection')).toContain(own);
    process.removeListener('unhandledRejection', own);
  });

  it('leaves the process handlers unchanged after selecting wasm (threaded, in Node)', async () => {
    const before = handlers();
    const selection = await selectBackend('wasm');
    expect(selection.name).toBe('wasm');
    expect(handlers()).toEqual(before);
  });

  it("lets a stray rejection after the start reach the host's handler instead of ending the process", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xray-handlers-'));
    const file = join(dir, 'stray-rejection.mts'); // .mts: an ES module, as the CLI runs
    await writeFile(
      file,
      [
        `import { selectBackend } from ${JSON.stringify(resolve('src/lab/backend/select-backend'))};`,
        "process.on('unhandledRejection', (r) => console.log('handled: ' + (r as Error).message));",
        "selectBackend('wasm').then(() => { Promise.reject(new Error('stray')); setTimeout(() => console.log('alive'), 100); });",
      ].join('\n'),
    );
    try {
      // Node with tsx's loader in the same process, as bin/xray-lab.mjs runs the CLI (`npx tsx` adds a launcher).
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 60_000 });
      expect(stdout).toContain('handled: stray');
      expect(stdout).toContain('alive');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
