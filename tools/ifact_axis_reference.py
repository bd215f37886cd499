#!/usr/bin/python3
"""PyTorch reference data for IFactFormer's axis kernels and contractions
(src/operators/axis_attention.c, declared in src/operators/fc_nn.h).

Run (Debian's python3, which has torch and h5py):

    /usr/bin/python3 tools/ifact_axis_reference.py tests/data/ifact_axis_reference.h5

Written with torch.einsum from the formulas, independently of flowcast's C code:

    kernel:    K[b,h,i,j] = sum_d q[b,i,h,d] k[b,j,h,d]           q, k [B][N][H][Dk]
    contract:  out = Ka applied along axis a of V [B][X][Y][Z][H][Dv], Ka [B][H][Na][Na]
               (x: 'bhij,bjyzhd->biyzhd', y: 'bhij,bxjzhd->bxizhd', z: 'bhij,bxyjhd->bxyihd')
    chained:   Kx, Ky, Kz from per-axis (q, k), out = Kz(Ky(Kx V))  (IFactFormer-o)

Each group holds the inputs, the output, a fixed upstream gradient (dK or dout) and the
autograd gradients of L = sum(out * dout), as float32 datasets, and the sizes as
attributes (B, N, H, Dk, Dv, dims, axis). Inputs are drawn in float32 (torch.manual_seed,
fixed), the forward and autograd run in float64 on those values and the results are
rounded to float32 once. Read by tests/test_ifact_axis.c.
"""
import sys
import time

import torch

from reference_writer import Writer, backward

SEED = 20261127
torch.set_default_dtype(torch.float64)

CONTRACT = {0: "bhij,bjyzhd->biyzhd", 1: "bhij,bxjzhd->bxizhd", 2: "bhij,bxyjhd->bxyihd"}


def randn(*shape, scale=1.0):
    """float32 normal draws, returned as float64 (exactly the float32 values)."""
    return (torch.randn(*shape, dtype=torch.float32) * scale).double()


def kernel(q, k):
    return torch.einsum("bihd,bjhd->bhij", q, k)


def kernel_cases(w):
    for name, B, N, H, Dk in [("kernel", 2, 5, 2, 6), ("kernel_b", 1, 7, 3, 4)]:
        q = randn(B, N, H, Dk).requires_grad_()
        k = randn(B, N, H, Dk).requires_grad_()
        K = kernel(q, k)
        dK = randn(B, H, N, N)
        dq, dk = backward(K, dK, q, k)
        w.group(name, "kernel", {"q": q, "k": k, "K": K, "dK": dK, "dq": dq, "dk": dk}, B=B, N=N, H=H, Dk=Dk)


def contract_cases(w):
    for tag, B, dims, H, Dv in [("", 2, (5, 4, 3), 2, 3), ("_b", 1, (3, 6, 4), 3, 2)]:
        for axis in range(3):
            Na = dims[axis]
            V = randn(B, *dims, H, Dv).requires_grad_()
            Ka = randn(B, H, Na, Na, scale=0.5).requires_grad_()
            out = torch.einsum(CONTRACT[axis], Ka, V)
            dout = randn(*out.shape)
            dV, dKa = backward(out, dout, V, Ka)
            w.group("contract_%s%s" % ("xyz"[axis], tag), "contract",
                    {"V": V, "Ka": Ka, "out": out, "dout": dout, "dV": dV, "dKa": dKa},
                    B=B, dims=list(dims), H=H, Dv=Dv, axis=axis)


def chained_cases(w):
    B, dims, H, Dk, Dv = 2, (5, 4, 3), 2, 6, 3
    qk = []
    for a in range(3):
        qk.append(randn(B, dims[a], H, Dk, scale=0.5).requires_grad_())
        qk.append(randn(B, dims[a], H, Dk, scale=0.5).requires_grad_())
    V = randn(B, *dims, H, Dv).requires_grad_()
    Ks = [kernel(qk[2 * a], qk[2 * a + 1]) for a in range(3)]
    out = V
    for a in range(3):
        out = torch.einsum(CONTRACT[a], Ks[a], out)
    dout = randn(*out.shape)
    g = backward(out, dout, V, *qk)
    arrays = {"V": V, "out": out, "dout": dout, "dV": g[0]}
    for a in range(3):
        c = "xyz"[a]
        arrays.update({"q" + c: qk[2 * a], "k" + c: qk[2 * a + 1], "K" + c: Ks[a],
                       "dq" + c: g[1 + 2 * a], "dk" + c: g[2 + 2 * a]})
    w.group("chained", "chained", arrays, B=B, dims=list(dims), H=H, Dk=Dk, Dv=Dv)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 tools/ifact_axis_reference.py tests/data/ifact_axis_reference.h5")
    t0 = time.time()
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    w = Writer(sys.argv[1], "tools/ifact_axis_reference.py", SEED)
    kernel_cases(w)
    contract_cases(w)
    chained_cases(w)
    n = w.count
    w.close()
    print("%s: %d groups in %.2f s" % (sys.argv[1], n, time.time() - t0))


if __name__ == "__main__":
    main()
