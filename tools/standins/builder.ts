import { buildModel, type InitializerSpec, type NodeSpec, type ValueSpec, type AttrValue } from '@/ml/runtime/onnxProto';
import { f32ToF16Bits } from '@/ml/runtime/float16';

/**
 * A small graph builder for the structure-faithful stand-in models: ops are added by name, weights
 * are parameters with their PyTorch names and shapes, filled with seeded random values (norm
 * scales with ones) and kept as ONNX external data in one `model.onnx_data` file, as exporters
 * write models past 2 GB. With `countOnly` nothing is allocated: the builder only adds up the
 * parameters, so a full-size model's count can be checked without writing gigabytes.
 */
export interface BuilderOptions {
  readonly countOnly?: boolean;
  readonly seed?: number;
  /** Name of the external data file, relative to the model. */
  readonly dataFile?: string;
  /**
   * 'float16' builds the graph as fp16 exports are (diffusers' `--fp16`, optimum's `--dtype fp16`):
   * every weight and float constant in half precision, so the maths runs in float16; the scales a
   * Resize reads stay float32, as ONNX requires.
   */
  readonly dtype?: 'float32' | 'float16';
}

export class Builder {
  readonly nodes: NodeSpec[] = [];
  private readonly inits: InitializerSpec[] = [];
  private readonly chunks: (Float32Array | Uint16Array)[] = [];
  private dataBytes = 0;
  private counter = 0;
  params = 0;
  private rng: number;

  constructor(private readonly options: BuilderOptions = {}) {
    this.rng = (options.seed ?? 1) >>> 0 || 1;
  }

  /** The float type the graph computes in. */
  get float(): 'float32' | 'float16' {
    return this.options.dtype ?? 'float32';
  }

  /** ONNX's element type number of `float`, for Cast's `to`. */
  get floatCode(): number {
    return this.float === 'float16' ? 10 : 1;
  }

  /** A fresh value name. */
  name(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  op(op: string, inputs: readonly string[], attributes?: Record<string, AttrValue>, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => this.name(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: outs, ...(attributes ? { attributes } : {}) });
    return outs;
  }

  /** One-output op. */
  o(op: string, inputs: readonly string[], attributes?: Record<string, AttrValue>): string {
    return this.op(op, inputs, attributes)[0];
  }

  /** A constant (not a parameter) in the graph's float type: small, kept inside the model. */
  constF(values: readonly number[], dims: readonly number[] = [values.length]): string {
    if (this.float === 'float32') return this.constF32(values, dims);
    const name = this.name('const');
    // fp16 exporters clamp to the half range (a mask's -1e9 becomes finfo(float16).min).
    this.inits.push({ name, dtype: 'float16', dims, values: values.map((v) => f32ToF16Bits(Math.max(-65504, Math.min(65504, v)))) });
    return name;
  }

  /** A float32 constant whatever the graph's type (a Resize's scales). */
  constF32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.name('const');
    this.inits.push({ name, dtype: 'float32', dims, values });
    return name;
  }

  constI(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.name('shape');
    this.inits.push({ name, dtype: 'int64', dims, values });
    return name;
  }

  /** A parameter: random N(0, std) by default, or every element `fill`. */
  param(name: string, dims: readonly number[], init: { std?: number; fill?: number } = {}): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.params += n;
    if (this.options.countOnly) return name;
    const half = this.float === 'float16';
    const data = half ? new Uint16Array(n) : new Float32Array(n);
    const std = init.std ?? 0.02;
    for (let i = 0; i < n; i++) {
      const v = init.fill ?? this.gauss() * std;
      data[i] = half ? f32ToF16Bits(v) : v;
    }
    const offset = this.dataBytes;
    this.chunks.push(data);
    this.dataBytes += data.byteLength;
    this.inits.push({ name, dtype: this.float, dims, external: { location: this.options.dataFile ?? 'model.onnx_data', offset, length: data.byteLength } });
    return name;
  }

  /**
   * A seeded value of mean 0 and standard deviation 1: uniform on ±√3 (xorshift32), which is all
   * random weights need to be, and an order of magnitude quicker than a Gaussian for 860 M of them.
   */
  private gauss(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return (this.rng / 4294967296 - 0.5) * 3.4641016151377544;
  }

  /** The model file, and its external data as the chunks to write one after another (never joined in memory). */
  finish(name: string, inputs: readonly ValueSpec[], outputs: readonly ValueSpec[]): { model: Uint8Array; chunks: readonly Uint8Array[]; dataBytes: number } {
    if (this.options.countOnly) throw new Error('a count-only builder writes no model');
    const model = buildModel({ name, nodes: this.nodes, inputs, outputs, initializers: this.inits, opset: 17 });
    return { model, chunks: this.chunks.map((c) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength)), dataBytes: this.dataBytes };
  }

  // ---- layers, as PyTorch's modules compute them ----------------------------------------------

  /** nn.Linear: x · Wᵀ + b, the weight kept as [in, out] as exporters fold the transpose. */
  linear(x: string, prefix: string, inF: number, outF: number, bias = true): string {
    const y = this.o('MatMul', [x, this.param(`${prefix}.weight`, [inF, outF])]);
    return bias ? this.o('Add', [y, this.param(`${prefix}.bias`, [outF], { fill: 0 })]) : y;
  }

  conv(x: string, prefix: string, inC: number, outC: number, k: number, stride = 1): string {
    const pad = (k - 1) / 2;
    return this.o('Conv', [x, this.param(`${prefix}.weight`, [outC, inC, k, k], { std: Math.sqrt(1 / (inC * k * k)) }), this.param(`${prefix}.bias`, [outC], { fill: 0 })], {
      kernel_shape: { ints: [k, k] },
      pads: { ints: [pad, pad, pad, pad] },
      strides: { ints: [stride, stride] },
    });
  }

  /** nn.GroupNorm over [B, C, H, W], as torch.onnx writes it (InstanceNormalization on [B, G, ·]). */
  groupNorm(x: string, prefix: string, channels: number, groups = 32, eps = 1e-5): string {
    const shape = this.o('Shape', [x]);
    const grouped = this.o('Reshape', [x, this.constI([0, groups, -1])]);
    const normed = this.o('InstanceNormalization', [grouped, this.constF(new Array(groups).fill(1)), this.constF(new Array(groups).fill(0))], { epsilon: { f: eps } });
    const back = this.o('Reshape', [normed, shape]);
    const w = this.o('Reshape', [this.param(`${prefix}.weight`, [channels], { fill: 1 }), this.constI([-1, 1, 1])]);
    const b = this.o('Reshape', [this.param(`${prefix}.bias`, [channels], { fill: 0 }), this.constI([-1, 1, 1])]);
    return this.o('Add', [this.o('Mul', [back, w]), b]);
  }

  layerNorm(x: string, prefix: string, width: number, eps = 1e-5): string {
    return this.o('LayerNormalization', [x, this.param(`${prefix}.weight`, [width], { fill: 1 }), this.param(`${prefix}.bias`, [width], { fill: 0 })], { axis: { i: -1 }, epsilon: { f: eps } });
  }

  silu(x: string): string {
    return this.o('Mul', [x, this.o('Sigmoid', [x])]);
  }

  gelu(x: string): string {
    const erf = this.o('Erf', [this.o('Div', [x, this.constF([Math.SQRT2], [])])]);
    return this.o('Mul', [this.o('Mul', [x, this.constF([0.5], [])]), this.o('Add', [erf, this.constF([1], [])])]);
  }

  quickGelu(x: string): string {
    return this.o('Mul', [x, this.o('Sigmoid', [this.o('Mul', [x, this.constF([1.702], [])])])]);
  }

  /**
   * Multi-head attention over [B, L, C] (keys and values from `context` [B, S, Cc]), q/k/v without
   * bias and the output projection with it, as diffusers' Attention; `mask` is added to the scores.
   */
  attention(x: string, context: string, prefix: string, width: number, contextWidth: number, heads: number, opts: { qkvBias?: boolean; out?: string; mask?: string; qkv?: readonly [string, string, string] } = {}): string {
    const d = width / heads;
    // diffusers names them to_q/to_k/to_v; transformers' CLIP q_proj/k_proj/v_proj
    const [qn, kn, vn] = opts.qkv ?? ['to_q', 'to_k', 'to_v'];
    const bias = opts.qkvBias ?? false;
    const split = (t: string, perm: number[]) => this.o('Transpose', [this.o('Reshape', [t, this.constI([0, 0, heads, d])])], { perm: { ints: perm } });
    const q = split(this.linear(x, `${prefix}.${qn}`, width, width, bias), [0, 2, 1, 3]);
    const k = split(this.linear(context, `${prefix}.${kn}`, contextWidth, width, bias), [0, 2, 3, 1]);
    const v = split(this.linear(context, `${prefix}.${vn}`, contextWidth, width, bias), [0, 2, 1, 3]);
    let scores = this.o('Mul', [this.o('MatMul', [q, k]), this.constF([1 / Math.sqrt(d)], [])]);
    if (opts.mask) scores = this.o('Add', [scores, opts.mask]);
    const attn = this.o('MatMul', [this.o('Softmax', [scores], { axis: { i: -1 } }), v]);
    const merged = this.o('Reshape', [this.o('Transpose', [attn], { perm: { ints: [0, 2, 1, 3] } }), this.constI([0, 0, width])]);
    return this.linear(merged, opts.out ?? `${prefix}.to_out.0`, width, width);
  }

  /** [B, C, H, W] → [B, H·W, C]. */
  toTokens(x: string, channels: number): string {
    return this.o('Transpose', [this.o('Reshape', [x, this.constI([0, channels, -1])])], { perm: { ints: [0, 2, 1] } });
  }

  /** [B, H·W, C] → the shape of `like` ([B, C, H, W]). */
  fromTokens(t: string, like: string): string {
    return this.o('Reshape', [this.o('Transpose', [t], { perm: { ints: [0, 2, 1] } }), this.o('Shape', [like])]);
  }

  /** Nearest-neighbour ×2 (diffusers' Upsample2D before its conv). */
  upsample2x(x: string): string {
    return this.o('Resize', [x, '', this.constF32([1, 1, 2, 2])], { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } });
  }
}
