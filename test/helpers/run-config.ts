import { runConfig, type RunConfig } from '../../src/lab/experiment/run-config';
import { defaultExperiment } from '../../src/lab/experiment/schema';

/** One run's settings: the experiment defaults with seed 1, class 1 positive, and `overrides`. */
export function testRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...runConfig(defaultExperiment(), 1, 1), ...overrides };
}
