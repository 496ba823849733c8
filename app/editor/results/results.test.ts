import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGraphText } from '@/engine/graph/parse';
import { registry } from '@/nodes';
import type { ImageValue } from '@/engine/values';
import type { TransferValue } from '@/workers/transfer';
import { collectResults, RESULTS_KEPT, withResults } from './results';

const img = (v: number): ImageValue => ({ kind: 'image', width: 1, height: 1, data: new Uint8ClampedArray([v, v, v, 255]) });
const graphOf = (name: string) => {
  const r = parseGraphText(readFileSync(`examples/${name}.json`, 'utf8'), registry);
  if (!r.ok) throw new Error('bad example');
  return r.value;
};

describe('results history', () => {
  it('keeps each image output with the prompt, negative prompt and seed of the run', () => {
    const g = graphOf('best-of-n');
    const outputs = new Map<string, Map<string, TransferValue>>([
      ['image', new Map([['image', { kind: 'list', items: [img(1), img(2), img(3), img(4)] } as TransferValue]])],
      ['best-image', new Map([['image', img(9) as TransferValue]])],
    ]);
    const r = collectResults(g, outputs, 1000, 1);
    expect(r.map((e) => [e.nodeId, e.images.length, e.name])).toEqual([
      ['image', 4, 'all'],
      ['best-image', 1, 'best'],
    ]);
    expect(r[0].prompt).toBe('two small yellow stars');
    expect(r[0].negative).toBeNull();
    expect(r[0].seed).toBe(42);
  });

  it('takes the prompt a language model wrote when there is no Prompt node', () => {
    const g = graphOf('prompt-writer');
    const outputs = new Map<string, Map<string, TransferValue>>([
      ['written', new Map([['value', 'a small red circle' as TransferValue]])],
      ['image', new Map([['image', img(5) as TransferValue]])],
    ]);
    expect(collectResults(g, outputs, 1, 2)[0].prompt).toBe('a small red circle');
  });

  it('keeps the newest first and at most RESULTS_KEPT', () => {
    const g = graphOf('text-to-image-sampler');
    const one = (n: number) => collectResults(g, new Map([['image', new Map([['image', img(n) as TransferValue]])]]), n, n);
    let h = withResults([], one(1));
    for (let i = 2; i <= RESULTS_KEPT + 5; i++) h = withResults(h, one(i));
    expect(h).toHaveLength(RESULTS_KEPT);
    expect(h[0].at).toBe(RESULTS_KEPT + 5);
  });
});
