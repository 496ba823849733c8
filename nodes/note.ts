import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

/**
 * A sticky note: text on the canvas that is saved with the graph. It is a node (rather than a
 * separate document field) so it moves, copies, pastes, deletes, groups and undoes like every
 * other node with no change to the file format; with no ports it never takes part in a run.
 */
export const noteNode = defineNode({
  type: 'ui.note',
  version: 1,
  title: 'Note',
  category: 'Annotations',
  description: 'A sticky note on the canvas for explaining a graph; it does not run.',
  inputs: [],
  outputs: [],
  params: z.object({
    text: z.string().max(20_000).default('').meta({ widget: 'textarea', label: 'Text' }),
  }),
  appearance: 'note',
  run: () => ({}),
});
