import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

/** The exit of a repeat zone: its inputs become the next iteration's carried values. */
export const repeatOutputNode = defineNode({
  type: 'flow.repeatOutput',
  version: 1,
  title: 'Repeat Output',
  category: 'Flow',
  description: 'Ends a repeat zone: after the last iteration its outputs are the final carried values.',
  explain:
    "Closes the repeat zone. What is wired into it becomes the carried state of the next iteration; after the last iteration its outputs are the final values (for denoising: the clean latent, ready for the VAE). The repeat zone is the denoising loop drawn out: one UNet step and one scheduler step per iteration.",
  maths: 'state_{i+1} = what is wired in here after iteration i; after the last, the outputs are state_N.',
  inputs: [],
  outputs: [],
  params: z.object({
    // When the zone carries a latent: show each step and keep it for time travel. Both read each step's
    // latent back to the CPU; off, a zone on the GPU reads nothing back during the loop.
    preview: z.boolean().default(true).meta({ label: 'Preview and keep every step' }),
  }),
  zoneRole: 'repeatOutput',
  run: () => ({}),
});
