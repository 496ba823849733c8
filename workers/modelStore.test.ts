import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Dexie from 'dexie';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterAll, describe, expect, test } from 'vitest';
import { NodeRunError } from '@/engine/errors';
import { fakeUnet, identityOf } from '@/ml/runtime/testModels';
import { REPO_ROOT } from '@/bin/nodeFiles';
import { writeSafetensors } from '@/ml/lora/safetensors';
import { createBrowserFiles } from './files';
import { createModelStore, storedModelRef, type StoreResult, type StoredModel } from './modelStore';

const dbName = `weft-models-test-${Math.random()}`;
const store = createModelStore({ dbName, chunkBytes: 1000, indexedDB, IDBKeyRange });
afterAll(() => store.close());

const unetBytes = fakeUnet();
const asFile = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name);
const text = (s: string) => new Blob([s]);

function ok(r: StoreResult<StoredModel>): StoredModel {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

/** A fetch over an in-memory site, with Content-Length like a static server. */
function fakeFetch(site: Record<string, Uint8Array>): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const f = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(url);
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const body = site[url];
    if (!body) return new Response('not found', { status: 404 });
    return new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(body.length) } });
  };
  return Object.assign(f, { calls }) as typeof fetch & { calls: string[] };
}

describe('model store: LoRAs', () => {
  test('a .safetensors LoRA is stored under its own file name, as Load LoRA and a ComfyUI LoraLoader name it', async () => {
    const shipped = new Uint8Array(await readFile(join(REPO_ROOT, 'public/models/shapes-v1/loras/heart.safetensors')));
    const m = ok(await store.importFile(asFile(shipped, 'heart.safetensors'), { role: 'other' }));
    expect(m).toMatchObject({ kind: 'lora', name: 'heart', files: [{ path: 'heart.safetensors', size: shipped.length }] });
    expect(Buffer.from(await store.read(m.id, 'heart.safetensors')).equals(Buffer.from(shipped))).toBe(true);
  });

  test('a .safetensors that holds no LoRA layers is refused, saying so', async () => {
    const notLora = writeSafetensors(new Map([['model.diffusion_model.input_blocks.0.0.weight', { shape: [2, 2], values: [1, 2, 3, 4] }]]));
    const r = await store.importFile(asFile(notLora, 'checkpoint.safetensors'), { role: 'other' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r).toMatchObject({ code: 'not_lora', message: expect.stringContaining('checkpoint.safetensors') });
    const junk = await store.importFile(asFile(new TextEncoder().encode('not a safetensors file'), 'x.safetensors'), { role: 'other' });
    expect(junk.ok).toBe(false);
  });
});

describe('model store', () => {
  test('imports one .onnx file chunked, lists it and reads it back verified', async () => {
    const progress: number[] = [];
    const model = ok(await store.importFile(asFile(unetBytes, 'my-unet.onnx'), { role: 'unet', onProgress: (n) => progress.push(n) }));
    expect(model.name).toBe('my-unet');
    expect(model.files[0].path).toBe('model.onnx');
    expect(model.files[0].size).toBe(unetBytes.length);
    expect(model.files[0].chunks).toBe(Math.ceil(unetBytes.length / 1000));
    expect(progress.at(-1)).toBe(unetBytes.length);
    expect((await store.list()).map((m) => m.id)).toContain(model.id);
    expect(await store.read(model.id, 'model.onnx')).toEqual(unetBytes);
    const ref = storedModelRef(model, 'model.onnx');
    expect(ref).toMatchObject({ role: 'unet', source: `store:${model.id}`, sha256: model.files[0].sha256 });
  });

  test('refuses a file that is not ONNX', async () => {
    const r = await store.importFile(asFile(new TextEncoder().encode('<html>404</html>'), 'page.onnx'), { role: 'unet' });
    expect(r).toEqual({ ok: false, code: 'not_onnx', message: "page.onnx is not an ONNX file (it does not start like an ONNX model); choose the model's .onnx export" });
  });

  test('a tampered chunk is found before use', async () => {
    const model = ok(await store.importFile(asFile(identityOf('float32', [2]), 'id.onnx'), { role: 'other' }));
    const raw = new Dexie(dbName, { indexedDB, IDBKeyRange });
    raw.version(1).stores({ models: 'id, createdAt', chunks: '[modelId+path+index], modelId' });
    const row = await raw.table('chunks').get([model.id, 'model.onnx', 0]);
    row.data[row.data.length - 1] ^= 0xff;
    await raw.table('chunks').put(row);
    raw.close();
    const err = await store.read(model.id, 'model.onnx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeRunError);
    expect((err as NodeRunError).code).toBe('corrupt_model');
    expect((err as NodeRunError).message).toContain(`model.onnx of id (store:${model.id}) is corrupt or was replaced`);
    expect((err as NodeRunError).message).toContain(model.files[0].sha256);
  });

  test('imports a diffusers folder from a folder picker; names missing files', async () => {
    const index = JSON.stringify({ _class_name: 'StableDiffusionPipeline', unet: ['diffusers', 'UNet2DConditionModel'], tokenizer: ['transformers', 'CLIPTokenizer'], scheduler: ['diffusers', 'EulerDiscreteScheduler'], safety_checker: [null, null] });
    const entries = [
      { path: 'tiny-sd/model_index.json', file: text(index) },
      { path: 'tiny-sd/tokenizer/vocab.json', file: text('{}') },
      { path: 'tiny-sd/.DS_Store', file: text('x') },
    ];
    const missing = await store.importFolder(entries);
    expect(missing).toEqual({
      ok: false,
      code: 'missing_files',
      message: 'This folder lacks files its model_index.json lists: unet/model.onnx or unet/model.ort, tokenizer/tokenizer.json or tokenizer/vocab.json + tokenizer/merges.txt, scheduler/scheduler_config.json',
    });
    const full = ok(
      await store.importFolder([
        ...entries,
        { path: 'tiny-sd/tokenizer/merges.txt', file: text('#version') },
        { path: 'tiny-sd/scheduler/scheduler_config.json', file: text('{}') },
        { path: 'tiny-sd/unet/model.onnx', file: new Blob([unetBytes as Uint8Array<ArrayBuffer>]) },
      ]),
    );
    expect(full.name).toBe('tiny-sd');
    expect(full.files.map((f) => f.path).sort()).toEqual(['model_index.json', 'scheduler/scheduler_config.json', 'tokenizer/merges.txt', 'tokenizer/vocab.json', 'unet/model.onnx']);
    expect(await store.has(full.id, 'unet/model.onnx')).toBe(true);
    expect(await store.importFolder([{ path: 'x/readme.md', file: text('hi') }])).toMatchObject({ ok: false, code: 'missing_files' });
    // A UNet in ONNX Runtime's format stands for model.onnx; a file that only claims to be one is refused.
    const withOrt = (bytes: Uint8Array) => [
      ...entries,
      { path: 'tiny-sd/tokenizer/merges.txt', file: text('#version') },
      { path: 'tiny-sd/scheduler/scheduler_config.json', file: text('{}') },
      { path: 'tiny-sd/unet/model.ort', file: new Blob([bytes as Uint8Array<ArrayBuffer>]) },
    ];
    const ortBytes = new Uint8Array(await readFile(join(REPO_ROOT, 'public/models/shapes-v1/unet/model.ort')));
    expect(ok(await store.importFolder(withOrt(ortBytes))).files.map((f) => f.path)).toContain('unet/model.ort');
    expect(await store.importFolder(withOrt(unetBytes))).toMatchObject({ ok: false, code: 'not_onnx', message: expect.stringContaining('unet/model.ort is not an ONNX Runtime model') });
  });

  test('imports from a URL with progress, only when asked; a cancelled import leaves nothing', async () => {
    const fetch = fakeFetch({ 'https://example.test/m/unet.onnx': unetBytes });
    const seen: (number | undefined)[][] = [];
    const model = ok(await store.importUrl('https://example.test/m/unet.onnx', { role: 'unet', fetch, onProgress: (n, t) => seen.push([n, t]) }));
    expect(model.origin).toBe('https://example.test/m/unet.onnx');
    expect(seen[0]).toEqual([unetBytes.length, unetBytes.length]);
    expect(await store.read(model.id, 'model.onnx')).toEqual(unetBytes);
    const before = (await store.list()).length;
    const ctl = new AbortController();
    ctl.abort();
    expect(await store.importUrl('https://example.test/m/unet.onnx', { fetch, signal: ctl.signal })).toMatchObject({ ok: false, code: 'cancelled' });
    expect(await store.importUrl('https://example.test/m/gone.onnx', { fetch })).toMatchObject({ ok: false, code: 'file_missing' });
    expect(await store.importUrl('ftp://x', { fetch })).toMatchObject({ ok: false, code: 'bad_url' });
    expect((await store.list()).length).toBe(before);
  });

  test('imports a diffusers folder from a URL', async () => {
    const base = 'https://example.test/sd/';
    const fetch = fakeFetch({
      [`${base}model_index.json`]: new TextEncoder().encode(JSON.stringify({ unet: ['diffusers', 'UNet'] })),
      [`${base}unet/model.onnx`]: unetBytes,
      [`${base}unet/config.json`]: new TextEncoder().encode('{"sample_size":16}'),
    });
    const model = ok(await store.importUrl(base, { fetch }));
    expect(model.kind).toBe('folder');
    expect(model.files.map((f) => f.path).sort()).toEqual(['model_index.json', 'unet/config.json', 'unet/model.onnx']);
  });

  test('storage-full errors come back as a sentence', async () => {
    const full = new Blob([unetBytes as Uint8Array<ArrayBuffer>]);
    // The head reads (the ONNX check); the first chunk write runs out of room.
    const slice = full.slice.bind(full);
    Object.defineProperty(full, 'slice', {
      value: (a?: number, b?: number) => {
        const part = slice(a, b);
        if (b !== 16) Object.defineProperty(part, 'arrayBuffer', { value: () => Promise.reject(new DOMException('quota', 'QuotaExceededError')) });
        return part;
      },
    });
    const file = Object.assign(full, { name: 'big.onnx' });
    const r = await store.importFile(file, { role: 'unet' });
    expect(r).toMatchObject({ ok: false, code: 'quota_exceeded' });
    expect(r.ok ? '' : r.message).toMatch(/^Not enough browser storage to import big \(.* MB\)(; about .* is free)?\. Delete imported models/);
  });

  test('delete removes the model and its chunks', async () => {
    const model = ok(await store.importFile(asFile(unetBytes, 'gone.onnx'), { role: 'unet' }));
    await store.delete(model.id);
    expect(await store.get(model.id)).toBeUndefined();
    await expect(store.read(model.id, 'model.onnx')).rejects.toThrow(/is not in this browser's model library/);
  });
});

describe('model store: big imports', () => {
  /** A File that can only be read in slices: reading it whole (arrayBuffer) fails the test. */
  function sliceOnly(bytes: Uint8Array, name: string): File & { slices: number } {
    const real = asFile(bytes, name);
    const f = {
      name,
      size: real.size,
      type: '',
      slices: 0,
      slice: (a?: number, b?: number) => (f.slices++, real.slice(a, b)),
      arrayBuffer: () => Promise.reject(new Error('read whole')),
      text: () => Promise.reject(new Error('read whole')),
    };
    return f as unknown as File & { slices: number };
  }

  test('streams a file chunk by chunk, hashing as it goes, never reading it whole', async () => {
    const big = new Uint8Array(25_000 + unetBytes.length);
    big.set(unetBytes);
    for (let i = unetBytes.length; i < big.length; i++) big[i] = (i * 31) % 251;
    const file = sliceOnly(big, 'big.onnx');
    const progress: number[] = [];
    const m = ok(await store.importFile(file, { role: 'unet', onProgress: (n) => progress.push(n) }));
    expect(m.files[0].chunks).toBe(Math.ceil(big.length / 1000));
    const expected = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', big)), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(m.files[0].sha256).toBe(expected);
    expect(file.slices).toBeGreaterThanOrEqual(m.files[0].chunks);
    expect(progress.at(-1)).toBe(big.length);
    expect(Buffer.from(await store.read(m.id, 'model.onnx')).equals(Buffer.from(big))).toBe(true);
    await store.delete(m.id);
  });

  test('says the storage it needs before writing a byte', async () => {
    const storage = { estimate: async () => ({ usage: 900, quota: 1000 }) };
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { storage }, configurable: true });
    try {
      const before = (await store.list()).length;
      const r = await store.importFile(asFile(unetBytes, 'unet.onnx'), { name: 'Roomy', role: 'unet' });
      expect(r).toMatchObject({ ok: false, code: 'quota_exceeded' });
      expect(!r.ok && r.message).toMatch(/^Roomy needs 0\.\d MB of browser storage; about 0\.0 MB is free\./);
      expect((await store.list()).length).toBe(before);
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  test('an import cut off by a reload leaves no model and its chunks are cleared by the next import', async () => {
    // What a reload mid-import leaves: chunks written, the model row (written last) never.
    const raw = new Dexie(dbName, { indexedDB, IDBKeyRange });
    raw.version(1).stores({ models: 'id, createdAt', chunks: '[modelId+path+index], modelId' });
    await raw.table('chunks').bulkPut([0, 1, 2].map((index) => ({ modelId: 'cut-off', path: 'unet/model.onnx', index, data: new Uint8Array(1000) })));
    expect(await raw.table('chunks').where('modelId').equals('cut-off').count()).toBe(3);
    expect((await store.list()).some((m) => m.id === 'cut-off')).toBe(false);
    const m = ok(await store.importFile(asFile(unetBytes, 'unet.onnx'), { role: 'unet' }));
    expect(await raw.table('chunks').where('modelId').equals('cut-off').count()).toBe(0);
    expect(await raw.table('chunks').where('modelId').equals(m.id).count()).toBe(m.files[0].chunks);
    raw.close();
    await store.delete(m.id);
  });
});

describe('browser files', () => {
  const suite = join(REPO_ROOT, 'public', 'models', 'shapes-v1');
  test('shipped files come over fetch, verified by the manifest; url: needs an import', async () => {
    const manifest = await readFile(join(suite, 'manifest.json'));
    const index = await readFile(join(suite, 'model_index.json'));
    const site = { '/models/shapes-v1/manifest.json': new Uint8Array(manifest), '/models/shapes-v1/model_index.json': new Uint8Array(index) };
    const files = createBrowserFiles({ store, fetch: fakeFetch(site) });
    const progress: number[] = [];
    expect(await files.read('shipped:shapes-v1', 'model_index.json', { onProgress: (n) => progress.push(n) })).toEqual(new Uint8Array(index));
    expect(progress.at(-1)).toBe(index.length);
    expect(await files.exists('shipped:shapes-v1', 'unet/model.onnx')).toBe(true);
    expect(await files.exists('shipped:shapes-v1', 'manifest.json')).toBe(true);
    expect(await files.exists('shipped:shapes-v1', 'unet/nothing.onnx')).toBe(false);
    await expect(files.read('url:https://example.test/x', 'model.onnx')).rejects.toMatchObject({ code: 'not_imported' });

    const tampered = createBrowserFiles({ fetch: fakeFetch({ ...site, '/models/shapes-v1/model_index.json': new TextEncoder().encode('{}') }) });
    await expect(tampered.read('shipped:shapes-v1', 'model_index.json')).rejects.toMatchObject({ code: 'corrupt_model' });
  });

  test('store: sources read from the model store', async () => {
    const model = ok(await store.importFile(asFile(unetBytes, 'u.onnx'), { role: 'unet' }));
    const files = createBrowserFiles({ store, fetch: fakeFetch({}) });
    expect(await files.read(`store:${model.id}`, 'model.onnx')).toEqual(unetBytes);
    expect(await files.exists(`store:${model.id}`, 'model.onnx')).toBe(true);
    await expect(files.read(`store:${model.id}`, '../x')).rejects.toMatchObject({ code: 'bad_path' });
  });
});

describe('language model folders', () => {
  const suite = join(REPO_ROOT, 'public', 'models', 'shapes-lm-v1');
  const names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model.onnx', 'MODEL_CARD.md'];

  test('imports a Hugging Face-style language model folder; Load Language Model opens it from store: and writes what the shipped one does', async () => {
    const entries = await Promise.all(names.map(async (n) => ({ path: `shapes-lm-copy/${n}`, file: new Blob([(await readFile(join(suite, n))) as Uint8Array<ArrayBuffer>]) })));
    const lacking = await store.importFolder(entries.filter((e) => !e.path.endsWith('tokenizer.json')));
    expect(lacking).toEqual({ ok: false, code: 'missing_files', message: 'This language model folder has config.json but lacks tokenizer.json (or vocab.json + merges.txt)' });
    const model = ok(await store.importFolder(entries));
    expect(model.name).toBe('shapes-lm-copy');
    expect(model.files.map((f) => f.path).sort()).toEqual(names.filter((n) => n !== 'MODEL_CARD.md').sort());

    const ort = await import('onnxruntime-web');
    const { createMlServices } = await import('@/ml/runtime/createMlServices');
    const { openLanguageModel, OnnxCausalLM } = await import('@/ml/text/languageModel');
    const { tokenizerFor } = await import('@/ml/runtime/tokenizers');
    const { generate } = await import('@/ml/text/generate');
    const { createNodeFiles } = await import('@/bin/nodeFiles');
    const write = async (files: import('@/ml/runtime/types').FileAccess, source: string) => {
      const ml = createMlServices({ ort, backend: 'wasm', backendReason: 'test', files });
      const { ref, session } = await openLanguageModel(ml, source, '', '');
      const tok = await tokenizerFor(ml, ref.tokenizer);
      const ids = Array.from(tok.encode('Prompt: two small', { padding: 'none', truncation: false }).ids);
      const r = await generate(new OnnxCausalLM(ml, ref, session), { prompts: [ids], mode: 'greedy', maxNewTokens: 12, eosTokenIds: ref.eosTokenIds, padTokenId: ref.padTokenId });
      return tok.decode(r.sequences[0]);
    };
    const imported = await write(createBrowserFiles({ store, fetch: fakeFetch({}) }), `store:${model.id}`);
    const shipped = await write(createNodeFiles({}), 'shipped:shapes-lm-v1');
    expect(imported.length).toBeGreaterThan(5);
    expect(imported).toBe(shipped);
  });

  test('a folder with neither model_index.json nor config.json says what it needs', async () => {
    expect(await store.importFolder([{ path: 'x/readme.md', file: text('hi') }])).toEqual({
      ok: false,
      code: 'missing_files',
      message: 'This folder has neither model_index.json (a diffusers-style ONNX export) nor config.json (a language model export); choose the top folder of one',
    });
  });
});
