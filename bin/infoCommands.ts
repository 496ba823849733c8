import { z } from 'zod';
import { NODE_DEFINITIONS } from '@/nodes';
import { graphJsonSchema } from '@/engine/graph/jsonSchema';
import { nodeReferenceMarkdown } from '@/engine/nodeDocs';

export function nodesCommand(opts: { json?: boolean; markdown?: boolean }): number {
  if (opts.markdown) {
    process.stdout.write(nodeReferenceMarkdown(NODE_DEFINITIONS));
    return 0;
  }
  if (opts.json) {
    const list = NODE_DEFINITIONS.map((d) => ({
      type: d.type,
      version: d.version,
      title: d.title,
      category: d.category,
      description: d.description,
      inputs: d.inputs,
      outputs: d.outputs,
      params: z.toJSONSchema(d.params, { io: 'input' }),
      ...(d.isOutput ? { isOutput: true } : {}),
      ...(d.zoneRole ? { zoneRole: d.zoneRole } : {}),
    }));
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(...NODE_DEFINITIONS.map((d) => d.type.length));
  for (const d of NODE_DEFINITIONS) process.stdout.write(`${d.type.padEnd(width)}  ${d.category.padEnd(8)}  ${d.description}\n`);
  return 0;
}

export function schemaCommand(): number {
  process.stdout.write(JSON.stringify(graphJsonSchema(), null, 2) + '\n');
  return 0;
}
