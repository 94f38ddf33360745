/**
 * "Save project" (one .zip: experiment card with results and curves, every trained model, the checkpoints of
 * interrupted runs and, if ticked, the decoded images — see project-zip.ts) and "Open project" (restores one in any
 * browser, and keeps it there). Both run in the worker. A file that is not a whole project says why and changes nothing.
 */
import { useState } from 'react';

interface Props {
  /** A project can be saved: results or interrupted runs, with the data they came from described. */
  canSave: boolean;
  /** Images loaded that are the data of the shown results (so they can go into the file), and how many. */
  images: number | null;
  busy: boolean;
  onSave: (withImages: boolean) => Promise<void>;
  onOpen: (file: File) => void;
}

export function ProjectFileControls({ canSave, images, busy, onSave, onOpen }: Props) {
  const [withImages, setWithImages] = useState(false);
  const [saving, setSaving] = useState(false);
  const save = () => {
    setSaving(true);
    void onSave(withImages && images != null).finally(() => setSaving(false));
  };
  return (
    <div className="project-file">
      <button type="button" data-testid="save-project" disabled={!canSave || busy || saving} onClick={save}>
        {saving ? 'Saving project…' : 'Save project'}
      </button>{' '}
      <label
        className="field-inline"
        title="The file can then resume and retrain in a browser that never saw the folder; it grows by the decoded pixels."
      >
        <input
          type="checkbox"
          data-testid="save-project-images"
          checked={withImages && images != null}
          disabled={images == null}
          onChange={(e) => setWithImages(e.currentTarget.checked)}
        />
        <span>
          {' '}
          with the decoded images{images != null ? ` (${images})` : ' (load the data of these results first)'}
        </span>
      </label>{' '}
      <label className="field-inline">
        <span>Open project </span>
        <input
          type="file"
          accept=".zip,application/zip"
          data-testid="open-project-input"
          disabled={busy}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) onOpen(file);
          }}
        />
      </label>
    </div>
  );
}
