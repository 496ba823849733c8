/** Facts about a VAE read from its diffusers config.json. */

/** The latent scaling factor (SD 1.x: 0.18215): the UNet works on latent × factor. */
export function scalingFactor(config: Readonly<Record<string, unknown>> | undefined): number {
  return typeof config?.scaling_factor === 'number' ? config.scaling_factor : 0.18215;
}

/** Latent channels and pixels per latent cell (SD: 4 and 8; 2^(number of blocks − 1)). */
export function latentGeometry(config: Readonly<Record<string, unknown>> | undefined): { channels: number; factor: number } {
  const channels = typeof config?.latent_channels === 'number' ? config.latent_channels : 4;
  const blocks = Array.isArray(config?.block_out_channels) ? config.block_out_channels.length : 4;
  const factor = typeof config?.weft_downsampling_factor === 'number' ? config.weft_downsampling_factor : 2 ** (blocks - 1);
  return { channels, factor };
}
