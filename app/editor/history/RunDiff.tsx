'use client';
import { useMemo } from 'react';
import { diffGraphs, sameComputation, type GraphDiff } from '@/engine/graph/diff';
import { parseGraphText } from '@/engine/graph/parse';
import type { ImageValue } from '@/engine/values';
import { diffImages } from '@/lib/imageDiff';
import { decodePng } from '@/lib/png';
import { registry } from '@/nodes';
import type { RunOutputInfo, StoredRun } from '@/app/storage/runs';
import { PixelImage } from '../canvas/PixelImage';

const when = (r: StoredRun) => new Date(r.summary.at).toLocaleTimeString();
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function decoded(png: Uint8Array | undefined): ImageValue | null {
  if (!png) return null;
  const r = decodePng(png);
  return r.ok ? r.image : null;
}

/** Two runs, older (A) then newer (B): what changed in the graph, their outputs with a pixel difference, and their times. */
export function RunDiff({ a, b }: { a: StoredRun; b: StoredRun }) {
  const graphs = useMemo(() => {
    const pa = parseGraphText(a.graphJson, registry);
    const pb = parseGraphText(b.graphJson, registry);
    if (!pa.ok || !pb.ok) return { error: `A run's graph could not be read back: ${(!pa.ok ? pa : pb.ok ? null : pb)?.errors?.[0]?.message ?? 'unknown'}` };
    return { diff: diffGraphs(pa.value, pb.value, (type) => registry.get(type)?.title) };
  }, [a, b]);
  const outputs = useMemo(() => pairOutputs(a.summary.outputs, b.summary.outputs), [a, b]);
  return (
    <div className="run-diff" data-testid="run-diff">
      <p className="muted small">
        <strong>A</strong> {when(a)} · {a.summary.title || 'untitled'} · {seconds(a.summary.ms)} &nbsp;→&nbsp; <strong>B</strong> {when(b)} · {b.summary.title || 'untitled'} · {seconds(b.summary.ms)}
        {a.summary.ms > 0 ? ` (×${(b.summary.ms / a.summary.ms).toFixed(2)})` : ''}
      </p>
      <h3>What changed in the graph</h3>
      {'error' in graphs ? <p className="models-error">{graphs.error}</p> : <GraphChanges diff={graphs.diff!} />}
      <h3>Outputs</h3>
      {outputs.length ? outputs.map(([oa, ob]) => <OutputPair key={`${oa?.nodeId ?? ''}|${ob?.nodeId ?? ''}`} a={a} b={b} oa={oa} ob={ob} />) : <p className="muted">Neither run recorded an output.</p>}
      <h3>Slowest nodes</h3>
      <NodeTimes a={a} b={b} />
    </div>
  );
}

function GraphChanges({ diff }: { diff: GraphDiff }) {
  const rows: { what: string; where: string; before: string; after: string }[] = [];
  if (diff.title) rows.push({ what: 'title', where: 'graph', before: JSON.stringify(diff.title.before), after: JSON.stringify(diff.title.after) });
  for (const p of [...diff.params, ...diff.other]) rows.push({ what: p.param, where: p.node.name, before: p.before, after: p.after });
  for (const n of diff.nodesRemoved) rows.push({ what: 'node removed', where: n.name, before: n.type, after: '' });
  for (const n of diff.nodesAdded) rows.push({ what: 'node added', where: n.name, before: '', after: n.type });
  for (const w of diff.wiresRemoved) rows.push({ what: 'wire removed', where: '', before: w, after: '' });
  for (const w of diff.wiresAdded) rows.push({ what: 'wire added', where: '', before: '', after: w });
  return (
    <>
      {rows.length ? (
        <table className="diff-table" data-testid="diff-changes">
          <thead>
            <tr>
              <th>Node</th>
              <th>Change</th>
              <th>A</th>
              <th>B</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} data-testid="diff-change">
                <td>{r.where}</td>
                <td>{r.what}</td>
                <td className="diff-before">{r.before}</td>
                <td className="diff-after">{r.after}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="muted small" data-testid="diff-summary">
        {sameComputation(diff)
          ? `The two graphs compute the same thing${diff.moved ? ` (${diff.moved} node${diff.moved === 1 ? '' : 's'} moved)` : ''}${diff.title ? ', under another title' : ''}.`
          : `${rows.length} change${rows.length === 1 ? '' : 's'}${diff.moved ? `; ${diff.moved} node${diff.moved === 1 ? '' : 's'} moved` : ''}.`}
      </p>
    </>
  );
}

/** Outputs matched by node id, then by name; each side's unmatched ones stand alone. */
function pairOutputs(a: readonly RunOutputInfo[], b: readonly RunOutputInfo[]): [RunOutputInfo | undefined, RunOutputInfo | undefined][] {
  const left = [...a];
  const out: [RunOutputInfo | undefined, RunOutputInfo | undefined][] = [];
  for (const ob of b) {
    let i = left.findIndex((oa) => oa.nodeId === ob.nodeId && oa.kind === ob.kind);
    if (i < 0) i = left.findIndex((oa) => oa.name === ob.name && oa.kind === ob.kind);
    out.push([i >= 0 ? left.splice(i, 1)[0] : undefined, ob]);
  }
  for (const oa of left) out.push([oa, undefined]);
  return out;
}

function OutputPair({ a, b, oa, ob }: { a: StoredRun; b: StoredRun; oa?: RunOutputInfo; ob?: RunOutputInfo }) {
  const name = ob?.name ?? oa?.name ?? '';
  const kind = ob?.kind ?? oa?.kind;
  const images = useMemo(() => {
    if (kind !== 'image') return null;
    const ia = decoded(oa ? a.images.get(oa.nodeId)?.[0] : undefined);
    const ib = decoded(ob ? b.images.get(ob.nodeId)?.[0] : undefined);
    return { ia, ib, d: ia && ib ? diffImages(ia, ib) : null };
  }, [a, b, oa, ob, kind]);
  if (kind === 'text') {
    const ta = oa ? a.texts.get(oa.nodeId) : undefined;
    const tb = ob ? b.texts.get(ob.nodeId) : undefined;
    return (
      <div className="diff-output" data-testid="diff-output">
        <div className="diff-output-name">
          {name} {ta === tb ? <span className="muted small">(the same)</span> : null}
        </div>
        <div className="diff-texts">
          <pre>{ta ?? '(none in A)'}</pre>
          <pre>{tb ?? '(none in B)'}</pre>
        </div>
      </div>
    );
  }
  const d = images?.d;
  return (
    <div className="diff-output" data-testid="diff-output">
      <div className="diff-output-name">{name}</div>
      <div className="diff-images">
        <figure>
          {images?.ia ? <PixelImage image={images.ia} minWidth={160} maxWidth={192} testId="diff-image-a" /> : <span className="muted">none in A</span>}
          <figcaption>A</figcaption>
        </figure>
        <figure>
          {images?.ib ? <PixelImage image={images.ib} minWidth={160} maxWidth={192} testId="diff-image-b" /> : <span className="muted">none in B</span>}
          <figcaption>B</figcaption>
        </figure>
        {d?.ok ? (
          <figure>
            <PixelImage image={d.diff.image} minWidth={160} maxWidth={192} testId="diff-pixels" />
            <figcaption>|A − B|, brightest = largest</figcaption>
          </figure>
        ) : null}
      </div>
      {d ? (
        <p className="small" data-testid="diff-figures">
          {d.ok
            ? d.diff.maxDiff === 0
              ? 'Identical pixels.'
              : `${(d.diff.changed * 100).toFixed(1)}% of pixels changed · largest difference ${d.diff.maxDiff}/255 · mean ${d.diff.meanDiff.toFixed(2)}/255 · PSNR ${d.diff.psnr.toFixed(1)} dB`
            : d.message}
        </p>
      ) : null}
    </div>
  );
}

function NodeTimes({ a, b }: { a: StoredRun; b: StoredRun }) {
  const ta = new Map(a.nodes.map((n) => [n.id, n] as const));
  const tb = new Map(b.nodes.map((n) => [n.id, n] as const));
  const ids = [...new Set([...ta.keys(), ...tb.keys()])]
    .map((id) => ({ id, name: tb.get(id)?.name ?? ta.get(id)?.name ?? id, a: ta.get(id), b: tb.get(id) }))
    .sort((x, y) => Math.max(y.a?.ms ?? 0, y.b?.ms ?? 0) - Math.max(x.a?.ms ?? 0, x.b?.ms ?? 0))
    .slice(0, 6);
  const cell = (n?: { ms: number; status: string }) => (!n ? '—' : n.status === 'cached' ? 'cached' : `${Math.round(n.ms)} ms`);
  return (
    <table className="diff-table" data-testid="diff-times">
      <thead>
        <tr>
          <th>Node</th>
          <th>A</th>
          <th>B</th>
        </tr>
      </thead>
      <tbody>
        {ids.map((r) => (
          <tr key={r.id}>
            <td>{r.name}</td>
            <td>{cell(r.a)}</td>
            <td>{cell(r.b)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
