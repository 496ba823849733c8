import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';

export const slowNode = defineNode({
  type: 'debug.slow',
  version: 1,
  title: 'Slow Pass-through',
  category: 'Debug',
  description: 'Waits in steps, reporting progress, then passes its input on; for trying progress and Cancel.',
  inputs: [{ name: 'value', type: 'any', optional: true }],
  outputs: [{ name: 'value', type: 'any' }],
  params: z.object({
    milliseconds: z.number().int().min(0).max(600_000).default(2000).meta({ label: 'Duration (ms)' }),
    steps: z.number().int().min(1).max(1000).default(20).meta({ label: 'Steps' }),
    fail: z.boolean().default(false).meta({ label: 'Fail at the end' }),
  }),
  run: async ({ params, inputs, signal, progress }) => {
    const stepMs = params.milliseconds / params.steps;
    for (let i = 0; i < params.steps; i++) {
      await sleep(stepMs, signal);
      progress((i + 1) / params.steps);
    }
    if (params.fail) throw new NodeRunError('asked_to_fail', 'failed on purpose (the "Fail at the end" parameter is on)');
    return { value: inputs.value ?? null };
  },
});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
