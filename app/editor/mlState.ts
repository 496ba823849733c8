import type { EngineBridge } from '@/workers/bridge';
import type { BackendInfo, BackendPreference } from '@/workers/runtimeHost';
import type { StoredModel } from '@/workers/modelStore';
import type { EditorController } from './controller';
import { Store } from './store';

/** The model side of the editor: which backend runs and why, and the imported models. */
export interface MlState {
  preference: BackendPreference;
  /** Null until the worker answers. */
  backend: BackendInfo | null;
  switching: boolean;
  /** Imported models (null until listed). */
  models: readonly StoredModel[] | null;
  modelsError: string | null;
}

const PREF_KEY = 'weft.backend';
const PREFS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];

export function loadBackendPreference(): BackendPreference {
  try {
    const v = localStorage.getItem(PREF_KEY);
    return PREFS.includes(v as BackendPreference) ? (v as BackendPreference) : 'auto';
  } catch {
    return 'auto';
  }
}

export class MlController {
  readonly store = new Store<MlState>({ preference: 'auto', backend: null, switching: false, models: null, modelsError: null });
  private bridge: EngineBridge | null = null;

  /** Called once the worker exists: applies the stored preference and lists imported models. */
  attach(bridge: EngineBridge): void {
    this.bridge = bridge;
    void this.setPreference(loadBackendPreference(), false);
    void this.refreshModels();
  }

  get engine(): EngineBridge | null {
    return this.bridge;
  }

  setPreference = async (preference: BackendPreference, persist = true): Promise<BackendInfo | null> => {
    if (persist) {
      try {
        localStorage.setItem(PREF_KEY, preference);
      } catch {
        // Private mode: the choice lasts for this page only.
      }
    }
    this.store.set({ preference, switching: true });
    if (!this.bridge) return null;
    let backend: BackendInfo;
    try {
      backend = await this.bridge.setBackend(preference);
    } catch (err) {
      backend = { ok: false, preference, code: 'worker_error', message: String(err) };
    }
    if (this.store.get().preference === preference) this.store.set({ backend, switching: false });
    return backend;
  };

  refreshModels = async (): Promise<void> => {
    if (!this.bridge) return;
    try {
      this.store.set({ models: await this.bridge.models.list(), modelsError: null });
    } catch (err) {
      this.store.set({ models: [], modelsError: `The model library could not be read: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
}

const controllers = new WeakMap<EditorController, MlController>();

/** One MlController per editor. */
export function mlOf(ctrl: EditorController): MlController {
  let ml = controllers.get(ctrl);
  if (!ml) controllers.set(ctrl, (ml = new MlController()));
  return ml;
}
