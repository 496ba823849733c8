import { KEY_ORDER, inKeyOrder } from '../graph/document';
import type { Command } from './history';

/** Renames a group (typing merges into one history entry). */
export function setGroupTitle(groupId: string, title: string): Command {
  return {
    name: 'Rename group',
    mergeKey: `group-title:${groupId}`,
    recipe: (g) => {
      const group = g.groups.find((x) => x.id === groupId);
      if (group) group.title = title;
    },
  };
}

export function setGroupColour(groupId: string, colour: string | undefined): Command {
  return {
    name: 'Colour group',
    recipe: (g) => {
      const i = g.groups.findIndex((x) => x.id === groupId);
      if (i < 0) return;
      const group = g.groups[i];
      if (colour) group.colour = colour;
      else delete group.colour;
      g.groups[i] = inKeyOrder(group, KEY_ORDER.group);
    },
  };
}
