import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';

const OPS = ['add', 'subtract', 'multiply', 'divide', 'power', 'min', 'max', 'modulo', 'round', 'floor'] as const;

export const arithmeticNode = defineNode({
  type: 'math.arithmetic',
  version: 1,
  title: 'Arithmetic',
  category: 'Math',
  description: 'Combines two numbers: add, subtract, multiply, divide, power, min, max, modulo; or rounds a.',
  inputs: [
    { name: 'a', type: 'number' },
    { name: 'b', type: 'number', optional: true, description: 'Unused by round and floor; defaults to the b parameter.' },
  ],
  outputs: [{ name: 'result', type: 'number' }],
  params: z.object({
    operation: z.enum(OPS).default('add').meta({ label: 'Operation' }),
    b: z.number().finite().default(0).meta({ label: 'b (when unconnected)' }),
  }),
  run: ({ params, inputs }) => {
    const a = inputs.a as number;
    const b = (inputs.b as number | undefined) ?? params.b;
    let result: number;
    switch (params.operation) {
      case 'add': result = a + b; break;
      case 'subtract': result = a - b; break;
      case 'multiply': result = a * b; break;
      case 'divide':
        if (b === 0) throw new NodeRunError('division_by_zero', 'cannot divide by zero: input b is 0');
        result = a / b;
        break;
      case 'power': result = a ** b; break;
      case 'min': result = Math.min(a, b); break;
      case 'max': result = Math.max(a, b); break;
      case 'modulo':
        if (b === 0) throw new NodeRunError('division_by_zero', 'modulo by zero: input b is 0');
        result = a % b;
        break;
      case 'round': result = Math.round(a); break;
      case 'floor': result = Math.floor(a); break;
    }
    if (!Number.isFinite(result)) throw new NodeRunError('not_finite', `${params.operation} gave ${result}`);
    return { result };
  },
});
