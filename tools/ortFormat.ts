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
import { compareModels } from '../bin/compareModels';

/** Largest |a-b| / (1 + |b|) allowed between the .onnx and the .ort outputs. */
const TOLERANCE = 1e-5;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
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
  // --keep-onnx: the .onnx stays beside the .ort (runs use the .ort; a LoRA patches the .onnx).
  const keepOnnx = args.includes('--keep-onnx');
  const [dir, ...named] = args.filter((a) => a !== '--manifest-only' && a !== '--keep-onnx');
  if (!dir) {
    console.error('usage: npx tsx tools/ortFormat.ts <suite folder> [component ...] [--keep-onnx]   (default component: unet)\n       npx tsx tools/ortFormat.ts <suite folder> --manifest-only   (rewrites manifest.json only)');
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
    const diff = (await compareModels(onnxPath, ortPath)).worst;
    if (!(diff <= TOLERANCE)) {
      rmSync(ortPath);
      console.error(`${component}: the .ort outputs differ from the .onnx by ${diff} (tolerance ${TOLERANCE}); kept model.onnx`);
      process.exit(1);
    }
    console.log(`${component}: model.onnx ${statSync(onnxPath).size} bytes -> model.ort ${statSync(ortPath).size} bytes, outputs agree within ${diff.toExponential(1)}`);
    if (!keepOnnx) rmSync(onnxPath);
  }
  const total = writeManifest(dir);
  console.log(`manifest.json rewritten; suite ${(total / 1e6).toFixed(2)} MB`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
