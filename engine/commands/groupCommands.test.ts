import { describe, expect, it } from 'vitest';
import { History } from './history';
import { groupNodes } from './commands';
import { setGroupColour, setGroupTitle } from './groupCommands';
import { emptyGraph } from '../graph/document';

describe('group commands', () => {
  it('renames (typing is one entry) and colours a group, undoably', () => {
    const h = new History(emptyGraph());
    h.apply(groupNodes(['a'], 'Group', '#6b7280'));
    const id = h.graph.groups[0].id;
    h.apply(setGroupTitle(id, 'P'));
    h.apply(setGroupTitle(id, 'Prompts'));
    h.apply(setGroupColour(id, '#e0a03a'));
    expect(h.graph.groups[0]).toMatchObject({ title: 'Prompts', colour: '#e0a03a' });
    h.undo();
    expect(h.graph.groups[0].colour).toBe('#6b7280');
    h.undo();
    expect(h.graph.groups[0].title).toBe('Group');
  });
});
