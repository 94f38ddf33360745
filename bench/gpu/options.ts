/**
 * Command-line options of `npm run bench -- gpu`. Unknown flags and bad values throw with a message naming the flag.
 */
export type GpuEnv = 'chromium' | 'node';
export type GpuBackend = 'webgpu' | 'webgl';

export interface GpuBenchOptions {
  models: string[];
  size: number;
  batch: number;
  backends: GpuBackend[];
  envs: GpuEnv[];
  /** Optimizer steps per timed epoch. */
  steps: number;
  /** Timed epochs, each after one warm-up epoch. */
  repeats: number;
  /** Chromium flags added to LINUX_GPU_FLAGS (or replacing them with --no-vulkan). */
  chromiumFlags: string[];
  /** Leave out the Linux Vulkan flags (Windows, macOS, or a Linux GPU reached through OpenGL). */
  vulkan: boolean;
  torch: boolean;
  /** Run on software adapters too: only to check the bench itself, its figures measure the CPU. */
  allowSoftware: boolean;
  json: boolean;
  write: boolean;
}

export const DEFAULT_OPTIONS: GpuBenchOptions = {
  models: ['cnn', 'light-k5'],
  size: 128,
  batch: 32,
  backends: ['webgpu', 'webgl'],
  envs: ['chromium', 'node'],
  steps: 5,
  repeats: 3,
  chromiumFlags: [],
  vulkan: true,
  torch: true,
  allowSoftware: false,
  json: false,
  write: true,
};

/** WebGPU is behind a flag on Linux; there Chromium reaches a GPU through Vulkan, even one Chrome blocklists. */
export const BASE_GPU_FLAGS = ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist'];
export const LINUX_VULKAN_FLAGS = ['--enable-features=Vulkan', '--use-angle=vulkan', '--disable-vulkan-surface'];

export function chromiumGpuFlags(o: GpuBenchOptions, platform: string = process.platform): string[] {
  return [...BASE_GPU_FLAGS, ...(o.vulkan && platform === 'linux' ? LINUX_VULKAN_FLAGS : []), ...o.chromiumFlags];
}

export const USAGE = `usage: npm run bench -- gpu [options]
  --models a,b          model ids (default cnn,light-k5)
  --size N              square input side (default 128)
  --batch N             batch size (default 32)
  --backend list        webgpu,webgl (default both)
  --env list            chromium,node (default both; node: WebGPU through the optional 'webgpu' package)
  --steps N             optimizer steps per timed epoch (default 5)
  --repeats N           timed epochs after one warm-up epoch (default 3)
  --chromium-flags "…"  more Chromium flags (CHROMIUM_PATH picks another Chrome/Chromium)
  --no-vulkan           leave out ${LINUX_VULKAN_FLAGS.join(' ')} (added on Linux by default)
  --no-torch            skip PyTorch-CUDA
  --allow-software      run on a software adapter too (checks the bench itself; its figures measure the CPU)
  --json                one JSON line per model, backend and environment
  --no-write            do not write bench/results/gpu-<timestamp>.json
Refuses (exit 3) when no environment offers a hardware adapter (SwiftShader, llvmpipe, a fallback adapter, none).`;

function positiveInt(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw == null || !Number.isInteger(n) || n < 1) {
    throw new Error(`${flag} needs a whole number ≥ 1 (got '${raw}')`);
  }
  return n;
}

function list<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[] | null): T[] {
  if (raw == null || raw === '') throw new Error(`${flag} needs a comma-separated list`);
  return raw.split(',').map((item) => {
    if (allowed != null && !(allowed as readonly string[]).includes(item)) {
      throw new Error(`${flag}: '${item}' is not one of ${allowed.join(', ')}`);
    }
    return item as T;
  });
}

export function parseGpuArgs(argv: readonly string[]): GpuBenchOptions {
  const o: GpuBenchOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--models':
        o.models = list(flag, value(), null);
        break;
      case '--size':
        o.size = positiveInt(flag, value());
        break;
      case '--batch':
        o.batch = positiveInt(flag, value());
        break;
      case '--backend':
        o.backends = list(flag, value(), ['webgpu', 'webgl'] as const);
        break;
      case '--env':
        o.envs = list(flag, value(), ['chromium', 'node'] as const);
        break;
      case '--steps':
        o.steps = positiveInt(flag, value());
        break;
      case '--repeats':
        o.repeats = positiveInt(flag, value());
        break;
      case '--chromium-flags':
        o.chromiumFlags = (value() ?? '').split(/\s+/).filter(Boolean);
        break;
      case '--no-vulkan':
        o.vulkan = false;
        break;
      case '--no-torch':
        o.torch = false;
        break;
      case '--allow-software':
        o.allowSoftware = true;
        break;
      case '--json':
        o.json = true;
        break;
      case '--no-write':
        o.write = false;
        break;
      default:
        throw new Error(`unknown option '${argv[i]}' (see --help)`);
    }
  }
  return o;
}
