import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Graph } from '@/engine/graph/document';
import type { ImageValue } from '@/engine/values';
import { exampleJson } from '@/examples/build';
import { decodePng } from '@/lib/png';
import type { TransferReport, TransferValue } from '@/workers/transfer';
import { clearRuns, deleteRun, listRuns, loadRun, runRecord, RUNS_BYTES, RUNS_KEPT, saveRun } from './runs';

const graph = (): Graph => JSON.parse(exampleJson('text-to-image-sampler')) as Graph;

const image = (w: number, seed: number): ImageValue => {
  const data = new Uint8ClampedArray(w * w * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 17) % 251;
  return { kind: 'image', width: w, height: w, data };
};

function report(g: Graph, images: ImageValue[], ms = 120): Pick<TransferReport, 'status' | 'ms' | 'nodes' | 'outputs'> {
  const out = g.nodes.find((n) => n.type === 'output.image')!;
  const value: TransferValue = images.length === 1 ? images[0] : { kind: 'list', length: images.length, items: images } as unknown as TransferValue;
  return {
    status: 'ok',
    ms,
    nodes: new Map(g.nodes.map((n) => [n.id, { status: 'done' as const, ms: 3, reason: 'first run' }])),
    outputs: new Map([[out.id, new Map([['image', value]])]]),
  };
}

describe('run history', () => {
  beforeEach(() => clearRuns());

  it('keeps a run whole: its graph, images (as PNGs), node times, prompt and seed', async () => {
    const g = graph();
    const imgs = [image(64, 1), image(64, 2)];
    await saveRun(runRecord('r1', g, report(g, imgs), 1000, { prompt: 'a red circle', seed: 4 }));
    const [s] = await listRuns();
    expect(s).toMatchObject({ id: 'r1', at: 1000, status: 'ok', ms: 120, prompt: 'a red circle', seed: 4, nodeCount: g.nodes.length });
    expect(s.outputs).toEqual([expect.objectContaining({ kind: 'image', images: 2, width: 64, height: 64 })]);
    expect(s.bytes).toBeGreaterThan(1000);
    const run = (await loadRun('r1'))!;
    expect(JSON.parse(run.graphJson)).toEqual(g);
    const pngs = run.images.get(s.outputs[0].nodeId)!;
    expect(pngs).toHaveLength(2);
    const back = decodePng(pngs[1]);
    if (!back.ok) throw new Error('not a PNG');
    expect([...back.image.data]).toEqual([...imgs[1].data]);
    expect(run.nodes).toHaveLength(g.nodes.length);
    expect(decodePng(s.thumb!).ok).toBe(true);
  });

  it('makes a small thumbnail of a large image', async () => {
    const g = graph();
    await saveRun(runRecord('big', g, report(g, [image(256, 3)]), 1, { prompt: null, seed: null }));
    const t = decodePng((await listRuns())[0].thumb!);
    if (!t.ok) throw new Error('not a PNG');
    expect([t.image.width, t.image.height]).toEqual([64, 64]);
  });

  it(`keeps the newest ${RUNS_KEPT} runs, newest first, and deletes one or all`, async () => {
    const g = graph();
    for (let i = 0; i < RUNS_KEPT + 3; i++) await saveRun(runRecord(`r${i}`, g, report(g, [image(8, i)]), 1000 + i, { prompt: null, seed: i }));
    const all = await listRuns();
    expect(all).toHaveLength(RUNS_KEPT);
    expect(all[0].id).toBe(`r${RUNS_KEPT + 2}`);
    expect(all.at(-1)!.id).toBe('r3');
    expect(await loadRun('r0')).toBeUndefined();
    await deleteRun('r5');
    expect((await listRuns()).some((r) => r.id === 'r5')).toBe(false);
    await clearRuns();
    expect(await listRuns()).toEqual([]);
  });

  it('drops the oldest runs when the history passes its size, never the new one', async () => {
    const g = graph();
    const big = runRecord('a', g, report(g, [image(8, 1)]), 1, { prompt: null, seed: null });
    await saveRun({ ...big, summary: { ...big.summary, bytes: RUNS_BYTES - 100 } });
    await saveRun(runRecord('b', g, report(g, [image(8, 2)]), 2, { prompt: null, seed: null }));
    expect((await listRuns()).map((r) => r.id)).toEqual(['b']);
  });
});
