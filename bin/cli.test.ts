import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodePng } from '@/lib/png';
import { graphJsonSchema } from '@/engine/graph/jsonSchema';

function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/weft.mjs', ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0, stdout, stderr });
    });
  });
}

const tmp = mkdtempSync(path.join(tmpdir(), 'weft-cli-'));
const broken = path.join(tmp, 'broken.json');
const fixture = JSON.parse(readFileSync('tests/fixtures/graphs/v1-arithmetic.json', 'utf8'));
fixture.edges[0].to.port = 'x';
writeFileSync(broken, JSON.stringify(fixture));
const notJson = path.join(tmp, 'not.json');
writeFileSync(notJson, '{ nope');

describe('weft CLI', () => {
  it('run: text outputs become .txt, a generation trace a .json of every step, and the --json report gives the texts', async () => {
    const out = path.join(tmp, 'textgen');
    const r = await weft('run', 'examples/decoding-strategies.json', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const greedy = readFileSync(path.join(out, 'greedy.txt'), 'utf8');
    expect(greedy.length).toBeGreaterThan(5);
    expect(report.outputs['out-greedy'].value).toBe(greedy);
    const beam = report.outputs['beam-trace'].value;
    expect(beam).toMatchObject({ kind: 'generation', mode: 'beam', reasons: ['eos', 'eos'] });
    expect(beam.texts).toHaveLength(2);
    expect(beam.steps).toBeUndefined();
    const file = JSON.parse(readFileSync(path.join(out, 'beam-trace.json'), 'utf8'));
    expect(file.beams.numBeams).toBe(4);
    expect(file.beams.steps.length).toBeGreaterThan(3);
  });

  it('validate: 0 for valid files', async () => {
    const r = await weft('validate', 'tests/fixtures/graphs/v1-arithmetic.json', 'tests/fixtures/graphs/v1-repeat.json');
    expect(r.code).toBe(0);
  });

  it('validate: 1 with FILE: path: message lines', async () => {
    const r = await weft('validate', broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${broken}: edges[0].to.port: node 'sum' has no input 'x'; it has 'a', 'b'`);
  });

  it('validate: 2 when a file is unreadable or not JSON', async () => {
    expect((await weft('validate', path.join(tmp, 'missing.json'))).code).toBe(2);
    const r = await weft('validate', notJson);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
  });

  it('run: prints a JSON report, applies --set and writes outputs', async () => {
    const out = path.join(tmp, 'out');
    const r = await weft('run', 'tests/fixtures/graphs/v1-repeat.json', '--set', 'start.value=3', '--out', out, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.status).toBe('ok');
    // x = 3; five times x = 2x + i → 6, 13, 28, 59, 122
    expect(report.outputs.out.value).toBe(122);
    expect(report.nodes.double).toMatchObject({ status: 'done', reason: 'first run' });
    expect(JSON.parse(readFileSync(path.join(out, 'x.json'), 'utf8'))).toBe(122);
    expect(r.stderr).toMatch(/↻ zone-1 5\/5/);
  });

  it('run: a bad --set names the node', async () => {
    const r = await weft('run', 'tests/fixtures/graphs/v1-repeat.json', '--set', 'ghost.value=1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/there is no node 'ghost'/);
  });

  it('run: 1 for an invalid graph', async () => {
    const r = await weft('run', broken);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has no input 'x'/);
  });

  it('run: a --set that makes a param invalid is said once', async () => {
    const r = await weft('run', 'tests/fixtures/graphs/v1-repeat.json', '--set', 'loop-in.iterations=-5');
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes("param 'iterations'"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/param 'iterations': must be at least 0; it is -5/);
    expect(r.stderr).toMatch(/run invalid/);
  });

  it('nodes --json lists every type with params as JSON Schema', async () => {
    const r = await weft('nodes', '--json');
    const list = JSON.parse(r.stdout);
    const arith = list.find((n: { type: string }) => n.type === 'math.arithmetic');
    expect(arith.params.properties.operation.enum).toContain('multiply');
    expect(arith.inputs[0]).toMatchObject({ name: 'a', type: 'number' });
  });

  it('schema prints the committed JSON Schema', async () => {
    const r = await weft('schema');
    expect(JSON.parse(r.stdout)).toEqual(graphJsonSchema());
    expect(JSON.parse(readFileSync('docs/graph.schema.json', 'utf8'))).toEqual(graphJsonSchema());
    expect(existsSync('docs/graph-format.md')).toBe(true);
  });

  it('run: the teaching example writes a PNG on onnxruntime-node and on --backend wasm; the PNG re-runs to the same bytes', async () => {
    const cpu = path.join(tmp, 'cpu');
    const wasm = path.join(tmp, 'wasm');
    const again = path.join(tmp, 'again');
    const a = await weft('run', 'examples/text-to-image.json', '--set', 'scheduler.steps=2', '--out', cpu);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/VAE Decode \[decode\] [\d.]+ ms \(cpu\)/);
    const b = await weft('run', 'examples/text-to-image.json', '--set', 'scheduler.steps=2', '--out', wasm, '--backend', 'wasm');
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/\(wasm\)/);
    const png = readFileSync(path.join(cpu, 'image.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const c = await weft('run', path.join(cpu, 'image.png'), '--out', again);
    expect(c.code, c.stderr).toBe(0);
    expect(readFileSync(path.join(again, 'image.png')).equals(png)).toBe(true);
  }, 180_000);
});

describe('weft CLI and ComfyUI', () => {
  it('import: prints the report and writes a Weft graph that validates', async () => {
    const out = path.join(tmp, 'fox.json');
    const r = await weft('import', 'tests/fixtures/comfy/features-ui-0.4.json', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Imported a ComfyUI UI workflow (0.4): 10 nodes mapped to 17 Weft nodes.');
    expect(r.stderr).toContain('1 node could not be mapped (kept as a placeholder that does not run): UltimateSDUpscale (#11)');
    expect(r.stderr).toContain("The LoRA 'pixel-art.safetensors' is a file reference");
    const g = JSON.parse(readFileSync(out, 'utf8'));
    expect(g.schemaVersion).toBe(1);
    expect(g.nodes).toHaveLength(18);
    const v = await weft('validate', out);
    expect(v.stderr).toContain('valid');
    const again = await weft('import', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('this is a Weft graph already');
  });

  it("run: ComfyUI's default workflow runs as it is, pointed at the shipped model; export gives the prompt back", async () => {
    const out = path.join(tmp, 'comfy-run');
    const r = await weft('run', 'tests/fixtures/comfy/default-api.json', '--set', 'comfy-4.source=shipped:shapes-v1', '--set', 'comfy-5.width=64', '--set', 'comfy-5.height=64', '--set', 'comfy-3-scheduler.steps=3', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'ComfyUI.png')).subarray(1, 4).toString()).toBe('PNG');
    const e = await weft('export', 'tests/fixtures/comfy/default-ui-1.json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout)).toEqual(JSON.parse(readFileSync('tests/fixtures/comfy/default-api.json', 'utf8')));
  });
});

describe('weft quantize', () => {
  it('makes an int8 copy of the shipped suite, each model checked, that draws the picture the suite draws', async () => {
    const out = path.join(tmp, 'shapes-int8');
    const q = await weft('quantize', 'public/models/shapes-v1', '--to', 'int8', '-o', out);
    // The distilled student's int8 copy strays past the check's tolerance: it is kept as it was, said, and the exit code is 1.
    expect(q.code, q.stderr).toBe(1);
    expect(q.stderr).toMatch(/unet\/model\.onnx: 102 weights to int8, 14\.09 MB -> 3\.79 MB \(0\.27×\)/);
    expect(q.stderr).toMatch(/unet_lcm\/model\.onnx: the int8 copy's outputs differ from the original's by [\d.e-]+ \(allowed 0\.05\); kept the original/);
    expect(q.stderr).toContain("unet/model.ort: left out (ONNX Runtime's format of the original; the int8 .onnx is used)");
    expect(q.stderr).toMatch(/6 of 7 models quantized to int8/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { name: string; files: { file: string }[] };
    expect(manifest.name).toBe('shapes-v1-int8');
    expect(manifest.files.map((f) => f.file)).not.toContain('unet/model.ort');
    const again = await weft('quantize', 'public/models/shapes-v1', '--to', 'int8', '-o', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; pass --force');
    const a = path.join(tmp, 'q-fp32');
    const b = path.join(tmp, 'q-int8');
    expect((await weft('run', 'examples/text-to-image-sampler.json', '--set', 'scheduler.steps=8', '-o', a)).code).toBe(0);
    const r = await weft('run', 'examples/text-to-image-sampler.json', '--set', 'scheduler.steps=8', '--set', `pipeline.source=dir:${out}`, '--allow-dir', tmp, '-o', b);
    expect(r.code, r.stderr).toBe(0);
    const [x, y] = [decodePng(readFileSync(path.join(a, 'image.png'))), decodePng(readFileSync(path.join(b, 'image.png')))];
    if (!x.ok || !y.ok) throw new Error('unreadable PNG');
    let worst = 0;
    for (let i = 0; i < x.image.data.length; i++) worst = Math.max(worst, Math.abs(x.image.data[i] - y.image.data[i]));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(24);
    const bad = await weft('quantize', 'public/models/shapes-v1/unet/model.ort', '--to', 'fp16', '-o', path.join(tmp, 'x.onnx'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("it is in ONNX Runtime's own format (.ort)");
  }, 180_000);
});

describe('weft: file size', () => {
  it('checks the size before reading: a 70 MB file is refused at once, in the same words as the editor', async () => {
    const big = path.join(tmp, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 70 * 1024 * 1024); // sparse: nothing is written, reading it would cost 70 MB
    const rss = async (file: string) => {
      const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile(
          'node',
          ['--input-type=module', '-e', `process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n')); process.argv = [process.argv[0], 'weft', 'validate', ${JSON.stringify(file)}]; await import(${JSON.stringify(path.resolve('bin/weft.mjs'))});`],
          { timeout: 60_000 },
          (err, _stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
        ),
      );
      return { ...r, kb: Number(/maxrss (\d+)/.exec(r.stderr)?.[1]) };
    };
    const refused = await rss(big);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${big}: the file is 70.0 MB; graph files are limited to 64.0 MB`);
    const small = await rss('tests/fixtures/graphs/v1-arithmetic.json');
    expect(small.code).toBe(0);
    // Refusing the big file costs no more memory than validating a small one (reading it would add 70 MB).
    expect(refused.kb - small.kb).toBeLessThan(30 * 1024);
  }, 60_000);
});
