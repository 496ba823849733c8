import { EngineBridge } from './bridge';

/**
 * The engine worker is started by the page's first script (app/page.tsx), before the editor's
 * own code has even been fetched, so ONNX Runtime starts (1-2 s) while the page draws.
 */
let early: EngineBridge | undefined;

export function startEngineEarly(): void {
  if (!early && typeof window !== 'undefined' && typeof Worker !== 'undefined') early = new EngineBridge();
}

/** The early-started bridge, handed out once; later callers (a remounted editor) get a new one. */
export function takeEngineBridge(): EngineBridge {
  const bridge = early ?? new EngineBridge();
  early = undefined;
  return bridge;
}
