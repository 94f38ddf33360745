/**
 * `npm run bench -- twin-shift [--seeds 1,2,3 --size 64 --epochs 5 --lab-args "…"]`: the lab's CNN and its PyTorch
 * twin (../shared/tools/torch-twin.py) trained on the same folders and scored by one implementation under the shift
 * stand-ins. The work is Python (twin_shift.py beside this file): it needs Debian's python3-torch, as the twin does.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'twin_shift.py');

export async function runTwinShiftBench(argv: string[]): Promise<number> {
  const python = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
  const run = spawnSync(python, [SCRIPT, ...argv], { stdio: 'inherit' });
  if (run.error) {
    process.stderr.write(
      `twin-shift: cannot start ${python} (${run.error.message}); on Debian: apt-get install python3-torch\n`,
    );
    return 2;
  }
  return run.status ?? 1;
}
