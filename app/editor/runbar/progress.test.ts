import { describe, expect, it } from 'vitest';
import { progressEstimate, runFraction } from './progress';
import type { NodeRunView } from '../store';

describe('progressEstimate', () => {
  it('extrapolates linearly from the fraction done', () => {
    expect(progressEstimate(0.25, 1000, 3000)).toEqual({ elapsedMs: 2000, remainingMs: 6000 });
  });
  it('gives no estimate too early, when finished or without a start', () => {
    expect(progressEstimate(0.01, 1000, 3000)).toEqual({ elapsedMs: 2000 });
    expect(progressEstimate(1, 1000, 3000)).toEqual({ elapsedMs: 2000 });
    expect(progressEstimate(0.5, undefined, 3000)).toEqual({ elapsedMs: 0 });
  });
});

describe('runFraction', () => {
  it('counts finished nodes whole and running nodes by their fraction', () => {
    expect(
      runFraction(
        new Map(Object.entries({
        a: { status: 'done' },
        b: { status: 'cached' },
        c: { status: 'running', fraction: 0.5 },
        d: { status: 'queued' },
        }) as [string, NodeRunView][]),
      ),
    ).toBeCloseTo(2.5 / 4);
    expect(runFraction(new Map())).toBe(0);
  });
});
