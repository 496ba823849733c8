"""Reference text generation with Hugging Face transformers 4.46 semantics, written out in numpy over the
torch model of tools/train/lm.py, to produce the fixtures Weft's ml/text tests compare against:

  tests/fixtures/textgen/processors.json  logits processors on seeded scores: kept ids, renormalised probabilities
  tests/fixtures/textgen/generate.json    greedy and beam search on shapes-lm-v1: ids, beam scores, batched runs

It follows transformers' code paths: `_get_logits_processor` order (RepetitionPenalty, NoRepeatNGram, then when
sampling Temperature, TopK, TopP, MinP), `_sample` (finished rows padded with pad_token_id), `_beam_search` with
BeamSearchScorer / BeamHypotheses (2 * num_beams candidates, `generated_len = cur_len - decoder_prompt_len`,
early_stopping True / False / "never"), and left padding with position_ids = cumsum(mask) - 1.

Usage: /usr/bin/python3 tools/reference/textgen.py      (needs $WEFT_WORK/lm.pt from tools/train/lm.py)
"""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tools', 'train'))
import lm  # noqa: E402

OUT = os.path.join(os.environ.get('WEFT_OUT', REPO), 'tests', 'fixtures', 'textgen')
NEG = -np.inf


# ------------------------------------------------------------------ processors (one row: scores [V], ids [L])

def softmax(x):
    x = np.asarray(x, np.float64)
    m = np.max(x)
    if m == -np.inf:
        return np.zeros_like(x)
    e = np.exp(x - m)
    return e / e.sum()


def repetition_penalty(scores, ids, penalty):
    s = scores.copy()
    idx = np.array(sorted(set(int(i) for i in ids)), dtype=np.int64)
    g = scores[idx]
    s[idx] = np.where(g < 0, g * penalty, g / penalty)
    return s


def no_repeat_ngram(scores, ids, n):
    s = scores.copy()
    ids = [int(i) for i in ids]
    cur = len(ids)
    if cur + 1 < n:
        return s
    gen = {}
    for ng in zip(*[ids[i:] for i in range(n)]):
        gen.setdefault(tuple(ng[:-1]), []).append(ng[-1])
    for t in gen.get(tuple(ids[cur + 1 - n:cur]), []):
        s[t] = NEG
    return s


def temperature(scores, t):
    return (scores / np.float32(t)).astype(np.float32)


def top_k(scores, k, keep=1):
    k = min(max(k, keep), scores.shape[-1])
    kth = np.sort(scores)[::-1][k - 1]
    return np.where(scores < kth, NEG, scores).astype(np.float32)


def top_p(scores, p, keep=1):
    order = np.argsort(scores, kind='stable')  # ascending
    cum = np.cumsum(softmax(scores[order]))
    remove = cum <= (1 - p)
    remove[-keep:] = False
    s = scores.copy()
    s[order[remove]] = NEG
    return s


def min_p(scores, m, keep=1):
    probs = softmax(scores)
    remove = probs < m * probs.max()
    order = np.argsort(-scores.astype(np.float64), kind='stable')  # descending, ties by index
    rs = remove[order]
    rs[:keep] = False
    s = scores.copy()
    s[order[rs]] = NEG
    return s


def process(scores, ids, cfg, sampling):
    s = scores.astype(np.float32)
    if cfg.get('repetitionPenalty', 1) != 1:
        s = repetition_penalty(s, ids, cfg['repetitionPenalty'])
    if cfg.get('noRepeatNgramSize', 0) > 0:
        s = no_repeat_ngram(s, ids, cfg['noRepeatNgramSize'])
    if sampling:
        if cfg.get('temperature', 1) != 1:
            s = temperature(s, cfg['temperature'])
        if cfg.get('topK', 0) > 0:
            s = top_k(s, cfg['topK'])
        if cfg.get('topP', 1) < 1:
            s = top_p(s, cfg['topP'])
        if cfg.get('minP', 0) > 0:
            s = min_p(s, cfg['minP'])
    return s


def log_softmax(x):
    x = x.astype(np.float32)
    m = x.max()
    return (x - (m + np.log(np.exp((x - m).astype(np.float64)).sum()))).astype(np.float32)


# ------------------------------------------------------------------ model steps

class Model:
    def __init__(self):
        self.m, _ = lm.load_model()
        self.ex = lm.Export(self.m).eval()
        self.V = self.m.c['vocab_size']

    @torch.no_grad()
    def step(self, ids, mask, pos, past):
        if past is None:
            past = lm.empty_past(self.m.c, len(ids))
        out = self.ex(torch.tensor(ids), torch.tensor(mask), torch.tensor(pos), *past)
        return out[0][:, -1].numpy().astype(np.float32), list(out[1:])


def left_pad(prompts, pad):
    L = max(len(p) for p in prompts)
    ids = [[pad] * (L - len(p)) + list(p) for p in prompts]
    mask = [[0] * (L - len(p)) + [1] * len(p) for p in prompts]
    pos = []
    for m in mask:
        c = np.cumsum(m) - 1
        pos.append([1 if x == 0 else int(v) for x, v in zip(m, c)])
    return ids, mask, pos, L


def greedy(model, prompts, max_new, eos, pad, cfg):
    ids, mask, pos, L = left_pad(prompts, pad)
    seqs = [list(p) for p in prompts]
    gen = [[] for _ in prompts]
    unfinished = [True] * len(prompts)
    past = None
    inp = ids
    for step in range(max_new):
        logits, past = model.step(inp, mask, pos, past)
        nxt = []
        for r in range(len(prompts)):
            if not unfinished[r]:
                nxt.append(pad)
                continue
            s = process(logits[r], seqs[r], cfg, False)
            nxt.append(int(np.argmax(s)))
        for r in range(len(prompts)):
            if unfinished[r]:
                seqs[r].append(nxt[r])
                gen[r].append(nxt[r])
                if nxt[r] in eos:
                    unfinished[r] = False
        if not any(unfinished):
            break
        inp = [[t] for t in nxt]
        mask = [m + [1] for m in mask]
        pos = [[p[-1] + 1] for p in pos]
    return gen


class BeamHypotheses:
    def __init__(self, num_beams, length_penalty, early_stopping, max_length):
        self.length_penalty, self.early_stopping, self.num_beams, self.max_length = length_penalty, early_stopping, num_beams, max_length
        self.beams = []
        self.worst_score = 1e9

    def add(self, hyp, sum_logprobs, generated_len, eos):
        score = sum_logprobs / (generated_len ** self.length_penalty)
        if len(self.beams) < self.num_beams or score > self.worst_score:
            self.beams.append((score, hyp, eos))
            if len(self.beams) > self.num_beams:
                sorted_next = sorted([(s, idx) for idx, (s, _, _) in enumerate(self.beams)])
                del self.beams[sorted_next[0][1]]
                self.worst_score = sorted_next[1][0]
            else:
                self.worst_score = min(score, self.worst_score)

    def is_done(self, best_sum_logprobs, cur_len, decoder_prompt_len):
        if len(self.beams) < self.num_beams:
            return False
        if self.early_stopping is True:
            return True
        if self.early_stopping is False:
            return self.worst_score >= best_sum_logprobs / (cur_len - decoder_prompt_len) ** self.length_penalty
        if self.length_penalty > 0.0:
            highest = best_sum_logprobs / (self.max_length - decoder_prompt_len) ** self.length_penalty
        else:
            highest = best_sum_logprobs / (cur_len - decoder_prompt_len) ** self.length_penalty
        return self.worst_score >= highest


def beam_search(model, prompts, max_new, eos, pad, cfg, num_beams, length_penalty=1.0, early_stopping=False, num_return=1):
    B, nb, V = len(prompts), num_beams, model.V
    ids, mask, pos, L = left_pad(prompts, pad)
    max_length = L + max_new
    seqs = [list(r) for r in ids for _ in range(nb)]
    mask = [list(m) for m in mask for _ in range(nb)]
    pos = [list(p) for p in pos for _ in range(nb)]
    beam_scores = np.zeros((B, nb), np.float32)
    beam_scores[:, 1:] = -1e9
    beam_scores = beam_scores.reshape(-1)
    hyps = [BeamHypotheses(nb, length_penalty, early_stopping, max_length) for _ in range(B)]
    done = [False] * B
    n_keep = max(2, 1 + len(eos)) * nb
    past, inp, step_pos = None, [list(s) for s in seqs], pos
    while True:
        logits, past = model.step(inp, mask, step_pos, past)
        cur_len = len(seqs[0]) + 1
        scores = np.stack([process(log_softmax(logits[r]), seqs[r], cfg, False) for r in range(B * nb)])
        scores = (scores.astype(np.float64) + beam_scores[:, None]).reshape(B, nb * V)
        nxt_scores = np.zeros(B * nb, np.float64)
        nxt_tokens = [pad] * (B * nb)
        nxt_rows = [0] * (B * nb)
        for b in range(B):
            order = np.argsort(-scores[b], kind='stable')[:n_keep]
            if done[b]:
                for k in range(nb):
                    nxt_rows[b * nb + k] = b * nb
                continue
            bi = 0
            for rank, flat in enumerate(order):
                parent, tok, sc = int(flat) // V, int(flat) % V, float(scores[b, flat])
                row = b * nb + parent
                if tok in eos:
                    if rank >= nb:
                        continue
                    hyps[b].add(seqs[row][L:], sc, cur_len - L, True)
                else:
                    nxt_scores[b * nb + bi], nxt_tokens[b * nb + bi], nxt_rows[b * nb + bi] = sc, tok, row
                    bi += 1
                if bi == nb:
                    break
            done[b] = done[b] or hyps[b].is_done(float(scores[b, order[0]]), cur_len, L)
        beam_scores = nxt_scores
        seqs = [seqs[r] + [t] for r, t in zip(nxt_rows, nxt_tokens)]
        mask = [mask[r] + [1] for r in nxt_rows]
        step_pos = [[step_pos[r][-1] + 1] for r in nxt_rows]
        if all(done) or len(seqs[0]) >= max_length:
            break
        idx = torch.tensor(nxt_rows)
        past = [t[idx] for t in past]
        inp = [[t] for t in nxt_tokens]
    for b in range(B):
        if done[b]:
            continue
        for k in range(nb):
            r = b * nb + k
            hyps[b].add(seqs[r][L:], float(beam_scores[r]), len(seqs[r]) - L, False)
    out, out_scores = [], []
    for b in range(B):
        for score, hyp, ended in sorted(hyps[b].beams, key=lambda x: x[0], reverse=True)[:num_return]:
            out.append(list(hyp) + ([eos[0]] if ended else []))
            out_scores.append(float(score))
    return out, out_scores


# ------------------------------------------------------------------ fixtures

def processor_cases():
    rng = np.random.default_rng(7)
    cases = []
    V = 40
    settings = [
        dict(temperature=0.7), dict(topK=5), dict(topK=1), dict(topP=0.9), dict(topP=0.5), dict(minP=0.1),
        dict(repetitionPenalty=1.3), dict(noRepeatNgramSize=2), dict(noRepeatNgramSize=3),
        dict(temperature=0.8, topK=10, topP=0.9), dict(repetitionPenalty=1.2, temperature=1.3, minP=0.05),
        dict(topK=6, minP=0.2), dict(temperature=0.5, topP=0.8, minP=0.02),
    ]
    for i, cfg in enumerate(settings):
        scores = rng.normal(0, 2.5, V).astype(np.float32)
        scores[rng.integers(V)] = scores.max()  # a tie at the top
        scores[3] = scores[4]                   # and one in the middle
        ids = [int(x) for x in rng.integers(0, V, 12)]
        ids += ids[2:4]  # makes a repeated bigram prefix for the n-gram ban
        out = process(scores, ids, cfg, True)
        kept = [int(j) for j in np.nonzero(out != NEG)[0]]
        p = softmax(out)
        cases.append(dict(settings=cfg, scores=[float(x) for x in scores], ids=ids, kept=kept, probs=[float(p[j]) for j in kept],
                          processed=[None if x == NEG else float(x) for x in out]))
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    import lm_corpus
    with open(os.path.join(OUT, 'grammar.json'), 'w') as f:
        json.dump(dict(source='tools/train/lm_corpus.py (_GRAMMAR_RE): the caption phrasings shapes-v1 was trained on',
                       pattern=lm_corpus._GRAMMAR_RE.pattern, prefix=lm_corpus.PROMPT_PREFIX), f)
    with open(os.path.join(OUT, 'processors.json'), 'w') as f:
        json.dump(dict(reference='tools/reference/textgen.py (transformers 4.46 semantics)', cases=processor_cases()), f)
    model = Model()
    enc = lm.encoder()
    eot = enc.vocab[lm.EOT]
    eos, pad = [eot], eot
    texts = ['Prompt:', 'Story: The small red circle', 'Scene: There is a large', 'Prompt: two small']
    prompts = [enc.encode(t) for t in texts]
    cases = []
    for cfg in (dict(), dict(repetitionPenalty=1.3, noRepeatNgramSize=3)):
        for t, p in zip(texts, prompts):
            cases.append(dict(kind='greedy', texts=[t], prompts=[p], settings=cfg, maxNewTokens=24, sequences=greedy(model, [p], 24, eos, pad, cfg)))
        cases.append(dict(kind='greedy', texts=texts, prompts=prompts, settings=cfg, maxNewTokens=24, sequences=greedy(model, prompts, 24, eos, pad, cfg)))
    beams = [dict(numBeams=4, lengthPenalty=1.0, earlyStopping=False, numReturnSequences=2),
             dict(numBeams=3, lengthPenalty=0.6, earlyStopping=True, numReturnSequences=3),
             dict(numBeams=4, lengthPenalty=1.5, earlyStopping='never', numReturnSequences=1)]
    for bcfg in beams:
        for t, p in zip(texts[:3], prompts[:3]):
            seqs, scores = beam_search(model, [p], 20, eos, pad, {}, bcfg['numBeams'], bcfg['lengthPenalty'], bcfg['earlyStopping'], bcfg['numReturnSequences'])
            cases.append(dict(kind='beam', texts=[t], prompts=[p], settings={}, beam=bcfg, maxNewTokens=20, sequences=seqs, scores=scores))
    seqs, scores = beam_search(model, prompts[:3], 20, eos, pad, dict(noRepeatNgramSize=2), 4, 1.0, False, 2)
    cases.append(dict(kind='beam', texts=texts[:3], prompts=prompts[:3], settings=dict(noRepeatNgramSize=2), beam=beams[0], maxNewTokens=20, sequences=seqs, scores=scores))
    with open(os.path.join(OUT, 'generate.json'), 'w') as f:
        json.dump(dict(reference='tools/reference/textgen.py (transformers 4.46 semantics)', model='shapes-lm-v1', eos=eos, pad=pad,
                       cases=cases, decoded=[enc.decode(c['sequences'][0]) for c in cases]), f)
    for c in cases[:6]:
        print(c['kind'], c['texts'][0], '->', repr(enc.decode(c['sequences'][0])))
    print('wrote', OUT)


if __name__ == '__main__':
    torch.set_num_threads(1)
    main()
