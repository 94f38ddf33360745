/**
 * Where data comes in: drop a folder or zip, pick one, or generate the phantom demo set. What is picked becomes the
 * core's cloneable `Picked` here, on the main thread (where FileList, DataTransfer and directory handles live), and
 * goes to the lab worker as is. One <input type=file> serves folder and zip: the buttons switch its mode first.
 */
import { useRef, useState, type DragEvent, type Ref } from 'react';
import { pickFromDataTransfer, pickFromDirectoryHandle, type DirectoryHandleLike } from '../../lab/data/browser/drop';
import { pickFromFileList } from '../../lab/data/browser/picked';
import type { Picked } from '../../worker/protocol';
import { NumberField } from './NumberField';
import { useShown } from '../lesson/lesson-context';

interface Props {
  disabled: boolean;
  /** The "Choose folder…" button, for returning focus to it (after a budget offer is cancelled). */
  chooseFolderRef?: Ref<HTMLButtonElement>;
  demoPerClass: number;
  onDemoPerClass: (n: number) => void;
  /** Most images to load from a folder or zip (0 = all). */
  limit: number;
  onLimit: (n: number) => void;
  onDemo: () => void;
  onPick: (picked: Picked) => void;
  onError: (message: string) => void;
}

/** The File System Access API's folder picker (Chromium): unlike webkitdirectory it also lists empty folders. */
type FolderPicker = () => Promise<DirectoryHandleLike>;
const folderPicker = (): FolderPicker | null =>
  (window as unknown as { showDirectoryPicker?: FolderPicker }).showDirectoryPicker?.bind(window) ?? null;

export function DatasetPicker(props: Props) {
  const input = useRef<HTMLInputElement>(null);
  const shown = useShown();
  const [over, setOver] = useState(false);
  const [walking, setWalking] = useState(false);
  const disabled = props.disabled || walking;

  /** Waits for a drop's or a folder handle's walk (it reads directory entries one batch at a time). */
  const accept = async (picking: Promise<Picked | null>) => {
    setWalking(true);
    try {
      const picked = await picking;
      if (picked) props.onPick(picked);
    } catch (err) {
      if ((err as Error).name !== 'AbortError')
        props.onError(`Could not read what was chosen: ${(err as Error).message}`);
    } finally {
      setWalking(false);
    }
  };

  const open = (mode: 'folder' | 'zip') => {
    const pickFolder = mode === 'folder' ? folderPicker() : null;
    if (pickFolder) {
      void accept(pickFolder().then(pickFromDirectoryHandle));
      return;
    }
    const el = input.current;
    if (!el) return;
    setMode(el, mode);
    el.click();
  };

  const onDrop = (e: DragEvent) => {
    // Take the entries before anything else: the browser empties the DataTransfer once this handler returns.
    const picking = disabled ? null : pickFromDataTransfer(e.dataTransfer);
    e.preventDefault();
    setOver(false);
    if (picking) void accept(picking);
  };

  return (
    <div className="picker">
      <div
        className={`dropzone ${over ? 'is-over' : ''} ${disabled ? 'is-disabled' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p className="dropzone-title">Drop a dataset folder or a .zip here</p>
        <p className="dropzone-hint">
          One sub-folder per class (NORMAL/, PNEUMONIA/ …), optionally inside train/, val/, test/.
        </p>
        <div className="button-row">
          <button type="button" ref={props.chooseFolderRef} disabled={disabled} onClick={() => open('folder')}>
            Choose folder…
          </button>
          <button type="button" disabled={disabled} onClick={() => open('zip')}>
            Choose .zip…
          </button>
        </div>
        {shown('limit') && (
          <NumberField
            label="Load at most"
            testId="setting-limit"
            value={props.limit}
            min={0}
            max={1_000_000}
            step={100}
            integer
            compact
            onChange={props.onLimit}
            disabled={props.disabled}
            hint={
              props.limit > 0
                ? 'images: a seeded subset, same share of each class (a test/ folder stays whole)'
                : 'images (0 = all); a seeded subset keeps large sets in memory'
            }
          />
        )}
        {walking && <p className="dropzone-hint">Listing the chosen files…</p>}
        <input
          ref={(el) => {
            input.current = el;
            if (el && !el.dataset.mode) setMode(el, 'folder');
          }}
          type="file"
          className="visually-hidden"
          aria-label="Dataset folder or .zip file"
          tabIndex={-1}
          data-testid="dataset-input"
          disabled={disabled}
          onChange={(e) => {
            const picked = pickFromFileList(e.currentTarget.files ?? []);
            if (picked) props.onPick(picked);
            // A file input lists files only: an empty folder (or one holding only empty folders) arrives as nothing.
            else props.onError(e.currentTarget.dataset.mode === 'zip' ? 'No file was chosen.' : EMPTY_FOLDER);
            e.currentTarget.value = '';
            setMode(e.currentTarget, 'folder');
          }}
        />
      </div>
      <div className="demo">
        <p className="demo-text">
          No data at hand? The <strong>phantom set</strong> is drawn in your browser: two lung fields, ribs, spine and
          heart; the pneumonia class adds patchy opacities. Same seed, same images.
        </p>
        <div className="button-row">
          <button
            type="button"
            className="primary"
            data-testid="demo-dataset"
            disabled={disabled}
            onClick={props.onDemo}
          >
            Use demo dataset
          </button>
          <NumberField
            label="images per class"
            testId="setting-demo-count"
            value={props.demoPerClass}
            min={4}
            max={2000}
            step={1}
            integer
            onChange={props.onDemoPerClass}
            disabled={props.disabled}
            compact
          />
        </div>
      </div>
    </div>
  );
}

/** What an empty choice in folder mode means, said instead of nothing. */
export const EMPTY_FOLDER =
  'The chosen folder holds no files (a browser lists files only, so empty folders inside it are not seen either). ' +
  'Choose a folder with one sub-folder of images per class.';

/** Folder mode picks a directory (webkitdirectory, not in React's typings); zip mode picks one archive. */
function setMode(el: HTMLInputElement, mode: 'folder' | 'zip'): void {
  el.dataset.mode = mode;
  if (mode === 'folder') {
    el.setAttribute('webkitdirectory', '');
    el.removeAttribute('accept');
  } else {
    el.removeAttribute('webkitdirectory');
    el.accept = '.zip,application/zip';
  }
}
