#!/usr/bin/python3
"""PyTorch reference data for IFactFormer's pointwise pieces (src/operators/rope.c, gated.c).

Run (Debian's python3, which has torch and h5py):

    /usr/bin/python3 tools/ifact_pointwise_reference.py tests/data/ifact_pointwise_reference.h5

Each piece is written here from its definition with PyTorch, independently of flowcast's C:

  rope:          x cos(a) + rotate_half(x) sin(a), rotate_half(x) = cat(-x2, x1), the angles
                 a = pos * freq (freq_j = freq_scale 10000^(-j/half), j < half) repeated for
                 both halves (the FactFormer / GPT-NeoX form); inputs x, pos; gradient dx.
  gated_gelu:    F.gelu(g1, approximate='none') * g2 with g1, g2 = g.chunk(2, dim=-1).
  grouped_lift:  torch.nn.Conv1d(Cin, Cin*G, 1, groups=Cin) on x [M][Cin] seen as a batch of
                 one with M points (x.T[None]); flowcast's w[c][g] and b[c][g] are the conv's
                 weight[c*G + g, 0, 0] and bias[c*G + g] (the same flat order).

For each case one group holds the inputs, parameters, y, a fixed upstream gradient dy and
the autograd gradients of L = sum(y * dy), as float32 datasets, with the sizes as attributes
(layer, M, Dk, C, Cin, G, bias, freq_scale). Inputs are drawn in float32 (fixed seed), the
computation runs in float64 on those values and results are rounded to float32 once. The
file is read by tests/test_ifact_pointwise.c.
"""
import math
import sys

import torch

from reference_writer import Writer, backward
import torch.nn.functional as F

SEED = 20261127
torch.set_default_dtype(torch.float64)


def randn(*shape, scale=1.0):
    """float32 normal draws, returned as float64 (exactly the float32 values)."""
    return (torch.randn(*shape, dtype=torch.float32) * scale).double()


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rope_cases(w):
    # (name, M, Dk, freq_scale, positions)
    cases = [
        ("rope_small", 6, 8, 1.0, lambda M: randn(M, scale=3.0)),
        # a wall-normal axis at the spec's scale 64: coordinates linspace(0, 2) -> angles to 128 rad
        ("rope_scale64", 9, 12, 64.0, lambda M: torch.linspace(0, 2, M).float().double()),
        ("rope_heads", 10, 16, 64.0, lambda M: torch.rand(M, dtype=torch.float32).double() * 4 * math.pi),
    ]
    for name, M, Dk, scale, posfn in cases:
        half = Dk // 2
        pos = posfn(M).float().double()  # the float32 positions flowcast is given
        x = randn(M, Dk).requires_grad_()
        freq = scale * torch.pow(torch.tensor(10000.0), -torch.arange(half, dtype=torch.float64) / half)
        ang = pos[:, None] * freq[None, :]
        ang = torch.cat((ang, ang), dim=-1)
        y = x * torch.cos(ang) + rotate_half(x) * torch.sin(ang)
        dy = randn(M, Dk)
        (dx,) = backward(y, dy, x)
        w.group(name, "rope", {"x": x, "pos": pos, "y": y, "dy": dy, "dx": dx}, M=M, Dk=Dk, freq_scale=scale)


def gated_gelu_cases(w):
    for name, M, C in [("gated_gelu_small", 5, 3), ("gated_gelu", 17, 8)]:
        g = randn(M, 2 * C, scale=2.0).requires_grad_()
        g1, g2 = g.chunk(2, dim=-1)
        y = F.gelu(g1, approximate="none") * g2
        dy = randn(M, C)
        (dg,) = backward(y, dy, g)
        w.group(name, "gated_gelu", {"g": g, "y": y, "dy": dy, "dg": dg}, M=M, C=C)


def grouped_lift_cases(w):
    for name, M, Cin, G, bias in [("grouped_lift", 11, 3, 4, True), ("grouped_lift_nobias", 7, 2, 5, False),
                                  ("grouped_lift_wide", 20, 3, 16, True)]:
        conv = torch.nn.Conv1d(Cin, Cin * G, 1, groups=Cin, bias=bias, dtype=torch.float64)
        with torch.no_grad():
            conv.weight.copy_(randn(Cin * G, 1, 1))
            if bias:
                conv.bias.copy_(randn(Cin * G, scale=0.5))
        x = randn(M, Cin).requires_grad_()
        y = conv(x.t()[None])[0].t()  # [M][Cin*G]
        dy = randn(M, Cin * G)
        leaves = (x, conv.weight) + ((conv.bias,) if bias else ())
        grads = backward(y, dy, *leaves)
        arrays = {"x": x, "w": conv.weight.reshape(Cin, G), "y": y, "dy": dy, "dx": grads[0],
                  "dw": grads[1].reshape(Cin, G)}
        if bias:
            arrays.update(b=conv.bias.reshape(Cin, G), db=grads[2].reshape(Cin, G))
        # the layout claim: y[m][c*G + g] = x[m][c] w[c][g] + b[c][g]
        direct = (x[:, :, None] * arrays["w"][None]).reshape(M, Cin * G)
        if bias:
            direct = direct + arrays["b"].reshape(1, Cin * G)
        assert (direct - y).abs().max().item() < 1e-12
        w.group(name, "grouped_lift", arrays, M=M, Cin=Cin, G=G, bias=int(bias))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 tools/ifact_pointwise_reference.py tests/data/ifact_pointwise_reference.h5")
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    w = Writer(sys.argv[1], "tools/ifact_pointwise_reference.py", SEED)
    rope_cases(w)
    gated_gelu_cases(w)
    grouped_lift_cases(w)
    n = w.count
    w.close()
    print("%s: %d groups" % (sys.argv[1], n))


if __name__ == "__main__":
    main()
