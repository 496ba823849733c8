import type { ImageValue } from '@/engine/values';

/**
 * A cheap latent → RGB picture for live previews: each pixel's colour is a linear function of its
 * latent channels (rgb = bias + Σ_c latent_c · factors[c]), instead of a full VAE decode.
 */
export interface LatentRgbFactors {
  /** One [r, g, b] row per latent channel, for *scaled* latents (what the UNet sees). */
  factors: readonly (readonly [number, number, number])[];
  bias?: readonly [number, number, number];
}

/** Stable Diffusion 1.x's widely used factors (scaled latents, output in [-1, 1]). */
export const SD15_LATENT_RGB: LatentRgbFactors = {
  factors: [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ],
};

/** Reads factors from a VAE config (`weft_latent_rgb_factors`, `weft_latent_rgb_bias`) or falls back to SD's. */
export function latentRgbFactorsOf(config: Readonly<Record<string, unknown>> | undefined): LatentRgbFactors {
  const f = config?.weft_latent_rgb_factors;
  if (Array.isArray(f) && f.every((row) => Array.isArray(row) && row.length === 3)) {
    const b = config?.weft_latent_rgb_bias;
    return { factors: f as [number, number, number][], ...(Array.isArray(b) && b.length === 3 ? { bias: b as [number, number, number] } : {}) };
  }
  return SD15_LATENT_RGB;
}

/** Projects item `index` of a [B,C,h,w] latent to an RGBA image of h×w (the UI scales it up). */
export function latentPreview(latent: Float32Array, dims: readonly number[], rgb: LatentRgbFactors, index = 0): ImageValue {
  const [, c, h, w] = dims;
  const plane = h * w;
  const data = new Uint8ClampedArray(plane * 4);
  const channels = Math.min(c, rgb.factors.length);
  const base = index * c * plane;
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < 3; k++) {
      let v = rgb.bias?.[k] ?? 0;
      for (let ch = 0; ch < channels; ch++) v += latent[base + ch * plane + i] * rgb.factors[ch][k];
      data[i * 4 + k] = Math.round(Math.min(1, Math.max(0, v / 2 + 0.5)) * 255);
    }
    data[i * 4 + 3] = 255;
  }
  return { kind: 'image', width: w, height: h, data };
}
