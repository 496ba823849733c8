/**
 * Runs two ONNX models (files or bytes) on the same deterministic inputs with onnxruntime-node and
 * says how far apart their outputs are: how the tools check a converted model (an .ort, a quantized
 * copy) before it replaces or joins the original.
 */
import * as ort from 'onnxruntime-node';

type ModelSource = string | Uint8Array;

/** Deterministic inputs for a model: symbolic dimensions as 2, ids in [0, 64), floats in [-1, 1]. */
export function feedsFor(session: ort.InferenceSession): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const meta = session.inputMetadata[i];
    if (!meta.isTensor) throw new Error(`input '${name}' is not a tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 2));
    const n = dims.reduce((a, b) => a * b, 1);
    if (meta.type === 'int64') feeds[name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, k) => BigInt((k * 7 + i) % 64)), dims);
    else if (meta.type === 'int32') feeds[name] = new ort.Tensor('int32', Int32Array.from({ length: n }, (_, k) => (k * 7 + i) % 64), dims);
    else if (meta.type === 'float32') feeds[name] = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.37 + i)), dims);
    else throw new Error(`input '${name}' is ${meta.type}; this tool feeds float32, int32 and int64`);
  });
  return feeds;
}

export interface Difference {
  /** Largest |a − b| / (1 + |a|) over every output element. */
  readonly worst: number;
  /** Largest |a − b| relative to the largest |a| of that output. */
  readonly relativeToPeak: number;
}

const create = (m: ModelSource) => (typeof m === 'string' ? ort.InferenceSession.create(m, { logSeverityLevel: 3 }) : ort.InferenceSession.create(m, { logSeverityLevel: 3 }));

export async function compareModels(reference: ModelSource, candidate: ModelSource): Promise<Difference> {
  const a = await create(reference);
  const b = await create(candidate);
  try {
    const feeds = feedsFor(a);
    const [oa, ob] = [await a.run(feeds), await b.run(feeds)];
    let worst = 0;
    let relativeToPeak = 0;
    for (const name of a.outputNames) {
      const x = oa[name].data as Float32Array;
      const y = ob[name]?.data as Float32Array | undefined;
      if (!y || y.length !== x.length) throw new Error(`output '${name}' differs in shape`);
      let peak = 0;
      let diff = 0;
      for (let k = 0; k < x.length; k++) {
        const d = Math.abs(Number(x[k]) - Number(y[k]));
        worst = Math.max(worst, d / (1 + Math.abs(Number(x[k]))));
        peak = Math.max(peak, Math.abs(Number(x[k])));
        diff = Math.max(diff, d);
      }
      if (peak > 0) relativeToPeak = Math.max(relativeToPeak, diff / peak);
    }
    return { worst, relativeToPeak };
  } finally {
    await a.release();
    await b.release();
  }
}
