import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { createNodeRuntime } from './bin/nodeRuntime';
import { mlServices } from './ml/runtime/services';
import { openLanguageModel, OnnxCausalLM } from './ml/text/languageModel';
import { plainTextgen } from './bench/plainTextgen';
ort.env.wasm.numThreads = 1;
const ml = mlServices(await createNodeRuntime({ backend: 'wasm', numThreads: 1 }));
const { ref, session } = await openLanguageModel(ml, 'shipped:shapes-lm-v1', '', '');
const lm = new OnnxCausalLM(ml, ref, session);
const plain = await plainTextgen(ort, readFileSync('public/models/shapes-lm-v1/onnx/model.onnx'), { layers: 4, kvHeads: 4, headDim: 32, vocab: 512, eos: [] }, { executionProviders: ['wasm'] });
// raw step timing: lm.step loop vs plain
for (let r = 0; r < 5; r++) {
  let t = performance.now();
  await plain([1, 2, 3], 200);
  const p = performance.now() - t;
  t = performance.now();
  let past = null as any;
  let mask = [1, 1, 1];
  let inp = [1, 2, 3];
  let tStep = 0;
  for (let s = 0; s < 200; s++) {
    const t1 = performance.now();
    const out = await lm.step({ inputIds: [inp], attentionMask: [mask], positionIds: [inp.map((_, i) => mask.length - inp.length + i)], past });
    tStep += performance.now() - t1;
    past = out.past;
    let best = 0;
    for (let v = 1; v < 512; v++) if (out.logits[v] > out.logits[best]) best = v;
    inp = [best];
    mask = [...mask, 1];
  }
  console.log(`plain ${p.toFixed(0)} ms, lm.step loop ${(performance.now() - t).toFixed(0)} ms (in step ${tStep.toFixed(0)})`);
}
