/** `bench gpu`'s rows and table: one per model, backend and environment, next to PyTorch-CUDA's figure. */
import type { AdapterClass } from './adapter-class';
import type { GpuEnvOutcome } from './environment';
import type { TorchCudaResult } from './torch-cuda';

/** The `--json` line. */
export interface GpuBenchRow {
  model: string;
  backend: 'webgpu' | 'webgl';
  env: GpuEnvOutcome['env'];
  adapter: string;
  size: number;
  batch: number;
  imagesPerSec: number | null;
  programsPerStep: number | null;
  torchCudaImagesPerSec: number | null;
  torchCudaDevice: string | null;
  error: string | null;
}

/** The adapter a backend ran on; a software one (only with --allow-software) says so. */
function adapterOf(adapters: readonly AdapterClass[], api: string): string {
  const a = adapters.find((c) => c.api === api);
  if (a == null || a.kind === 'none') return '?';
  return a.kind === 'software' ? `${a.adapter} (software: ${a.software})` : a.adapter;
}

export function makeGpuRows(envs: readonly GpuEnvOutcome[], torch: readonly TorchCudaResult[]): GpuBenchRow[] {
  return envs.flatMap((e) =>
    e.measurements.map((m) => {
      const t = torch.find((r) => r.model === m.request.model) ?? null;
      return {
        model: m.request.model,
        backend: m.request.backend,
        env: e.env,
        adapter: adapterOf(e.adapters, m.request.backend),
        size: m.request.size,
        batch: m.request.batch,
        imagesPerSec: m.imagesPerSec,
        programsPerStep: m.programsPerStep,
        torchCudaImagesPerSec: t?.trainImgPerSec ?? null,
        torchCudaDevice: t?.device ?? null,
        error: m.trainError ?? m.programsError,
      };
    }),
  );
}

const fixed = (v: number | null): string => (v == null ? '—' : v.toFixed(1));

export function formatGpuTable(rows: readonly GpuBenchRow[]): string {
  const lines = [
    '| model | backend | env | adapter | size | batch | train img/s | GPU programs/step | PyTorch-CUDA img/s |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.model} | ${r.backend} | ${r.env} | ${r.adapter} | ${r.size} | ${r.batch} | ` +
        `${r.imagesPerSec == null ? `— (${r.error ?? 'not measured'})` : fixed(r.imagesPerSec)} | ` +
        `${r.programsPerStep ?? '—'} | ` +
        `${r.torchCudaImagesPerSec == null ? '—' : `${fixed(r.torchCudaImagesPerSec)} (${r.torchCudaDevice})`} |`,
    );
  }
  return lines.join('\n');
}
