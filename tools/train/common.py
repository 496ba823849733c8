"""Shared settings, vocabulary, schedule and sampler for the shapes-v1 training tools."""
import json
import os
import time
import numpy as np
import torch

import world
from clip_tokenizer import get_tokenizer, BOS, EOS

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
WORK = os.environ.get('WEFT_WORK', '/tmp/weft_train')
# Where evaluate/export write (the suite, docs/models, parity fixtures): the repository, unless WEFT_OUT names
# another root (train_all.py --quick uses one, so a smoke test never replaces the shipped suite).
OUT_ROOT = os.environ.get('WEFT_OUT', REPO)
OUT = os.path.join(OUT_ROOT, 'public', 'models', 'shapes-v1')
CTX = 24                 # text context length (model_max_length)
LATENT_FACTOR = 8        # 64x64 -> 8x8x4 latents, as Stable Diffusion (factor 4 was tried: see README)
LATENT = 64 // LATENT_FACTOR
UNET_LEVELS = ((48, 1), (96, 1), (144, 2)) if LATENT_FACTOR == 8 else ((32, 0), (64, 1), (96, 2), (128, 2))
TEXT_DIM = 128
VAE_ENC_CH = (32, 64)
VAE_DEC_CH = (16, 48, 80)
DET_CH = (24, 48, 64, 96)
SEED = 1234

os.makedirs(WORK, exist_ok=True)


def set_threads(n):
    torch.set_num_threads(n)


def log(name, *a):
    msg = time.strftime('%H:%M:%S') + f' [{name}] ' + ' '.join(str(x) for x in a)
    print(msg, flush=True)


# ------------------------------------------------------------------ vocabulary
WORDS = (world.SHAPES + list(world.PLURALS.values()) + world.COLOURS + ['grey', 'gray'] + world.SIZES +
         ['top', 'bottom', 'left', 'right', 'centre', 'center', 'middle', 'a', 'an', 'the', 'on', 'at', 'in',
          'and', 'background', 'two', 'three', 'one', 'with', ',', '.', 'of', 'shape', 'shapes', 'big', 'tiny'])


def build_vocab():
    """Compact caption vocabulary: CLIP ids -> 1..n (0 = unknown). Returns (remap int32[49408], clip_ids list)."""
    tok = get_tokenizer()
    ids = {BOS, EOS}
    for w in WORDS:
        ids.update(tok.encode(w))
    rng = np.random.default_rng(0)
    for _ in range(3000):
        sc = world.sample_scene(rng, single_split=None)
        for st in range(6):
            ids.update(tok.encode(world.caption(sc, np.random.default_rng(rng.integers(1 << 30)), style=st)))
    clip_ids = sorted(ids)
    remap = np.zeros(49408, np.int32)
    for i, c in enumerate(clip_ids):
        remap[c] = i + 1
    return remap, clip_ids


_VOCAB = None


def vocab():
    global _VOCAB
    if _VOCAB is None:
        _VOCAB = build_vocab()
    return _VOCAB


_TOKCACHE = {}


def tokenize(texts):
    tok = get_tokenizer()
    out = []
    for t in texts:
        if t not in _TOKCACHE:
            _TOKCACHE[t] = tok(t, CTX)
        out.append(_TOKCACHE[t])
    return torch.tensor(out, dtype=torch.int32)


def caption_for(scene, seed, style=None):
    return world.caption(scene, np.random.default_rng(seed), style=style)


# ------------------------------------------------------------------ SD 1.x schedule + Euler
def alphas_cumprod():
    betas = np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=np.float64) ** 2
    return np.cumprod(1.0 - betas)


def euler_timesteps(n, spacing='leading', steps_offset=1):
    """diffusers EulerDiscreteScheduler.set_timesteps (interpolation_type linear)."""
    T = 1000
    if spacing == 'leading':
        ratio = T // n
        ts = (np.arange(0, n) * ratio).round()[::-1].astype(np.float64) + steps_offset
    elif spacing == 'trailing':
        ratio = T / n
        ts = np.round(np.arange(T, 0, -ratio)).astype(np.float64) - 1
    else:
        ts = np.linspace(0, T - 1, n, dtype=np.float64)[::-1].copy()
    ac = alphas_cumprod()
    sig_all = ((1 - ac) / ac) ** 0.5
    sigmas = np.interp(ts, np.arange(T), sig_all)
    sigmas = np.concatenate([sigmas, [0.0]])
    init = sigmas.max() if spacing in ('linspace', 'trailing') else (sigmas.max() ** 2 + 1) ** 0.5
    return ts, sigmas, init


@torch.no_grad()
def euler_sample(unet, cond, uncond, steps=20, cfg=5.0, seed=0, spacing='leading', shape=None, generator=None):
    """cond/uncond: encoder_hidden_states [B,L,d]. Returns scaled latents [B,4,h,w]."""
    B = cond.shape[0]
    shape = shape or (B, 4, LATENT, LATENT)
    g = generator or torch.Generator().manual_seed(seed)
    ts, sigmas, init = euler_timesteps(steps, spacing)
    x = torch.randn(shape, generator=g) * init
    ctx = torch.cat([uncond, cond], 0)
    for i, t in enumerate(ts):
        s = float(sigmas[i])
        xin = x / (s * s + 1) ** 0.5
        tt = torch.full((2 * B,), float(t))
        e = unet(torch.cat([xin, xin], 0), tt, ctx)
        eu, ec = e[:B], e[B:]
        eps = eu + cfg * (ec - eu)
        x = x + eps * (float(sigmas[i + 1]) - s)
    return x


def save_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1)
