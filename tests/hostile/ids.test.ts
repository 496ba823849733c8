import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseGraph, parseGraphText } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import { compactJson, graphChars } from '@/engine/graph/size';
import { ExecutionCache, runGraph, TrajectoryStore } from '@/engine/executor';
import { issueToLine } from '@/engine/errors';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import { encodeGraph, readShareHash } from '@/lib/shareLink';
import { graphFromPng, pngWithGraph } from '@/lib/graphPng';
import { openGraph } from '@/lib/openGraph';
import { decodeStored, encodeForStorage } from '@/app/storage/graphRecord';
import { withIssues } from '@/app/editor/store';
import { applyRunEvents } from '@/app/editor/runEvents';
import { buildTimeline } from '@/app/editor/inspect/timeline';
import { planProbe } from '@/app/editor/inspect/probeRequest';
import { reportToTransfer } from '@/workers/transfer';
import { probePort } from '@/workers/probe';
import type { ImageValue } from '@/engine/values';
import { PROTOTYPE_IDS, REFUSED_IDS, oneNodeGraph, prototypeIdsGraph } from './corpus';

function parsed(): Graph {
  const r = parseGraph(prototypeIdsGraph(), registry);
  if (!r.ok) throw new Error(r.errors.map(issueToLine).join('\n'));
  return r.value;
}

function untouchedPrototypes(): void {
  expect(({} as Record<string, unknown>).constructor).toBe(Object);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

describe('ids that are names of Object.prototype members are plain data', () => {
  it('the corpus graph uses every such id for nodes, edges, groups, the zone and its carried value', () => {
    const g = prototypeIdsGraph();
    const ids = new Set([...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id), ...g.groups.map((x) => x.id), ...g.zones.map((z) => z.id)]);
    for (const id of PROTOTYPE_IDS) expect(ids.has(id), id).toBe(true);
    expect(g.zones[0].carried[0].name).toBe('__proto__');
  });

  it('parses, validates without a problem and runs to the right values', async () => {
    const graph = parsed();
    expect(validateGraph(graph, registry)).toEqual([]);
    const events: string[] = [];
    const cache = new ExecutionCache();
    const report = await runGraph(graph, { registry, cache, trajectories: new TrajectoryStore(), onEvent: (e) => 'nodeId' in e && events.push(e.nodeId) });
    expect(report.status, JSON.stringify([...report.nodes])).toBe('ok');
    expect(report.outputs.get('toString')).toEqual({ value: 6 });
    expect(report.outputs.get('isPrototypeOf')).toEqual({ value: 5 });
    expect((report.outputs.get('toLocaleString')?.image as ImageValue).width).toBe(8);
    for (const id of ['__proto__', 'constructor', 'hasOwnProperty', 'prototype', '__defineGetter__']) expect(report.nodes.get(id)?.status, id).toBe('done');
    expect(events).toContain('__proto__');
    // A second run reuses every node: the zone's fingerprint holds its members by id too.
    const again = await runGraph(graph, { registry, cache });
    expect([...again.nodes.values()].every((n) => n.status === 'cached'), JSON.stringify([...again.nodes])).toBe(true);
    // What crosses to the page and what the wire probe reads.
    const transfer = await reportToTransfer(report);
    expect(transfer.outputs.get('isPrototypeOf')?.get('value')).toBe(5);
    const probed = await probePort(cache, { node: 'prototype', port: '__proto__' });
    expect(probed.ok).toBe(false); // a zone's inner values are not kept; said in words, not thrown
    expect(await probePort(cache, { node: '__proto__', port: 'constructor' })).toEqual({ ok: false, code: 'no_port', message: "'__proto__' gave no value on 'constructor'" });
    untouchedPrototypes();
  });

  it('round-trips through compact JSON, storage, a share link, a PNG and the file opener', async () => {
    const graph = parsed();
    const json = compactJson(graph);
    expect(json).toBe(JSON.stringify(graph));
    expect(graphChars(graph)).toBe(json.length);
    const back = parseGraphText(json, registry);
    expect(back.ok && back.value).toEqual(graph);

    const stored = await encodeForStorage(graph, async (t) => `h${t.length}`);
    expect(stored.refs).toEqual([]); // the blue square is small: it stays in the JSON
    const decoded = decodeStored(stored.parts.join(''), stored.refs, stored.values);
    expect(decoded.ok && parseGraph(decoded.document, registry)).toMatchObject({ ok: true, value: graph });

    const link = readShareHash(`#g=${encodeGraph(graph)}`, registry);
    expect(link?.ok && link.graph).toEqual(graph);

    const png = graphFromPng(pngWithGraph({ kind: 'image', width: 1, height: 1, data: new Uint8ClampedArray(4) }, json));
    expect(png.ok && parseGraphText(png.text, registry)).toMatchObject({ ok: true, value: graph });

    const opened = openGraph({ kind: 'file', name: 'ids.json', bytes: new TextEncoder().encode(JSON.stringify(graph, null, 2)) }, registry);
    expect(opened.ok && opened.graph).toEqual(graph);
    expect(opened.ok && opened.issues).toEqual([]);
    untouchedPrototypes();
  });

  it('the editor state keyed by id (issues, run states, timeline, probe plans) takes them as keys', () => {
    const graph = parsed();
    const issues = withIssues([
      { code: 'x', path: 'nodes[0]', message: 'about __proto__', severity: 'error', nodeId: '__proto__' },
      { code: 'x', path: 'nodes[1]', message: 'about constructor', severity: 'warning', nodeId: 'constructor' },
    ]);
    expect(issues.issuesByNode.get('__proto__')?.map((i) => i.message)).toEqual(['about __proto__']);
    expect(issues.issuesByNode.get('toString')).toBeUndefined();
    const runs = applyRunEvents(new Map(), [
      ...PROTOTYPE_IDS.map((id) => ({ type: 'queued' as const, runId: 'r', nodeId: id })),
      { type: 'started', runId: 'r', nodeId: '__proto__', reason: 'first run' },
      { type: 'done', runId: 'r', nodeId: '__proto__', ms: 1 },
      { type: 'error', runId: 'r', nodeId: 'constructor', code: 'x', message: 'broke' },
    ]);
    expect(runs.get('__proto__')?.status).toBe('done');
    expect(runs.get('constructor')).toEqual({ status: 'error', message: 'broke' });
    expect(buildTimeline(graph, runs, 10).rows.map((r) => r.id).sort()).toEqual([...PROTOTYPE_IDS].sort());
    const plan = planProbe(graph, '__proto__', runs);
    expect(plan).toMatchObject({ ok: true, request: { node: '__proto__', port: 'value' } });
    expect(planProbe(graph, 'constructor', runs)).toMatchObject({ ok: false, message: "'constructor' failed: broke" });
    untouchedPrototypes();
  });

  it('refuses empty, overlong, right-to-left and NUL ids with the path and the rule, never throwing', () => {
    for (const { id, why } of REFUSED_IDS) {
      const r = parseGraph(oneNodeGraph(id), registry);
      expect(r.ok, JSON.stringify(id.slice(0, 20))).toBe(false);
      if (!r.ok) {
        expect(r.errors[0].path).toBe('nodes[0].id');
        expect(r.errors[0].message).toMatch(why);
      }
    }
  });

  it('weft run --json reports every node and output under its own id', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-ids-'));
    const file = path.join(dir, 'ids.json');
    writeFileSync(file, JSON.stringify(prototypeIdsGraph()));
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('node', ['bin/weft.mjs', 'run', file, '--json', '--out', path.join(dir, 'out')], { timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    const ran = prototypeIdsGraph().nodes.filter((n) => n.type !== 'ui.note').map((n) => n.id);
    expect(Object.keys(report.nodes).sort()).toEqual(ran.sort());
    expect(Object.getOwnPropertyDescriptor(report.outputs, 'toString')?.value).toEqual({ value: 6 });
    expect(Object.getOwnPropertyDescriptor(report.nodes, '__proto__')?.value).toMatchObject({ status: 'done' });
  }, 90_000);
});
