import { describe, expect, it } from 'vitest';
import { registry } from '@/nodes';
import { missingModels, modelReferences, usageBySource } from './modelUsage';

const node = (id: string, type: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, params, mode: 'normal', ...extra });

describe('model usage', () => {
  it('finds the model sources of load nodes, defaults included', () => {
    const refs = modelReferences(
      {
        nodes: [
          node('p', 'models.loadPipeline', { source: 'store:abc' }),
          node('m', 'models.loadModel', {}, { label: 'My UNet' }),
          node('t', 'values.text', { value: 'store:not-a-model' }),
          node('x', 'no.suchType', { source: 'store:zzz' }),
        ],
      },
      registry,
    );
    expect(refs.map((r) => [r.nodeId, r.nodeTitle, r.source])).toEqual([
      ['p', 'Load Pipeline', 'store:abc'],
      ['m', 'My UNet', 'shipped:shapes-v1'],
    ]);
  });

  it('names the imported models that are missing, not shipped ones or muted nodes', () => {
    const refs = modelReferences(
      { nodes: [node('p', 'models.loadPipeline', { source: 'store:abc' }), node('q', 'models.loadPipeline', { source: 'store:here' }), node('r', 'models.loadPipeline', { source: 'store:off' }, { mode: 'muted' }), node('s', 'models.loadPipeline', {})] },
      registry,
    );
    expect(missingModels(refs, new Set(['here'])).map((r) => r.source)).toEqual(['store:abc']);
  });

  it('lists the library graphs that use each source once, skipping damaged ones', () => {
    const usage = usageBySource(
      [
        { id: 'g1', title: 'One', json: JSON.stringify({ nodes: [node('a', 'models.loadPipeline', { source: 'store:abc' }), node('b', 'models.loadModel', { source: 'store:abc' })] }) },
        { id: 'g2', title: 'Two', json: JSON.stringify({ nodes: [node('a', 'models.loadPipeline', {})] }) },
        { id: 'g3', title: 'Broken', json: '{not json' },
      ],
      registry,
    );
    expect(usage.get('store:abc')).toEqual([{ id: 'g1', title: 'One' }]);
    expect(usage.get('shipped:shapes-v1')).toEqual([{ id: 'g2', title: 'Two' }]);
  });
});
