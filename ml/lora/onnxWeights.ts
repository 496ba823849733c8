/**
 * The weights of an ONNX model that a LoRA can change: the weight input of every MatMul, Gemm and
 * Conv node that is an initializer, where its bytes lie (inside the model file or in an external
 * data file) and which module it belongs to. A module is named two ways, as exporters leave them:
 * by the initializer (`down_blocks.0.resnets.0.conv1.weight`, torch.onnx's parameter names) and by
 * the node (`/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul`, the names
 * optimum's exports keep when the weight itself became `onnx::MatMul_9123`).
 */
import { walkFields } from '@/ml/runtime/protoRead';
import { readTensorProto, type TensorProtoSpan } from '@/ml/runtime/tensorProto';

export type WeightLayout = 'in-out' | 'out-in' | 'conv';

export interface WeightTarget {
  /** The initializer's name. */
  readonly tensor: string;
  readonly op: 'MatMul' | 'Gemm' | 'Conv';
  /** MatMul keeps [in, out]; Gemm with transB and Conv keep [out, in(, kh, kw)]. */
  readonly layout: WeightLayout;
  readonly dims: readonly number[];
  readonly dtype: 'float32' | 'float16';
  /** Where the element bytes are: a span of the model file, or of an external data file. */
  readonly data: { readonly file: null; readonly start: number; readonly end: number } | { readonly file: string; readonly start: number; readonly end: number };
  /** Module names this weight answers to, in LoRA's underscore form (`down_blocks_0_attentions_0_proj_in`). */
  readonly modules: readonly string[];
}

interface NodeInfo {
  name: string;
  op: string;
  inputs: string[];
  transB: number;
}

const dec = new TextDecoder();

/** `a.b.0.c` → `a_b_0_c`: the form kohya's LoRA keys use, and every other form is brought to. */
export function underscored(module: string): string {
  return module.replace(/[./]/g, '_');
}

/** The module a node name points at: `/a/b.0/c/MatMul` → `a.b.0.c`; undefined for names without a path. */
function moduleOfNode(name: string): string | undefined {
  if (!name.startsWith('/')) return undefined;
  const parts = name.slice(1).split('/');
  if (parts.length < 2) return undefined;
  return parts.slice(0, -1).join('.');
}

/** Lists the LoRA-patchable weights of an ONNX model (throws a plain Error on a malformed file). */
export function weightTargets(model: Uint8Array): WeightTarget[] {
  const inits = new Map<string, TensorProtoSpan>();
  const nodes: NodeInfo[] = [];
  walkFields(model, 0, model.length, (field, wire, s, e) => {
    if (field !== 7 || wire !== 2) return; // ModelProto.graph
    walkFields(model, s, e, (gf, gw, gs, ge) => {
      if (gw !== 2) return;
      if (gf === 5) {
        const t = readTensorProto(model, gs, ge);
        inits.set(t.name, t);
      } else if (gf === 1) nodes.push(readNode(model, gs, ge));
    });
  });
  const out: WeightTarget[] = [];
  for (const n of nodes) {
    if (n.op !== 'MatMul' && n.op !== 'Gemm' && n.op !== 'Conv') continue;
    const init = n.inputs[1] === undefined ? undefined : inits.get(n.inputs[1]);
    if (!init || (init.dataType !== 1 && init.dataType !== 10)) continue;
    const layout: WeightLayout = n.op === 'Conv' ? 'conv' : n.op === 'Gemm' && n.transB ? 'out-in' : 'in-out';
    if (layout === 'conv' ? init.dims.length < 3 : init.dims.length !== 2) continue;
    const data = init.external?.location
      ? { file: init.external.location, start: init.external.offset, end: init.external.offset + init.external.length }
      : init.raw
        ? { file: null, start: init.raw[0], end: init.raw[1] }
        : init.floatData && init.dataType === 1
          ? { file: null, start: init.floatData[0], end: init.floatData[1] }
          : undefined;
    if (!data) continue;
    const modules = new Set<string>();
    if (init.name.endsWith('.weight')) modules.add(underscored(init.name.slice(0, -'.weight'.length)));
    const fromNode = moduleOfNode(n.name);
    if (fromNode) modules.add(underscored(fromNode));
    if (!modules.size) continue;
    out.push({ tensor: init.name, op: n.op, layout, dims: init.dims, dtype: init.dataType === 1 ? 'float32' : 'float16', data, modules: [...modules] });
  }
  return out;
}

function readNode(b: Uint8Array, start: number, end: number): NodeInfo {
  const n: NodeInfo = { name: '', op: '', inputs: [], transB: 0 };
  walkFields(b, start, end, (f, w, s, e) => {
    if (w !== 2) return;
    if (f === 1) n.inputs.push(dec.decode(b.subarray(s, e)));
    else if (f === 3) n.name = dec.decode(b.subarray(s, e));
    else if (f === 4) n.op = dec.decode(b.subarray(s, e));
    else if (f === 5) {
      let name = '';
      let i = 0;
      walkFields(b, s, e, (af, aw, as, ae, av) => {
        if (af === 1 && aw === 2) name = dec.decode(b.subarray(as, ae));
        else if (af === 3 && aw === 0) i = av;
      });
      if (name === 'transB') n.transB = i;
    }
  });
  return n;
}
