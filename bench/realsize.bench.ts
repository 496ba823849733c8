/**
 * `npm run bench:realsize [-- --scale tiny] [-- --variants sd-turbo,sd15] [-- --backend cpu|wasm]`
 *
 * Real-size Stable Diffusion exports, proven without downloads: writes the structure-faithful
 * stand-ins (tools/standins; SD-Turbo's UNet has its 865,910,724 parameters, fp32 weights as
 * external data) into a temp folder, then for each one, in a fresh process each so peak memory is
 * its own, measures how Weft loads the UNet (read + session creation, through its model services
 * and a `dir:` source) and runs one UNet call at 32×32 and 64×64 latents, against a plain
 * onnxruntime script doing the same. Prints the figures and ratios; the last line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeStandIn, type Scale, type Variant } from '../tools/standins/write';

type Mode = 'weft' | 'plain';
interface Figures {
  loadMs: number;
  sessionMs: number;
  step32Ms: number;
  step64Ms: number;
  peakRssMb: number;
}

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

async function child(mode: Mode, dir: string, backend: 'cpu' | 'wasm'): Promise<Figures> {
  const ort = backend === 'cpu' ? await import('onnxruntime-node') : await import('onnxruntime-web');
  if (backend === 'wasm') (ort as typeof import('onnxruntime-web')).env.wasm.numThreads = 1;
  const cfg = JSON.parse(readFileSync(path.join(dir, 'unet/config.json'), 'utf8')) as { cross_attention_dim: number };
  const tsDtype = readFileSync(path.join(dir, 'scheduler/scheduler_config.json'), 'utf8').includes('PNDM') ? 'int64' : 'float32';
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 50);
  let loadMs = 0;
  let sessionMs = 0;
  let run: (size: number) => Promise<void>;
  if (mode === 'plain') {
    // The plain script hands ONNX Runtime the path (it reads the weights beside the model itself);
    // on wasm, which has no file system, the bytes. Reading is then part of its session time.
    const t1 = performance.now();
    const s =
      backend === 'cpu'
        ? await ort.InferenceSession.create(path.join(dir, 'unet/model.onnx'), { executionProviders: [backend] } as never)
        : await ort.InferenceSession.create(readFileSync(path.join(dir, 'unet/model.onnx')), { executionProviders: [backend], externalData: [{ path: 'model.onnx_data', data: readFileSync(path.join(dir, 'unet/model.onnx_data')) }] } as never);
    sessionMs = performance.now() - t1;
    run = async (size) => {
      const Tensor = ort.Tensor as unknown as new (t: string, d: unknown, dims: number[]) => unknown;
      const feeds = {
        sample: new Tensor('float32', new Float32Array(4 * size * size).fill(0.5), [1, 4, size, size]),
        timestep: tsDtype === 'int64' ? new Tensor('int64', BigInt64Array.from([999n]), [1]) : new Tensor('float32', Float32Array.from([999]), [1]),
        encoder_hidden_states: new Tensor('float32', new Float32Array(77 * cfg.cross_attention_dim).fill(0.1), [1, 77, cfg.cross_attention_dim]),
      };
      await (s as unknown as { run(f: unknown): Promise<unknown> }).run(feeds);
    };
  } else {
    const { createMlServices } = await import('../ml/runtime/createMlServices');
    const { createNodeFiles } = await import('../bin/nodeFiles');
    const { cpuTensor } = await import('../engine/values');
    let readMs = 0;
    const base = createNodeFiles({});
    const files = {
      ...base,
      read: async (...a: Parameters<typeof base.read>) => {
        const t = performance.now();
        const b = await base.read(...a);
        readMs += performance.now() - t;
        return b;
      },
      exists: base.exists.bind(base),
    };
    const ml = createMlServices({ ort: ort as never, backend, backendReason: 'bench', files });
    const t0 = performance.now();
    const session = await ml.session({ kind: 'model', role: 'unet', source: `dir:${dir}`, path: 'unet/model.onnx', name: 'unet' });
    const total = performance.now() - t0;
    loadMs = readMs;
    sessionMs = total - readMs;
    run = async (size) => {
      const out = await session.run({
        sample: cpuTensor('float32', [1, 4, size, size], new Float32Array(4 * size * size).fill(0.5)),
        timestep: cpuTensor('float32', [1], Float32Array.from([999])),
        encoder_hidden_states: cpuTensor('float32', [1, 77, cfg.cross_attention_dim], new Float32Array(77 * cfg.cross_attention_dim).fill(0.1)),
      });
      for (const t of Object.values(out)) t.dispose();
    };
  }
  const step = async (size: number) => {
    await run(size); // warm-up at this size
    const t = performance.now();
    await run(size);
    return performance.now() - t;
  };
  const step32Ms = await step(32);
  const step64Ms = await step(64);
  sample();
  clearInterval(timer);
  return { loadMs, sessionMs, step32Ms, step64Ms, peakRssMb: peak / 1024 ** 2 };
}

async function main() {
  if (process.argv[2] === '--child') {
    const [, , , mode, dir, backend] = process.argv;
    const f = await child(mode as Mode, dir, backend as 'cpu' | 'wasm');
    process.stdout.write(`${JSON.stringify(f)}\n`);
    return;
  }
  const scale = arg('scale', 'full') as Scale;
  const variants = arg('variants', 'sd-turbo,sd15').split(',') as Variant[];
  const backend = arg('backend', 'cpu') as 'cpu' | 'wasm';
  const root = mkdtempSync(path.join(tmpdir(), 'weft-realsize-'));
  const results: Record<string, unknown> = { scale, backend };
  try {
    for (const v of variants) {
      const dir = path.join(root, v);
      const t = performance.now();
      const w = await writeStandIn(dir, v, scale);
      console.log(`${v} (${scale}): wrote ${(w.bytes / 1024 ** 3).toFixed(2)} GB (UNet ${w.params.unet.toLocaleString('en')} parameters) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      const run = (mode: Mode): Figures => JSON.parse(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode, dir, backend], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop()!);
      const plain = run('plain');
      const weft = run('weft');
      const row = (k: keyof Figures, unit: string) => console.log(`  ${k.padEnd(10)} plain ${plain[k].toFixed(0).padStart(8)} ${unit}   Weft ${weft[k].toFixed(0).padStart(8)} ${unit}   ratio ${(weft[k] / plain[k]).toFixed(2)}`);
      console.log(`  Weft reads the files itself (${weft.loadMs.toFixed(0)} ms), then creates the session; the plain script hands ONNX Runtime the path, so its session time includes the reading`);
      console.log(`  load+session plain ${(plain.loadMs + plain.sessionMs).toFixed(0)} ms   Weft ${(weft.loadMs + weft.sessionMs).toFixed(0)} ms   ratio ${((weft.loadMs + weft.sessionMs) / (plain.loadMs + plain.sessionMs)).toFixed(2)}`);
      row('step32Ms', 'ms');
      row('step64Ms', 'ms');
      row('peakRssMb', 'MB');
      const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
      results[v] = { plain, weft, ratios: { loadAndSession: ratio(weft.loadMs + weft.sessionMs, plain.loadMs + plain.sessionMs), step32: ratio(weft.step32Ms, plain.step32Ms), step64: ratio(weft.step64Ms, plain.step64Ms), peakRss: ratio(weft.peakRssMb, plain.peakRssMb) } };
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
