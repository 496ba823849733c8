import { z } from 'zod';
import { GraphSchema } from './document';

/** The graph file format as JSON Schema (committed as docs/graph.schema.json; a test keeps it current). */
export function graphJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(GraphSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'Weft graph document',
  };
}
