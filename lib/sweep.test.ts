import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Graph } from '@/engine/graph/document';
import { cellsOf, parseSweep, parseValues, withCell } from './sweep';

describe('sweeps', () => {
  it('reads lists and ranges, and says what is wrong with the rest', () => {
    expect(parseValues('1..4')).toEqual({ ok: true, values: ['1', '2', '3', '4'] });
    expect(parseValues('0..1:0.25')).toEqual({ ok: true, values: ['0', '0.25', '0.5', '0.75', '1'] });
    expect(parseValues(' euler, lcm ')).toEqual({ ok: true, values: ['euler', 'lcm'] });
    expect(parseValues('5..1')).toMatchObject({ ok: false, message: expect.stringContaining('a range goes up') });
    expect(parseValues('1..100000')).toMatchObject({ ok: false, message: expect.stringContaining('at most 1024') });
    expect(parseSweep('noise.seed=1,2')).toEqual({ ok: true, sweep: { key: 'noise.seed', values: ['1', '2'] } });
    expect(parseSweep('seed=1')).toMatchObject({ ok: false });
  });

  it('makes every combination, X fastest, and sets each cell’s values as JSON or text', () => {
    const sweeps = [
      { key: 'noise.seed', values: ['1', '2'] },
      { key: 'prompt.text', values: ['a red circle', '"7"'] },
    ];
    const cells = cellsOf(sweeps);
    if ('error' in cells) throw new Error(cells.error);
    expect(cells.map((c) => c.label)).toEqual(['noise.seed=1 prompt.text=a red circle', 'noise.seed=2 prompt.text=a red circle', 'noise.seed=1 prompt.text="7"', 'noise.seed=2 prompt.text="7"']);
    const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8')) as Graph;
    const last = withCell(g, sweeps, cells[3]);
    expect(last.nodes.find((n) => n.id === 'noise')!.params.seed).toBe(2);
    expect(last.nodes.find((n) => n.id === 'prompt')!.params.text).toBe('7');
    expect(g.nodes.find((n) => n.id === 'noise')!.params.seed).toBe(42); // the original is untouched
    expect(cellsOf([{ key: 'a.b', values: Array.from({ length: 40 }, String) }, { key: 'c.d', values: Array.from({ length: 40 }, String) }])).toEqual({ error: 'the sweep makes 1600 cells; at most 1024' });
  });
});
