import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

/**
 * The entrance of a repeat zone. The executor drives it: each iteration it outputs the
 * iteration index, the count and the current carried values (ports added from the zone).
 */
export const repeatInputNode = defineNode({
  type: 'flow.repeatInput',
  version: 1,
  title: 'Repeat Input',
  category: 'Flow',
  description: 'Starts a repeat zone: the nodes inside run once per iteration, carrying values from one to the next.',
  explain:
    'A repeat zone runs its body N times. Values entering here are the starting values of the carried ' +
    'state (for denoising: the noisy latent); each iteration sees the current state and the iteration ' +
    'index, and the Repeat Output node hands the new state to the next iteration.',
  maths: 'state₀ = the inputs; for i = 0…N−1: state_{i+1} = body(state_i, i); the zone outputs state_N.',
  inputs: [{ name: 'iterations', type: 'integer', optional: true, description: 'Overrides the iterations parameter.' }],
  outputs: [
    { name: 'index', type: 'integer', description: 'The iteration number, from 0.' },
    { name: 'count', type: 'integer', description: 'How many iterations run.' },
  ],
  params: z.object({
    iterations: z.number().int().min(0).max(100_000).default(4).meta({ label: 'Iterations', key: true }),
  }),
  zoneRole: 'repeatInput',
  // Never called: the executor computes this node's outputs for each iteration.
  run: () => ({}),
});
