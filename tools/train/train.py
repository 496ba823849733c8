"""Training stages for Weft shapes-v1.  Usage: train.py STAGE [--quick] [--minutes M] [--threads N]
Stages: data, vae, detector, reward, unet. Checkpoints and caches go to $WEFT_WORK (default /tmp/weft_train)."""
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
from nets import VAEEncoder, VAEDecoder, UNet, TextEncoder, Detector, Reward, n_params  # noqa: E402

W = C.WORK


def lr_at(progress, base, warm=0.02, floor=0.05):
    if progress < warm:
        return base * progress / warm
    p = (progress - warm) / (1 - warm)
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))


class Budget:
    """Progress = max(step/steps, elapsed/seconds): the schedule always completes within the time cap."""
    def __init__(self, steps, minutes):
        self.steps, self.sec, self.t0 = steps, minutes * 60, time.time()

    def progress(self, step):
        return max(step / self.steps, (time.time() - self.t0) / self.sec)


def to_float(imgs_u8):
    return torch.from_numpy(imgs_u8).permute(0, 3, 1, 2).float() / 127.5 - 1.0


# ------------------------------------------------------------------ data
def stage_data(a):
    n = 3000 if a.quick else 30000
    t = time.time()
    imgs, scenes, boxes = world.render_dataset(n, C.SEED, split='train')
    np.save(os.path.join(W, 'train_imgs.npy'), imgs)
    with open(os.path.join(W, 'train_scenes.json'), 'w') as f:
        json.dump({'scenes': scenes, 'boxes': [b.tolist() for b in boxes]}, f)
    vi, vs, vb = world.render_dataset(512, C.SEED + 1, split=None)
    np.save(os.path.join(W, 'val_imgs.npy'), vi)
    C.log('data', f'{n} train scenes rendered in {time.time() - t:.1f}s')


def load_train():
    imgs = np.load(os.path.join(W, 'train_imgs.npy'))
    with open(os.path.join(W, 'train_scenes.json')) as f:
        d = json.load(f)
    return imgs, d['scenes'], [np.array(b, np.float32) for b in d['boxes']]


# ------------------------------------------------------------------ VAE
def psnr(a, b):
    """a, b in [-1,1]; per-image PSNR on the [0,1] scale, averaged."""
    mse = (((a - b) / 2) ** 2).flatten(1).mean(1).clamp_min(1e-10)
    return (10 * torch.log10(1.0 / mse)).mean().item()


def stage_vae(a):
    torch.manual_seed(C.SEED)
    rng = np.random.default_rng(C.SEED)
    imgs, _, _ = load_train()
    val = to_float(np.load(os.path.join(W, 'val_imgs.npy'))[:128])
    enc = VAEEncoder(C.VAE_ENC_CH, factor=C.LATENT_FACTOR)
    dec = VAEDecoder(C.VAE_DEC_CH, factor=C.LATENT_FACTOR)
    C.log('vae', 'params enc %.3fM dec %.3fM' % (n_params(enc) / 1e6, n_params(dec) / 1e6))
    params = list(enc.parameters()) + list(dec.parameters())
    base_lr, best, step0 = 2e-3, -1, 0
    if a.resume:  # continue encoder and decoder (only before the UNet is trained on the latents)
        ck = torch.load(os.path.join(W, 'vae.pt'))
        enc.load_state_dict(ck['enc'])
        dec.load_state_dict(ck['dec'])
        base_lr, best, step0 = a.lr or 1e-3, ck['psnr'], ck.get('total_steps', ck['step'])
        rng = np.random.default_rng(C.SEED + 10 + step0)
    opt = torch.optim.AdamW(params, lr=base_lr, weight_decay=0.0)
    bud = Budget(60 if a.quick else 3000, a.minutes or (1 if a.quick else 16))
    step, bs = 0, 16
    while True:
        p = bud.progress(step)
        if p >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(p, base_lr)
        x = to_float(imgs[rng.integers(len(imgs), size=bs)])
        mean, logvar = enc(x)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        y = dec(z)
        rec = F.mse_loss(y, x) + 0.1 * F.l1_loss(y, x)
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).mean()
        loss = rec + 1e-5 * kl
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 150 == 0 or bud.progress(step) >= 1:
            with torch.no_grad():
                enc.eval(); dec.eval()
                pv = psnr(dec(enc(val)[0]), val)
                enc.train(); dec.train()
            if pv > best:
                best = pv
                torch.save({'enc': enc.state_dict(), 'dec': dec.state_dict(), 'step': step, 'total_steps': step0 + step, 'psnr': pv},
                           os.path.join(W, 'vae.pt'))
            C.log('vae', f'step {step} loss {loss.item():.5f} val_psnr {pv:.2f} best {best:.2f} t {time.time() - bud.t0:.0f}s')
    # cache latents (posterior means) of the training set, scaled to unit std
    ck = torch.load(os.path.join(W, 'vae.pt'))
    enc.load_state_dict(ck['enc'])
    enc.eval()
    lat = []
    with torch.no_grad():
        for i in range(0, len(imgs), 500):
            lat.append(enc(to_float(imgs[i:i + 500]))[0])
    lat = torch.cat(lat)
    std = lat.std().item()
    scale = 1.0 / std
    C.log('vae', f'latents {tuple(lat.shape)} mean {lat.mean().item():.3f} std {std:.3f} -> scaling_factor {scale:.4f}')
    torch.save({'latents': (lat * scale).half(), 'scaling_factor': scale}, os.path.join(W, 'latents.pt'))
    ck['scaling_factor'] = scale
    torch.save(ck, os.path.join(W, 'vae.pt'))


def stage_vaedec(a):
    """Decoder-only fine-tuning with the encoder frozen: the latent space (and so the UNet) is unchanged.
    Small latent noise makes the decoder tolerant of imperfect (generated) latents."""
    torch.manual_seed(C.SEED + 5)
    rng = np.random.default_rng(C.SEED + 5)
    imgs, _, _ = load_train()
    val = to_float(np.load(os.path.join(W, 'val_imgs.npy'))[:128])
    ck = torch.load(os.path.join(W, 'vae.pt'))
    enc = VAEEncoder(C.VAE_ENC_CH, factor=C.LATENT_FACTOR)
    dec = VAEDecoder(C.VAE_DEC_CH, factor=C.LATENT_FACTOR)
    enc.load_state_dict(ck['enc'])
    dec.load_state_dict(ck['dec'])
    enc.eval()
    for p_ in enc.parameters():
        p_.requires_grad_(False)
    std = 1.0 / ck['scaling_factor']
    ck0_steps = ck.get('dec_finetune_steps', 0)
    if a.lr:  # a continuation: different data order
        rng = np.random.default_rng(C.SEED + 50 + ck0_steps)
    with torch.no_grad():
        best = psnr(dec(enc(val)[0]), val)
    C.log('vaedec', f'start val_psnr {best:.2f}')
    base_lr = a.lr or 1e-3
    opt = torch.optim.AdamW(dec.parameters(), lr=base_lr, weight_decay=0.0)
    bud = Budget(60 if a.quick else 3000, a.minutes or (1 if a.quick else 14))
    step, bs = 0, 16
    while True:
        p = bud.progress(step)
        if p >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(p, base_lr)
        x = to_float(imgs[rng.integers(len(imgs), size=bs)])
        with torch.no_grad():
            z = enc(x)[0]
            z = z + 0.05 * std * torch.randn_like(z)
        y = dec(z)
        loss = F.mse_loss(y, x) + 0.1 * F.l1_loss(y, x)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(dec.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 150 == 0 or bud.progress(step) >= 1:
            with torch.no_grad():
                dec.eval()
                pv = psnr(dec(enc(val)[0]), val)
                dec.train()
            if pv > best:
                best = pv
                ck['dec'] = dec.state_dict()
                ck['dec_finetune_steps'] = ck0_steps + step
                torch.save(ck, os.path.join(W, 'vae.pt'))
            C.log('vaedec', f'step {step} loss {loss.item():.5f} val_psnr {pv:.2f} best {best:.2f} t {time.time() - bud.t0:.0f}s')


# ------------------------------------------------------------------ detector
G = 8
NS, NCOL = len(world.SHAPES), len(world.COLOURS)


def det_targets(scenes, boxes):
    n = len(scenes)
    obj = np.zeros((n, G, G), np.float32)
    box = np.zeros((n, G, G, 4), np.float32)   # tx, ty (in-cell), w, h
    sh = np.full((n, G, G), -100, np.int64)
    co = np.full((n, G, G), -100, np.int64)
    for i, (sc, bx) in enumerate(zip(scenes, boxes)):
        for o, b in zip(sc['objects'], bx):
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            gx, gy = min(G - 1, int(cx * G)), min(G - 1, int(cy * G))
            obj[i, gy, gx] = 1
            box[i, gy, gx] = [cx * G - gx, cy * G - gy, b[2] - b[0], b[3] - b[1]]
            sh[i, gy, gx] = world.SHAPES.index(o['shape'])
            co[i, gy, gx] = world.COLOURS.index(o['colour'])
    return obj, box, sh, co


def degrade(x, gen):
    """Augmentation so the judge also reads decoded images: random blur and noise on part of the batch."""
    B = x.shape[0]
    k = torch.tensor([1., 2., 1.])
    k = (k[:, None] * k[None, :]) / 16
    blur = F.conv2d(F.pad(x, (1, 1, 1, 1), mode='replicate'), k.expand(3, 1, 3, 3), groups=3)
    m = (torch.rand(B, 1, 1, 1, generator=gen) < 0.35).float()
    x = m * blur + (1 - m) * x
    n = (torch.rand(B, 1, 1, 1, generator=gen) < 0.3).float() * torch.rand(B, 1, 1, 1, generator=gen) * 0.06
    return x + n * torch.randn(x.shape, generator=gen)


def det_loss(det, x, obj, box, sh, co):
    r = det.raw(x)
    lo = F.binary_cross_entropy_with_logits(r[:, 0], obj)
    pos = obj > 0.5
    pb = torch.sigmoid(r[:, 1:5]).permute(0, 2, 3, 1)[pos]
    lb = F.l1_loss(pb, box[pos]) if pos.any() else r.sum() * 0
    ls = F.cross_entropy(r[:, 5:5 + NS].permute(0, 2, 3, 1)[pos], sh[pos]) if pos.any() else 0
    lc = F.cross_entropy(r[:, 5 + NS:].permute(0, 2, 3, 1)[pos], co[pos]) if pos.any() else 0
    return lo * 5 + lb * 5 + ls + lc


N_RECON = 12000


def recon_images(imgs):
    """VAE reconstructions (encoder mean -> decoder) of the first N_RECON training images, uint8, cached per VAE."""
    ck = torch.load(os.path.join(W, 'vae.pt'))
    tag = f"{ck.get('total_steps', ck['step'])}-{ck.get('dec_finetune_steps', 0)}-{ck['psnr']:.4f}"
    path, tag_path = os.path.join(W, 'recon_imgs.npy'), os.path.join(W, 'recon_imgs.tag')
    if os.path.exists(path) and os.path.exists(tag_path) and open(tag_path).read() == tag:
        return np.load(path)
    enc = VAEEncoder(C.VAE_ENC_CH, factor=C.LATENT_FACTOR)
    dec = VAEDecoder(C.VAE_DEC_CH, factor=C.LATENT_FACTOR)
    enc.load_state_dict(ck['enc'])
    dec.load_state_dict(ck['dec'])
    enc.eval(); dec.eval()
    out = []
    with torch.no_grad():
        for i in range(0, min(N_RECON, len(imgs)), 250):
            y = dec(enc(to_float(imgs[i:i + 250]))[0]).clamp(-1, 1)
            out.append(((y + 1) * 127.5).round().clamp(0, 255).byte().permute(0, 2, 3, 1).numpy())
    rec = np.concatenate(out)
    np.save(path, rec)
    with open(tag_path, 'w') as f:
        f.write(tag)
    C.log('detector', f'cached {len(rec)} VAE reconstructions (VAE {tag})')
    return rec


def stage_detector(a):
    torch.manual_seed(C.SEED + 2)
    rng = np.random.default_rng(C.SEED + 2)
    gen = torch.Generator().manual_seed(C.SEED + 2)
    imgs, scenes, boxes = load_train()
    obj, box, sh, co = [torch.from_numpy(t) for t in det_targets(scenes, boxes)]
    det = Detector(NS, NCOL, ch=C.DET_CH)
    base_lr = 2e-3
    if a.resume:  # continue a finished run with a fresh, lower schedule
        ck = torch.load(os.path.join(W, 'detector.pt'))
        det.load_state_dict(ck['det'])
        base_lr = a.lr or 1.5e-3
        rng = np.random.default_rng(C.SEED + 20 + ck.get('total_steps', 0))
    # --recon: half of each batch are VAE reconstructions of training renders (same ground truth), so the judge
    # also reads decoded images as well as clean renders; it never sees generated images.
    rec = recon_images(imgs) if a.recon else None
    C.log('detector', 'params %.3fM' % (n_params(det) / 1e6))
    opt = torch.optim.AdamW(det.parameters(), lr=base_lr, weight_decay=1e-4)
    bud = Budget(60 if a.quick else 5000, a.minutes or (1 if a.quick else 10))
    step, bs = 0, 64
    while True:
        p = bud.progress(step)
        if p >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(p, base_lr)
        idx = rng.integers(len(imgs), size=bs)
        if rec is not None:
            idx[:bs // 2] = rng.integers(len(rec), size=bs // 2)
            x = torch.cat([to_float(rec[idx[:bs // 2]]), degrade(to_float(imgs[idx[bs // 2:]]), gen)])
        else:
            x = degrade(to_float(imgs[idx]), gen)
        ti = torch.from_numpy(idx)
        loss = det_loss(det, x, obj[ti], box[ti], sh[ti], co[ti])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(det.parameters(), 2.0)
        opt.step()
        step += 1
        if step % 200 == 0:
            C.log('detector', f'step {step} loss {loss.item():.4f} t {time.time() - bud.t0:.0f}s')
    save_counted('detector', 'det', det, step, a.resume)



def save_counted(name, key, model, step, resumed):
    """Saves <name>.pt with this run's steps and the total over resumed runs."""
    path = os.path.join(W, f'{name}.pt')
    prev = 0
    if resumed:
        pk = torch.load(path)
        prev = pk.get('total_steps', pk['step'])
    torch.save({key: model.state_dict(), 'step': step, 'total_steps': prev + step}, path)
    C.log(name, f'done {step} steps')

# ------------------------------------------------------------------ reward
# shape swaps are the hardest negatives for the dual encoder: train on them more often than the eval draws them
SHAPE_HEAVY = (0.45, 0.2, 0.1, 0.15, 0.1)

def stage_reward(a):
    torch.manual_seed(C.SEED + 3)
    rng = np.random.default_rng(C.SEED + 3)
    imgs, scenes, _ = load_train()
    remap, ids = C.vocab()
    rw = Reward(torch.from_numpy(remap), len(ids) + 1)
    base_lr = 1e-3
    if a.resume:  # continue a finished run with a fresh, lower schedule
        rw.load_state_dict(torch.load(os.path.join(W, 'reward.pt'))['reward'])
        base_lr = 7e-4
        rng = np.random.default_rng(C.SEED + 30)
    C.log('reward', 'params %.3fM' % (n_params(rw) / 1e6))
    opt = torch.optim.AdamW(rw.parameters(), lr=base_lr, weight_decay=1e-4)
    bud = Budget(60 if a.quick else 5000, a.minutes or (1 if a.quick else 8))
    step, bs, K = 0, 64, 3
    while True:
        p = bud.progress(step)
        if p >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(p, base_lr)
        idx = rng.integers(len(imgs), size=bs)
        caps, negs = [], []
        for i in idx:
            sc = scenes[i]
            style = int(rng.integers(6))
            s = int(rng.integers(1 << 30))
            c = C.caption_for(sc, s, style)
            caps.append(c)
            for k in range(K):
                for _ in range(10):
                    ns, _kind = world.perturb(sc, rng, p=SHAPE_HEAVY)
                    nc = C.caption_for(ns, s, style)
                    if nc != c:
                        break
                negs.append(nc)
        x = to_float(imgs[idx])
        ie = rw.embed_image(x)
        te = rw.embed_text(C.tokenize(caps + negs))
        tt, tn = te[:bs], te[bs:].reshape(bs, K, -1)
        sc_ = rw.scale()
        l_in = (ie.unsqueeze(1) * tt.unsqueeze(0)).sum(-1) * sc_          # [B,B]
        l_neg = (ie.unsqueeze(1) * tn).sum(-1) * sc_                       # [B,K]
        tgt = torch.arange(bs)
        loss = F.cross_entropy(torch.cat([l_in, l_neg], 1), tgt) + F.cross_entropy(l_in.t(), tgt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(rw.parameters(), 2.0)
        opt.step()
        step += 1
        if step % 200 == 0:
            C.log('reward', f'step {step} loss {loss.item():.4f} scale {sc_.item():.1f} t {time.time() - bud.t0:.0f}s')
    save_counted('reward', 'reward', rw, step, a.resume)


# ------------------------------------------------------------------ UNet + text encoder
def make_unet_text():
    remap, ids = C.vocab()
    te = TextEncoder(torch.from_numpy(remap), len(ids) + 1, d=C.TEXT_DIM, layers=2, heads=4, max_len=C.CTX)
    un = UNet(C.UNET_LEVELS, ctx_dim=C.TEXT_DIM)
    return un, te


MIN_SNR_GAMMA = 5.0


def stage_unet(a):
    torch.manual_seed(C.SEED + 4)
    rng = np.random.default_rng(C.SEED + 4)
    _, scenes, _ = load_train()
    lat = torch.load(os.path.join(W, 'latents.pt'))['latents'].float()
    un, te = make_unet_text()
    C.log('unet', 'params unet %.3fM text %.3fM' % (n_params(un) / 1e6, n_params(te) / 1e6))
    params = list(un.parameters()) + list(te.parameters())
    base_lr, warm, ema_decay, step0 = 5e-4, 0.03, 0.999, 0
    ema_u, ema_t = copy.deepcopy(un).eval(), copy.deepcopy(te).eval()
    if a.resume:  # continue from the saved raw weights and EMA with a fresh, lower schedule
        ck = torch.load(os.path.join(W, 'unet.pt'))
        un.load_state_dict(ck['raw_unet'])
        te.load_state_dict(ck['raw_text'])
        ema_u.load_state_dict(ck['unet'])
        ema_t.load_state_dict(ck['text'])
        base_lr, warm, ema_decay, step0 = 2.5e-4, 0.05, 0.995, ck['step']
        if a.lr:  # a continuation of an unfinished run (e.g. moved to more threads): its own peak rate, long EMA
            base_lr, ema_decay = a.lr, 0.999
        rng = np.random.default_rng(C.SEED + 40 + step0)
    opt = torch.optim.AdamW(params, lr=base_lr, weight_decay=0.0)
    ac = torch.tensor(C.alphas_cumprod(), dtype=torch.float32)
    bud = Budget(60 if a.quick else 100000, a.minutes or (1 if a.quick else 65))
    step, bs = 0, 64
    threads = torch.get_num_threads()
    aux_done = os.path.join(W, 'aux.done')
    t_last = time.time()
    losses = []
    while True:
        p = bud.progress(step)
        if p >= 1:
            break
        if threads < a.max_threads and os.path.exists(aux_done):
            threads = a.max_threads
            torch.set_num_threads(threads)
            C.log('unet', f'aux stages done: now {threads} threads')
        for g in opt.param_groups:
            g['lr'] = lr_at(p, base_lr, warm=warm, floor=0.1)
        idx = rng.integers(len(lat), size=bs)
        caps = []
        for i in idx:
            if rng.random() < 0.1:
                caps.append('')  # caption dropout -> the empty prompt the pipeline uses as negative
            else:
                caps.append(C.caption_for(scenes[i], int(rng.integers(1 << 30))))
        x0 = lat[torch.from_numpy(idx)]
        t = torch.from_numpy(rng.integers(0, 1000, size=bs))
        noise = torch.randn_like(x0)
        a_t = ac[t].reshape(-1, 1, 1, 1)
        xt = a_t.sqrt() * x0 + (1 - a_t).sqrt() * noise
        hid, _ = te(C.tokenize(caps))
        pred = un(xt, t.float(), hid)
        # Min-SNR-5 weighting (Hang et al. 2023): low-noise steps, easy and plentiful, stop dominating the gradient
        snr = a_t.flatten() / (1 - a_t.flatten())
        w = torch.clamp(snr, max=MIN_SNR_GAMMA) / snr
        loss = (w * ((pred - noise) ** 2).flatten(1).mean(1)).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        d = min(ema_decay, (1 + step0 + step) / (10 + step0 + step))
        with torch.no_grad():
            for m, e in ((un, ema_u), (te, ema_t)):
                for pp, ep in zip(m.parameters(), e.parameters()):
                    ep.mul_(d).add_(pp.detach(), alpha=1 - d)
        losses.append(loss.item())
        if step % 100 == 0:
            C.log('unet', f'step {step} loss {np.mean(losses[-100:]):.4f} lr {opt.param_groups[0]["lr"]:.2e} '
                          f'p {p:.3f} t {time.time() - bud.t0:.0f}s ({(time.time() - t_last) / 100:.2f}s/step)')
            t_last = time.time()
        if step % 500 == 0:
            torch.save({'unet': ema_u.state_dict(), 'text': ema_t.state_dict(), 'step': step0 + step,
                        'raw_unet': un.state_dict(), 'raw_text': te.state_dict()}, os.path.join(W, 'unet.pt'))
    torch.save({'unet': ema_u.state_dict(), 'text': ema_t.state_dict(), 'step': step0 + step,
                'raw_unet': un.state_dict(), 'raw_text': te.state_dict()}, os.path.join(W, 'unet.pt'))
    C.log('unet', f'done {step} steps in {time.time() - bud.t0:.0f}s')


STAGES = {'data': stage_data, 'vae': stage_vae, 'vaedec': stage_vaedec, 'detector': stage_detector, 'reward': stage_reward, 'unet': stage_unet}

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('stage', choices=list(STAGES))
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--minutes', type=float, default=None)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-threads', type=int, default=2)
    ap.add_argument('--resume', action='store_true', help='vae/detector/reward/unet: continue from the saved checkpoint')
    ap.add_argument('--recon', action='store_true', help='detector: train on VAE reconstructions as well as clean renders')
    ap.add_argument('--lr', type=float, default=None, help='vae --resume, vaedec, detector --resume: peak learning rate; unet --resume: peak rate of the continuation')
    a = ap.parse_args()
    C.set_threads(a.threads)
    STAGES[a.stage](a)
