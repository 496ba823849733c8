'use client';
import { useState } from 'react';
import type { BeamTreeProbe } from '@/ml/text/probe';
import { showToken, TokenBars } from './TokenBars';

const COL = 92;
const ROW = 34;
const TOP = 18;

/**
 * Beam search drawn as a tree: a column per step, a box per live beam (its newest token and summed
 * log-probability), lines from each beam to the beams it became, finished hypotheses and pruned
 * candidates listed under each step. Click a box for its text and its next-token distribution.
 */
export function BeamTree({ tree }: { tree: BeamTreeProbe }) {
  const [sel, setSel] = useState<{ step: number; beam: number } | null>(null);
  const nb = tree.numBeams;
  const steps = tree.steps;
  const W = steps.length * COL + 40;
  const H = TOP + nb * ROW + 8;
  const selected = sel ? steps[sel.step]?.beams[sel.beam] : undefined;
  return (
    <div className="beam-tree" data-testid="beam-tree">
      <div className="probe-line">
        beam tree · {nb} beams · {steps.length} steps · {tree.finished.length} finished hypotheses ({tree.finished.filter((f) => f.kept).length} kept)
      </div>
      <div className="beam-tree-scroll">
        <svg width={W} height={H} role="img" aria-label="beam search tree">
          {steps.map((s, si) => (
            <g key={si}>
              <text x={si * COL + 4} y={11} className="beam-step-label">
                step {s.step + 1}
              </text>
              {si + 1 < steps.length
                ? s.candidates
                    .filter((c) => c.fate === 'kept' && c.beam !== undefined)
                    .map((c, i) => (
                      <line key={i} x1={si * COL + COL - 12} y1={TOP + c.parent * ROW + 12} x2={(si + 1) * COL + 2} y2={TOP + c.beam! * ROW + 12} className="beam-edge" />
                    ))
                : null}
              {s.beams.map((b, bi) => {
                const live = b.score > -1e8;
                const isSel = sel?.step === si && sel.beam === bi;
                return (
                  <g
                    key={bi}
                    transform={`translate(${si * COL + 2}, ${TOP + bi * ROW})`}
                    className={`beam-node${live ? '' : ' dead'}${isSel ? ' selected' : ''}`}
                    onClick={() => setSel({ step: si, beam: bi })}
                    data-testid="beam-node"
                    role="button"
                    aria-label={`step ${s.step + 1}, beam ${bi + 1}: ${b.text}`}
                  >
                    <rect width={COL - 14} height={24} rx={4} />
                    <text x={4} y={10} className="beam-node-token">
                      {showToken(b.text.slice(-10) || '(prompt)')}
                    </text>
                    <text x={4} y={20} className="beam-node-score">
                      {live ? b.score.toFixed(2) : '—'}
                    </text>
                  </g>
                );
              })}
            </g>
          ))}
        </svg>
      </div>
      <div className="beam-fates" data-testid="beam-fates">
        {steps.map((s, si) => {
          const notable = s.candidates.filter((c) => c.fate !== 'kept');
          if (notable.length === 0 && !s.done) return null;
          return (
            <div key={si} className="beam-fate-step">
              <b>step {s.step + 1}</b>{' '}
              {notable.map((c, i) => (
                <span key={i} className={`beam-fate fate-${c.fate === 'finished' ? 'finished' : 'pruned'}`} title={`from beam ${c.parent + 1}, summed log-prob ${c.score.toFixed(3)}${c.finalScore !== undefined ? `, final score ${c.finalScore.toFixed(3)}` : ''}`}>
                  {showToken(c.text)} {c.fate === 'finished' ? `✓ ${c.finalScore !== undefined ? c.finalScore.toFixed(2) : 'not better than the kept ones'}` : `✗ ${c.fate}`}
                </span>
              ))}
              {s.done ? <span className="beam-done"> · stopped: {s.done}</span> : null}
            </div>
          );
        })}
      </div>
      <div className="beam-finished" data-testid="beam-finished">
        {tree.finished.map((f, i) => (
          <div key={i} className={f.kept ? 'kept' : 'dropped'}>
            {f.kept ? '✓' : '✗'} <span className="mono">{f.text}</span> <span className="muted">· score {f.score.toFixed(3)} · step {f.step + 1}{f.kept ? '' : ' · pushed out by better ones'}</span>
          </div>
        ))}
      </div>
      {selected ? (
        <div className="beam-detail" data-testid="beam-detail">
          <div className="probe-line">
            step {sel!.step + 1}, beam {sel!.beam + 1}: <span className="mono">{selected.text || '(the prompt)'}</span> · summed log-prob {selected.score.toFixed(3)}
          </div>
          <TokenBars tokens={selected.top} />
        </div>
      ) : (
        <div className="probe-note">Click a beam for its text and the next-token distribution there.</div>
      )}
    </div>
  );
}
