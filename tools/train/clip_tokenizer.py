"""CLIP byte-level BPE tokenizer (port of openai/CLIP simple_tokenizer, ftfy-free).

Reads the Hugging Face layout (vocab.json + merges.txt) of the SD 1.x CLIP tokenizer.
"""
import html
import json
import os
import re
from functools import lru_cache

BOS = 49406
EOS = 49407
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.normpath(os.path.join(HERE, '..', '..', 'tests', 'fixtures', 'clip-tokenizer'))

# CLIP's pattern uses \p{L} / \p{N} (the `regex` module). Debian's python3 lacks `regex`, so the
# same classes are written with `re`: letters = [^\W\d_], numbers = \d, other = not space/letter/number.
PAT = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+""",
                 re.IGNORECASE)


@lru_cache()
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def get_pairs(word):
    return set(zip(word[:-1], word[1:]))


def basic_clean(text):
    return html.unescape(html.unescape(text)).strip()


def whitespace_clean(text):
    return re.sub(r'\s+', ' ', text).strip()


class CLIPTokenizer:
    def __init__(self, folder=DEFAULT_DIR):
        with open(os.path.join(folder, 'vocab.json'), encoding='utf-8') as f:
            self.encoder = json.load(f)
        self.decoder = {v: k for k, v in self.encoder.items()}
        with open(os.path.join(folder, 'merges.txt'), encoding='utf-8') as f:
            lines = f.read().split('\n')
        merges = [tuple(l.split()) for l in lines if l and not l.startswith('#version')]
        self.merges = merges
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.byte_encoder = bytes_to_unicode()
        self.cache = {'<|startoftext|>': '<|startoftext|>', '<|endoftext|>': '<|endoftext|>'}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + '</w>',)
        pairs = get_pairs(word)
        if not pairs:
            return token + '</w>'
        while True:
            bigram = min(pairs, key=lambda p: self.bpe_ranks.get(p, float('inf')))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new_word.extend(word[i:j])
                    i = j
                except ValueError:
                    new_word.extend(word[i:])
                    break
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        out = ' '.join(word)
        self.cache[token] = out
        return out

    def encode(self, text):
        """Token ids without bos/eos."""
        ids = []
        text = whitespace_clean(basic_clean(text)).lower()
        for token in PAT.findall(text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            ids.extend(self.encoder[t] for t in self.bpe(token).split(' '))
        return ids

    def __call__(self, text, length):
        """bos + ids + eos, truncated (eos kept last) and padded with eos to `length`, like SD's pipeline."""
        ids = self.encode(text)[: length - 2]
        ids = [BOS] + ids + [EOS]
        return ids + [EOS] * (length - len(ids))


_TOK = None


def get_tokenizer():
    global _TOK
    if _TOK is None:
        _TOK = CLIPTokenizer()
        ex = [BOS] + _TOK.encode("An astronaut riding a horse") + [EOS]
        assert ex == [49406, 550, 18376, 6765, 320, 4558, 49407], ex
    return _TOK


if __name__ == '__main__':
    t = get_tokenizer()
    for s in ["An astronaut riding a horse", "a large red circle on the left", "two small yellow stars", ""]:
        print(repr(s), t(s, 24))
