import { describe, expect, it } from 'vitest';
import { parseGraph } from '@/engine/graph/parse';
import { emptyGraph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import textToImage from '@/examples/text-to-image.json';
import { graphThumbnail } from './graphThumbnail';
import { categoryColour } from '../canvas/theme';

describe('graphThumbnail', () => {
  it('draws every node, wire and zone of a template inside its view box', () => {
    const r = parseGraph(textToImage, registry);
    if (!r.ok) throw new Error('example broken');
    const g = r.value;
    const t = graphThumbnail(g, registry);
    expect(t.boxes).toHaveLength(g.nodes.length);
    expect(t.wires).toHaveLength(g.edges.length);
    expect(t.frames.map((f) => f.kind)).toEqual([...g.zones.map(() => 'zone'), ...g.groups.map(() => 'group')]);
    expect(t.frames.length).toBeGreaterThan(0);
    const v = t.viewBox;
    for (const b of [...t.boxes, ...t.frames]) {
      expect(b.x).toBeGreaterThanOrEqual(v.x);
      expect(b.y).toBeGreaterThanOrEqual(v.y);
      expect(b.x + b.width).toBeLessThanOrEqual(v.x + v.width);
      expect(b.y + b.height).toBeLessThanOrEqual(v.y + v.height);
    }
    const pipeline = g.nodes.find((n) => n.type === 'models.loadPipeline')!;
    expect(t.boxes.find((b) => b.id === pipeline.id)!.colour).toBe(categoryColour(registry.get(pipeline.type)!.category));
  });

  it('has a view box for an empty graph', () => {
    const t = graphThumbnail(emptyGraph(), registry);
    expect(t.boxes).toEqual([]);
    expect(t.viewBox.width).toBeGreaterThan(0);
  });
});
