import { relative, sep } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Unit test files left out of `npm run test:quick` (the inner loop: typecheck and the rest of the unit files in
 * under two minutes). The rule: a file goes here when it takes more than about 5 s alone on a quiet 2-core machine
 * (10 s in the unit run on a busy one) — it trains networks for real, runs the CLI end to end, or drives Python, R
 * or a large network. `npm test` runs every file, these included.
 *
 * Longest first, as a full unit run measured them (2026-12-07, both projects, 2 workers): the unit run starts them in
 * this order and the quick files after them (UnitFilesLongestFirst), so that the two workers finish together instead
 * of one running a long file alone at the end. A new slow file goes where its time puts it; unlisted ones run after.
 */
export const SLOW_UNIT_FILES: readonly string[] = [
  'test/export/pytorch-fine-tune.test.ts',
  'test/train/trainer.test.ts',
  'test/export/pytorch-python.test.ts',
  'test/experiment/demo-learns.test.ts',
  'test/cli/compare-transfer.test.ts',
  'test/backend/wasm-threads.test.ts',
  'test/explain/pointing-game.test.ts',
  'test/transfer/fine-tune.test.ts',
  'test/cli/export-pytorch.test.ts',
  'test/cli/label-tables.test.ts',
  'test/cli/compare.test.ts',
  'test/cli/export-pytorch-transfer.test.ts',
  'test/backend/kernel-pool.test.ts',
  'test/persist/dataset-store.test.ts',
  'test/export/stock-export.test.ts',
  'test/cli/compare-comparisons.test.ts',
  'test/train/checkpoint-resume.test.ts',
  'test/backend/conv-gradients.test.ts',
  'test/data/many-files.test.ts',
  'test/cli/compare-exports.test.ts',
  'test/export/onnx-export.test.ts',
  'test/export/keras-h5.test.ts',
  'test/data/hostile-zip.test.ts',
  'test/cli/compare-adapt-bn.test.ts',
  'test/cli/run.test.ts',
  'test/transfer/nsfwjs-inception.test.ts',
  'test/experiment/run-model.test.ts',
  'test/experiment/adapt-bn-run.test.ts',
  'test/cli/write-out.test.ts',
  'test/data/pipeline.test.ts',
  'test/transfer/mobilenet-shared.test.ts',
  'test/cli/compare-kernels.test.ts',
  'test/experiment/run-experiment.test.ts',
  'test/transfer/run-transfer.test.ts',
  'test/cli/preview-dcmtk.test.ts',
  'test/cli/scan.test.ts',
  'test/cli/dicom-datasets.test.ts',
  'test/train/recipe-ingredients.test.ts',
  'test/backend/emscripten-handlers.test.ts',
  'test/explain/families.test.ts',
  'test/data/decoder-threads.test.ts',
  'test/transfer/feature-cache-hostile.test.ts',
  'test/transfer/load-weights.test.ts',
  'test/backend/channel-kernels.test.ts',
  'test/backend/tile-maxpool.test.ts',
  'test/data/zip-source.test.ts',
  'test/train/fused-adam.test.ts',
  'test/data/walk-folder.test.ts',
  'test/data/hostile-files.test.ts',
  'test/cli/models.test.ts',
  'test/worker/backend-fallback.test.ts',
  'test/worker/lab-worker.test.ts',
  'test/experiment/seed-ensemble.test.ts',
  'test/data/dicom.test.ts',
  'test/cli/budget.test.ts',
];

/**
 * Vitest's test sequencer for the unit run: the slow files in the order above, then the quick files as vitest would
 * order them (largest first on a fresh clone, longest first once it has timings). Longest-first keeps both workers
 * busy to the end; vitest alone runs the quick project first and the slow files last, by file size.
 */
export class UnitFilesLongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const rank = (spec: TestSpecification) => {
      const at = SLOW_UNIT_FILES.indexOf(relative(root, spec.moduleId).split(sep).join('/'));
      return at < 0 ? SLOW_UNIT_FILES.length : at;
    };
    // Array.prototype.sort is stable: files of equal rank keep vitest's own order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
