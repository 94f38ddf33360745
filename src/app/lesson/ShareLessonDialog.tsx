/**
 * "Share this lesson": a teacher ticks what the class should not see, writes a line of instructions, and copies a
 * link that opens the page with today's settings, those parts hidden and the text on top.
 */
import { useId, useRef, useState } from 'react';
import { EXPERIMENT_FIELDS } from '../../lab/experiment/schema';
import { settingsToHash, type Settings } from '../state/settings';
import { lessonToParams, MAX_LESSON_TEXT, SECTION_NAMES, withLessonParams, type Lesson } from './lesson-link';

const SECTION_LABELS: Record<(typeof SECTION_NAMES)[number], string> = {
  data: 'Data (step 1)',
  models: 'Model choice',
  settings: 'All settings',
  train: 'Train (step 3)',
  compare: 'Compare (step 4)',
  export: 'Export (step 5)',
  classify: 'Classify panel',
  storage: 'Project file and storage',
};

/** The link a lesson makes: this page's address with the settings and the lesson's parameters in the hash. */
export function lessonLink(
  settings: Settings,
  lesson: Pick<Lesson, 'hide' | 'text' | 'present'>,
  location: Pick<Location, 'origin' | 'pathname' | 'search'>,
): string {
  return `${location.origin}${location.pathname}${location.search}${withLessonParams(settingsToHash(settings), lessonToParams(lesson))}`;
}

export function ShareLessonButton({ settings, lesson }: { settings: Settings; lesson: Lesson }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const linkField = useRef<HTMLInputElement>(null);
  const [hide, setHide] = useState<Set<string>>(() => new Set(lesson.hide));
  const [text, setText] = useState(lesson.text ?? '');
  const [present, setPresent] = useState(lesson.present);
  const [copied, setCopied] = useState<string | null>(null);
  const id = useId();
  const link = lessonLink(settings, { hide, text: text.trim() === '' ? null : text.trim(), present }, window.location);
  const toggle = (name: string, on: boolean) =>
    setHide((h) => {
      const next = new Set(h);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('Link copied.');
    } catch {
      // No clipboard permission (an insecure page, a locked-down browser): select it for Ctrl+C instead.
      linkField.current?.select();
      setCopied('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  const box = (name: string, label: string) => (
    <label key={name} className="checkbox-line">
      <input
        type="checkbox"
        data-testid={`share-hide-${name}`}
        checked={hide.has(name)}
        onChange={(e) => toggle(name, e.currentTarget.checked)}
      />{' '}
      {label}
    </label>
  );
  return (
    <>
      <button
        type="button"
        data-testid="share-lesson-open"
        onClick={() => {
          setCopied(null);
          dialog.current?.showModal();
        }}
      >
        Share this lesson
      </button>
      <dialog ref={dialog} className="share-lesson" data-testid="share-lesson" aria-labelledby={`${id}-title`}>
        <form method="dialog">
          <h2 id={`${id}-title`}>Share this lesson</h2>
          <p className="note">
            The link opens this page with the current settings. Tick what your class should not see; it is left out, not
            greyed.
          </p>
          <fieldset>
            <legend>Hide parts of the page</legend>
            <div className="share-grid">{SECTION_NAMES.map((name) => box(name, SECTION_LABELS[name]))}</div>
          </fieldset>
          <fieldset>
            <legend>Hide single settings</legend>
            <div className="share-grid">
              {EXPERIMENT_FIELDS.filter((f) => f.flag !== 'models').map((f) => box(f.flag, f.flag))}
            </div>
          </fieldset>
          <label className="field field-wide">
            <span className="field-label">Lesson text, shown on top</span>
            <textarea
              data-testid="share-lesson-text"
              maxLength={MAX_LESSON_TEXT}
              rows={3}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
            />
          </label>
          <label className="checkbox-line">
            <input
              type="checkbox"
              data-testid="share-present"
              checked={present}
              onChange={(e) => setPresent(e.currentTarget.checked)}
            />{' '}
            open in presentation mode
          </label>
          <label className="field field-wide">
            <span className="field-label">Link</span>
            <input
              ref={linkField}
              type="text"
              readOnly
              value={link}
              data-testid="share-lesson-link"
              onFocus={(e) => e.currentTarget.select()}
            />
          </label>
          <p className="share-actions">
            <button type="button" data-testid="share-lesson-copy" onClick={() => void copy()}>
              Copy link
            </button>
            <button type="submit" data-testid="share-lesson-close">
              Close
            </button>
            <span role="status" aria-live="polite">
              {copied}
            </span>
          </p>
        </form>
      </dialog>
    </>
  );
}
