"""All Weft shapes-v1 networks. Linear layers are 1x1 convs and attention is broadcast-multiply + sum,
because this torch build's matmul is very slow (and both export to plain ONNX Conv/Mul/ReduceSum)."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 49408


class LN1d(nn.Module):
    """LayerNorm over channels of a [B, C, L] tensor."""
    def __init__(self, c, eps=1e-5):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, c, 1))
        self.b = nn.Parameter(torch.zeros(1, c, 1))
        self.eps = eps

    def forward(self, x):
        m = x.mean(1, keepdim=True)
        v = ((x - m) ** 2).mean(1, keepdim=True)
        return (x - m) / torch.sqrt(v + self.eps) * self.w + self.b


def attention(q, k, v, heads, mask=None):
    """q [B,C,Lq], k,v [B,C,Lk] -> [B,C,Lq]; broadcast multiplies, no matmul."""
    B, C, Lq = q.shape
    Lk = k.shape[2]
    dh = C // heads
    q = q.reshape(-1, heads, dh, Lq, 1)
    k = k.reshape(-1, heads, dh, 1, Lk)
    v = v.reshape(-1, heads, dh, 1, Lk)
    s = (q * k).sum(2) * (1.0 / math.sqrt(dh))  # [B,h,Lq,Lk]
    if mask is not None:
        s = s + mask
    a = torch.softmax(s, dim=-1)
    o = (a.unsqueeze(2) * v).sum(-1)  # [B,h,dh,Lq]
    return o.reshape(-1, C, Lq)


class MHA(nn.Module):
    def __init__(self, c, heads, ctx_dim=None):
        super().__init__()
        self.h = heads
        self.q = nn.Conv1d(c, c, 1)
        self.k = nn.Conv1d(ctx_dim or c, c, 1)
        self.v = nn.Conv1d(ctx_dim or c, c, 1)
        self.o = nn.Conv1d(c, c, 1)

    def forward(self, x, ctx=None, mask=None):
        ctx = x if ctx is None else ctx
        return self.o(attention(self.q(x), self.k(ctx), self.v(ctx), self.h, mask))


class TextBlock(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1 = LN1d(d)
        self.attn = MHA(d, heads)
        self.ln2 = LN1d(d)
        self.fc1 = nn.Conv1d(d, 4 * d, 1)
        self.fc2 = nn.Conv1d(4 * d, d, 1)

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask=mask)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TextEncoder(nn.Module):
    """CLIP-like causal text transformer over a compact caption vocabulary.
    input_ids int32 [B,L] (real CLIP ids) -> last_hidden_state [B,L,d], pooler_output [B,d]."""
    def __init__(self, remap, n_compact, d=128, layers=2, heads=4, max_len=24):
        super().__init__()
        self.register_buffer('remap', remap.int())  # [49408] CLIP id -> compact id (0 = unknown)
        self.emb = nn.Embedding(n_compact, d)
        self.pos = nn.Parameter(torch.randn(1, d, max_len) * 0.02)
        self.blocks = nn.ModuleList([TextBlock(d, heads) for _ in range(layers)])
        self.ln_f = LN1d(d)
        mask = torch.triu(torch.full((max_len, max_len), -1e4), diagonal=1)
        self.register_buffer('mask', mask)
        self.d = d

    def forward(self, input_ids):
        ids = input_ids.long()
        L = ids.shape[1]
        x = self.emb(self.remap[ids].long()).transpose(1, 2) + self.pos[:, :, :L]  # [B,d,L]
        mask = self.mask[:L, :L]
        for b in self.blocks:
            x = b(x, mask)
        x = self.ln_f(x)
        hidden = x.transpose(1, 2)  # [B,L,d]
        eos = ids.argmax(dim=1)  # first eos (49407 is the largest id)
        pooled = torch.gather(hidden, 1, eos.reshape(-1, 1, 1).expand(-1, 1, self.d)).squeeze(1)
        return hidden, pooled


# ---------------------------------------------------------------- conv building blocks
def gn(c):
    return nn.GroupNorm(8 if c % 8 == 0 else 1, c)


class Res(nn.Module):
    def __init__(self, cin, cout, temb=None):
        super().__init__()
        self.n1 = gn(cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.n2 = gn(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.t = nn.Conv1d(temb, cout, 1) if temb else None
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, t=None):
        h = self.c1(F.silu(self.n1(x)))
        if self.t is not None:
            h = h + self.t(F.silu(t)).unsqueeze(-1)
        h = self.c2(F.silu(self.n2(h)))
        return h + (x if self.skip is None else self.skip(x))


# ---------------------------------------------------------------- VAE
class VAEEncoder(nn.Module):
    """64x64x3 -> (mean, logvar) of 16x16x4 (factor 4). Strided stem: no full-resolution res blocks."""
    def __init__(self, ch=(32, 64), z=4, factor=4):
        super().__init__()
        c0, c1 = ch
        layers = [nn.Conv2d(3, c0, 4, stride=2, padding=1), Res(c0, c0),
                  nn.Conv2d(c0, c1, 3, stride=2, padding=1), Res(c1, c1)]
        if factor == 8:
            layers += [nn.Conv2d(c1, c1, 3, stride=2, padding=1), Res(c1, c1)]
        self.body = nn.Sequential(*layers)
        self.out = nn.Sequential(gn(c1), nn.SiLU(), nn.Conv2d(c1, 2 * z, 3, padding=1))
        with torch.no_grad():
            self.out[-1].bias[z:] = -6.0  # log-variance starts low
        self.z = z

    def forward(self, x):
        h = self.out(self.body(x))
        mean, logvar = h[:, :self.z], h[:, self.z:]
        return mean, torch.clamp(logvar, -12.0, -2.0)


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.c = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x):
        return self.c(F.interpolate(x, scale_factor=2.0, mode='nearest'))


class VAEDecoder(nn.Module):
    """16x16x4 -> 64x64x3. The last 2x upsampling is a depth-to-space (pixel shuffle) of a 32x32 conv."""
    def __init__(self, ch=(16, 48, 80), z=4, factor=4):
        super().__init__()
        c0, c1, c2 = ch
        layers = [nn.Conv2d(z, c2, 3, padding=1), Res(c2, c2)]
        if factor == 8:
            layers += [Up(c2, c2), Res(c2, c2)]
        layers += [Up(c2, c1), Res(c1, c1), Res(c1, c1), nn.Conv2d(c1, 4 * c0, 3, padding=1), nn.PixelShuffle(2),
                   gn(c0), nn.SiLU(), nn.Conv2d(c0, c0, 3, padding=1), nn.SiLU(), nn.Conv2d(c0, 3, 3, padding=1)]
        self.body = nn.Sequential(*layers)

    def forward(self, z):
        return self.body(z)


# ---------------------------------------------------------------- UNet
def timestep_embedding(t, dim=64):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t.float().reshape(-1, 1) * freqs.reshape(1, -1)
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1)  # [B,dim]


class AttnBlock(nn.Module):
    def __init__(self, c, ctx_dim, heads=4, self_attn=True):
        super().__init__()
        self.norm = gn(c)
        self.pin = nn.Conv1d(c, c, 1)
        self.self_attn = self_attn
        if self_attn:
            self.ln1 = LN1d(c)
            self.sa = MHA(c, heads)
        self.ln2 = LN1d(c)
        self.ca = MHA(c, heads, ctx_dim)
        self.ln3 = LN1d(c)
        self.ff1 = nn.Conv1d(c, 2 * c, 1)
        self.ff2 = nn.Conv1d(2 * c, c, 1)
        self.pout = nn.Conv1d(c, c, 1)
        nn.init.zeros_(self.pout.weight)
        nn.init.zeros_(self.pout.bias)

    def forward(self, x, ctx):
        B, C, H, W = x.shape
        h = self.pin(self.norm(x).reshape(-1, C, H * W))
        if self.self_attn:
            h = h + self.sa(self.ln1(h))
        h = h + self.ca(self.ln2(h), ctx)
        h = h + self.ff2(F.gelu(self.ff1(self.ln3(h))))
        return x + self.pout(h).reshape(-1, C, H, W)


class UNet(nn.Module):
    """eps-prediction UNet. sample [B,4,h,w], timestep [B] float, encoder_hidden_states [B,L,d].
    levels: (channels, attention) per resolution; attention 0 = none, 1 = cross, 2 = self + cross."""
    def __init__(self, levels=((32, 0), (96, 1), (192, 2)), ctx_dim=128, temb=256, heads=4):
        super().__init__()
        self.temb = nn.Sequential(nn.Conv1d(64, temb, 1), nn.SiLU(), nn.Conv1d(temb, temb, 1))
        chs = [c for c, _ in levels]
        self.cin = nn.Conv2d(4, chs[0], 3, padding=1)
        self.dres, self.dattn, self.downs = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        prev = chs[0]
        for i, (c, a) in enumerate(levels):
            self.dres.append(Res(prev, c, temb))
            self.dattn.append(AttnBlock(c, ctx_dim, heads, a == 2) if a else nn.Identity())
            if i < len(levels) - 1:
                self.downs.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
            prev = c
        cm = chs[-1]
        self.m1, self.ma = Res(cm, cm, temb), AttnBlock(cm, ctx_dim, heads, True)
        self.ures, self.uattn, self.ups = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        prev = cm
        for i in reversed(range(len(levels))):
            c, a = levels[i]
            self.ures.append(Res(prev + c, c, temb))
            self.uattn.append(AttnBlock(c, ctx_dim, heads, a == 2) if a else nn.Identity())
            if i > 0:
                self.ups.append(Up(c, chs[i - 1]))
                prev = chs[i - 1]
        self.attn_flags = [a for _, a in levels]
        self.out = nn.Sequential(gn(chs[0]), nn.SiLU(), nn.Conv2d(chs[0], 4, 3, padding=1))
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)

    def forward(self, sample, timestep, encoder_hidden_states):
        t = self.temb(timestep_embedding(timestep).unsqueeze(-1))  # [B,temb,1]
        ctx = encoder_hidden_states.transpose(1, 2)  # [B,d,L]
        n = len(self.dres)
        h = self.cin(sample)
        skips = []
        for i in range(n):
            h = self.dres[i](h, t)
            if self.attn_flags[i]:
                h = self.dattn[i](h, ctx)
            skips.append(h)
            if i < n - 1:
                h = self.downs[i](h)
        h = self.ma(self.m1(h, t), ctx)
        for j in range(n):
            i = n - 1 - j
            h = self.ures[j](torch.cat([h, skips[i]], 1), t)
            if self.attn_flags[i]:
                h = self.uattn[j](h, ctx)
            if i > 0:
                h = self.ups[j](h)
        return self.out(h)


# ---------------------------------------------------------------- detector
class Detector(nn.Module):
    """Grid detector, G=8 cells of 8x8 px. Outputs decoded probabilities and boxes."""
    def __init__(self, n_shapes=6, n_colours=9, ch=(32, 64, 96, 128)):
        super().__init__()
        c0, c1, c2, c3 = ch
        self.body = nn.Sequential(
            nn.Conv2d(3, c0, 3, padding=1), nn.SiLU(),
            nn.Conv2d(c0, c1, 3, stride=2, padding=1), gn(c1), nn.SiLU(),   # 32
            nn.Conv2d(c1, c1, 3, padding=1), gn(c1), nn.SiLU(),
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), gn(c2), nn.SiLU(),   # 16
            nn.Conv2d(c2, c2, 3, padding=1), gn(c2), nn.SiLU(),
            nn.Conv2d(c2, c3, 3, stride=2, padding=1), gn(c3), nn.SiLU(),   # 8
            nn.Conv2d(c3, c3, 3, padding=1), gn(c3), nn.SiLU(),
            nn.Conv2d(c3, c3, 3, padding=2, dilation=2), gn(c3), nn.SiLU(),
            nn.Conv2d(c3, c3, 3, padding=1), gn(c3), nn.SiLU())
        self.head = nn.Conv2d(c3, 1 + 4 + n_shapes + n_colours, 1)
        self.ns, self.nc = n_shapes, n_colours
        self.G = 8

    def raw(self, x):
        return self.head(self.body(x))  # [B,20,G,G]

    def decode(self, r):
        G = self.G
        obj = torch.sigmoid(r[:, 0])
        gx = torch.arange(G, dtype=torch.float32).reshape(1, 1, G)
        gy = torch.arange(G, dtype=torch.float32).reshape(1, G, 1)
        cx = (gx + torch.sigmoid(r[:, 1])) / G
        cy = (gy + torch.sigmoid(r[:, 2])) / G
        w = torch.sigmoid(r[:, 3])
        h = torch.sigmoid(r[:, 4])
        boxes = torch.stack([torch.clamp(cx - w / 2, 0.0, 1.0), torch.clamp(cy - h / 2, 0.0, 1.0),
                             torch.clamp(cx + w / 2, 0.0, 1.0), torch.clamp(cy + h / 2, 0.0, 1.0)], dim=-1)
        sp = torch.softmax(r[:, 5:5 + self.ns], dim=1).permute(0, 2, 3, 1)
        cp = torch.softmax(r[:, 5 + self.ns:], dim=1).permute(0, 2, 3, 1)
        return obj, boxes, sp, cp

    def forward(self, pixel_values):
        return self.decode(self.raw(pixel_values))


# ---------------------------------------------------------------- reward (CLIP-style dual encoder)
class ImageTower(nn.Module):
    def __init__(self, d=96, ch=(32, 48, 64, 80)):
        super().__init__()
        c0, c1, c2, c3 = ch
        self.body = nn.Sequential(
            nn.Conv2d(3, c0, 3, stride=2, padding=1), nn.SiLU(),                  # 32
            nn.Conv2d(c0, c1, 3, padding=1), gn(c1), nn.SiLU(),
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), gn(c2), nn.SiLU(),       # 16
            nn.Conv2d(c2, c2, 3, padding=1), gn(c2), nn.SiLU(),
            nn.Conv2d(c2, c3, 3, stride=2, padding=1), gn(c3), nn.SiLU(),       # 8
            nn.Conv2d(c3, c3, 3, padding=1), gn(c3), nn.SiLU(),
            nn.Conv2d(c3, c3, 3, stride=2, padding=1), gn(c3), nn.SiLU())      # 4
        self.proj = nn.Sequential(nn.Conv2d(c3, 2 * d, 4), nn.SiLU(), nn.Conv2d(2 * d, d, 1))  # 4x4 map -> vector, keeps layout

    def forward(self, x):
        return self.proj(self.body(x)).flatten(1)


class Reward(nn.Module):
    def __init__(self, remap, n_compact, d=96, max_len=24):
        super().__init__()
        self.img = ImageTower(d)
        self.txt = TextEncoder(remap, n_compact, d=64, layers=2, heads=4, max_len=max_len)
        self.tproj = nn.Conv1d(64, d, 1)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(10.0)))

    def embed_image(self, x):
        e = self.img(x)
        return e / torch.sqrt((e * e).sum(1, keepdim=True) + 1e-8)

    def embed_text(self, ids):
        _, p = self.txt(ids)
        e = self.tproj(p.unsqueeze(-1)).squeeze(-1)
        return e / torch.sqrt((e * e).sum(1, keepdim=True) + 1e-8)

    def scale(self):
        return torch.exp(torch.clamp(self.logit_scale, max=math.log(100.0)))

    def forward(self, pixel_values, input_ids):
        ie = self.embed_image(pixel_values)
        te = self.embed_text(input_ids)
        score = (ie * te).sum(1) * self.scale()
        return score, ie, te


def n_params(m):
    return sum(p.numel() for p in m.parameters())
