/**
 * Weft tokenizer: Hugging Face tokenizer.json / CLIP vocab.json + merges.txt loading, CLIP-exact ids,
 * HF-style padding and truncation. Pure TypeScript over @huggingface/tokenizers (no DOM, no Node APIs).
 *
 * Reference ids: tests/fixtures/tokenizer/clip-cases.json, made by tools/reference/clip_tokenize.py,
 * a port of OpenAI CLIP's simple_tokenizer.py over tests/fixtures/clip-tokenizer (OpenAI's CLIP BPE
 * vocabulary). Known difference with OpenAI's own tokenizer, shared with HF's fast CLIP tokenizer:
 * no ftfy / html.unescape (NFC only), so "&amp;" stays literal.
 */
export * from './tokenizer';
export { buildClipTokenizerJson, parseMerges, CLIP_SPLIT_REGEX } from './clip';
