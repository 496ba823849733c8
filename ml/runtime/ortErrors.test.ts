import { describe, expect, test } from 'vitest';
import { mapOrtError } from './ortErrors';
import type { ModelRef } from './types';

const unet: ModelRef = { kind: 'model', role: 'unet', source: 'shipped:shapes-v1', path: 'unet/model.onnx', name: 'unet' };
const map = (err: unknown, phase: 'load' | 'run' = 'run', backend: 'webgpu' | 'wasm' | 'cpu' = 'wasm') => {
  const e = mapOrtError(err, unet, backend, phase);
  return `${e.code}: ${e.message}`;
};

describe('ONNX Runtime errors become sentences', () => {
  test('not an ONNX file', () => {
    expect(map(new Error("Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to load model because protobuf parsing failed.\nmore"), 'load')).toBe(
      'not_onnx: unet/model.onnx from shipped:shapes-v1 is not an ONNX model (Failed to load model because protobuf parsing failed.)',
    );
  });
  test('an operator the backend lacks, with the other backend suggested', () => {
    expect(map(new Error('Could not find an implementation for GridSample(16) node with name \'/GridSample\''), 'load', 'webgpu')).toMatch(
      /^unsupported_op: unet \(unet\/model\.onnx from shipped:shapes-v1\) uses operator 'GridSample' that the webgpu backend cannot run; try the wasm backend/,
    );
    expect(map(new Error('ERROR_MESSAGE: No Op registered for Foo with domain_version of 17'), 'load')).toMatch(/operator 'Foo' that the wasm backend cannot run; try the webgpu backend/);
  });
  test('out of memory', () => {
    expect(map(new RangeError('Array buffer allocation failed'))).toMatch(/^out_of_memory: unet ran out of memory on wasm while running/);
    expect(map(new Error('failed to allocate a buffer of size 123'), 'load', 'webgpu')).toMatch(/^out_of_memory: unet ran out of memory on webgpu while loading/);
  });
  test('anything else keeps ORT’s message', () => {
    expect(map(new Error('Got invalid dimensions for input: sample'))).toBe(
      'model_failed: unet (unet/model.onnx from shipped:shapes-v1) failed on wasm while running: Got invalid dimensions for input: sample',
    );
  });
});
