import { Builder } from './builder';

/**
 * diffusers' AutoencoderKL decoder as the ONNX exports cut it (post_quant_conv, then the decoder):
 * conv_in, a mid block (resnet, one-head attention, resnet), four up blocks of three resnets with
 * ×2 upsampling between them, and conv_out to RGB. Stable Diffusion's VAE: 49,490,199 parameters with post_quant_conv.
 */
export interface VaeDecoderConfig {
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly latentChannels: number;
  readonly normGroups: number;
}

export const SD_VAE: VaeDecoderConfig = { blockOutChannels: [128, 256, 512, 512], layersPerBlock: 2, latentChannels: 4, normGroups: 32 };

export function buildVaeDecoder(b: Builder, cfg: VaeDecoderConfig): void {
  const G = cfg.normGroups;
  const ch = [...cfg.blockOutChannels].reverse();
  const resnet = (x: string, prefix: string, inC: number, outC: number): string => {
    let h = b.conv(b.silu(b.groupNorm(x, `${prefix}.norm1`, inC, G, 1e-6)), `${prefix}.conv1`, inC, outC, 3);
    h = b.conv(b.silu(b.groupNorm(h, `${prefix}.norm2`, outC, G, 1e-6)), `${prefix}.conv2`, outC, outC, 3);
    return b.o('Add', [inC === outC ? x : b.conv(x, `${prefix}.conv_shortcut`, inC, outC, 1), h]);
  };
  const z = b.conv('latent_sample', 'post_quant_conv', cfg.latentChannels, cfg.latentChannels, 1);
  let h = b.conv(z, 'decoder.conv_in', cfg.latentChannels, ch[0], 3);
  let c = ch[0];
  h = resnet(h, 'decoder.mid_block.resnets.0', c, c);
  // One-head self-attention over the pixels, with biases (diffusers' Attention in the VAE).
  const normed = b.groupNorm(h, 'decoder.mid_block.attentions.0.group_norm', c, G, 1e-6);
  const tokens = b.toTokens(normed, c);
  const att = b.attention(tokens, tokens, 'decoder.mid_block.attentions.0', c, c, 1, { qkvBias: true });
  h = b.o('Add', [b.fromTokens(att, h), h]);
  h = resnet(h, 'decoder.mid_block.resnets.1', c, c);
  ch.forEach((outC, i) => {
    for (let j = 0; j <= cfg.layersPerBlock; j++) {
      h = resnet(h, `decoder.up_blocks.${i}.resnets.${j}`, c, outC);
      c = outC;
    }
    if (i < ch.length - 1) h = b.conv(b.upsample2x(h), `decoder.up_blocks.${i}.upsamplers.0.conv`, c, c, 3);
  });
  h = b.conv(b.silu(b.groupNorm(h, 'decoder.conv_norm_out', c, G, 1e-6)), 'decoder.conv_out', c, 3, 3);
  b.nodes.push({ op: 'Identity', inputs: [h], outputs: ['sample'] });
}
