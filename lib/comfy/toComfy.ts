import type { Graph, GraphNode, PortRef } from '@/engine/graph/document';
import { comfySamplerOf, comfyScheduleOf, displayName } from './classes';
import { comfyIdOf, PLACEHOLDER_PREFIX } from './toWeft';

/** A ComfyUI API-format prompt: `{ id: { class_type, inputs, _meta } }`, in a null-prototype object. */
export type ComfyPrompt = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta: { title: string } }>;

export interface ComfyExport {
  readonly prompt: ComfyPrompt;
  /** Weft nodes with no ComfyUI counterpart (left out), one sentence each. */
  readonly skipped: readonly string[];
}

/**
 * The mapped part of a Weft graph as a ComfyUI API-format prompt. Weft's text-to-image chain
 * (Prompt → Tokenizer → Text Encoder; Scheduler, Latent Noise, Noisy Start → Sampler) folds back
 * into CLIPTextEncode and KSampler; nodes imported from ComfyUI get their ids back; placeholders
 * are written as they were read.
 */
export function weftToComfy(graph: Graph): ComfyExport {
  const byId = new Map<string, GraphNode>();
  for (const n of graph.nodes) byId.set(n.id, n);
  const feeding = new Map<string, PortRef>();
  for (const e of graph.edges) feeding.set(`${e.to.node}\u0000${e.to.port}`, e.from);
  const from = (node: string, port: string) => feeding.get(`${node}\u0000${port}`);
  const upNode = (node: string, port: string) => {
    const f = from(node, port);
    return f ? byId.get(f.node) : undefined;
  };

  // Comfy ids: an imported node keeps its own; others get fresh numbers.
  const comfyId = new Map<string, string>();
  const used = new Set<string>();
  for (const n of graph.nodes) {
    const id = comfyIdOf(n.id);
    if (id) (comfyId.set(n.id, id), used.add(id));
  }
  let next = 1;
  const idFor = (n: GraphNode): string => {
    let id = comfyId.get(n.id);
    if (id) return id;
    while (used.has(String(next))) next++;
    id = String(next);
    used.add(id);
    comfyId.set(n.id, id);
    return id;
  };

  const prompt: ComfyPrompt = Object.create(null) as ComfyPrompt;
  const skipped: string[] = [];
  const absorbed = new Set<string>();
  const emit = (n: GraphNode, classType: string, inputs: Record<string, unknown>) => {
    prompt[idFor(n)] = { class_type: classType, inputs, _meta: { title: n.label ?? displayName(classType) } };
  };

  /** A link to what feeds a ComfyUI-typed input. */
  const link = (ref: PortRef | undefined): [string, number] | undefined => {
    if (!ref) return undefined;
    const src = byId.get(ref.node);
    if (!src) return undefined;
    if (src.type === 'models.loadPipeline') {
      const slot = ref.port === 'unet' || ref.port === 'pipeline' ? 0 : ref.port === 'tokenizer' || ref.port === 'textEncoder' ? 1 : 2;
      return [idFor(src), slot];
    }
    if (src.type === 'models.loadLora') return [idFor(src), ref.port === 'textEncoder' ? 1 : 0];
    if (src.type.startsWith(PLACEHOLDER_PREFIX)) {
      const m = /^output_(\d+)$/.exec(ref.port);
      return [idFor(src), m ? Number(m[1]) : 0];
    }
    return [idFor(src), 0];
  };
  const put = (inputs: Record<string, unknown>, name: string, l: [string, number] | undefined) => {
    if (l) inputs[name] = l;
  };

  for (const n of graph.nodes) {
    const p = n.params;
    if (n.mode === 'muted') continue;
    switch (n.type) {
      case 'models.loadPipeline': {
        const source = String(p.source ?? 'shipped:shapes-v1');
        const ckpt = source.startsWith('store:') ? source.slice(6) : source.startsWith('shipped:') ? `${source.slice(8)}.safetensors` : source.replace(/^.*[/:]/, '');
        emit(n, 'CheckpointLoaderSimple', { ckpt_name: ckpt });
        break;
      }
      case 'models.loadLora': {
        const source = String(p.source ?? '');
        const file = source.startsWith('store:') && /\.safetensors$/i.test(source) ? source.slice(6) : String(p.path ?? 'lora.safetensors');
        const clip = link(from(n.id, 'textEncoder'));
        const inputs: Record<string, unknown> = { lora_name: file, strength_model: p.unetStrength ?? 1 };
        if (clip) inputs.strength_clip = p.textEncoderStrength ?? 1;
        put(inputs, 'model', link(from(n.id, 'unet')));
        put(inputs, 'clip', clip);
        emit(n, clip ? 'LoraLoader' : 'LoraLoaderModelOnly', inputs);
        break;
      }
      case 'conditioning.encodeText': {
        const tok = upNode(n.id, 'tokens');
        const text = tok ? upNode(tok.id, 'text') : undefined;
        if (tok) absorbed.add(tok.id);
        if (text && (text.type === 'conditioning.prompt' || text.type === 'values.text')) absorbed.add(text.id);
        const inputs: Record<string, unknown> = { text: text ? String(text.params.text ?? text.params.value ?? '') : '' };
        put(inputs, 'clip', link(from(n.id, 'textEncoder')));
        emit(n, 'CLIPTextEncode', inputs);
        break;
      }
      case 'latent.empty':
        emit(n, 'EmptyLatentImage', { width: p.width ?? 64, height: p.height ?? 64, batch_size: p.batch ?? 1 });
        break;
      case 'sampling.sampler': {
        const sched = upNode(n.id, 'schedule');
        const start = upNode(n.id, 'latent');
        const noise = start?.type === 'sampling.initialLatent' ? upNode(start.id, 'noise') : undefined;
        for (const x of [sched, start, noise]) if (x) absorbed.add(x.id);
        const sp = sched?.params ?? {};
        if (sp.scheduler === 'pndm') skipped.push(`${sched!.label ?? sched!.id}: ComfyUI has no PNDM (PLMS) sampler; it was written as 'euler'`);
        const inputs: Record<string, unknown> = {
          seed: noise?.params.seed ?? p.seed ?? 0,
          steps: sp.steps ?? 20,
          cfg: p.guidance ?? 5,
          sampler_name: comfySamplerOf(String(sp.scheduler ?? 'euler')),
          scheduler: comfyScheduleOf(String(sp.spacing ?? 'config'), sp.karras === true),
          denoise: sp.strength ?? 1,
        };
        put(inputs, 'model', link(from(n.id, 'unet')));
        put(inputs, 'positive', link(from(n.id, 'positive')));
        put(inputs, 'negative', link(from(n.id, 'negative')));
        put(inputs, 'latent_image', link(noise ? from(noise.id, 'latent') : start ? from(start.id, 'latent') : undefined));
        emit(n, 'KSampler', inputs);
        break;
      }
      case 'latent.vaeDecode': {
        const inputs: Record<string, unknown> = {};
        put(inputs, 'samples', link(from(n.id, 'latent')));
        put(inputs, 'vae', link(from(n.id, 'vae')));
        emit(n, 'VAEDecode', inputs);
        break;
      }
      case 'latent.vaeEncode': {
        const inputs: Record<string, unknown> = {};
        put(inputs, 'pixels', link(from(n.id, 'image')));
        put(inputs, 'vae', link(from(n.id, 'vaeEncoder')));
        emit(n, 'VAEEncode', inputs);
        break;
      }
      case 'image.load': {
        const file = /^Load Image: (.+)$/.exec(n.label ?? '')?.[1] ?? 'weft-input.png';
        emit(n, 'LoadImage', { image: file });
        skipped.push(`${n.label ?? n.id}: ComfyUI loads '${file}' from its input folder; upload the image there`);
        break;
      }
      case 'output.image': {
        const inputs: Record<string, unknown> = { filename_prefix: p.name ?? 'ComfyUI' };
        put(inputs, 'images', link(from(n.id, 'image')));
        emit(n, 'SaveImage', inputs);
        break;
      }
      default: {
        if (n.type.startsWith(PLACEHOLDER_PREFIX)) {
          const classType = typeof p.class_type === 'string' ? p.class_type : n.type.slice(PLACEHOLDER_PREFIX.length);
          const kept = p.inputs && typeof p.inputs === 'object' && !Array.isArray(p.inputs) ? (p.inputs as Record<string, unknown>) : {};
          const inputs: Record<string, unknown> = {};
          const order = Array.isArray(p.inputOrder) ? (p.inputOrder as unknown[]).filter((x): x is string => typeof x === 'string') : [];
          for (const name of order) {
            const l = link(from(n.id, name));
            if (l) inputs[name] = l;
            else if (Object.prototype.hasOwnProperty.call(kept, name)) inputs[name] = kept[name];
          }
          for (const [k, v] of Object.entries(kept)) if (!(k in inputs)) inputs[k] = v;
          emit(n, classType, inputs);
        }
      }
    }
  }
  // Nodes that fold into a CLIPTextEncode or KSampler: left over, they fed nothing ComfyUI has. Notes are not in an API prompt.
  const folded = new Set(['conditioning.prompt', 'conditioning.tokenize', 'sampling.scheduler', 'latent.noise', 'sampling.initialLatent', 'values.text']);
  for (const n of graph.nodes) {
    if (n.mode === 'muted' || n.type === 'ui.note' || prompt[comfyId.get(n.id) ?? ''] || absorbed.has(n.id)) continue;
    skipped.push(`${n.label ?? n.id} (${n.type}): ${folded.has(n.type) ? 'it feeds nothing ComfyUI has' : 'ComfyUI has no node like it'}`);
  }
  return { prompt, skipped };
}
