/**
 * The facts behind the counts, one line each: how the splits were made, whether a patient or a copy straddles two
 * splits, the original image sizes, byte-identical duplicates, label conflicts (one file under two classes), a nested
 * copy counted once, and every skipped file by name with its reason, grouped by reason.
 */
import { describeLabelConflict } from '../../lab/data/label-conflicts';
import { formatBytes } from '../../lab/data/memory';
import type { DatasetSummary } from '../../worker/protocol';

/** Files named inline per skip group; the rest open on demand (a Kaggle nested copy alone skips 5,856). */
const INLINE = 8;
/** At most this many more per group in the DOM. */
const LISTED = 300;

interface Props {
  summary: DatasetSummary;
  demo: boolean;
  /** Loaded as a budget subset: the subset asked for and the image files the source holds; null: every image. */
  subset?: { request: number; files: number } | null;
}

export function DatasetFacts({ summary: s, demo, subset }: Props) {
  const pct = (f: number) => `${Math.round(f * 100)} %`;
  const origin = (o: DatasetSummary['valOrigin'], fraction: number, folder: string) =>
    o === 'folder'
      ? `the data's own ${folder} folder`
      : o === 'carved'
        ? `${pct(fraction)} of the pool, by patient`
        : 'none';
  const { valFraction, testFraction, seed } = s.splitSettings;
  const leaks = s.leaks.patients + s.leaks.duplicateGroups;
  const d = s.duplicates;
  return (
    <dl className="facts" data-testid="dataset-facts">
      <dt>Split</dt>
      <dd>
        validation = {origin(s.valOrigin, valFraction, 'val/')}; test = {origin(s.testOrigin, testFraction, 'test/')};
        seed {seed}.{' '}
        {leaks === 0 ? (
          'No patient and no byte-identical copy is in two splits.'
        ) : (
          <span className="is-error">
            {s.leaks.patients} patient(s) and {s.leaks.duplicateGroups} duplicate group(s) span two splits.
          </span>
        )}
      </dd>
      {subset && (
        <>
          <dt>Subset</dt>
          <dd data-testid="dataset-subset-fact">
            {s.images} of the {subset.files} image files, chosen before decoding to fit the data budget (a seeded subset
            of {subset.request}): each class and official split keeps its share, and a patient&apos;s images are all in
            or all out. The rest were not decoded; a larger budget under Storage and a new load take them all.
          </dd>
        </>
      )}
      <dt>Original size</dt>
      <dd data-testid="dataset-sizes">{sizeText(s, demo)}</dd>
      {/* The generated set has no files: nothing to compare byte for byte, nothing to skip. */}
      {!demo && (
        <>
          <dt>Duplicates</dt>
          <dd data-testid="dataset-duplicates" data-groups={d.groups}>
            {d.groups === 0 ? (
              'none: no two files have the same bytes'
            ) : (
              <details>
                <summary>
                  {d.groups} group{d.groups === 1 ? '' : 's'} of byte-identical files ({d.files} files, {d.redundant}{' '}
                  redundant
                  {d.redundant === 1 ? ' copy' : ' copies'}), each group kept in one split
                </summary>
                <ul className="dup-groups">
                  {d.list.slice(0, LISTED).map((g) => (
                    <li key={g[0]}>
                      {g.map((p, i) => (
                        <span key={p}>
                          {i > 0 && ' = '}
                          <code>{p}</code>
                        </span>
                      ))}
                    </li>
                  ))}
                  {d.list.length > LISTED && <li className="muted">… {d.list.length - LISTED} more groups</li>}
                </ul>
              </details>
            )}
          </dd>
        </>
      )}
      {s.labelConflicts.list.length > 0 && (
        <>
          <dt>Label conflicts</dt>
          <dd
            data-testid="dataset-label-conflicts"
            data-count={s.labelConflicts.list.length}
            data-kept={s.labelConflicts.kept}
          >
            <ul className="dup-groups">
              {s.labelConflicts.list.slice(0, LISTED).map((c) => (
                <li key={c[0].path} className="is-error" data-testid="label-conflict">
                  {describeLabelConflict(c)}
                </li>
              ))}
              {s.labelConflicts.list.length > LISTED && (
                <li className="muted">… {s.labelConflicts.list.length - LISTED} more</li>
              )}
            </ul>
            {s.labelConflicts.kept
              ? 'Kept under both labels, as asked.'
              : 'Left out of training, validation and test: which label is right cannot be told from the files.'}
          </dd>
        </>
      )}
      {s.nestedCopy && (
        <>
          <dt>Nested copy</dt>
          <dd data-testid="dataset-nested">
            <code>{s.nestedCopy}</code> repeats the main folders (as in the Kaggle archive): its files are counted once.
          </dd>
        </>
      )}
      {!demo && (
        <>
          <dt>Skipped{s.skipped.length > 0 && ` (${s.skipped.length})`}</dt>
          <dd data-testid="dataset-skipped" data-count={s.skipped.length}>
            {s.skipped.length === 0 ? 'nothing: every file was an image that decoded' : <SkippedList summary={s} />}
          </dd>
        </>
      )}
    </dl>
  );
}

function sizeText(s: DatasetSummary, demo: boolean): string {
  if (!s.imageSize) return 'no image loaded';
  const { minWidth, maxWidth, minHeight, maxHeight } = s.imageSize;
  const range = (a: number, b: number) => (a === b ? `${a}` : `${a}–${b}`);
  const dims = `width ${range(minWidth, maxWidth)} px, height ${range(minHeight, maxHeight)} px`;
  if (demo) return `${dims} (generated at the input size)`;
  const formats = Object.entries(s.formats)
    .map(([f, n]) => `${n} ${f.toUpperCase()}`)
    .join(', ');
  return `${dims} · ${formats} · ${formatBytes(s.bytesRead)} read`;
}

/** The reason without its parenthesised detail, as the core groups skipped files (summary.skippedByReason). */
const headOf = (reason: string) => reason.replace(/\s*\(.*$/, '').replace(/;.*$/, '');

/** Skipped files by reason: the reason once when the group shares it whole, else each file with its own detail. */
function SkippedList({ summary: s }: { summary: DatasetSummary }) {
  return (
    <ul className="skip-groups">
      {s.skippedByReason.map((group) => {
        const files = s.skipped.filter((f) => headOf(f.reason) === group.reason);
        const same = files.every((f) => f.reason === group.example.reason);
        const item = (f: (typeof files)[number]) => (
          <li key={f.path} data-testid="skipped-file" data-path={f.path} data-reason={f.reason}>
            <code>{f.path}</code>
            {!same && <span className="muted"> {f.reason.slice(group.reason.length).trim()}</span>}
          </li>
        );
        const rest = files.slice(INLINE);
        return (
          <li key={group.reason} className="skip-group">
            <span className="skip-reason">
              {group.count} × {same ? group.example.reason : group.reason}
            </span>
            <ul className="path-list">{files.slice(0, INLINE).map(item)}</ul>
            {rest.length > 0 && (
              <details>
                <summary>{rest.length} more</summary>
                <ul className="path-list">
                  {rest.slice(0, LISTED).map(item)}
                  {rest.length > LISTED && <li className="muted">… {rest.length - LISTED} not listed here</li>}
                </ul>
              </details>
            )}
          </li>
        );
      })}
    </ul>
  );
}
