"""Measure the shapes-v1 suite (torch checkpoints in $WEFT_WORK). Prints all numbers and writes
docs/models/eval.json and docs/models/contact-sheet.png.   Usage: evaluate.py [--quick]"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402
import common as C  # noqa: E402
from nets import VAEEncoder, VAEDecoder, Detector, Reward  # noqa: E402
from train import make_unet_text, to_float, psnr  # noqa: E402

W = C.WORK
DOCS = os.path.join(C.OUT_ROOT, 'docs', 'models')
SCORE_THR = 0.25  # chosen on a validation set of held-out-tuple renders (seed 31), not on the eval set
NMS_IOU = 0.5


# ------------------------------------------------------------------ loading
def load_vae():
    ck = torch.load(os.path.join(W, 'vae.pt'))
    enc = VAEEncoder(C.VAE_ENC_CH, factor=C.LATENT_FACTOR)
    dec = VAEDecoder(C.VAE_DEC_CH, factor=C.LATENT_FACTOR)
    enc.load_state_dict(ck['enc'])
    dec.load_state_dict(ck['dec'])
    return enc.eval(), dec.eval(), ck['scaling_factor']


def load_detector():
    det = Detector(len(world.SHAPES), len(world.COLOURS), ch=C.DET_CH)
    det.load_state_dict(torch.load(os.path.join(W, 'detector.pt'))['det'])
    return det.eval()


def load_reward():
    remap, ids = C.vocab()
    rw = Reward(torch.from_numpy(remap), len(ids) + 1)
    rw.load_state_dict(torch.load(os.path.join(W, 'reward.pt'))['reward'])
    return rw.eval()


def load_unet(raw=False):
    un, te = make_unet_text()
    ck = torch.load(os.path.join(W, 'unet.pt'))
    un.load_state_dict(ck['raw_unet' if raw else 'unet'])
    te.load_state_dict(ck['raw_text' if raw else 'text'])
    return un.eval(), te.eval(), ck['step']


# ------------------------------------------------------------------ detector decode (documented in detector/config.json)
def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def decode(obj, boxes, sp, cp, thr=SCORE_THR, nms=NMS_IOU):
    """One image: obj [G,G], boxes [G,G,4], sp [G,G,S], cp [G,G,C] (numpy) -> detections."""
    G = obj.shape[0]
    cands = []
    for gy in range(G):
        for gx in range(G):
            s = float(obj[gy, gx])
            if s >= thr:
                si, ci = int(sp[gy, gx].argmax()), int(cp[gy, gx].argmax())
                cands.append(dict(score=s, box=[float(v) for v in boxes[gy, gx]], shape=world.SHAPES[si],
                                  colour=world.COLOURS[ci], shape_prob=float(sp[gy, gx, si]),
                                  colour_prob=float(cp[gy, gx, ci])))
    cands.sort(key=lambda d: -d['score'])  # stable: ties keep row-major cell order
    keep = []
    for d in cands:
        if all(iou(d['box'], k['box']) <= nms for k in keep):
            keep.append(d)
    return keep


@torch.no_grad()
def detect(det, x, thr=SCORE_THR):
    out = []
    for i in range(0, len(x), 256):
        o, b, s, c = [t.numpy() for t in det(x[i:i + 256])]
        out += [decode(o[j], b[j], s[j], c[j], thr) for j in range(len(o))]
    return out


def place_of(box):
    cx, cy = (box[0] + box[2]) / 2 * 64, (box[1] + box[3]) / 2 * 64
    return min(world.PLACES, key=lambda p: (world.PLACE_XY[p][0] - cx) ** 2 + (world.PLACE_XY[p][1] - cy) ** 2)


def size_of(box):
    return 'large' if max(box[2] - box[0], box[3] - box[1]) > world.SIZE_SPLIT else 'small'


def judge(dets, o):
    """shape+colour found; and for that detection, place and size right."""
    m = [d for d in dets if d['shape'] == o['shape'] and d['colour'] == o['colour']]
    if not m:
        return dict(sc=False, place=False, size=False, all=False)
    pl = any(place_of(d['box']) == o['place'] for d in m)
    sz = any(size_of(d['box']) == o['size'] for d in m)
    al = any(place_of(d['box']) == o['place'] and size_of(d['box']) == o['size'] for d in m)
    return dict(sc=True, place=pl, size=sz, all=al)


def rate(rs, k):
    return float(np.mean([r[k] for r in rs])) if rs else 0.0


# ------------------------------------------------------------------ mAP
def average_precision(confs, tps, n_gt):
    if n_gt == 0:
        return None
    order = np.argsort(-np.array(confs))
    tp = np.array(tps, np.float64)[order] if len(tps) else np.zeros(0)
    ctp, cfp = np.cumsum(tp), np.cumsum(1 - tp)
    rec = ctp / n_gt
    prec = ctp / np.maximum(ctp + cfp, 1e-9)
    mrec = np.concatenate([[0], rec, [1]])
    mpre = np.concatenate([[0], prec, [0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def map50(det, x, scenes, boxes, attr, labels):
    dets = detect(det, x, thr=0.05)
    aps = {}
    for lab in labels:
        confs, tps, n_gt = [], [], 0
        for dd, sc, bx in zip(dets, scenes, boxes):
            gts = [b for o, b in zip(sc['objects'], bx) if o[attr] == lab]
            n_gt += len(gts)
            used = [False] * len(gts)
            for d in sorted([d for d in dd if d[attr] == lab], key=lambda d: -d['score'] * d[attr + '_prob']):
                confs.append(d['score'] * d[attr + '_prob'])
                best, bj = 0.5, -1
                for j, g in enumerate(gts):
                    v = iou(d['box'], list(g))
                    if not used[j] and v >= best:
                        best, bj = v, j
                if bj >= 0:
                    used[bj] = True
                tps.append(1.0 if bj >= 0 else 0.0)
        ap = average_precision(confs, tps, n_gt)
        if ap is not None:
            aps[lab] = ap
    return float(np.mean(list(aps.values()))), aps


# ------------------------------------------------------------------ generation
@torch.no_grad()
def generate(un, te, dec, scale, prompts, seeds, steps=20, cfg=5.0, spacing='leading', bs=64, solver='euler'):
    """One image per (prompt, seed); each image gets its own generator seeded by its seed. solver 'euler' is
    diffusers' EulerDiscreteScheduler; 'dpmpp2m' is DPM-Solver++(2M) on the same sigmas (diffusers'
    DPMSolverMultistepScheduler, algorithm dpmsolver++, order 2, first order on the last step to sigma 0)."""
    imgs = []
    empty = te(C.tokenize(['']))[0]
    for i in range(0, len(prompts), bs):
        ps, ss = prompts[i:i + bs], seeds[i:i + bs]
        cond = te(C.tokenize(ps))[0]
        unc = empty.expand(len(ps), -1, -1)
        noise = torch.stack([torch.randn(4, C.LATENT, C.LATENT, generator=torch.Generator().manual_seed(int(s))) for s in ss])
        ts, sig, init = C.euler_timesteps(steps, spacing)
        x = noise * init
        B = len(ps)
        ctx = torch.cat([unc, cond], 0)
        prev_x0 = None
        for k, t in enumerate(ts):
            s, s_next = float(sig[k]), float(sig[k + 1])
            xin = x / (s * s + 1) ** 0.5
            e = un(torch.cat([xin, xin], 0), torch.full((2 * B,), float(t)), ctx)
            eps = e[:B] + cfg * (e[B:] - e[:B])
            if solver == 'euler':
                x = x + eps * (s_next - s)
                continue
            x0 = x - s * eps
            if s_next == 0:
                x = x0
            else:
                h = np.log(s / s_next)
                d = x0
                if prev_x0 is not None:
                    r = np.log(float(sig[k - 1]) / s) / h
                    d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev_x0
                x = (s_next / s) * x - float(np.expm1(-h)) * d
            prev_x0 = x0
        imgs.append(dec(x / scale).clamp(-1, 1))
    return torch.cat(imgs)


@torch.no_grad()
def generate_ddim(un, te, dec, scale, prompts, seeds, steps=20, cfg=5.0, bs=64):
    """diffusers DDIMScheduler (eta 0, leading spacing, steps_offset 1, set_alpha_to_one False)."""
    ac = C.alphas_cumprod()
    ratio = 1000 // steps
    ts = (np.arange(0, steps) * ratio)[::-1] + 1
    imgs = []
    empty = te(C.tokenize(['']))[0]
    for i in range(0, len(prompts), bs):
        ps, ss = prompts[i:i + bs], seeds[i:i + bs]
        B = len(ps)
        ctx = torch.cat([empty.expand(B, -1, -1), te(C.tokenize(ps))[0]], 0)
        x = torch.stack([torch.randn(4, C.LATENT, C.LATENT, generator=torch.Generator().manual_seed(int(s))) for s in ss])
        for t in ts:
            e = un(torch.cat([x, x], 0), torch.full((2 * B,), float(t)), ctx)
            eps = e[:B] + cfg * (e[B:] - e[:B])
            a_t = float(ac[t])
            a_p = float(ac[t - ratio]) if t - ratio >= 0 else float(ac[0])
            x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t ** 0.5
            x = a_p ** 0.5 * x0 + (1 - a_p) ** 0.5 * eps
        imgs.append(dec(x / scale).clamp(-1, 1))
    return torch.cat(imgs)


def u8(x):
    return ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()


def contact_sheet(un, te, dec, scale, path):
    prompts = ['a large red circle in the centre on a blue background', 'a small yellow star at the top left on a black background',
               'a large green triangle on the right on a white background', 'a small white cross at the bottom on a purple background',
               'a large pink ring at the top right on a grey background', 'a large orange square on the left on a green background',
               'blue star, yellow background', 'two small black circles, pink background',
               'a large purple cross at the top left and a small yellow circle at the bottom right on a white background',
               'red triangle, green ring, blue background']
    nseed = 6
    P = [p for p in prompts for _ in range(nseed)]
    S = [1000 + j for _ in prompts for j in range(nseed)]
    ims = u8(generate(un, te, dec, scale, P, S))
    cell, lw = 128, 330
    sheet = Image.new('RGB', (lw + nseed * (cell + 4), len(prompts) * (cell + 4) + 24), (255, 255, 255))
    d = ImageDraw.Draw(sheet)
    d.text((4, 4), 'shapes-v1: 20 Euler steps, CFG 5, seeds 1000-1005 (64x64 shown at 2x)', fill=(0, 0, 0))
    for i, p in enumerate(prompts):
        y = 24 + i * (cell + 4)
        words, line, lines = p.split(' '), '', []
        for w_ in words:
            if len(line) + len(w_) > 48:
                lines.append(line)
                line = ''
            line += w_ + ' '
        lines.append(line)
        for k, ln in enumerate(lines):
            d.text((4, y + 40 + 12 * k), ln, fill=(0, 0, 0))
        for j in range(nseed):
            sheet.paste(Image.fromarray(ims[i * nseed + j]).resize((cell, cell), Image.NEAREST), (lw + j * (cell + 4), y))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sheet.save(path)


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--raw', action='store_true', help='use raw (non-EMA) UNet weights')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    t0 = time.time()
    R = {}
    enc, dec, scale = load_vae()
    det = load_detector()
    rw = load_reward()
    un, te, ustep = load_unet(a.raw)
    n_ho = 16 if a.quick else 96
    n_test = 64 if a.quick else 1000

    # VAE on held-out renders
    vi, vs, vb = world.render_dataset(n_test if not a.quick else 64, 777, split=None)
    x = to_float(vi)
    with torch.no_grad():
        rec = torch.cat([dec(enc(x[i:i + 250])[0]) for i in range(0, len(x), 250)]).clamp(-1, 1)
    R['vae_psnr_db'] = psnr(rec, x)
    R['vae_psnr_n'] = len(x)

    # detector mAP@0.5 on held-out renders (1-3 shapes)
    R['detector_map50_shape'], R['detector_ap_shape'] = map50(det, x, vs, vb, 'shape', world.SHAPES)
    R['detector_map50_colour'], R['detector_ap_colour'] = map50(det, x, vs, vb, 'colour', world.COLOURS)
    R['detector_map50_shape_on_vae_recon'], _ = map50(det, rec, vs, vb, 'shape', world.SHAPES)
    R['detector_map50_colour_on_vae_recon'], _ = map50(det, rec, vs, vb, 'colour', world.COLOURS)

    # held-out single-shape prompts (attribute tuples never seen as single-shape training scenes)
    rng = np.random.default_rng(4242)
    ho = [world.sample_scene(rng, n=1, single_split='heldout') for _ in range(n_ho)]
    seeds = [0, 1]
    prompts = [C.caption_for(sc, 0, style=0) for sc in ho]
    # judge on clean renders of exactly these scenes (2 renders each) and on their VAE reconstructions
    clean = np.stack([world.render(sc, np.random.default_rng(10 * i + s))[0] for i, sc in enumerate(ho) for s in seeds])
    xc = to_float(clean)
    with torch.no_grad():
        xr = dec(enc(xc)[0]).clamp(-1, 1)
    objs = [sc['objects'][0] for sc in ho for _ in seeds]
    jc = [judge(d, o) for d, o in zip(detect(det, xc), objs)]
    jr = [judge(d, o) for d, o in zip(detect(det, xr), objs)]
    for k in ('sc', 'place', 'size', 'all'):
        R[f'judge_clean_{k}'] = rate(jc, k)
        R[f'judge_vae_recon_{k}'] = rate(jr, k)
    R['judge_clean_sc_at_0.5'] = rate([judge(d, o) for d, o in zip(detect(det, xc, 0.5), objs)], 'sc')
    R['judge_vae_recon_sc_at_0.5'] = rate([judge(d, o) for d, o in zip(detect(det, xr, 0.5), objs)], 'sc')
    # the judge must also say no: same renders, prompt with shape or colour changed
    nr = np.random.default_rng(4343)
    negs = []
    for o in objs:
        n = dict(o)
        if nr.random() < 0.5:
            n['shape'] = str(nr.choice([s for s in world.SHAPES if s != o['shape']]))
        else:
            n['colour'] = str(nr.choice([c for c in world.COLOURS if c != o['colour']]))
        negs.append(n)
    R['judge_clean_rejects_wrong_prompt'] = 1 - rate([judge(d, o) for d, o in zip(detect(det, xc), negs)], 'sc')

    # reward: true caption vs one attribute changed, held-out scenes
    rr = np.random.default_rng(99)
    wins, kinds = [], {}
    rsc = [world.sample_scene(rr, single_split='heldout') for _ in range(n_test)]
    rim = to_float(np.stack([world.render(sc, rr)[0] for sc in rsc]))
    tcap, ncap = [], []
    for sc in rsc:
        ns, kind = world.perturb(sc, rr)
        tcap.append(C.caption_for(sc, 0, style=0))
        ncap.append(C.caption_for(ns, 0, style=0))
        kinds.setdefault(kind, []).append(len(tcap) - 1)
    with torch.no_grad():
        st = torch.cat([rw(rim[i:i + 250], C.tokenize(tcap[i:i + 250]))[0] for i in range(0, len(rim), 250)])
        sn = torch.cat([rw(rim[i:i + 250], C.tokenize(ncap[i:i + 250]))[0] for i in range(0, len(rim), 250)])
    win = (st > sn).numpy()
    R['reward_pair_accuracy'] = float(win.mean())
    R['reward_pair_accuracy_by_attribute'] = {k: float(win[v].mean()) for k, v in kinds.items()}
    R['reward_pairs_n'] = len(win)
    print(json.dumps({k: v for k, v in R.items()}, indent=1), flush=True)

    # adherence: 20 Euler steps, CFG 5
    P = [p for p in prompts for s in seeds]
    S = [10000 * s + i for i in range(len(prompts)) for s in seeds]
    tg = time.time()
    gen = generate(un, te, dec, scale, P, S, steps=20, cfg=5.0)
    R['gen_seconds_per_image'] = (time.time() - tg) / len(P)
    jg = [judge(d, o) for d, o in zip(detect(det, gen), objs)]
    R['adherence_n'] = len(jg)
    R['adherence_sc_judge_at_0.5'] = rate([judge(d, o) for d, o in zip(detect(det, gen, 0.5), objs)], 'sc')
    for k in ('sc', 'place', 'size', 'all'):
        R[f'adherence_{k}'] = rate(jg, k)
    with torch.no_grad():
        R['reward_mean_generated'] = float(rw(gen, C.tokenize(P))[0].mean())
        R['reward_mean_clean'] = float(rw(xc, C.tokenize(P))[0].mean())
    # same prompts, no guidance (CFG 1) for comparison
    if True:
        g1 = generate(un, te, dec, scale, P, S, steps=20, cfg=1.0)
        R['adherence_sc_cfg1'] = rate([judge(d, o) for d, o in zip(detect(det, g1), objs)], 'sc')
        gd = generate_ddim(un, te, dec, scale, P, S, steps=20, cfg=5.0)
        R['adherence_sc_ddim'] = rate([judge(d, o) for d, o in zip(detect(det, gd), objs)], 'sc')
        gp = generate(un, te, dec, scale, P, S, steps=20, cfg=5.0, solver='dpmpp2m')
        R['adherence_sc_dpmpp2m'] = rate([judge(d, o) for d, o in zip(detect(det, gp), objs)], 'sc')
    # two-shape prompts
    r2 = np.random.default_rng(515)
    two = [world.sample_scene(r2, n=2, single_split=None) for _ in range(n_ho // 3)]
    P2 = [C.caption_for(sc, 0, style=0) for sc in two for s in seeds]
    S2 = [20000 + 10000 * s + i for i in range(len(two)) for s in seeds]
    g2 = generate(un, te, dec, scale, P2, S2)
    j2 = []
    for dd, sc in zip(detect(det, g2), [sc for sc in two for s in seeds]):
        rs = [judge(dd, o) for o in sc['objects']]
        j2.append(dict(both_sc=all(r['sc'] for r in rs), both_all=all(r['all'] for r in rs)))
    R['two_shape_n'] = len(j2)
    R['two_shape_both_sc'] = rate(j2, 'both_sc')
    R['two_shape_both_all'] = rate(j2, 'both_all')
    R['unet_steps_trained'] = ustep
    R['eval_seconds'] = time.time() - t0
    R['settings'] = dict(steps=20, cfg=5.0, scheduler='EulerDiscrete leading, steps_offset 1', seeds=seeds,
                         heldout_prompts=len(prompts), judge_score_threshold=SCORE_THR, nms_iou=NMS_IOU)
    contact_sheet(un, te, dec, scale, os.path.join(DOCS, 'contact-sheet.png'))
    # example of failures for the card
    fails = [P[i] for i, r in enumerate(jg) if not r['sc']]
    R['adherence_failures_examples'] = fails[:12]
    C.save_json(os.path.join(DOCS, 'eval.json'), R)
    print(json.dumps(R, indent=1))


if __name__ == '__main__':
    main()
