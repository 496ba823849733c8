/**
 * The layers of a LoRA file, whatever naming it uses, brought to one form: which component it
 * changes (UNet or text encoder), the module in underscore form, the down (A) and up (B) matrices
 * and alpha. The namings read:
 *
 *   kohya / A1111:   lora_unet_<module>.lora_down.weight, .lora_up.weight, .alpha
 *                    lora_te_<module>…, lora_te1_<module>… (text encoder)
 *   diffusers/PEFT:  unet.<module>.lora_A.weight, .lora_B.weight (also lora_A.default.weight),
 *                    text_encoder.<module>…, base_model.model.<module>…; alpha from `.alpha`
 *                    entries or the file's metadata (`lora_alpha`), else the rank (scale 1)
 *   old diffusers:   unet.<module>.processor.to_q_lora.down.weight / .up.weight
 *
 * The maths (W += strength · alpha / rank · up · down) follows kohya's networks/lora.py and
 * PEFT's LoraLayer, which diffusers also applies.
 */
import { readSafetensors, toFloat32, type SafeTensor } from './safetensors';
import { underscored } from './onnxWeights';

export type LoraComponent = 'unet' | 'textEncoder';

export interface LoraLayer {
  readonly component: LoraComponent;
  /** Module in underscore form, e.g. `down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q`. */
  readonly module: string;
  /** The key the file gives it (without the down/up suffix), for messages. */
  readonly key: string;
  readonly rank: number;
  readonly alpha: number;
  /** [rank, in(, kh, kw)] */
  readonly downShape: readonly number[];
  readonly down: Float32Array;
  /** [out, rank(, 1, 1)] */
  readonly upShape: readonly number[];
  readonly up: Float32Array;
}

export interface LoraFile {
  readonly layers: readonly LoraLayer[];
  /** Keys that are not LoRA weights this reader knows (DoRA magnitudes, LoHa, LoKr…). */
  readonly unknown: readonly string[];
  readonly metadata: ReadonlyMap<string, string>;
}

export type LoraResult = { ok: true; value: LoraFile } | { ok: false; message: string };

interface Parts {
  component: LoraComponent;
  module: string;
  role: 'down' | 'up' | 'alpha';
}

const TEXT_MODULE = /^text_model[._]/;

function componentOf(prefix: string, module: string): LoraComponent {
  if (/^(lora_te1?_|text_encoder\.)/.test(prefix)) return 'textEncoder';
  if (prefix === 'base_model.model.' || prefix === '') return TEXT_MODULE.test(module) ? 'textEncoder' : 'unet';
  return 'unet';
}

/** Splits one key into component, module and role; undefined when it is not a LoRA weight. */
function parseKey(key: string): Parts | undefined {
  // kohya: lora_unet_x.lora_down.weight
  let m = /^(lora_unet_|lora_te1?_)(.+)\.(lora_down\.weight|lora_up\.weight|alpha)$/.exec(key);
  if (m) return { component: componentOf(m[1], m[2]), module: m[2], role: m[3] === 'alpha' ? 'alpha' : m[3].startsWith('lora_down') ? 'down' : 'up' };
  // PEFT / diffusers: unet.x.lora_A.weight
  m = /^(unet\.|text_encoder\.|base_model\.model\.|)(.+?)\.(lora_A(?:\.default)?\.weight|lora_B(?:\.default)?\.weight|alpha)$/.exec(key);
  if (m) return { component: componentOf(m[1], m[2]), module: underscored(m[2]), role: m[3] === 'alpha' ? 'alpha' : m[3].startsWith('lora_A') ? 'down' : 'up' };
  // old diffusers attention processors: unet.x.processor.to_q_lora.down.weight → x.to_q
  m = /^(unet\.|text_encoder\.|)(.+)\.processor\.(to_q|to_k|to_v|to_out)_lora\.(down|up)\.weight$/.exec(key);
  if (m) return { component: componentOf(m[1], m[2]), module: underscored(`${m[2]}.${m[3] === 'to_out' ? 'to_out.0' : m[3]}`), role: m[4] as 'down' | 'up' };
  return undefined;
}

/** Reads a LoRA .safetensors file into its layers; `what` names the file in messages. */
export function readLora(bytes: Uint8Array, what = 'the LoRA file'): LoraResult {
  const file = readSafetensors(bytes, what);
  if (!file.ok) return file;
  const groups = new Map<string, { component: LoraComponent; module: string; key: string; down?: SafeTensor; up?: SafeTensor; alpha?: number }>();
  const unknown: string[] = [];
  for (const [key, t] of file.value.tensors) {
    const p = parseKey(key);
    if (!p) {
      unknown.push(key);
      continue;
    }
    const id = `${p.component}\n${p.module}`;
    let g = groups.get(id);
    if (!g) {
      g = { component: p.component, module: p.module, key: key.replace(/\.(lora_down|lora_up|lora_A|lora_B|alpha|down|up)(\.default)?(\.weight)?$/, '') };
      groups.set(id, g);
    }
    if (p.role === 'alpha') g.alpha = toFloat32(t)[0];
    else g[p.role] = t;
  }
  const metaAlpha = Number(file.value.metadata.get('lora_alpha') ?? file.value.metadata.get('ss_network_alpha'));
  const layers: LoraLayer[] = [];
  for (const g of groups.values()) {
    if (!g.down || !g.up) {
      return { ok: false, message: `${what}: layer '${g.key}' has ${g.down ? 'a down (A)' : 'an up (B)'} matrix but no ${g.down ? 'up (B)' : 'down (A)'} one` };
    }
    const rank = g.down.shape[0];
    if (g.down.shape.length < 2 || g.up.shape.length < 2 || g.up.shape[1] !== rank || !rank) {
      return { ok: false, message: `${what}: layer '${g.key}' has down [${g.down.shape.join(', ')}] and up [${g.up.shape.join(', ')}], which do not share a rank` };
    }
    const alpha = g.alpha ?? (Number.isFinite(metaAlpha) && metaAlpha > 0 ? metaAlpha : rank);
    layers.push({ component: g.component, module: g.module, key: g.key, rank, alpha, downShape: g.down.shape, down: toFloat32(g.down), upShape: g.up.shape, up: toFloat32(g.up) });
  }
  if (!layers.length) return { ok: false, message: `${what} holds no LoRA layers (${unknown.length} tensors, none named as kohya's lora_down/lora_up or PEFT's lora_A/lora_B)` };
  return { ok: true, value: { layers, unknown, metadata: file.value.metadata } };
}
