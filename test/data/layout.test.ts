import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/lab/data/errors';
import { detectLayout, NESTED_COPY_REASON } from '../../src/lab/data/layout';

/** Catches the DataError `fn` throws, failing the test when it throws nothing or something else. */
function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('detectLayout: class folders', () => {
  it('labels classes alphabetically and lists entries sorted by path', () => {
    const layout = detectLayout([
      'PNEUMONIA/person1_bacteria_1.jpeg',
      'NORMAL/IM-0001-0001.jpeg',
      'NORMAL/IM-0002-0001.JPG',
    ]);
    expect(layout.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(layout.hasSplits).toBe(false);
    expect(layout.entries).toEqual([
      { path: 'NORMAL/IM-0001-0001.jpeg', className: 'NORMAL', label: 0 },
      { path: 'NORMAL/IM-0002-0001.JPG', className: 'NORMAL', label: 0 },
      { path: 'PNEUMONIA/person1_bacteria_1.jpeg', className: 'PNEUMONIA', label: 1 },
    ]);
    expect(layout.skipped).toEqual([]);
  });

  it('accepts any class names and more than two classes', () => {
    const layout = detectLayout(['cat/a.png', 'dog/b.png', 'bird/c.PNG']);
    expect(layout.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(layout.entries.map((e) => e.label)).toEqual([0, 1, 2]);
  });

  it('strips a wrapper folder and keeps the full relative path, and takes backslashes', () => {
    const layout = detectLayout(['data\\NORMAL\\a.jpeg', 'data/PNEUMONIA/b.jpeg']);
    expect(layout.prefix).toBe('data/');
    expect(layout.entries.map((e) => e.path)).toEqual(['data/NORMAL/a.jpeg', 'data/PNEUMONIA/b.jpeg']);
  });
});

describe('detectLayout: split folders', () => {
  it('reads train/val/test in any letter case, each with class folders', () => {
    const layout = detectLayout([
      'Train/NORMAL/a.jpeg',
      'Train/PNEUMONIA/b.jpeg',
      'VAL/NORMAL/c.jpeg',
      'VAL/PNEUMONIA/d.jpeg',
      'test/NORMAL/e.jpeg',
      'test/PNEUMONIA/f.jpeg',
    ]);
    expect(layout.hasSplits).toBe(true);
    expect(layout.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    const byPath = Object.fromEntries(layout.entries.map((e) => [e.path, `${e.split}:${e.label}`]));
    expect(byPath).toEqual({
      'Train/NORMAL/a.jpeg': 'train:0',
      'Train/PNEUMONIA/b.jpeg': 'train:1',
      'VAL/NORMAL/c.jpeg': 'val:0',
      'VAL/PNEUMONIA/d.jpeg': 'val:1',
      'test/NORMAL/e.jpeg': 'test:0',
      'test/PNEUMONIA/f.jpeg': 'test:1',
    });
  });

  it('handles the Kaggle archive: wrapper folder, nested copy and __MACOSX', () => {
    const layout = detectLayout([
      'chest_xray/train/NORMAL/IM-0001-0001.jpeg',
      'chest_xray/train/PNEUMONIA/person1_virus_1.jpeg',
      'chest_xray/test/NORMAL/IM-0009-0001.jpeg',
      'chest_xray/chest_xray/train/NORMAL/IM-0001-0001.jpeg',
      'chest_xray/__MACOSX/train/NORMAL/._IM-0001-0001.jpeg',
      '__MACOSX/',
      'chest_xray/train/.DS_Store',
    ]);
    expect(layout.prefix).toBe('chest_xray/');
    expect(layout.entries.map((e) => e.path)).toEqual([
      'chest_xray/test/NORMAL/IM-0009-0001.jpeg',
      'chest_xray/train/NORMAL/IM-0001-0001.jpeg',
      'chest_xray/train/PNEUMONIA/person1_virus_1.jpeg',
    ]);
    expect(layout.skipped).toEqual([
      { path: '__MACOSX/', reason: 'macOS archive metadata (__MACOSX folder)' },
      {
        path: 'chest_xray/__MACOSX/train/NORMAL/._IM-0001-0001.jpeg',
        reason: 'macOS archive metadata (__MACOSX folder)',
      },
      { path: 'chest_xray/chest_xray/train/NORMAL/IM-0001-0001.jpeg', reason: NESTED_COPY_REASON },
      { path: 'chest_xray/train/.DS_Store', reason: 'macOS folder settings (.DS_Store)' },
    ]);
  });

  it('counts a nested copy once: repeated paths skipped, files only the copy holds loaded', () => {
    const layout = detectLayout([
      'chest_xray/train/NORMAL/a.jpeg',
      'chest_xray/train/PNEUMONIA/b.jpeg',
      'chest_xray/chest_xray/train/NORMAL/a.jpeg',
      'chest_xray/chest_xray/train/PNEUMONIA/b.jpeg',
      'chest_xray/chest_xray/test/NORMAL/only-here.jpeg',
      'chest_xray/chest_xray/test/PNEUMONIA/c.jpeg',
      'chest_xray/notes/x.png',
    ]);
    expect(layout.nestedCopy).toBe('chest_xray/chest_xray/');
    expect(layout.entries.map((e) => `${e.split}:${e.className}:${e.path}`)).toEqual([
      'test:NORMAL:chest_xray/chest_xray/test/NORMAL/only-here.jpeg',
      'test:PNEUMONIA:chest_xray/chest_xray/test/PNEUMONIA/c.jpeg',
      'train:NORMAL:chest_xray/train/NORMAL/a.jpeg',
      'train:PNEUMONIA:chest_xray/train/PNEUMONIA/b.jpeg',
    ]);
    expect(layout.skipped.map((s) => s.reason)).toEqual([
      NESTED_COPY_REASON,
      NESTED_COPY_REASON,
      'outside the train/, val/ and test/ folders',
    ]);
  });

  it('recognises a nested copy without split folders when it repeats the wrapper name', () => {
    const layout = detectLayout([
      'data/NORMAL/a.png',
      'data/PNEUMONIA/b.png',
      'data/data/NORMAL/a.png',
      'data/data/',
      'data/data/NORMAL/',
    ]);
    expect(layout.classNames).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(layout.nestedCopy).toBe('data/data/');
    expect(layout.skipped).toEqual([{ path: 'data/data/NORMAL/a.png', reason: NESTED_COPY_REASON }]);
  });

  it('skips images lying directly in a split folder', () => {
    const layout = detectLayout(['train/NORMAL/a.png', 'train/PNEUMONIA/b.png', 'train/loose.png']);
    expect(layout.skipped).toEqual([
      { path: 'train/loose.png', reason: 'directly in train/, not inside a class folder' },
    ]);
  });
});

describe('detectLayout: junk', () => {
  it('skips clutter and non-images, each with its reason', () => {
    const layout = detectLayout([
      'NORMAL/a.jpeg',
      'PNEUMONIA/b.jpeg',
      '.DS_Store',
      'NORMAL/._a.jpeg',
      'NORMAL/notes.txt',
      'PNEUMONIA/LICENSE',
      'PNEUMONIA/Thumbs.db',
      '.ipynb_checkpoints/NORMAL/c.jpeg',
      'loose.png',
    ]);
    // A name without an extension may be a DICOM file: it is loaded, and kept only if its bytes say DICOM.
    expect(layout.entries.map((e) => e.path)).toEqual(['NORMAL/a.jpeg', 'PNEUMONIA/LICENSE', 'PNEUMONIA/b.jpeg']);
    expect(Object.fromEntries(layout.skipped.map((s) => [s.path, s.reason]))).toEqual({
      '.DS_Store': 'macOS folder settings (.DS_Store)',
      '.ipynb_checkpoints/NORMAL/c.jpeg': 'hidden folder (.ipynb_checkpoints)',
      'NORMAL/._a.jpeg': 'macOS resource fork (._ file)',
      'NORMAL/notes.txt': 'not an image extension (.txt); expected .jpg, .jpeg, .png or .dcm',
      'PNEUMONIA/Thumbs.db': 'Windows folder settings',
      'loose.png': 'not inside a class folder',
    });
  });
});

describe('detectLayout: errors', () => {
  it('no class folders: names the root and shows the expected tree', () => {
    const err = dataError(() => detectLayout(['a.jpeg', 'b.png'], { root: '/data/xrays' }));
    expect(err.message.split('\n')[0]).toBe(
      '/data/xrays: no class folders found (the images are not inside class folders)',
    );
    expect(err.message).toContain('├── NORMAL/');
    expect(err.message).toContain('train/{NORMAL,PNEUMONIA}/');
  });

  it('no images at all: says so and counts what was skipped', () => {
    const err = dataError(() => detectLayout(['.DS_Store', 'NORMAL/readme.md'], { root: 'x' }));
    expect(err.message.split('\n')[0]).toBe('x: no images (.jpg, .jpeg, .png, .dcm) found (2 other files skipped)');
    expect(err.hint).toContain('PNEUMONIA/');
    expect(dataError(() => detectLayout([])).path).toBe('.');
  });

  it('a single class', () => {
    const err = dataError(() => detectLayout(['NORMAL/a.jpeg', 'NORMAL/b.jpeg'], { root: 'xr' }));
    expect(err.path).toBe('xr');
    expect(err.message.split('\n')[0]).toBe('xr: only one class folder (NORMAL); at least 2 classes are needed');
    expect(err.hint).toContain('Expected one folder per class');
  });

  it('a class folder with no images, seen through a folder entry or a non-image file', () => {
    const viaFolder = dataError(() => detectLayout(['NORMAL/a.jpeg', 'PNEUMONIA/b.jpeg', 'COVID/'], { root: 'r' }));
    expect(viaFolder.message).toBe('r/COVID: class folder holds no images (.jpg, .jpeg, .png, .dcm)');
    const viaFile = dataError(() => detectLayout(['NORMAL/a.jpeg', 'PNEUMONIA/notes.txt']));
    expect(viaFile.message).toBe('PNEUMONIA: class folder holds no images (.jpg, .jpeg, .png, .dcm)');
    const inSplit = dataError(() =>
      detectLayout(['d/train/NORMAL/a.jpeg', 'd/train/PNEUMONIA/b.jpeg', 'd/val/NORMAL/', 'd/val/PNEUMONIA/c.jpeg'], {
        root: 'zip',
      }),
    );
    expect(inSplit.message).toBe('zip/d/val/NORMAL: class folder holds no images (.jpg, .jpeg, .png, .dcm)');
  });

  it('keeps the first message line as "<path>: <problem>" even for a multi-line problem', () => {
    const err = new DataError('a/b.jpeg', 'bad\nthing');
    expect(err.message).toBe('a/b.jpeg: bad thing');
    expect(err.name).toBe('DataError');
  });
});
