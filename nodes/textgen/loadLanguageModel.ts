import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { mlServices } from '@/ml/runtime/services';
import { openLanguageModel } from '@/ml/text/languageModel';

export const loadLanguageModelNode = defineNode({
  type: 'textgen.loadLanguageModel',
  version: 1,
  title: 'Load Language Model',
  category: 'Text generation',
  description: 'Opens a causal language model folder laid out as a Hugging Face ONNX export (config, tokenizer, onnx/model.onnx with its KV cache).',
  explain:
    'A causal language model reads a sequence of tokens and scores every possible next token. Weft ships ' +
    'shapes-lm-v1, a small GPT-2-style model trained on the shapes world; the same node opens Hugging Face ' +
    'ONNX exports (distilgpt2, TinyStories, SmolLM2, Qwen2.5) from an imported folder or, in the CLI, dir:/path.',
  supplies: ['model.languageModel'],
  inputs: [],
  outputs: [{ name: 'model', type: 'model.languageModel' }],
  params: z.object({
    source: z.string().min(1).max(2000).default('shipped:shapes-lm-v1').meta({ label: 'Source', widget: 'modelSource' }),
    folder: z.string().max(1000).default('').meta({ label: 'Folder in source' }),
    file: z.string().max(1000).default('').meta({ label: 'ONNX file (empty: onnx/model.onnx)' }),
  }),
  usesModels: true,
  run: async ({ params, runtime, signal }) => {
    const { ref } = await openLanguageModel(mlServices(runtime), params.source, params.folder.replace(/^\/+|\/+$/g, ''), params.file, signal);
    return { model: ref };
  },
});
