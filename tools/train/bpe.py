"""A byte-level BPE trainer (GPT-2's scheme) that writes a Hugging Face tokenizer.json.

GPT-2 pre-tokenises with a regex, maps bytes to printable characters (bytes_to_unicode: a space is 'Ġ'),
then merges the most frequent adjacent pair until the vocabulary is full. The corpus here is ASCII, so the
regex's \\p{L} / \\p{N} classes are written as ASCII ranges; the tokenizer.json names the real ByteLevel
pre-tokenizer, so any HF tokenizer (Python, Rust, @huggingface/tokenizers in JS) reads it the same way.
"""
import collections
import re

PAT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()


def pieces(text):
    return [''.join(B2U[b] for b in w.encode('utf-8')) for w in PAT.findall(text)]


def merge_pair(seq, a, b):
    """The symbols with every adjacent (a, b) joined into one, left to right."""
    i, out = 0, []
    while i < len(seq):
        if i < len(seq) - 1 and seq[i] == a and seq[i + 1] == b:
            out.append(a + b)
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out


def train(texts, vocab_size, specials):
    """Returns (vocab: token -> id, merges: ['a b', ...]). Specials take the last ids (as GPT-2's <|endoftext|>)."""
    words = collections.Counter()
    for t in texts:
        words.update(pieces(t))
    vocab = {}
    for b in range(256):
        vocab[B2U[b]] = len(vocab)
    seqs = {w: list(w) for w in words}
    merges = []
    target = vocab_size - len(specials)
    while len(vocab) < target:
        pairs = collections.Counter()
        for w, f in words.items():
            s = seqs[w]
            for i in range(len(s) - 1):
                pairs[(s[i], s[i + 1])] += f
        if not pairs:
            break
        # most frequent; ties broken by the pair itself so training is deterministic
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(f'{a} {b}')
        vocab[a + b] = len(vocab)
        for w in seqs:
            seqs[w] = merge_pair(seqs[w], a, b)
    for sp in specials:
        vocab[sp] = len(vocab)
    return vocab, merges


class Encoder:
    """Encodes as the trained BPE does (ranked merges, GPT-2's bpe()); specials are matched first."""

    def __init__(self, vocab, merges, specials):
        self.vocab, self.specials = vocab, specials
        self.ranks = {tuple(m.split(' ')): i for i, m in enumerate(merges)}
        self.inv = {i: t for t, i in vocab.items()}
        self.u2b = {u: b for b, u in B2U.items()}
        self.split = re.compile('(' + '|'.join(re.escape(s) for s in specials) + ')') if specials else None

    def _bpe(self, w):
        s = list(w)
        while len(s) > 1:
            best = min(((self.ranks.get((s[i], s[i + 1]), 1 << 30), i) for i in range(len(s) - 1)))
            if best[0] == 1 << 30:
                break
            s = merge_pair(s, s[best[1]], s[best[1] + 1])
        return s

    def encode(self, text):
        ids = []
        for part in (self.split.split(text) if self.split else [text]):
            if part in self.specials:
                ids.append(self.vocab[part])
            elif part:
                for p in pieces(part):
                    ids.extend(self.vocab[t] for t in self._bpe(p))
        return ids

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            t = self.inv[int(i)]
            if t in self.specials:
                out.extend(t.encode('utf-8'))
            else:
                out.extend(self.u2b[c] for c in t)
        return out.decode('utf-8', errors='replace')


def tokenizer_json(vocab, merges, specials):
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [{'id': vocab[s], 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
                          'normalized': True, 'special': True} for s in specials],
        'normalizer': None,
        'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
        'post_processor': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': False, 'use_regex': True},
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '',
                  'end_of_word_suffix': '', 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
                  'vocab': vocab, 'merges': merges},
    }
