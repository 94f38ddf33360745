/**
 * A folder of generated DICOMs (explicit VR little endian, JPEG baseline, JPEG-LS, RLE) with an RSNA-shaped box table
 * (`patientId,x,y,width,height,Target`, a positive patient on several rows), chosen on the page in Debian's Chromium:
 * the column form maps the table, the worker's decoder pool decodes every syntax (the codecs' WebAssembly as Vite
 * emitted it), one epoch of light-k1 trains and shows its row. The files carry a planted patient name, birth date,
 * patient id, institution and accession number; none of them may appear in Download all, the saved project or any
 * store of the page's IndexedDB. Class folders of all eight fixture syntaxes load too, with patients counted by
 * Patient ID. Skipped where no Chromium is installed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANTED, writeDicomClassFolders } from '../helpers/dicom-dataset';
import { testPattern, writeDicom, type FixtureSyntax } from '../helpers/dicom-files';
import { CODEC_WASM_FILES } from '../../src/lab/data/dicom/codecs';
import { decodeFile } from '../../src/lab/data/node/decode';
import { toSquare } from '../../src/lab/data/resize';
import { serveLabSite, type StaticSite } from './lab-site';
import { CHROMIUM, launchChromium, openLabPage, screenshot, waitForRunEnd } from './browser';

const HASH = '#models=light-k1&size=16&channels=1&epochs=1&batch=8&seeds=1&bootstrap=0&backend=wasm';
const SYNTAXES: FixtureSyntax[] = ['explicit-le', 'jpeg-baseline', 'jpeg-ls', 'rle'];
const PATIENTS = 16;
const SIZE = 32;
/** The input size in HASH: the stored images, and so the thumbnails, are this many pixels square. */
const INPUT_SIZE = 16;

/** The planted values as they would sit in a header; the patient ids share a prefix no other text has. */
const PLANTED_VALUES = [PLANTED.name, PLANTED.birthDate, PLANTED.institution, PLANTED.accession, PLANTED.idPrefix];

interface RsnaFolder {
  readonly dir: string;
  /** Every DICOM written, for the check that the planted values are really in the input. */
  readonly files: Uint8Array[];
  readonly positives: number;
}

/**
 * RSNA's layout, with the syntaxes cycling over the patients: `<patientId>.dcm` (a UUID-like id, as RSNA names them)
 * in stage_2_train_images/, the table beside it; the header's Patient ID is the planted one, unlike the file name.
 */
async function writeRsnaFolder(dir: string): Promise<RsnaFolder> {
  const images = join(dir, 'stage_2_train_images');
  mkdirSync(images, { recursive: true });
  const rows = ['patientId,x,y,width,height,Target'];
  const files: Uint8Array[] = [];
  let positives = 0;
  for (let i = 0; i < PATIENTS; i++) {
    const patientId = `${(0x3c4d5e + i * 7919).toString(16)}-${i}a7e-4c1f-8b2d-${(0x9f10 + i).toString(16)}e0`;
    const target = i % 2;
    const syntax = SYNTAXES[i % SYNTAXES.length];
    const eightBit = syntax === 'jpeg-baseline';
    const bytes = await writeDicom({
      width: SIZE,
      height: SIZE,
      values: testPattern(SIZE, SIZE, 20 + i, (eightBit ? 180 : 2800) + target * (eightBit ? 60 : 900)),
      syntax,
      bitsAllocated: eightBit ? 8 : 16,
      bitsStored: eightBit ? 8 : 12,
      ...(i % 3 === 0 ? { photometric: 'MONOCHROME1' as const } : {}),
      patient: {
        name: PLANTED.name,
        id: `${PLANTED.idPrefix}${String(i).padStart(4, '0')}`,
        birthDate: PLANTED.birthDate,
        institution: PLANTED.institution,
        accession: PLANTED.accession,
      },
    });
    writeFileSync(join(images, `${patientId}.dcm`), bytes);
    files.push(bytes);
    if (target === 1) {
      positives++;
      rows.push(`${patientId},100,150,200,220,1`, `${patientId},500,160,180,240,1`);
    } else {
      rows.push(`${patientId},,,,,0`);
    }
  }
  writeFileSync(join(dir, 'stage_2_train_labels.csv'), rows.join('\n') + '\n');
  return { dir, files, positives };
}

/** The planted values a byte string holds, as ASCII or UTF-16 (little or big endian). */
function plantedIn(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString('latin1');
  return PLANTED_VALUES.filter((value) => {
    const le = Buffer.from(value, 'utf16le');
    const be = Buffer.from(le).swap16();
    return [value, le.toString('latin1'), be.toString('latin1')].some((form) => text.includes(form));
  });
}

/** Each zip entry's name and content, one buffer a entry, for plantedIn. */
function zipEntries(zip: Uint8Array): Record<string, Uint8Array> {
  const entries = unzipSync(zip);
  return Object.fromEntries(
    Object.entries(entries).map(([name, bytes]) => [name, Buffer.concat([Buffer.from(name), Buffer.from(bytes)])]),
  );
}

/** Every key and string of a parsed JSON value (JSON's escapes undone, so UTF-16's zero bytes are bytes again). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}

async function download(page: Page, testid: string): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  return readFileSync((await file.path())!);
}

/**
 * Every record of every object store of every IndexedDB database of the page, JSON with binary values (typed arrays,
 * ArrayBuffers, Blobs) as latin1 strings of their bytes, so text inside them (ASCII or UTF-16) stays findable.
 * A string, not a function: the test runner would name helper functions inside a page function.
 */
const DUMP_INDEXED_DB = `(async () => {
  const bytesOf = async (v) => {
    if (v instanceof Blob) return new Uint8Array(await v.arrayBuffer());
    if (v instanceof ArrayBuffer) return new Uint8Array(v);
    if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return null;
  };
  const plain = async (v) => {
    const bytes = await bytesOf(v);
    if (bytes) {
      let s = '';
      for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
      return s;
    }
    if (Array.isArray(v)) return Promise.all(v.map(plain));
    if (v instanceof Map) return plain([...v.entries()]);
    if (v instanceof Set) return plain([...v]);
    if (v && typeof v === 'object') {
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = await plain(x);
      return out;
    }
    return v;
  };
  const dump = {};
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open(info.name);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const stores = {};
    for (const name of Array.from(db.objectStoreNames)) {
      // A transaction a request: an await between two requests would let the first one end.
      const read = (ask) => new Promise((ok, fail) => {
        const req = ask(db.transaction(name, 'readonly').objectStore(name));
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
      const keys = await read((store) => store.getAllKeys());
      const values = await read((store) => store.getAll());
      stores[name] = await plain({ keys, values });
    }
    db.close();
    dump[info.name] = stores;
  }
  return JSON.stringify(dump);
})()`;

describe.skipIf(!CHROMIUM)('a folder of DICOMs with an RSNA-shaped table, in the page', () => {
  let work: string;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let rsna: RsnaFolder;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'xray-lab-e2e-dicom-'));
    site = await serveLabSite();
    rsna = await writeRsnaFolder(join(work, 'rsna'));
    browser = await launchChromium();
    page = await openLabPage(browser, site.url + HASH);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("precaches the codecs' WebAssembly for offline use", async () => {
    const sw = await (await fetch(new URL('sw.js', site.url))).text();
    for (const file of Object.values(CODEC_WASM_FILES)) {
      // Vite names an emitted file `<name>-<hash>.wasm`.
      const stem = file.replace(/\.wasm$/, '');
      expect(sw).toMatch(new RegExp(`"[^"]*${stem}-[\\w-]+\\.wasm"`));
    }
  });

  it('loads class folders of every fixture syntax, counting patients by their Patient ID', async () => {
    // 4 patients × 2 images cycle through the eight syntaxes the fixtures write (deflate, JPEG 2000, HTJ2K too).
    const folders = await writeDicomClassFolders(join(work, 'dicom-classes'), 4, 2, SIZE);
    const fresh = await openLabPage(browser, site.url + HASH);
    await fresh.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await fresh.setInputFiles('[data-testid=dataset-input]', folders.dir);
    await fresh.waitForSelector('[data-testid=dataset-summary][data-count="8"]', { timeout: 120_000 });
    const line = await fresh.textContent('[data-testid=dataset-summary] .summary-line');
    expect(line).toContain(`${folders.patients} patients`);
    await fresh.context().close();
  }, 300_000);

  it('decodes every syntax through the column form, trains, and writes no planted header value', async () => {
    // The planted values are in the input (the test could fail), and only there.
    for (const bytes of rsna.files) expect(plantedIn(bytes)).toEqual(PLANTED_VALUES);

    await page.waitForSelector('[data-testid=backend-indicator][data-backend=wasm]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=dataset-input]', rsna.dir);
    await page.waitForSelector('[data-testid=label-form]', { timeout: 30_000 });
    expect(await page.inputValue('[data-testid=label-table]')).toBe('rsna/stage_2_train_labels.csv');
    await page.selectOption('[data-testid=label-image-column]', 'patientId');
    await page.selectOption('[data-testid=label-label-column]', 'Target');
    expect(await page.textContent('[data-testid=label-values]')).toMatch(/0.*1/);
    await page.selectOption('[data-testid=label-patient-column]', 'patientId');
    await page.fill('[data-testid=label-classes]', '0=NORMAL,1=PNEUMONIA');
    await page.click('[data-testid=label-load]');

    await page.waitForSelector(`[data-testid=dataset-summary][data-count="${PATIENTS}"]`, { timeout: 120_000 });
    const summary = await page.textContent('[data-testid=dataset-summary]');
    expect(summary).toContain(`${PATIENTS} patients`);
    expect(summary).toMatch(/NORMAL/);
    expect(summary).toMatch(/PNEUMONIA/);
    // A positive patient's two box rows are one image.
    expect(await page.textContent('[data-testid=table-report]')).toContain(`${PATIENTS + rsna.positives} rows`);
    await screenshot(page, 'dicom-1-loaded');

    // A strip per class of the pixels the network receives: each thumbnail is the file as the CLI's preview (the
    // Node decoder and the pipeline's resize) makes it, within a grey level on average.
    const thumbs = await page.$$eval('[data-testid=preview-strip] canvas', (canvases) =>
      canvases.map((c) => {
        const canvas = c as HTMLCanvasElement;
        const rgba = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const strip = canvas.closest('[data-testid=preview-strip]') as HTMLElement;
        return { file: canvas.title, className: strip.dataset.class, side: canvas.width, rgba: Array.from(rgba) };
      }),
    );
    expect(new Set(thumbs.map((t) => t.className))).toEqual(new Set(['NORMAL', 'PNEUMONIA']));
    for (const thumb of thumbs) {
      expect(thumb.side).toBe(INPUT_SIZE);
      const bytes = readFileSync(join(rsna.dir, thumb.file.replace(/^rsna\//, '')));
      const expected = toSquare((await decodeFile(bytes, thumb.file)).image, INPUT_SIZE, 1, 'stretch');
      let diff = 0;
      for (let i = 0; i < expected.length; i++) diff += Math.abs(thumb.rgba[i * 4] - expected[i]);
      expect(diff / expected.length, thumb.file).toBeLessThanOrEqual(1);
      // Not a blank canvas: the test pattern spans many grey levels.
      expect(new Set(expected).size).toBeGreaterThan(8);
    }

    await page.click('[data-testid=train-button]');
    await waitForRunEnd(page);
    expect(await page.getAttribute('[data-testid=progress-light-k1]', 'data-phase')).toBe('done');
    const row = '[data-testid=comparison-table] tr[data-model-id="light-k1"]';
    const accuracy = Number(await page.getAttribute(`${row} td[data-metric=accuracy]`, 'data-value'));
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    await screenshot(page, 'dicom-2-trained');

    const all = zipEntries(await download(page, 'download-all'));
    expect(Object.keys(all).length).toBeGreaterThan(0);
    await page.check('[data-testid=save-project-images]');
    const project = zipEntries(await download(page, 'save-project'));
    expect(Object.keys(project)).toContain('dataset/meta.json');
    // Autosave has had its turn once the project is saved; the store now holds the run and the dataset.
    const dump = await page.evaluate<string>(DUMP_INDEXED_DB);
    // The dump holds the stored run (it reads the real stores), and the dataset's pixels as text.
    expect(dump).toContain('light-k1');
    expect(dump.length).toBeGreaterThan(PATIENTS * INPUT_SIZE * INPUT_SIZE);

    const found: string[] = [];
    const check = (where: string, bytes: Uint8Array) => plantedIn(bytes).forEach((v) => found.push(`${where}: ${v}`));
    for (const [name, bytes] of Object.entries(all)) check(`download-all ${name}`, bytes);
    for (const [name, bytes] of Object.entries(project)) check(`project ${name}`, bytes);
    check('IndexedDB', Buffer.from(stringsOf(JSON.parse(dump)).join('\n'), 'latin1'));
    expect(found).toEqual([]);
  }, 300_000);
});
