import type { ExecutionCache } from '@/engine/executor';
import { probeValue, type ProbeSummary } from '@/ml/probe';
import { latentRgbFactorsOf } from '@/ml/preview';
import { hasKey } from '@/engine/record';
import { isModelRef } from '@/ml/values';

export interface PortRef {
  node: string;
  port: string;
}

/** Which wire to look inside: the output port feeding it, plus where its helpers come from. */
export interface ProbeRequest extends PortRef {
  /** The port's type (a `latent` also gets a colour picture). */
  portType?: string;
  /** An output carrying the graph's VAE, whose config holds the latent colour factors. */
  vae?: PortRef;
  /** For detections: the output carrying the picture they were found in. */
  image?: PortRef;
}

export type ProbeResult = { ok: true; summary: ProbeSummary } | { ok: false; code: string; message: string };

/**
 * Summarises the value an output port last produced, from the worker's run cache (where GPU
 * tensors live; they are read back now, on demand). Values made inside a repeat zone are not
 * kept after its run, except on its output node.
 */
export async function probePort(cache: ExecutionCache, req: ProbeRequest): Promise<ProbeResult> {
  const entry = cache.get(req.node);
  if (!entry) return { ok: false, code: 'no_value', message: `no value is kept for '${req.node}': run the graph first (values inside a repeat zone are not kept)` };
  if (entry.outcome !== 'ok' || !entry.outputs) {
    const why = entry.outcome === 'error' ? `it failed: ${entry.error?.message ?? 'unknown error'}` : 'its last run was cancelled';
    return { ok: false, code: 'no_value', message: `'${req.node}' has no value: ${why}` };
  }
  if (!hasKey(entry.outputs, req.port)) return { ok: false, code: 'no_port', message: `'${req.node}' gave no value on '${req.port}'` };
  const vae = req.vae ? valueAt(cache, req.vae) : undefined;
  try {
    const summary = await probeValue(entry.outputs[req.port], {
      ...(req.portType ? { portType: req.portType } : {}),
      latentRgb: latentRgbFactorsOf(isModelRef(vae) ? vae.config : undefined),
      ...(req.image ? { image: valueAt(cache, req.image) } : {}),
    });
    return { ok: true, summary };
  } catch (err) {
    // A disposed or unreadable tensor: say so on the card rather than failing the page.
    return { ok: false, code: 'probe_failed', message: `the value could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function valueAt(cache: ExecutionCache, ref: PortRef): unknown {
  const e = cache.get(ref.node);
  return e?.outcome === 'ok' && e.outputs && hasKey(e.outputs, ref.port) ? e.outputs[ref.port] : undefined;
}
