import type { Runtime } from '@/engine/runtime';
import { NodeRunError } from '@/engine/errors';
import type { MlServices } from './types';

/** The ML services of the host, or a clear error when this host runs no models. */
export function mlServices(runtime: Runtime): MlServices {
  const ml = runtime.services.ml as MlServices | undefined;
  if (!ml) throw new NodeRunError('no_model_runtime', `this host (${runtime.backend}) has no model runtime; run the graph in the editor or with the weft CLI`);
  return ml;
}
