/**
 * Where data comes in: drop a folder or zip, pick one, or generate the phantom demo set. One <input type=file>
 * serves both folder and zip: the two buttons switch its mode before opening it.
 */
import { useRef, useState, type DragEvent } from 'react';
import type { SourceFile } from '../../worker/protocol';
import { fromDataTransfer, fromFileList, type Dropped } from '../lib/read-drop';
import { NumberField } from './NumberField';

interface Props {
  disabled: boolean;
  demoPerClass: number;
  onDemoPerClass: (n: number) => void;
  onDemo: () => void;
  onFolder: (name: string, files: SourceFile[]) => void;
  onZip: (zip: File) => void;
  onError: (message: string) => void;
}

/** Why picked loose files cannot be a dataset. */
function looseFilesMessage(files: SourceFile[]): string {
  const names = files.slice(0, 3).map((f) => f.path).join(', ') + (files.length > 3 ? ', …' : '');
  return (
    `${names}: not a dataset. Choose the folder that holds one sub-folder per class (for example NORMAL/ and ` +
    'PNEUMONIA/), or a .zip archive of it; loose files carry no class.'
  );
}

export function DatasetPicker(props: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const accept = (dropped: Dropped | null) => {
    if (!dropped) return;
    if (dropped.kind === 'zip') props.onZip(dropped.file);
    else if (dropped.kind === 'folder') props.onFolder(dropped.name, dropped.files);
    else props.onError(looseFilesMessage(dropped.files));
  };

  const open = (mode: 'folder' | 'zip') => {
    const el = input.current;
    if (!el) return;
    setMode(el, mode);
    el.click();
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (props.disabled) return;
    accept(await fromDataTransfer(e.dataTransfer));
  };

  return (
    <div className="picker">
      <div
        className={`dropzone ${over ? 'is-over' : ''} ${props.disabled ? 'is-disabled' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p className="dropzone-title">Drop a dataset folder or a .zip here</p>
        <p className="dropzone-hint">One sub-folder per class (NORMAL/, PNEUMONIA/ …), optionally inside train/, val/, test/.</p>
        <div className="button-row">
          <button type="button" disabled={props.disabled} onClick={() => open('folder')}>Choose folder…</button>
          <button type="button" disabled={props.disabled} onClick={() => open('zip')}>Choose .zip…</button>
        </div>
        <input
          ref={(el) => {
            input.current = el;
            if (el && !el.dataset.mode) setMode(el, 'folder');
          }}
          type="file"
          className="visually-hidden"
          data-testid="dataset-input"
          disabled={props.disabled}
          onChange={(e) => {
            accept(fromFileList(e.currentTarget.files ?? new DataTransfer().files));
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
          <button type="button" className="primary" data-testid="demo-dataset" disabled={props.disabled} onClick={props.onDemo}>
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
