"""Torch modules of shapes-v1 rebuilt from the shipped ONNX files, for tools that train on top of the suite
(LoRA, distillation) on a machine without the training run's checkpoints.

torch.onnx keeps parameter names as initializer names, except where constant folding rewrote a parameter
(GroupNorm's weight and bias become `onnx::Mul_N` / `onnx::Add_N` of shape [C, 1, 1]). Those are matched
to the GroupNorm modules in the order the forward pass runs them, and every load is checked against the
suite's parity fixture (torch outputs written at export), so a wrong match cannot pass silently."""
import json
import os
import re
import subprocess

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import common as C
import world
from nets import UNet, TextEncoder, VAEEncoder, VAEDecoder, Detector

SUITE = os.path.join(C.REPO, 'public', 'models', 'shapes-v1')
FIX = os.path.join(C.REPO, 'tests', 'fixtures', 'parity')
# The UNet and VAE decoder ship as .ort; their .onnx (same weights) is read from the commit that last held it.
PREFIXES = ('', 'te.', 'enc.')
ONNX_COMMIT = {'unet': 'dce54a5', 'vae_decoder': 'dce54a5'}


def onnx_path(component):
    p = os.path.join(SUITE, component, 'model.onnx')
    if os.path.exists(p):
        return p
    out = os.path.join(C.WORK, f'{component}.onnx')
    if not os.path.exists(out):
        data = subprocess.run(['git', '-C', C.REPO, 'show', f'{ONNX_COMMIT[component]}:public/models/shapes-v1/{component}/model.onnx'],
                              check=True, capture_output=True).stdout
        with open(out, 'wb') as f:
            f.write(data)
    return out


def _gn_order(module, run):
    order = []
    hooks = [m.register_forward_hook(lambda m, i, o, n=name: order.append(n))
             for name, m in module.named_modules() if isinstance(m, torch.nn.GroupNorm)]
    with torch.no_grad():
        run()
    for h in hooks:
        h.remove()
    seen, out = set(), []
    for n in order:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


def load(module, path, run):
    """Fill module's parameters from the ONNX initializers; run() is one forward pass (for the GroupNorm order)."""
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    sd = module.state_dict()
    new = {}
    for k, v in sd.items():
        for prefix in PREFIXES:  # export wrappers (TextExport.te, VaeEncExport.enc) prefix the names
            a = inits.get(prefix + k)
            if a is not None and tuple(a.shape) == tuple(v.shape):
                new[k] = torch.from_numpy(a.copy())
                break
    folded = sorted((n for n in inits if re.fullmatch(r'onnx::(Mul|Add)_\d+', n) and inits[n].ndim == 3),
                    key=lambda n: int(n.rsplit('_', 1)[1]))
    pairs = [(folded[i], folded[i + 1]) for i in range(0, len(folded) - 1) if folded[i].startswith('onnx::Mul') and folded[i + 1].startswith('onnx::Add')]
    gns = [n for n in _gn_order(module, run) if f'{n}.weight' not in new]
    if len(gns) != len(pairs):
        raise SystemExit(f'{path}: {len(gns)} GroupNorms to fill but {len(pairs)} folded weight pairs')
    for n, (mul, add) in zip(gns, pairs):
        new[f'{n}.weight'] = torch.from_numpy(inits[mul].reshape(-1).copy())
        new[f'{n}.bias'] = torch.from_numpy(inits[add].reshape(-1).copy())
    missing = [k for k in sd if k not in new and not k.endswith(('remap', 'mask'))]
    if missing:
        raise SystemExit(f'{path}: no weights for {missing[:5]}')
    module.load_state_dict({**sd, **new})
    return module.eval()


def fixture(name):
    with open(os.path.join(FIX, name + '.json')) as f:
        fx = json.load(f)

    def t(v):
        dt = torch.int32 if v.get('dtype') == 'int32' else torch.float32
        return torch.tensor(v['data'], dtype=dt).reshape(v['dims'])
    return {k: t(v) for k, v in fx['inputs'].items()}, {k: t(v) for k, v in fx['outputs'].items()}


def _values(v):
    return [float('%.9g' % x) for x in v.reshape(-1).tolist()]


def write_unet_fixture(path, head, inputs, out):
    """A UNet fixture for the TypeScript tests: `head` (what the test runs, in order), the inputs and `out_sample`."""
    fx = {**head,
          'inputs': {k: {'dims': list(v.shape), 'dtype': 'float32', 'data': _values(v)} for k, v in inputs.items()},
          'outputs': {'out_sample': {'dims': list(out.shape), 'data': _values(out)}}}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(fx, f, separators=(',', ':'))


def save_sheet(path, rows, label_width):
    """A contact sheet: one labelled row per (name, images in [-1, 1], [n, 3, h, w])."""
    from PIL import Image, ImageDraw
    out = []
    for name, imgs in rows:
        strip = np.concatenate(list(imgs.add(1).mul(127.5).round().clamp(0, 255).byte().permute(0, 2, 3, 1).numpy()), 1)
        label = Image.new('RGB', (label_width, imgs.shape[2]), (255, 255, 255))
        ImageDraw.Draw(label).text((4, 26), name, fill=(0, 0, 0))
        out.append(np.concatenate([np.asarray(label), strip], 1))
    Image.fromarray(np.concatenate(out, 0)).save(path)


def check(name, got, want, tol=2e-4):
    err = max(float((g - w).abs().max() / (w.abs().max() + 1e-6)) for g, w in zip(got, want))
    if err > tol:
        raise SystemExit(f'{name}: rebuilt from ONNX differs from its parity fixture by {err:.2e} (relative)')
    return err


def text_encoder():
    remap, ids = C.vocab()
    te = TextEncoder(torch.from_numpy(remap), len(ids) + 1, d=C.TEXT_DIM, layers=2, heads=4, max_len=C.CTX)
    i, o = fixture('text_encoder')
    load(te, onnx_path('text_encoder'), lambda: te(i['input_ids']))
    with torch.no_grad():
        h, p = te(i['input_ids'])
    check('text_encoder', [h, p], [o['last_hidden_state'], o['pooler_output']])
    return te


def unet():
    un = UNet(C.UNET_LEVELS, ctx_dim=C.TEXT_DIM)
    i, o = fixture('unet')
    args = (i['sample'], i['timestep'], i['encoder_hidden_states'])
    load(un, onnx_path('unet'), lambda: un(*args))
    with torch.no_grad():
        check('unet', [un(*args)], [o['out_sample']])
    return un


def vae():
    enc = VAEEncoder(C.VAE_ENC_CH, factor=C.LATENT_FACTOR)
    dec = VAEDecoder(C.VAE_DEC_CH, factor=C.LATENT_FACTOR)
    i, o = fixture('vae_encoder')
    load(enc, onnx_path('vae_encoder'), lambda: enc(i['sample']))
    with torch.no_grad():
        check('vae_encoder', [enc(i['sample'])[0]], [o['latent_sample']])
    i, o = fixture('vae_decoder')
    load(dec, onnx_path('vae_decoder'), lambda: dec(i['latent_sample']))
    with torch.no_grad():
        check('vae_decoder', [dec(i['latent_sample'])], [o['sample']])
    with open(os.path.join(SUITE, 'vae_decoder', 'config.json')) as f:
        scale = json.load(f)['scaling_factor']
    return enc, dec, scale


def detector():
    det = Detector(len(world.SHAPES), len(world.COLOURS), ch=C.DET_CH)
    i, o = fixture('detector')
    load(det, onnx_path('detector'), lambda: det(i['pixel_values']))
    with torch.no_grad():
        got = det(i['pixel_values'])
    check('detector', list(got), [o['objectness'], o['boxes'], o['shape_probs'], o['colour_probs']])
    return det


if __name__ == '__main__':
    C.set_threads(2)
    text_encoder(), unet(), vae(), detector()
    print('text encoder, UNet, VAE and detector rebuilt from ONNX; each matches its parity fixture')
