/**
 * The column-mapping form, shown when a folder dropped or chosen holds a label table (.csv, .tsv, .txt, or one of
 * them .gz) next to its images: which table, which column names the image, holds the label, the patient and the
 * split, which label values make which class, and the official split lists. The same contract as the CLI's
 * --labels flags (README, "Label tables"); the choice goes to the worker, which joins the table in the core.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  previewTable,
  tableCandidates,
  type PickedLabels,
  type TablePreview,
} from '../../lab/data/table/picked-labels';
import { parseClassMap } from '../../lab/data/table/mapping';
import { detectLayout, SPLIT_NAMES } from '../../lab/data/layout';
import { extensionOf, IMAGE_EXTENSIONS, mayBeDicom } from '../../lab/data/file-kinds';
import type { Picked } from '../../worker/protocol';
import '../label-form.css';

type PickedFiles = Extract<Picked, { kind: 'files' }>;

interface Props {
  picked: PickedFiles;
  disabled: boolean;
  onLoad: (labels: PickedLabels) => void;
  /** Load the folder as class folders, ignoring the tables. */
  onFolders: () => void;
  onCancel: () => void;
}

const IMAGE_NAME = /\.(png|jpe?g|dcm|dicom)$/i;

/** A file the loaders may decode: an image extension, or a name a DICOM may have without one (RSNA's ids). */
function mayBeImage(path: string): boolean {
  return IMAGE_EXTENSIONS.includes(extensionOf(path)) || mayBeDicom(path);
}

/**
 * True when the form is offered: the picked files hold images and a .csv or .tsv (plain or .gz), or a .txt where the
 * images do not form class folders (COVIDx). A README.txt beside class folders loads them as before.
 */
export function offersLabelForm(picked: Picked): picked is PickedFiles {
  if (picked.kind !== 'files' || !picked.files.some((f) => mayBeImage(f.path))) return false;
  const tables = tableCandidates(picked.files);
  if (tables.length === 0) return false;
  if (tables.some((t) => /\.(csv|tsv)(\.gz)?$/i.test(t))) return true;
  try {
    // COVIDx's train/ and test/ hold images directly: read as class folders they would be classes "train" and "test".
    const { classNames } = detectLayout(picked.files.map((f) => f.path));
    return classNames.some((c) => (SPLIT_NAMES as readonly string[]).includes(c.toLowerCase()));
  } catch {
    return true;
  }
}

export function LabelTableForm({ picked, disabled, onLoad, onFolders, onCancel }: Props) {
  const candidates = useMemo(() => tableCandidates(picked.files), [picked]);
  // A .csv (or .tsv) is likelier the table than a .txt list.
  const [table, setTable] = useState(() => candidates.find((p) => /\.(csv|tsv)(\.gz)?$/i.test(p)) ?? candidates[0]);
  const [header, setHeader] = useState<boolean | undefined>(undefined);
  const [preview, setPreview] = useState<(TablePreview & { hasHeader: boolean }) | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [imageColumn, setImageColumn] = useState('');
  const [labelColumn, setLabelColumn] = useState('');
  const [patientColumn, setPatientColumn] = useState('');
  const [splitColumn, setSplitColumn] = useState('');
  const [classes, setClasses] = useState('');
  const [testList, setTestList] = useState('');
  const [valList, setValList] = useState('');

  useEffect(() => {
    let live = true;
    const file = picked.files.find((f) => f.path === table || f.path.replace(/\\/g, '/') === table)?.file;
    if (!file) return;
    void file.arrayBuffer().then((buffer) => {
      if (!live) return;
      try {
        const p = previewTable(new Uint8Array(buffer), table.split('/').pop() ?? table, header);
        setPreview(p);
        setProblem(null);
        setImageColumn(
          guess(
            p,
            (c, i) => p.sample.some((row) => IMAGE_NAME.test(row[i] ?? '')) || /image|path|file|dicom/i.test(c),
            0,
          ),
        );
        setLabelColumn(guess(p, (c) => /label|finding|target|class|pneumonia/i.test(c), 1));
        setPatientColumn(guess(p, (c) => /patient|subject/i.test(c), -1));
        setSplitColumn(guess(p, (c) => /^split$/i.test(c), -1));
      } catch (err) {
        setPreview(null);
        setProblem((err as Error).message);
      }
    });
    return () => {
      live = false;
    };
  }, [picked, table, header]);

  let classesProblem: string | null = null;
  let classMap: [string, string][] | null = null;
  if (classes.trim() !== '') {
    try {
      classMap = parseClassMap(classes);
    } catch (err) {
      classesProblem = (err as Error).message;
    }
  }
  const labelValues = preview?.values[preview.columns.findIndex((c) => c.value === labelColumn)] ?? [];
  const ready = preview !== null && imageColumn !== '' && labelColumn !== '' && classesProblem === null;
  const columnSelect = (id: string, value: string, set: (v: string) => void, optional: boolean) => (
    <select data-testid={id} value={value} disabled={disabled} onChange={(e) => set(e.currentTarget.value)}>
      {optional && <option value="">none</option>}
      {preview?.columns.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
  const listSelect = (id: string, value: string, set: (v: string) => void) => (
    <select data-testid={id} value={value} disabled={disabled} onChange={(e) => set(e.currentTarget.value)}>
      <option value="">none</option>
      {candidates
        .filter((c) => c !== table)
        .map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
    </select>
  );

  return (
    <form
      className="label-form"
      data-testid="label-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return;
        onLoad({
          tables: [table],
          testList: testList || null,
          valList: valList || null,
          mapping: {
            imageColumn,
            labelColumn,
            patientColumn: patientColumn || null,
            splitColumn: splitColumn || null,
            classes: classMap,
          },
        });
      }}
    >
      <p className="note">
        This folder holds a label table. Say how its rows name the images and their classes, or load the folder as class
        folders.
      </p>
      <label>
        Label table{' '}
        <select
          data-testid="label-table"
          value={table}
          disabled={disabled}
          onChange={(e) => setTable(e.currentTarget.value)}
        >
          {candidates.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="label-check">
        <input
          type="checkbox"
          data-testid="label-header"
          checked={preview?.hasHeader ?? true}
          disabled={disabled}
          onChange={(e) => setHeader(e.currentTarget.checked)}
        />{' '}
        first row names the columns
      </label>
      {problem && (
        <p className="error" data-testid="label-problem">
          {problem}
        </p>
      )}
      {preview && (
        <>
          <label>Image column {columnSelect('label-image-column', imageColumn, setImageColumn, false)}</label>
          <label>Label column {columnSelect('label-label-column', labelColumn, setLabelColumn, false)}</label>
          <label>Patient column {columnSelect('label-patient-column', patientColumn, setPatientColumn, true)}</label>
          <label>Split column {columnSelect('label-split-column', splitColumn, setSplitColumn, true)}</label>
          <label>
            Classes{' '}
            <input
              type="text"
              data-testid="label-classes"
              value={classes}
              disabled={disabled}
              placeholder="VALUE=CLASS,… (empty: each value its own class)"
              onChange={(e) => setClasses(e.currentTarget.value)}
            />
          </label>
          {labelValues.length > 0 && (
            <p className="muted" data-testid="label-values">
              Values in that column: {labelValues.map((v) => v || '(blank)').join(', ')}
            </p>
          )}
          {classesProblem && (
            <p className="error" data-testid="label-classes-problem">
              {classesProblem}
            </p>
          )}
          <label>Test list {listSelect('label-test-list', testList, setTestList)}</label>
          <label>Validation list {listSelect('label-val-list', valList, setValList)}</label>
        </>
      )}
      <div className="button-row">
        <button type="submit" className="primary" data-testid="label-load" disabled={disabled || !ready}>
          Load with this table
        </button>
        <button type="button" data-testid="label-as-folders" disabled={disabled} onClick={onFolders}>
          Load as class folders
        </button>
        <button type="button" className="link-button" disabled={disabled} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The first column whose name (or samples) fit, else the column at `fallback` (-1: none). */
function guess(p: TablePreview, fits: (name: string, index: number) => boolean, fallback: number): string {
  const i = p.columns.findIndex((c, k) => fits(c.label, k));
  if (i >= 0) return p.columns[i].value;
  return fallback >= 0 && fallback < p.columns.length ? p.columns[fallback].value : '';
}
