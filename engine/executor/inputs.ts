import { NodeRunError } from '../errors';
import type { NodeOutputs } from '../nodeDefinition';
import { canConnect } from '../types/canConnect';
import type { NodeInfo } from './plan';
import { dataRecord } from '../record';

/** Where a node stands during a run, as its dependents see it. */
export type NodeState =
  | { readonly status: 'ok'; readonly sig: string; readonly outputs: NodeOutputs; readonly bypassed?: boolean }
  | { readonly status: 'error' | 'skipped' | 'cancelled' | 'muted' };

export type ResolvedInputs =
  | { readonly kind: 'ok'; readonly inputs: Record<string, unknown>; readonly fingerprint: Record<string, string> }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

const WHICH: Record<string, string> = {
  error: 'failed',
  skipped: 'was skipped',
  cancelled: 'was cancelled',
  muted: 'is muted',
};

/**
 * Gathers a node's input values from its upstream nodes. Unconnected optional inputs are left
 * out; an input whose source failed, was skipped or is muted makes the node skip, naming it.
 * An optional input fed by a muted node is left out instead, as if it were unconnected.
 */
export function resolveInputs(info: NodeInfo, lookup?: (nodeId: string) => NodeState | undefined): ResolvedInputs {
  const inputs = dataRecord();
  const fingerprint = dataRecord<string>();
  const incoming = info.incoming;
  for (const port of info.inputs) {
    let i = 0;
    while (i < incoming.length && incoming[i].to.port !== port.name) i++;
    if (i === incoming.length) {
      if (port.optional) continue;
      return { kind: 'error', code: 'missing_input', message: `input '${port.name}' is not connected` };
    }
    const edge = incoming[i];
    const from = edge.from.node;
    const up = lookup ? lookup(from) : info.sources[i].state;
    if (!up || up.status !== 'ok') {
      if (up?.status === 'muted' && port.optional) continue;
      const which = up ? WHICH[up.status] : 'did not run';
      return { kind: 'skip', reason: `input '${port.name}' comes from '${from}' which ${which}` };
    }
    const value = up.outputs[edge.from.port];
    if (value === undefined) {
      if (port.optional) continue;
      if (up.bypassed) {
        return {
          kind: 'skip',
          reason: `input '${port.name}' comes from '${from}' which is bypassed and has no input to pass on as '${edge.from.port}'`,
        };
      }
      return {
        kind: 'error',
        code: 'missing_input',
        message: `input '${port.name}': '${from}' gave no value on its output '${edge.from.port}'`,
      };
    }
    inputs[port.name] = value;
    fingerprint[port.name] = up.sig + ':' + edge.from.port;
  }
  return { kind: 'ok', inputs, fingerprint };
}

/** A bypassed node: each output takes the first present input whose type can feed it. */
export function passThrough(info: NodeInfo, inputs: Record<string, unknown>): NodeOutputs {
  const outputs: NodeOutputs = dataRecord();
  for (const out of info.outputs) {
    for (const inp of info.inputs) {
      if (inputs[inp.name] !== undefined && canConnect(inp, out).ok) {
        outputs[out.name] = inputs[inp.name];
        break;
      }
    }
  }
  return outputs;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A thrown value as a code and a message; NodeRunError keeps its code, anything else is 'node_failed'. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof NodeRunError) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    // A NodeRunError from another copy of the module (a bundled node pack) still keeps its code.
    const code = (err as { code?: unknown }).code;
    if (err.name === 'NodeRunError' && typeof code === 'string') return { code, message: err.message };
    return { code: 'node_failed', message: err.message || err.name };
  }
  return { code: 'node_failed', message: String(err) };
}
