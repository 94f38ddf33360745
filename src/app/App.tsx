/**
 * X-Ray Lab: the page in the order a user works — data, models, training, comparison, export. All computing
 * happens in the lab worker; this component only wires settings and lab state to the five sections.
 */
import { Fragment, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { takesInputSize } from '../lab/models/input-size';
import { BackendIndicator } from './components/BackendIndicator';
import { CompareSection } from './components/CompareSection';
import { DataSection } from './components/DataSection';
import { ErrorBanner } from './components/ErrorBanner';
import { ExportSection } from './components/ExportSection';
import { ModelsSection } from './components/ModelsSection';
import { ProjectFileControls } from './components/ProjectFileControls';
import { ResumeBanner } from './components/ResumeBanner';
import { StorageSection } from './components/StorageSection';
import { TrainSection } from './components/TrainSection';
import { preloadCharts } from './components/VisChart';
import { warmUpFormatting } from './lib/warm-up';
import { backboneBlocker } from './state/backbones-state';
import { isBusy, type LabState } from './state/lab-state';
import { validateSettings, type Settings } from './state/settings';
import { useLab } from './state/use-lab';
import { useSettings } from './state/use-settings';
import { LessonContext } from './lesson/lesson-context';
import { lessonFromHash } from './lesson/lesson-link';
import { PresentationContext, usePresentationMode } from './lesson/presentation-mode';
import { ShareLessonButton } from './lesson/ShareLessonDialog';

/** Why the selected models cannot take the chosen input size, or null. */
function sizeProblemOf(state: LabState, settings: Settings, selected: string[]): string | null {
  const refused = state.models.filter((m) => selected.includes(m.id) && !takesInputSize(m, settings.size));
  if (refused.length === 0) return null;
  return refused.map((m) => `${m.label} needs at least ${m.minSize}×${m.minSize} px`).join('; ');
}

/** The first reason training cannot start now, or null. */
function blockerOf(state: LabState, settings: Settings, selected: string[], sizeProblem: string | null): string | null {
  const errors = Object.entries(
    validateSettings({ ...settings, models: selected.length > 0 ? selected : settings.models }, state.models),
  );
  if (!state.dataset) return 'Load a dataset first (step 1).';
  if (state.loadingData) return 'Wait for the dataset to finish loading.';
  if (selected.length === 0) return 'Tick at least one model (step 2).';
  if (sizeProblem) return `Input size ${settings.size} is refused: ${sizeProblem}.`;
  if (errors.length > 0) return `Setting "${errors[0][0]}" ${errors[0][1]}.`;
  // Never a transfer model on a random backbone: without weights it does not start.
  return backboneBlocker(
    state.backbones,
    state.models.filter((m) => selected.includes(m.id)),
  );
}

export function App() {
  const [settings, update] = useSettings();
  const [state, lab] = useLab(settings);
  const known = new Set(state.models.map((m) => m.id));
  const selected = settings.models.filter((id) => known.has(id));
  const sizeProblem = sizeProblemOf(state, settings, selected);
  const errors = useMemo(() => validateSettings(settings, state.models), [settings, state.models]);
  useEffect(preloadCharts, []);
  useEffect(warmUpFormatting, []);
  // Read once: a lesson link sets up the page as it opens; the teacher's dialog writes a new link, not this page.
  const [lesson] = useState(() => lessonFromHash(window.location.hash));
  const [present, setPresent] = usePresentationMode(lesson.present);
  const [presentStep, setPresentStep] = useState('data');
  // Each step's view is remade only when what it shows changes: a progress message from the worker (several a
  // second while models train) then re-renders the Train step alone, not the tables and charts of the others. The
  // dependency lists are the parts of the state each section reads.
  const onError = useCallback((m: string) => lab.showError(m), [lab]);
  const onUseSettings = useCallback((experiment: Partial<Settings>) => update(experiment), [update]);
  const dataView = useMemo(
    () => <DataSection state={state} actions={lab.dataset} settings={settings} onChange={update} onError={onError} />,
    [
      state.dataset,
      state.ingest,
      state.loadEstimate,
      state.budgetOffer,
      state.loadingData,
      state.running,
      settings,
      lab,
      update,
      onError,
    ],
  );
  const modelsView = useMemo(
    () => (
      <ModelsSection
        state={state}
        actions={lab.backbones}
        settings={settings}
        errors={errors}
        sizeProblem={sizeProblem}
        onChange={update}
      />
    ),
    [
      state.backbones,
      state.backend,
      state.dataset,
      state.groups,
      state.models,
      state.running,
      state.sizes,
      settings,
      errors,
      sizeProblem,
      lab,
      update,
    ],
  );
  const compareView = useMemo(
    () => (
      <CompareSection
        key={state.context?.origin.kind === 'file' ? state.context.origin.name : 'trained'}
        results={state.results}
        models={state.models}
        context={state.context}
        inference={lab.inference}
        onError={onError}
      />
    ),
    [state.results, state.models, state.context, lab, onError],
  );
  const fingerprint = state.dataset?.identity.fingerprint ?? null;
  // What the data's reading left out, for the results bundle: only when the loaded data is the one the results ran on.
  const skipped = useMemo(
    () =>
      state.dataset && fingerprint === state.context?.data?.identity.fingerprint ? state.dataset.summary.skipped : [],
    [state.dataset, state.context, fingerprint],
  );
  const exportView = useMemo(
    () => (
      <ExportSection
        results={state.results}
        context={state.context}
        downloaded={state.downloaded}
        busy={state.running}
        onDownloaded={lab.results.markDownloaded}
        onOpen={(file) => void lab.results.openExperiment(file)}
        onUseSettings={onUseSettings}
        datasetFingerprint={fingerprint}
        onError={onError}
        skipped={skipped}
        exports={lab.exports}
        inference={lab.inference}
      />
    ),
    [state.results, state.context, state.downloaded, state.running, fingerprint, lab, onUseSettings, onError, skipped],
  );
  const storageView = useMemo(
    () => (
      <>
        <ProjectFileControls
          busy={isBusy(state)}
          canSave={state.context?.data != null && (state.results.length > 0 || state.interrupted.length > 0)}
          images={
            state.dataset != null && fingerprint === state.context?.data?.identity.fingerprint
              ? state.dataset.summary.images
              : null
          }
          onSave={lab.projectFile.saveProject}
          onOpen={(file) => void lab.projectFile.openProject(file)}
        />
        <StorageSection
          version={`${state.results.length}:${state.interrupted.length}:${fingerprint ?? ''}`}
          problem={state.storageProblem}
          busy={state.running}
          load={lab.browserStore.storageUsage}
          clear={lab.browserStore.clearStorage}
          setBudget={lab.browserStore.setDatasetBudget}
          onError={onError}
        />
      </>
    ),
    [
      state.running,
      state.loadingData,
      state.context,
      state.results,
      state.interrupted,
      state.dataset,
      state.storageProblem,
      fingerprint,
      lab,
      onError,
    ],
  );
  const steps: { name: string; view: ReactNode }[] = [
    { name: 'data', view: dataView },
    { name: 'models', view: modelsView },
    {
      name: 'train',
      view: (
        <TrainSection
          state={state}
          selected={selected}
          seeds={settings.seeds.length}
          blocker={blockerOf(state, settings, selected, sizeProblem)}
          onTrain={() => void lab.training.train(selected)}
          onCancel={lab.training.cancel}
        />
      ),
    },
    { name: 'compare', view: compareView },
    { name: 'export', view: exportView },
    { name: 'storage', view: storageView },
  ];
  // Step 2 holds the model choice and the settings, step 5 the downloads and Classify: each goes only when a lesson
  // hides both of its parts.
  const parts: Record<string, string[]> = { models: ['models', 'settings'], export: ['export', 'classify'] };
  const shownSteps = steps.filter((step) => !(parts[step.name] ?? [step.name]).every((name) => lesson.hide.has(name)));
  const presentIndex = Math.max(
    0,
    shownSteps.findIndex((step) => step.name === presentStep),
  );

  return (
    <LessonContext.Provider value={lesson}>
      <PresentationContext.Provider value={present}>
        <div className={`page${present ? ' present' : ''}`}>
          <header className="masthead">
            <div>
              <h1>X-Ray Lab</h1>
              <p className="tagline">
                Train plain CNNs, low-rank LightLayers and transfer-learning networks on chest X-rays — in your browser,
                on this computer&rsquo;s graphics card or, without one, its processor.
              </p>
            </div>
            <div className="masthead-tools">
              <BackendIndicator backend={state.backend} busy={state.backendBusy} />
              <button
                type="button"
                data-testid="present-toggle"
                aria-pressed={present}
                onClick={() => setPresent(!present)}
              >
                {present ? 'Leave presentation mode' : 'Presentation mode'}
              </button>
              <ShareLessonButton settings={settings} lesson={lesson} />
            </div>
          </header>
          <ErrorBanner message={state.error} onDismiss={() => lab.showError(null)} />
          <ResumeBanner
            interrupted={state.interrupted}
            recovery={state.recovery}
            fingerprint={state.dataset?.identity.fingerprint ?? null}
            busy={isBusy(state)}
            onResume={(run) => void lab.resume.resume(run)}
            onDiscard={(run) => void lab.resume.discard(run)}
          />
          {lesson.text && (
            <aside className="lesson-text" data-testid="lesson-text" aria-label="Lesson">
              {lesson.text}
            </aside>
          )}
          {lesson.unknown.length > 0 && (
            <p className="note is-warning" data-testid="lesson-unknown">
              This lesson link hides {lesson.unknown.map((n) => `"${n}"`).join(', ')}, which this page does not know.
            </p>
          )}
          <main>
            {present && shownSteps.length > 0 && (
              <nav className="present-nav" aria-label="Presentation steps" data-testid="present-nav">
                <button
                  type="button"
                  data-testid="present-previous"
                  disabled={presentIndex === 0}
                  onClick={() => setPresentStep(shownSteps[presentIndex - 1].name)}
                >
                  ← Previous step
                </button>
                <span aria-live="polite">
                  Step {presentIndex + 1} of {shownSteps.length}
                </span>
                <button
                  type="button"
                  data-testid="present-next"
                  disabled={presentIndex === shownSteps.length - 1}
                  onClick={() => setPresentStep(shownSteps[presentIndex + 1].name)}
                >
                  Next step →
                </button>
              </nav>
            )}
            {(present ? shownSteps.slice(presentIndex, presentIndex + 1) : shownSteps).map((step) => (
              <Fragment key={step.name}>{step.view}</Fragment>
            ))}
          </main>
          <footer className="footer" data-testid="page-footer">
            <p>
              <strong>What the lab is for:</strong> teaching and research on how networks learn from chest X-rays. It is
              not a medical device: no model trained here is fit to diagnose anyone.
            </p>
            <p>
              Reproduces “X-ray classification: Conv2D, LightConv2D and transfer learning compared” with patient-level
              splits and clinical metrics. Images never leave this machine.
            </p>
          </footer>
        </div>
      </PresentationContext.Provider>
    </LessonContext.Provider>
  );
}
