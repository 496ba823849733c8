import { NodeRunError } from '@/engine/errors';
import type { Backend, ModelRef } from './types';

/** What a model is called in messages: its role, or its name for a free-standing model. */
export function modelLabel(ref: ModelRef): string {
  return ref.role === 'other' ? ref.name : ref.role;
}

/** ORT prefixes its messages with "Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: ". */
function ortMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/^.*?ERROR_MESSAGE:\s*/s, '').trim();
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

const OTHER_BACKEND: Record<Backend, string> = { webgpu: 'wasm', wasm: 'webgpu', cpu: 'wasm' };

/**
 * Turns an ONNX Runtime failure into a NodeRunError a person can act on. `phase` says whether the
 * session was being created or run.
 */
export function mapOrtError(err: unknown, ref: ModelRef, backend: Backend, phase: 'load' | 'run'): NodeRunError {
  if (err instanceof NodeRunError) return err;
  const msg = ortMessage(err);
  const label = modelLabel(ref);
  const where = `${ref.path} from ${ref.source}`;
  if (/protobuf parsing failed|parse.*protobuf|ModelProto|model format|not a valid onnx|invalid model file/i.test(msg) && phase === 'load') {
    return new NodeRunError('not_onnx', `${where} is not an ONNX model (${firstLine(msg)})`);
  }
  const op =
    /No Op registered for (\w+)/i.exec(msg)?.[1] ??
    /Could not find an implementation for (\w+)/i.exec(msg)?.[1] ??
    /(?:no kernel|kernel not found|unsupported (?:op|operator)|not supported)\D{0,40}?\b(?:for |op(?:erator)?:? )'?(\w+)/i.exec(msg)?.[1];
  if (op || /no kernel|not implemented|unsupported op/i.test(msg)) {
    const alt = OTHER_BACKEND[backend];
    return new NodeRunError(
      'unsupported_op',
      `${label} (${where}) uses operator ${op ? `'${op}'` : 'an operator'} that the ${backend} backend cannot run; try the ${alt} backend or a model exported without it (${firstLine(msg)})`,
    );
  }
  if (/out of memory|failed to allocate|allocation failed|bad_alloc|Array buffer allocation|cannot allocate|OOM\b/i.test(msg) || (err instanceof RangeError && /alloc/i.test(msg))) {
    return new NodeRunError(
      'out_of_memory',
      `${label} ran out of memory on ${backend} while ${phase === 'load' ? 'loading' : 'running'} (${firstLine(msg)}); try a smaller batch or size, or close other tabs`,
    );
  }
  return new NodeRunError('model_failed', `${label} (${where}) failed on ${backend} while ${phase === 'load' ? 'loading' : 'running'}: ${msg}`);
}

export function cancelled(): NodeRunError {
  return new NodeRunError('cancelled', 'cancelled');
}
