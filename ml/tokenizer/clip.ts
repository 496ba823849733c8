/**
 * Build, in memory, the Hugging Face `tokenizer.json` of a CLIP BPE tokenizer from a CLIP folder's
 * `vocab.json` + `merges.txt`, with the same structure as openai/clip-vit-large-patch14's tokenizer.json
 * (what transformers' CLIPConverter writes): normalizer NFC -> Replace(\s+ -> " ") -> Lowercase;
 * pre-tokenizer Split(CLIP regex, removed, invert) -> ByteLevel; BPE with "</w>" end-of-word suffix;
 * RobertaProcessing post-processor (bos <|startoftext|>, eos <|endoftext|>); ByteLevel decoder.
 */

/** The regex of OpenAI CLIP's simple_tokenizer.py, without its special-token alternatives. */
export const CLIP_SPLIT_REGEX = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

export interface ClipSpecialTokens {
  bos: string;
  eos: string;
  unk: string;
  pad?: string;
}

const DEFAULT_SPECIALS: ClipSpecialTokens = { bos: '<|startoftext|>', eos: '<|endoftext|>', unk: '<|endoftext|>' };

/** Parse merges.txt: skips the "#version" header and blank lines; each line "a b". */
export function parseMerges(merges: string): string[] {
  const out: string[] = [];
  for (const raw of merges.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#version')) continue;
    const parts = line.split(' ');
    if (parts.length !== 2) throw new Error(`merges.txt: malformed line ${JSON.stringify(raw)} (expected two tokens)`);
    out.push(line);
  }
  return out;
}

/** The tokenizer.json object equivalent to a CLIP folder's vocab.json + merges.txt. */
export function buildClipTokenizerJson(
  vocab: Record<string, number>,
  merges: string,
  specials: Partial<ClipSpecialTokens> = {},
): Record<string, unknown> {
  const sp = { ...DEFAULT_SPECIALS, ...specials };
  const idOf = (tok: string): number => {
    const id = vocab[tok];
    if (typeof id !== 'number') throw new Error(`vocab.json lacks the special token ${JSON.stringify(tok)}`);
    return id;
  };
  const bosId = idOf(sp.bos);
  const eosId = idOf(sp.eos);
  idOf(sp.unk);
  const specialContents = [...new Set([sp.bos, sp.eos, sp.unk, ...(sp.pad && sp.pad in vocab && /^<\|.*\|>$/.test(sp.pad) ? [sp.pad] : [])])];
  const addedTokens = specialContents
    .map((content) => ({ id: idOf(content), content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }))
    .sort((a, b) => a.id - b.id);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT_REGEX }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [sp.eos, eosId],
      cls: [sp.bos, bosId],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: sp.unk,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: parseMerges(merges),
    },
  };
}
