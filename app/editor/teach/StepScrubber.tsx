'use client';
import { memo, useCallback, useState } from 'react';
import { TRAJECTORY_LIMITS } from '@/engine/executor/trajectory';
import type { ImageValue } from '@/engine/values';
import { useController, useEditor } from '../EditorContext';
import { PixelImage } from '../canvas/PixelImage';
import { imagesOf } from '../files/fileData';
import { decodeTarget } from './decodeTarget';
import { keptSteps } from './steps';
import './teach.css';

/** The step each scrubber shows and its last exact decode, kept while a run briefly clears the view. */
const chosen = new Map<string, number>();
const decoded = new Map<string, { step: number; image: ImageValue; preview: ImageValue | null }>();

const BOUND = `Keeps up to ${TRAJECTORY_LIMITS.maxSteps} steps and ${TRAJECTORY_LIMITS.maxBytes / 1024 / 1024} MB per loop (the last ${TRAJECTORY_LIMITS.maxLoops} loops); past that, every other step.`;

/**
 * Denoising time travel for a loop (a Sampler node, or a repeat zone's output node): a slider
 * over the kept steps with the cheap preview of each, an exact VAE decode of the chosen step,
 * and "continue from here", which re-runs only the remaining steps.
 */
export const StepScrubber = memo(function StepScrubber({ nodeId, variant }: { nodeId: string; variant: 'node' | 'frame' }) {
  const ctrl = useController();
  const track = useEditor((s) => s.nodeRuns.get(nodeId)?.steps);
  const busy = useEditor((s) => s.run.status === 'running' || s.run.status === 'cancelling');
  const target = useEditor((s) => decodeTarget(s.graph, nodeId));
  const [, rerender] = useState(0);
  const [working, setWorking] = useState<'decode' | 'continue' | null>(null);

  const steps = track ? keptSteps(track) : [];
  const wanted = chosen.get(nodeId);
  // While the loop runs the view follows the newest step; after, it stays where the user put it.
  const step = wanted === undefined || busy || !steps.includes(wanted) ? steps[steps.length - 1] : wanted;
  const index = Math.max(0, steps.indexOf(step));

  const choose = useCallback(
    (i: number) => {
      const kept = track ? keptSteps(track) : [];
      if (kept[i] === undefined) return;
      chosen.set(nodeId, kept[i]);
      rerender((n) => n + 1);
    },
    [nodeId, track],
  );

  const exactDecode = useCallback(async () => {
    if (!target || step === undefined) return;
    setWorking('decode');
    try {
      await ctrl.run([target], { resume: { nodeId, step, show: true } });
      const image = imagesOf(ctrl.store.get().outputs.get(target)?.values().next().value)[0];
      if (image) decoded.set(nodeId, { step, image, preview: ctrl.store.get().nodeRuns.get(nodeId)?.steps?.previews[step] ?? null });
    } finally {
      chosen.set(nodeId, step);
      setWorking(null);
    }
  }, [ctrl, nodeId, step, target]);

  const continueFrom = useCallback(async () => {
    if (step === undefined) return;
    setWorking('continue');
    try {
      chosen.delete(nodeId);
      await ctrl.run(undefined, { resume: { nodeId, step } });
    } finally {
      setWorking(null);
    }
  }, [ctrl, nodeId, step]);

  if (!track || step === undefined) return null;
  const preview = track.previews[step];
  const exact = decoded.get(nodeId);
  const showExact = exact && exact.step === step && samePicture(exact.preview, preview ?? null) ? exact.image : undefined;
  const size = variant === 'frame' ? { minWidth: 112, maxWidth: 128 } : { minWidth: 88, maxWidth: 96 };
  return (
    <div className={`scrubber scrubber-${variant} nodrag nowheel nopan`} data-testid={`scrubber-${nodeId}`} data-step={step} onDoubleClick={(e) => e.stopPropagation()}>
      <div className="scrubber-head">
        <span>
          Step <b data-testid="scrubber-step">{step}</b> / {track.count}
        </span>
        <span className="scrubber-meta" data-testid="scrubber-meta">
          {track.from > 0 ? `continued from ${track.from} · ran ${track.computed}` : step === 0 ? 'pure noise' : step === track.count ? 'result' : ''}
        </span>
      </div>
      <div className="scrubber-pictures">
        <figure>
          {preview ? <PixelImage image={preview} {...size} testId="scrubber-preview" /> : <div className="scrubber-empty">no preview</div>}
          <figcaption>cheap preview</figcaption>
        </figure>
        {showExact ? (
          <figure>
            <PixelImage image={showExact} {...size} testId="scrubber-exact" />
            <figcaption>VAE decode</figcaption>
          </figure>
        ) : null}
      </div>
      <input
        type="range"
        className="scrubber-range"
        min={0}
        max={Math.max(0, steps.length - 1)}
        step={1}
        value={index}
        disabled={busy || steps.length < 2}
        aria-label="Denoising step"
        aria-valuetext={`step ${step} of ${track.count}`}
        data-testid="scrubber-range"
        onChange={(e) => choose(Number(e.target.value))}
      />
      <div className="scrubber-actions">
        <button
          className="btn small"
          disabled={busy || !target}
          title={target ? `Runs the graph's VAE decode ('${target}') on the latent kept at step ${step}` : 'No node after this loop decodes a latent to an image'}
          data-testid="scrubber-decode"
          onClick={exactDecode}
        >
          {working === 'decode' ? 'Decoding…' : 'Exact decode'}
        </button>
        <button
          className="btn small"
          disabled={busy || step >= track.count}
          title={`Re-runs only steps ${step + 1}–${track.count}, starting from the latent kept at step ${step} (with the graph's current settings), then what follows`}
          data-testid="scrubber-continue"
          onClick={continueFrom}
        >
          {working === 'continue' ? 'Running…' : `Continue from ${step}`}
        </button>
      </div>
      {variant === 'frame' ? <div className="scrubber-bound">{BOUND}</div> : null}
    </div>
  );
});

function samePicture(a: ImageValue | null, b: ImageValue | null): boolean {
  if (!a || !b) return a === b;
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
