/**
 * Applies LoRA adapters to an ONNX model's weights before its session is made:
 * W += strength · (alpha / rank) · up · down, for MatMul, Gemm and 1×1 / k×k Conv weights, float32
 * or float16, kept inside the model file or in external data files. The model and its external
 * files are copied once each where they change; the caller's bytes are never modified.
 */
import { f16BitsToF32, f32ToF16Bits } from '@/ml/runtime/float16';
import { looksLikeOrt } from '@/ml/runtime/files';
import type { LoraComponent, LoraLayer } from './layers';
import { weightTargets, type WeightTarget } from './onnxWeights';

export interface LoraApplication {
  readonly layers: readonly LoraLayer[];
  readonly strength: number;
  /** Names the adapter in messages. */
  readonly name: string;
}

export interface PatchReport {
  /** Layers of this component the adapters hold, and how many found their weight. */
  readonly layers: number;
  readonly matched: number;
  readonly unmatched: readonly string[];
  /** Per layer changed: the module, the adapter, ‖ΔW‖ and ‖W‖ (Frobenius, before the change). */
  readonly norms: readonly LayerNorm[];
}

export interface LayerNorm {
  readonly module: string;
  readonly adapter: string;
  readonly delta: number;
  readonly weight: number;
}

export type PatchResult =
  | { ok: true; model: Uint8Array; external: Map<string, Uint8Array>; report: PatchReport }
  | { ok: false; message: string; report?: PatchReport };

const COMPONENT_WORD: Record<LoraComponent, string> = { unet: 'UNet', textEncoder: 'text encoder' };

/**
 * Patches `model` (and the external files it names, read through `external`) with the adapters'
 * layers for `component`. Every layer must find its weight: a LoRA for another model is refused
 * with how many layers matched, never half-applied.
 */
export async function applyLoras(
  model: Uint8Array,
  readExternal: (location: string) => Promise<Uint8Array>,
  adapters: readonly LoraApplication[],
  component: LoraComponent,
): Promise<PatchResult> {
  if (looksLikeOrt(model)) {
    return { ok: false, message: `LoRA patches ONNX files; this ${COMPONENT_WORD[component]} is in ONNX Runtime's own format (.ort). Point the model at its .onnx file` };
  }
  let targets: WeightTarget[];
  try {
    targets = weightTargets(model);
  } catch (err) {
    return { ok: false, message: `the ${COMPONENT_WORD[component]} is not a readable ONNX file (${err instanceof Error ? err.message : String(err)})` };
  }
  const byModule = new Map<string, WeightTarget>();
  for (const t of targets) for (const m of t.modules) if (!byModule.has(m)) byModule.set(m, t);

  const mine = adapters.flatMap((a) => a.layers.filter((l) => l.component === component).map((l) => ({ layer: l, adapter: a })));
  const unmatched = mine.filter((x) => !byModule.has(x.layer.module)).map((x) => x.layer.key);
  const norms: LayerNorm[] = [];
  const report: PatchReport = { layers: mine.length, matched: mine.length - unmatched.length, unmatched, norms };
  if (unmatched.length) {
    const shown = unmatched.slice(0, 3).map((k) => `'${k}'`).join(', ');
    return {
      ok: false,
      report,
      message: `${unmatched.length} of ${mine.length} LoRA layers matched no weight in this ${COMPONENT_WORD[component]} (${shown}${unmatched.length > 3 ? ', …' : ''}): is the LoRA made for another model?`,
    };
  }

  let patched: Uint8Array | undefined;
  const external = new Map<string, Uint8Array>();
  const bytesOf = async (t: WeightTarget): Promise<Uint8Array> => {
    if (t.data.file === null) return (patched ??= new Uint8Array(model)); // a copy: a Node Buffer's slice() would be a view
    let file = external.get(t.data.file);
    if (!file) {
      file = new Uint8Array(await readExternal(t.data.file));
      external.set(t.data.file, file);
    }
    return file;
  };

  for (const { layer, adapter } of mine) {
    if (adapter.strength === 0) continue;
    const t = byModule.get(layer.module)!;
    const [outF, inF, spatial] = shapeOf(t);
    const rest = inF * spatial;
    const downRest = layer.downShape.slice(1).reduce((a, b) => a * b, 1);
    const upOut = layer.upShape[0];
    const upRest = layer.upShape.slice(2).reduce((a, b) => a * b, 1);
    if (upOut !== outF || downRest !== rest || upRest !== 1) {
      return {
        ok: false,
        report,
        message: `LoRA layer '${layer.key}' (${adapter.name}) is down [${layer.downShape.join(', ')}] · up [${layer.upShape.join(', ')}], which does not fit ${t.op} weight '${t.tensor}' [${t.dims.join(', ')}]`,
      };
    }
    const file = await bytesOf(t);
    const elementSize = t.dtype === 'float32' ? 4 : 2;
    if (t.data.end > file.length || t.data.end - t.data.start !== outF * rest * elementSize) {
      return { ok: false, report, message: `weight '${t.tensor}' [${t.dims.join(', ')}] does not lie where its model says (bytes ${t.data.start}-${t.data.end} of ${file.length})` };
    }
    const view = new DataView(file.buffer, file.byteOffset + t.data.start, t.data.end - t.data.start);
    const scale = (adapter.strength * layer.alpha) / layer.rank;
    const r = layer.rank;
    const row = new Float32Array(rest);
    let deltaSq = 0;
    let weightSq = 0;
    for (let o = 0; o < outF; o++) {
      // ΔW[o, :] = scale · Σ_k up[o, k] · down[k, :]
      row.fill(0);
      for (let k = 0; k < r; k++) {
        const u = layer.up[o * r + k] * scale;
        if (u === 0) continue;
        const d = k * rest;
        for (let j = 0; j < rest; j++) row[j] += u * layer.down[d + j];
      }
      for (let j = 0; j < rest; j++) {
        // MatMul keeps [in, out]: element (o, j) of ΔW lands at j·out + o.
        const index = t.layout === 'in-out' ? j * outF + o : o * rest + j;
        const w = elementSize === 4 ? view.getFloat32(index * 4, true) : f16BitsToF32(view.getUint16(index * 2, true));
        deltaSq += row[j] * row[j];
        weightSq += w * w;
        if (elementSize === 4) view.setFloat32(index * 4, w + row[j], true);
        else view.setUint16(index * 2, f32ToF16Bits(w + row[j]), true);
      }
    }
    norms.push({ module: layer.module, adapter: adapter.name, delta: Math.sqrt(deltaSq), weight: Math.sqrt(weightSq) });
  }
  return { ok: true, model: patched ?? model, external, report };
}

/** [out, in, kh·kw] of a weight, whatever its layout. */
function shapeOf(t: WeightTarget): [number, number, number] {
  if (t.layout === 'in-out') return [t.dims[1], t.dims[0], 1];
  if (t.layout === 'out-in') return [t.dims[0], t.dims[1], 1];
  return [t.dims[0], t.dims[1], t.dims.slice(2).reduce((a, b) => a * b, 1)];
}
