/** Small builders for executor tests (not shipped: only *.test.ts files import this). */
import { z } from 'zod';
import { emptyGraph, type Graph, type NodeMode } from '../graph/document';
import { defineNode, makeRegistry, type NodeDefinition } from '../nodeDefinition';
import type { TensorValue } from '../values';
import { NODE_DEFINITIONS } from '../../nodes';
import { runGraph } from './run';
import type { RunEvent, RunOptions, RunReport } from './types';

/** A GPU-like tensor holding one number that counts its dispose calls. */
export interface FakeTensor extends TensorValue {
  readonly value: number;
  readonly disposeCount: number;
}

export const madeTensors: FakeTensor[] = [];

export function fakeTensor(value: number): FakeTensor {
  let disposeCount = 0;
  const t = {
    kind: 'tensor' as const,
    dtype: 'float32' as const,
    dims: [1],
    location: 'gpu' as const,
    value,
    get disposeCount() {
      return disposeCount;
    },
    read: async () => new Float32Array([value]),
    dispose: () => void disposeCount++,
  };
  madeTensors.push(t);
  return t;
}

const testNodes: NodeDefinition[] = [
  defineNode({
    type: 'test.tensor',
    version: 1,
    title: 'Fake tensor',
    category: 'Test',
    description: 'A fake GPU tensor holding `value`.',
    inputs: [],
    outputs: [{ name: 'tensor', type: 'tensor' }],
    params: z.object({ value: z.number().default(0) }),
    run: ({ params }) => ({ tensor: fakeTensor(params.value) }),
  }),
  defineNode({
    type: 'test.tensorAdd',
    version: 1,
    title: 'Fake tensor add',
    category: 'Test',
    description: 'A new fake tensor: tensor + b.',
    inputs: [
      { name: 'tensor', type: 'tensor' },
      { name: 'b', type: 'number', optional: true },
    ],
    outputs: [{ name: 'tensor', type: 'tensor' }],
    params: z.object({ b: z.number().default(1) }),
    run: ({ params, inputs }) => ({
      tensor: fakeTensor((inputs.tensor as FakeTensor).value + ((inputs.b as number | undefined) ?? params.b)),
    }),
  }),
  defineNode({
    type: 'test.tensorValue',
    version: 1,
    title: 'Fake tensor value',
    category: 'Test',
    description: 'Reads the number out of a fake tensor.',
    inputs: [{ name: 'tensor', type: 'tensor' }],
    outputs: [{ name: 'value', type: 'number' }],
    params: z.object({}),
    run: ({ inputs }) => ({ value: (inputs.tensor as FakeTensor).value }),
  }),
  defineNode({
    type: 'test.inputNames',
    version: 1,
    title: 'Input names',
    category: 'Test',
    description: 'Lists the inputs it received.',
    inputs: [
      { name: 'first', type: 'any', optional: true },
      { name: 'second', type: 'any', optional: true },
    ],
    outputs: [{ name: 'names', type: 'text' }],
    params: z.object({}),
    run: ({ inputs }) => ({ names: Object.keys(inputs).join(',') }),
  }),
  defineNode({
    type: 'test.throw',
    version: 1,
    title: 'Throws',
    category: 'Test',
    description: 'Throws a plain Error (a bug in a node).',
    inputs: [{ name: 'value', type: 'any', optional: true }],
    outputs: [{ name: 'value', type: 'any' }],
    params: z.object({ message: z.string().default('boom') }),
    run: ({ params }) => {
      throw new Error(params.message);
    },
  }),
];

export const testRegistry = makeRegistry([...NODE_DEFINITIONS, ...testNodes]);

/** Port reference written `node.port`. */
function ref(text: string): { node: string; port: string } {
  const dot = text.lastIndexOf('.');
  return { node: text.slice(0, dot), port: text.slice(dot + 1) };
}

export class GraphBuilder {
  readonly graph: Graph = emptyGraph('test');
  private edgeCount = 0;

  /** Adds a node; `inputs` maps its input ports to `node.port` sources. */
  add(id: string, type: string, params: Record<string, unknown> = {}, inputs: Record<string, string> = {}): this {
    this.graph.nodes.push({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, params, mode: 'normal' });
    for (const [port, from] of Object.entries(inputs)) this.connect(from, `${id}.${port}`);
    return this;
  }

  connect(from: string, to: string): this {
    this.graph.edges.push({ id: `e${this.edgeCount++}`, from: ref(from), to: ref(to) });
    return this;
  }

  number(id: string, value: number): this {
    return this.add(id, 'values.number', { value });
  }

  /** Arithmetic of input a (a source) and b (a source, or a number for the b param). */
  arith(id: string, operation: string, a: string, b: string | number = 0): this {
    return typeof b === 'number'
      ? this.add(id, 'math.arithmetic', { operation, b }, { a })
      : this.add(id, 'math.arithmetic', { operation }, { a, b });
  }

  output(id: string, from: string): this {
    return this.add(id, 'output.value', {}, { value: from });
  }

  slow(id: string, milliseconds: number, from?: string, extra: Record<string, unknown> = {}): this {
    return this.add(id, 'debug.slow', { milliseconds, steps: 10, ...extra }, from ? { value: from } : {});
  }

  /** A repeat zone; add its boundary nodes with `add(id, 'flow.repeatInput' | 'flow.repeatOutput')`. */
  zone(id: string, inputNode: string, outputNode: string, nodes: string[], carried: { name: string; type: string }[]): this {
    this.graph.zones.push({ id, kind: 'repeat', inputNode, outputNode, nodes, carried });
    return this;
  }

  build(): Graph {
    return structuredClone(this.graph);
  }
}

export function setParam(graph: Graph, id: string, name: string, value: unknown): Graph {
  const g = structuredClone(graph);
  g.nodes.find((n) => n.id === id)!.params[name] = value;
  return g;
}

export function setMode(graph: Graph, id: string, mode: NodeMode): Graph {
  const g = structuredClone(graph);
  g.nodes.find((n) => n.id === id)!.mode = mode;
  return g;
}

export async function run(
  graph: Graph,
  options: Partial<RunOptions> = {},
): Promise<{ report: RunReport; events: RunEvent[]; started: string[] }> {
  const events: RunEvent[] = [];
  const report = await runGraph(graph, { registry: testRegistry, ...options, onEvent: (e) => events.push(e) });
  const started = events.flatMap((e) => (e.type === 'started' ? [e.nodeId] : []));
  return { report, events, started };
}

export function statuses(report: RunReport): Record<string, string> {
  return Object.fromEntries([...report.nodes].map(([id, r]) => [id, r.status]));
}
