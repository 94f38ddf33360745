import { showPath } from './errors';
import { describeLabelConflict } from './label-conflicts';
import { formatBytes } from './memory';
import { SPLIT_NAMES } from './layout';
import { checkSplits } from './split-check';
import type { DatasetSummary } from './summary';
import type { TableReport } from './table/table-report';

/** Paths shown per group of skipped files in the text summary (the JSON lists them all). */
const SHOWN = 8;

/**
 * The summary as a few lines of plain text (what `xray-lab scan` prints): a class × split table with patients,
 * where val and test came from and whether they can give meaningful metrics (split-check.ts), sizes, duplicates,
 * label conflicts, the nested copy and the skipped files grouped by reason.
 */
export function formatSummary(s: DatasetSummary): string {
  const lines: string[] = [];
  const partial = s.aborted ? ' (cancelled: partial counts)' : '';
  lines.push(
    `${showPath(s.source)} (${s.kind}): ${s.images} images, ${s.classNames.length} classes, ${s.patients} patients${partial}`,
  );
  const width = Math.max(9, ...s.classNames.map((c) => c.length + 1));
  const row = (label: string, values: number[]): string =>
    `  ${label.padEnd(width)}${values.map((v) => String(v).padStart(8)).join('')}`;
  lines.push(row('', []) + SPLIT_NAMES.map((n) => n.padStart(8)).join('') + 'total'.padStart(8));
  s.classNames.forEach((name, c) => {
    const mark = c === s.positiveClass ? '*' : '';
    lines.push(row(name + mark, [...SPLIT_NAMES.map((n) => s.splits[n].perClass[c]), s.perClass[c]]));
  });
  lines.push(row('total', [...SPLIT_NAMES.map((n) => s.splits[n].count), s.images]));
  lines.push(row('patients', [...SPLIT_NAMES.map((n) => s.splits[n].patients), s.patients]));
  lines.push(`  * positive class: ${s.classNames[s.positiveClass]}`);

  const { valFraction, testFraction, seed } = s.splitSettings;
  const pct = (f: number): string => `${Math.round(f * 100)} %`;
  // With a label table, a "folder" split is the one its lists or split column named.
  const origin = {
    folder: s.table ? 'the official split of the label table' : "the data's own folder",
    none: 'none',
  } as const;
  const val = s.valOrigin === 'carved' ? `${pct(valFraction)} of the pool by patient` : origin[s.valOrigin];
  const test = s.testOrigin === 'carved' ? `${pct(testFraction)} of the pool by patient` : origin[s.testOrigin];
  lines.push(`  split (seed ${seed}): val = ${val}; test = ${test}`);
  if (s.table) lines.push(...formatTableReport(s.table));
  for (const problem of checkSplits(s)) lines.push(`  WARNING ${problem.message}`);
  const leaks = s.leaks.patients + s.leaks.duplicateGroups;
  lines.push(
    leaks === 0
      ? '  no patient and no byte-identical copy is in two splits'
      : `  WARNING: ${s.leaks.patients} patient(s) and ${s.leaks.duplicateGroups} duplicate group(s) span two splits`,
  );

  if (s.imageSize) {
    const { minWidth, maxWidth, minHeight, maxHeight } = s.imageSize;
    const range = (a: number, b: number): string => (a === b ? `${a}` : `${a}–${b}`);
    const formats = Object.entries(s.formats)
      .map(([f, n]) => `${f} ${n}`)
      .join(', ');
    lines.push(
      `  original sizes: width ${range(minWidth, maxWidth)} px, height ${range(minHeight, maxHeight)} px; ${formats}; ${formatBytes(s.bytesRead)} read`,
    );
  }
  if (s.store)
    lines.push(`  stored as uint8 ${s.store.size}×${s.store.size}×${s.store.channels}: ${formatBytes(s.store.bytes)}`);
  const d = s.duplicates;
  lines.push(
    d.groups === 0
      ? `  no ${s.labelConflicts.list.length > 0 ? 'other ' : ''}byte-identical files`
      : `  duplicates: ${d.groups} groups of byte-identical files (${d.files} files, ${d.redundant} redundant copies), each kept in one split`,
  );
  for (const conflict of s.labelConflicts.list.slice(0, SHOWN)) lines.push(`  ${describeLabelConflict(conflict)}`);
  if (s.labelConflicts.list.length > SHOWN)
    lines.push(`  … ${s.labelConflicts.list.length - SHOWN} more label conflicts`);
  if (s.labelConflicts.list.length > 0) {
    const files = s.labelConflicts.list.reduce((n, c) => n + c.length, 0);
    lines.push(
      s.labelConflicts.kept
        ? `  WARNING: ${files} files with a label conflict are kept under both labels`
        : `  the ${files} files with a label conflict are left out of training, validation and test`,
    );
  }
  if (s.nestedCopy) lines.push(`  nested copy ${s.nestedCopy} recognised: its files are counted once`);

  if (s.skipped.length === 0) lines.push('  nothing skipped');
  else {
    lines.push(`  skipped ${s.skipped.length} file(s):`);
    for (const group of s.skippedByReason) {
      const paths = s.skipped.filter((f) => f.reason.startsWith(group.reason));
      // Say the full reason once when the whole group shares it; else give each file its own detail.
      const same = paths.every((f) => f.reason === group.example.reason);
      const heading = same ? group.example.reason : group.reason;
      // Each file's own detail is what its reason adds to the group's head (`(to /mnt/x); not followed`).
      const detail = (reason: string): string =>
        reason.startsWith(group.reason) ? reason.slice(group.reason.length).trim() : `(${reason})`;
      const shown = paths
        .slice(0, SHOWN)
        .map((f) => (same ? showPath(f.path) : `${showPath(f.path)} ${detail(f.reason)}`));
      const more = paths.length > SHOWN ? `, … ${paths.length - SHOWN} more` : '';
      lines.push(`    ${group.count} × ${heading}: ${shown.join(', ')}${more}`);
    }
  }
  return lines.join('\n');
}

/** The label table's lines: where classes, patients and splits came from, and what was dropped, by reason. */
export function formatTableReport(t: TableReport): string[] {
  const m = t.identity.mapping;
  const classes = m.classes ? m.classes.map(([v, c]) => `${v}=${c}`).join(',') : 'each value its own class';
  const lists = [
    t.identity.testList && `test = ${t.identity.testList.file}`,
    t.identity.valList && `val = ${t.identity.valList.file}`,
    m.splitColumn && `split column ${m.splitColumn}`,
  ].filter(Boolean);
  const lines = [
    `  labels: ${showPath(t.identity.file)} (${t.hasHeader ? 'header' : 'no header'}), ${t.rows} rows; image ${m.imageColumn}, label ${m.labelColumn} (${classes})` +
      `, patient ${m.patientColumn ?? 'from file names'}${lists.length > 0 ? `; official split: ${lists.join(', ')}` : ''}`,
  ];
  const d = t.rowsDropped;
  const example = (e: string | undefined): string => (e === undefined ? '' : ` (e.g. "${showPath(e)}")`);
  const dropped = [
    d.noImage && `${d.noImage} name no image here`,
    d.ambiguousImage && `${d.ambiguousImage} name several images`,
    d.noClass && `${d.noClass} map to no class${example(t.examples.noClass)}`,
    d.twoClasses && `${d.twoClasses} map to two classes${example(t.examples.twoClasses)}`,
  ].filter(Boolean);
  lines.push(dropped.length === 0 ? '  no table row dropped' : `  table rows dropped: ${dropped.join('; ')}`);
  if (t.imagesWithoutClass > 0)
    lines.push(`  ${t.imagesWithoutClass} images left out: no row of theirs maps to a class`);
  if (t.conflicts > 0)
    lines.push(`  WARNING ${t.conflicts} images left out: their rows give different labels (listed below)`);
  if (t.imagesWithoutRow > 0) lines.push(`  ${t.imagesWithoutRow} images have no row in the table (listed below)`);
  if (t.listNamesUnmatched > 0) lines.push(`  ${t.listNamesUnmatched} names in the split lists match no image here`);
  return lines;
}
