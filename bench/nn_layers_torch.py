#!/usr/bin/python3
"""PyTorch side of bench/nn_layers: the same layers, shapes and thread count as
nn_layers_flowcast.c, forward + backward (autograd), median of the repetitions after
warm-up. Prints `torch_NAME_ms = X` lines. Threads: torch.set_num_threads(argv[2])."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_util import median_ms  # noqa: E402

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 11
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
torch.manual_seed(0)


def bench_linear():
    lin = torch.nn.Linear(20, 128)
    x = torch.randn(20 * 64 * 64, 20, requires_grad=True)
    dy = torch.randn(20 * 64 * 64, 128)

    def step():
        lin.zero_grad(set_to_none=False)
        x.grad = None
        lin(x).backward(dy)
    return median_ms(step, reps)


def bench_layernorm():
    ln = torch.nn.LayerNorm(96)
    x = torch.randn(4 * 32 * 33 * 16, 96, requires_grad=True)
    dy = torch.randn(4 * 32 * 33 * 16, 96)

    def step():
        ln.zero_grad(set_to_none=False)
        x.grad = None
        ln(x).backward(dy)
    return median_ms(step, reps)


def bench_spectral(shape, modes, width, batch):
    """The FNO spectral convolution (channels-first, as PyTorch FNO codes write it)."""
    nd = len(shape)
    dims = tuple(range(-nd, 0))
    blocks = 2 ** (nd - 1)
    w = torch.randn(blocks, width, width, *modes, dtype=torch.cfloat, requires_grad=True)
    x = torch.randn(batch, width, *shape, requires_grad=True)
    dy = torch.randn(batch, width, *shape)
    letters = "xyz"[:nd]
    eq = f"bi{letters},io{letters}->bo{letters}"

    def slices(block):
        s = [slice(None), slice(None)]
        for a in range(nd - 1):
            s.append(slice(0, modes[a]) if not (block >> a) & 1 else slice(shape[a] - modes[a], shape[a]))
        s.append(slice(0, modes[-1]))
        return tuple(s)

    def step():
        w.grad = None
        x.grad = None
        xh = torch.fft.rfftn(x, dim=dims)
        out = torch.zeros(batch, width, *shape[:-1], shape[-1] // 2 + 1, dtype=torch.cfloat)
        for b in range(blocks):
            s = slices(b)
            out[s] = torch.einsum(eq, xh[s], w[b])
        y = torch.fft.irfftn(out, s=shape, dim=dims)
        y.backward(dy)
    return median_ms(step, reps)


print(f"torch_linear_ms = {bench_linear():.4f}")
print(f"torch_layernorm_ms = {bench_layernorm():.4f}")
print(f"torch_spectral2d_ms = {bench_spectral((64, 64), (12, 12), 20, 20):.4f}")
print(f"torch_spectral3d_ms = {bench_spectral((32, 33, 16), (8, 8, 8), 32, 4):.4f}")
