"""LoRA adapters for shapes-v1's UNet, trained on top of the shipped suite (rebuilt from its ONNX files):

  concept  a new shape, "heart", DreamBooth-style from 16 renders (+ renders of the base world as prior)
  style    outlined shapes (every shape drawn as its outline), from renders of the base world drawn so
  judge    a small classifier (7 shapes incl. heart; outlined or filled) trained on renders and their VAE
           reconstructions, so it reads decoded images: the measure of both adapters
  eval     images with and without each adapter, judged; writes docs/models/lora-eval.json and a sheet
  ship     the UNet's .onnx beside its .ort (what Load LoRA patches) and the suite's manifest rewritten
  parity   a fixture for the TypeScript LoRA patcher: UNet inputs and the torch output with the LoRA merged

Usage: lora.py judge|concept|style|eval|parity|ship [--minutes M] [--threads T] [--rank R]
Adapters are written as kohya-named .safetensors (lora_unet_<module>.lora_down/lora_up/alpha) to
public/models/shapes-v1/loras/, the names Weft's Load LoRA reads for real Stable Diffusion LoRAs too."""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402
import common as C  # noqa: E402
import from_onnx  # noqa: E402
from train import to_float, lr_at, MIN_SNR_GAMMA  # noqa: E402
from evaluate import generate, detect, judge  # noqa: E402

W = os.path.join(C.WORK, 'lora')
OUT = os.path.join(C.OUT_ROOT, 'public', 'models', 'shapes-v1', 'loras')
DOCS = os.path.join(C.OUT_ROOT, 'docs', 'models')
CLASSES = world.SHAPES + ['heart']
os.makedirs(W, exist_ok=True)


# ------------------------------------------------------------------ LoRA modules
class LoraConv(nn.Module):
    """conv(x) + (alpha / r) · up(down(x)): down has the base conv's kernel, stride and padding, up is 1x1,
    so the sum is the base conv with W + (alpha / r) · up · down, the update Weft merges into the ONNX weight."""
    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        conv = nn.Conv1d if isinstance(base, nn.Conv1d) else nn.Conv2d
        self.down = conv(base.in_channels, rank, base.kernel_size, base.stride, base.padding, bias=False)
        self.up = conv(rank, base.out_channels, 1, bias=False)
        nn.init.kaiming_uniform_(self.down.weight, a=math.sqrt(5))
        nn.init.zeros_(self.up.weight)
        self.scale = alpha / rank
        self.rank, self.alpha = rank, alpha

    def forward(self, x):
        return self.base(x) + self.scale * self.up(self.down(x))


def targets(un, kinds):
    """(module path, conv) of the UNet convs an adapter changes: 'attn' = every 1x1 conv in the attention
    blocks (proj in/out, q/k/v/o, feed-forward), 'res' = the 3x3 convs of the residual blocks."""
    out = []
    for name, m in un.named_modules():
        if not isinstance(m, (nn.Conv1d, nn.Conv2d)):
            continue
        in_attn = 'attn.' in name or name.startswith('ma.')
        is_res = name.rsplit('.', 1)[-1] in ('c1', 'c2') and not in_attn
        if ('attn' in kinds and in_attn) or ('res' in kinds and is_res):
            out.append((name, m))
    return out


def add_lora(un, kinds, rank, alpha):
    layers = {}
    for name, m in targets(un, kinds):
        parent = un.get_submodule(name.rsplit('.', 1)[0]) if '.' in name else un
        lc = LoraConv(m, rank, alpha)
        setattr(parent, name.rsplit('.', 1)[1], lc)
        layers[name] = lc
    return layers


def kohya_key(module):
    return 'lora_unet_' + module.replace('.', '_')


def save_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 header length, a JSON header of dtype/shape/offsets, then the bytes."""
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for k, t in tensors.items():
        b = t.detach().contiguous().float().numpy().astype('<f2').tobytes()  # fp16, as kohya saves by default
        header[k] = {'dtype': 'F16', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop('__metadata__', {})
    out = {}
    for k, v in header.items():
        a, b = v['data_offsets']
        dt = {'F32': '<f4', 'F16': '<f2'}[v['dtype']]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dt).astype(np.float32)).reshape(v['shape'])
    return out, meta


def save_adapter(path, layers, meta):
    t = {}
    for name, lc in layers.items():
        k = kohya_key(name)
        t[k + '.lora_down.weight'] = lc.down.weight
        t[k + '.lora_up.weight'] = lc.up.weight
        t[k + '.alpha'] = torch.tensor(float(lc.alpha))
    save_safetensors(path, t, {k: str(v) for k, v in meta.items()})


def merged_unet(path, strength=1.0):
    """The shipped UNet with the adapter merged as Weft merges it: W += strength · (alpha / r) · up · down."""
    un = from_onnx.unet()
    if strength == 0 or path is None:
        return un
    t, _ = load_safetensors(path)
    mods = dict(un.named_modules())
    with torch.no_grad():
        for k in [k for k in t if k.endswith('.lora_down.weight')]:
            base = k[:-len('.lora_down.weight')]
            down, up, alpha = t[k], t[base + '.lora_up.weight'], float(t[base + '.alpha'])
            conv = next(m for n, m in mods.items() if kohya_key(n) == base)
            r = down.shape[0]
            delta = (up.reshape(up.shape[0], r) @ down.reshape(r, -1)).reshape(conv.weight.shape)
            conv.weight += strength * alpha / r * delta
    return un


# ------------------------------------------------------------------ data
def heart_scenes(n, seed):
    """n single-heart scenes; returns scenes and the (colour, size, place) tuples they use."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        sc = world.sample_scene(rng, n=1, single_split=None)
        sc['objects'][0]['shape'] = 'heart'
        out.append(sc)
    return out, rng


def latents_of(enc, scale, imgs):
    with torch.no_grad():
        return torch.cat([enc(to_float(imgs[i:i + 256]))[0] for i in range(0, len(imgs), 256)]) * scale


def prior_set(enc, scale, n, seed, outline=False):
    rng = np.random.default_rng(seed)
    scenes = [world.sample_scene(rng, single_split='train') for _ in range(n)]
    imgs = np.stack([world.render(s, rng, outline=outline)[0] for s in scenes])
    return scenes, latents_of(enc, scale, imgs)


# ------------------------------------------------------------------ training
def train_adapter(kind, a):
    torch.manual_seed(C.SEED + 40)
    rng = np.random.default_rng(C.SEED + 40)
    te = from_onnx.text_encoder()
    enc, _, scale = from_onnx.vae()
    un = from_onnx.unet()
    for p in list(un.parameters()) + list(te.parameters()):
        p.requires_grad_(False)
    kinds = ('attn', 'res')
    layers = add_lora(un, kinds, a.rank, a.rank)
    params = [p for lc in layers.values() for p in (lc.down.weight, lc.up.weight)]
    C.log(kind, f'{len(layers)} LoRA layers, {sum(p.numel() for p in params):,} parameters (rank {a.rank})')
    if kind == 'concept':
        scenes, srng = heart_scenes(16, C.SEED + 41)
        imgs = np.stack([world.render(s, srng)[0] for s in scenes])
        lat = latents_of(enc, scale, imgs)
        prior_scenes, prior_lat = prior_set(enc, scale, 1500, C.SEED + 42)
        with open(os.path.join(W, 'concept-train.json'), 'w') as f:
            json.dump(scenes, f)
    else:
        scenes, lat = prior_set(enc, scale, 1500, C.SEED + 43, outline=True)
        prior_scenes, prior_lat = None, None
    ac = torch.tensor(C.alphas_cumprod(), dtype=torch.float32)
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
    clock, step, bs = Clock(a.steps, a.minutes), 0, 16
    empty = C.tokenize([''])
    losses = []
    while clock.progress(step) < 1:
        lr = lr_at(clock.progress(step), a.lr)
        for g in opt.param_groups:
            g['lr'] = lr
        idx = rng.integers(len(lat), size=bs if prior_lat is None else bs // 2)
        x0 = [lat[idx]]
        caps = [world.caption(scenes[i], rng) for i in idx]
        if prior_lat is not None:
            pidx = rng.integers(len(prior_lat), size=bs // 2)
            x0.append(prior_lat[pidx])
            caps += [world.caption(prior_scenes[i], rng) for i in pidx]
        x0 = torch.cat(x0)
        ids = C.tokenize(caps)
        drop = torch.from_numpy(rng.random(len(caps)) < 0.1)
        ids[drop] = empty
        with torch.no_grad():
            ctx = te(ids)[0]
        t = torch.from_numpy(rng.integers(0, 1000, size=len(caps))).long()
        noise = torch.randn_like(x0)
        a_t = ac[t].reshape(-1, 1, 1, 1)
        xt = a_t.sqrt() * x0 + (1 - a_t).sqrt() * noise
        eps = un(xt, t.float(), ctx)
        snr = a_t.reshape(-1) / (1 - a_t.reshape(-1))
        w = torch.clamp(snr, max=MIN_SNR_GAMMA) / snr
        loss = (w * ((eps - noise) ** 2).mean((1, 2, 3))).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        step += 1
        if step % 100 == 0:
            C.log(kind, f'step {step} loss {np.mean(losses[-100:]):.4f} lr {lr:.2e} {time.time() - clock.t0:.0f} s')
    name = 'heart' if kind == 'concept' else 'outlined'
    meta = {'ss_network_module': 'networks.lora', 'ss_network_dim': a.rank, 'ss_network_alpha': a.rank,
            'weft_base_model': 'shapes-v1', 'weft_concept' if kind == 'concept' else 'weft_style': name,
            'weft_steps': step, 'weft_minutes': round((time.time() - clock.t0) / 60, 1),
            'weft_trained_on': '16 renders of hearts + 1,500 base renders as prior' if kind == 'concept' else '1,500 renders of outlined shapes'}
    path = os.path.join(OUT, name + '.safetensors')
    save_adapter(path, layers, meta)
    C.log(kind, f'wrote {path} ({os.path.getsize(path):,} bytes) after {step} steps, {meta["weft_minutes"]} min')


class Clock:
    def __init__(self, steps, minutes):
        self.steps, self.sec, self.t0 = steps, minutes * 60, time.time()

    def progress(self, step):
        return max(step / self.steps, (time.time() - self.t0) / self.sec)


# ------------------------------------------------------------------ judge
class Judge(nn.Module):
    def __init__(self):
        super().__init__()
        ch = (32, 64, 96)
        self.body = nn.Sequential(
            nn.Conv2d(3, ch[0], 3, padding=1), nn.SiLU(), nn.Conv2d(ch[0], ch[0], 3, stride=2, padding=1), nn.SiLU(),
            nn.Conv2d(ch[0], ch[1], 3, padding=1), nn.SiLU(), nn.Conv2d(ch[1], ch[1], 3, stride=2, padding=1), nn.SiLU(),
            nn.Conv2d(ch[1], ch[2], 3, padding=1), nn.SiLU(), nn.Conv2d(ch[2], ch[2], 3, stride=2, padding=1), nn.SiLU())
        self.shape = nn.Linear(ch[2], len(CLASSES))
        self.outline = nn.Linear(ch[2], 2)

    def forward(self, x):
        h = self.body(x).amax((2, 3))
        return self.shape(h), self.outline(h)


def judge_data(n, seed, dec, enc):
    rng = np.random.default_rng(seed)
    imgs, ys, os_ = [], [], []
    for i in range(n):
        sc = world.sample_scene(rng, n=1, single_split=None)
        k = int(rng.integers(len(CLASSES)))
        sc['objects'][0]['shape'] = CLASSES[k]
        o = bool(rng.random() < 0.5)
        imgs.append(world.render(sc, rng, outline=o)[0])
        ys.append(k)
        os_.append(int(o))
    x = to_float(np.stack(imgs))
    with torch.no_grad():  # half of them as the VAE gives them back: the judge reads decoded images
        half = torch.arange(n) % 2 == 1
        x[half] = torch.cat([dec(enc(x[half][i:i + 256])[0]).clamp(-1, 1) for i in range(0, int(half.sum()), 256)])
    return x, torch.tensor(ys), torch.tensor(os_), half


def stage_judge(a):
    torch.manual_seed(C.SEED + 50)
    enc, dec, _ = from_onnx.vae()
    x, y, o, _ = judge_data(6000, C.SEED + 51, dec, enc)
    vx, vy, vo, vh = judge_data(1000, C.SEED + 52, dec, enc)
    j = Judge()
    opt = torch.optim.AdamW(j.parameters(), lr=2e-3, weight_decay=1e-4)
    clock, step = Clock(a.steps, a.minutes), 0
    rng = np.random.default_rng(C.SEED + 53)
    while clock.progress(step) < 1:
        for g in opt.param_groups:
            g['lr'] = lr_at(clock.progress(step), 2e-3)
        idx = torch.from_numpy(rng.integers(len(x), size=64))
        s, ol = j(x[idx])
        loss = F.cross_entropy(s, y[idx]) + F.cross_entropy(ol, o[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 200 == 0:
            C.log('judge', f'step {step} loss {float(loss):.3f}')
    j.eval()
    with torch.no_grad():
        s, ol = j(vx)
    acc = dict(shape_clean=float((s.argmax(1) == vy)[~vh].float().mean()), shape_recon=float((s.argmax(1) == vy)[vh].float().mean()),
               outline_clean=float((ol.argmax(1) == vo)[~vh].float().mean()), outline_recon=float((ol.argmax(1) == vo)[vh].float().mean()),
               heart_recall_recon=float((s.argmax(1) == 6)[vh & (vy == 6)].float().mean()),
               heart_false_recon=float((s.argmax(1) == 6)[vh & (vy != 6)].float().mean()), steps=step)
    torch.save({'judge': j.state_dict(), 'acc': acc}, os.path.join(W, 'judge.pt'))
    C.log('judge', 'validation (1,000 renders, half VAE reconstructions):', json.dumps(acc))


# ------------------------------------------------------------------ eval
def load_judge():
    ck = torch.load(os.path.join(W, 'judge.pt'))
    j = Judge()
    j.load_state_dict(ck['judge'])
    return j.eval(), ck['acc']


def concept_prompts(n, seed):
    """Held-out heart prompts: (colour, size, place) tuples none of the 16 training renders used, new seeds."""
    with open(os.path.join(W, 'concept-train.json')) as f:
        used = {(o['colour'], o['size'], o['place']) for s in json.load(f) for o in s['objects']}
    rng = np.random.default_rng(seed)
    scenes = []
    while len(scenes) < n:
        sc = world.sample_scene(rng, n=1, single_split=None)
        o = sc['objects'][0]
        o['shape'] = 'heart'
        if (o['colour'], o['size'], o['place']) not in used:
            scenes.append(sc)
    return scenes, [world.caption(s, rng) for s in scenes]


def base_prompts(n, seed):
    rng = np.random.default_rng(seed)
    scenes = [world.sample_scene(rng, n=1, single_split='heldout') for _ in range(n)]
    return scenes, [world.caption(s, rng) for s in scenes]


@torch.no_grad()
def stage_eval(a):
    te = from_onnx.text_encoder()
    _, dec, scale = from_onnx.vae()
    det = from_onnx.detector()
    j, jacc = load_judge()
    n = a.n
    cs, cp = concept_prompts(n, C.SEED + 60)
    bs, bp = base_prompts(n, C.SEED + 61)
    seeds = list(range(1000, 1000 + n))
    res, sheet = {'judge_validation': jacc, 'prompts': n, 'sampler': 'euler 20 steps, guidance 5'}, []

    def run(name, path, strength):
        un = merged_unet(path, strength).eval()
        t0 = time.time()
        ci = generate(un, te, dec, scale, cp, seeds)
        bi = generate(un, te, dec, scale, bp, seeds)
        s_c, o_c = j(ci)
        s_b, o_b = j(bi)
        adher = [judge(d, sc['objects'][0])['sc'] for d, sc in zip(detect(det, bi), bs)]
        r = dict(heart_in_heart_prompts=float((s_c.argmax(1) == 6).float().mean()),
                 outlined_on_base_prompts=float((o_b.argmax(1) == 1).float().mean()),
                 base_adherence_detector=float(np.mean(adher)),
                 base_shape_right_judge=float((s_b.argmax(1) == torch.tensor([CLASSES.index(sc['objects'][0]['shape']) for sc in bs])).float().mean()),
                 seconds=round(time.time() - t0, 1))
        res[name] = r
        C.log('eval', name, json.dumps(r))
        sheet.append((name, ci[:8], bi[:8]))

    run('base', None, 0)
    heart = os.path.join(OUT, 'heart.safetensors')
    outlined = os.path.join(OUT, 'outlined.safetensors')
    for s in (1.0, 0.5):
        if os.path.exists(heart):
            run(f'heart@{s}', heart, s)
        if os.path.exists(outlined):
            run(f'outlined@{s}', outlined, s)
    res['concept_prompts_example'] = cp[:4]
    res['base_prompts_example'] = bp[:4]
    C.save_json(os.path.join(DOCS, 'lora-eval.json'), res)
    from_onnx.save_sheet(os.path.join(DOCS, 'lora-sheet.png'), [(name, torch.cat([ci, bi])) for name, ci, bi in sheet], 110)
    C.log('eval', 'wrote docs/models/lora-eval.json and lora-sheet.png')


@torch.no_grad()
def stage_parity(a):
    """Inputs and the torch output of the UNet with heart.safetensors merged at strength 0.8."""
    i, _ = from_onnx.fixture('unet')
    un = merged_unet(os.path.join(OUT, 'heart.safetensors'), 0.8)
    out = un(i['sample'], i['timestep'], i['encoder_hidden_states'])
    from_onnx.write_unet_fixture(os.path.join(C.OUT_ROOT, 'tests', 'fixtures', 'lora', 'unet-heart.json'),
                                 {'model': 'public/models/shapes-v1/unet/model.onnx', 'lora': 'public/models/shapes-v1/loras/heart.safetensors', 'strength': 0.8}, i, out)
    C.log('parity', 'wrote tests/fixtures/lora/unet-heart.json')


def write_card():
    """loras/MODEL_CARD.md from the adapters' own metadata and docs/models/lora-eval.json."""
    with open(os.path.join(DOCS, 'lora-eval.json')) as f:
        ev = json.load(f)
    pct = lambda x: f'{100 * x:.0f}%'  # noqa: E731
    rows = []
    for name in ('base', 'heart@1.0', 'heart@0.5', 'outlined@1.0', 'outlined@0.5'):
        r = ev.get(name)
        if r:
            rows.append(f"| {name} | {pct(r['heart_in_heart_prompts'])} | {pct(r['outlined_on_base_prompts'])} | {pct(r['base_adherence_detector'])} | {pct(r['base_shape_right_judge'])} |")
    meta = {n: load_safetensors(os.path.join(OUT, n + '.safetensors'))[1] for n in ('heart', 'outlined')}
    size = {n: os.path.getsize(os.path.join(OUT, n + '.safetensors')) for n in meta}
    j = ev['judge_validation']
    text = f"""# shapes-v1 LoRAs

Two LoRA adapters for shapes-v1's UNet, trained by `tools/train/lora.py` on top of the shipped suite (its torch modules
rebuilt from the ONNX files and checked against the parity fixtures). Saved as kohya-named `.safetensors`
(`lora_unet_<module>.lora_down.weight` / `.lora_up.weight` / `.alpha`, fp16), the naming real Stable Diffusion
LoRAs use; Weft's **Load LoRA** node adds W += strength · (α / r) · up · down to the UNet's ONNX weights before the
session is made. Rank {meta['heart']['ss_network_dim']}, alpha {meta['heart']['ss_network_alpha']}, on every 1x1 conv of the attention blocks and the 3x3 convs of
the residual blocks (82 layers).

| file | teaches | trained on | steps | minutes (1 thread) | bytes |
|---|---|---|---|---|---|
| `heart.safetensors` | a new shape, "heart" (DreamBooth-style) | {meta['heart']['weft_trained_on']} | {meta['heart']['weft_steps']} | {meta['heart']['weft_minutes']} | {size['heart']:,} |
| `outlined.safetensors` | a style: every shape drawn as its outline | {meta['outlined']['weft_trained_on']} | {meta['outlined']['weft_steps']} | {meta['outlined']['weft_minutes']} | {size['outlined']:,} |

shapes-v1's text encoder has a compact vocabulary: "heart", like every word it was not trained on, reaches it as
the one *unknown* token. The heart LoRA teaches the UNet to draw a heart there, so any unknown shape word ("moon")
draws a heart with it too.

## Measured (`/usr/bin/python3 tools/train/lora.py eval`, {ev['prompts']} prompts per row, {ev['sampler']})

Heart prompts: held-out single-heart captions (colour, size and place tuples none of the 16 training renders used).
Base prompts: shapes-v1's held-out single-shape tuples. A LoRA at strength 0 is the base model exactly (Weft then
uses the base session).

| adapter @ strength | heart drawn for heart prompts | base prompts drawn outlined | base adherence (detector: shape + colour) | base shape right (judge) |
|---|---|---|---|---|
{chr(10).join(rows)}

The judge is a small classifier trained by `lora.py judge` on renders and their VAE reconstructions (7 shapes with
the heart; outlined or filled). On 1,000 held-out renders, half of them reconstructions: shape {pct(j['shape_recon'])} right on
reconstructions ({pct(j['shape_clean'])} clean), heart recall {pct(j['heart_recall_recon'])} with {pct(j['heart_false_recon'])} false hearts, outlined-or-filled
{pct(j['outline_recon'])} on reconstructions. The outline reading is the weakest: it calls {pct(ev['base']['outlined_on_base_prompts'])} of the base model's filled
shapes outlined. The detector was trained on filled shapes only, so the outlined style also reads as lower adherence.
The VAE (8x8 latents) keeps outlines of large shapes and fills small ones back in.

![samples](../../../../docs/models/lora-sheet.png)
"""
    with open(os.path.join(OUT, 'MODEL_CARD.md'), 'w') as f:
        f.write(text)


def stage_ship(a):
    """The UNet's and VAE decoder's .onnx beside their .ort (what Load LoRA patches and `weft quantize`
    rewrites; runs keep using the .ort), then the manifest."""
    import shutil
    import subprocess
    for component in ('unet', 'vae_decoder'):  # the VAE decoder's too: what `weft quantize` rewrites
        dst = os.path.join(from_onnx.SUITE, component, 'model.onnx')
        if not os.path.exists(dst):
            shutil.copyfile(from_onnx.onnx_path(component), dst)
    from_onnx.unet(), from_onnx.vae()  # the shipped .onnx files still match their parity fixtures
    write_card()
    subprocess.run(['npx', 'tsx', os.path.join(C.REPO, 'tools', 'ortFormat.ts'), from_onnx.SUITE, '--manifest-only'], check=True, cwd=C.REPO)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('stage', choices=['judge', 'concept', 'style', 'eval', 'parity', 'ship'])
    p.add_argument('--minutes', type=float, default=15)
    p.add_argument('--steps', type=int, default=4000)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--rank', type=int, default=8)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--n', type=int, default=100)
    a = p.parse_args()
    C.set_threads(a.threads)
    {'judge': stage_judge, 'concept': lambda a: train_adapter('concept', a), 'style': lambda a: train_adapter('style', a),
     'eval': stage_eval, 'parity': stage_parity, 'ship': stage_ship}[a.stage](a)


if __name__ == '__main__':
    main()
