/** What was loaded: images per split and class, a few thumbnails per class, and anything that was skipped. */
import type { DatasetSummary } from '../../worker/protocol';
import { RgbaImage } from './RgbaImage';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function DatasetSummaryView({ summary }: { summary: DatasetSummary }) {
  const { classNames, counts } = summary;
  const splits = [
    { key: 'train', label: 'Train', values: counts.train },
    { key: 'val', label: 'Validation', values: counts.val },
    { key: 'test', label: 'Test', values: counts.test },
  ] as const;

  return (
    <div className="summary" data-testid="dataset-summary" data-count={summary.count}>
      <p className="summary-line">
        <strong>{summary.name}</strong> · {summary.count} images · {summary.patients} patients · stored at{' '}
        {summary.size}×{summary.size}×{summary.channels}
      </p>
      <div className="summary-grid">
        <table className="counts">
          <caption className="visually-hidden">Images per split and class</caption>
          <thead>
            <tr>
              <th scope="col">Class</th>
              {splits.map((s) => <th scope="col" key={s.key} className="num">{s.label}</th>)}
              <th scope="col" className="num">All</th>
            </tr>
          </thead>
          <tbody>
            {classNames.map((name, c) => (
              <tr key={name} data-class={name}>
                <th scope="row">
                  {name}
                  {c === summary.positiveClass && <span className="tag" title="Scored as positive: sensitivity, ROC">positive</span>}
                </th>
                {splits.map((s) => <td key={s.key} className="num" data-split={s.key}>{s.values[c]}</td>)}
                <td className="num">{counts.train[c] + counts.val[c] + counts.test[c]}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All</th>
              {splits.map((s) => <td key={s.key} className="num">{sum(s.values)}</td>)}
              <td className="num">{summary.count}</td>
            </tr>
          </tfoot>
        </table>
        <div className="thumbs">
          {classNames.map((name, c) => (
            <figure key={name} className="thumb-row">
              <figcaption>{name}</figcaption>
              <div className="thumb-strip">
                {summary.thumbnails.filter((t) => t.label === c).map((t) => (
                  <RgbaImage key={t.file} rgba={t.rgba} side={t.side} title={t.file} />
                ))}
              </div>
            </figure>
          ))}
        </div>
      </div>
      <p className="note">
        {summary.presetSplits
          ? 'The data came with a test folder: it stays the test set; train and val folders are pooled and split again by patient.'
          : 'Split by patient (no patient in two splits), with the class mix kept in each; fractions and seed are in the settings.'}
        {summary.duplicateFiles > 0 && ` ${summary.duplicateFiles} files are byte-identical copies of others.`}
      </p>
      {summary.skippedCount > 0 && (
        <details className="skipped">
          <summary>{summary.skippedCount} files skipped</summary>
          <ul>
            {summary.skipped.map((s) => <li key={s.path}><code>{s.path}</code>: {s.reason}</li>)}
            {summary.skippedCount > summary.skipped.length && <li>… and {summary.skippedCount - summary.skipped.length} more</li>}
          </ul>
        </details>
      )}
    </div>
  );
}
