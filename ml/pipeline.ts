import { NodeRunError } from '@/engine/errors';
import type { FileAccess, ModelRef, ModelRole, PipelineValue, SourceUri, TokenizerRef } from './runtime/types';

/** diffusers folder names → Weft roles. */
const COMPONENTS: readonly { folder: string; role: ModelRole; key: keyof PipelineValue }[] = [
  { folder: 'text_encoder', role: 'textEncoder', key: 'textEncoder' },
  { folder: 'unet', role: 'unet', key: 'unet' },
  { folder: 'vae_decoder', role: 'vae', key: 'vae' },
  { folder: 'vae_encoder', role: 'vaeEncoder', key: 'vaeEncoder' },
  { folder: 'reward', role: 'reward', key: 'reward' },
  { folder: 'detector', role: 'detector', key: 'detector' },
];

/** JSON as Python's json module writes it: allows NaN and ±Infinity (diffusers writes -Infinity). */
export function parseLooseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text.replace(/(:\s*|\[\s*|,\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '$1null'));
  } catch (e) {
    throw new NodeRunError('bad_config', `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

async function readJson(files: FileAccess, source: SourceUri, path: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const bytes = await files.read(source, path, { signal });
  return parseLooseJson(new TextDecoder().decode(bytes), `${path} in ${source}`);
}

async function readJsonIfExists(files: FileAccess, source: SourceUri, path: string, signal?: AbortSignal) {
  return (await files.exists(source, path)) ? readJson(files, source, path, signal) : undefined;
}

/**
 * Reads a diffusers-style ONNX folder: model_index.json names the components; each present
 * component folder with a model.onnx becomes a typed handle (with its config.json and, when the
 * folder has a manifest, its sha256).
 */
export async function loadPipeline(files: FileAccess, source: SourceUri, signal?: AbortSignal): Promise<PipelineValue> {
  if (!(await files.exists(source, 'model_index.json'))) {
    throw new NodeRunError('not_a_pipeline', `${source} has no model_index.json; a pipeline folder is laid out like a diffusers ONNX export (model_index.json, unet/model.onnx, …)`);
  }
  const modelIndex = await readJson(files, source, 'model_index.json', signal);
  const manifest = await readJsonIfExists(files, source, 'manifest.json', signal);
  const shaOf = new Map<string, string>();
  const list = (manifest?.files ?? []) as { file?: string; path?: string; sha256?: string }[];
  if (Array.isArray(list)) for (const f of list) if ((f.file ?? f.path) && f.sha256) shaOf.set((f.file ?? f.path)!, f.sha256);
  const name = typeof modelIndex._weft_name === 'string' ? modelIndex._weft_name : source.replace(/^[a-z]+:/, '').split('/').filter(Boolean).pop() ?? source;

  const refs: Partial<Record<string, ModelRef | TokenizerRef>> = {};
  const missing: string[] = [];
  for (const c of COMPONENTS) {
    const listed = Array.isArray(modelIndex[c.folder]) && (modelIndex[c.folder] as unknown[])[0] !== null;
    const path = `${c.folder}/model.onnx`;
    if (!(await files.exists(source, path))) {
      if (listed) missing.push(path);
      continue;
    }
    const config = await readJsonIfExists(files, source, `${c.folder}/config.json`, signal);
    refs[c.key] = { kind: 'model', role: c.role, source, path, name: `${name} ${c.folder}`, ...(shaOf.get(path) ? { sha256: shaOf.get(path) } : {}), ...(config ? { config } : {}) };
  }
  if (missing.length) throw new NodeRunError('missing_files', `${source} lists components whose files are missing: ${missing.join(', ')}`);
  if (await files.exists(source, 'tokenizer/tokenizer.json') || await files.exists(source, 'tokenizer/vocab.json')) {
    refs.tokenizer = { kind: 'tokenizer', source, path: 'tokenizer', name: `${name} tokenizer` };
  }
  const schedulerConfig = await readJsonIfExists(files, source, 'scheduler/scheduler_config.json', signal);
  return { kind: 'pipeline', name, source, modelIndex, ...(schedulerConfig ? { schedulerConfig } : {}), ...refs } as PipelineValue;
}
