/**
 * `bench gpu` in Node: WebGPU through the optional `webgpu` package (Dawn), measured only when Dawn's adapter is
 * hardware (on a machine without a GPU it finds none, or SwiftShader's Vulkan when pointed at it).
 */
import { installNodeWebGpu, NODE_WEBGPU_HINT } from '../../src/lab/backend/node/webgpu-node';
import { selectBackend } from '../../src/lab/backend/select-backend';
import { classifyAdapter, describeClass, refusalMessage } from './adapter-class';
import { runnableBackends, type GpuEnvOutcome } from './environment';
import { measureOnGpu } from './measure';
import type { GpuBenchOptions } from './options';
import { probeAdapters } from './probe-adapters';

export async function runGpuInNode(o: GpuBenchOptions, log: (line: string) => void): Promise<GpuEnvOutcome | string> {
  if (!o.backends.includes('webgpu')) return 'WebGL exists only in a browser';
  const missing = await installNodeWebGpu();
  if (missing != null) return missing;
  const adapters = (await probeAdapters()).filter((r) => r.api === 'webgpu').map(classifyAdapter);
  for (const a of adapters) log(`node (webgpu package): ${describeClass(a)}`);
  const outcome: GpuEnvOutcome = { env: 'node', adapters, refusal: null, measurements: [], errors: [] };
  if (runnableBackends(o, adapters).length === 0) {
    return { ...outcome, refusal: `${refusalMessage('Node', adapters)} (${NODE_WEBGPU_HINT})` };
  }
  const selected = await selectBackend('webgpu');
  if (selected.name !== 'webgpu') {
    outcome.errors.push(`node webgpu did not start: ${selected.fallbacks.map((f) => f.reason).join('; ')}`);
    return outcome;
  }
  for (const model of o.models) {
    log(`node webgpu ${model}: ${o.size} px, batch ${o.batch}`);
    try {
      outcome.measurements.push(
        await measureOnGpu({
          backend: 'webgpu',
          model,
          size: o.size,
          batch: o.batch,
          steps: o.steps,
          repeats: o.repeats,
        }),
      );
    } catch (err) {
      outcome.errors.push(`node webgpu ${model}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return outcome;
}
