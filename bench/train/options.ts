/**
 * Command-line options of `npm run bench -- train`, parsed without dependencies so the page bundle and the test can
 * share the types. Unknown flags and bad values throw with a message naming the flag.
 */

export type BenchBackend = 'wasm' | 'cpu' | 'webgl' | 'webgpu';
export type BenchEnv = 'node' | 'chromium';

export interface TrainBenchOptions {
  models: string[];
  size: number;
  batch: number;
  /** 3 = RGB as the study fed its networks. */
  channels: 1 | 3;
  backends: BenchBackend[];
  envs: BenchEnv[];
  /** Optimizer steps per timed epoch. */
  steps: number;
  /** Timed epochs (each after one warm-up epoch), and timed inference batches. */
  repeats: number;
  /** Whole runs (Node, Chromium, PyTorch in turn), pooled: spreads tfjs and PyTorch over the same stretch of time. */
  rounds: number;
  /** Also measure the stock tfjs kernels (default true). */
  stock: boolean;
  /** Measure stock cpu training above STOCK_CPU_MAX_SIZE (its filter gradient takes minutes per step). */
  stockCpu: boolean;
  vsTorch: boolean;
  json: boolean;
  /** Write bench/results/train-<timestamp>.json (default true). */
  write: boolean;
  /** XNNPACK threads for wasm: 'auto' = every logical core (default), or a number. */
  wasmThreads: 'auto' | number;
  /** PyTorch's threads: 'all' = every logical core (default), or a number. */
  torchThreads: 'all' | number;
  /** Extra Chromium flags (a real GPU may need some; see docs/backends.md). */
  chromiumFlags: string[];
}

export const DEFAULT_OPTIONS: TrainBenchOptions = {
  models: ['light-k5', 'cnn'],
  size: 128,
  batch: 32,
  channels: 3,
  backends: ['wasm'],
  envs: ['node'],
  steps: 5,
  repeats: 3,
  rounds: 1,
  stock: true,
  stockCpu: false,
  vsTorch: false,
  json: false,
  write: true,
  wasmThreads: 'auto',
  torchThreads: 'all',
  chromiumFlags: [],
};

/** Stock cpu training is only timed up to this size unless --stock-cpu is given. */
export const STOCK_CPU_MAX_SIZE = 32;

/** Why stock training is not attempted for this backend, if it is not. */
export function stockSkipReason(o: TrainBenchOptions, backend: string): string | undefined {
  if (backend !== 'cpu' || o.size <= STOCK_CPU_MAX_SIZE || o.stockCpu) return undefined;
  return `not timed: stock cpu Conv2DBackpropFilter needs minutes per step at ${o.size}×${o.size} (pass --stock-cpu)`;
}

export const USAGE = `usage: npm run bench -- train [options]
  --models a,b        model ids (default light-k5,cnn)
  --size N            square input side (default 128)
  --batch N           batch size (default 32)
  --channels 1|3      input channels (default 3)
  --backend list      wasm,cpu,webgl,webgpu (default wasm; webgl/webgpu in chromium, webgpu in Node through the
                      optional 'webgpu' package; on a software GPU such as SwiftShader at a tiny size only)
  --env node|chromium|both   where to run (default node)
  --steps N           optimizer steps per timed epoch (default 5)
  --repeats N         timed epochs / inference batches, for min/median/max (default 3)
  --rounds N          repeat the whole run N times and pool the figures (default 1; for a shared, noisy machine)
  --no-stock          skip the stock tfjs kernels
  --stock-cpu         time stock cpu training even above ${STOCK_CPU_MAX_SIZE}×${STOCK_CPU_MAX_SIZE} (minutes per step)
  --vs-torch          also run the PyTorch anchors (bench/anchors/torch_train.py) and print ours/PyTorch
  --json              print one JSON object per line instead of the table
  --no-write          do not write bench/results/train-<timestamp>.json
  --wasm-threads N    XNNPACK threads for wasm (default auto = every logical core; 1 = single-threaded)
  --torch-threads N   PyTorch threads (default all = every logical core)
  --chromium-flags "…" extra Chromium flags, e.g. for a real GPU on Linux:
                      "--enable-features=Vulkan,VulkanFromANGLE --use-angle=vulkan"`;

function positiveInt(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw == null || !Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number ≥ 1 (got ${raw})`);
  return n;
}

function list<T extends string>(flag: string, raw: string | undefined, allowed?: readonly T[]): T[] {
  const items = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`${flag} needs a comma-separated list`);
  for (const item of items) {
    if (allowed && !allowed.includes(item as T))
      throw new Error(`${flag}: '${item}' is not one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

/** Parses the suite's arguments (everything after `train`). */
export function parseTrainArgs(argv: readonly string[]): TrainBenchOptions {
  const o: TrainBenchOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const [name, inline] = flag.includes('=')
      ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)]
      : [flag, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--models':
        o.models = list('--models', value());
        break;
      case '--size':
        o.size = positiveInt('--size', value());
        break;
      case '--batch':
        o.batch = positiveInt('--batch', value());
        break;
      case '--channels': {
        const c = positiveInt('--channels', value());
        if (c !== 1 && c !== 3) throw new Error('--channels must be 1 or 3');
        o.channels = c;
        break;
      }
      case '--backend':
      case '--backends':
        o.backends = list('--backend', value(), ['wasm', 'cpu', 'webgl', 'webgpu'] as const);
        break;
      case '--env': {
        const env = value();
        if (env !== 'node' && env !== 'chromium' && env !== 'both')
          throw new Error('--env must be node, chromium or both');
        o.envs = env === 'both' ? ['node', 'chromium'] : [env];
        break;
      }
      case '--steps':
        o.steps = positiveInt('--steps', value());
        break;
      case '--repeats':
        o.repeats = positiveInt('--repeats', value());
        break;
      case '--rounds':
        o.rounds = positiveInt('--rounds', value());
        break;
      case '--no-stock':
        o.stock = false;
        break;
      case '--stock-cpu':
        o.stockCpu = true;
        break;
      case '--vs-torch':
        o.vsTorch = true;
        break;
      case '--json':
        o.json = true;
        break;
      case '--no-write':
        o.write = false;
        break;
      case '--wasm-threads': {
        const v = value();
        o.wasmThreads = v === 'auto' ? 'auto' : positiveInt('--wasm-threads', v);
        break;
      }
      case '--torch-threads': {
        const v = value();
        o.torchThreads = v === 'all' ? 'all' : positiveInt('--torch-threads', v);
        break;
      }
      case '--chromium-flags':
        o.chromiumFlags = (value() ?? '').split(/\s+/).filter(Boolean);
        break;
      default:
        throw new Error(`unknown option '${flag}'\n${USAGE}`);
    }
  }
  return o;
}

/** A tiny run for a software GPU (SwiftShader and the like), which takes minutes per step at the real size. */
export function softwareGpuRequest<T extends { size: number; batch: number; steps: number; repeats: number }>(
  request: T,
  minSize: number,
): T {
  const size = Math.max(16, minSize);
  return { ...request, size, batch: Math.min(request.batch, 4), steps: Math.min(request.steps, 2), repeats: 1 };
}
