'use client';
import type { TokenP } from '@/ml/text/probe';

/** Shows a token's text so spaces and newlines can be seen: "·red", "↵". */
export function showToken(text: string): string {
  const t = text.replace(/\n/g, '↵').replace(/ /g, '·');
  return t.length ? t : '∅';
}

export function pct(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p >= 0.1 ? `${(p * 100).toFixed(0)}%` : p >= 0.001 ? `${(p * 100).toFixed(1)}%` : p > 0 ? '<0.1%' : '0';
}

/** Horizontal bars: one token a row, its probability (and, when given, after the processors). */
export function TokenBars({ tokens, chosen, testId }: { tokens: readonly (TokenP & { q?: number })[]; chosen?: number; testId?: string }) {
  return (
    <div className="token-bars" data-testid={testId}>
      {tokens.map((t) => (
        <div key={t.id} className={`token-bar${t.id === chosen ? ' chosen' : ''}`} title={`token ${t.id}: p ${pct(t.p)}${t.q !== undefined ? `, after processors ${pct(t.q)}` : ''}`}>
          <span className="token-bar-text mono">{showToken(t.text)}</span>
          <span className="token-bar-track">
            <span className="token-bar-p" style={{ width: `${Math.max(0.5, t.p * 100)}%` }} />
            {t.q !== undefined ? <span className="token-bar-q" style={{ width: `${Math.max(t.q > 0 ? 0.5 : 0, t.q * 100)}%` }} /> : null}
          </span>
          <span className="token-bar-num mono">
            {pct(t.p)}
            {t.q !== undefined ? ` → ${pct(t.q)}` : ''}
          </span>
        </div>
      ))}
    </div>
  );
}
