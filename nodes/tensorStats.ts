import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { isTensorValue } from '@/engine/values';
import { tensorStats } from '@/engine/tensorStats';

export const tensorStatsNode = defineNode({
  type: 'tensor.stats',
  version: 1,
  title: 'Tensor Statistics',
  category: 'Tensors',
  description: 'Mean, standard deviation, minimum, maximum and NaN/Inf counts of a tensor.',
  inputs: [{ name: 'tensor', type: 'tensor' }],
  outputs: [
    { name: 'mean', type: 'number' },
    { name: 'std', type: 'number' },
    { name: 'min', type: 'number' },
    { name: 'max', type: 'number' },
    { name: 'summary', type: 'text' },
  ],
  params: z.object({}),
  run: async ({ inputs }) => {
    const t = inputs.tensor;
    if (!isTensorValue(t)) throw new NodeRunError('not_a_tensor', 'input tensor did not receive a tensor');
    const s = tensorStats(await t.read());
    const summary =
      `${t.dtype} [${t.dims.join(',')}] mean ${s.mean.toPrecision(4)} std ${s.std.toPrecision(4)} ` +
      `min ${s.min.toPrecision(4)} max ${s.max.toPrecision(4)}` +
      (s.nan || s.inf ? ` NaN ${s.nan} Inf ${s.inf}` : '');
    return { mean: s.mean, std: s.std, min: s.min, max: s.max, summary };
  },
});
