/**
 * The few numpy behaviours diffusers' set_timesteps relies on, reproduced bit for bit where it
 * matters (rounding of .5 cases decides integer timesteps): np.round (half to even), np.linspace,
 * np.arange with a float step, np.interp, and the Karras helpers `_convert_to_karras`, `_sigma_to_t`
 * (diffusers scheduling_euler_discrete.py).
 */

/** numpy's round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

/** np.linspace(start, stop, num, endpoint) (numpy >= 1.20 arithmetic: i*step + start, last = stop). */
export function linspace(start: number, stop: number, num: number, endpoint = true): number[] {
  if (num <= 0) return [];
  const div = endpoint ? num - 1 : num;
  const out = new Array<number>(num);
  if (div === 0) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / div;
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/** np.arange(start, stop, step) for float steps (numpy's fill: start + i*delta, delta = (start+step)-start). */
export function arange(start: number, stop: number, step: number): number[] {
  const len = Math.max(0, Math.ceil((stop - start) / step));
  if (len === 0) return [];
  const out = new Array<number>(len);
  out[0] = start;
  if (len > 1) {
    const delta = start + step - start;
    for (let i = 1; i < len; i++) out[i] = start + i * delta;
  }
  return out;
}

/** np.interp(x, arange(fp.length), fp) */
export function interpIndex(x: number, fp: ArrayLike<number>): number {
  const n = fp.length;
  if (x <= 0) return fp[0];
  if (x >= n - 1) return fp[n - 1];
  const j = Math.floor(x);
  if (x === j) return fp[j];
  const slope = (fp[j + 1] - fp[j]) / 1;
  return slope * (x - j) + fp[j];
}

/** diffusers `_convert_to_karras` (rho = 7) from the first (max) and last (min) of `inSigmas`. */
export function karrasSigmas(sigmaMax: number, sigmaMin: number, numSteps: number): number[] {
  const rho = 7.0;
  const ramp = linspace(0, 1, numSteps);
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return ramp.map((r) => (maxInv + r * (minInv - maxInv)) ** rho);
}

/** diffusers `_sigma_to_t`: fractional timestep of `sigma` by interpolating in log-sigma (ascending). */
export function sigmaToT(sigma: number, logSigmas: ArrayLike<number>): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  const n = logSigmas.length;
  // cumsum(dists >= 0).argmax(): the last index whose log-sigma <= logSigma (0 if none).
  let low = 0;
  for (let i = 0; i < n; i++) if (logSigma - logSigmas[i] >= 0) low = i;
  low = Math.min(low, n - 2);
  const high = low + 1;
  const lo = logSigmas[low];
  const hi = logSigmas[high];
  let w = (lo - logSigma) / (lo - hi);
  w = Math.min(1, Math.max(0, w));
  return (1 - w) * low + w * high;
}
