import { createNodeRuntime } from './bin/nodeRuntime';
import { mlServices } from './ml/runtime/services';
import { openLanguageModel, OnnxCausalLM } from './ml/text/languageModel';
import { generate } from './ml/text/generate';
const ml = mlServices(await createNodeRuntime({ backend: 'wasm', numThreads: 1 }));
const { ref, session } = await openLanguageModel(ml, 'shipped:shapes-lm-v1', '', '');
const lm = new OnnxCausalLM(ml, ref, session);
const base = { prompts: [[1, 2, 3]], mode: 'greedy' as const, maxNewTokens: 200, eosTokenIds: [], padTokenId: 0 };
const a: number[] = [], b: number[] = [];
for (let r = 0; r < 8; r++) {
  let t = performance.now(); await generate(lm, base); a.push(performance.now() - t);
  t = performance.now(); await generate(lm, { ...base, trace: true }); b.push(performance.now() - t);
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log('no trace', med(a).toFixed(0), 'trace', med(b).toFixed(0));
