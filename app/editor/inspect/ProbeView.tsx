'use client';
import { memo } from 'react';
import type { ProbeSummary, TensorProbe } from '@/ml/probe';
import type { Detection } from '@/ml/values';
import type { ImageValue } from '@/engine/values';
import { PixelImage } from '../canvas/PixelImage';
import { formatNumber } from '../canvas/ValueView';
import { HistogramChart, SigmaPlot } from './charts';
import { DetectionBoxes } from '../canvas/DetectionBoxes';
import { LogitsView } from './textgen/LogitsView';
import { GenerationView } from './textgen/GenerationView';

type Size = 'card' | 'panel';

/** What a wire carried, drawn for its kind: statistics, pictures, tokens, a σ plot, boxes. */
export const ProbeView = memo(function ProbeView({ summary, size }: { summary: ProbeSummary; size: Size }) {
  const wide = size === 'panel';
  switch (summary.kind) {
    case 'tensor':
      return <TensorView t={summary} wide={wide} />;
    case 'image':
      return (
        <div className="probe-image">
          <PixelImage image={summary.thumbnail} minWidth={wide ? 192 : 96} maxWidth={wide ? 300 : 160} testId="probe-thumbnail" />
          <div className="probe-line mono" data-testid="probe-shape">
            image {summary.width}×{summary.height}
          </div>
        </div>
      );
    case 'tokens': {
      const shown = wide ? summary.pieces : summary.pieces.slice(0, 16);
      return (
        <div className="probe-tokens">
          <div className="probe-line">
            {summary.length} tokens{summary.padded > summary.length ? `, padded to ${summary.padded}` : ''}
            {summary.truncated ? <span className="probe-warn"> · text was cut</span> : null}
          </div>
          <div className="token-list" data-testid="probe-tokens">
            {shown.map((t, i) => (
              <span key={i} className="token" title={`${t.piece} = ${t.id}`}>
                <span className="token-piece">{t.piece.replace(/<\/w>$/, '')}</span>
                <span className="token-id">{t.id}</span>
              </span>
            ))}
            {shown.length < summary.pieces.length ? <span className="muted">… {summary.pieces.length - shown.length} more</span> : null}
          </div>
        </div>
      );
    }
    case 'schedule':
      return (
        <div className="probe-schedule">
          <div className="probe-line">
            {summary.scheduler} · {summary.steps} steps{summary.startIndex ? ` · starts at step ${summary.startIndex}` : ''}
          </div>
          <SigmaPlot sigmas={summary.sigmas} startIndex={summary.startIndex} width={wide ? 300 : 220} height={wide ? 96 : 64} />
          <div className="probe-note">{summary.sigmaFrom === 'alphas' ? 'σ = √((1 − ᾱ) / ᾱ) from the scheduler’s alphas' : 'the scheduler’s σ per step, then the final σ'}</div>
        </div>
      );
    case 'detections':
      return <DetectionsView d={summary} wide={wide} />;
    case 'scalar':
      return (
        <div className={`probe-scalar${typeof summary.value === 'string' ? ' text' : ''}`} data-testid="probe-scalar">
          {summary.value === null ? <span className="muted">nothing</span> : typeof summary.value === 'number' ? formatNumber(summary.value) : String(summary.value) || <span className="muted">(empty text)</span>}
        </div>
      );
    case 'list':
      return (
        <div className="probe-list">
          <div className="probe-line">
            list of {summary.length}
            {summary.items.length < summary.length ? `, first ${summary.items.length} shown` : ''}
          </div>
          <div className={`probe-list-items${summary.items.every((x) => x.kind === 'image') ? ' images' : ''}`}>
            {summary.items.slice(0, wide ? 8 : 3).map((item, i) => (
              <ProbeView key={i} summary={item} size="card" />
            ))}
          </div>
        </div>
      );
    case 'logits':
      return <LogitsView l={summary} wide={wide} />;
    case 'generation':
      return <GenerationView g={summary} wide={wide} />;
    case 'other':
      return (
        <div className="probe-other">
          <span className="probe-kind">{summary.label}</span> <span className="mono">{summary.text}</span>
        </div>
      );
  }
});

function TensorView({ t, wide }: { t: TensorProbe; wide: boolean }) {
  const s = t.stats;
  const stat = (name: string, label: string, value: number, warn = false) => (
    <div className={`probe-stat${warn ? ' warn' : ''}`}>
      <dt>{label}</dt>
      <dd data-testid={`probe-${name}`} data-value={String(value)}>
        {formatNumber(value)}
      </dd>
    </div>
  );
  return (
    <div className="probe-tensor">
      <div className="probe-line mono">
        <span data-testid="probe-dtype">{t.dtype}</span> <span data-testid="probe-shape">[{t.dims.join('×')}]</span>
        <span className="muted"> · {s.count.toLocaleString('en')} values{t.location === 'gpu' ? ' · on the GPU' : ''}</span>
      </div>
      <dl className="probe-stats">
        {stat('min', 'min', s.min)}
        {stat('max', 'max', s.max)}
        {stat('mean', 'mean', s.mean)}
        {stat('std', 'std', s.std)}
        {stat('nan', 'NaN', s.nan, s.nan > 0)}
        {stat('inf', 'Inf', s.inf, s.inf > 0)}
      </dl>
      <HistogramChart histogram={t.histogram} width={wide ? 300 : 228} height={wide ? 64 : 40} />
      {t.picture ? (
        <div className="probe-picture">
          <PixelImage image={t.picture} minWidth={wide ? 128 : 72} maxWidth={wide ? 192 : 96} testId="probe-latent-picture" />
          <span className="probe-note">latent as colours: the sampler’s cheap preview projection, not a VAE decode</span>
        </div>
      ) : null}
    </div>
  );
}

function DetectionsView({ d, wide }: { d: Extract<ProbeSummary, { kind: 'detections' }>; wide: boolean }) {
  const boxes = d.items[0] ?? [];
  const total = d.items.reduce((n, list) => n + list.length, 0);
  return (
    <div className="probe-detections">
      <div className="probe-line">
        {total} detection{total === 1 ? '' : 's'}
        {d.items.length > 1 ? ` in ${d.items.length} images (first shown)` : ''}
      </div>
      <DetectionBoxes image={d.image} width={d.width} height={d.height} boxes={boxes} side={wide ? 240 : 150} />
      <ul className="probe-det-list">
        {boxes.slice(0, wide ? 12 : 4).map((b, i) => (
          <li key={i}>
            <span className="swatch" style={{ background: b.colour }} /> {b.colour} {b.shape} <span className="muted">{formatNumber(b.score)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

