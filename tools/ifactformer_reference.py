#!/usr/bin/python3
"""PyTorch reference data for the IFactFormer model (src/models/fc_ifactformer.h), from
tools/ifactformer_torch.py. Run (a python3 with torch and h5py):

    python3 tools/ifactformer_reference.py tests/data/ifactformer_reference.h5

One group per variant (m: parallel, o: chained), B = 2, grid 6 x 5 x 4, C = 12, H = 2,
Dv = 4, multiplier 1, L = 2, freq_scale 64, coordinates linspace(0, L, n) with the endpoint
over the Re_tau 180 domain (4 pi, 2, 4 pi / 3). Each group holds the configuration as
attributes, the coordinates cx, cy, cz, params/NAME (every tensor of the state dict, pe.B
included), the input x, the output y, a random dy and the gradients of L = sum(y * dy):
dx and grads/NAME (pe.B: zeros, frozen). Parameters are drawn in float32 (PyTorch's default
init, but the Q/K projections at the default Linear scale instead of gain 0.02 and the
LayerNorm affines perturbed, so that every path carries weight); forward and autograd run in
float64 on those values, results rounded to float32 once. Read by tests/test_ifactformer.c.
"""
import math
import os
import sys

import torch

from ifactformer_torch import IFactFormer
from reference_writer import Writer, backward

SEED = 20261203
B, GRID = 2, (6, 5, 4)
CFG = dict(C=12, H=2, Dv=4, mult=1, L=2, freq_scale=64.0)
DOMAIN = (4 * math.pi, 2.0, 4 * math.pi / 3)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 tools/ifactformer_reference.py tests/data/ifactformer_reference.h5")
    torch.manual_seed(SEED)
    w = Writer(sys.argv[1], "tools/ifactformer_reference.py", SEED)
    coords = [torch.linspace(0, DOMAIN[a], GRID[a], dtype=torch.float32).double() for a in range(3)]
    for variant in ("m", "o"):
        m32 = IFactFormer(variant=variant, dtype=torch.float32, **CFG)
        with torch.no_grad():
            for name, p in m32.named_parameters():
                if name.endswith("to_q.weight") or name.endswith("to_k.weight"):
                    p.uniform_(-1 / math.sqrt(p.shape[1]), 1 / math.sqrt(p.shape[1]))
                elif "norm" in name:
                    p.add_(0.2 * torch.randn(p.shape, dtype=torch.float32))
        m64 = IFactFormer(variant=variant, dtype=torch.float64, **CFG)
        m64.load_state_dict({k: v.double() for k, v in m32.state_dict().items()})
        x = torch.randn(B, *GRID, 3, dtype=torch.float32).double().requires_grad_()
        y = m64(x, *coords)
        dy = torch.randn(*y.shape, dtype=torch.float32).double()
        params = dict(m64.named_parameters())
        g = backward(y, dy, x, *params.values())
        arrays = {"cx": coords[0], "cy": coords[1], "cz": coords[2], "x": x, "y": y, "dy": dy, "dx": g[0]}
        for k, v in m64.state_dict().items():
            arrays["params/" + k] = v
        for k, v in zip(params.keys(), g[1:]):
            arrays["grads/" + k] = v
        arrays["grads/pe.B"] = torch.zeros_like(m64.pe.B)
        w.group(variant, "ifactformer", arrays, variant=variant, B=B, dims=list(GRID), C=CFG["C"], H=CFG["H"],
                Dv=CFG["Dv"], mult=CFG["mult"], L=CFG["L"], lift_width=m64.lift_width,
                freq_scale=CFG["freq_scale"])
        print("  %s: %d parameters, max|y| %.3g" % (variant, sum(p.numel() for p in params.values()),
                                                   float(y.abs().max())))
    w.close()
    print("%s: %d bytes" % (sys.argv[1], os.path.getsize(sys.argv[1])))


if __name__ == "__main__":
    main()
