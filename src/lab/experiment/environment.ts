/** Where an experiment ran, for its card: lab and tfjs versions, backend, and the browser or Node version. */
import * as tf from '@tensorflow/tfjs';
import type { KernelChoice } from '../backend/fast-training/kernel-choice';
import { detectRuntime } from '../backend/runtime';
import { LAB_VERSION } from '../version';
import type { Environment } from './card';

export function describeEnvironment(backend: string, adapter = '', kernels?: KernelChoice): Environment {
  const runtime = detectRuntime() === 'node' ? 'node' : 'browser';
  const g = globalThis as unknown as { navigator?: { userAgent?: string }; process?: { version?: string } };
  const agent =
    runtime === 'node' ? `Node.js ${g.process?.version ?? '?'}` : (g.navigator?.userAgent ?? 'unknown browser');
  return {
    labVersion: LAB_VERSION,
    tfjsVersion: tf.version.tfjs,
    backend,
    adapter,
    runtime,
    agent,
    ...(kernels ? { kernels } : {}),
  };
}
