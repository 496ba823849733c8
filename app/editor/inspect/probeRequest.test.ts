import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Graph } from '@/engine/graph/document';
import { planProbe } from './probeRequest';
import type { NodeRunView } from '../store';

const example = (name: string) => JSON.parse(readFileSync(`examples/${name}.json`, 'utf8')) as Graph;
const edgeId = (g: Graph, from: string, to: string) => g.edges.find((e) => `${e.from.node}.${e.from.port}` === from && `${e.to.node}.${e.to.port}` === to)!.id;
const allDone = (g: Graph, startedAt = 1): Map<string, NodeRunView> => new Map(g.nodes.map((n) => [n.id, { status: 'done' as const, startedAt }]));
const runs = (o: Record<string, NodeRunView>) => new Map(Object.entries(o));

describe('planProbe', () => {
  it('a latent wire asks for the colour preview with the graph’s VAE', () => {
    const g = example('text-to-image');
    const plan = planProbe(g, edgeId(g, 'loop-out.latent', 'decode.latent'), allDone(g));
    expect(plan).toMatchObject({ ok: true, portType: 'latent', request: { node: 'loop-out', port: 'latent', portType: 'latent', vae: { node: 'pipeline', port: 'vae' } } });
  });

  it('a detections wire asks for the picture the detector looked at', () => {
    const g = example('detect-and-score');
    const plan = planProbe(g, edgeId(g, 'detect.detections', 'detections.value'), allDone(g));
    expect(plan).toMatchObject({ ok: true, request: { node: 'detect', port: 'detections', image: { node: 'decode', port: 'image' } } });
  });

  it('the key changes when the source node runs again, so old answers are not reused', () => {
    const g = example('text-to-image');
    const id = edgeId(g, 'decode.image', 'image.image');
    const a = planProbe(g, id, allDone(g, 1));
    const b = planProbe(g, id, allDone(g, 2));
    expect(a.ok && b.ok && a.key !== b.key).toBe(true);
  });

  it('says why there is nothing to show: not run, still running, failed, skipped, bypassed', () => {
    const g = example('text-to-image');
    const id = edgeId(g, 'decode.image', 'image.image');
    expect(planProbe(g, id, new Map())).toMatchObject({ ok: false, message: expect.stringContaining('was not part of the last run') });
    expect(planProbe(g, id, runs({ decode: { status: 'running' } }))).toMatchObject({ ok: false, message: "'decode' has not finished yet." });
    expect(planProbe(g, id, runs({ decode: { status: 'error', message: 'out of memory' } }))).toMatchObject({ ok: false, message: "'decode' failed: out of memory" });
    expect(planProbe(g, id, runs({ decode: { status: 'skipped', reason: 'muted' } }))).toMatchObject({ ok: false, message: "'decode' was skipped: muted" });
    const bypassed = structuredClone(g);
    bypassed.nodes.find((n) => n.id === 'decode')!.mode = 'bypassed';
    expect(planProbe(bypassed, id, allDone(g))).toMatchObject({ ok: false, message: expect.stringContaining('bypassed') });
    expect(planProbe(g, 'no-such-wire', allDone(g))).toMatchObject({ ok: false, message: 'This wire is no longer in the graph.' });
  });
});
