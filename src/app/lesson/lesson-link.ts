/**
 * A lesson link, TF Playground's pattern: besides the experiment's settings, the URL hash may carry `hide=` (setting
 * flags from the schema and page sections, comma-separated), `lesson=` (a short text shown on top) and `present=1`
 * (presentation mode). A teacher shares one link; the class opens the page with only what the lesson needs.
 */
import { EXPERIMENT_FIELDS, findField } from '../../lab/experiment/schema';

/** The page's sections a lesson can hide, in page order. */
export const SECTION_NAMES = [
  'data',
  'models',
  'settings',
  'train',
  'compare',
  'export',
  'classify',
  'storage',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** The hash parameters that are lesson options, not settings. */
export const LESSON_PARAMS = ['hide', 'lesson', 'present'] as const;

/** Longest lesson text kept (a link is not the place for a worksheet). */
export const MAX_LESSON_TEXT = 600;

export interface Lesson {
  /** Setting flags (`lr`, `batch`, …) and section names to leave out of the page. */
  readonly hide: ReadonlySet<string>;
  readonly text: string | null;
  readonly present: boolean;
  /** Names in `hide=` that are neither a setting nor a section (shown so a teacher can fix the link). */
  readonly unknown: readonly string[];
}

export const NO_LESSON: Lesson = { hide: new Set(), text: null, present: false, unknown: [] };

/** Every name `hide=` accepts: the sections, then each setting's flag (`models` is both: the model choice). */
export function hideableNames(): string[] {
  return [...new Set([...SECTION_NAMES, ...EXPERIMENT_FIELDS.map((f) => f.flag)])];
}

/** Reads the lesson options of a URL hash (`#epochs=3&hide=lr,batch&lesson=…`). */
export function lessonFromHash(hash: string): Lesson {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const hide = new Set<string>();
  const unknown: string[] = [];
  for (const raw of (params.get('hide') ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    // A JSON key (`batchSize`) is accepted as its flag (`batch`), as the settings in the hash are.
    const flag = (SECTION_NAMES as readonly string[]).includes(name) ? name : findField(name)?.flag;
    if (flag) hide.add(flag);
    else unknown.push(name);
  }
  const text = (params.get('lesson') ?? '').trim().slice(0, MAX_LESSON_TEXT);
  const present = ['1', 'true', 'yes'].includes((params.get('present') ?? '').toLowerCase());
  return { hide, text: text === '' ? null : text, present, unknown };
}

/** The lesson options as hash parameters, to append to the settings' own. */
export function lessonToParams(lesson: Pick<Lesson, 'hide' | 'text' | 'present'>): [string, string][] {
  const order = hideableNames();
  const out: [string, string][] = [];
  const hidden = [...lesson.hide].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  if (hidden.length > 0) out.push(['hide', hidden.join(',')]);
  if (lesson.text) out.push(['lesson', lesson.text.slice(0, MAX_LESSON_TEXT)]);
  if (lesson.present) out.push(['present', '1']);
  return out;
}

/** The lesson parameters of a hash, untouched, so rewriting the settings part keeps them. */
export function lessonParamsOf(hash: string): [string, string][] {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return LESSON_PARAMS.flatMap((name) => (params.has(name) ? [[name, params.get(name)!] as [string, string]] : []));
}

/** A settings hash (`#size=64`, or '') with lesson parameters added. */
export function withLessonParams(settingsHash: string, lessonParams: readonly [string, string][]): string {
  const params = new URLSearchParams(settingsHash.replace(/^#/, ''));
  for (const [name, value] of lessonParams) params.set(name, value);
  const query = params.toString();
  return query === '' ? '' : `#${query}`;
}
