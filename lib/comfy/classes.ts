/**
 * What Weft knows of ComfyUI's core node classes: the order of their widgets in a UI workflow's
 * `widgets_values`, their display names and their outputs (facts from ComfyUI's nodes.py), and how
 * ComfyUI's sampler and scheduler names meet Weft's schedulers.
 */

interface ClassInfo {
  readonly display: string;
  /** widgets_values order; `control_after_generate` is the UI's seed control (not sent to the server). */
  readonly widgets: readonly string[];
  /** Output slots, by their ComfyUI type. */
  readonly outputs: readonly string[];
}

const CLASSES = new Map<string, ClassInfo>([
  ['CheckpointLoaderSimple', { display: 'Load Checkpoint', widgets: ['ckpt_name'], outputs: ['MODEL', 'CLIP', 'VAE'] }],
  ['CLIPTextEncode', { display: 'CLIP Text Encode (Prompt)', widgets: ['text'], outputs: ['CONDITIONING'] }],
  ['EmptyLatentImage', { display: 'Empty Latent Image', widgets: ['width', 'height', 'batch_size'], outputs: ['LATENT'] }],
  ['KSampler', { display: 'KSampler', widgets: ['seed', 'control_after_generate', 'steps', 'cfg', 'sampler_name', 'scheduler', 'denoise'], outputs: ['LATENT'] }],
  [
    'KSamplerAdvanced',
    {
      display: 'KSampler (Advanced)',
      widgets: ['add_noise', 'noise_seed', 'control_after_generate', 'steps', 'cfg', 'sampler_name', 'scheduler', 'start_at_step', 'end_at_step', 'return_with_leftover_noise'],
      outputs: ['LATENT'],
    },
  ],
  ['VAEDecode', { display: 'VAE Decode', widgets: [], outputs: ['IMAGE'] }],
  ['VAEEncode', { display: 'VAE Encode', widgets: [], outputs: ['LATENT'] }],
  ['LoadImage', { display: 'Load Image', widgets: ['image', 'upload'], outputs: ['IMAGE', 'MASK'] }],
  ['SaveImage', { display: 'Save Image', widgets: ['filename_prefix'], outputs: [] }],
  ['PreviewImage', { display: 'Preview Image', widgets: [], outputs: [] }],
  ['LoraLoader', { display: 'Load LoRA', widgets: ['lora_name', 'strength_model', 'strength_clip'], outputs: ['MODEL', 'CLIP'] }],
  ['LoraLoaderModelOnly', { display: 'LoraLoaderModelOnly', widgets: ['lora_name', 'strength_model'], outputs: ['MODEL'] }],
  ['Note', { display: 'Note', widgets: ['text'], outputs: [] }],
  ['MarkdownNote', { display: 'Markdown Note', widgets: ['text'], outputs: [] }],
]);

export function widgetNames(classType: string): readonly string[] | undefined {
  return CLASSES.get(classType)?.widgets;
}

export function displayName(classType: string): string {
  return CLASSES.get(classType)?.display ?? classType;
}

export function outputTypes(classType: string): readonly string[] | undefined {
  return CLASSES.get(classType)?.outputs;
}

export type WeftScheduler = 'euler' | 'euler-ancestral' | 'ddim' | 'dpmpp-2m' | 'ddpm' | 'lcm';
export type WeftSpacing = 'config' | 'linspace' | 'leading' | 'trailing';

/** ComfyUI sampler names Weft runs with the same update rule. */
const SAMPLERS = new Map<string, WeftScheduler>([
  ['euler', 'euler'],
  ['euler_ancestral', 'euler-ancestral'],
  ['dpmpp_2m', 'dpmpp-2m'],
  ['ddim', 'ddim'],
  ['ddpm', 'ddpm'],
  ['lcm', 'lcm'],
]);

/** Weft's scheduler back to the ComfyUI sampler name. */
export function comfySamplerOf(kind: string): string {
  for (const [name, k] of SAMPLERS) if (k === kind) return name;
  return 'euler';
}

export interface SamplerChoice {
  readonly scheduler: WeftScheduler;
  /** Set where Weft's choice is not ComfyUI's maths: what differs, in a sentence. */
  readonly note?: string;
}

export function samplerFor(name: string): SamplerChoice {
  const exact = SAMPLERS.get(name);
  if (exact === 'ddim') return { scheduler: 'ddim', note: "ComfyUI runs 'ddim' as Euler steps over DDIM-uniform sigmas; Weft's DDIM (eta 0) takes the same deterministic step in DDIM's own variables" };
  if (exact === 'ddpm') return { scheduler: 'ddpm', note: "ComfyUI's 'ddpm' is its ancestral DDPM sampler; Weft's DDPM follows diffusers' DDPMScheduler (the same posterior, a different noise stream)" };
  if (exact) return { scheduler: exact };
  const ancestral = /ancestral|_sde|dpm_2_a|euler_a/.test(name);
  return {
    scheduler: ancestral ? 'euler-ancestral' : 'euler',
    note: `Weft has no '${name}' sampler; it runs ${ancestral ? 'Euler ancestral' : 'Euler'} instead, so the image will differ`,
  };
}

export interface ScheduleChoice {
  readonly spacing: WeftSpacing;
  readonly karras: boolean;
  readonly note?: string;
}

/** ComfyUI's scheduler (the sigma spacing) as Weft's timestep spacing and Karras switch. */
export function scheduleFor(name: string): ScheduleChoice {
  switch (name) {
    case 'normal':
      return { spacing: 'linspace', karras: false, note: "ComfyUI's 'normal' takes the same evenly spaced timesteps as Weft's linspace; it interpolates log σ between training steps where diffusers (and Weft) interpolate σ, so fractional steps differ slightly" };
    case 'karras':
      return { spacing: 'linspace', karras: true };
    case 'simple':
      return { spacing: 'trailing', karras: false, note: "ComfyUI's 'simple' is trailing spacing: the same timesteps when the step count divides 1000, at most one training step apart otherwise" };
    case 'sgm_uniform':
      return { spacing: 'trailing', karras: false, note: "ComfyUI's 'sgm_uniform' spaces timesteps evenly from 999 without the last; Weft's trailing spacing is the nearest (whole timesteps, up to one step apart)" };
    case 'ddim_uniform':
      return { spacing: 'leading', karras: false };
    default:
      return { spacing: 'linspace', karras: false, note: `Weft has no '${name}' scheduler; it uses evenly spaced timesteps (ComfyUI's 'normal') instead` };
  }
}

/** Weft's spacing and Karras switch back to a ComfyUI scheduler name. */
export function comfyScheduleOf(spacing: string, karras: boolean): string {
  if (karras) return 'karras';
  if (spacing === 'trailing') return 'simple';
  if (spacing === 'leading') return 'ddim_uniform';
  return 'normal';
}
