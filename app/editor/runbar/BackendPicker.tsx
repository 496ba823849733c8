'use client';
import { memo } from 'react';
import type { BackendPreference } from '@/workers/runtimeHost';
import { useMl, useMlController } from '../useMl';
import '../ml.css';

const LABELS: Record<BackendPreference, string> = { auto: 'Auto', webgpu: 'WebGPU', wasm: 'wasm' };

/** Chooses where models run (Auto / WebGPU / wasm) and says which backend runs and why. */
export const BackendPicker = memo(function BackendPicker() {
  const ml = useMlController();
  const preference = useMl((s) => s.preference);
  const backend = useMl((s) => s.backend);
  const switching = useMl((s) => s.switching);
  const status = switching || !backend ? 'Starting…' : backend.ok ? backend.backend ?? '?' : 'unavailable';
  const why = switching || !backend ? 'Starting the model runtime…' : backend.ok ? backend.reason ?? '' : backend.message ?? 'the backend could not start';
  return (
    <div className={`backend-picker${backend && !backend.ok && !switching ? ' backend-failed' : ''}`} data-testid="backend-picker">
      <select id="backend-select" aria-label="Model backend" value={preference} onChange={(e) => void ml.setPreference(e.target.value as BackendPreference)} data-testid="backend-select" title="Where model nodes run: Auto picks WebGPU on a real GPU, else wasm">
        {(Object.keys(LABELS) as BackendPreference[]).map((p) => (
          <option key={p} value={p}>
            {LABELS[p]}
          </option>
        ))}
      </select>
      <span className="backend-active mono" data-testid="backend-active" data-ok={backend ? String(backend.ok) : undefined} title={why}>
        {status}
      </span>
      <span className="backend-reason" data-testid="backend-reason" role={backend && !backend.ok ? 'alert' : undefined}>
        <strong>{switching || !backend ? '' : backend.ok ? `Models run on ${backend.backend}. ` : `The ${preference === 'webgpu' ? 'WebGPU' : preference} backend cannot start. `}</strong>
        {why}
      </span>
    </div>
  );
});
