/** The lesson of the page's URL, for any component that may be hidden by it (`hide=`). */
import { createContext, useContext } from 'react';
import { NO_LESSON, type Lesson } from './lesson-link';

export const LessonContext = createContext<Lesson>(NO_LESSON);

/** Whether a section or setting flag is shown (not named in the lesson's `hide=`). */
export function useShown(): (name: string) => boolean {
  const lesson = useContext(LessonContext);
  return (name) => !lesson.hide.has(name);
}
