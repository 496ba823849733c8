/**
 * Greedy text generation written straight against ONNX Runtime, as a script would: the baseline
 * bench:textgen holds Weft's Generate Text to. One prompt, a KV cache, argmax of the last logits.
 */
import type * as OrtWeb from 'onnxruntime-common';

type Ort = { InferenceSession: typeof OrtWeb.InferenceSession; Tensor: typeof OrtWeb.Tensor };

export interface PlainConfig {
  layers: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  eos: number[];
  /** The end tokens are never picked (as min_new_tokens = the token budget). */
  banEos?: boolean;
}

export async function plainTextgen(ort: Ort, modelBytes: Uint8Array, c: PlainConfig, options: OrtWeb.InferenceSession.SessionOptions) {
  const session = await ort.InferenceSession.create(modelBytes, options);
  const i64 = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
  return async function generate(prompt: number[], maxNew: number): Promise<number[]> {
    let past: Record<string, OrtWeb.Tensor> = {};
    for (let i = 0; i < c.layers; i++) {
      past[`past_key_values.${i}.key`] = new ort.Tensor('float32', new Float32Array(0), [1, c.kvHeads, 0, c.headDim]);
      past[`past_key_values.${i}.value`] = new ort.Tensor('float32', new Float32Array(0), [1, c.kvHeads, 0, c.headDim]);
    }
    const out: number[] = [];
    let input = prompt;
    let total = prompt.length;
    for (let step = 0; step < maxNew; step++) {
      const feeds = {
        input_ids: i64(input),
        attention_mask: i64(new Array(total).fill(1)),
        position_ids: i64(input.map((_, i) => total - input.length + i)),
        ...past,
      };
      const r = await session.run(feeds);
      const logits = r.logits.data as Float32Array;
      const base = (input.length - 1) * c.vocab;
      let best = 0;
      if (c.banEos) for (const e of c.eos) logits[base + e] = -Infinity;
      for (let v = 1; v < c.vocab; v++) if (logits[base + v] > logits[base + best]) best = v;
      r.logits.dispose();
      for (const t of Object.values(past)) t.dispose();
      past = {};
      for (let i = 0; i < c.layers; i++) {
        past[`past_key_values.${i}.key`] = r[`present.${i}.key`];
        past[`past_key_values.${i}.value`] = r[`present.${i}.value`];
      }
      out.push(best);
      if (c.eos.includes(best)) break;
      input = [best];
      total++;
    }
    for (const t of Object.values(past)) t.dispose();
    return out;
  };
}
