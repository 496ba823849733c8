import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGraphText } from '@/engine/graph/parse';
import { registry } from '@/nodes';
import { lessonSteps } from './lessonSteps';

describe('the guided lesson', () => {
  const parsed = parseGraphText(readFileSync('examples/text-to-image.json', 'utf8'), registry);
  if (!parsed.ok) throw new Error('the teaching graph does not parse');
  const steps = lessonSteps(parsed.value, registry);

  it('walks the teaching graph in execution order, one step per kind of node, after an introduction', () => {
    expect(steps[0].nodeIds).toEqual([]);
    expect(steps.slice(1).map((s) => s.nodeIds)).toEqual([
      ['pipeline'],
      ['prompt', 'negative'],
      ['tokenize', 'tokenize-negative'],
      ['encode', 'encode-negative'],
      ['scheduler'],
      ['empty'],
      ['noise'],
      ['start'],
      ['loop-in'],
      ['unet-step'],
      ['scheduler-step'],
      ['loop-out'],
      ['decode'],
      ['image'],
    ]);
  });

  it('tells each step from the node’s own explanation and maths', () => {
    const unet = steps.find((s) => s.nodeIds[0] === 'unet-step')!;
    expect(unet.text).toContain('predicts the noise');
    expect(unet.maths).toContain('ε_uncond');
    expect(steps.find((s) => s.nodeIds[0] === 'prompt')!.title).toBe('Prompt · Negative prompt');
    expect(steps.find((s) => s.nodeIds[0] === 'tokenize')!.title).toBe('Tokenizer ×2');
  });

  it('a graph with no nodes has no lesson', () => {
    expect(lessonSteps({ ...parsed.value, nodes: [], edges: [], zones: [] }, registry)).toEqual([]);
  });
});
