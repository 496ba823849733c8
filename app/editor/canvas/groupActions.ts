import { groupNodes, ungroup } from '@/engine/commands/commands';
import type { Graph, Group } from '@/engine/graph/document';
import type { EditorController } from '../controller';

/** Colours offered for groups and notes (#rrggbb, as the file format asks). */
export const FRAME_COLOURS = ['#6b7280', '#4f7cff', '#2fb5a3', '#7ec16e', '#e0a03a', '#d9668f', '#a070e8', '#e8c547'] as const;

/** A group just made by the user: its frame opens its title for typing once. */
let renamePending: string | null = null;
export function takeRenamePending(groupId: string): boolean {
  if (renamePending !== groupId) return false;
  renamePending = null;
  return true;
}

/** The group whose members are all of the selection (or that holds every selected node). */
export function groupOfSelection(graph: Graph, selected: ReadonlySet<string>): Group | undefined {
  if (!selected.size) return undefined;
  return graph.groups.find((g) => [...selected].every((id) => g.nodes.includes(id)));
}

/** Ctrl+G: puts the selected nodes in a new group. Returns false when nothing is selected. */
export function groupSelection(ctrl: EditorController): boolean {
  const ids = [...ctrl.store.get().selection.nodes];
  if (!ids.length) {
    ctrl.toast('info', 'Select the nodes to group first (drag with Shift, or Ctrl+A).');
    return false;
  }
  const before = new Set(ctrl.graph.groups.map((g) => g.id));
  ctrl.apply({ ...groupNodes(ids, 'Group', FRAME_COLOURS[1]), name: `Group ${ids.length} node${ids.length === 1 ? '' : 's'}` });
  renamePending = ctrl.graph.groups.find((g) => !before.has(g.id))?.id ?? null;
  return true;
}

/** Ctrl+Shift+G: removes the group holding the selection (its nodes stay). */
export function ungroupSelection(ctrl: EditorController): boolean {
  const group = groupOfSelection(ctrl.graph, ctrl.store.get().selection.nodes);
  if (!group) return false;
  ctrl.apply(ungroup(group.id));
  return true;
}
