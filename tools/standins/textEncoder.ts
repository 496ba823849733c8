import { Builder } from './builder';

/**
 * transformers' CLIPTextModel as Stable Diffusion exports it: token and position embeddings,
 * pre-norm transformer layers with a causal mask, the final LayerNorm; one output,
 * `last_hidden_state` (no `pooler_output`, as some exports leave it out). SD 1.x: CLIP ViT-L/14's
 * text tower (123,060,480 parameters); SD 2.x: OpenCLIP ViT-H's, 23 of its 24 layers.
 */
export interface TextEncoderConfig {
  readonly vocab: number;
  readonly positions: number;
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly act: 'quick_gelu' | 'gelu';
}

export const SD15_TEXT: TextEncoderConfig = { vocab: 49408, positions: 77, width: 768, layers: 12, heads: 12, intermediate: 3072, act: 'quick_gelu' };
export const SD21_TEXT: TextEncoderConfig = { vocab: 49408, positions: 77, width: 1024, layers: 23, heads: 16, intermediate: 4096, act: 'gelu' };

export function buildTextEncoder(b: Builder, cfg: TextEncoderConfig): void {
  const w = cfg.width;
  const ids = b.o('Cast', ['input_ids'], { to: { i: 7 } });
  const tok = b.o('Gather', [b.param('text_model.embeddings.token_embedding.weight', [cfg.vocab, w]), ids], { axis: { i: 0 } });
  let h = b.o('Add', [tok, b.param('text_model.embeddings.position_embedding.weight', [cfg.positions, w])]);
  // Causal mask: a token sees itself and those before it.
  const mask: number[] = [];
  for (let i = 0; i < cfg.positions; i++) for (let j = 0; j < cfg.positions; j++) mask.push(j > i ? -1e9 : 0);
  const causal = b.constF(mask, [1, 1, cfg.positions, cfg.positions]);
  for (let l = 0; l < cfg.layers; l++) {
    const p = `text_model.encoder.layers.${l}`;
    const n1 = b.layerNorm(h, `${p}.layer_norm1`, w);
    h = b.o('Add', [h, b.attention(n1, n1, `${p}.self_attn`, w, w, cfg.heads, { qkvBias: true, out: `${p}.self_attn.out_proj`, mask: causal, qkv: ['q_proj', 'k_proj', 'v_proj'] })]);
    const n2 = b.layerNorm(h, `${p}.layer_norm2`, w);
    const up = b.linear(n2, `${p}.mlp.fc1`, w, cfg.intermediate);
    h = b.o('Add', [h, b.linear(cfg.act === 'gelu' ? b.gelu(up) : b.quickGelu(up), `${p}.mlp.fc2`, cfg.intermediate, w)]);
  }
  const out = b.layerNorm(h, 'text_model.final_layer_norm', w);
  b.nodes.push({ op: 'Identity', inputs: [out], outputs: ['last_hidden_state'] });
}
