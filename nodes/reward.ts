import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { cpuTensor } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { tokenizerFor } from '@/ml/runtime/tokenizers';
import { imagesToTensor } from '@/ml/image';
import { imageList, isTokenizerRef, requireModel } from '@/ml/values';

export const rewardNode = defineNode({
  type: 'analysis.reward',
  version: 1,
  title: 'Reward Model',
  category: 'Analysis',
  description: 'Scores how well each image matches a prompt (higher is better).',
  explain:
    'A CLIP-style pair of encoders maps the image and the text to vectors; the score is their cosine ' +
    'similarity times a learned scale. Use it to rank several seeds of one prompt and keep the best.',
  maths: 'score = s · (a·b)/(|a|·|b|), a = image encoder(image), b = text encoder(prompt), s = a learned scale.',
  supplies: ['score'],
  inputs: [
    { name: 'reward', type: 'model.reward', label: 'reward model' },
    { name: 'tokenizer', type: 'model.tokenizer' },
    { name: 'image', type: 'image' },
    { name: 'text', type: 'text', label: 'prompt' },
  ],
  outputs: [{ name: 'score', type: 'score', description: 'One number, or one per image of a batch.' }],
  params: z.object({}),
  usesModels: true,
  run: async ({ inputs, runtime, signal }) => {
    const ml = mlServices(runtime);
    const ref = requireModel(inputs, 'reward', 'reward');
    if (!isTokenizerRef(inputs.tokenizer)) throw new NodeRunError('not_a_tokenizer', "input 'tokenizer' needs a tokenizer");
    const session = await ml.session(ref, signal);
    const tok = await tokenizerFor(ml, inputs.tokenizer, signal);
    const images = imageList(inputs.image);
    const size = typeof ref.config?.image_size === 'number' ? ref.config.image_size : 64;
    const length = typeof ref.config?.context_length === 'number' ? ref.config.context_length : tok.modelMaxLength;
    const ids = tok.encode(inputs.text as string, { maxLength: length, padding: 'max_length', truncation: true }).ids;
    const n = images.length;
    const idBatch = new Int32Array(n * length);
    for (let b = 0; b < n; b++) idBatch.set(ids, b * length);
    const out = await session.run(
      { pixel_values: cpuTensor('float32', [n, 3, size, size], imagesToTensor(images, size, size)), input_ids: cpuTensor('int32', [n, length], idBatch) },
      { signal },
    );
    const scores = Array.from((await out.score.read()) as Float32Array);
    for (const t of Object.values(out)) t.dispose();
    return { score: n === 1 ? scores[0] : scores };
  },
});
