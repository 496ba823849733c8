/**
 * `weft quantize`: an fp16 or int8 copy of a model file or of a model folder (a diffusers-layout
 * pipeline, a language-model folder), each rewritten model checked against its original on the
 * same inputs before it is written, and the folder's manifest.json rewritten with the new hashes.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { quantizeModel, type QuantizeTo } from '@/ml/quantize/quantize';
import { compareModels } from './compareModels';

/** Largest output difference, |a − b| / (1 + |a|), a quantized copy may show on the check inputs. */
export const QUANTIZE_TOLERANCE: Record<QuantizeTo, number> = { fp16: 1e-2, int8: 5e-2 };

interface Options {
  to: string;
  out?: string;
  force?: boolean;
}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

async function quantizeOne(source: string, target: string, to: QuantizeTo): Promise<{ ok: true; line: string; before: number; after: number } | { ok: false; line: string }> {
  const bytes = readFileSync(source);
  const q = quantizeModel(bytes, to);
  if (!q.ok) return { ok: false, line: `${source}: ${q.message}` };
  let diff;
  try {
    diff = await compareModels(bytes, q.model);
  } catch (err) {
    return { ok: false, line: `${source}: the ${to} copy does not run: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
  if (!(diff.worst <= QUANTIZE_TOLERANCE[to])) {
    return { ok: false, line: `${source}: the ${to} copy's outputs differ from the original's by ${diff.worst.toExponential(2)} (allowed ${QUANTIZE_TOLERANCE[to]}); kept the original` };
  }
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, q.model);
  const r = q.report;
  return {
    ok: true,
    before: r.bytesBefore,
    after: r.bytesAfter,
    line: `${source}: ${r.tensors} weights to ${to}, ${mb(r.bytesBefore)} -> ${mb(r.bytesAfter)} (${(r.bytesAfter / r.bytesBefore).toFixed(2)}×); weights within ${r.maxRelativeError.toExponential(1)} of their peak, outputs within ${diff.relativeToPeak.toExponential(1)} on the check inputs`,
  };
}

export async function quantizeCommand(input: string, opts: Options): Promise<number> {
  if (opts.to !== 'fp16' && opts.to !== 'int8') {
    process.stderr.write(`--to must be fp16 or int8, not '${opts.to}'\n`);
    return 2;
  }
  const to: QuantizeTo = opts.to;
  if (!existsSync(input)) {
    process.stderr.write(`${input}: no such file or folder\n`);
    return 2;
  }
  if (statSync(input).isFile()) {
    const out = opts.out ?? input.replace(/(\.onnx)?$/, `.${to}.onnx`);
    if (existsSync(out) && !opts.force) {
      process.stderr.write(`${out} exists; pass --force to replace it\n`);
      return 2;
    }
    const r = await quantizeOne(input, out, to);
    process.stderr.write(r.line + '\n');
    if (r.ok) process.stderr.write(`wrote ${out}\n`);
    return r.ok ? 0 : 1;
  }

  const dir = path.resolve(input);
  const out = path.resolve(opts.out ?? `${dir.replace(/[\\/]+$/, '')}-${to}`);
  if (out === dir || out.startsWith(dir + path.sep)) {
    process.stderr.write(`the copy must go outside ${input} (-o names another folder)\n`);
    return 2;
  }
  if (existsSync(out) && !opts.force) {
    process.stderr.write(`${out} exists; pass --force to replace what it holds\n`);
    return 2;
  }
  const files = filesUnder(dir).map((f) => path.relative(dir, f));
  const models = files.filter((f) => f.endsWith('.onnx'));
  if (models.length === 0) {
    process.stderr.write(`${input} holds no .onnx model files\n`);
    return 1;
  }
  let failed = 0;
  let before = 0;
  let after = 0;
  const done = new Set<string>();
  for (const f of models) {
    const r = await quantizeOne(path.join(dir, f), path.join(out, f), to);
    process.stderr.write(r.line + '\n');
    if (r.ok) {
      done.add(f);
      before += r.before;
      after += r.after;
    } else failed++;
  }
  for (const f of files) {
    if (done.has(f) || f === 'manifest.json') continue;
    // An .ort beside an .onnx that was quantized would run instead of it: it is left out.
    const onnx = f.replace(/\.ort$/, '.onnx');
    if (f.endsWith('.ort') && done.has(onnx)) {
      process.stderr.write(`${f}: left out (ONNX Runtime's format of the original; the ${to} .onnx is used)\n`);
      continue;
    }
    mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    copyFileSync(path.join(dir, f), path.join(out, f));
  }
  if (files.includes('manifest.json')) writeManifest(out, JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { name?: string }, to);
  process.stderr.write(`${done.size} of ${models.length} models quantized to ${to}: ${mb(before)} -> ${mb(after)}; wrote ${out}\n`);
  return failed ? 1 : 0;
}

/** The copy's manifest: every file with its size and sha256, and a name that says what it is. */
function writeManifest(dir: string, old: { name?: string }, to: QuantizeTo): void {
  const files = filesUnder(dir)
    .map((f) => path.relative(dir, f).split(path.sep).join('/'))
    .filter((f) => f !== 'manifest.json')
    .sort();
  const manifest = {
    name: `${typeof old.name === 'string' ? old.name : path.basename(dir)}-${to}`,
    files: files.map((file) => ({ file, size: statSync(path.join(dir, file)).size, sha256: createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex') })),
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
}
