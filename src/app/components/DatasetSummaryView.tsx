/**
 * What was loaded, from the core's DatasetSummary: images and patients per split and class, a few thumbnails per
 * class, then the facts behind the numbers (split, original sizes, duplicates, nested copy, skipped files).
 */
import type { ReactNode } from 'react';
import { formatBytes } from '../../lab/data/memory';
import { SPLIT_NAMES } from '../../lab/data/layout';
import { checkSplits } from '../../lab/data/split-check';
import { formatTableReport } from '../../lab/data/summary-text';
import type { DatasetInfo, DatasetSummary } from '../../worker/protocol';
import { DatasetFacts } from './DatasetFacts';
import { RgbaImage } from './RgbaImage';

const SPLIT_LABEL = { train: 'Train', val: 'Validation', test: 'Test' } as const;
const KIND_LABEL = { zip: 'zip archive', folder: 'folder', files: 'files' } as const;

export function DatasetSummaryView({ dataset }: { dataset: DatasetInfo }) {
  const s = dataset.summary;
  const kind = dataset.demo ? 'generated' : KIND_LABEL[s.kind];
  return (
    <div
      className="summary"
      data-testid="dataset-summary"
      data-count={s.images}
      data-skipped={s.skipped.length}
      data-limit={dataset.limit}
      data-subset={dataset.subset ?? 0}
      data-source={s.source}
      data-nested-copy={s.nestedCopy}
    >
      <p className="summary-line">
        <strong>{s.source}</strong> <span className="muted">({kind})</span> · {s.images} images · {s.patients} patients
        {dataset.subset ? (
          <span data-testid="dataset-subset">
            {' '}
            · a subset of {s.images} of {dataset.identity.files} images, patients kept whole
          </span>
        ) : null}
        {dataset.limit > 0 && (
          <span className="tag" title="Seeded, class-stratified subset of the pool; a test/ folder stays whole">
            limit {dataset.limit}
          </span>
        )}
        {s.store && (
          <>
            {' '}
            · stored at {s.store.size}×{s.store.size}×{s.store.channels} ({formatBytes(s.store.bytes)})
          </>
        )}
        {s.aborted && <span className="tag is-warn">cancelled: partial</span>}
      </p>
      <SplitWarnings summary={s} />
      {s.table && (
        <ul className="table-report" data-testid="table-report">
          {formatTableReport(s.table).map((line) => (
            <li key={line}>{line.trim()}</li>
          ))}
        </ul>
      )}
      <div className="summary-grid">
        <CountsTable summary={s} />
        <div className="thumbs">
          {s.classNames.map((name, c) => (
            <figure key={name} className="thumb-row">
              <figcaption>{name}</figcaption>
              {/* The stored pixels, as the network receives them (what `xray-lab preview` writes). */}
              <div className="thumb-strip" data-testid="preview-strip" data-class={name}>
                {dataset.thumbnails
                  .filter((t) => t.label === c)
                  .map((t) => (
                    <RgbaImage key={t.file} rgba={t.rgba} side={t.side} title={t.file} />
                  ))}
              </div>
            </figure>
          ))}
        </div>
      </div>
      <DatasetFacts
        summary={s}
        demo={dataset.demo}
        subset={dataset.subset ? { request: dataset.subset, files: dataset.identity.files } : null}
      />
    </div>
  );
}

/** Images per class × split, with totals and the patients of each split. */
function CountsTable({ summary: s }: { summary: DatasetSummary }) {
  const row = (label: ReactNode, values: number[], total: number, attrs: Record<string, string> = {}) => (
    <>
      <th scope="row" {...attrs}>
        {label}
      </th>
      {values.map((v, i) => (
        <td key={SPLIT_NAMES[i]} className="num" data-split={SPLIT_NAMES[i]}>
          {v}
        </td>
      ))}
      <td className="num" data-split="all">
        {total}
      </td>
    </>
  );
  return (
    <table className="counts">
      <caption className="visually-hidden">Images per split and class</caption>
      <thead>
        <tr>
          <th scope="col">Class</th>
          {SPLIT_NAMES.map((n) => (
            <th scope="col" key={n} className="num">
              {SPLIT_LABEL[n]}
            </th>
          ))}
          <th scope="col" className="num">
            All
          </th>
        </tr>
      </thead>
      <tbody>
        {s.classNames.map((name, c) => (
          <tr key={name} data-class={name}>
            {row(
              <>
                {name}
                {c === s.positiveClass && (
                  <span className="tag" title="Scored as positive: sensitivity, ROC">
                    positive
                  </span>
                )}
              </>,
              SPLIT_NAMES.map((n) => s.splits[n].perClass[c]),
              s.perClass[c],
            )}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr data-row="all">
          {row(
            'All',
            SPLIT_NAMES.map((n) => s.splits[n].count),
            s.images,
          )}
        </tr>
        <tr data-row="patients" className="is-patients">
          {row(
            'Patients',
            SPLIT_NAMES.map((n) => s.splits[n].patients),
            s.patients,
          )}
        </tr>
      </tfoot>
    </table>
  );
}

/** What the split leaves undefined or unreliable (too few images, a class missing, no validation set), and why. */
function SplitWarnings({ summary }: { summary: DatasetSummary }) {
  const problems = checkSplits(summary);
  if (problems.length === 0) return null;
  return (
    <ul className="split-warnings" data-testid="split-warnings" data-count={problems.length}>
      {problems.map((p) => (
        <li key={p.message} className="is-warn" data-testid="split-warning" data-split={p.split}>
          {p.message}
        </li>
      ))}
    </ul>
  );
}
