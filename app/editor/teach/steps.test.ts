import { describe, expect, it } from 'vitest';
import type { StepEvent } from '@/engine/executor/trajectory';
import { applyRunEvents } from '../runEvents';
import { foldStep, keptSteps } from './steps';

const img = (v: number) => ({ kind: 'image' as const, width: 1, height: 1, data: new Uint8ClampedArray([v, v, v, 255]) });
const step = (s: number, extra: Partial<StepEvent> = {}): StepEvent => ({ type: 'step', runId: 'r', nodeId: 'loop', step: s, count: 8, stride: 1, from: 0, preview: img(s), ...extra });

describe('the step track the scrubber reads', () => {
  it('collects a preview per kept step and counts the steps this run computed', () => {
    let t = foldStep(undefined, step(0));
    for (let s = 1; s <= 8; s++) t = foldStep(t, step(s));
    expect(keptSteps(t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.previews[5]?.data[0]).toBe(5);
    expect(t.computed).toBe(9);
  });

  it('drops the previews the worker thinned out, keeping the newest', () => {
    let t = foldStep(undefined, step(0));
    for (let s = 1; s <= 5; s++) t = foldStep(t, step(s, { stride: s >= 4 ? 2 : 1 }));
    expect(keptSteps(t)).toEqual([0, 2, 4, 5]);
  });

  it('a continuation replays the kept steps, then counts only the new ones', () => {
    let t = foldStep(undefined, step(0, { from: 5, replayed: true }));
    for (let s = 1; s <= 5; s++) t = foldStep(t, step(s, { from: 5, replayed: true }));
    for (let s = 6; s <= 8; s++) t = foldStep(t, step(s, { from: 5 }));
    expect(t).toMatchObject({ from: 5, computed: 3, newest: 8 });
    expect(keptSteps(t)).toHaveLength(9);
  });

  it('run events put the track on the loop node', () => {
    const view = applyRunEvents(new Map(), [{ type: 'started', runId: 'r', nodeId: 'loop', reason: 'first run' }, step(0), step(1)]);
    expect(view.get('loop')!.status).toBe('running');
    expect(keptSteps(view.get('loop')!.steps!)).toEqual([0, 1]);
  });
});
