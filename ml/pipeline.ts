import { NodeRunError } from '@/engine/errors';
import { ortSibling, parseSource } from './runtime/files';
import { cancelled } from './runtime/ortErrors';
import { sharedOnce, untilAborted } from './runtime/shared';
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
    // Plain JSON first: rewriting a 1.5 MB tokenizer.json costs ~0.1 s of a cold page.
    return JSON.parse(text);
  } catch (strict) {
    try {
      return JSON.parse(text.replace(/(:\s*|\[\s*|,\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '$1null'));
    } catch {
      throw new NodeRunError('bad_config', `${what} is not valid JSON: ${(strict as Error).message}`);
    }
  }
}

async function readJson(files: FileAccess, source: SourceUri, path: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const bytes = await files.read(source, path, { signal });
  return parseLooseJson(new TextDecoder().decode(bytes), `${path} in ${source}`);
}

async function readJsonIfExists(files: FileAccess, source: SourceUri, path: string, signal?: AbortSignal) {
  return (await files.exists(source, path)) ? readJson(files, source, path, signal) : undefined;
}

// Shipped suites never change while a page or process lives (their manifest pins every byte), so
// their folder is read once per file access; a re-run does not fetch model_index.json and nine
// configs again (38 ms a run in Chromium, and on a cold page those small requests queue behind
// the model downloads). Imported (store:) and disk (dir:) sources are read every time: an import
// can be deleted and a folder on disk edited.
const shippedPipelines = new WeakMap<FileAccess, Map<SourceUri, Promise<PipelineValue>>>();

/**
 * Reads a diffusers-style ONNX folder: model_index.json names the components; each present
 * component folder with a model.onnx becomes a typed handle (with its config.json and, when the
 * folder has a manifest, its sha256).
 */
export async function loadPipeline(files: FileAccess, source: SourceUri, signal?: AbortSignal): Promise<PipelineValue> {
  if (parseSource(source).scheme !== 'shipped') return readPipeline(files, source, signal);
  if (signal?.aborted) throw cancelled();
  // Read without the caller's signal: another run may share the result.
  return untilAborted(sharedOnce(shippedPipelines, files, source, () => readPipeline(files, source)), signal);
}

/**
 * A component's model file: `model.onnx`, or `model.ort` (ONNX Runtime's format, which the shipped
 * suite uses for its UNet because it loads faster) when the folder has that.
 */
async function modelFile(files: FileAccess, source: SourceUri, folder: string, listed: ReadonlyMap<string, string>): Promise<string | undefined> {
  const onnx = `${folder}/model.onnx`;
  const ort = ortSibling(onnx)!;
  // A manifest names the real file. Where a folder holds both, the .ort is run (it loads faster) and
  // the .onnx is what a LoRA patches (the services switch to it when adapters are added).
  if (listed.has(ort)) return ort;
  if (listed.has(onnx)) return onnx;
  if (await files.exists(source, onnx)) return onnx;
  if (await files.exists(source, ort)) return ort;
  return undefined;
}

async function readPipeline(files: FileAccess, source: SourceUri, signal?: AbortSignal): Promise<PipelineValue> {
  if (!(await files.exists(source, 'model_index.json'))) {
    throw new NodeRunError('not_a_pipeline', `${source} has no model_index.json; a pipeline folder is laid out like a diffusers ONNX export (model_index.json, unet/model.onnx, …)`);
  }
  // Small files are read side by side: one after another they took 0.2 s of a cold page.
  const [modelIndex, manifest, schedulerConfig, hasTokenizer] = await Promise.all([
    readJson(files, source, 'model_index.json', signal),
    readJsonIfExists(files, source, 'manifest.json', signal),
    readJsonIfExists(files, source, 'scheduler/scheduler_config.json', signal),
    files.exists(source, 'tokenizer/tokenizer.json').then(async (yes) => yes || files.exists(source, 'tokenizer/vocab.json')),
  ]);
  const shaOf = new Map<string, string>();
  const list = (manifest?.files ?? []) as { file?: string; path?: string; sha256?: string }[];
  if (Array.isArray(list)) for (const f of list) if ((f.file ?? f.path) && f.sha256) shaOf.set((f.file ?? f.path)!, f.sha256);
  const name = typeof modelIndex._weft_name === 'string' ? modelIndex._weft_name : source.replace(/^[a-z]+:/, '').split('/').filter(Boolean).pop() ?? source;

  const found = await Promise.all(
    COMPONENTS.map(async (c) => {
      const path = await modelFile(files, source, c.folder, shaOf);
      if (!path) return { c, path: `${c.folder}/model.onnx`, present: false };
      return { c, path, present: true, config: await readJsonIfExists(files, source, `${c.folder}/config.json`, signal) };
    }),
  );
  const refs: Partial<Record<string, ModelRef | TokenizerRef>> = {};
  const missing: string[] = [];
  for (const { c, path, present, config } of found) {
    if (!present) {
      const listed = Array.isArray(modelIndex[c.folder]) && (modelIndex[c.folder] as unknown[])[0] !== null;
      if (listed) missing.push(path);
      continue;
    }
    refs[c.key] = { kind: 'model', role: c.role, source, path, name: `${name} ${c.folder}`, ...(shaOf.get(path) ? { sha256: shaOf.get(path) } : {}), ...(config ? { config } : {}) };
  }
  if (missing.length) throw new NodeRunError('missing_files', `${source} lists components whose files are missing: ${missing.join(', ')}`);
  if (hasTokenizer) refs.tokenizer = { kind: 'tokenizer', source, path: 'tokenizer', name: `${name} tokenizer` };
  return { kind: 'pipeline', name, source, modelIndex, ...(schedulerConfig ? { schedulerConfig } : {}), ...refs } as PipelineValue;
}
