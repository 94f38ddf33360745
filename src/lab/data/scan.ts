import { DataError } from './errors';
import { detectLayout, type Layout, type SkippedFile } from './layout';
import type { DataSource } from './source';
import { tableLayout, type LabelTableSpec } from './table/table-layout';

/** Where ingestion stands; sent after each listed or loaded file. */
export interface IngestProgress {
  readonly phase: 'listing' | 'loading' | 'done';
  /** Files and folders listed so far (listing), or the images to load (loading, done). */
  readonly found: number;
  /** Images decoded (or header-checked when only scanning). */
  readonly decoded: number;
  /** Images that could not be read or decoded, so far. */
  readonly skipped: number;
  /** Images to load in total (0 while listing). */
  readonly total: number;
  /** Bytes consumed: of the archive while listing a zip, of image files while loading. */
  readonly bytes: number;
  /** Total bytes when known (an archive's size while listing, the image files' sizes while loading). */
  readonly totalBytes?: number;
}

/** A listed source and its layout: enough to show classes and counts, and to decide what to decode. */
export interface ScannedSource {
  readonly source: DataSource;
  readonly layout: Layout;
  /** File sizes by path, where the source knew them when listing. */
  readonly sizes: ReadonlyMap<string, number>;
}

export interface ScanOptions {
  /** Classes, patients and splits from a label table instead of class folders. */
  readonly labels?: LabelTableSpec;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: IngestProgress) => void;
}

/**
 * Lists `source` and reads its layout (classes, splits, skipped clutter), from class folders or, with
 * `options.labels`, from a label table. Reads no image contents. Throws a DataError
 * naming the source for an empty source or a layout without class folders (with the expected tree), and the
 * signal's reason when cancelled.
 */
export async function scanSource(source: DataSource, options: ScanOptions = {}): Promise<ScannedSource> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const paths: string[] = [];
  const refused: SkippedFile[] = [];
  const sizes = new Map<string, number>();
  let bytes = 0;
  let totalBytes = source.totalBytes;
  const report = (): void =>
    onProgress?.({ phase: 'listing', found: paths.length, decoded: 0, skipped: 0, total: 0, bytes, totalBytes });
  for await (const entry of source.list((read, total) => {
    bytes = read;
    totalBytes = total;
  })) {
    signal?.throwIfAborted();
    if (entry.refused) refused.push({ path: entry.path, reason: entry.refused });
    else paths.push(entry.path);
    if (entry.size != null && !entry.path.endsWith('/')) sizes.set(entry.path, entry.size);
    report();
  }
  if (paths.length === 0 && refused.length === 0)
    throw new DataError(source.name, source.kind === 'zip' ? 'the archive holds no files' : 'no files found');
  const layout = options.labels
    ? tableLayout(paths, refused, options.labels, source.name)
    : layoutWithRefused(paths, refused, source.name);
  return { source, layout, sizes };
}

/**
 * detectLayout over the readable paths, with the entries the source refused added to the skipped files. When the
 * layout itself fails, its message says which links were not followed: they may be why a class folder is missing.
 */
export function layoutWithRefused(paths: readonly string[], refused: readonly SkippedFile[], root: string): Layout {
  let layout: Layout;
  try {
    layout = detectLayout(paths, { root });
  } catch (err) {
    if (!(err instanceof DataError) || refused.length === 0) throw err;
    const shown = refused
      .slice(0, 3)
      .map((r) => `${r.path} (${r.reason})`)
      .join('; ');
    const more = refused.length > 3 ? `; … ${refused.length - 3} more` : '';
    throw new DataError(err.path, `${err.problem}; also not read: ${shown}${more}`, err.hint);
  }
  if (refused.length === 0) return layout;
  const skipped = [...layout.skipped, ...refused].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ...layout, skipped };
}
