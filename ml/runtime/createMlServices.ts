import { NodeRunError } from '@/engine/errors';
import type { TensorValue } from '@/engine/values';
import { checkShape, formatShape } from './convert';
import { createCpuTensorOps } from './cpuOps';
import { safeRelativePath, withShippedHash } from './files';
import { externalData } from './externalData';
import { OrtBridge } from './ortBridge';
import { cancelled, mapOrtError, modelLabel } from './ortErrors';
import { createOrtTensorOps } from './ortOps';
import type { OrtModule, OrtSession, OrtSessionOptions, OrtTensor, OrtValueMetadata } from './ortTypes';
import { sha256Hex } from './sha256';
import { untilAborted } from './shared';
import type { AdapterRef, Backend, FileAccess, IoInfo, MlServices, ModelRef, ModelSession, RunModelOptions } from './types';
import { quantizeModel, type QuantizeReport } from '@/ml/quantize/quantize';
import { applyLoras, type LayerNorm } from '@/ml/lora/apply';
import { readLora } from '@/ml/lora/layers';
import { dataRecord, hasKey } from '@/engine/record';

export interface CreateMlServicesOptions {
  /** onnxruntime-web, onnxruntime-web/webgpu or onnxruntime-node, as the host imported it. */
  ort: OrtModule;
  backend: Backend;
  backendReason: string;
  files: FileAccess;
  /** Defaults: ['webgpu'], ['wasm'] or ['cpu'] by backend. */
  executionProviders?: OrtSessionOptions['executionProviders'];
  /** Merged over the defaults (logSeverityLevel 3; gpu-buffer outputs on WebGPU). */
  sessionOptions?: OrtSessionOptions;
  /**
   * Keep model outputs as GPU tensors and run tensor ops on the device (default: on webgpu).
   * onnxruntime-node's WebGPU provider cannot hand GPU buffers to JavaScript, so the CLI turns
   * this off: its outputs come back to the CPU.
   */
  gpuTensors?: boolean;
  /** The wasm backend's memory for everything, in bytes (4 GiB: wasm32). Tests set it lower. */
  wasmMemoryBytes?: number;
  /** The most bytes one WebGPU buffer may hold (default: the device's own limits). Tests set it. */
  webgpuBufferBytes?: number;
}

/** wasm32's address space: all a wasm session's weights and activations live in it. */
export const WASM_MEMORY_BYTES = 4 * 1024 ** 3;

/** WebGPU's guaranteed storage-buffer binding size (128 MiB): a tensor under it fits on any device. */
const WEBGPU_BINDING_DEFAULT = 128 * 1024 ** 2;

/**
 * The largest tensor the WebGPU device can bind (min of maxBufferSize and
 * maxStorageBufferBindingSize), or undefined where no device can be asked (onnxruntime-node).
 */
async function deviceBufferLimit(ort: OrtModule): Promise<number | undefined> {
  try {
    if (typeof navigator === 'undefined' || !('gpu' in navigator)) return undefined;
    const device = (await ort.env.webgpu.device) as { limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number } } | undefined;
    const l = device?.limits;
    if (!l?.maxBufferSize || !l.maxStorageBufferBindingSize) return undefined;
    return Math.min(l.maxBufferSize, l.maxStorageBufferBindingSize);
  } catch {
    return undefined; // no device yet: ONNX Runtime says why when it makes the session
  }
}

function gigabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Extra the services expose beyond MlServices, for hosts and tests. */
export interface OrtMlServices extends MlServices {
  /** Releases every session, helper sessions included. */
  dispose(): Promise<void>;
  /**
   * Starts ONNX Runtime (its wasm module, thread pool or WebGPU device) by creating a one-node
   * session, so the first real model does not wait for it. Safe to call any number of times.
   */
  start(): Promise<void>;
  /** As start(), but rejects with ONNX Runtime's error when it cannot start (say, no WebGPU adapter). */
  check(): Promise<void>;
}

/** A one-node ONNX model (Identity x -> y, float [1], opset 17): 76 bytes that make ONNX Runtime start. */
export function startModelBytes(): Uint8Array {
  return Uint8Array.from(atob('CAgSBHdlZnQ6PAoQCgF4EgF5IghJZGVudGl0eRIGd2FybXVwWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQEQ=='), (c) => c.charCodeAt(0));
}

function ioInfo(meta: readonly OrtValueMetadata[] | undefined, names: readonly string[]): IoInfo[] {
  return names.map((name, i) => {
    const m = meta?.[i];
    if (m && m.isTensor) return { name, dtype: m.type, shape: [...m.shape] };
    return { name, dtype: m ? 'non-tensor' : 'unknown', shape: [] };
  });
}

class OrtModelSession implements ModelSession {
  readonly inputs: readonly IoInfo[];
  readonly outputs: readonly IoInfo[];
  modelBytes?: number;
  quantized?: QuantizeReport;
  loraNorms?: readonly LayerNorm[];

  constructor(
    readonly key: string,
    readonly ref: ModelRef,
    readonly session: OrtSession,
    private readonly bridge: OrtBridge,
  ) {
    this.inputs = ioInfo(session.inputMetadata, session.inputNames);
    this.outputs = ioInfo(session.outputMetadata, session.outputNames);
  }

  async run(feeds: Readonly<Record<string, TensorValue>>, options: RunModelOptions = {}): Promise<Record<string, TensorValue>> {
    const { signal, keepOnDevice = true } = options;
    if (signal?.aborted) throw cancelled();
    const label = modelLabel(this.ref);
    const unknown = Object.keys(feeds).filter((k) => !this.inputs.some((i) => i.name === k));
    const missing = this.inputs.filter((i) => !hasKey(feeds, i.name)).map((i) => `'${i.name}'`);
    if (unknown.length || missing.length) {
      const expected = this.inputs.map((i) => `'${i.name}' ${i.dtype} ${formatShape(i.shape)}`).join(', ');
      const parts = [missing.length ? `is missing ${missing.join(', ')}` : '', unknown.length ? `has no input ${unknown.map((k) => `'${k}'`).join(', ')}` : ''].filter(Boolean);
      throw new NodeRunError('input_mismatch', `${label} ${parts.join(' and ')}; its inputs are ${expected}`);
    }

    const temps: OrtTensor[] = [];
    // Input and output names come from the model file: records without a prototype.
    const ortFeeds = dataRecord<OrtTensor>();
    try {
      for (const input of this.inputs) {
        const value = feeds[input.name];
        checkShape(label, input.name, input.shape, value.dims);
        const { tensor, temp } = await this.bridge.toOrt(value, String(input.dtype), `${label} input '${input.name}'`);
        if (temp) temps.push(tensor);
        ortFeeds[input.name] = tensor;
      }
      let results: Record<string, OrtTensor>;
      try {
        // ORT cannot interrupt a run mid-kernel: cancellation takes effect when it returns.
        results = (await this.bridge.exclusive(() => this.session.run(ortFeeds), this.session)) as Record<string, OrtTensor>;
      } catch (err) {
        throw mapOrtError(err, this.ref, this.bridge.backend, 'run');
      }
      if (signal?.aborted) {
        for (const t of Object.values(results)) t.dispose();
        throw cancelled();
      }
      const out = dataRecord<TensorValue>();
      try {
        for (const name of this.session.outputNames) out[name] = await this.bridge.fromOrt(results[name], keepOnDevice);
      } catch (err) {
        for (const v of Object.values(out)) v.dispose();
        throw err;
      }
      return out;
    } finally {
      for (const t of temps) t.dispose();
    }
  }
}

/** The model runtime over one ONNX Runtime module and backend. */
export function createMlServices(options: CreateMlServicesOptions): OrtMlServices {
  const { ort, backend, backendReason, files } = options;
  const executionProviders = options.executionProviders ?? [backend];
  const gpuTensors = options.gpuTensors ?? backend === 'webgpu';
  const sessionOptions: OrtSessionOptions = {
    executionProviders,
    logSeverityLevel: 3,
    ...(gpuTensors ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
    ...options.sessionOptions,
  };
  const bridge = new OrtBridge(ort, backend, sessionOptions);
  const sessions = new Map<string, OrtModelSession>();
  const pending = new Map<string, Promise<OrtModelSession>>();
  const ops = gpuTensors ? createOrtTensorOps(bridge) : createCpuTensorOps();
  const wasmMemoryLimit = options.wasmMemoryBytes ?? WASM_MEMORY_BYTES;
  // The bytes of weights each live session was made from, for the memory messages.
  const weightsHeld = new Map<string, number>();

  async function adapterKey(a: AdapterRef, signal?: AbortSignal): Promise<string> {
    const id = `${a.source}\n${a.path}`;
    const known = a.sha256 ?? keyOfPath.get(id);
    if (known) return known;
    const hashed = await sha256Hex(await files.read(a.source, a.path, { signal }));
    keyOfPath.set(id, hashed);
    return hashed;
  }

  /** The model and its external files with the adapters' LoRA layers added to their weights. */
  async function patched(ref: ModelRef, bytes: Uint8Array, external: { path: string; data: Uint8Array }[], adapters: readonly AdapterRef[]) {
    const component = ref.role === 'unet' ? 'unet' : ref.role === 'textEncoder' ? 'textEncoder' : undefined;
    if (!component) throw new NodeRunError('lora_target', `a LoRA changes a UNet or a text encoder; ${modelLabel(ref)} is neither`);
    const applications = [];
    for (const a of adapters) {
      const read = readLora(await files.read(a.source, a.path), `LoRA '${a.name}'`);
      if (!read.ok) throw new NodeRunError('bad_lora', read.message);
      applications.push({ layers: read.value.layers, strength: a.strength, name: a.name });
    }
    const result = await applyLoras(
      bytes,
      async (location) => {
        const file = external.find((e) => e.path === location);
        if (!file) throw new NodeRunError('bad_model', `${modelLabel(ref)} names weights in '${location}', which it does not list as external data`);
        return file.data;
      },
      applications,
      component,
    );
    if (!result.ok) throw new NodeRunError('lora_mismatch', result.message);
    return { bytes: result.model, external: external.map((e) => ({ path: e.path, data: result.external.get(e.path) ?? e.data })), norms: result.report.norms };
  }

  async function create(key: string, ref: ModelRef, bytes: Uint8Array, adapters: readonly AdapterRef[] = []): Promise<OrtModelSession> {
    // Weights kept beside the model (model.onnx_data, weights.pb) are read from the same folder.
    const dir = ref.path.includes('/') ? ref.path.slice(0, ref.path.lastIndexOf('/') + 1) : '';
    const ext = externalData(bytes);
    const weights = bytes.length + ext.bytes;
    // Said before reading gigabytes of external weights or handing them to ONNX Runtime.
    if (backend === 'wasm' && weights > wasmMemoryLimit) {
      const held = [...weightsHeld.values()].reduce((a, b) => a + b, 0);
      throw new NodeRunError(
        'model_too_large',
        `${modelLabel(ref)} needs ${gigabytes(weights)} for its weights alone; onnxruntime-web's wasm backend is 32-bit and allows ${gigabytes(wasmMemoryLimit)} for everything, minus its activations${held > 0 ? ` and the ${gigabytes(held)} the models already loaded hold` : ''}. Use WebGPU, or an fp16 export (half the bytes)`,
      );
    }
    if (backend === 'webgpu' && ext.largest.bytes > WEBGPU_BINDING_DEFAULT) {
      const limit = options.webgpuBufferBytes ?? (await deviceBufferLimit(ort));
      if (limit !== undefined && ext.largest.bytes > limit) {
        throw new NodeRunError(
          'model_too_large',
          `${modelLabel(ref)} holds a ${gigabytes(ext.largest.bytes)} tensor ('${ext.largest.name}'); this GPU allows ${gigabytes(limit)} in one buffer. Use the wasm backend, or an fp16 or int8 export`,
        );
      }
    }
    let external = [];
    for (const location of ext.locations) {
      external.push({ path: location, data: await files.read(ref.source, safeRelativePath(ref.source, dir + location)) });
    }
    let loraNorms: readonly LayerNorm[] | undefined;
    if (adapters.length) ({ bytes, external, norms: loraNorms } = await patched(ref, bytes, external, adapters));
    let quantized: QuantizeReport | undefined;
    if (ref.quantize) {
      const q = quantizeModel(bytes, ref.quantize);
      if (!q.ok) throw new NodeRunError('quantize_failed', `${modelLabel(ref)} cannot be quantized to ${ref.quantize}: ${q.message}`);
      bytes = q.model;
      quantized = q.report;
    }
    let s: OrtSession;
    try {
      s = await bridge.createSession(bytes, external);
    } catch (err) {
      throw mapOrtError(err, ref, backend, 'load');
    }
    const session = new OrtModelSession(key, ref, s, bridge);
    session.modelBytes = bytes.length + external.reduce((a, e) => a + e.data.length, 0);
    session.quantized = quantized;
    session.loraNorms = loraNorms;
    sessions.set(key, session);
    weightsHeld.set(key, weights);
    return session;
  }

  function shared(key: string, make: () => Promise<OrtModelSession>): Promise<OrtModelSession> {
    const ready = sessions.get(key);
    if (ready) return Promise.resolve(ready);
    let p = pending.get(key);
    if (!p) {
      p = make().finally(() => pending.delete(key));
      pending.set(key, p);
    }
    return p;
  }

  // Content keys of files already hashed, so a ref without a sha256 is read once, not every run.
  // Sources are treated as immutable for the services' lifetime (shipped and store: are; a dir:
  // file replaced on disk mid-process is not noticed).
  const keyOfPath = new Map<string, string>();
  const pathKey = (ref: ModelRef) => `${ref.source}\n${ref.path}`;
  async function knownKey(ref: ModelRef): Promise<string | undefined> {
    const known = keyOfPath.get(pathKey(ref));
    if (known || !ref.source.startsWith('shipped:')) return known;
    // Shipped models are keyed by their manifest hash, as loadPipeline's refs are.
    const sha = await withShippedHash(files, ref).then((r) => r.sha256, () => undefined);
    if (sha) keyOfPath.set(pathKey(ref), sha);
    return sha;
  }

  const services: OrtMlServices = {
    backend,
    backendReason,
    files,
    ops,
    async session(ref, signal) {
      if (signal?.aborted) throw cancelled();
      // LoRA adapters at strength 0 change nothing: the base session serves them.
      const adapters = (ref.adapters ?? []).filter((a) => a.strength !== 0);
      // A LoRA or quantization rewrites ONNX weights; a model run as .ort is rewritten from the .onnx
      // beside it, when there is one.
      if ((adapters.length || ref.quantize) && ref.path.endsWith('.ort')) {
        const onnx = ref.path.replace(/\.ort$/, '.onnx');
        if (await files.exists(ref.source, onnx)) ref = { ...ref, path: onnx, sha256: undefined };
      }
      let bytes: Uint8Array | undefined;
      let baseKey = ref.sha256 ?? (await knownKey(ref));
      if (!baseKey) {
        bytes = await files.read(ref.source, ref.path, { signal });
        baseKey = await sha256Hex(bytes);
        keyOfPath.set(pathKey(ref), baseKey);
      }
      let key = baseKey;
      if (adapters.length || ref.quantize) {
        // A rewritten model is keyed by what makes it: the base weights, each adapter's content and
        // strength, and the quantization.
        const parts = [baseKey];
        for (const a of adapters) parts.push(`${await adapterKey(a, signal)}*${a.strength}`);
        if (ref.quantize) parts.push(`quantize:${ref.quantize}`);
        key = await sha256Hex(new TextEncoder().encode(parts.join('\n')));
      }
      // Read without the caller's signal: whoever else waits for this session must not fail
      // because the first caller (say, an idle-time prewarm) was cancelled. Each caller stops
      // waiting at its own cancel; the session is still made and cached for the next.
      const k = key;
      const result = await untilAborted(
        shared(k, async () => create(k, ref, bytes ?? (await files.read(ref.source, ref.path)), adapters)),
        signal,
      );
      // A finished creation stays cached for the next run even when this one was cancelled.
      if (signal?.aborted) throw cancelled();
      return result;
    },
    async releaseUnused(keep) {
      const keepSet = new Set(keep);
      for (const [key, s] of [...sessions]) {
        if (keepSet.has(key)) continue;
        sessions.delete(key);
        weightsHeld.delete(key);
        await s.session.release();
      }
    },
    counters() {
      return { ...bridge.counters, sessions: sessions.size };
    },
    async dispose() {
      await services.releaseUnused([]);
      await bridge.releaseHelpers();
    },
    async start() {
      // The first model's session reports a failure here again, with its name.
      await services.check().catch(() => undefined);
    },
    async check() {
      await bridge.helper('start', startModelBytes);
    },
  };
  return services;
}
