/**
 * The standard formats of one trained model, next to its lab-format download: stock TF.js (plain
 * `@tensorflow/tfjs` loads it; outputs probabilities), Keras .h5 and ONNX. The worker makes them on demand from the
 * lab files the page keeps, so training never pays for them. Test ids: `download-stock-<id>`, `download-h5-<id>` and
 * `download-onnx-<id>` (with `-seed-<n>` for a model's later seeds, as `download-<id>`).
 */
import { useState } from 'react';
import { runKeyId } from '../../lab/experiment/run-control';
import type { ModelResult } from '../../worker/protocol';
import type { ModelFormat } from '../../worker/protocol-export';
import { saveBlob } from '../lib/download';
import { zipFiles } from '../lib/zip-files';
import { modelFiles } from '../state/artefacts';
import type { ExportActions } from '../state/use-exports';

interface Props {
  result: ModelResult;
  /** The row's lab-format test id (`download-<id>` or `download-<id>-seed-<n>`). */
  testId: string;
  /** File name stem: `xray-lab-<id>` or `xray-lab-<id>-seed-<n>`. */
  stem: string;
  disabled: boolean;
  exports: ExportActions;
  onError: (message: string) => void;
}

export function ModelFormats({ result, testId, stem, disabled, exports, onError }: Props) {
  const [making, setMaking] = useState<ModelFormat | null>(null);
  const saved = modelFiles(runKeyId(result));
  if (!saved) return null;

  const download = async (format: ModelFormat) => {
    setMaking(format);
    try {
      const files = await exports.exportModel(saved, format);
      if (format === 'onnx')
        saveBlob(new Blob([files['model.onnx'] as BlobPart], { type: 'application/octet-stream' }), `${stem}.onnx`);
      else if (format === 'h5')
        saveBlob(new Blob([files['model.h5'] as BlobPart], { type: 'application/x-hdf5' }), `${stem}.h5`);
      else
        saveBlob(
          await zipFiles({ 'model.json': files['stock/model.json'], 'weights.bin': files['stock/weights.bin'] }),
          `${stem}-stock.zip`,
        );
    } catch (err) {
      onError(`Could not export ${result.record.label}: ${(err as Error).message}`);
    } finally {
      setMaking(null);
    }
  };

  return (
    <>
      <button
        type="button"
        data-testid={testId.replace(/^download-/, 'download-stock-')}
        disabled={disabled || making !== null}
        title="Only stock Keras layers: plain @tensorflow/tfjs and tensorflowjs_converter load it; outputs class probabilities"
        onClick={() => download('stock')}
      >
        {making === 'stock' ? 'preparing…' : 'stock TF.js (loads anywhere)'}
      </button>
      <button
        type="button"
        data-testid={testId.replace(/^download-/, 'download-h5-')}
        disabled={disabled || making !== null}
        title="The stock model as a Keras HDF5 file: keras.models.load_model('model.h5')"
        onClick={() => download('h5')}
      >
        {making === 'h5' ? 'preparing…' : 'Keras .h5'}
      </button>
      <button
        type="button"
        data-testid={testId.replace(/^download-/, 'download-onnx-')}
        disabled={disabled || making !== null}
        title="The stock model as ONNX (opset 13) for ONNX Runtime and its converters: NHWC pixels in, class probabilities out"
        onClick={() => download('onnx')}
      >
        {making === 'onnx' ? 'preparing…' : 'ONNX'}
      </button>
    </>
  );
}
