import { runConfig, type RunConfig } from '../../src/lab/experiment/run-config';
import { defaultExperiment } from '../../src/lab/experiment/schema';

/**
 * One run's settings: the study recipe's defaults with seed 1, class 1 positive, and `overrides` (tests of the
 * training mechanics name what they need, whichever recipe is the default).
 */
export function testRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...runConfig(defaultExperiment({ recipe: 'study' }), 1, 1), ...overrides };
}
