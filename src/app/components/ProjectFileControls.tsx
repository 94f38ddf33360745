/**
 * "Save project" (one .zip: experiment card with results and curves, every trained model, see project-zip.ts) and
 * "Open project" (restores one in any browser). A file that is not a whole project says why and changes nothing.
 */
import type { ModelResult } from '../../worker/protocol';
import { saveBlob } from '../lib/download';
import { projectZipOf } from '../lib/project-file';
import type { ResultsContext } from '../state/lab-state';

interface Props {
  context: ResultsContext | null;
  results: ModelResult[];
  busy: boolean;
  onOpen: (file: File) => void;
  onError: (message: string) => void;
}

export function ProjectFileControls({ context, results, busy, onOpen, onError }: Props) {
  const canSave = context != null && context.data != null && results.length > 0;
  const save = () => {
    try {
      saveBlob(projectZipOf(context!, results), 'xray-lab-project.zip');
    } catch (err) {
      onError(`Could not save the project: ${(err as Error).message}`);
    }
  };
  return (
    <div className="project-file">
      <button type="button" data-testid="save-project" disabled={!canSave || busy} onClick={save}>
        Save project
      </button>{' '}
      <label className="field-inline">
        <span>Open project </span>
        <input type="file" accept=".zip,application/zip" data-testid="open-project-input" disabled={busy}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) onOpen(file);
          }} />
      </label>
    </div>
  );
}
