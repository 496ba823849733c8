import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { cpuTensor } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { requireModel, type TokensValue } from '@/ml/values';

export const textEncoderNode = defineNode({
  type: 'conditioning.encodeText',
  version: 1,
  title: 'Text Encoder',
  category: 'Conditioning',
  description: 'Turns token ids into the embedding the UNet attends to (last_hidden_state).',
  explain:
    'A transformer reads the tokens and outputs one vector per token position. The UNet looks at these ' +
    'vectors through cross-attention at every denoising step: that is how the words steer the picture.',
  maths: 'c = Transformer(E[ids] + P): token embeddings plus positions, through self-attention layers; shape [batch, L, d] (d = 768 for SD 1.x, 128 for shapes-v1).',
  supplies: ['embedding'],
  inputs: [
    { name: 'textEncoder', type: 'model.textEncoder', label: 'text encoder' },
    { name: 'tokens', type: 'tokens' },
  ],
  outputs: [
    { name: 'embedding', type: 'embedding', tensor: { dtype: 'float32', shape: ['B', 'S', 'D'] } },
    { name: 'pooled', type: 'tensor', tensor: { dtype: 'float32', shape: ['B', 'D'] } },
  ],
  params: z.object({}),
  usesModels: true,
  run: async ({ inputs, runtime, signal }) => {
    const ml = mlServices(runtime);
    const session = await ml.session(requireModel(inputs, 'textEncoder', 'textEncoder'), signal);
    const tokens = inputs.tokens as TokensValue;
    if (tokens?.kind !== 'tokens') throw new NodeRunError('not_tokens', "input 'tokens' needs tokens from a Tokenizer node");
    const ids = cpuTensor('int32', [1, tokens.ids.length], Int32Array.from(tokens.ids));
    const out = await session.run({ input_ids: ids }, { signal });
    const embedding = out.last_hidden_state ?? out[session.outputs[0].name];
    const pooled = out.pooler_output ?? out.text_embeds;
    for (const [k, t] of Object.entries(out)) if (t !== embedding && t !== pooled) t.dispose();
    return { embedding, pooled };
  },
});
