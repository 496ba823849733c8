import type { QuantizeReport } from '@/ml/quantize/quantize';
import type { LayerNorm } from '@/ml/lora/apply';
import type { TensorValue } from '@/engine/values';
import type { DType } from '@/engine/types/portTypes';

/**
 * The model runtime as the ML nodes see it. Hosts build it around an ONNX Runtime module
 * (onnxruntime-web in the browser worker, onnxruntime-node or -web in the CLI) and hand it to the
 * engine as `runtime.services.ml`; nodes reach it with `mlServices(ctx.runtime)`.
 */

export type Backend = 'webgpu' | 'wasm' | 'cpu';

export type ModelRole = 'tokenizer' | 'textEncoder' | 'unet' | 'vae' | 'vaeEncoder' | 'reward' | 'detector' | 'languageModel' | 'other';

/**
 * Where model files live. `shipped:shapes-v1` is the suite under public/models; `store:<id>` an
 * import kept in IndexedDB (browser); `dir:/abs/path` a folder on disk (CLI); `url:https://…`
 * a folder or file fetched on the user's action.
 */
export type SourceUri = string;

/** A handle to one model file: plain data that crosses the worker boundary and caches cleanly. */
export interface ModelRef {
  readonly kind: 'model';
  readonly role: ModelRole;
  readonly source: SourceUri;
  /** Path of the model file (.onnx, or ONNX Runtime's .ort) inside the source, e.g. `unet/model.onnx`. */
  readonly path: string;
  /** sha256 of the file when known (from a manifest or an import); the session cache key. */
  readonly sha256?: string;
  /** The component's config.json, when it has one (VAE scaling factor, detector labels…). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Shown in the UI. */
  readonly name: string;
  /**
   * LoRA adapters added to the weights before the session is made (Load LoRA), in order; the
   * session is keyed by the base model, each adapter's content and its strength.
   */
  readonly adapters?: readonly AdapterRef[];
  /**
   * Made smaller before the session (Quantize Model): weights stored as float16, or MatMul/Gemm/Conv
   * weights as int8 per output channel (ml/quantize). Part of the session key.
   */
  readonly quantize?: 'fp16' | 'int8';
}

/** A LoRA file (.safetensors) and the strength it is applied at. */
export interface AdapterRef {
  readonly kind: 'lora';
  readonly source: SourceUri;
  readonly path: string;
  readonly name: string;
  readonly strength: number;
  readonly sha256?: string;
}

/** A tokenizer handle: the files to load, by source. */
export interface TokenizerRef {
  readonly kind: 'tokenizer';
  readonly source: SourceUri;
  /** Folder inside the source holding tokenizer.json or vocab.json + merges.txt. */
  readonly path: string;
  readonly name: string;
}

export interface PipelineValue {
  readonly kind: 'pipeline';
  readonly name: string;
  readonly source: SourceUri;
  readonly modelIndex: Readonly<Record<string, unknown>>;
  readonly schedulerConfig?: Readonly<Record<string, unknown>>;
  readonly tokenizer?: TokenizerRef;
  readonly textEncoder?: ModelRef;
  readonly unet?: ModelRef;
  readonly vae?: ModelRef;
  readonly vaeEncoder?: ModelRef;
  readonly reward?: ModelRef;
  readonly detector?: ModelRef;
}

export interface IoInfo {
  readonly name: string;
  readonly dtype: DType | string;
  /** Numbers or symbolic names (`batch`, `height`). */
  readonly shape: readonly (number | string)[];
}

export interface RunModelOptions {
  signal?: AbortSignal;
  /**
   * Keep outputs where they were computed (GPU buffers on WebGPU). Default true: read back only
   * where a consumer needs CPU data (`TensorValue.read()`).
   */
  keepOnDevice?: boolean;
}

export interface ModelSession {
  readonly key: string;
  readonly ref: ModelRef;
  /** Bytes of the model as its session was made from (after LoRA and quantization), external data included. */
  readonly modelBytes?: number;
  /** What quantization did, when the ref asked for it. */
  readonly quantized?: QuantizeReport;
  /** The layers its LoRA adapters changed, with ‖ΔW‖ and ‖W‖. */
  readonly loraNorms?: readonly LayerNorm[];
  readonly inputs: readonly IoInfo[];
  readonly outputs: readonly IoInfo[];
  /**
   * Runs the model. Feeds are converted to what each input declares (int32/int64, float16/32);
   * a feed whose shape cannot fit gives a NodeRunError naming the input and both shapes.
   */
  run(feeds: Readonly<Record<string, TensorValue>>, options?: RunModelOptions): Promise<Record<string, TensorValue>>;
}

/** Element-wise tensor maths that runs where the tensors are (GPU stays GPU). */
export interface TensorOps {
  /** Σ coefficients[i] · tensors[i]; all tensors share one shape. */
  linearCombination(terms: readonly { tensor: TensorValue; coefficient: number }[]): Promise<TensorValue>;
  /** Stacks tensors along dim 0 (batch). */
  concatBatch(tensors: readonly TensorValue[]): Promise<TensorValue>;
  /** Takes batch items [start, start + count). */
  sliceBatch(tensor: TensorValue, start: number, count: number): Promise<TensorValue>;
  /** Puts CPU data where model tensors live (uploads on WebGPU). */
  upload(tensor: TensorValue): Promise<TensorValue>;
}

export interface FileAccess {
  /** Reads a file of a source; errors name the source and path. */
  read(source: SourceUri, path: string, options?: { signal?: AbortSignal; onProgress?: (loaded: number, total?: number) => void }): Promise<Uint8Array>;
  /** Whether a file exists in a source (for optional components). */
  exists(source: SourceUri, path: string): Promise<boolean>;
}

export interface RuntimeCounters {
  /** Sessions alive now. */
  sessions: number;
  /** GPU→CPU reads so far (TensorValue.read() on device tensors). */
  deviceReads: number;
  /** Device tensors created and not yet disposed. */
  liveDeviceTensors: number;
}

export interface MlServices {
  readonly backend: Backend;
  /** Why this backend: "WebGPU adapter found", "forced by the user", "no WebGPU adapter: using wasm". */
  readonly backendReason: string;
  readonly files: FileAccess;
  readonly ops: TensorOps;
  /** Creates (once per model content) or returns the session for a model. */
  session(ref: ModelRef, signal?: AbortSignal): Promise<ModelSession>;
  /** Releases sessions not used since `keep` was last called with their key. */
  releaseUnused(keep: readonly string[]): Promise<void>;
  counters(): RuntimeCounters;
}
