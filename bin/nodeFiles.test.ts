import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { NodeRunError } from '@/engine/errors';
import { parseManifest, withShippedHash } from '@/ml/runtime/files';
import { createNodeFiles, REPO_ROOT } from './nodeFiles';

const tmp = await mkdtemp(join(tmpdir(), 'weft-files-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(NodeRunError);
  return `${(err as NodeRunError).code}: ${(err as NodeRunError).message}`;
}

describe('node files', () => {
  const files = createNodeFiles();

  test('reads shipped files from public/models, verified by the manifest', async () => {
    const index = JSON.parse(new TextDecoder().decode(await files.read('shipped:shapes-v1', 'model_index.json')));
    expect(index._class_name).toBe('StableDiffusionPipeline');
    expect(await files.exists('shipped:shapes-v1', 'unet/model.onnx')).toBe(true);
    expect(await files.exists('shipped:shapes-v1', 'nope/model.onnx')).toBe(false);
    expect(REPO_ROOT.endsWith('/')).toBe(true);
  });

  test('shipped model refs get their sha256 from the manifest; the UNet ships as .ort (runs) and .onnx (LoRA, quantize)', async () => {
    const manifest = parseManifest('shipped:shapes-v1', await files.read('shipped:shapes-v1', 'manifest.json'));
    const ref = await withShippedHash(files, { kind: 'model', role: 'unet', source: 'shipped:shapes-v1', path: 'unet/model.onnx', name: 'unet' });
    expect(ref.sha256).toBe(manifest.files.find((f) => f.file === 'unet/model.onnx')?.sha256);
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    const ort = await withShippedHash(files, { kind: 'model', role: 'unet', source: 'shipped:shapes-v1', path: 'unet/model.ort', name: 'unet' });
    expect(ort.sha256).toBe(manifest.files.find((f) => f.file === 'unet/model.ort')?.sha256);
    expect(ort.sha256).not.toBe(ref.sha256);
  });

  test('a model a suite ships only as .ort is read by its .onnx name too (the same verified bytes)', async () => {
    const suite = join(tmp, 'models', 'ortonly');
    await mkdir(join(suite, 'unet'), { recursive: true });
    const bytes = await readFile(join(REPO_ROOT, 'public/models/shapes-v1/unet/model.ort'));
    const sha = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
    await writeFile(join(suite, 'manifest.json'), JSON.stringify({ name: 'ortonly', files: [{ file: 'unet/model.ort', size: bytes.length, sha256: sha }] }));
    await writeFile(join(suite, 'unet', 'model.ort'), bytes);
    const local = createNodeFiles({ shippedRoot: join(tmp, 'models') });
    const ort = await local.read('shipped:ortonly', 'unet/model.ort');
    expect(new TextDecoder().decode(ort.subarray(4, 8))).toBe('ORTM');
    expect(Buffer.from(await local.read('shipped:ortonly', 'unet/model.onnx')).equals(Buffer.from(ort))).toBe(true);
    expect(await local.exists('shipped:ortonly', 'unet/model.ort')).toBe(true);
    // Only model.onnx is an alias: other names are not guessed.
    expect(await local.exists('shipped:ortonly', 'unet/weights.onnx')).toBe(false);
  });

  test('a tampered shipped file is corrupt_model naming the file and both hashes', async () => {
    const suite = join(tmp, 'models', 'tiny');
    await mkdir(join(suite, 'unet'), { recursive: true });
    const good = new TextEncoder().encode('{"ok":true}');
    const sha = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', good)), (b) => b.toString(16).padStart(2, '0')).join('');
    await writeFile(join(suite, 'manifest.json'), JSON.stringify({ name: 'tiny', files: [{ file: 'unet/config.json', size: good.length, sha256: sha }] }));
    await writeFile(join(suite, 'unet', 'config.json'), good);
    const local = createNodeFiles({ shippedRoot: join(tmp, 'models') });
    expect(await local.read('shipped:tiny', 'unet/config.json')).toEqual(good);
    await writeFile(join(suite, 'unet', 'config.json'), '{"ok":false}');
    const fresh = createNodeFiles({ shippedRoot: join(tmp, 'models') });
    const msg = await code(fresh.read('shipped:tiny', 'unet/config.json'));
    expect(msg).toMatch(/^corrupt_model: unet\/config\.json of shipped:tiny is corrupt or was replaced: sha256 [0-9a-f]{64} \(12 bytes\) but expected /);
    expect(msg).toContain(sha);
  });

  test('dir: sources read from disk; a missing file is named', async () => {
    await writeFile(join(tmp, 'a.txt'), 'hello');
    expect(new TextDecoder().decode(await files.read(`dir:${tmp}`, 'a.txt'))).toBe('hello');
    expect(await code(files.read(`dir:${tmp}`, 'b.txt'))).toBe(`file_missing: dir:${tmp} has no file 'b.txt'`);
  });

  test('paths cannot leave their source', async () => {
    expect(await code(files.read('shipped:shapes-v1', '../../package.json'))).toMatch(/^bad_path: '..\/..\/package.json' is not a file path inside shipped:shapes-v1/);
    expect(await code(files.read(`dir:${tmp}`, '/etc/passwd'))).toMatch(/^bad_path/);
    expect(await code(files.read(`dir:${tmp}`, 'a/../../x'))).toMatch(/^bad_path/);
    expect(await code(files.read('shipped:../etc', 'passwd'))).toMatch(/^bad_source/);
    expect(await code(files.read('store:abc', 'x'))).toMatch(/^bad_source: store:abc is a model imported in the browser/);
    await expect(readFile(join(REPO_ROOT, 'package.json'))).resolves.toBeTruthy();
  });
});
