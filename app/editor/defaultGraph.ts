import { emptyGraph, type Graph, type GraphNode } from '@/engine/graph/document';
import { defaultParams } from '@/engine/commands/commands';
import { registry } from '@/nodes';

/**
 * The graph a first visit opens: small, runnable, and showing each kind of thing the editor
 * does (tensors, scalars with a coercion, a repeat zone). Swap the template here.
 */
export function defaultGraph(): Graph {
  const g = emptyGraph('Welcome to Weft');
  g.metadata.description = 'A small demo: noise statistics, arithmetic, and a repeat zone that doubles a number four times.';
  const node = (id: string, type: string, x: number, y: number, params: Record<string, unknown> = {}): GraphNode => {
    const def = registry.get(type);
    if (!def) throw new Error(`defaultGraph: no node type ${type}`);
    const n: GraphNode = { id, type, typeVersion: def.version, position: { x, y }, params: { ...defaultParams(def), ...params }, mode: 'normal' };
    g.nodes.push(n);
    return n;
  };
  const edge = (from: string, fromPort: string, to: string, toPort: string) =>
    g.edges.push({ id: `e${g.edges.length + 1}`, from: { node: from, port: fromPort }, to: { node: to, port: toPort } });

  node('seed', 'values.seed', 0, 0, { seed: 42 });
  node('noise', 'tensor.gaussianNoise', 300, 0);
  node('stats', 'tensor.stats', 600, 0);
  node('stats-out', 'output.value', 900, 0, { name: 'noise summary' });
  edge('seed', 'seed', 'noise', 'seed');
  edge('noise', 'tensor', 'stats', 'tensor');
  edge('stats', 'summary', 'stats-out', 'value');

  node('a', 'values.integer', 0, 300, { value: 6 });
  node('b', 'values.number', 0, 460, { value: 7 });
  node('product', 'math.arithmetic', 300, 340, { operation: 'multiply' });
  node('product-out', 'output.value', 600, 340, { name: 'product' });
  edge('a', 'value', 'product', 'a');
  edge('b', 'value', 'product', 'b');
  edge('product', 'result', 'product-out', 'value');

  node('start', 'values.number', 0, 700, { value: 1 });
  node('repeat-in', 'flow.repeatInput', 300, 700, { iterations: 4 });
  node('double', 'math.arithmetic', 600, 700, { operation: 'multiply', b: 2 });
  node('repeat-out', 'flow.repeatOutput', 900, 700);
  node('doubled-out', 'output.value', 1200, 700, { name: 'doubled' });
  edge('start', 'value', 'repeat-in', 'value');
  edge('repeat-in', 'value', 'double', 'a');
  edge('double', 'result', 'repeat-out', 'value');
  edge('repeat-out', 'value', 'doubled-out', 'value');
  g.zones.push({
    id: 'zone-1',
    kind: 'repeat',
    title: 'Repeat ×4: doubles the value',
    inputNode: 'repeat-in',
    outputNode: 'repeat-out',
    nodes: ['double'],
    carried: [{ name: 'value', type: 'number' }],
  });
  return g;
}
