import {
  PORT_TYPE_LABELS,
  TENSOR_LIKE,
  formatShape,
  type Dim,
  type PortSpec,
  type PortType,
  type TensorSpec,
} from './portTypes';

export type Coercion = 'integer→number' | 'seed→integer' | 'integer→seed' | 'seed→number' | 'as tensor' | 'tensor as typed';

export type ConnectResult =
  | { ok: true; coercion?: Coercion; note?: string }
  | { ok: false; reason: string };

/** Safe coercions between scalar types: value is representable exactly. */
const SCALAR_COERCIONS: Partial<Record<PortType, Partial<Record<PortType, Coercion>>>> = {
  integer: { number: 'integer→number', seed: 'integer→seed' },
  seed: { integer: 'seed→integer', number: 'seed→number' },
};

/** Hints for the common wrong wirings, so a refusal tells the user what to add. */
const HINTS: Partial<Record<PortType, Partial<Record<PortType, string>>>> = {
  text: {
    tokens: 'text must be tokenized first: put a Tokenizer node between them',
    embedding: 'text must be tokenized and encoded first: add Tokenizer and Text Encoder nodes',
  },
  tokens: {
    embedding: 'tokens must go through a Text Encoder to become an embedding',
    text: 'tokens must be decoded first: put a Decode Tokens node between them',
  },
  logits: { tokens: 'logits are scores for every next token: a Sample Token node picks one' },
  generation: { text: "a generation trace is for probing: take Generate Text's text output instead" },
  latent: { image: 'a latent must be decoded first: put a VAE Decode node between them' },
  image: { latent: 'an image must be encoded first: put a VAE Encode node between them' },
  number: {
    integer: 'a number may have a fraction; an integer input needs an integer (use Round in an Arithmetic node)',
    seed: 'a seed must be an integer',
  },
};

/** Decides whether an output port may feed an input port, and says why not. */
export function canConnect(output: PortSpec, input: PortSpec): ConnectResult {
  const from = output.type;
  const to = input.type;
  if (to === 'any') return { ok: true };
  if (from === 'any') return { ok: true, note: 'checked when the graph runs' };
  if (from === to) {
    if (TENSOR_LIKE.has(from)) return checkTensorSpecs(output.tensor, input.tensor);
    return { ok: true };
  }
  const scalar = SCALAR_COERCIONS[from]?.[to];
  if (scalar) return { ok: true, coercion: scalar };
  // A latent or an embedding is a tensor with a meaning: it may feed a plain tensor input.
  if (TENSOR_LIKE.has(from) && to === 'tensor') {
    const check = checkTensorSpecs(output.tensor, input.tensor);
    return check.ok ? { ok: true, coercion: 'as tensor' } : check;
  }
  // A plain tensor (e.g. loaded from a .npy file) may drive a typed input; its shape is checked at run time.
  if (from === 'tensor' && TENSOR_LIKE.has(to)) {
    const check = checkTensorSpecs(output.tensor, input.tensor);
    return check.ok ? { ok: true, coercion: 'tensor as typed', note: 'shape checked when the graph runs' } : check;
  }
  const hint = HINTS[from]?.[to];
  const base = `${PORT_TYPE_LABELS[from]} output '${output.name}' cannot feed ${PORT_TYPE_LABELS[to]} input '${input.name}'`;
  return { ok: false, reason: hint ? `${base}: ${hint}` : base };
}

function checkTensorSpecs(out: TensorSpec | undefined, inp: TensorSpec | undefined): ConnectResult {
  if (out?.dtype && inp?.dtype && out.dtype !== inp.dtype) {
    return { ok: false, reason: `dtype ${out.dtype} does not match the input's ${inp.dtype}` };
  }
  if (out?.shape && inp?.shape) {
    const mismatch = shapeMismatch(out.shape, inp.shape);
    if (mismatch) return { ok: false, reason: mismatch };
  }
  return { ok: true };
}

/**
 * Unifies two shapes with symbolic dims; returns a sentence when they cannot match.
 * A symbol binds to the first value it meets (a number or another symbol) and must agree after.
 */
export function shapeMismatch(a: readonly Dim[], b: readonly Dim[]): string | undefined {
  if (a.length !== b.length) {
    return `shape ${formatShape(a)} has rank ${a.length} but the input expects ${formatShape(b)} (rank ${b.length})`;
  }
  const bindings = new Map<string, Dim>();
  const resolve = (d: Dim): Dim => {
    let cur = d;
    const seen = new Set<string>();
    while (typeof cur === 'string' && bindings.has(cur) && !seen.has(cur)) {
      seen.add(cur);
      cur = bindings.get(cur)!;
    }
    return cur;
  };
  for (let i = 0; i < a.length; i++) {
    const x = resolve(a[i]);
    const y = resolve(b[i]);
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') {
      return `dimension ${i} is ${a[i]} but the input expects ${b[i]} (shapes ${formatShape(a)} and ${formatShape(b)})`;
    }
    if (typeof y === 'string') bindings.set(y, x);
    else if (typeof x === 'string') bindings.set(x, y);
  }
  return undefined;
}
