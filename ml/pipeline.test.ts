import { describe, expect, it } from 'vitest';
import { createNodeFiles, REPO_ROOT } from '@/bin/nodeFiles';
import type { FileAccess } from './runtime/types';
import { loadPipeline, parseLooseJson } from './pipeline';

/** Real file access over the shipped suite, counting what is read. */
function counting(inner: FileAccess = createNodeFiles()) {
  const reads: string[] = [];
  const files: FileAccess = {
    read: (source, path, opts) => {
      reads.push(`${source} ${path}`);
      return inner.read(source, path, opts);
    },
    exists: (source, path) => inner.exists(source, path),
  };
  return { files, reads };
}

describe('loadPipeline', () => {
  it('reads a shipped suite once per file access and hands out the same value', async () => {
    const { files, reads } = counting();
    const a = await loadPipeline(files, 'shipped:shapes-v1');
    const first = reads.length;
    expect(first).toBeGreaterThan(2);
    const b = await loadPipeline(files, 'shipped:shapes-v1');
    expect(reads.length).toBe(first);
    expect(b).toBe(a);
    expect(a.unet?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Another file access (another runtime) reads for itself.
    const other = counting();
    await loadPipeline(other.files, 'shipped:shapes-v1');
    expect(other.reads.length).toBe(first);
  });

  it("takes a component's model.ort when it has no model.onnx (the shipped UNet), from a manifest or from disk", async () => {
    const shipped = await loadPipeline(counting().files, 'shipped:shapes-v1');
    expect(shipped.unet?.path).toBe('unet/model.ort');
    expect(shipped.textEncoder?.path).toBe('text_encoder/model.onnx');
    expect(shipped.vae?.path).toBe('vae_decoder/model.ort');
    const disk = await loadPipeline(counting().files, `dir:${REPO_ROOT}public/models/shapes-v1`);
    expect(disk.unet?.path).toBe('unet/model.ort');
    expect(disk.unet?.sha256).toBe(shipped.unet?.sha256);
  });

  it('reads a folder on disk every time (it may have been edited)', async () => {
    const { files, reads } = counting();
    const dir = `dir:${REPO_ROOT}public/models/shapes-v1`;
    await loadPipeline(files, dir);
    const first = reads.length;
    await loadPipeline(files, dir);
    expect(reads.length).toBe(2 * first);
  });

  it('does not keep a failure, and a cancelled caller gets cancelled', async () => {
    let broken = true;
    const inner = createNodeFiles();
    const files: FileAccess = {
      read: (source, path, opts) => (broken && path === 'model_index.json' ? Promise.reject(new Error('disk hiccup')) : inner.read(source, path, opts)),
      exists: (source, path) => inner.exists(source, path),
    };
    await expect(loadPipeline(files, 'shipped:shapes-v1')).rejects.toThrow('disk hiccup');
    broken = false;
    await expect(loadPipeline(files, 'shipped:shapes-v1')).resolves.toMatchObject({ kind: 'pipeline', name: expect.any(String) });
    const aborted = AbortSignal.abort();
    await expect(loadPipeline(files, 'shipped:shapes-v1', aborted)).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('parseLooseJson', () => {
  it('reads plain JSON, and Python-style NaN and Infinity as null', () => {
    expect(parseLooseJson('{"a": [1, 2], "b": "NaN, x"}', 'x.json')).toEqual({ a: [1, 2], b: 'NaN, x' });
    expect(parseLooseJson('{"lo": -Infinity, "hi": Infinity, "v": [NaN, 1]}', 'x.json')).toEqual({ lo: null, hi: null, v: [null, 1] });
  });

  it('names the file and what is wrong', () => {
    expect(() => parseLooseJson('{"a": 1,', 'unet/config.json in shipped:x')).toThrow(/^unet\/config\.json in shipped:x is not valid JSON: /);
  });
});
