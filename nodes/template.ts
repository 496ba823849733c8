import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';

export const templateNode = defineNode({
  type: 'text.template',
  version: 1,
  title: 'String Template',
  category: 'Text',
  description: 'Fills {a}, {b} and {c} in a template with the connected values.',
  inputs: [
    { name: 'a', type: 'any', optional: true },
    { name: 'b', type: 'any', optional: true },
    { name: 'c', type: 'any', optional: true },
  ],
  outputs: [{ name: 'text', type: 'text' }],
  params: z.object({
    template: z.string().max(100_000).default('a photo of {a}').meta({ widget: 'textarea', label: 'Template' }),
  }),
  run: ({ params, inputs }) => {
    const text = params.template.replace(/\{([abc])\}/g, (_m, key: string) => {
      if (!(key in inputs)) throw new NodeRunError('missing_value', `the template uses {${key}} but input '${key}' is not connected`);
      return formatValue(inputs[key]);
    });
    return { text };
  },
});

function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? String(v);
}
