"""A few-step student of shapes-v1's UNet: latent consistency distillation (LCM, Luo et al. 2023, as diffusers'
train_lcm_distill_sd.py does it), with the teacher's classifier-free guidance baked in, so the student runs once per
step at guidance 1 and is sampled by the LCM scheduler Weft already has (1-4 steps).

  data    renders of the base world, their VAE latents (the shipped encoder) and scenes, cached in $WEFT_WORK/distill
  train   student and its EMA target start as the teacher; each step: noise a latent to t_n (one of 50 DDIM
          timesteps), the teacher's guided DDIM step to t_{n-1}, loss = Huber(f_student(x_{t_n}), f_target(x_{t_{n-1}}))
          where f = c_skip(t)·x + c_out(t)·x̂0 (sigma_data 0.5, timestep scaling 10)
  eval    single-shape adherence (the shipped detector) on held-out prompts: student at 1/2/4 LCM steps, teacher at
          20 Euler steps and at 4 (Euler and LCM); writes docs/models/distill-eval.json and a sheet
  export  public/models/shapes-v1/unet_lcm/ (model.onnx, config.json, MODEL_CARD.md) and its parity fixture

Usage: distill.py data|train|eval|export [--minutes M] [--threads T]"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402
import common as C  # noqa: E402
import from_onnx  # noqa: E402
from train import to_float, lr_at  # noqa: E402
from evaluate import generate, detect, judge  # noqa: E402

W = os.path.join(C.WORK, 'distill')
OUT = os.path.join(C.OUT_ROOT, 'public', 'models', 'shapes-v1', 'unet_lcm')
DOCS = os.path.join(C.OUT_ROOT, 'docs', 'models')
GUIDANCE = 5.0           # the teacher's guidance the student learns to give in one call
ORIGINAL_STEPS = 50      # LCMScheduler's original_inference_steps: the DDIM solver's skip is 1000 / 50 = 20
SIGMA_DATA, TIMESTEP_SCALING, HUBER_C = 0.5, 10.0, 1e-3
os.makedirs(W, exist_ok=True)


def scalings(t):
    st = t.float() * TIMESTEP_SCALING
    return SIGMA_DATA ** 2 / (st ** 2 + SIGMA_DATA ** 2), st / torch.sqrt(st ** 2 + SIGMA_DATA ** 2)


def stage_data(a):
    enc, _, scale = from_onnx.vae()
    rng = np.random.default_rng(C.SEED + 70)
    scenes = [world.sample_scene(rng, single_split='train') for _ in range(a.n)]
    lat = []
    with torch.no_grad():
        for i in range(0, a.n, 512):
            imgs = np.stack([world.render(s, rng)[0] for s in scenes[i:i + 512]])
            lat.append(enc(to_float(imgs))[0] * scale)
    torch.save({'latents': torch.cat(lat).half(), 'scenes': scenes}, os.path.join(W, 'data.pt'))
    C.log('data', f'{a.n} scenes rendered and encoded')


def stage_train(a):
    torch.manual_seed(C.SEED + 71)
    rng = np.random.default_rng(C.SEED + 71)
    d = torch.load(os.path.join(W, 'data.pt'))
    lat, scenes = d['latents'].float(), d['scenes']
    te = from_onnx.text_encoder()
    teacher = from_onnx.unet()
    student = copy.deepcopy(teacher).train()
    target = copy.deepcopy(teacher).eval()
    step0 = 0
    if a.resume:  # continue a finished run in a fresh schedule
        ck = torch.load(os.path.join(W, 'student.pt'))
        student.load_state_dict(ck['student'])
        target.load_state_dict(ck['target'])
        step0 = ck['step']
    for p in list(te.parameters()) + list(teacher.parameters()) + list(target.parameters()):
        p.requires_grad_(False)
    ac = torch.tensor(C.alphas_cumprod(), dtype=torch.float32)
    skip = 1000 // ORIGINAL_STEPS
    solver_ts = torch.arange(1, ORIGINAL_STEPS + 1) * skip - 1          # 19, 39, ..., 999
    opt = torch.optim.AdamW(student.parameters(), lr=a.lr, weight_decay=0.0)
    with torch.no_grad():
        empty = te(C.tokenize(['']))[0]
    t0, step, bs, losses = time.time(), 0, a.batch, []
    keep = os.path.join(W, 'student.pt')
    while True:
        progress = max(step / a.steps, (time.time() - t0) / (a.minutes * 60))
        if progress >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(progress, a.lr)
        idx = rng.integers(len(lat), size=bs)
        x0 = lat[idx]
        with torch.no_grad():
            ctx = te(C.tokenize([world.caption(scenes[i], rng) for i in idx]))[0]
        n = torch.from_numpy(rng.integers(0, ORIGINAL_STEPS, size=bs))
        t = solver_ts[n]
        t_prev = torch.clamp(t - skip, min=0)
        a_t = ac[t].reshape(-1, 1, 1, 1)
        a_prev = torch.where(t - skip >= 0, ac[t_prev], ac[0]).reshape(-1, 1, 1, 1)
        noise = torch.randn_like(x0)
        xt = a_t.sqrt() * x0 + (1 - a_t).sqrt() * noise
        # the student's consistency function at t_n
        eps_s = student(xt, t.float(), ctx)
        cs, co = [s.reshape(-1, 1, 1, 1) for s in scalings(t)]
        f_s = cs * xt + co * (xt - (1 - a_t).sqrt() * eps_s) / a_t.sqrt()
        with torch.no_grad():
            # the teacher's guided DDIM step from t_n to t_{n-1}
            e = teacher(torch.cat([xt, xt]), torch.cat([t, t]).float(), torch.cat([ctx, empty.expand(bs, -1, -1)]))
            eps_t = e[bs:] + GUIDANCE * (e[:bs] - e[bs:])
            x0_t = (xt - (1 - a_t).sqrt() * eps_t) / a_t.sqrt()
            x_prev = a_prev.sqrt() * x0_t + (1 - a_prev).sqrt() * eps_t
            # the EMA target's consistency function at t_{n-1} (c_skip = 1, c_out = 0 at t = 0)
            eps_g = target(x_prev, t_prev.float(), ctx)
            cs_p, co_p = [s.reshape(-1, 1, 1, 1) for s in scalings(t_prev)]
            f_target = cs_p * x_prev + co_p * (x_prev - (1 - a_prev).sqrt() * eps_g) / a_prev.sqrt()
        loss = (torch.sqrt((f_s - f_target) ** 2 + HUBER_C ** 2) - HUBER_C).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for pt, ps in zip(target.parameters(), student.parameters()):
                pt.mul_(a.ema).add_(ps, alpha=1 - a.ema)
        losses.append(float(loss))
        step += 1
        if step % 50 == 0:
            C.log('distill', f'step {step} loss {np.mean(losses[-50:]):.5f} lr {opt.param_groups[0]["lr"]:.2e} {time.time() - t0:.0f} s')
        if step % 500 == 0:
            torch.save({'student': student.state_dict(), 'target': target.state_dict(), 'step': step0 + step}, keep + '.partial')
    prev = torch.load(keep).get('minutes', 0) if a.resume else 0
    torch.save({'student': student.state_dict(), 'target': target.state_dict(), 'step': step0 + step, 'minutes': prev + (time.time() - t0) / 60}, keep)
    C.log('distill', f'done: {step} steps in {(time.time() - t0) / 60:.1f} min')


def load_student(which='target'):
    un = from_onnx.unet()
    ck = torch.load(os.path.join(W, 'student.pt'))
    un.load_state_dict(ck[which])
    return un.eval(), ck


def lcm_timesteps(n):
    """Weft's / diffusers' LCMScheduler.set_timesteps (original_inference_steps 50, strength 1)."""
    skip = 1000 // ORIGINAL_STEPS
    origin = [i * skip - 1 for i in range(ORIGINAL_STEPS, 0, -1)]
    return [origin[int(math.floor(x))] for x in np.linspace(0, len(origin), n, endpoint=False)]


@torch.no_grad()
def lcm_generate(un, te, dec, scale, prompts, seeds, steps, guidance=1.0, bs=100):
    """LCMScheduler sampling, as Weft's Sampler runs it: guidance <= 1 runs the prompt alone."""
    ac = torch.tensor(C.alphas_cumprod(), dtype=torch.float32)
    empty = te(C.tokenize(['']))[0]
    out = []
    for i in range(0, len(prompts), bs):
        ps, ss = prompts[i:i + bs], seeds[i:i + bs]
        cond = te(C.tokenize(ps))[0]
        B = len(ps)
        gens = [torch.Generator().manual_seed(int(s)) for s in ss]
        x = torch.stack([torch.randn(4, C.LATENT, C.LATENT, generator=g) for g in gens])
        ts = lcm_timesteps(steps)
        for k, t in enumerate(ts):
            tt = torch.full((B,), float(t))
            if guidance > 1:
                e = un(torch.cat([x, x]), torch.cat([tt, tt]), torch.cat([cond, empty.expand(B, -1, -1)]))
                eps = e[B:] + guidance * (e[:B] - e[B:])
            else:
                eps = un(x, tt, cond)
            a_t = ac[t]
            cs, co = scalings(torch.tensor(float(t)))
            x0 = (x - (1 - a_t).sqrt() * eps) / a_t.sqrt()
            den = co * x0 + cs * x
            if k == len(ts) - 1:
                x = den
            else:
                a_p = ac[ts[k + 1]]
                z = torch.stack([torch.randn(4, C.LATENT, C.LATENT, generator=g) for g in gens])
                x = a_p.sqrt() * den + (1 - a_p).sqrt() * z
        out.append(dec(x / scale).clamp(-1, 1))
    return torch.cat(out)


@torch.no_grad()
def stage_eval(a):
    te = from_onnx.text_encoder()
    _, dec, scale = from_onnx.vae()
    det = from_onnx.detector()
    teacher = from_onnx.unet()
    rng = np.random.default_rng(C.SEED + 61)  # the LoRA eval's base prompts: shapes-v1's held-out tuples
    scenes = [world.sample_scene(rng, n=1, single_split='heldout') for _ in range(a.prompts)]
    prompts = [world.caption(s, rng) for s in scenes]
    seeds = list(range(1000, 1000 + a.prompts))
    res, sheet = {'prompts': a.prompts}, []

    def score(name, imgs):
        r = float(np.mean([judge(d, s['objects'][0])['sc'] for d, s in zip(detect(det, imgs), scenes)]))
        res[name] = r
        sheet.append((name, imgs[:12]))
        C.log('eval', f'{name}: adherence {r:.3f}')

    t = time.time()
    score('teacher euler 20 steps, guidance 5', generate(teacher, te, dec, scale, prompts, seeds, steps=20))
    res['teacher_20_seconds'] = round(time.time() - t, 1)
    score('teacher euler 4 steps, guidance 5', generate(teacher, te, dec, scale, prompts, seeds, steps=4))
    score('teacher lcm 4 steps, guidance 5', lcm_generate(teacher, te, dec, scale, prompts, seeds, 4, guidance=GUIDANCE))
    if os.path.exists(os.path.join(W, 'student.pt')):
        student, ck = load_student(a.which)
        res['student_steps'] = ck['step']
        for n in (1, 2, 4, 8):
            t = time.time()
            score(f'student lcm {n} steps, guidance 1', lcm_generate(student, te, dec, scale, prompts, seeds, n))
            res[f'student_{n}_seconds'] = round(time.time() - t, 1)
    C.save_json(os.path.join(DOCS, 'distill-eval.json'), res)
    from_onnx.save_sheet(os.path.join(DOCS, 'distill-sheet.png'), sheet, 230)


@torch.no_grad()
def stage_export(a):
    from export import export as onnx_export, fixture, f32
    import shutil
    student, ck = load_student(a.which)
    os.makedirs(OUT, exist_ok=True)
    i, _ = from_onnx.fixture('unet')
    smp, ts, ehs = i['sample'], i['timestep'], i['encoder_hidden_states']
    onnx_export(student, (smp, ts, ehs), ['sample', 'timestep', 'encoder_hidden_states'], ['out_sample'], os.path.join(OUT, 'model.onnx'))
    out = student(smp, ts, ehs)
    from_onnx.write_unet_fixture(os.path.join(C.OUT_ROOT, 'tests', 'fixtures', 'distill', 'unet_lcm.json'),
                                 {'model': 'public/models/shapes-v1/unet_lcm/model.onnx'}, i, out)
    with open(os.path.join(from_onnx.SUITE, 'unet', 'config.json')) as f:
        cfg = json.load(f)
    cfg.update({'weft_trained_steps': ck['step'], 'weft_distilled_from': 'unet (shapes-v1)', 'weft_distillation': 'latent consistency (LCM)',
                'weft_guidance_baked_in': GUIDANCE, 'weft_note': 'Sample with the LCM scheduler in 1-8 steps at guidance 1 (the teacher\'s guidance 5 is in the weights). '
                'timestep is float32 [batch]; encoder_hidden_states [batch, seq, 128].'})
    C.save_json(os.path.join(OUT, 'config.json'), cfg)
    with open(os.path.join(DOCS, 'distill-eval.json')) as f:
        ev = json.load(f)
    rows = '\n'.join(f'| {k} | {100 * v:.1f}% |' for k, v in ev.items() if isinstance(v, float) and not k.endswith('_seconds'))
    card = f"""# shapes-v1 unet_lcm: a few-step student

shapes-v1's UNet distilled by latent consistency distillation (`tools/train/distill.py`: LCM as diffusers'
`train_lcm_distill_sd.py` does it: a 50-step DDIM solver over the teacher, Huber loss between the student's
consistency function at t and its EMA target's at the solver's previous step, sigma_data 0.5, timestep scaling 10).
The teacher's classifier-free guidance (5) is in the weights: run it at **guidance 1** (one UNet call per step) with
the **LCM scheduler**, 1 to 8 steps. Same architecture, inputs and outputs as `unet/` (3.48M parameters).
Trained {ck['step']} steps ({ck.get('minutes', 0):.0f} min on 2 CPU threads) from the teacher's weights, on
{len(torch.load(os.path.join(W, 'data.pt'))['scenes']):,} renders of the base world.

## Single-shape adherence (`/usr/bin/python3 tools/train/distill.py eval`, {ev['prompts']} held-out prompts, detector-judged)

| sampler | adherence |
|---|---|
{rows}
"""
    with open(os.path.join(OUT, 'MODEL_CARD.md'), 'w') as f:
        f.write(card)
    shutil.rmtree(os.path.join(OUT, '__pycache__'), ignore_errors=True)
    import subprocess
    subprocess.run(['npx', 'tsx', os.path.join(C.REPO, 'tools', 'ortFormat.ts'), from_onnx.SUITE, '--manifest-only'], check=True, cwd=C.REPO)
    C.log('export', f'wrote {OUT}')


def main():
    p = argparse.ArgumentParser()
    p.add_argument('stage', choices=['data', 'train', 'eval', 'export'])
    p.add_argument('--minutes', type=float, default=25)
    p.add_argument('--steps', type=int, default=100000)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=5e-5)
    p.add_argument('--ema', type=float, default=0.95)
    p.add_argument('--n', type=int, default=12000, help='data: scenes to render')
    p.add_argument('--prompts', type=int, default=100, help='eval: held-out prompts')
    p.add_argument('--which', default='target', choices=['target', 'student'])
    p.add_argument('--resume', action='store_true', help='train: continue student.pt')
    a = p.parse_args()
    C.set_threads(a.threads)
    {'data': stage_data, 'train': stage_train, 'eval': stage_eval, 'export': stage_export}[a.stage](a)


if __name__ == '__main__':
    main()
