/**
 * Weft schedulers: pure maths ports of Hugging Face diffusers' DDPM, DDIM, Euler, Euler ancestral,
 * DPM++ 2M (DPMSolverMultistep, order 2, Karras option), LCM and PNDM (PLMS as Stable Diffusion 1.x
 * ships it, skip_prk_steps true; or with its pseudo Runge-Kutta warm-up) schedulers, for Stable
 * Diffusion-style (epsilon / v_prediction) configs. No DOM or Node APIs: runs in a worker, in Node and
 * in vitest.
 *
 * Usage (text to image):
 *   const s = makeSchedule('euler', schedulerConfigJson, 20);
 *   let x = noise.map(v => v * s.initNoiseSigma); let st = initialState();
 *   for (let i = 0; i < s.numInferenceSteps; i++) {
 *     const eps = unet(scaleModelInput(s, i, x), s.timesteps[i]);
 *     ({ prevSample: x, state: st } = step(s, i, eps, x, st, needsNoise(s, i) ? seededNoise(i) : undefined));
 *   }
 * img2img: const { startIndex } = strengthStart(s, 0.6); x = addNoise(s, imageLatent, noise, startIndex);
 *   then loop i from startIndex.
 * numInferenceSteps is the number of model calls (= timesteps.length). For PNDM it exceeds the steps
 * asked for (PLMS: steps + 1, the first step is taken twice; PRK: steps + 9); s.pndm.steps keeps those.
 * PNDM's memory (its last model outputs) travels in the state, like DPM++ 2M's previous x0.
 *
 * Where the reference values come from: tools/reference/schedulers.py is a numpy port of diffusers'
 * scheduler code (each class names the diffusers file and functions), run with Debian's python3 +
 * numpy + torch; it writes tests/fixtures/schedulers/*.json, which schedulers.test.ts checks within
 * 1e-4 relative (integer timesteps exactly). Known published constant: SD 1.x Euler init_noise_sigma
 * = sigma_max = 14.6146 (1000 steps, scaled_linear 0.00085 -> 0.012).
 */
export * from './config';
export * from './schedule';
export * from './step';
export { roundHalfEven, karrasSigmas, sigmaToT } from './numpy';
