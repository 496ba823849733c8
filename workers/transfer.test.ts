import { describe, expect, it } from 'vitest';
import { cpuTensor } from '@/engine/values';
import { toTransfer, reportToTransfer } from './transfer';

describe('toTransfer', () => {
  it('passes scalars through and tags tensors with a summary', async () => {
    expect(await toTransfer(3)).toBe(3);
    expect(await toTransfer('hi')).toBe('hi');
    expect(await toTransfer(true)).toBe(true);
    expect(await toTransfer(undefined)).toBeNull();
    const t = await toTransfer(cpuTensor('float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])));
    expect(t).toMatchObject({ kind: 'tensor', dtype: 'float32', dims: [2, 3], location: 'cpu', preview: [1, 2, 3, 4, 5, 6] });
    expect(t && typeof t === 'object' && t.kind === 'tensor' ? t.stats?.mean : undefined).toBeCloseTo(3.5);
  });

  it('produces values structured clone can carry (no functions)', async () => {
    const report = await reportToTransfer({
      runId: 'r',
      status: 'ok',
      ms: 1,
      nodes: new Map(),
      outputs: new Map([['out', { value: cpuTensor('int32', [1], new Int32Array([7])), list: [1, 'a'] as unknown }]]),
    });
    expect(() => structuredClone(report)).not.toThrow();
    expect(report.outputs.get('out')!.get('list')).toEqual({ kind: 'list', items: [1, 'a'] });
  });

  it('carries detections as plain boxes the Output node can draw', async () => {
    const box = { box: [1, 2, 10, 12] as const, score: 0.9, shape: 'circle', colour: 'red', shapeProb: 0.95, colourProb: 0.97 };
    const t = await toTransfer({ kind: 'detections', width: 64, height: 48, items: [[box, { ...box, shape: 'square' }], []] });
    expect(t).toEqual({ kind: 'detections', width: 64, height: 48, items: [[box, { ...box, shape: 'square' }], []] });
    expect(() => structuredClone(t)).not.toThrow();
    // Something shaped otherwise is not taken for detections.
    expect(await toTransfer({ kind: 'detections', width: 'wide', items: [] })).toMatchObject({ kind: 'other' });
  });
});
