import { describe, expect, it } from 'vitest';
import { canConnect, shapeMismatch } from './canConnect';
import type { PortSpec } from './portTypes';

const p = (type: PortSpec['type'], extra: Partial<PortSpec> = {}): PortSpec => ({ name: type, type, ...extra });

describe('canConnect', () => {
  it('connects equal types and anything to any', () => {
    expect(canConnect(p('text'), p('text'))).toEqual({ ok: true });
    expect(canConnect(p('latent'), p('any'))).toEqual({ ok: true });
  });

  it('allows safe coercions and says so', () => {
    expect(canConnect(p('integer'), p('number'))).toEqual({ ok: true, coercion: 'integer→number' });
    expect(canConnect(p('seed'), p('integer'))).toEqual({ ok: true, coercion: 'seed→integer' });
    expect(canConnect(p('latent'), p('tensor'))).toMatchObject({ ok: true, coercion: 'as tensor' });
  });

  it('refuses with a reason that says what to add', () => {
    const r = canConnect(p('text'), p('tokens'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/Tokenizer/);
    const n = canConnect(p('number'), p('integer'));
    expect(!n.ok && n.reason).toMatch(/fraction/);
    const m = canConnect(p('model.unet'), p('model.vae'));
    expect(!m.ok && m.reason).toBe("UNet model output 'model.unet' cannot feed VAE decoder model input 'model.vae'");
  });

  it('checks tensor dtypes and symbolic shapes', () => {
    const lat = (shape: (number | string)[], dtype: 'float32' | 'float16' = 'float32') => p('latent', { tensor: { dtype, shape } });
    expect(canConnect(lat(['B', 4, 'H/8', 'W/8']), lat([1, 4, 'h', 'w'])).ok).toBe(true);
    expect(canConnect(lat([1, 4, 8, 8]), lat([1, 4, 16, 16])).ok).toBe(false);
    expect(canConnect(lat([1, 4, 8, 8], 'float16'), lat([1, 4, 8, 8])).ok).toBe(false);
  });
});

describe('shapeMismatch', () => {
  it('binds symbols consistently', () => {
    expect(shapeMismatch(['B', 'B'], [1, 2])).toMatch(/dimension 1/);
    expect(shapeMismatch(['B', 'B'], [2, 2])).toBeUndefined();
    expect(shapeMismatch([1, 2, 3], [1, 2])).toMatch(/rank 3/);
  });
});
