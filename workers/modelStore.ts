import { MODEL_FILES as LANGUAGE_MODEL_FILES } from '@/ml/text/languageModel';
import Dexie, { type Table } from 'dexie';
import { NodeRunError } from '@/engine/errors';
import { looksLikeOrt, ortSibling, safeRelativePath, verifyBytes } from '@/ml/runtime/files';
import { sha256 } from '@noble/hashes/sha2.js';
import type { ModelRef, ModelRole } from '@/ml/runtime/types';
import { fetchBytes } from '@/ml/runtime/fetchBytes';
import { readLora } from '@/ml/lora/layers';

/**
 * Imported models in IndexedDB (dexie, database `weft-models`): each file chunked (8 MB by
 * default) with its size and sha256, verified before use. Imports return values, not throws:
 * their failures (not an ONNX file, missing files, full storage) are the user's to act on.
 */

export interface StoredFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly chunks: number;
}

export interface StoredModel {
  readonly id: string;
  readonly name: string;
  /** One .onnx file, a diffusers-style folder with model_index.json, or a LoRA (.safetensors, kept under its own file name). */
  readonly kind: 'file' | 'folder' | 'lora';
  /** The role given for a single-file import. */
  readonly role?: ModelRole;
  /** Where it came from: 'file', 'folder' or the URL. */
  readonly origin: string;
  readonly files: readonly StoredFile[];
  readonly totalBytes: number;
  readonly createdAt: number;
}

interface ChunkRow {
  modelId: string;
  path: string;
  index: number;
  data: Uint8Array;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface ImportOptions {
  name?: string;
  signal?: AbortSignal;
  /** Bytes done of the whole import (downloads and writes). */
  onProgress?: (loaded: number, total?: number) => void;
}

/** A file of a folder import: from a folder picker (`webkitRelativePath`) or a drop. */
export interface FolderEntry {
  readonly path: string;
  readonly file: Blob;
}

export interface ModelStore {
  importFile(file: Blob & { name: string }, options: ImportOptions & { role: ModelRole }): Promise<StoreResult<StoredModel>>;
  importFolder(entries: readonly FolderEntry[], options?: ImportOptions): Promise<StoreResult<StoredModel>>;
  importUrl(url: string, options: ImportOptions & { role?: ModelRole; fetch?: typeof fetch }): Promise<StoreResult<StoredModel>>;
  list(): Promise<StoredModel[]>;
  get(id: string): Promise<StoredModel | undefined>;
  delete(id: string): Promise<void>;
  has(id: string, path: string): Promise<boolean>;
  /** The bytes of a stored file, verified against its sha256 (NodeRunError 'corrupt_model' otherwise). */
  read(id: string, path: string, options?: { signal?: AbortSignal; onProgress?: (loaded: number, total?: number) => void }): Promise<Uint8Array>;
  /** Browser storage used and available, when the browser says. */
  estimate(): Promise<{ usage: number; quota: number } | undefined>;
  close(): void;
}

export interface ModelStoreOptions {
  dbName?: string;
  chunkBytes?: number;
  /** For tests (fake-indexeddb); default the global indexedDB. */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
}

export const MODEL_DB_NAME = 'weft-models';
const MB = 1024 * 1024;
/** The largest LoRA import (SDXL LoRAs reach a few hundred MB; a checkpoint is GBs). */
const MAX_LORA_BYTES = 1024 * MB;

/** A protobuf ModelProto begins with field 1 (ir_version) as a varint: the byte 0x08. */
export function looksLikeOnnx(head: Uint8Array): boolean {
  return head.length > 1 && head[0] === 0x08 && head[1] > 0 && head[1] < 0x80;
}


/** What a diffusers ONNX folder needs for each component listed in model_index.json. */
export function requiredFiles(modelIndex: Record<string, unknown>): { component: string; anyOf: string[][] }[] {
  const out: { component: string; anyOf: string[][] }[] = [];
  for (const [component, value] of Object.entries(modelIndex)) {
    if (component.startsWith('_') || !Array.isArray(value) || value[0] === null || value[1] === null) continue;
    if (component.startsWith('tokenizer')) out.push({ component, anyOf: [[`${component}/tokenizer.json`], [`${component}/vocab.json`, `${component}/merges.txt`]] });
    else if (component.startsWith('scheduler')) out.push({ component, anyOf: [[`${component}/scheduler_config.json`]] });
    else if (component === 'feature_extractor' || component === 'image_processor') out.push({ component, anyOf: [[`${component}/preprocessor_config.json`]] });
    // Or the same model in ONNX Runtime's own format (Weft's shipped UNet is one).
    else out.push({ component, anyOf: [[`${component}/model.onnx`], [ortSibling(`${component}/model.onnx`)!]] });
  }
  return out;
}

/** The ModelRef of a stored file: carries the stored sha256, so sessions key on content. */
export function storedModelRef(model: StoredModel, path: string, role: ModelRole = model.role ?? 'other'): ModelRef {
  const file = model.files.find((f) => f.path === path);
  return { kind: 'model', role, source: `store:${model.id}`, path, name: `${model.name}${model.kind === 'folder' ? ` ${path.split('/')[0]}` : ''}`, ...(file ? { sha256: file.sha256 } : {}) };
}

function fail(code: string, message: string): StoreResult<never> {
  return { ok: false, code, message };
}

function isQuotaError(err: unknown): boolean {
  const e = err as { name?: string; inner?: { name?: string }; message?: string };
  return e?.name === 'QuotaExceededError' || e?.inner?.name === 'QuotaExceededError' || /quota/i.test(e?.message ?? '');
}

function mb(n: number): string {
  return `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;
}

class ModelDb extends Dexie {
  models!: Table<StoredModel, string>;
  chunks!: Table<ChunkRow, [string, string, number]>;
  constructor(name: string, options: ModelStoreOptions) {
    super(name, options.indexedDB ? { indexedDB: options.indexedDB, IDBKeyRange: options.IDBKeyRange } : undefined);
    this.version(1).stores({ models: 'id, createdAt', chunks: '[modelId+path+index], modelId' });
  }
}

export function createModelStore(options: ModelStoreOptions = {}): ModelStore {
  const db = new ModelDb(options.dbName ?? MODEL_DB_NAME, options);
  const chunkBytes = options.chunkBytes ?? 8 * MB;

  async function estimate(): Promise<{ usage: number; quota: number } | undefined> {
    const e = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
    return e && e.quota !== undefined ? { usage: e.usage ?? 0, quota: e.quota } : undefined;
  }

  /**
   * Chunks left by an import the page never finished (a reload, a closed tab): the model row is
   * written last, so chunks whose model has no row belong to no model. Cleared before each import.
   */
  async function clearOrphans(): Promise<void> {
    const models = new Set((await db.models.toCollection().primaryKeys()) as string[]);
    const orphans = new Set<string>();
    await db.chunks.orderBy('modelId').uniqueKeys((keys) => {
      for (const k of keys as string[]) if (!models.has(k)) orphans.add(k);
    });
    for (const id of orphans) await db.chunks.where('modelId').equals(id).delete();
  }

  /**
   * Writes files as one model, streaming: each file is read a chunk at a time (`read(start, end)`),
   * hashed as it goes and written, so a multi-GB UNet never sits whole in memory. The storage it
   * needs is checked first; on any failure nothing of it stays behind.
   */
  async function save(
    meta: Omit<StoredModel, 'id' | 'files' | 'totalBytes' | 'createdAt'>,
    files: readonly { path: string; size: number; read: (start: number, end: number) => Promise<Uint8Array> }[],
    opts: ImportOptions,
  ): Promise<StoreResult<StoredModel>> {
    const id = crypto.randomUUID();
    const totalBytes = files.reduce((s, f) => s + f.size, 0);
    await clearOrphans().catch(() => undefined);
    const e = await estimate();
    if (e && totalBytes > e.quota - e.usage) {
      return fail('quota_exceeded', `${meta.name} needs ${mb(totalBytes)} of browser storage; about ${mb(Math.max(0, e.quota - e.usage))} is free. Delete imported models you no longer need, or free disk space, and try again.`);
    }
    const stored: StoredFile[] = [];
    let done = 0;
    try {
      for (const f of files) {
        if (opts.signal?.aborted) throw new NodeRunError('cancelled', 'the import was cancelled');
        const hash = sha256.create();
        let chunks = 0;
        for (let offset = 0; offset < f.size || chunks === 0; offset += chunkBytes) {
          if (opts.signal?.aborted) throw new NodeRunError('cancelled', 'the import was cancelled');
          const data = await f.read(offset, Math.min(f.size, offset + chunkBytes));
          hash.update(data);
          await db.chunks.put({ modelId: id, path: f.path, index: chunks++, data });
          done += data.length;
          opts.onProgress?.(done, totalBytes);
        }
        stored.push({ path: f.path, size: f.size, sha256: hex(hash.digest()), chunks });
      }
      const model: StoredModel = { ...meta, id, files: stored, totalBytes, createdAt: Date.now() };
      await db.models.put(model);
      return { ok: true, value: model };
    } catch (err) {
      await db.chunks.where('modelId').equals(id).delete().catch(() => undefined);
      if (err instanceof NodeRunError) return fail(err.code, err.message);
      if (isQuotaError(err)) {
        const e = await estimate();
        const free = e ? `; about ${mb(Math.max(0, e.quota - e.usage))} is free` : '';
        return fail('quota_exceeded', `Not enough browser storage to import ${meta.name} (${mb(totalBytes)})${free}. Delete imported models you no longer need, or free disk space, and try again.`);
      }
      return fail('store_failed', `Could not store ${meta.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A Blob read a slice at a time (a File from a picker or a drop). */
  const sliced = (blob: Blob) => async (start: number, end: number) => new Uint8Array(await blob.slice(start, end).arrayBuffer());
  const inMemory = (bytes: Uint8Array) => async (start: number, end: number) => bytes.slice(start, end);

  async function checkOnnx(path: string, head: Uint8Array): Promise<StoreResult<never> | undefined> {
    if (path.endsWith('.ort')) {
      if (!looksLikeOrt(head)) return fail('not_onnx', `${path} is not an ONNX Runtime model (an .ort file starts with the identifier ORTM)`);
    } else if (!looksLikeOnnx(head)) return fail('not_onnx', `${path} is not an ONNX file (it does not start like an ONNX model); choose the model's .onnx export`);
    return undefined;
  }

  const headOf = async (blob: Blob) => new Uint8Array(await blob.slice(0, 16).arrayBuffer());

  /**
   * A LoRA: read whole (they are megabytes, not gigabytes) and parsed as Load LoRA parses it, so a
   * .safetensors that holds no LoRA layers is refused here, saying why. Kept under its own file name:
   * Load LoRA names it as store:<id> and that name (as a ComfyUI workflow's LoraLoader does).
   */
  async function importLora(file: Blob & { name: string }, opts: ImportOptions): Promise<StoreResult<StoredModel>> {
    if (file.size > MAX_LORA_BYTES) return fail('too_large', `${file.name} is ${mb(file.size)}; a LoRA file past ${mb(MAX_LORA_BYTES)} is not imported (is it a whole checkpoint?)`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const read = readLora(bytes, file.name);
    if (!read.ok) return fail('not_lora', read.message);
    const path = file.name.replace(/^.*[\\/]/, '');
    return save({ name: opts.name ?? path.replace(/\.safetensors$/i, ''), kind: 'lora', origin: 'file' }, [{ path, size: bytes.length, read: inMemory(bytes) }], opts);
  }

  async function importFolderEntries(entries: readonly FolderEntry[], opts: ImportOptions, origin: string): Promise<StoreResult<StoredModel>> {
    // A folder picker gives `sd-turbo/unet/model.onnx`: strip the top folder when model_index.json is under it.
    const normalised = entries.map((e) => ({ path: e.path.replace(/^\.?\//, ''), file: e.file }));
    let index = normalised.find((e) => e.path === 'model_index.json');
    let prefix = '';
    if (!index) {
      index = normalised.find((e) => /^[^/]+\/model_index\.json$/.test(e.path));
      if (index) prefix = index.path.slice(0, index.path.indexOf('/') + 1);
    }
    if (!index) return importLanguageModelFolder(normalised, opts, origin);
    const files = normalised
      .filter((e) => e.path.startsWith(prefix))
      .map((e) => ({ path: e.path.slice(prefix.length), file: e.file }))
      .filter((e) => !e.path.split('/').some((p) => p.startsWith('.')));
    let modelIndex: Record<string, unknown>;
    try {
      modelIndex = JSON.parse(await index.file.text());
    } catch (err) {
      return fail('bad_model_index', `model_index.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const have = new Set(files.map((f) => f.path));
    const missing = requiredFiles(modelIndex)
      .filter((r) => !r.anyOf.some((set) => set.every((p) => have.has(p))))
      .map((r) => r.anyOf.map((set) => set.join(' + ')).join(' or '));
    if (missing.length) return fail('missing_files', `This folder lacks files its model_index.json lists: ${missing.join(', ')}`);
    for (const f of files.filter((f) => f.path.endsWith('.onnx') || f.path.endsWith('.ort'))) {
      const bad = await checkOnnx(f.path, await headOf(f.file));
      if (bad) return bad;
    }
    const name = opts.name ?? (typeof modelIndex._weft_name === 'string' ? modelIndex._weft_name : prefix.replace(/\/$/, '') || 'imported pipeline');
    return save(
      { name, kind: 'folder', origin },
      files.map((f) => ({ path: f.path, size: f.file.size, read: sliced(f.file) })),
      opts,
    );
  }

  /**
   * A causal language model laid out as a Hugging Face ONNX export (optimum, transformers.js):
   * config.json, tokenizer.json (or vocab.json + merges.txt) and onnx/model.onnx, or
   * onnx/decoder_model_merged.onnx, or either at the top; Load Language Model opens it as store:<id>.
   */
  async function importLanguageModelFolder(entries: readonly FolderEntry[], opts: ImportOptions, origin: string): Promise<StoreResult<StoredModel>> {
    let config = entries.find((e) => e.path === 'config.json');
    let prefix = '';
    if (!config) {
      config = entries.find((e) => /^[^/]+\/config\.json$/.test(e.path));
      if (config) prefix = config.path.slice(0, config.path.indexOf('/') + 1);
    }
    if (!config) {
      return fail(
        'missing_files',
        'This folder has neither model_index.json (a diffusers-style ONNX export) nor config.json (a language model export); choose the top folder of one',
      );
    }
    const files = entries
      .filter((e) => e.path.startsWith(prefix))
      .map((e) => ({ path: e.path.slice(prefix.length), file: e.file }))
      .filter((e) => !e.path.split('/').some((p) => p.startsWith('.')));
    const have = new Set(files.map((f) => f.path));
    try {
      JSON.parse(await config.file.text());
    } catch (err) {
      return fail('bad_config', `config.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const model = LANGUAGE_MODEL_FILES.find((f) => have.has(f));
    const tokenizer = have.has('tokenizer.json') || (have.has('vocab.json') && have.has('merges.txt'));
    const lacking = [...(model ? [] : [LANGUAGE_MODEL_FILES.join(' or ')]), ...(tokenizer ? [] : ['tokenizer.json (or vocab.json + merges.txt)'])];
    if (lacking.length) return fail('missing_files', `This language model folder has config.json but lacks ${lacking.join(' and ')}`);
    // Only what Load Language Model reads: the configs, the tokenizer and the ONNX file(s) with their external data.
    const keep = files.filter((f) => /\.(json|txt|model)$/.test(f.path) || f.path.startsWith('onnx/') || f.path.endsWith('.onnx') || f.path.endsWith('.onnx_data') || f.path.endsWith('.ort'));
    for (const f of keep.filter((f) => f.path.endsWith('.onnx'))) {
      const bad = await checkOnnx(f.path, await headOf(f.file));
      if (bad) return bad;
    }
    const name = opts.name ?? (prefix.replace(/\/$/, '') || 'imported language model');
    return save(
      { name, kind: 'folder', origin },
      keep.map((f) => ({ path: f.path, size: f.file.size, read: sliced(f.file) })),
      opts,
    );
  }

  return {
    async importFile(file, opts) {
      if (/\.safetensors$/i.test(file.name)) return importLora(file, opts);
      const bad = await checkOnnx(file.name, await headOf(file));
      if (bad) return bad;
      return save(
        { name: opts.name ?? file.name.replace(/\.onnx$/i, ''), kind: 'file', role: opts.role, origin: 'file' },
        [{ path: 'model.onnx', size: file.size, read: sliced(file) }],
        opts,
      );
    },

    importFolder(entries, opts = {}) {
      return importFolderEntries(entries, opts, 'folder');
    },

    async importUrl(url, opts) {
      let parsed: URL;
      try {
        parsed = new URL(url);
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
      } catch {
        return fail('bad_url', `'${url}' is not a web address (https://…)`);
      }
      try {
        const fetchOpts = { signal: opts.signal, fetch: opts.fetch };
        const base = parsed.href.replace(/model_index\.json$/, '').replace(/\/?$/, '/');
        if (parsed.pathname.endsWith('.onnx')) {
          const bytes = await fetchBytes(parsed.href, 'the model', { ...fetchOpts, onProgress: opts.onProgress });
          const bad = await checkOnnx(parsed.pathname.split('/').pop() ?? url, bytes.subarray(0, 16));
          if (bad) return bad;
          const name = opts.name ?? decodeURIComponent(parsed.pathname.split('/').pop() ?? 'model').replace(/\.onnx$/i, '');
          return save({ name, kind: 'file', role: opts.role ?? 'other', origin: url }, [{ path: 'model.onnx', size: bytes.length, read: inMemory(bytes) }], opts);
        }
        // A folder: model_index.json, then each component's files (configs when present).
        const indexBytes = await fetchBytes(`${base}model_index.json`, 'model_index.json', fetchOpts);
        const modelIndex = JSON.parse(new TextDecoder().decode(indexBytes)) as Record<string, unknown>;
        const entries: FolderEntry[] = [{ path: 'model_index.json', file: new Blob([indexBytes as Uint8Array<ArrayBuffer>]) }];
        let loaded = 0;
        const fetchOptional = async (path: string): Promise<boolean> => {
          if (entries.some((e) => e.path === path)) return true;
          const got = await fetchBytes(`${base}${path.split('/').map(encodeURIComponent).join('/')}`, path, {
            ...fetchOpts,
            onProgress: (n) => opts.onProgress?.(loaded + n),
          }).catch((err: unknown) => {
            if (err instanceof NodeRunError && err.code === 'file_missing') return undefined;
            throw err;
          });
          if (!got) return false;
          loaded += got.length;
          entries.push({ path, file: new Blob([got as Uint8Array<ArrayBuffer>]) });
          return true;
        };
        for (const req of requiredFiles(modelIndex)) {
          // The first complete alternative wins (tokenizer.json, else vocab.json + merges.txt).
          for (const set of req.anyOf) {
            let complete = true;
            for (const path of set) complete = (await fetchOptional(path)) && complete;
            if (complete) break;
          }
          for (const extra of ['config.json', 'special_tokens_map.json', 'tokenizer_config.json']) {
            if (extra === 'config.json' || req.component.startsWith('tokenizer')) await fetchOptional(`${req.component}/${extra}`);
          }
        }
        return importFolderEntries(entries, { ...opts, name: opts.name ?? (parsed.pathname.split('/').filter(Boolean).pop() || parsed.host) }, url);
      } catch (err) {
        if (err instanceof NodeRunError) return fail(err.code, err.message);
        return fail('fetch_failed', `could not import ${url}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },

    async list() {
      return db.models.orderBy('createdAt').toArray();
    },
    get(id) {
      return db.models.get(id);
    },
    async delete(id) {
      await db.transaction('rw', db.models, db.chunks, async () => {
        await db.chunks.where('modelId').equals(id).delete();
        await db.models.delete(id);
      });
    },
    async has(id, path) {
      const model = await db.models.get(id);
      return !!model?.files.some((f) => f.path === path);
    },
    async read(id, path, opts) {
      const model = await db.models.get(id);
      if (!model) throw new NodeRunError('file_missing', `store:${id} is not in this browser's model library (deleted, or imported in another browser); import it again`);
      const rel = safeRelativePath(`store:${id}`, path);
      const file = model.files.find((f) => f.path === rel);
      if (!file) throw new NodeRunError('file_missing', `${model.name} (store:${id}) has no file '${rel}'`);
      const out = new Uint8Array(file.size);
      let offset = 0;
      for (let index = 0; index < file.chunks; index++) {
        if (opts?.signal?.aborted) throw new NodeRunError('cancelled', 'cancelled');
        const row = await db.chunks.get([id, rel, index]);
        if (!row || offset + row.data.length > file.size) break;
        out.set(row.data, offset);
        offset += row.data.length;
        opts?.onProgress?.(offset, file.size);
      }
      await verifyBytes(`${rel} of ${model.name} (store:${id})`, offset === file.size ? out : out.subarray(0, offset), file);
      return out;
    },
    estimate,
    close() {
      db.close();
    },
  };
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
