/**
 * Label tables: the reader (CSV with quotes, TSV, whitespace, gzip, NIH's bracketed header names),
 * the class mapping, the join of a cell to an image, and the layout built from them.
 */
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/lab/data/errors';
import { classOfCell, parseClassMap, type TableMapping } from '../../src/lab/data/table/mapping';
import { ImageIndex } from '../../src/lab/data/table/image-index';
import { mergeTables, parseTable } from '../../src/lab/data/table/read-table';
import { parseSplitList, tableLayout } from '../../src/lab/data/table/table-layout';
import { identifyLayout } from '../../src/lab/data/data-identity';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const mapping = (m: Partial<TableMapping>): TableMapping => ({
  imageColumn: '1',
  labelColumn: '2',
  patientColumn: null,
  splitColumn: null,
  classes: null,
  ...m,
});

describe('parseTable', () => {
  it('reads quoted CSV cells holding commas, quotes and line breaks, and CRLF lines', () => {
    const t = parseTable(bytes('a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\r\n1,2,3\r\n'), 't.csv');
    expect(t.delimiter).toBe(',');
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '2', '3'],
    ]);
    expect(t.rows.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('reads TSV and whitespace-separated tables', () => {
    expect(parseTable(bytes('a\tb c\n1\t2 3\n'), 't.tsv').rows[1].cells).toEqual(['1', '2 3']);
    const w = parseTable(bytes('7  img one.png   positive\n8 b.png negative cohen\n'), 'train.txt');
    expect(w.delimiter).toBe('whitespace');
    expect(w.rows[1].cells).toEqual(['8', 'b.png', 'negative', 'cohen']);
  });

  it('inflates gzip whatever the name, and fingerprints the bytes as given', () => {
    const plain = bytes('a,b\n1,2\n');
    const gz = parseTable(gzipSync(plain), 'x.csv.gz');
    expect(gz.gzip).toBe(true);
    expect(gz.rows.map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(gz.fingerprint).not.toBe(parseTable(plain, 'x.csv').fingerprint);
  });

  it('keeps a bracketed header name holding commas as one name, at the cell its values start', () => {
    const header =
      'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],';
    const t = parseTable(
      bytes(`${header}\n00000001_000.png,Cardiomegaly,0,1,58,M,PA,2682,2749,0.143,0.143,\n`),
      'Data_Entry_2017.csv',
    );
    expect(t.headerNames.map((h) => h.name)).toEqual([
      'Image Index',
      'Finding Labels',
      'Follow-up #',
      'Patient ID',
      'Patient Age',
      'Patient Gender',
      'View Position',
      'OriginalImage[Width,Height]',
      'OriginalImagePixelSpacing[x,y]',
      '',
    ]);
    expect(t.headerNames.find((h) => h.name === 'OriginalImagePixelSpacing[x,y]')!.index).toBe(9);
  });

  it('refuses a broken gzip, binary data and an empty file, naming the file', () => {
    expect(() => parseTable(gzipSync(bytes('a,b\n')).subarray(0, 12), 'cut.csv.gz')).toThrow(
      /^cut\.csv\.gz: corrupt or truncated gzip/,
    );
    expect(() => parseTable(new Uint8Array([0x89, 0x50, 0, 1]), 'img.csv')).toThrow(/^img\.csv: not a text table/);
    expect(() => parseTable(bytes('\n \n'), 'empty.csv')).toThrow('empty.csv: the table is empty');
  });

  it('merges tables, dropping a repeated header', () => {
    const merged = mergeTables([parseTable(bytes('p,l\na,1\n'), 'a.csv'), parseTable(bytes('p,l\nb,2\n'), 'b.csv')]);
    expect(merged.name).toBe('a.csv + b.csv');
    expect(merged.rows.map((r) => r.cells)).toEqual([
      ['p', 'l'],
      ['a', '1'],
      ['b', '2'],
    ]);
  });
});

describe('the class mapping', () => {
  const classes = parseClassMap('No Finding=NORMAL,Pneumonia=PNEUMONIA');
  it('puts a row in CLASS when every value named in --classes maps to it; other values are ignored', () => {
    expect(classOfCell('No Finding', classes)).toEqual({ cls: 'NORMAL' });
    expect(classOfCell('Effusion|Pneumonia', classes)).toEqual({ cls: 'PNEUMONIA' });
    expect(classOfCell('Effusion', classes)).toEqual({ drop: 'no class', values: 'Effusion' });
    expect(classOfCell('No Finding|Pneumonia', classes)).toEqual({
      drop: 'two classes',
      values: 'No Finding|Pneumonia',
    });
  });

  it('matches numbers as numbers (1 = 1.0), and an empty VALUE matches a blank cell', () => {
    const chexpert = parseClassMap('1=PNEUMONIA,0=NORMAL,=NORMAL');
    expect(classOfCell('1.0', chexpert)).toEqual({ cls: 'PNEUMONIA' });
    expect(classOfCell('', chexpert)).toEqual({ cls: 'NORMAL' });
    expect(classOfCell('-1.0', chexpert)).toMatchObject({ drop: 'no class' });
  });

  it('without --classes each value is its own class', () => {
    expect(classOfCell(' COVID-19 ', null)).toEqual({ cls: 'COVID-19' });
    expect(classOfCell('', null)).toMatchObject({ drop: 'no class' });
  });

  it('refuses a pair without = and a value mapped to two classes', () => {
    expect(() => parseClassMap('1=A,oops')).toThrow('--classes: "oops" is not VALUE=CLASS');
    expect(() => parseClassMap('1=A,1.0=B')).toThrow('--classes: value "1.0" is mapped to two classes (A and B)');
  });
});

describe('ImageIndex', () => {
  const index = new ImageIndex([
    'train/patient1/study1/view1_frontal.jpg',
    'train/patient2/study1/view1_frontal.jpg',
    'images/00000001_000.png',
    'rsna/abc-123.png',
  ]);
  it('finds an image by relative path (with extra or fewer leading folders), file name, or name without extension', () => {
    expect(index.find('CheXpert-v1.0-small/train/patient1/study1/view1_frontal.jpg')).toEqual({ image: 0 });
    expect(index.find('patient2/study1/view1_frontal.jpg')).toEqual({ image: 1 });
    expect(index.find('00000001_000.png')).toEqual({ image: 2 });
    expect(index.find('abc-123')).toEqual({ image: 3 });
  });
  it("finds a path cell when the data was chosen above the table's root folder", () => {
    const above = new ImageIndex([
      'chexpert/CheXpert-v1.0-small/train/patient1/study1/view1_frontal.jpg',
      'chexpert/CheXpert-v1.0-small/train/patient1/study2/view1_frontal.jpg',
    ]);
    expect(above.find('CheXpert-v1.0-small/train/patient1/study2/view1_frontal.jpg')).toEqual({ image: 1 });
    expect(above.find('train/patient1/study2/view1_frontal.jpg')).toEqual({ image: 1 });
    expect(above.find('CheXpert-v1.0-small/train/patient9/study2/view1_frontal.jpg')).toEqual({ none: true });
  });

  it('calls a shared file name ambiguous, and never matches a missing study by its file name alone', () => {
    expect(index.find('view1_frontal.jpg')).toEqual({ ambiguous: 2 });
    const one = new ImageIndex(['train/patient1/study1/view1_frontal.jpg']);
    expect(one.find('CheXpert-v1.0-small/train/patient9/study1/view1_frontal.jpg')).toEqual({ none: true });
  });
});

describe('tableLayout', () => {
  const paths = [
    'imgs/',
    'imgs/a.png',
    'imgs/b.png',
    'imgs/c.png',
    'imgs/d.png',
    'imgs/e.png',
    'imgs/extra.png',
    'labels.csv',
  ];
  const csv = [
    'file,Target,pid',
    'a,1,P1',
    'a,1,P1', // two boxes of one image: one image
    'b,0,P1',
    'c,1,P2',
    'd,0,P3',
    'e,0,P4',
    'e,1,P4', // different labels for one image: a conflict
    'zzz,1,P9', // no image
    'b,,P1', // blank label: dropped, b keeps its other row
  ].join('\n');

  it('joins rows to images, counts dropped rows by reason, reports conflicts and images without a row', () => {
    const layout = tableLayout(
      paths,
      [],
      {
        table: parseTable(bytes(csv), 'labels.csv'),
        mapping: mapping({
          imageColumn: 'file',
          labelColumn: 'Target',
          patientColumn: 'pid',
          classes: parseClassMap('0=NORMAL,1=PNEUMONIA'),
        }),
      },
      'data',
    );
    expect(layout.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(layout.entries.map((e) => [e.path, e.className])).toEqual([
      ['imgs/a.png', 'PNEUMONIA'],
      ['imgs/b.png', 'NORMAL'],
      ['imgs/c.png', 'PNEUMONIA'],
      ['imgs/d.png', 'NORMAL'],
    ]);
    // a and b share patient P1; the key is a hash, never the id.
    const [a, b, c] = layout.entries;
    expect(a.patient).toBe(b.patient);
    expect(a.patient).not.toBe(c.patient);
    expect(JSON.stringify(layout)).not.toMatch(/"P1"|P4|P9/);
    expect(layout.table.rowsDropped).toEqual({ noImage: 1, ambiguousImage: 0, noClass: 1, twoClasses: 0 });
    expect(layout.table.conflicts).toBe(1);
    expect(layout.table.hasHeader).toBe(true);
    const reasons = Object.fromEntries(layout.skipped.map((s) => [s.path, s.reason]));
    expect(reasons['imgs/e.png']).toBe(
      'label conflict: labels.csv gives it NORMAL (line 7) and PNEUMONIA (line 8); left out',
    );
    expect(reasons['imgs/extra.png']).toBe('not in the label table (labels.csv)');
    expect(reasons['labels.csv']).toMatch(/not an image extension/);
  });

  it('reads a headerless table by column numbers, and takes splits from lists or a split column', () => {
    const table = parseTable(
      bytes(
        'P1 a.png PNEUMONIA src\nP2 b.png normal src\nP3 c.png PNEUMONIA src\nP4 d.png normal src\nP5 e.png normal src\n',
      ),
      'train.txt',
    );
    const layout = tableLayout(
      paths,
      [],
      {
        table,
        mapping: mapping({ imageColumn: '2', labelColumn: '3', patientColumn: '1' }),
        testList: parseSplitList(bytes('c.png\nnothing.png\n'), 'test_list.txt'),
        valList: parseSplitList(bytes('x P4 d.png normal\n'), 'val.txt'),
      },
      'data',
    );
    expect(layout.table.hasHeader).toBe(false);
    expect(layout.classNames).toEqual(['PNEUMONIA', 'normal']);
    expect(Object.fromEntries(layout.entries.map((e) => [e.path, e.split ?? 'pool']))).toEqual({
      'imgs/a.png': 'pool',
      'imgs/b.png': 'pool',
      'imgs/c.png': 'test',
      'imgs/d.png': 'val',
      'imgs/e.png': 'pool',
    });
    expect(layout.table.listNamesUnmatched).toBe(1);
    expect(layout.table.fixedVal).toBe(true);

    const split = tableLayout(
      paths,
      [],
      {
        table: parseTable(bytes('f,l,s\na,x,train\nb,y,validate\nc,x,test\nd,y,\n'), 's.csv'),
        mapping: mapping({ imageColumn: 'f', labelColumn: 'l', splitColumn: 's' }),
      },
      'data',
    );
    expect(split.entries.map((e) => e.split ?? 'pool')).toEqual(['train', 'val', 'test', 'pool']);
  });

  it('refuses an unknown column, a bad split cell and a class without images, naming the table', () => {
    const table = parseTable(bytes('f,l,s\na,x,train\nb,y,later\n'), 's.csv');
    expect(() =>
      tableLayout(paths, [], { table, mapping: mapping({ imageColumn: 'file', labelColumn: 'l' }) }, 'data'),
    ).toThrow('s.csv: --image-column file: no such column (columns: f, l, s)');
    expect(() =>
      tableLayout(
        paths,
        [],
        { table, mapping: mapping({ imageColumn: 'f', labelColumn: 'l', splitColumn: 's' }) },
        'data',
      ),
    ).toThrow('s.csv: line 3: s "later" is not train, val (validate) or test (--split-column)');
    const err = (() => {
      try {
        tableLayout(
          paths,
          [],
          { table, mapping: mapping({ imageColumn: 'f', labelColumn: 'l', classes: parseClassMap('x=A,y=B,z=C') }) },
          'data',
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe('s.csv: no image has class C (--classes)');
  });

  it('puts the table and its mapping into the data identity, so another table gives another fingerprint', () => {
    const spec = (text: string) => ({
      table: parseTable(bytes(text), 'l.csv'),
      mapping: mapping({ imageColumn: 'f', labelColumn: 'l' }),
    });
    const one = identifyLayout(tableLayout(paths, [], spec('f,l\na,x\nb,y\n'), 'data'), new Map());
    const other = identifyLayout(tableLayout(paths, [], spec('f,l\na,y\nb,x\n'), 'data'), new Map());
    expect(one.table).toMatchObject({ file: 'l.csv', mapping: { imageColumn: 'f', labelColumn: 'l' } });
    expect(one.fingerprint).not.toBe(other.fingerprint);
  });
});
