/**
 * Turns the measurements into the suite's output: one row per backbone and environment with PyTorch's figure at the
 * same thread count, the table, and the estimate of the study's InceptionV3 run end to end.
 */
import type { BackboneId } from '../../src/lab/transfer/backbones';
import type { EnvResult } from './environment';
import type { TorchBackboneResult } from './torch';

/** The goal: tfjs's forward pass at no less than this fraction of PyTorch's. */
export const GOAL_RATIO = 0.8;

/** The `--json` line: exactly these fields. */
export interface TransferVsTorchRow {
  backbone: BackboneId;
  env: EnvResult['env'];
  imagesPerSec: number;
  torchImagesPerSec: number | null;
  ratio: number | null;
}

/** PyTorch's result for `backbone` at `threads`, if it was run. */
export function torchFor(
  torch: readonly TorchBackboneResult[],
  backbone: BackboneId,
  threads: number,
): TorchBackboneResult | null {
  return torch.find((t) => t.backbone === backbone && t.threads === threads) ?? null;
}

export function makeRows(envs: readonly EnvResult[], torch: readonly TorchBackboneResult[]): TransferVsTorchRow[] {
  return envs.flatMap((e) =>
    e.backbones.map((m) => {
      const theirs = torchFor(torch, m.backbone, m.threads);
      return {
        backbone: m.backbone,
        env: e.env,
        imagesPerSec: m.imagesPerSec,
        torchImagesPerSec: theirs?.imagesPerSec ?? null,
        ratio: theirs ? m.imagesPerSec / theirs.imagesPerSec : null,
      };
    }),
  );
}

const fixed = (v: number | null, digits = 1): string => (v == null ? '—' : v.toFixed(digits));

export function formatTable(envs: readonly EnvResult[], torch: readonly TorchBackboneResult[]): string {
  const lines = [
    '| backbone | size | env | threads | tfjs wasm img/s (min–max) | PyTorch img/s (min–max) | ratio | ≥ 0.8× |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const e of envs) {
    for (const m of e.backbones) {
      const t = torchFor(torch, m.backbone, m.threads);
      const ratio = t ? m.imagesPerSec / t.imagesPerSec : null;
      const range = (runs: number[]) => `${fixed(Math.min(...runs))}–${fixed(Math.max(...runs))}`;
      const theirs = t ? `${fixed(t.imagesPerSec)} (${range(t.runs)})` : '—';
      const ours = `${fixed(m.imagesPerSec)} (${range(m.runs)})`;
      const verdict = ratio == null ? '— | —' : `${ratio.toFixed(2)}× | ${ratio >= GOAL_RATIO ? 'yes' : 'no'}`;
      lines.push(`| ${m.backbone} | ${m.size} | ${e.env} | ${m.threads} | ${ours} | ${theirs} | ${verdict} |`);
    }
  }
  return lines.join('\n');
}

/** The study's InceptionV3 run end to end in one environment, from measured rates: an estimate, not a run. */
export interface EndToEndEstimate {
  env: EnvResult['env'];
  images: number;
  backbonePassSec: number;
  headEpochs: number;
  headSec: number;
  totalSec: number;
  /** PyTorch's backbone pass over the same images at the same threads, for comparison. */
  torchBackbonePassSec: number | null;
}

export function endToEndEstimates(
  envs: readonly EnvResult[],
  torch: readonly TorchBackboneResult[],
): EndToEndEstimate[] {
  const out: EndToEndEstimate[] = [];
  for (const e of envs) {
    const inception = e.backbones.find((m) => m.backbone === 'inception-v3');
    if (inception == null || e.head == null) continue;
    const { images, epochs } = e.head.request;
    const backbonePassSec = images / inception.imagesPerSec;
    const t = torchFor(torch, 'inception-v3', inception.threads);
    out.push({
      env: e.env,
      images,
      backbonePassSec,
      headEpochs: epochs,
      headSec: e.head.ms / 1000,
      totalSec: backbonePassSec + e.head.ms / 1000,
      torchBackbonePassSec: t ? images / t.imagesPerSec : null,
    });
  }
  return out;
}

const minutes = (sec: number): string => (sec >= 90 ? `${(sec / 60).toFixed(1)} min` : `${sec.toFixed(1)} s`);

export function describeEstimate(e: EndToEndEstimate): string {
  return (
    `InceptionV3 end to end on ${e.images.toLocaleString('en')} images in ${e.env} (an estimate from the measured ` +
    `rates, not a run): one backbone pass ${minutes(e.backbonePassSec)} + ${e.headEpochs} head epochs on cached ` +
    `features ${minutes(e.headSec)} = ${minutes(e.totalSec)}` +
    (e.torchBackbonePassSec == null
      ? ''
      : `; PyTorch's backbone pass alone would take ${minutes(e.torchBackbonePassSec)}`)
  );
}
