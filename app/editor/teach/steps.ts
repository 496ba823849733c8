import { isKeptStep, type StepEvent } from '@/engine/executor/trajectory';
import type { ImageValue } from '@/engine/values';

/** What the page knows of a loop's kept steps (time travel): a preview per kept step. */
export interface StepTrack {
  /** Steps in the loop; kept steps run from 0 (the start) to count (the result). */
  count: number;
  /** Every stride-th step is kept, plus the newest. */
  stride: number;
  /** The step the last run started from (0, or where it continued). */
  from: number;
  newest: number;
  /** Previews by step; null where a step is kept without one (the Sampler's previews are off). */
  previews: Readonly<Record<number, ImageValue | null>>;
  /** Steps the last run computed (replayed ones not counted). */
  computed: number;
}

/** Folds one step event into a loop's track, dropping the previews the worker thinned out too. */
export function foldStep(track: StepTrack | undefined, e: StepEvent): StepTrack {
  const fresh = !track || track.count !== e.count || track.from !== e.from;
  const previews: Record<number, ImageValue | null> = fresh ? {} : { ...track.previews };
  previews[e.step] = e.preview ?? null;
  const newest = fresh ? e.step : Math.max(track.newest, e.step);
  for (const k of Object.keys(previews)) if (!isKeptStep(Number(k), e.stride, newest)) delete previews[Number(k)];
  return { count: e.count, stride: e.stride, from: e.from, newest, previews, computed: (fresh ? 0 : track.computed) + (e.replayed ? 0 : 1) };
}

/** Kept steps in order. */
export function keptSteps(track: StepTrack): number[] {
  return Object.keys(track.previews)
    .map(Number)
    .sort((a, b) => a - b);
}

