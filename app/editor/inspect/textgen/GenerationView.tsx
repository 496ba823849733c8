'use client';
import { useState } from 'react';
import type { GenerationProbe } from '@/ml/text/probe';
import { pct, showToken, TokenBars } from './TokenBars';
import { BeamTree } from './BeamTree';
import { ContinueFrom } from './ContinueFrom';

/** A generation trace: the texts, speed, every token's choice (scrub through them) and the beam tree. */
export function GenerationView({ g, wide }: { g: GenerationProbe; wide: boolean }) {
  const [at, setAt] = useState<number | null>(null);
  const k = at ?? g.steps.length - 1;
  const step = g.steps[k];
  return (
    <div className="probe-generation" data-testid="probe-generation">
      <div className="probe-line">
        {g.settingsText} · {g.tokens} tokens · {g.tokensPerSecond.toFixed(1)} tok/s · first token {(g.firstTokenSeconds * 1000).toFixed(0)} ms
      </div>
      <ol className="gen-texts" data-testid="probe-gen-texts">
        {g.texts.slice(0, wide ? 8 : 2).map((t, i) => (
          <li key={i}>
            <span className="muted">{g.prompt}</span>
            <span className="gen-text">{t}</span>
            <span className="muted">
              {' '}
              · {g.reasons[i]}
              {g.scores ? ` · score ${g.scores[i].toFixed(3)}` : ''}
            </span>
          </li>
        ))}
      </ol>
      {g.steps.length > 0 ? (
        <div className="gen-scrub">
          <div className="gen-token-strip" data-testid="probe-gen-tokens">
            {g.steps.map((s, i) => (
              <button
                key={i}
                type="button"
                className={`gen-token${i === k ? ' current' : ''}${i > k ? ' after' : ''}`}
                style={{ ['--p' as string]: String(s.token.p) }}
                title={`token ${i + 1}: ${showToken(s.token.text)} · p ${pct(s.token.p)} · entropy ${s.entropy.toFixed(2)}`}
                onClick={() => setAt(i)}
              >
                {showToken(s.token.text)}
              </button>
            ))}
          </div>
          {wide ? (
            <input
              type="range"
              min={0}
              max={g.steps.length - 1}
              value={k}
              onChange={(e) => setAt(Number(e.target.value))}
              aria-label="Scrub through the generated tokens"
              data-testid="probe-gen-scrub"
            />
          ) : null}
          {step ? (
            <div className="gen-step" data-testid="probe-gen-step">
              <div className="probe-line">
                token {k + 1}: <b className="mono">{showToken(step.token.text)}</b> · p {pct(step.token.p)}
                {step.stages.length ? ` → ${pct(step.token.q)} after ${step.stages.map((s) => `${s.label} (${s.kept} left)`).join(', ')}` : ''} · entropy {step.entropy.toFixed(2)}
              </div>
              <TokenBars tokens={wide ? step.top : step.top.slice(0, 5)} chosen={step.token.id} testId="probe-gen-dist" />
              {wide ? <ContinueFrom nodeId={g.nodeId} keep={g.prefix + g.steps.slice(0, k).map((s) => s.token.text).join('')} k={k} /> : null}
            </div>
          ) : null}
        </div>
      ) : null}
      {g.beams ? wide ? <BeamTree tree={g.beams} /> : <div className="probe-note">{g.beams.numBeams} beams over {g.beams.steps.length} steps: open the panel for the beam tree</div> : null}
    </div>
  );
}
