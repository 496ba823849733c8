import { CURRENT_SCHEMA_VERSION, type Graph, type GraphEdge, type GraphNode, type NodeMode, type PortRef } from '@/engine/graph/document';
import type { Registry } from '@/engine/nodeDefinition';
import { defaultParams } from '@/engine/commands/commands';
import { autoLayout, type Size } from '@/app/editor/canvas/autoLayout';
import { estimateSize } from '@/app/editor/canvas/placement';
import { displayName, outputTypes, samplerFor, scheduleFor } from './classes';
import type { ComfyGraph, ComfyLink, ComfyNode } from './read';

/** The node type of a ComfyUI node Weft keeps as an inert placeholder: `comfy.<class_type>`. */
export const PLACEHOLDER_PREFIX = 'comfy.';

/** What an import did, for the editor's report and `weft import`. */
export interface ImportReport {
  readonly format: ComfyGraph['format'];
  /** ComfyUI nodes turned into Weft nodes, with the Weft node ids each became. */
  readonly mapped: readonly { comfyId: string; classType: string; weft: readonly string[] }[];
  /** ComfyUI nodes kept as placeholders (class, inputs and widget values kept; they do not run). */
  readonly unmapped: readonly { comfyId: string; classType: string; reason: string }[];
  /** Where Weft's maths is not ComfyUI's, or a value could not be kept: one sentence each. */
  readonly notes: readonly string[];
  readonly folded: ComfyGraph['folded'];
}

export function reportLines(r: ImportReport): string[] {
  const kind = r.format === 'api' ? 'API-format prompt' : `UI workflow (${r.format.slice(3)})`;
  const lines = [`Imported a ComfyUI ${kind}: ${r.mapped.length} node${r.mapped.length === 1 ? '' : 's'} mapped to ${r.mapped.reduce((s, m) => s + m.weft.length, 0)} Weft nodes.`];
  if (r.unmapped.length) {
    lines.push(`${r.unmapped.length} node${r.unmapped.length === 1 ? '' : 's'} could not be mapped (kept as ${r.unmapped.length === 1 ? 'a placeholder that does' : 'placeholders that do'} not run): ${r.unmapped.map((u) => `${u.classType} (#${u.comfyId}): ${u.reason}`).join('; ')}.`);
  }
  if (r.folded.reroutes || r.folded.primitives) {
    const parts = [r.folded.reroutes ? `${r.folded.reroutes} reroute${r.folded.reroutes === 1 ? '' : 's'} folded into wires` : '', r.folded.primitives ? `${r.folded.primitives} primitive${r.folded.primitives === 1 ? '' : 's'} folded into the values they fed` : ''].filter(Boolean);
    lines.push(`${parts.join('; ')}.`);
  }
  for (const n of r.notes) lines.push(n.endsWith('.') ? n : `${n}.`);
  return lines;
}

type Value =
  | { kind: 'MODEL'; unet: PortRef; pipeline?: PortRef }
  | { kind: 'CLIP'; tokenizer: PortRef; textEncoder: PortRef }
  | { kind: 'VAE'; vae: PortRef; vaeEncoder: PortRef }
  | { kind: 'CONDITIONING'; embedding: PortRef }
  | { kind: 'LATENT'; latent: PortRef; empty: boolean }
  | { kind: 'IMAGE'; image: PortRef }
  | { kind: 'raw'; ref: PortRef };

type Want = 'unet' | 'pipeline' | 'tokenizer' | 'textEncoder' | 'vae' | 'vaeEncoder' | 'embedding' | 'latent' | 'image';

/** The port a value gives a placeholder's input (which takes it whole): a checkpoint's CLIP is its text encoder. */
const MAIN: Record<Exclude<Value['kind'], 'raw'>, Want> = { MODEL: 'unet', CLIP: 'textEncoder', VAE: 'vae', CONDITIONING: 'embedding', LATENT: 'latent', IMAGE: 'image' };

/** The Weft port a value gives to an input expecting `want` (a placeholder's raw output goes anywhere). */
function refFor(v: Value | undefined, want: Want): PortRef | undefined {
  if (!v) return undefined;
  if (v.kind === 'raw') return want === 'pipeline' ? undefined : v.ref;
  return (v as unknown as Record<string, PortRef | undefined>)[want];
}

/** A value's main port, for a placeholder's input. */
function mainRef(v: Value): PortRef {
  return v.kind === 'raw' ? v.ref : refFor(v, MAIN[v.kind])!;
}

/** `comfy-<id>`: the ComfyUI id kept in the Weft id, so an export gives the node back its id. */
export function weftIdOf(comfyId: string, role?: string): string {
  const safe = comfyId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48);
  return role ? `comfy-${safe}-${role}` : `comfy-${safe}`;
}

/** The ComfyUI id a Weft node made by weftIdOf (without a role) stands for; undefined for any other node. */
export function comfyIdOf(weftId: string): string | undefined {
  return /^comfy-([A-Za-z0-9_]+)$/.exec(weftId)?.[1];
}

const str = (v: unknown, fallback: string, max = 10_000): string => (typeof v === 'string' ? v.slice(0, max) : fallback);
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const int = (v: unknown, fallback: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(num(v, fallback))));

export interface ComfyImport {
  readonly graph: Graph;
  readonly report: ImportReport;
}

/** A Weft graph from a ComfyUI workflow; every node it cannot map stays as a placeholder. */
export function comfyToWeft(comfy: ComfyGraph, registry: Registry, title = 'ComfyUI workflow'): ComfyImport {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const outputs = new Map<string, (Value | undefined)[]>();
  const mapped: { comfyId: string; classType: string; weft: string[] }[] = [];
  const unmapped: { comfyId: string; classType: string; reason: string }[] = [];
  const notes = new Set<string>();
  const wiring: (() => void)[] = [];
  const origin = new Map<string, string>();

  const add = (c: ComfyNode, type: string, role: string | undefined, params: Record<string, unknown>, label?: string): string => {
    const def = registry.get(type);
    const id = weftIdOf(c.id, role);
    nodes.push({
      id,
      type,
      typeVersion: def?.version ?? 1,
      position: { x: c.pos?.x ?? 0, y: c.pos?.y ?? 0 },
      params: def ? { ...defaultParams(def), ...params } : params,
      ...(label ? { label: label.slice(0, 200) } : {}),
      mode: c.mode as NodeMode,
    });
    origin.set(id, c.id);
    return id;
  };
  const edge = (from: PortRef | undefined, to: PortRef) => {
    if (from) edges.push({ id: `e${edges.length + 1}`, from: { ...from }, to: { ...to } });
  };
  const input = (c: ComfyNode, name: string): Value | undefined => {
    const l: ComfyLink | undefined = c.links.get(name);
    return l ? outputs.get(l.node)?.[l.slot] : undefined;
  };
  const custom = (c: ComfyNode) => (c.title && c.title !== displayName(c.classType) ? c.title : undefined);
  /** The Load Checkpoint a MODEL comes from, through placeholders (a LoRA) that pass it on. */
  const pipelineOf = (v: Value | undefined): PortRef | undefined => (v?.kind === 'MODEL' ? v.pipeline : undefined);

  const placeholder = (c: ComfyNode, reason: string) => {
    const params: Record<string, unknown> = { class_type: c.classType, inputs: Object.fromEntries(c.values), inputOrder: [...c.inputOrder] };
    if (c.widgets) params.widgets_values = c.widgets;
    const id = add(c, `${PLACEHOLDER_PREFIX}${c.classType}`, undefined, params, c.title ?? displayName(c.classType));
    const slots = outputTypes(c.classType)?.length ?? 1 + (highestSlot.get(c.id) ?? -1);
    const outs: Value[] = [];
    for (let s = 0; s < Math.max(slots, 1); s++) outs.push({ kind: 'raw', ref: { node: id, port: `output_${s}` } });
    // A LoRA passes the checkpoint's model on: the Scheduler behind it still reads the pipeline's config.
    wiring.push(() => {
      for (const [name] of c.links) {
        const v = input(c, name);
        if (v) edge(mainRef(v), { node: id, port: name });
      }
      const model = input(c, 'model');
      if (model?.kind === 'MODEL' && outs[0].kind === 'raw') outs[0] = { kind: 'MODEL', unet: outs[0].ref, ...(model.pipeline ? { pipeline: model.pipeline } : {}) };
    });
    outputs.set(c.id, outs);
    unmapped.push({ comfyId: c.id, classType: c.classType, reason });
  };

  // The highest output slot anything reads of each node (how many outputs an unknown class has).
  const highestSlot = new Map<string, number>();
  for (const n of comfy.nodes.values()) for (const l of n.links.values()) highestSlot.set(l.node, Math.max(highestSlot.get(l.node) ?? -1, l.slot));

  // Which sampler input each CLIPTextEncode feeds names its prompt (positive / negative).
  const role = new Map<string, string>();
  for (const n of comfy.nodes.values()) {
    for (const [name, l] of n.links) if (name === 'positive' || name === 'negative') role.set(l.node, name);
  }

  for (const c of comfy.nodes.values()) {
    const v = c.values;
    const ids: string[] = [];
    switch (c.classType) {
      case 'CheckpointLoaderSimple': {
        const ckpt = str(v.get('ckpt_name'), 'model.safetensors', 500);
        const shipped = /^shapes-v1(\.[a-z]+)?$/i.test(ckpt);
        const id = add(c, 'models.loadPipeline', undefined, { source: shipped ? 'shipped:shapes-v1' : `store:${ckpt}` }, custom(c));
        ids.push(id);
        if (!shipped) notes.add(`The checkpoint '${ckpt}' is a model reference: import its ONNX export in Models (the banner offers the models present), or run with --set ${id}.source=dir:/path in the CLI`);
        outputs.set(c.id, [
          { kind: 'MODEL', unet: { node: id, port: 'unet' }, pipeline: { node: id, port: 'pipeline' } },
          { kind: 'CLIP', tokenizer: { node: id, port: 'tokenizer' }, textEncoder: { node: id, port: 'textEncoder' } },
          { kind: 'VAE', vae: { node: id, port: 'vae' }, vaeEncoder: { node: id, port: 'vaeEncoder' } },
        ]);
        break;
      }
      case 'CLIPTextEncode': {
        const which = role.get(c.id);
        const text = add(c, 'conditioning.prompt', 'text', { text: str(v.get('text'), '') }, which === 'negative' ? 'Negative prompt' : which === 'positive' ? 'Prompt' : undefined);
        const tok = add(c, 'conditioning.tokenize', 'tokens', {});
        const enc = add(c, 'conditioning.encodeText', undefined, {}, custom(c));
        ids.push(text, tok, enc);
        edge({ node: text, port: 'text' }, { node: tok, port: 'text' });
        edge({ node: tok, port: 'tokens' }, { node: enc, port: 'tokens' });
        wiring.push(() => {
          const clip = input(c, 'clip');
          edge(refFor(clip, 'tokenizer'), { node: tok, port: 'tokenizer' });
          edge(refFor(clip, 'textEncoder'), { node: enc, port: 'textEncoder' });
        });
        outputs.set(c.id, [{ kind: 'CONDITIONING', embedding: { node: enc, port: 'embedding' } }]);
        break;
      }
      case 'EmptyLatentImage': {
        const id = add(c, 'latent.empty', undefined, { width: int(v.get('width'), 512, 8, 4096), height: int(v.get('height'), 512, 8, 4096), batch: int(v.get('batch_size'), 1, 1, 64) }, custom(c));
        ids.push(id);
        outputs.set(c.id, [{ kind: 'LATENT', latent: { node: id, port: 'latent' }, empty: true }]);
        break;
      }
      case 'KSampler':
      case 'KSamplerAdvanced': {
        const advanced = c.classType === 'KSamplerAdvanced';
        const steps = int(v.get('steps'), 20, 1, 1000);
        const sampler = samplerFor(str(v.get('sampler_name'), 'euler'));
        const schedule = scheduleFor(str(v.get('scheduler'), 'normal'));
        if (sampler.note) notes.add(`#${c.id} ${c.classType}: ${sampler.note}`);
        if (schedule.note) notes.add(`#${c.id} ${c.classType}: ${schedule.note}`);
        let strength = advanced ? 1 : Math.min(1, Math.max(0, num(v.get('denoise'), 1)));
        if (advanced) {
          const start = int(v.get('start_at_step'), 0, 0, 10000);
          const end = int(v.get('end_at_step'), 10000, 0, 10000);
          strength = Math.max(0, 1 - start / steps);
          if (end < steps) notes.add(`#${c.id} KSamplerAdvanced: end_at_step ${end} is not kept: Weft runs the schedule to its end`);
          if (v.get('add_noise') === 'disable') notes.add(`#${c.id} KSamplerAdvanced: add_noise 'disable' is not kept: Weft's Noisy Start always adds the noise`);
          if (v.get('return_with_leftover_noise') === 'enable') notes.add(`#${c.id} KSamplerAdvanced: return_with_leftover_noise is not kept`);
        }
        const seedRaw = num(v.get(advanced ? 'noise_seed' : 'seed'), 0);
        const seed = Math.abs(Math.round(seedRaw)) % (Number.MAX_SAFE_INTEGER + 1);
        if (seed !== seedRaw) notes.add(`#${c.id} ${c.classType}: seed ${seedRaw} is outside Weft's range; it became ${seed}`);
        notes.add('A seed makes other noise in Weft than in ComfyUI (torch’s CPU generator), so the same seed draws a different image');
        const sched = add(c, 'sampling.scheduler', 'scheduler', { scheduler: sampler.scheduler, steps, spacing: schedule.spacing, karras: schedule.karras, strength });
        const noise = add(c, 'latent.noise', 'noise', { seed });
        const start = add(c, 'sampling.initialLatent', 'start', {});
        const samp = add(c, 'sampling.sampler', undefined, { guidance: Math.min(50, Math.max(0, num(v.get('cfg'), 8))), seed, preview: true }, custom(c));
        ids.push(sched, noise, start, samp);
        edge({ node: sched, port: 'schedule' }, { node: start, port: 'schedule' });
        edge({ node: sched, port: 'schedule' }, { node: samp, port: 'schedule' });
        edge({ node: noise, port: 'noise' }, { node: start, port: 'noise' });
        edge({ node: start, port: 'latent' }, { node: samp, port: 'latent' });
        wiring.push(() => {
          const model = input(c, 'model');
          edge(refFor(model, 'unet'), { node: samp, port: 'unet' });
          edge(pipelineOf(model), { node: sched, port: 'pipeline' });
          edge(refFor(input(c, 'positive'), 'embedding'), { node: samp, port: 'positive' });
          edge(refFor(input(c, 'negative'), 'embedding'), { node: samp, port: 'negative' });
          const latent = input(c, 'latent_image');
          edge(refFor(latent, 'latent'), { node: noise, port: 'latent' });
          // From an Empty Latent at full denoise the start is pure noise, as ComfyUI's; else the latent is noised to the start step.
          if (latent && !(latent.kind === 'LATENT' && latent.empty && strength === 1)) edge(refFor(latent, 'latent'), { node: start, port: 'latent' });
        });
        outputs.set(c.id, [{ kind: 'LATENT', latent: { node: samp, port: 'latent' }, empty: false }]);
        break;
      }
      case 'LoraLoader':
      case 'LoraLoaderModelOnly': {
        const file = str(v.get('lora_name'), 'lora.safetensors', 500);
        const modelOnly = c.classType === 'LoraLoaderModelOnly';
        const strength = (key: string) => {
          const raw = num(v.get(key), 1);
          const kept = Math.min(4, Math.max(-4, raw));
          if (kept !== raw) notes.add(`#${c.id} ${c.classType}: ${key} ${raw} is outside Weft's -4…4; it became ${kept}`);
          return kept;
        };
        const id = add(c, 'models.loadLora', undefined, { source: `store:${file}`, path: file.replace(/^.*[\\/]/, ''), unetStrength: strength('strength_model'), textEncoderStrength: modelOnly ? 0 : strength('strength_clip') }, custom(c));
        ids.push(id);
        notes.add(`The LoRA '${file}' is a file reference: import it in Models, or run with --set ${id}.source=dir:/folder in the CLI`);
        wiring.push(() => {
          edge(refFor(input(c, 'model'), 'unet'), { node: id, port: 'unet' });
          if (!modelOnly) edge(refFor(input(c, 'clip'), 'textEncoder'), { node: id, port: 'textEncoder' });
        });
        // What the LoRA passes on unchanged (the checkpoint's pipeline, its tokenizer) is read when
        // the wiring is made, whichever order the workflow lists its nodes in; chains of LoRAs too.
        const model = { kind: 'MODEL' as const, unet: { node: id, port: 'unet' }, get pipeline() { return pipelineOf(input(c, 'model')); } };
        const clip = { kind: 'CLIP' as const, get tokenizer() { return refFor(input(c, 'clip'), 'tokenizer')!; }, textEncoder: { node: id, port: 'textEncoder' } };
        outputs.set(c.id, modelOnly ? [model] : [model, clip]);
        break;
      }
      case 'VAEDecode': {
        const id = add(c, 'latent.vaeDecode', undefined, {}, custom(c));
        ids.push(id);
        wiring.push(() => {
          edge(refFor(input(c, 'vae'), 'vae'), { node: id, port: 'vae' });
          edge(refFor(input(c, 'samples'), 'latent'), { node: id, port: 'latent' });
        });
        outputs.set(c.id, [{ kind: 'IMAGE', image: { node: id, port: 'image' } }]);
        break;
      }
      case 'VAEEncode': {
        const id = add(c, 'latent.vaeEncode', undefined, {}, custom(c));
        ids.push(id);
        wiring.push(() => {
          edge(refFor(input(c, 'vae'), 'vaeEncoder'), { node: id, port: 'vaeEncoder' });
          edge(refFor(input(c, 'pixels'), 'image'), { node: id, port: 'image' });
        });
        outputs.set(c.id, [{ kind: 'LATENT', latent: { node: id, port: 'latent' }, empty: false }]);
        break;
      }
      case 'LoadImage': {
        const file = str(v.get('image'), 'image.png', 500);
        const id = add(c, 'image.load', undefined, {}, custom(c) ?? `Load Image: ${file}`);
        ids.push(id);
        notes.add(`#${c.id} LoadImage: the image '${file}' is on the ComfyUI server, not in the workflow: pick it in the Load Image node`);
        outputs.set(c.id, [{ kind: 'IMAGE', image: { node: id, port: 'image' } }, undefined]);
        break;
      }
      case 'SaveImage':
      case 'PreviewImage': {
        const id = add(c, 'output.image', undefined, { name: str(v.get('filename_prefix'), c.classType === 'PreviewImage' ? 'preview' : 'ComfyUI', 100) }, custom(c));
        ids.push(id);
        wiring.push(() => edge(refFor(input(c, 'images'), 'image'), { node: id, port: 'image' }));
        outputs.set(c.id, []);
        break;
      }
      case 'Note':
      case 'MarkdownNote': {
        ids.push(add(c, 'ui.note', undefined, { text: str(v.get('text'), '', 20_000) }));
        outputs.set(c.id, []);
        break;
      }
      default: {
        const sub = comfy.subgraphs.get(c.classType);
        placeholder(c, sub ? `a subgraph ('${sub}'); Weft has no subgraphs` : 'Weft has no node like it');
        continue;
      }
    }
    mapped.push({ comfyId: c.id, classType: c.classType, weft: ids });
  }
  for (const w of wiring) w();

  // Groups: the Weft nodes made from the ComfyUI nodes inside each group's box.
  const groups = comfy.groups
    .map((g, i) => {
      const [x, y, w, h] = g.bounding;
      const inside = new Set<string>();
      for (const c of comfy.nodes.values()) if (c.pos && c.pos.x >= x && c.pos.y >= y && c.pos.x <= x + w && c.pos.y <= y + h) inside.add(c.id);
      const members = nodes.filter((n) => inside.has(origin.get(n.id)!)).map((n) => n.id);
      return { id: `comfy-group-${i + 1}`, title: g.title, ...(isHex(g.colour) ? { colour: g.colour!.toLowerCase() } : {}), nodes: members };
    })
    .filter((g) => g.nodes.length > 0);

  let graph: Graph = { schemaVersion: CURRENT_SCHEMA_VERSION, metadata: { title: title.slice(0, 200) }, nodes, edges, zones: [], groups };
  graph = laidOut(graph, registry);
  return { graph, report: { format: comfy.format, mapped, unmapped, notes: [...notes], folded: comfy.folded } };
}

function isHex(c: string | undefined): boolean {
  return typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c);
}

/** Weft makes several nodes of one ComfyUI node: lay the whole out left to right along its wires. */
function laidOut(graph: Graph, registry: Registry): Graph {
  const sizes = new Map<string, Size>();
  for (const n of graph.nodes) {
    const def = registry.get(n.type);
    const s = def ? estimateSize(def) : { w: 240, h: 160 };
    sizes.set(n.id, { width: s.w, height: s.h });
  }
  const moves = new Map(autoLayout(graph, sizes).map((m) => [m.id, m.position]));
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: moves.get(n.id) ?? n.position })) };
}
