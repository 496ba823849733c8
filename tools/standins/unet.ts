import { Builder } from './builder';

/**
 * diffusers' UNet2DConditionModel as Stable Diffusion 1.x and 2.x (SD-Turbo) build it: conv_in,
 * the sinusoidal timestep embedding and its MLP, CrossAttnDownBlock2D × 3 + DownBlock2D, the
 * mid block (resnet, transformer, resnet), UpBlock2D + CrossAttnUpBlock2D × 3 with skip
 * connections, and conv_out. Widths, heads and projections follow the config, so a full-size
 * config has the real parameter count (SD 1.5: 859,520,964).
 */
export interface UnetConfig {
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  /** Per level (SD 2.x: [5, 10, 20, 20], the head size) or one number (SD 1.x: 8, the head count). */
  readonly attentionHeadDim: number | readonly number[];
  /** SD 1.x's config names the head count `attention_head_dim` (8); SD 2.x names the head size. */
  readonly headDimIsHeadCount: boolean;
  readonly crossAttentionDim: number;
  /** SD 2.x projects into and out of a transformer with Linear layers, SD 1.x with 1×1 convolutions. */
  readonly useLinearProjection: boolean;
  readonly normGroups: number;
  readonly timestepDtype: 'int64' | 'float32';
}

export const SD15_UNET: UnetConfig = { blockOutChannels: [320, 640, 1280, 1280], layersPerBlock: 2, attentionHeadDim: 8, headDimIsHeadCount: true, crossAttentionDim: 768, useLinearProjection: false, normGroups: 32, timestepDtype: 'int64' };
export const SD21_UNET: UnetConfig = { blockOutChannels: [320, 640, 1280, 1280], layersPerBlock: 2, attentionHeadDim: [5, 10, 20, 20], headDimIsHeadCount: false, crossAttentionDim: 1024, useLinearProjection: true, normGroups: 32, timestepDtype: 'float32' };

export function buildUnet(b: Builder, cfg: UnetConfig): void {
  const ch = cfg.blockOutChannels;
  const G = cfg.normGroups;
  const tembDim = ch[0] * 4;
  const heads = (level: number) => {
    const a = typeof cfg.attentionHeadDim === 'number' ? cfg.attentionHeadDim : cfg.attentionHeadDim[level];
    return cfg.headDimIsHeadCount ? a : ch[level] / a;
  };

  // Timestep embedding: diffusers' Timesteps(flip_sin_to_cos=True, downscale_freq_shift=0) then TimestepEmbedding.
  const half = ch[0] / 2;
  const freqs = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const t = b.o('Unsqueeze', [b.o('Cast', ['timestep'], { to: { i: b.floatCode } }), b.constI([1])]);
  const args = b.o('Mul', [t, b.constF(freqs, [1, half])]);
  const proj = b.o('Concat', [b.o('Cos', [args]), b.o('Sin', [args])], { axis: { i: 1 } });
  const temb = b.linear(b.silu(b.linear(proj, 'time_embedding.linear_1', ch[0], tembDim)), 'time_embedding.linear_2', tembDim, tembDim);
  const tembAct = b.silu(temb);

  const resnet = (x: string, prefix: string, inC: number, outC: number): string => {
    let h = b.conv(b.silu(b.groupNorm(x, `${prefix}.norm1`, inC, G)), `${prefix}.conv1`, inC, outC, 3);
    const tt = b.o('Reshape', [b.linear(tembAct, `${prefix}.time_emb_proj`, tembDim, outC), b.constI([0, -1, 1, 1])]);
    h = b.o('Add', [h, tt]);
    h = b.conv(b.silu(b.groupNorm(h, `${prefix}.norm2`, outC, G)), `${prefix}.conv2`, outC, outC, 3);
    const skip = inC === outC ? x : b.conv(x, `${prefix}.conv_shortcut`, inC, outC, 1);
    return b.o('Add', [skip, h]);
  };

  const transformer = (x: string, prefix: string, c: number, nHeads: number): string => {
    const normed = b.groupNorm(x, `${prefix}.norm`, c, G, 1e-6);
    let tokens = cfg.useLinearProjection ? b.linear(b.toTokens(normed, c), `${prefix}.proj_in`, c, c) : b.toTokens(b.conv(normed, `${prefix}.proj_in`, c, c, 1), c);
    const blk = `${prefix}.transformer_blocks.0`;
    const n1 = b.layerNorm(tokens, `${blk}.norm1`, c);
    tokens = b.o('Add', [tokens, b.attention(n1, n1, `${blk}.attn1`, c, c, nHeads)]);
    const n2 = b.layerNorm(tokens, `${blk}.norm2`, c);
    tokens = b.o('Add', [tokens, b.attention(n2, 'encoder_hidden_states', `${blk}.attn2`, c, cfg.crossAttentionDim, nHeads)]);
    // GEGLU feed-forward: Linear(c → 8c), half gates the other through GELU, Linear(4c → c).
    const n3 = b.layerNorm(tokens, `${blk}.norm3`, c);
    const both = b.linear(n3, `${blk}.ff.net.0.proj`, c, 8 * c);
    const [hidden, gate] = b.op('Split', [both, b.constI([4 * c, 4 * c])], { axis: { i: -1 } }, 2);
    const ff = b.linear(b.o('Mul', [hidden, b.gelu(gate)]), `${blk}.ff.net.2`, 4 * c, c);
    tokens = b.o('Add', [tokens, ff]);
    const out = cfg.useLinearProjection ? b.fromTokens(b.linear(tokens, `${prefix}.proj_out`, c, c), x) : b.conv(b.fromTokens(tokens, x), `${prefix}.proj_out`, c, c, 1);
    return b.o('Add', [out, x]);
  };

  let h = b.conv('sample', 'conv_in', 4, ch[0], 3);
  const skips: { t: string; c: number }[] = [{ t: h, c: ch[0] }];
  let c = ch[0];
  ch.forEach((outC, level) => {
    const attn = level < ch.length - 1;
    for (let j = 0; j < cfg.layersPerBlock; j++) {
      h = resnet(h, `down_blocks.${level}.resnets.${j}`, c, outC);
      c = outC;
      if (attn) h = transformer(h, `down_blocks.${level}.attentions.${j}`, c, heads(level));
      skips.push({ t: h, c });
    }
    if (level < ch.length - 1) {
      h = b.conv(h, `down_blocks.${level}.downsamplers.0.conv`, c, c, 3, 2);
      skips.push({ t: h, c });
    }
  });

  const last = ch.length - 1;
  h = resnet(h, 'mid_block.resnets.0', c, c);
  h = transformer(h, 'mid_block.attentions.0', c, heads(last));
  h = resnet(h, 'mid_block.resnets.1', c, c);

  const reversed = [...ch].reverse();
  reversed.forEach((outC, i) => {
    const level = last - i;
    const attn = i > 0;
    for (let j = 0; j <= cfg.layersPerBlock; j++) {
      const skip = skips.pop()!;
      h = b.o('Concat', [h, skip.t], { axis: { i: 1 } });
      h = resnet(h, `up_blocks.${i}.resnets.${j}`, c + skip.c, outC);
      c = outC;
      if (attn) h = transformer(h, `up_blocks.${i}.attentions.${j}`, c, heads(level));
    }
    if (i < last) h = b.conv(b.upsample2x(h), `up_blocks.${i}.upsamplers.0.conv`, c, c, 3);
  });

  h = b.conv(b.silu(b.groupNorm(h, 'conv_norm_out', c, G)), 'conv_out', c, 4, 3);
  b.nodes.push({ op: 'Identity', inputs: [h], outputs: ['out_sample'] });
}
