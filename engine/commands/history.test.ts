import { describe, expect, it } from 'vitest';
import { History } from './history';
import { addNode, connect, copyFragment, moveNodes, pasteFragment, removeElements, setParam, createRepeatZone, replaceGraph, setZoneCarried } from './commands';
import { emptyGraph } from '../graph/document';
import { validateGraph } from '../graph/validate';
import { registry } from '@/nodes';

const def = (t: string) => registry.get(t)!;

describe('History and commands', () => {
  it('adds, connects, edits, and undoes/redoes each step', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(addNode(def('math.arithmetic'), { x: 200, y: 0 }));
    expect(h.graph.nodes.map((n) => n.id)).toEqual(['number-1', 'arithmetic-1']);
    expect(h.graph.nodes[1].params).toEqual({ operation: 'add', b: 0 });
    h.apply(connect({ from: { node: 'number-1', port: 'value' }, to: { node: 'arithmetic-1', port: 'a' } }));
    h.apply(setParam('arithmetic-1', 'b', 5));
    expect(h.undoName).toBe('Set b');
    h.undo();
    expect(h.graph.nodes[1].params.b).toBe(0);
    h.undo();
    expect(h.graph.edges).toHaveLength(0);
    h.redo();
    h.redo();
    expect(h.graph.edges).toHaveLength(1);
    expect(h.graph.nodes[1].params.b).toBe(5);
    expect(h.canRedo).toBe(false);
  });

  it('merges consecutive edits of one field into one entry', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(def('values.text'), { x: 0, y: 0 }));
    for (const v of ['a', 'ab', 'abc']) h.apply(setParam('text-1', 'value', v));
    h.undo();
    expect(h.graph.nodes[0].params.value).toBe('');
    h.undo();
    expect(h.graph.nodes).toHaveLength(0);
  });

  it('a drag is one entry; a no-op move adds none', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(addNode(def('values.number'), { x: 0, y: 100 }));
    h.apply(moveNodes([{ id: 'number-1', position: { x: 50, y: 5 } }, { id: 'number-2', position: { x: 50, y: 105 } }]));
    expect(h.apply(moveNodes([{ id: 'number-1', position: { x: 50, y: 5 } }]))).toBe(false);
    h.undo();
    expect(h.graph.nodes.map((n) => n.position)).toEqual([{ x: 0, y: 0 }, { x: 0, y: 100 }]);
  });

  it('an input takes one wire: connecting again replaces it', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(addNode(def('output.value'), { x: 0, y: 0 }));
    h.apply(connect({ from: { node: 'number-1', port: 'value' }, to: { node: 'value-1', port: 'value' } }));
    h.apply(connect({ from: { node: 'number-2', port: 'value' }, to: { node: 'value-1', port: 'value' } }));
    expect(h.graph.edges.map((e) => e.from.node)).toEqual(['number-2']);
  });

  it('deleting nodes takes their wires and memberships; undo restores all', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(addNode(def('math.arithmetic'), { x: 200, y: 0 }));
    h.apply(connect({ from: { node: 'number-1', port: 'value' }, to: { node: 'arithmetic-1', port: 'a' } }));
    h.apply(createRepeatZone(['arithmetic-1'], { input: def('flow.repeatInput'), output: def('flow.repeatOutput') }, [{ name: 'x', type: 'number' }]));
    const before = h.graph;
    h.apply(removeElements({ nodeIds: ['arithmetic-1'] }));
    expect(h.graph.edges).toHaveLength(0);
    expect(h.graph.zones[0].nodes).toEqual([]);
    h.undo();
    expect(h.graph).toEqual(before);
  });

  it('copy and paste make fresh ids and keep inner wires', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(addNode(def('output.value'), { x: 200, y: 0 }));
    h.apply(connect({ from: { node: 'number-1', port: 'value' }, to: { node: 'value-1', port: 'value' } }));
    let pasted: string[] = [];
    h.apply(pasteFragment(copyFragment(h.graph, ['number-1', 'value-1']), { x: 0, y: 150 }, (ids) => (pasted = ids)));
    expect(pasted).toEqual(['number-2', 'value-2']);
    expect(h.graph.edges[1]).toMatchObject({ from: { node: 'number-2' }, to: { node: 'value-2' } });
    expect(h.graph.nodes[2].position).toEqual({ x: 0, y: 150 });
    expect(validateGraph(h.graph, registry).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('removing a carried value removes its wires', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(createRepeatZone([], { input: def('flow.repeatInput'), output: def('flow.repeatOutput') }, [{ name: 'x', type: 'number' }]));
    h.apply(connect({ from: { node: 'number-1', port: 'value' }, to: { node: 'repeatInput-1', port: 'x' } }));
    h.apply(connect({ from: { node: 'repeatInput-1', port: 'index' }, to: { node: 'repeatOutput-1', port: 'x' } }));
    h.apply(setZoneCarried('zone-1', []));
    expect(h.graph.edges.map((e) => e.to.port)).toEqual([]);
  });

  it('opening a file is undoable', () => {
    const h = new History(emptyGraph('Mine'));
    h.apply(addNode(def('values.number'), { x: 0, y: 0 }));
    h.apply(replaceGraph(emptyGraph('Theirs')));
    expect(h.graph.metadata.title).toBe('Theirs');
    h.undo();
    expect(h.graph.metadata.title).toBe('Mine');
    expect(h.graph.nodes).toHaveLength(1);
  });
});
