import { describe, expect, it } from 'vitest';
import { applyRunEvents } from './runEvents';

describe('applyRunEvents', () => {
  it('folds a run into per-node states', () => {
    const s = applyRunEvents(new Map(), [
      { type: 'queued', runId: 'r', nodeId: 'a' },
      { type: 'queued', runId: 'r', nodeId: 'b' },
      { type: 'started', runId: 'r', nodeId: 'a', reason: 'first run' },
      { type: 'progress', runId: 'r', nodeId: 'a', fraction: 0.5 },
      { type: 'cached', runId: 'r', nodeId: 'c', reason: 'unchanged' },
      { type: 'error', runId: 'r', nodeId: 'b', code: 'x', message: 'broke' },
    ]);
    expect(s.get('a')!).toMatchObject({ status: 'running', fraction: 0.5, reason: 'first run' });
    expect(s.get('b')!).toEqual({ status: 'error', message: 'broke' });
    expect(s.get('c')!).toMatchObject({ status: 'cached' });
    const t = applyRunEvents(s, [{ type: 'done', runId: 'r', nodeId: 'a', ms: 12 }]);
    expect(t.get('a')!).toMatchObject({ status: 'done', ms: 12, fraction: 1 });
    expect(s.get('a')!.status).toBe('running');
  });

  it('keeps the latest preview and records the backend that ran a node', () => {
    const img = (v: number) => ({ kind: 'image' as const, width: 1, height: 1, data: new Uint8ClampedArray([v, v, v, 255]) });
    const s = applyRunEvents(new Map(), [
      { type: 'started', runId: 'r', nodeId: 's', reason: 'first run' },
      { type: 'progress', runId: 'r', nodeId: 's', fraction: 0.25, preview: img(1) },
      { type: 'progress', runId: 'r', nodeId: 's', fraction: 0.5, preview: img(2) },
      { type: 'progress', runId: 'r', nodeId: 's', fraction: 0.75 },
    ]);
    expect(s.get('s')!.preview?.data[0]).toBe(2);
    const t = applyRunEvents(s, [{ type: 'done', runId: 'r', nodeId: 's', ms: 820, backend: 'wasm' }]);
    expect(t.get('s')!).toMatchObject({ status: 'done', backend: 'wasm' });
    expect(t.get('s')!.preview?.data[0]).toBe(2);
  });

  it('records when each node started: the first start of a repeated node, and when a cached one was found', () => {
    const s = applyRunEvents(new Map(), [{ type: 'started', runId: 'r', nodeId: 'mul', reason: 'first run', iteration: 0 }], 1000);
    const t = applyRunEvents(
      s,
      [
        { type: 'started', runId: 'r', nodeId: 'mul', reason: 'first run', iteration: 1 },
        { type: 'cached', runId: 'r', nodeId: 'seed', reason: 'unchanged' },
      ],
      1500,
    );
    expect(t.get('mul')!.startedAt).toBe(1000);
    expect(t.get('seed')!).toMatchObject({ status: 'cached', startedAt: 1500 });
  });
});
