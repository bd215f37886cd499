#!/usr/bin/python3
"""PyTorch IFactFormer (variants m = parallel, o = chained) matching flowcast's
src/models/fc_ifactformer.h; written from shared/specs/ifactformer.md.

    model = IFactFormer(C=8, H=2, Dv=4, mult=1, L=2, variant="m", freq_scale=64.0)
    y = model(x, cx, cy, cz)   # x [B, X, Y, Z, 3] (normalised), coordinates [X], [Y], [Z]
                               # -> y [B, X, Y, Z, 3] (to be de-normalised by the caller)

Channels last. Heads are the slow index of the H*D channels ('(h d)').
State-dict names (flowcast uses the same names and shapes):
    lift.weight [W, 1, 1], lift.bias [W]         grouped 1x1 Conv1d(3, W, groups=3): each component
                                                 -> W/3 channels; W = lift_width, default C/2 (the
                                                 reference code's Conv1d(3, C/2, groups=3))
    lift_out.weight [C, W]                       Linear(W -> C, no bias) after GELU
    pe.B [3, C/2] (buffer, frozen), pe.linear.weight [C, C], pe.linear.bias [C]
    block.norm.weight/bias [C]                   LayerNorm
    block.to_v.weight [H Dv, C], block.to_in.weight [C, C]
    block.{x,y,z}.pool.weight [C, C]             Wp_a (then mean over the two other axes)
    block.{x,y,z}.norm.weight/bias [C]           LayerNorm of the pooled sequence
    block.{x,y,z}.gate.weight [2C, C], .gate.bias [2C]; block.{x,y,z}.mlp_out.weight [C, C], .mlp_out.bias [C]
    block.{x,y,z}.to_q.weight, .to_k.weight [H Dk, C]   (no bias)
    block.to_out1.weight [C, nV] (nV = 3 H Dv for m, H Dv for o), block.to_out2.weight [C, C]
    proj1.weight [G, C], proj2.weight [3, G], proj2.bias [3]
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CONTRACT = {0: "bhij,bjyzhd->biyzhd", 1: "bhij,bxjzhd->bxizhd", 2: "bhij,bxyjhd->bxyihd"}


def rope(x, pos, freq_scale):
    """x [B, N, H, Dk], pos [N]: x cos a + rotate_half(x) sin a, a = pos freq_scale 10000^(-j/half)."""
    Dk = x.shape[-1]
    half = Dk // 2
    freq = freq_scale * torch.pow(torch.tensor(10000.0, dtype=x.dtype), -torch.arange(half, dtype=x.dtype) / half)
    ang = pos[:, None].to(x.dtype) * freq[None, :]
    ang = torch.cat((ang, ang), dim=-1)[None, :, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    rot = torch.cat((-x2, x1), dim=-1)
    return x * torch.cos(ang) + rot * torch.sin(ang)


class AxisBranch(nn.Module):
    def __init__(self, C, H, Dk, dtype):
        super().__init__()
        self.pool = nn.Linear(C, C, bias=False, dtype=dtype)
        self.norm = nn.LayerNorm(C, dtype=dtype)
        self.gate = nn.Linear(C, 2 * C, dtype=dtype)
        self.mlp_out = nn.Linear(C, C, dtype=dtype)
        self.to_q = nn.Linear(C, H * Dk, bias=False, dtype=dtype)
        self.to_k = nn.Linear(C, H * Dk, bias=False, dtype=dtype)
        self.H, self.Dk = H, Dk
        nn.init.xavier_uniform_(self.to_q.weight, gain=0.02)
        nn.init.xavier_uniform_(self.to_k.weight, gain=0.02)

    def forward(self, t, axis, pos, freq_scale):
        other = tuple(1 + a for a in range(3) if a != axis)
        s = self.pool(t).mean(dim=other)  # [B, Na, C]
        g1, g2 = self.gate(self.norm(s)).chunk(2, dim=-1)
        s = self.mlp_out(F.gelu(g1) * g2)
        B, N = s.shape[0], s.shape[1]
        q = rope(self.to_q(s).reshape(B, N, self.H, self.Dk), pos, freq_scale)
        k = rope(self.to_k(s).reshape(B, N, self.H, self.Dk), pos, freq_scale)
        return torch.einsum("bihd,bjhd->bhij", q, k)


class FABlock(nn.Module):
    def __init__(self, C, H, Dv, Dk, variant, dtype):
        super().__init__()
        self.H, self.Dv, self.variant = H, Dv, variant
        self.norm = nn.LayerNorm(C, dtype=dtype)
        self.to_v = nn.Linear(C, H * Dv, bias=False, dtype=dtype)
        self.to_in = nn.Linear(C, C, bias=False, dtype=dtype)
        self.x = AxisBranch(C, H, Dk, dtype)
        self.y = AxisBranch(C, H, Dk, dtype)
        self.z = AxisBranch(C, H, Dk, dtype)
        nv = (3 if variant == "m" else 1) * H * Dv
        self.to_out1 = nn.Linear(nv, C, bias=False, dtype=dtype)
        self.to_out2 = nn.Linear(C, C, bias=False, dtype=dtype)

    def forward(self, h, coords, freq_scale):
        n = self.norm(h)
        B, X, Y, Z, _ = h.shape
        V = self.to_v(n).reshape(B, X, Y, Z, self.H, self.Dv)
        t = self.to_in(n)
        Ks = [br(t, a, coords[a], freq_scale) for a, br in enumerate((self.x, self.y, self.z))]
        if self.variant == "m":
            outs = [torch.einsum(CONTRACT[a], Ks[a], V).reshape(B, X, Y, Z, -1) for a in range(3)]
            u = torch.cat(outs, dim=-1)
        else:
            u = V
            for a in range(3):
                u = torch.einsum(CONTRACT[a], Ks[a], u)
            u = u.reshape(B, X, Y, Z, -1)
        mean = u.mean(dim=(1, 2, 3), keepdim=True)
        var = u.var(dim=(1, 2, 3), keepdim=True, unbiased=False)
        u = (u - mean) / torch.sqrt(var + 1e-5)
        return self.to_out2(F.gelu(self.to_out1(u)))


class IFactFormer(nn.Module):
    def __init__(self, C=12, H=2, Dv=4, mult=1, L=2, variant="m", freq_scale=64.0, lift_width=None,
                 dtype=torch.float32):
        super().__init__()
        lift_width = C // 2 if lift_width is None else lift_width
        if lift_width % 3:
            raise ValueError("the grouped lifting width (%d) must be a multiple of 3" % lift_width)
        self.lift_width = lift_width
        if variant not in ("m", "o"):
            raise ValueError("variant must be 'm' or 'o'")
        if C % 2:
            raise ValueError("C must be even")
        G = C // 2
        self.C, self.H, self.Dv, self.Dk, self.L = C, H, Dv, mult * Dv, L
        self.variant, self.freq_scale = variant, float(freq_scale)
        self.lift = nn.Conv1d(3, lift_width, 1, groups=3, dtype=dtype)
        self.lift_out = nn.Linear(lift_width, C, bias=False, dtype=dtype)
        self.pe = nn.Module()
        self.pe.register_buffer("B", 8.0 * torch.randn(3, G, dtype=dtype))
        self.pe.linear = nn.Linear(C, C, dtype=dtype)
        self.block = FABlock(C, H, Dv, self.Dk, variant, dtype)
        self.proj1 = nn.Linear(C, G, bias=False, dtype=dtype)
        self.proj2 = nn.Linear(G, 3, dtype=dtype)

    def forward(self, x, cx, cy, cz):
        B, X, Y, Z, _ = x.shape
        a = self.lift(x.reshape(-1, 3, 1)).reshape(B, X, Y, Z, self.lift_width)
        lifted = self.lift_out(F.gelu(a))
        p = torch.stack(torch.meshgrid(cx, cy, cz, indexing="ij"), dim=-1).to(x.dtype)  # [X, Y, Z, 3]
        arg = 2 * math.pi * p @ self.pe.B
        f = torch.cat((torch.sin(arg), torch.cos(arg)), dim=-1)
        h = lifted + self.pe.linear(f)
        coords = (cx.to(x.dtype), cy.to(x.dtype), cz.to(x.dtype))
        for _ in range(self.L):
            h = h + self.block(h, coords, self.freq_scale) / self.L
        return self.proj2(F.gelu(self.proj1(h)))
