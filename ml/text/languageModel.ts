/**
 * Causal language models laid out as Hugging Face's ONNX exports (optimum, transformers.js): a folder with
 * config.json, generation_config.json, tokenizer.json (+ tokenizer_config.json) and onnx/model.onnx (or
 * onnx/decoder_model_merged.onnx, or either at the top). The model takes input_ids, attention_mask,
 * position_ids (when the export has it), past_key_values.{i}.key/.value ([batch, kv_heads, past, head_dim],
 * past 0 on the first call) and, in merged decoders, use_cache_branch; it returns logits and present.{i}.*.
 */
import { NodeRunError } from '@/engine/errors';
import { cpuTensor, type TensorValue } from '@/engine/values';
import { parseLooseJson } from '../pipeline';
import type { MlServices, ModelRef, ModelSession, SourceUri, TokenizerRef } from '../runtime/types';
import type { CausalLM, StepInput } from './generate';

export interface LanguageModelRef {
  readonly kind: 'languageModel';
  readonly name: string;
  readonly source: SourceUri;
  /** The folder inside the source ('' = the source's top). */
  readonly folder: string;
  readonly model: ModelRef;
  readonly tokenizer: TokenizerRef;
  readonly config: Readonly<Record<string, unknown>>;
  readonly generation: Readonly<Record<string, unknown>>;
  /** Numbers read from the config, checked against the model's inputs when it opens. */
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
}

export function isLanguageModelRef(v: unknown): v is LanguageModelRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'languageModel';
}

/** The KV cache as a wire value: which ids of which rows it holds, and the tensors (on the device where they run). */
export interface KvCacheValue {
  readonly kind: 'kvCache';
  readonly model: string;
  /** Ids per row the cache covers (prompt and generated). */
  readonly ids: readonly (readonly number[])[];
  readonly attentionMask: readonly (readonly number[])[];
  readonly positionIds: readonly (readonly number[])[];
  readonly tensors: readonly TensorValue[];
}

export function isKvCacheValue(v: unknown): v is KvCacheValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'kvCache';
}

export const MODEL_FILES = ['onnx/model.onnx', 'onnx/decoder_model_merged.onnx', 'model.onnx', 'decoder_model_merged.onnx'] as const;

function num(c: Readonly<Record<string, unknown>>, ...keys: string[]): number | undefined {
  for (const k of keys) {
    if (!Object.hasOwn(c, k)) continue;
    const v = c[k];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

function ids(v: unknown): number[] {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0);
  return [];
}

function join(folder: string, file: string): string {
  return folder ? `${folder}/${file}` : file;
}

/** Reads a language model folder: its configs, which ONNX file, and the tokenizer beside it. */
export async function openLanguageModel(
  ml: MlServices,
  source: SourceUri,
  folder: string,
  file: string,
  signal?: AbortSignal,
): Promise<{ ref: LanguageModelRef; session: ModelSession }> {
  const where = (f: string) => `${join(folder, f)} in ${source}`;
  const readJson = async (f: string) => parseLooseJson(new TextDecoder().decode(await ml.files.read(source, join(folder, f), { signal })), where(f));
  if (!(await ml.files.exists(source, join(folder, 'config.json')))) {
    throw new NodeRunError('missing_files', `${source}${folder ? '/' + folder : ''} has no config.json: a language model folder needs config.json, tokenizer.json and onnx/model.onnx`);
  }
  const config = await readJson('config.json');
  const generation = (await ml.files.exists(source, join(folder, 'generation_config.json'))) ? await readJson('generation_config.json') : {};
  let path = file ? join(folder, file) : '';
  if (!path) {
    for (const f of MODEL_FILES) {
      if (await ml.files.exists(source, join(folder, f))) {
        path = join(folder, f);
        break;
      }
    }
  }
  if (!path) throw new NodeRunError('missing_files', `${source}${folder ? '/' + folder : ''} has none of ${MODEL_FILES.join(', ')}`);
  const hasTokenizer = (await ml.files.exists(source, join(folder, 'tokenizer.json'))) || (await ml.files.exists(source, join(folder, 'vocab.json')));
  if (!hasTokenizer) throw new NodeRunError('missing_files', `${source}${folder ? '/' + folder : ''} has no tokenizer.json next to its config.json`);

  const heads = num(config, 'num_attention_heads', 'n_head');
  const hidden = num(config, 'hidden_size', 'n_embd', 'd_model');
  const layers = num(config, 'num_hidden_layers', 'n_layer');
  const vocabSize = num(config, 'vocab_size');
  const kvHeads = num(config, 'num_key_value_heads') ?? heads;
  const headDim = num(config, 'head_dim') ?? (hidden && heads ? hidden / heads : undefined);
  if (!heads || !layers || !vocabSize || !kvHeads || !headDim || !Number.isInteger(headDim)) {
    throw new NodeRunError('bad_config', `${where('config.json')} does not say the model's layers, heads, hidden size and vocabulary (num_hidden_layers/n_layer, num_attention_heads/n_head, hidden_size/n_embd, vocab_size)`);
  }
  const eos = ids(Object.hasOwn(generation, 'eos_token_id') ? generation.eos_token_id : config.eos_token_id);
  const padIds = ids(Object.hasOwn(generation, 'pad_token_id') ? generation.pad_token_id : config.pad_token_id);
  const name = (folder || source.replace(/^[a-z]+:/, '').split('/').pop() || 'language model').slice(0, 200);
  const model: ModelRef = { kind: 'model', role: 'languageModel', source, path, name: `${name} (${path.split('/').pop()})` };
  const session = await ml.session(model, signal);
  const ref: LanguageModelRef = {
    kind: 'languageModel',
    name,
    source,
    folder,
    model,
    tokenizer: { kind: 'tokenizer', source, path: folder || '.', name: `${name} tokenizer` },
    config,
    generation,
    layers,
    kvHeads,
    headDim,
    vocabSize,
    maxPositions: num(config, 'max_position_embeddings', 'n_positions', 'n_ctx') ?? 2048,
    eosTokenIds: eos,
    padTokenId: padIds[0] ?? eos[0] ?? 0,
  };
  checkIo(ref, session);
  return { ref, session };
}

/** What the model's inputs say: its cache inputs, whether it wants position_ids and use_cache_branch. */
export interface ModelIo {
  readonly hasPositionIds: boolean;
  readonly hasCacheBranch: boolean;
  readonly cacheLayers: number;
  readonly kvDtype: string;
  readonly logits: string;
}

export function modelIo(ref: LanguageModelRef, session: ModelSession): ModelIo {
  const names = new Set(session.inputs.map((i) => i.name));
  let cacheLayers = 0;
  while (names.has(`past_key_values.${cacheLayers}.key`)) cacheLayers++;
  const kv = session.inputs.find((i) => i.name === 'past_key_values.0.key');
  const logits = session.outputs.find((o) => o.name === 'logits')?.name ?? session.outputs[0]?.name ?? 'logits';
  return { hasPositionIds: names.has('position_ids'), hasCacheBranch: names.has('use_cache_branch'), cacheLayers, kvDtype: String(kv?.dtype ?? 'float32'), logits };
}

function checkIo(ref: LanguageModelRef, session: ModelSession): void {
  const names = new Set(session.inputs.map((i) => i.name));
  const where = `${ref.model.path} in ${ref.source}`;
  if (!names.has('input_ids')) throw new NodeRunError('bad_model', `${where} has no input_ids input: it is not a language model export`);
  const io = modelIo(ref, session);
  if (io.cacheLayers === 0) throw new NodeRunError('bad_model', `${where} has no past_key_values inputs: export it with its KV cache (optimum: --task text-generation-with-past)`);
  if (io.cacheLayers !== ref.layers) throw new NodeRunError('bad_model', `${where} has ${io.cacheLayers} cached layers but config.json says ${ref.layers}`);
  if (!session.outputs.some((o) => o.name === 'present.0.key')) throw new NodeRunError('bad_model', `${where} returns no present.0.key: the cache cannot be carried`);
  const kv = session.inputs.find((i) => i.name === 'past_key_values.0.key');
  const shape = kv?.shape ?? [];
  if (typeof shape[1] === 'number' && shape[1] !== ref.kvHeads) throw new NodeRunError('bad_model', `${where} caches ${shape[1]} key/value heads but config.json says ${ref.kvHeads}`);
  if (typeof shape[3] === 'number' && shape[3] !== ref.headDim) throw new NodeRunError('bad_model', `${where} caches heads of ${shape[3]} but config.json gives ${ref.headDim}`);
}

// Token ids, positions and masks are small: their BigInts are made once (BigInt() per element per step
// was a visible share of a step of a small model).
const SMALL = Array.from({ length: 1 << 16 }, (_, i) => BigInt(i));

function int64(rows: readonly (readonly number[])[]): TensorValue {
  const n = rows.length;
  const w = rows[0]?.length ?? 0;
  const data = new BigInt64Array(n * w);
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    for (let c = 0; c < w; c++) {
      const v = row[c];
      data[r * w + c] = v >= 0 && v < SMALL.length ? SMALL[v] : BigInt(v);
    }
  }
  return cpuTensor('int64', [n, w], data);
}

export interface Counted {
  /** Forward calls so far. */
  calls: number;
  /** Bytes of logits read back to the CPU. */
  logitsBytes: number;
}

/** The model as generate() drives it: one ONNX run per step, the cache as the model's own tensors. */
export class OnnxCausalLM implements CausalLM<readonly TensorValue[]> {
  readonly vocabSize: number;
  readonly io: ModelIo;
  readonly counted: Counted = { calls: 0, logitsBytes: 0 };

  constructor(
    readonly ml: MlServices,
    readonly ref: LanguageModelRef,
    readonly session: ModelSession,
  ) {
    this.vocabSize = ref.vocabSize;
    this.io = modelIo(ref, session);
  }

  emptyPast(rows: number): TensorValue[] {
    const dims = [rows, this.ref.kvHeads, 0, this.ref.headDim];
    const dtype = this.io.kvDtype === 'float16' ? 'float16' : 'float32';
    return Array.from({ length: 2 * this.io.cacheLayers }, () => cpuTensor(dtype, dims, dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0)));
  }

  async step(input: StepInput<readonly TensorValue[]>, signal?: AbortSignal): Promise<{ logits: Float32Array; past: readonly TensorValue[] }> {
    const rows = input.inputIds.length;
    const total = input.attentionMask[0]?.length ?? 0;
    if (total > this.ref.maxPositions) {
      throw new NodeRunError('too_long', `the text is ${total} tokens but ${this.ref.name} reads at most ${this.ref.maxPositions}: lower max new tokens or shorten the prompt`);
    }
    const feeds: Record<string, TensorValue> = Object.create(null);
    feeds.input_ids = int64(input.inputIds);
    feeds.attention_mask = int64(input.attentionMask);
    if (this.io.hasPositionIds) feeds.position_ids = int64(input.positionIds);
    const past = input.past ?? this.emptyPast(rows);
    for (let i = 0; i < this.io.cacheLayers; i++) {
      feeds[`past_key_values.${i}.key`] = past[2 * i];
      feeds[`past_key_values.${i}.value`] = past[2 * i + 1];
    }
    if (this.io.hasCacheBranch) feeds.use_cache_branch = cpuTensor('bool', [1], new Uint8Array([input.past ? 1 : 0]));
    const out = await this.session.run(feeds, { signal });
    this.counted.calls++;
    const logitsT = out[this.io.logits];
    const present: TensorValue[] = [];
    for (let i = 0; i < this.io.cacheLayers; i++) present.push(out[`present.${i}.key`], out[`present.${i}.value`]);
    for (const [k, v] of Object.entries(out)) if (k !== this.io.logits && !k.startsWith('present.')) v.dispose();
    try {
      const [n, s, V] = logitsT.dims.length === 3 ? logitsT.dims : [logitsT.dims[0], 1, logitsT.dims[1]];
      if (n !== rows || V !== this.vocabSize) throw new NodeRunError('bad_model', `logits came back as [${logitsT.dims.join(', ')}], not [${rows}, …, ${this.vocabSize}]`);
      const all = (await logitsT.read()) as Float32Array;
      this.counted.logitsBytes += all.byteLength;
      const last = new Float32Array(n * V);
      for (let r = 0; r < n; r++) last.set(all.subarray((r * s + s - 1) * V, (r * s + s) * V), r * V);
      return { logits: last, past: present };
    } finally {
      logitsT.dispose();
    }
  }

  async reorder(past: readonly TensorValue[], rows: readonly number[]): Promise<readonly TensorValue[]> {
    const out: TensorValue[] = [];
    for (const t of past) {
      const parts: TensorValue[] = [];
      // runs of consecutive rows are sliced at once
      for (let i = 0; i < rows.length; ) {
        let j = i + 1;
        while (j < rows.length && rows[j] === rows[j - 1] + 1) j++;
        parts.push(await this.ml.ops.sliceBatch(t, rows[i], j - i));
        i = j;
      }
      out.push(parts.length === 1 ? parts[0] : await this.ml.ops.concatBatch(parts));
      if (parts.length > 1) for (const p of parts) p.dispose();
    }
    return out;
  }

  dispose(past: readonly TensorValue[]): void {
    for (const t of past) t.dispose();
  }
}
