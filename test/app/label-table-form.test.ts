/**
 * The page's label-table pieces without a browser: when the column form is offered, the table preview it shows,
 * and the choice read back into the core's table spec.
 */
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { offersLabelForm } from '../../src/app/components/LabelTableForm';
import { previewTable, readPickedLabels, tableCandidates } from '../../src/lab/data/table/picked-labels';
import type { Picked } from '../../src/lab/data/browser/picked';

const blob = (text: string | Uint8Array): Blob =>
  new Blob([typeof text === 'string' ? text : (text.slice().buffer as ArrayBuffer)]);
const files = (paths: Record<string, string | Uint8Array>): Picked => ({
  kind: 'files',
  name: 'xrays',
  files: Object.entries(paths).map(([path, text]) => ({ path, file: blob(text) })),
});

describe('offersLabelForm', () => {
  it('offers the form for a .csv or .tsv(.gz) beside images, and for a .txt when the images form no class folders', () => {
    expect(offersLabelForm(files({ 'xrays/images/a.png': 'x', 'xrays/Data_Entry_2017.csv': 'a,b' }))).toBe(true);
    expect(offersLabelForm(files({ 'xrays/a.png': 'x', 'xrays/labels.tsv.gz': 'a' }))).toBe(true);
    expect(
      offersLabelForm(
        files({ 'xrays/train/a.png': 'x', 'xrays/test/b.png': 'x', 'xrays/train.txt': '1 a.png positive s' }),
      ),
    ).toBe(true);
  });
  it('loads class folders with a README.txt as before, and never offers it for a zip or a table alone', () => {
    expect(
      offersLabelForm(files({ 'xrays/NORMAL/a.png': 'x', 'xrays/PNEUMONIA/b.png': 'x', 'xrays/README.txt': 'notes' })),
    ).toBe(false);
    expect(offersLabelForm(files({ 'xrays/labels.csv': 'a,b' }))).toBe(false);
    expect(offersLabelForm({ kind: 'zip', name: 'a.zip', file: blob('PK') })).toBe(false);
  });
});

describe("the form's preview and choice", () => {
  it('lists table-like files, previews columns with their values, and numbers the columns of a headerless table', () => {
    expect(
      tableCandidates([
        { path: 'd/.hidden/x.csv', file: blob('') },
        { path: 'd/b.txt', file: blob('') },
        { path: 'd/a.csv.gz', file: blob('') },
      ]),
    ).toEqual(['d/a.csv.gz', 'd/b.txt']);
    const csv = new TextEncoder().encode(
      'Image Index,Finding Labels,Patient ID\na.png,No Finding,1\nb.png,Effusion|Pneumonia,2\n',
    );
    const p = previewTable(csv, 'Data_Entry_2017.csv');
    expect(p.hasHeader).toBe(true);
    expect(p.columns.map((c) => c.value)).toEqual(['Image Index', 'Finding Labels', 'Patient ID']);
    expect(p.values[1]).toEqual(['No Finding', 'Effusion', 'Pneumonia']);
    const txt = previewTable(new TextEncoder().encode('7 a.png positive rsna\n8 b.png negative rsna\n'), 'train.txt');
    expect(txt.hasHeader).toBe(false);
    expect(txt.columns.map((c) => c.label)).toEqual(['column 1', 'column 2', 'column 3', 'column 4']);
  });

  it('reads the chosen table (gzip too) and lists from the picked files, and names a table that is not there', async () => {
    const picked = files({
      'xrays/l.csv.gz': gzipSync(new TextEncoder().encode('f,l\na.png,x\n')),
      'xrays/test.txt': 'a.png\n',
      'xrays/a.png': 'x',
    });
    if (picked.kind !== 'files') throw new Error('files expected');
    const mapping = { imageColumn: 'f', labelColumn: 'l', patientColumn: null, splitColumn: null, classes: null };
    const spec = await readPickedLabels(picked.files, {
      tables: ['xrays/l.csv.gz'],
      testList: 'xrays/test.txt',
      valList: null,
      mapping,
    });
    expect(spec.table.rows.map((r) => r.cells)).toEqual([
      ['f', 'l'],
      ['a.png', 'x'],
    ]);
    expect(spec.testList?.rows).toEqual([['a.png']]);
    await expect(
      readPickedLabels(picked.files, { tables: ['xrays/gone.csv'], testList: null, valList: null, mapping }),
    ).rejects.toThrow('xrays/gone.csv: the label table is not among the chosen files');
  });
});
