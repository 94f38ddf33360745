/**
 * "PyTorch project": the experiment on the page (its card: settings, split manifest) and every trained model as a
 * small PyTorch project that trains the same experiment with torchrun / DistributedDataParallel on one machine or a
 * cluster and writes the lab's results.json (src/lab/export/pytorch). Built by the worker, which holds the
 * backbone weights transfer models need. Test id: `download-pytorch`.
 */
import { useState } from 'react';
import type { ModelResult } from '../../worker/protocol';
import { saveBlob } from '../lib/download';
import { zipFiles } from '../lib/zip-files';
import type { ResultsContext } from '../state/lab-state';
import type { ExportActions } from '../state/use-exports';

interface Props {
  results: ModelResult[];
  context: ResultsContext | null;
  disabled: boolean;
  exports: ExportActions;
  onError: (message: string) => void;
}

export function PytorchExport({ results, context, disabled, exports, onError }: Props) {
  const [making, setMaking] = useState(false);

  const download = async () => {
    setMaking(true);
    try {
      if (!context) throw new Error('no results to export');
      const files = await exports.pytorchProject(context, results);
      saveBlob(await zipFiles(files), 'xray-lab-pytorch.zip');
    } catch (err) {
      onError(`Could not export the PyTorch project: ${(err as Error).message}`);
    } finally {
      setMaking(false);
    }
  };

  return (
    <p className="pytorch-export">
      <button
        type="button"
        data-testid="download-pytorch"
        disabled={disabled || making || !context?.data}
        onClick={download}
      >
        {making
          ? 'preparing the PyTorch project…'
          : 'PyTorch project — the experiment for torchrun / a GPU cluster (.zip)'}
      </button>
      <span className="field-hint">
        {' '}
        models.py, train.py (DistributedDataParallel), the split manifest and the trained weights; unzip, then{' '}
        <code>python3 train.py --nproc N --data DIR</code> or{' '}
        <code>torchrun --nproc_per_node=N train.py --data DIR</code>. It writes <code>DIR/results/results.json</code>:
        open it here with &ldquo;Open a saved experiment&rdquo;.
      </span>
    </p>
  );
}
