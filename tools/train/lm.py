"""shapes-lm-v1: a GPT-2-style causal language model of the shapes world, trained here on 2 cores.

Usage (from the repository root, with Debian's /usr/bin/python3):
  tools/train/lm.py train [--minutes 45] [--quick]   corpus + BPE tokenizer + training -> $WEFT_WORK/lm.pt
  tools/train/lm.py evaluate                          perplexity, prompt grammar rate -> docs/models/lm-eval.json
  tools/train/lm.py export                            ONNX with KV cache (HF layout) + configs + parity fixtures
  tools/train/lm.py all [--minutes 45]                the three in order

The architecture is GPT-2's (pre-LayerNorm blocks, learned positions, gelu_new, a head tied to the token
embedding), so the files read like a Hugging Face gpt2 export. Training writes every linear layer as a 1x1
convolution (this torch build's matmul is slow); the export computes the same maths with matmuls and a KV cache.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import lm_corpus  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
WORK = os.environ.get('WEFT_WORK', '/tmp/weft_train')
OUT_ROOT = os.environ.get('WEFT_OUT', REPO)
OUT = os.path.join(OUT_ROOT, 'public', 'models', 'shapes-lm-v1')
SEED = 4321
CFG = dict(vocab_size=512, n_positions=256, n_embd=128, n_layer=4, n_head=4, n_inner=512, layer_norm_epsilon=1e-5)
CTX = 128          # training row length
EOT = lm_corpus.EOT


def log(*a):
    print(time.strftime('%H:%M:%S') + ' [lm] ' + ' '.join(str(x) for x in a), flush=True)


# ------------------------------------------------------------------ model

def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class LN(nn.Module):
    """LayerNorm over the last dim, with GPT-2's parameter names."""
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x, dim=-1):
        m = x.mean(dim, keepdim=True)
        v = ((x - m) ** 2).mean(dim, keepdim=True)
        shape = [1] * x.dim()
        shape[dim] = -1
        return (x - m) / torch.sqrt(v + self.eps) * self.weight.view(shape) + self.bias.view(shape)


class Lin(nn.Module):
    """A linear layer stored as GPT-2's Conv1D (weight [in, out]); run as a 1x1 conv in training."""
    def __init__(self, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(i, o) * 0.02)
        self.bias = nn.Parameter(torch.zeros(o))

    def conv(self, x):  # x [B, in, T]
        return F.conv1d(x, self.weight.t().unsqueeze(-1), self.bias)

    def forward(self, x):  # x [..., in]
        return x @ self.weight + self.bias


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c['n_embd']
        self.ln_1 = LN(d, c['layer_norm_epsilon'])
        self.c_attn = Lin(d, 3 * d)
        self.c_proj = Lin(d, d)
        self.ln_2 = LN(d, c['layer_norm_epsilon'])
        self.c_fc = Lin(d, c['n_inner'])
        self.mlp_proj = Lin(c['n_inner'], d)
        self.h = c['n_head']


class GPT(nn.Module):
    def __init__(self, c=CFG):
        super().__init__()
        self.c = c
        self.wte = nn.Embedding(c['vocab_size'], c['n_embd'])
        self.wpe = nn.Embedding(c['n_positions'], c['n_embd'])
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.01)
        self.blocks = nn.ModuleList([Block(c) for _ in range(c['n_layer'])])
        self.ln_f = LN(c['n_embd'], c['layer_norm_epsilon'])
        for b in self.blocks:  # GPT-2's scaled init of residual projections
            nn.init.normal_(b.c_proj.weight, std=0.02 / math.sqrt(2 * c['n_layer']))
            nn.init.normal_(b.mlp_proj.weight, std=0.02 / math.sqrt(2 * c['n_layer']))

    def train_logits(self, ids):
        """ids [B, T] -> logits [B, T, V]; channels-first with 1x1 convs (fast here), causal, no cache."""
        B, T = ids.shape
        d, h = self.c['n_embd'], self.c['n_head']
        x = (self.wte(ids) + self.wpe(torch.arange(T))[None]).transpose(1, 2)  # [B, d, T]
        mask = torch.full((T, T), -1e9).triu(1)
        for b in self.blocks:
            q, k, v = b.c_attn.conv(b.ln_1(x, 1)).split(d, 1)
            q = q.reshape(B, h, d // h, T).transpose(-1, -2)
            k = k.reshape(B, h, d // h, T)
            v = v.reshape(B, h, d // h, T).transpose(-1, -2)
            a = torch.softmax(q @ k / math.sqrt(d // h) + mask, -1)
            x = x + b.c_proj.conv((a @ v).transpose(-1, -2).reshape(B, d, T))
            x = x + b.mlp_proj.conv(gelu_new(b.c_fc.conv(b.ln_2(x, 1))))
        x = self.ln_f(x, 1)
        return F.conv1d(x, self.wte.weight.unsqueeze(-1)).transpose(1, 2)


class Export(nn.Module):
    """The HF-layout forward: input_ids, attention_mask, position_ids and past key/values in; logits and
    present key/values out. Keys/values are [batch, heads, past + seq, head_dim], as a gpt2 ONNX export."""
    def __init__(self, gpt):
        super().__init__()
        self.g = gpt

    def forward(self, input_ids, attention_mask, position_ids, *past):
        g, c = self.g, self.g.c
        d, h = c['n_embd'], c['n_head']
        hd = d // h
        B, S = input_ids.shape
        x = g.wte(input_ids) + g.wpe(position_ids)
        P = past[0].shape[2]
        qpos = torch.arange(S).view(1, 1, S, 1) + P
        kpos = torch.arange(P + S).view(1, 1, 1, P + S)
        allowed = (kpos <= qpos) & (attention_mask.view(B, 1, 1, P + S) > 0)
        bias = torch.where(allowed, torch.zeros(()), torch.full((), -1e9))
        presents = []
        for i, b in enumerate(g.blocks):
            q, k, v = b.c_attn(b.ln_1(x)).split(d, -1)
            q = q.view(B, S, h, hd).transpose(1, 2)
            k = torch.cat([past[2 * i], k.view(B, S, h, hd).transpose(1, 2)], 2)
            v = torch.cat([past[2 * i + 1], v.view(B, S, h, hd).transpose(1, 2)], 2)
            presents += [k, v]
            a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, -1)
            x = x + b.c_proj((a @ v).transpose(1, 2).reshape(B, S, d))
            x = x + b.mlp_proj(gelu_new(b.c_fc(b.ln_2(x))))
        logits = g.ln_f(x) @ g.wte.weight.t()
        return (logits, *presents)


def empty_past(c, batch):
    hd = c['n_embd'] // c['n_head']
    return [torch.zeros(batch, c['n_head'], 0, hd) for _ in range(2 * c['n_layer'])]


# ------------------------------------------------------------------ data

def tokenizer_files():
    with open(os.path.join(WORK, 'lm_tokenizer.json')) as f:
        tj = json.load(f)
    return tj


def build_data(quick):
    n_train, n_val = (4000, 500) if quick else (300000, 4000)
    texts = lm_corpus.documents(n_train, SEED)
    val = lm_corpus.documents(n_val, SEED + 1)
    t = time.time()
    vocab, merges = bpe.train(texts[:30000], CFG['vocab_size'], [EOT])
    log(f'BPE: {len(vocab)} tokens, {len(merges)} merges in {time.time() - t:.0f} s')
    tj = bpe.tokenizer_json(vocab, merges, [EOT])
    with open(os.path.join(WORK, 'lm_tokenizer.json'), 'w') as f:
        json.dump(tj, f)
    enc = bpe.Encoder(vocab, merges, [EOT])
    cache = {}

    def ids(text):
        out = []
        for p in bpe.pieces(text):
            if p not in cache:
                cache[p] = [vocab[t] for t in enc._bpe(p)]
            out += cache[p]
        return out + [vocab[EOT]]
    tr = [ids(t) for t in texts]
    va = [ids(t) for t in val]
    log(f'corpus: {len(tr)} documents, {sum(map(len, tr))} tokens; held out {len(va)} documents, {sum(map(len, va))} tokens')
    return tr, va, vocab[EOT]


def rows(docs, eot, rng):
    """Rows of CTX + 1 tokens, each starting at a document's start, documents packed after it."""
    order = rng.permutation(len(docs))
    out, cur = [], []
    for i in order:
        if not cur:
            cur = list(docs[i])
        else:
            cur += docs[i]
        if len(cur) >= CTX + 1:
            out.append(cur[:CTX + 1])
            cur = []
    return torch.tensor(out, dtype=torch.long)


# ------------------------------------------------------------------ stages

def stage_train(a):
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    tr, va, eot = build_data(a.quick)
    torch.save(dict(val=va, eot=eot), os.path.join(WORK, 'lm_val.pt'))
    model = GPT()
    n = sum(p.numel() for p in model.parameters())
    log(f'model: {n} parameters ({n * 4 / 1e6:.2f} MB fp32)')
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.98), weight_decay=0.01)
    steps, sec, t0 = (30 if a.quick else 100000), a.minutes * 60, time.time()
    batch = 32
    data = rows(tr, eot, rng)
    pos, step, ema = 0, 0, None
    while True:
        prog = max(step / steps, (time.time() - t0) / sec)
        if prog >= 1:
            break
        lr = a.lr * (prog / 0.03 if prog < 0.03 else 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (prog - 0.03) / 0.97)))
        for g in opt.param_groups:
            g['lr'] = lr
        if pos + batch > len(data):
            data, pos = rows(tr, eot, rng), 0
        xb = data[pos:pos + batch]
        pos += batch
        logits = model.train_logits(xb[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, CFG['vocab_size']), xb[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        step += 1
        if step % 50 == 0 or step == 1:
            log(f'step {step} loss {ema:.4f} lr {lr:.2e} {(time.time() - t0) / step:.2f} s/step')
        if step % 500 == 0:
            torch.save(dict(model=model.state_dict(), step=step), os.path.join(WORK, 'lm.pt'))
    torch.save(dict(model=model.state_dict(), step=step, minutes=(time.time() - t0) / 60,
                    tokens=step * batch * CTX), os.path.join(WORK, 'lm.pt'))
    log(f'trained {step} steps ({step * batch * CTX} tokens) in {(time.time() - t0) / 60:.1f} min')


def load_model():
    ck = torch.load(os.path.join(WORK, 'lm.pt'))
    m = GPT()
    m.load_state_dict(ck['model'])
    m.eval()
    return m, ck


def encoder():
    tj = tokenizer_files()
    return bpe.Encoder(tj['model']['vocab'], tj['model']['merges'], [EOT])


@torch.no_grad()
def sample(model, prompt_ids, n, temperature, max_new, eot, gen):
    """n samples from one prompt with the cached export forward (plain temperature sampling)."""
    ex = Export(model)
    ids = torch.tensor([prompt_ids] * n)
    mask = torch.ones_like(ids)
    pos = torch.arange(ids.shape[1]).expand(n, -1)
    out = ex(ids, mask, pos, *empty_past(model.c, n))
    done = torch.zeros(n, dtype=torch.bool)
    seqs = [[] for _ in range(n)]
    for t in range(max_new):
        probs = torch.softmax(out[0][:, -1] / temperature, -1)
        nxt = torch.multinomial(probs, 1, generator=gen)[:, 0]
        for i in range(n):
            if not done[i]:
                if nxt[i].item() == eot:
                    done[i] = True
                else:
                    seqs[i].append(nxt[i].item())
        if done.all():
            break
        mask = torch.cat([mask, torch.ones(n, 1, dtype=torch.long)], 1)
        pos = pos[:, -1:] + 1
        out = ex(nxt[:, None], mask, pos, *out[1:])
    return seqs


def stage_evaluate(a):
    model, ck = load_model()
    val = torch.load(os.path.join(WORK, 'lm_val.pt'))
    enc = encoder()
    eot = val['eot']
    nll, count = 0.0, 0
    with torch.no_grad():
        for doc in val['val'][:2000]:
            x = torch.tensor([[eot] + doc[:CTX]])  # the held-out document after a separator, scored token by token
            lg = model.train_logits(x[:, :-1])
            nll += F.cross_entropy(lg[0], x[0, 1:], reduction='sum').item()
            count += x.shape[1] - 1
    ppl = math.exp(nll / count)
    gen = torch.Generator().manual_seed(SEED)
    prompt = enc.encode(lm_corpus.PROMPT_PREFIX)
    texts = []
    for _ in range(4):
        texts += [enc.decode(s) for s in sample(model, prompt, 50, 0.8, 48, eot, gen)]
    ok = [lm_corpus.parses(t) for t in texts]
    rate = sum(ok) / len(ok)
    novel = len(set(texts)) / len(texts)
    stories = [enc.decode(s) for s in sample(model, enc.encode('Story: The small red circle'), 3, 0.8, 80, eot, gen)]
    res = dict(perplexity=round(ppl, 3), heldout_tokens=count, prompt_grammar_rate=rate, prompts_sampled=len(texts),
               distinct_prompts=round(novel, 3), temperature=0.8, steps=ck.get('step'), minutes=round(ck.get('minutes', 0), 1),
               tokens_seen=ck.get('tokens'), parameters=sum(p.numel() for p in model.parameters()),
               examples=dict(prompts=texts[:8], failed=[t for t, o in zip(texts, ok) if not o][:8], stories=stories))
    log(json.dumps(res, indent=1))
    os.makedirs(os.path.join(OUT_ROOT, 'docs', 'models'), exist_ok=True)
    with open(os.path.join(OUT_ROOT, 'docs', 'models', 'lm-eval.json'), 'w') as f:
        json.dump(res, f, indent=1)
    return res


def stage_export(a):
    import onnx
    model, ck = load_model()
    c = model.c
    os.makedirs(os.path.join(OUT, 'onnx'), exist_ok=True)
    ex = Export(model).eval()
    L = c['n_layer']
    names_past = [f'past_key_values.{i}.{kv}' for i in range(L) for kv in ('key', 'value')]
    names_present = [f'present.{i}.{kv}' for i in range(L) for kv in ('key', 'value')]
    B, S, P = 2, 3, 4
    hd = c['n_embd'] // c['n_head']
    dummy = (torch.randint(0, c['vocab_size'], (B, S)), torch.ones(B, P + S, dtype=torch.long),
             torch.arange(P, P + S).expand(B, -1).contiguous(), *[torch.randn(B, c['n_head'], P, hd) for _ in names_past])
    dyn = {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'attention_mask': {0: 'batch_size', 1: 'total_sequence_length'},
           'position_ids': {0: 'batch_size', 1: 'sequence_length'}, 'logits': {0: 'batch_size', 1: 'sequence_length'}}
    for n in names_past:
        dyn[n] = {0: 'batch_size', 2: 'past_sequence_length'}
    for n in names_present:
        dyn[n] = {0: 'batch_size', 2: 'total_sequence_length'}
    path = os.path.join(OUT, 'onnx', 'model.onnx')
    torch.onnx.export(ex, dummy, path, opset_version=17, input_names=['input_ids', 'attention_mask', 'position_ids', *names_past],
                      output_names=['logits', *names_present], dynamic_axes=dyn, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    log(f'exported {path}: {os.path.getsize(path) / 1e6:.2f} MB')
    tj = tokenizer_files()
    eot_id = tj['model']['vocab'][EOT]
    config = dict(model_type='gpt2', architectures=['GPT2LMHeadModel'], **c, activation_function='gelu_new',
                  bos_token_id=eot_id, eos_token_id=eot_id, tie_word_embeddings=True, use_cache=True,
                  n_ctx=c['n_positions'], torch_dtype='float32', weft=dict(family='shapes-lm-v1', prompt_prefix=lm_corpus.PROMPT_PREFIX))
    gen_cfg = dict(bos_token_id=eot_id, eos_token_id=eot_id, max_new_tokens=40, do_sample=True, temperature=0.8)
    tok_cfg = dict(model_max_length=c['n_positions'], bos_token=EOT, eos_token=EOT, unk_token=EOT, pad_token=None,
                   add_bos_token=False, add_prefix_space=False, clean_up_tokenization_spaces=False, tokenizer_class='GPT2Tokenizer')
    for name, obj in (('config.json', config), ('generation_config.json', gen_cfg), ('tokenizer.json', tj),
                      ('tokenizer_config.json', tok_cfg), ('special_tokens_map.json', dict(bos_token=EOT, eos_token=EOT, unk_token=EOT))):
        with open(os.path.join(OUT, name), 'w') as f:
            json.dump(obj, f, indent=None if name == 'tokenizer.json' else 1, ensure_ascii=False)
    # parity fixture: a left-padded batch after a cached prefix, and the full no-cache logits of the same text
    enc = encoder()
    texts = ['Prompt: a small red circle', 'Story: The large blue star']
    toks = [enc.encode(t) for t in texts]
    T = max(map(len, toks))
    ids = torch.tensor([[eot_id] * (T - len(t)) + t for t in toks])
    mask = torch.tensor([[0] * (T - len(t)) + [1] * len(t) for t in toks])
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    pos = torch.where(mask == 0, torch.ones_like(pos), pos)
    with torch.no_grad():
        out = ex(ids, mask, pos, *empty_past(c, 2))
        nxt = out[0][:, -1].argmax(-1, keepdim=True)
        mask2 = torch.cat([mask, torch.ones(2, 1, dtype=torch.long)], 1)
        out2 = ex(nxt, mask2, pos[:, -1:] + 1, *out[1:])
    fix = dict(model='shapes-lm-v1', texts=texts, input_ids=ids.tolist(), attention_mask=mask.tolist(), position_ids=pos.tolist(),
               logits_last=out[0][:, -1].tolist(), next_ids=nxt[:, 0].tolist(), step_logits=out2[0][:, -1].tolist(),
               present_0_key_sum=float(out2[1].sum()), tokens={t: enc.encode(t) for t in texts + ['Scene: There is a ring.', 'two small yellow stars, grey background']})
    fdir = os.path.join(OUT_ROOT, 'tests', 'fixtures', 'textgen')
    os.makedirs(fdir, exist_ok=True)
    with open(os.path.join(fdir, 'parity.json'), 'w') as f:
        json.dump(fix, f)
    write_card()
    import glob
    import hashlib
    files = sorted(p for p in glob.glob(os.path.join(OUT, '**', '*'), recursive=True) if os.path.isfile(p) and not p.endswith('manifest.json'))
    man = dict(name='shapes-lm-v1', files=[dict(file=os.path.relpath(p, OUT).replace(os.sep, '/'), size=os.path.getsize(p),
                                                 sha256=hashlib.sha256(open(p, 'rb').read()).hexdigest()) for p in files])
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(man, f, indent=1)
    log(f'wrote configs, tokenizer, card, manifest ({sum(x["size"] for x in man["files"]) / 1e6:.2f} MB) and the parity fixture')


class ExportNoPositions(Export):
    """An export without position_ids (as older gpt2 exports): positions are past length + arange."""
    def forward(self, input_ids, attention_mask, *past):
        P = past[0].shape[2]
        pos = (torch.arange(input_ids.shape[1]) + P).unsqueeze(0).expand(input_ids.shape[0], -1)
        return super().forward(input_ids, attention_mask, pos, *past)


def stage_fixtures(a):
    """A tiny seeded model exported without position_ids, with its greedy ids: tests/fixtures/textgen/no-position-ids."""
    torch.manual_seed(99)
    c = dict(CFG, n_embd=32, n_layer=2, n_head=2, n_inner=64)
    m = GPT(c).eval()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    ex = ExportNoPositions(m).eval()
    d = os.path.join(OUT_ROOT, 'tests', 'fixtures', 'textgen', 'no-position-ids')
    os.makedirs(os.path.join(d, 'onnx'), exist_ok=True)
    L = c['n_layer']
    hd = c['n_embd'] // c['n_head']
    names_past = [f'past_key_values.{i}.{kv}' for i in range(L) for kv in ('key', 'value')]
    names_present = [f'present.{i}.{kv}' for i in range(L) for kv in ('key', 'value')]
    dummy = (torch.randint(0, c['vocab_size'], (1, 3)), torch.ones(1, 5, dtype=torch.long), *[torch.randn(1, c['n_head'], 2, hd) for _ in names_past])
    dyn = {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'attention_mask': {0: 'batch_size', 1: 'total_sequence_length'}, 'logits': {0: 'batch_size', 1: 'sequence_length'}}
    for n in names_past:
        dyn[n] = {0: 'batch_size', 2: 'past_sequence_length'}
    for n in names_present:
        dyn[n] = {0: 'batch_size', 2: 'total_sequence_length'}
    torch.onnx.export(ex, dummy, os.path.join(d, 'onnx', 'model.onnx'), opset_version=17, input_names=['input_ids', 'attention_mask', *names_past],
                      output_names=['logits', *names_present], dynamic_axes=dyn)
    tj = tokenizer_files()
    eot = tj['model']['vocab'][EOT]
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(dict(model_type='gpt2', **c, eos_token_id=eot, bos_token_id=eot), f, indent=1)
    with open(os.path.join(d, 'tokenizer.json'), 'w') as f:
        json.dump(tj, f)
    enc = encoder()
    ids = enc.encode('Prompt: a small')
    out, past = [], empty_past(c, 1)
    cur = ids
    total = len(ids)
    with torch.no_grad():
        for _ in range(12):
            r = ex(torch.tensor([cur]), torch.ones(1, total, dtype=torch.long), *past)
            t = int(r[0][0, -1].argmax())
            out.append(t)
            past = list(r[1:])
            cur = [t]
            total += 1
    with open(os.path.join(d, 'expected.json'), 'w') as f:
        json.dump(dict(prompt='Prompt: a small', prompt_ids=ids, greedy=out, eos=eot), f)
    log(f'wrote {d}')


def write_card():
    ev_path = os.path.join(OUT_ROOT, 'docs', 'models', 'lm-eval.json')
    ev = json.load(open(ev_path)) if os.path.exists(ev_path) else {}
    lines = [
        '# shapes-lm-v1', '',
        "Weft's own small language model: a GPT-2-style causal transformer trained from scratch by `tools/train/lm.py` on a",
        'procedural corpus of the shapes world (prompts for shapes-v1, scene descriptions, tiny stories). It writes prompts',
        'shapes-v1 can draw (`Prompt:` and let it continue) and continues short texts about the shapes. It knows nothing else.', '',
        '## Architecture', '',
        f"GPT-2 layout: {CFG['n_layer']} blocks, {CFG['n_head']} heads, width {CFG['n_embd']}, MLP {CFG['n_inner']}, gelu_new, learned positions "
        f"({CFG['n_positions']}), head tied to the token embedding; {ev.get('parameters', '?')} parameters, float32.",
        f"Byte-level BPE tokenizer (GPT-2's scheme) of {CFG['vocab_size']} tokens trained on the corpus; `<|endoftext|>` ends every document.", '',
        '## Files (as a Hugging Face ONNX export)', '',
        '`config.json` (model_type gpt2), `generation_config.json`, `tokenizer.json`, `tokenizer_config.json`,',
        '`onnx/model.onnx` with its KV cache: inputs `input_ids`, `attention_mask`, `position_ids` (int64),',
        '`past_key_values.{i}.key/.value` [batch, heads, past, 64/2]; outputs `logits`, `present.{i}.key/.value`.', '',
        '## Measured (tools/train/lm.py evaluate)', '',
        f"- Held-out perplexity: {ev.get('perplexity', '?')} over {ev.get('heldout_tokens', '?')} tokens of unseen documents.",
        f"- Prompt grammar: {ev.get('prompt_grammar_rate', '?')} of {ev.get('prompts_sampled', '?')} completions of `Prompt:` sampled at "
        f"temperature {ev.get('temperature', '?')} parse under the caption grammar shapes-v1 was trained on ({ev.get('distinct_prompts', '?')} distinct).",
        f"- Training: {ev.get('steps', '?')} steps, {ev.get('tokens_seen', '?')} tokens, {ev.get('minutes', '?')} min on 2 CPU cores.", '',
        '## Limits', '',
        'It has seen only the shapes world: outside it, text is nonsense. Stories are template-like. 128-token training rows:',
        'text past ~128 tokens drifts.',
    ]
    with open(os.path.join(OUT, 'MODEL_CARD.md'), 'w') as f:
        f.write('\n'.join(lines).replace('64/2', str(CFG['n_embd'] // CFG['n_head'])) + '\n')



if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('stage', choices=['train', 'evaluate', 'export', 'fixtures', 'all'])
    ap.add_argument('--minutes', type=float, default=45)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--quick', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(WORK, exist_ok=True)
    if a.quick:
        a.minutes = min(a.minutes, 1)
    for st in (['train', 'evaluate', 'export', 'fixtures'] if a.stage == 'all' else [a.stage]):
        globals()['stage_' + st](a)
