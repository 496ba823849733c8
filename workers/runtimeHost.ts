import type { Runtime } from '@/engine/runtime';
import { tryCreateBrowserMl, type BrowserMlResult } from './mlHost';
import { createModelStore, type ModelStore } from './modelStore';

/** The user's backend preference: automatic (WebGPU on a real GPU, else wasm), or forced. */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface BackendInfo {
  ok: boolean;
  preference: BackendPreference;
  backend?: string;
  reason?: string;
  code?: string;
  message?: string;
}

/**
 * Owns the worker's one model runtime: every node that passes GPU tensors on runs here, on the
 * same device. Changing the preference releases the old sessions and starts anew.
 */
export class RuntimeHost {
  readonly store: ModelStore = createModelStore();
  private preference: BackendPreference = 'auto';
  private current: Promise<BrowserMlResult> | undefined;

  /** Sets the preference; returns true when it changed (cached values then belong to an old device). */
  async setPreference(preference: BackendPreference): Promise<boolean> {
    if (preference === this.preference && this.current) return false;
    const old = this.current;
    this.preference = preference;
    this.current = undefined;
    if (old) {
      const r = await old;
      if (r.ok) await r.ml.dispose();
    }
    return true;
  }

  private ml(): Promise<BrowserMlResult> {
    if (!this.current) {
      this.current = tryCreateBrowserMl({ force: this.preference === 'auto' ? undefined : this.preference, store: this.store });
    }
    return this.current;
  }

  async info(): Promise<BackendInfo> {
    const r = await this.ml();
    return r.ok
      ? { ok: true, preference: this.preference, backend: r.ml.backend, reason: r.ml.backendReason }
      : { ok: false, preference: this.preference, code: r.code, message: r.message };
  }

  /** The runtime for a run; when the chosen backend cannot start, model nodes fail with its message. */
  async runtime(): Promise<Runtime> {
    const r = await this.ml();
    if (r.ok) return { backend: r.ml.backend, services: { ml: r.ml } };
    return { backend: 'none', services: {} };
  }

  /** Starts the runtime ahead of the first model (see OrtMlServices.start). */
  async start(): Promise<void> {
    const r = await this.ml();
    if (r.ok) await r.ml.start();
  }

  async counters() {
    const r = await this.ml();
    return r.ok ? r.ml.counters() : undefined;
  }
}
