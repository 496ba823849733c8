import { afterAll, describe, expect, test } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import { NodeRunError } from '@/engine/errors';
import { cpuTensor } from '@/engine/values';
import { createMlServices, startModelBytes } from './createMlServices';
import { f16BitsToF32, f32ToF16Bits } from './float16';
import { buildModel } from './onnxProto';
import { castToFloatModel, fakeUnet, identityOf, memoryFiles, nums, refTo } from './testModels';

const files = memoryFiles({
  'mem:test/unet.onnx': fakeUnet(),
  'mem:test/unet-copy.onnx': fakeUnet(),
  'mem:test/ids64.onnx': castToFloatModel('int64', ['batch', 4]),
  'mem:test/ids32.onnx': castToFloatModel('int32', ['batch', 4]),
  'mem:test/half.onnx': identityOf('float16', ['n']),
  'mem:test/double.onnx': identityOf('float64', ['n']),
  'mem:test/random.onnx': Uint8Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 251),
  'mem:test/noop.onnx': buildModel({
    name: 'bad',
    nodes: [{ op: 'NoSuchOp', inputs: ['x'], outputs: ['y'] }],
    inputs: [{ name: 'x', dtype: 'float32' }],
    outputs: [{ name: 'y', dtype: 'float32' }],
  }),
});
const ml = createMlServices({ ort: ortNode, backend: 'cpu', backendReason: 'test', files });
afterAll(() => ml.dispose());

const sample = (batch = 1, size = 16) => cpuTensor('float32', [batch, 4, size, size], new Float32Array(batch * 4 * size * size).fill(1));
const timestep = (batch = 1) => cpuTensor('float32', [batch], new Float32Array(batch).fill(3));

async function failure(p: Promise<unknown>): Promise<NodeRunError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeRunError);
  return err as NodeRunError;
}

describe('sessions', () => {
  test('start() starts ONNX Runtime with a one-node model that really runs, once however often it is called', async () => {
    const s = await ortNode.InferenceSession.create(startModelBytes());
    const out = await s.run({ x: new ortNode.Tensor('float32', Float32Array.of(2.5), [1]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([2.5]);
    await s.release();
    let created = 0;
    const counting = { ...ortNode, InferenceSession: { create: (...a: Parameters<typeof ortNode.InferenceSession.create>) => (created++, ortNode.InferenceSession.create(...a)) } } as unknown as typeof ortNode;
    const started = createMlServices({ ort: counting, backend: 'cpu', backendReason: 'test', files });
    await Promise.all([started.start(), started.start()]);
    await started.start();
    expect(created).toBe(1);
    expect(started.counters().sessions).toBe(0);
    await started.dispose();
  });

  test('one session per model content, shared by concurrent calls and reused', async () => {
    await ml.releaseUnused([]);
    const reads = files.reads;
    const [a, b] = await Promise.all([ml.session(refTo('unet.onnx', 'unet', { sha256: 'abc' })), ml.session(refTo('unet.onnx', 'unet', { sha256: 'abc' }))]);
    expect(a).toBe(b);
    expect(files.reads - reads).toBe(1);
    expect(await ml.session(refTo('unet.onnx', 'unet', { sha256: 'abc' }))).toBe(a);
    expect(ml.counters().sessions).toBe(1);
    // Without a known hash the key is the sha256 of the bytes: same bytes, same session.
    const c = await ml.session(refTo('unet.onnx', 'unet'));
    const d = await ml.session(refTo('unet-copy.onnx', 'unet'));
    expect(c).toBe(d);
    // A file already hashed is not read again.
    const readsNow = files.reads;
    expect(await ml.session(refTo('unet.onnx', 'unet'))).toBe(c);
    expect(files.reads).toBe(readsNow);
    expect(c.key).toMatch(/^[0-9a-f]{64}$/);
    expect(ml.counters().sessions).toBe(2);
    await ml.releaseUnused([c.key]);
    expect(ml.counters().sessions).toBe(1);
    expect(await ml.session(refTo('unet.onnx', 'unet'))).toBe(c);
    await ml.releaseUnused([]);
    expect(ml.counters().sessions).toBe(0);
  });

  test('describes inputs and outputs with symbolic dims', async () => {
    const s = await ml.session(refTo('unet.onnx', 'unet'));
    expect(s.inputs).toEqual([
      { name: 'sample', dtype: 'float32', shape: ['batch', 4, 16, 16] },
      { name: 'timestep', dtype: 'float32', shape: ['batch'] },
    ]);
    expect(s.outputs.map((o) => o.name)).toEqual(['out_sample']);
  });

  test('runs and returns CPU tensors on the cpu backend', async () => {
    const s = await ml.session(refTo('unet.onnx', 'unet'));
    const out = await s.run({ sample: sample(2), timestep: timestep(2) });
    expect(out.out_sample.location).toBe('cpu');
    expect(out.out_sample.dims).toEqual([2, 4, 16, 16]);
    expect((await out.out_sample.read())[5]).toBe(5);
  });
});

describe('feeds are converted to what the model declares', () => {
  test('int32 ids into an int64 input, and int64 into int32', async () => {
    const s64 = await ml.session(refTo('ids64.onnx'));
    const ids = cpuTensor('int32', [1, 4], Int32Array.from([49406, 1, 2, 49407]));
    expect(nums(await (await s64.run({ x: ids })).y.read())).toEqual([49406, 1, 2, 49407]);
    const s32 = await ml.session(refTo('ids32.onnx'));
    const wide = cpuTensor('int64', [1, 4], BigInt64Array.from([7n, 8n, 9n, 10n]));
    expect(nums(await (await s32.run({ x: wide })).y.read())).toEqual([7, 8, 9, 10]);
  });

  test('float32 into a float16 model and float16 outputs back as float32', async () => {
    const s = await ml.session(refTo('half.onnx'));
    const values = [1, -2.5, 0.1, 70000, 2 ** -24];
    const out = (await s.run({ x: cpuTensor('float32', [5], Float32Array.from(values)) })).y;
    expect(out.dtype).toBe('float32');
    const data = await out.read();
    expect(data).toBeInstanceOf(Float32Array);
    expect(nums(data)).toEqual(values.map((v) => f16BitsToF32(f32ToF16Bits(v))));
    // float16 bits fed as they are
    const bits = cpuTensor('float16', [2], Uint16Array.from([0x3c00, 0xc000]));
    expect(nums(await (await s.run({ x: bits })).y.read())).toEqual([1, -2]);
  });

  test('float64 inputs are refused clearly', async () => {
    const s = await ml.session(refTo('double.onnx'));
    const err = await failure(s.run({ x: cpuTensor('float32', [1], Float32Array.of(1)) }));
    expect(err.code).toBe('unsupported_dtype');
    expect(err.message).toMatch(/input 'x' is float64/);
  });
});

describe('errors', () => {
  test('random bytes are not an ONNX model', async () => {
    const err = await failure(ml.session(refTo('random.onnx', 'unet')));
    expect(err.code).toBe('not_onnx');
    expect(err.message).toBe('random.onnx from mem:test is not an ONNX model (Failed to load model because protobuf parsing failed.)');
  });

  test('an unknown operator names the op and the backend', async () => {
    const err = await failure(ml.session(refTo('noop.onnx')));
    expect(err.code).toBe('unsupported_op');
    expect(err.message).toMatch(/operator 'NoSuchOp' that the cpu backend cannot run; try the wasm backend/);
  });

  test('a wrong shape names the input and both shapes', async () => {
    const s = await ml.session(refTo('unet.onnx', 'unet'));
    const err = await failure(s.run({ sample: sample(1, 8), timestep: timestep() }));
    expect(err.code).toBe('input_mismatch');
    expect(err.message).toBe("unet input 'sample' expects [batch,4,16,16] but got [1,4,8,8]");
  });

  test('missing and unknown feeds list the model inputs', async () => {
    const s = await ml.session(refTo('unet.onnx', 'unet'));
    const err = await failure(s.run({ sample: sample(), t: timestep() }));
    expect(err.code).toBe('input_mismatch');
    expect(err.message).toBe("unet is missing 'timestep' and has no input 't'; its inputs are 'sample' float32 [batch,4,16,16], 'timestep' float32 [batch]");
  });

  test('a cancelled signal stops before the run', async () => {
    const s = await ml.session(refTo('unet.onnx', 'unet'));
    const ctl = new AbortController();
    ctl.abort();
    expect((await failure(s.run({ sample: sample(), timestep: timestep() }, { signal: ctl.signal }))).code).toBe('cancelled');
    expect((await failure(ml.session(refTo('unet.onnx', 'unet'), ctl.signal))).code).toBe('cancelled');
  });

  test("one caller's cancel does not fail another waiting for the same session", async () => {
    // The read is held until `open()`: a prewarm (cancelled mid-way) and a run wait together.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const inner = memoryFiles({ 'mem:test/unet.onnx': fakeUnet() });
    const held = { ...inner, read: async (s: string, p: string, o?: { signal?: AbortSignal }) => (await gate, inner.read(s, p, o)) };
    const own = createMlServices({ ort: ortNode, backend: 'cpu', backendReason: 'test', files: held });
    const ref = refTo('unet.onnx', 'unet', { sha256: 'shared-wait' });
    const prewarm = new AbortController();
    const first = own.session(ref, prewarm.signal);
    const second = own.session(ref, new AbortController().signal);
    prewarm.abort();
    expect((await failure(first)).code).toBe('cancelled');
    open();
    const s = await second;
    expect(s.inputs.map((i) => i.name)).toEqual(['sample', 'timestep']);
    // The session was made once and is cached for the next caller.
    expect(await own.session(ref)).toBe(s);
    expect(inner.reads).toBe(1);
    await own.dispose();
  });
});

test('memory stays flat over 100 runs', async () => {
  await ml.releaseUnused([]);
  const ref = refTo('unet.onnx', 'unet', { sha256: 'fake-unet' });
  const run = async () => {
    const s = await ml.session(ref);
    const out = await s.run({ sample: sample(2), timestep: timestep(2) });
    await out.out_sample.read();
    out.out_sample.dispose();
  };
  for (let i = 0; i < 10; i++) await run();
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100; i++) await run();
  (globalThis as { gc?: () => void }).gc?.();
  const grown = process.memoryUsage().heapUsed - before;
  expect(ml.counters()).toEqual({ sessions: 1, deviceReads: 0, liveDeviceTensors: 0 });
  // 100 runs allocate ~1.6 MB of outputs; without a GC hook allow some garbage but no leak per run.
  expect(grown).toBeLessThan(16 * 1024 * 1024);
});
