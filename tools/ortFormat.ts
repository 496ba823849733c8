/**
 * Converts models of a shipped suite from ONNX to ONNX Runtime's own format (.ort), then rewrites
 * the suite's manifest.json (every file's size and sha256, as tools/train/export.py writes it).
 *
 *   npx tsx tools/ortFormat.ts public/models/shapes-v1 unet
 *
 * Why: onnxruntime-web makes a session from an .ort file without parsing protobuf and without
 * re-running the basic graph rewrites, which on a cold page (ONNX Runtime's wasm code not yet
 * warm) took ~0.5 s off the shipped UNet's session (`npm run bench:pipeline`, see the README).
 * The file is the same model: the conversion applies only ONNX Runtime's "basic" optimisations
 * (constant folding, redundant-node removal), which every execution provider (wasm, WebGPU, CPU)
 * accepts, and this tool checks that both files give the same outputs before it removes the .onnx.
 * ORT format files load in this ONNX Runtime version and later ones.
 */
import '../lib/noTelemetry';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ortSibling } from '../ml/runtime/files';

/** Largest |a-b| / (1 + |b|) allowed between the .onnx and the .ort outputs. */
const TOLERANCE = 1e-5;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Deterministic inputs for a model: symbolic dimensions as 2, ids in [0, 64), floats in [-1, 1]. */
function feedsFor(session: ort.InferenceSession): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const meta = session.inputMetadata[i];
    if (!meta.isTensor) throw new Error(`input '${name}' is not a tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 2));
    const n = dims.reduce((a, b) => a * b, 1);
    if (meta.type === 'int64') feeds[name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, k) => BigInt((k * 7 + i) % 64)), dims);
    else if (meta.type === 'int32') feeds[name] = new ort.Tensor('int32', Int32Array.from({ length: n }, (_, k) => (k * 7 + i) % 64), dims);
    else if (meta.type === 'float32') feeds[name] = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.37 + i)), dims);
    else throw new Error(`input '${name}' is ${meta.type}; this tool feeds float32, int32 and int64`);
  });
  return feeds;
}

async function maxDifference(onnxPath: string, ortPath: string): Promise<number> {
  const a = await ort.InferenceSession.create(onnxPath, { logSeverityLevel: 3 });
  const b = await ort.InferenceSession.create(ortPath, { logSeverityLevel: 3 });
  try {
    const feeds = feedsFor(a);
    const [oa, ob] = [await a.run(feeds), await b.run(feeds)];
    let worst = 0;
    for (const name of a.outputNames) {
      const x = oa[name].data as Float32Array;
      const y = ob[name]?.data as Float32Array | undefined;
      if (!y || y.length !== x.length) throw new Error(`output '${name}' differs in shape`);
      for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(Number(x[k]) - Number(y[k])) / (1 + Math.abs(Number(x[k]))));
    }
    return worst;
  } finally {
    await a.release();
    await b.release();
  }
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** manifest.json as export.py writes it: every other file, sorted by path, with size and sha256. */
function writeManifest(dir: string): number {
  const manifestPath = join(dir, 'manifest.json');
  const old = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string }) : {};
  const files = filesUnder(dir)
    .filter((p) => p !== manifestPath)
    .map((p) => relative(dir, p).split(sep).join('/'))
    .sort();
  const manifest = { name: old.name ?? dir.split(sep).pop(), files: files.map((file) => ({ file, size: statSync(join(dir, file)).size, sha256: sha256(join(dir, file)) })) };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1));
  return manifest.files.reduce((sum, f) => sum + f.size, 0) + statSync(manifestPath).size;
}

async function main() {
  const args = process.argv.slice(2);
  const manifestOnly = args.includes('--manifest-only');
  const [dir, ...named] = args.filter((a) => a !== '--manifest-only');
  if (!dir) {
    console.error('usage: npx tsx tools/ortFormat.ts <suite folder> [component ...]   (default component: unet)\n       npx tsx tools/ortFormat.ts <suite folder> --manifest-only   (rewrites manifest.json only)');
    process.exit(2);
  }
  const components = manifestOnly ? [] : named.length ? named : ['unet'];
  for (const component of components) {
    const onnxPath = join(dir, component, 'model.onnx');
    const ortPath = join(dir, ortSibling(`${component}/model.onnx`)!);
    if (!existsSync(onnxPath)) {
      console.error(`${onnxPath} does not exist`);
      process.exit(1);
    }
    await ort.InferenceSession.create(onnxPath, { graphOptimizationLevel: 'basic', optimizedModelFilePath: ortPath, logSeverityLevel: 3 }).then((s) => s.release());
    const diff = await maxDifference(onnxPath, ortPath);
    if (!(diff <= TOLERANCE)) {
      rmSync(ortPath);
      console.error(`${component}: the .ort outputs differ from the .onnx by ${diff} (tolerance ${TOLERANCE}); kept model.onnx`);
      process.exit(1);
    }
    console.log(`${component}: model.onnx ${statSync(onnxPath).size} bytes -> model.ort ${statSync(ortPath).size} bytes, outputs agree within ${diff.toExponential(1)}`);
    rmSync(onnxPath);
  }
  const total = writeManifest(dir);
  console.log(`manifest.json rewritten; suite ${(total / 1e6).toFixed(2)} MB`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
