'use client';
import type { LogitsProbe } from '@/ml/text/probe';
import { pct, showToken, TokenBars } from './TokenBars';

const SERIES_COLOURS = ['#9aa4b2', '#f78c6c', '#ffcb6b', '#c3e88d', '#82aaff', '#c792ea', '#89ddff'];

/** Next-token scores: the top tokens, the entropy, and (after Sample Token) each processor's effect. */
export function LogitsView({ l, wide }: { l: LogitsProbe; wide: boolean }) {
  const shown = wide ? l.top : l.top.slice(0, 8);
  return (
    <div className="probe-logits" data-testid="probe-logits">
      <div className="probe-line">
        next token after <span className="mono">“…{l.context.slice(-40)}”</span>
      </div>
      <div className="probe-line" data-testid="probe-entropy">
        entropy {l.entropy.toFixed(2)} nats · {l.vocabSize} tokens · top {shown.length} shown
      </div>
      {l.stages ? <StagesChart stages={l.stages} wide={wide} /> : <TokenBars tokens={shown} testId="probe-top-tokens" />}
    </div>
  );
}

function StagesChart({ stages, wide }: { stages: NonNullable<LogitsProbe['stages']>; wide: boolean }) {
  const tokens = wide ? stages.tokens : stages.tokens.slice(0, 8);
  const n = stages.series.length;
  const rowH = Math.max(10, 4 * n + 4);
  const W = wide ? 320 : 220;
  const labelW = 64;
  const max = Math.max(1e-9, ...stages.series.flatMap((s) => s.probs.slice(0, tokens.length)));
  return (
    <div className="stages-chart" data-testid="probe-stages">
      <div className="stages-legend">
        {stages.series.map((s, i) => (
          <span key={i} className="stages-key" title={`${s.kept} tokens allowed · entropy ${s.entropy.toFixed(2)} nats`}>
            <span className="stages-swatch" style={{ background: SERIES_COLOURS[i % SERIES_COLOURS.length] }} />
            {s.label} <span className="muted">({s.kept} left)</span>
          </span>
        ))}
      </div>
      <svg width={W} height={tokens.length * rowH + 4} role="img" aria-label="probability of each top token after each processor">
        {tokens.map((t, r) => (
          <g key={t.id} transform={`translate(0, ${r * rowH + 2})`}>
            <text x={labelW - 4} y={rowH / 2 + 3} textAnchor="end" className="stages-label">
              {showToken(t.text).slice(0, 10)}
            </text>
            {stages.series.map((s, i) => (
              <rect key={i} x={labelW} y={1 + i * 4} height={3} width={Math.max(s.probs[r] > 0 ? 1 : 0, ((W - labelW - 40) * s.probs[r]) / max)} fill={SERIES_COLOURS[i % SERIES_COLOURS.length]}>
                <title>{`${s.label}: ${pct(s.probs[r])}`}</title>
              </rect>
            ))}
            <text x={W - 2} y={rowH / 2 + 3} textAnchor="end" className="stages-num">
              {pct(stages.series[n - 1].probs[r])}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
