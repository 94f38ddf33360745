import { describe, expect, it } from 'vitest';
import {
  hideableNames,
  lessonFromHash,
  lessonParamsOf,
  lessonToParams,
  withLessonParams,
} from '../../src/app/lesson/lesson-link';
import { DEFAULT_SETTINGS, settingsFromHash, settingsToHash } from '../../src/app/state/settings';

describe('lesson links', () => {
  it('reads hide= as setting flags (or their JSON keys) and sections, and reports names it does not know', () => {
    const lesson = lessonFromHash(
      '#epochs=3&hide=lr,batchSize,backend,export,nonsense&lesson=Watch%20the%20loss%20fall',
    );
    expect([...lesson.hide].sort()).toEqual(['backend', 'batch', 'export', 'lr']);
    expect(lesson.unknown).toEqual(['nonsense']);
    expect(lesson.text).toBe('Watch the loss fall');
    expect(lesson.present).toBe(false);
    expect(lessonFromHash('#present=1').present).toBe(true);
    // The settings in the same hash still apply.
    expect(settingsFromHash('#epochs=3&hide=lr,batch,backend,export').epochs).toBe(3);
  });

  it('writes the lesson after the settings and reads back what it wrote', () => {
    const settings = { ...DEFAULT_SETTINGS, epochs: 3 };
    const hash = withLessonParams(
      settingsToHash(settings),
      lessonToParams({
        hide: new Set(['export', 'lr', 'data']),
        text: 'Compare k=1 with k=5 & say why',
        present: true,
      }),
    );
    // Sections first, then settings in the schema's order: the same lesson always gives the same link.
    expect(hash).toBe('#epochs=3&hide=data%2Cexport%2Clr&lesson=Compare+k%3D1+with+k%3D5+%26+say+why&present=1');
    const back = lessonFromHash(hash);
    expect([...back.hide]).toEqual(['data', 'export', 'lr']);
    expect(back.text).toBe('Compare k=1 with k=5 & say why');
    expect(back.present).toBe(true);
    expect(settingsFromHash(hash).epochs).toBe(3);
  });

  it('keeps the lesson parameters when the settings part of the hash is rewritten', () => {
    const kept = lessonParamsOf('#size=64&hide=lr&lesson=hi&present=1');
    expect(kept).toEqual([
      ['hide', 'lr'],
      ['lesson', 'hi'],
      ['present', '1'],
    ]);
    expect(withLessonParams('#size=96', kept)).toBe('#size=96&hide=lr&lesson=hi&present=1');
    expect(withLessonParams('', [])).toBe('');
  });

  it('can hide every section and every setting of the schema by name', () => {
    const all = hideableNames();
    expect(all).toEqual(
      expect.arrayContaining([
        'data',
        'models',
        'settings',
        'train',
        'compare',
        'export',
        'classify',
        'storage',
        'lr',
        'batch',
        'epochs',
        'backend',
      ]),
    );
    expect([...lessonFromHash(`#hide=${all.join(',')}`).hide]).toHaveLength(all.length);
  });
});
