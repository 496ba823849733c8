import { z } from 'zod';
import type { NodeDefinition } from './nodeDefinition';
import { PORT_TYPE_LABELS, type PortSpec } from './types/portTypes';

/** The node reference (docs/nodes.md), written from the definitions themselves. */
export function nodeReferenceMarkdown(defs: readonly NodeDefinition[]): string {
  const lines: string[] = [
    '# Node reference',
    '',
    'Written from the node definitions by `npx weft nodes --markdown > docs/nodes.md`; a test keeps it current.',
    '',
  ];
  const categories = [...new Set(defs.map((d) => d.category))];
  for (const cat of categories) {
    lines.push(`## ${cat}`, '');
    for (const d of defs.filter((x) => x.category === cat)) {
      lines.push(`### ${d.title} \`${d.type}\` (v${d.version})`, '', d.description, '');
      if (d.explain) lines.push(`> ${d.explain}`, '');
      if (d.maths) lines.push(`Maths: ${d.maths}`, '');
      if (d.inputs.length) lines.push('Inputs: ' + d.inputs.map((p) => port(p)).join('; ') + '.', '');
      if (d.outputs.length) lines.push('Outputs: ' + d.outputs.map((p) => port(p)).join('; ') + '.', '');
      const schema = z.toJSONSchema(d.params, { io: 'input' }) as { properties?: Record<string, { default?: unknown; enum?: unknown[]; description?: string }> };
      const props = Object.entries(schema.properties ?? {});
      if (props.length) {
        lines.push('| param | default | values |', '|---|---|---|');
        for (const [name, p] of props) {
          const values = p.enum ? p.enum.map((v) => `\`${v}\``).join(', ') : '';
          const dflt = typeof p.default === 'string' && p.default.length > 60 ? `${JSON.stringify(p.default.slice(0, 40))}…` : JSON.stringify(p.default);
          lines.push(`| \`${name}\` | \`${dflt}\` | ${values} |`);
        }
        lines.push('');
      }
      if (d.zoneRole) lines.push(`This node is a repeat-zone boundary (${d.zoneRole}): it also has one port per carried value of its zone.`, '');
    }
  }
  return lines.join('\n');
}

function port(p: PortSpec): string {
  return `\`${p.name}\` (${PORT_TYPE_LABELS[p.type]}${p.optional ? ', optional' : ''})`;
}
