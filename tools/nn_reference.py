#!/usr/bin/python3
"""PyTorch reference data for flowcast's neural-network layers (src/operators/fc_nn.h).

Run (Debian's python3, which has torch and h5py):

    /usr/bin/python3 tools/nn_reference.py tests/data/nn_reference.h5

Each layer is built here from its mathematical definition with PyTorch (torch.nn.Linear,
F.gelu(approximate='none'), relu, silu, sin, nn.LayerNorm, F.instance_norm, a per-channel
affine, a mean over chosen axes, Gaussian Fourier features, and the spectral convolution
written with torch.fft.rfftn / irfftn), independently of flowcast's C code. For each case
the file holds one group with

    the inputs, the parameters in flowcast's layout, the output y, a fixed upstream
    gradient dy, and the autograd gradients of L = sum(y * dy): dx and d<parameter>

as float32 datasets, and the shape parameters as attributes (layer, M, in, out, B, N, C,
dims, axes, n, ndim, modes, cin, cout, norm, zero_imag, eps, ...). The inputs are drawn in
float32 (torch.manual_seed, fixed), the forward and the autograd run in float64 on those
float32 values, and the results are rounded to float32 once: the reference is exact to
float32 rounding. The file is read by tests/test_nn_reference.c.

Layouts are flowcast's: channels last ([M][C], [B][N][C], [B][n0][n1][n2][C]); Linear
W[out][in]; spectral weights W[k][cin][cout][2] (re, im) with the kept modes ordered axis by
axis, first axis slowest, each non-last axis's kept indices 0..m-1 then n-m..n-1, the last
(real-to-complex) axis 0..m-1.
"""
import math
import sys
import time

import numpy as np
import torch

from reference_writer import Writer, backward
import torch.nn.functional as F

SEED = 20240611
torch.set_default_dtype(torch.float64)


def randn(*shape, scale=1.0):
    """float32 normal draws, returned as float64 (exactly the float32 values)."""
    return (torch.randn(*shape, dtype=torch.float32) * scale).double()


def uniform(*shape, lo=-1.0, hi=1.0):
    return (torch.rand(*shape, dtype=torch.float32) * (hi - lo) + lo).double()


# ---------------------------------------------------------------------------------------
def linear_cases(w):
    for name, M, nin, nout, bias in [("linear", 7, 5, 4, True), ("linear_nobias", 6, 3, 5, False)]:
        lin = torch.nn.Linear(nin, nout, bias=bias, dtype=torch.float64)
        with torch.no_grad():  # float32-rounded parameters
            lin.weight.copy_(randn(nout, nin, scale=0.5))
            if bias:
                lin.bias.copy_(randn(nout, scale=0.5))
        x = randn(M, nin).requires_grad_()
        y = lin(x)
        dy = randn(M, nout)
        leaves = (x, lin.weight) + ((lin.bias,) if bias else ())
        grads = backward(y, dy, *leaves)
        arrays = {"x": x, "W": lin.weight, "y": y, "dy": dy, "dx": grads[0], "dW": grads[1]}
        if bias:
            arrays.update(b=lin.bias, db=grads[2])
        w.group(name, "linear", arrays, M=M, **{"in": nin, "out": nout}, bias=int(bias))


def activation_cases(w):
    n = 64
    fns = {
        "gelu": lambda x: F.gelu(x, approximate="none"),
        "relu": F.relu,
        "silu": F.silu,
        "sine": torch.sin,
    }
    for name, fn in fns.items():
        x = randn(n, scale=2.5)
        if name == "relu":  # keep away from the kink, where the derivative is a convention
            x = torch.where(x.abs() < 1e-3, x + 0.01, x)
        x.requires_grad_()
        y = fn(x)
        dy = randn(n)
        (dx,) = backward(y, dy, x)
        w.group(name, name, {"x": x, "y": y, "dy": dy, "dx": dx}, n=n)


def layernorm_cases(w):
    M, C, eps = 6, 8, 1e-5
    ln = torch.nn.LayerNorm(C, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(1 + randn(C, scale=0.3))
        ln.bias.copy_(randn(C, scale=0.3))
    x = (randn(M, C) * 1.5 + 0.7).float().double().requires_grad_()  # offset: mean not 0
    y = ln(x)
    dy = randn(M, C)
    dx, dw, db = backward(y, dy, x, ln.weight, ln.bias)
    xd = x.detach()
    mean = xd.mean(dim=1)
    rstd = 1 / torch.sqrt(xd.var(dim=1, unbiased=False) + eps)
    w.group("layernorm", "layernorm",
            {"x": x, "w": ln.weight, "b": ln.bias, "y": y, "dy": dy, "dx": dx, "dw": dw, "db": db,
             "mean": mean, "rstd": rstd}, M=M, C=C, eps=eps)


def instancenorm_cases(w):
    B, N, C, eps = 2, 10, 3, 1e-5
    x = (randn(B, N, C) * 2 - 0.5).float().double().requires_grad_()  # flowcast's [B][N][C]
    y = F.instance_norm(x.permute(0, 2, 1), eps=eps).permute(0, 2, 1)  # torch's [B][C][N]
    dy = randn(B, N, C)
    (dx,) = backward(y, dy, x)
    xd = x.detach()
    mean = xd.mean(dim=1)  # [B][C]
    rstd = 1 / torch.sqrt(xd.var(dim=1, unbiased=False) + eps)
    w.group("instancenorm", "instancenorm",
            {"x": x, "y": y, "dy": dy, "dx": dx, "mean": mean, "rstd": rstd}, B=B, N=N, C=C, eps=eps)


def affine_cases(w):
    M, C = 9, 4
    x = randn(M, C).requires_grad_()
    s = (1 + randn(C, scale=0.5)).float().double().requires_grad_()
    t = randn(C, scale=0.5).requires_grad_()
    y = x * s + t
    dy = randn(M, C)
    dx, ds, dt = backward(y, dy, x, s, t)
    w.group("affine", "affine", {"x": x, "s": s, "t": t, "y": y, "dy": dy, "dx": dx, "ds": ds, "dt": dt}, M=M, C=C)


def meanpool_cases(w):
    B, C = 2, 3
    for dims, axes in [((3, 4, 5), 0b110), ((3, 4, 5), 0b001), ((3, 4, 5), 0b111), ((6, 5, 1), 0b010),
                       ((4, 1, 1), 0b001)]:
        x = randn(B, *dims, C).requires_grad_()
        pooled = [1 + a for a in range(3) if axes >> a & 1]
        y = x.mean(dim=pooled, keepdim=True)
        dy = randn(*y.shape)
        (dx,) = backward(y, dy, x)
        w.group("meanpool_%d%d%d_axes%d" % (*dims, axes), "meanpool", {"x": x, "y": y, "dy": dy, "dx": dx},
                B=B, dims=list(dims), C=C, axes=axes)


def fourier_features_cases(w):
    for name, M, d, m, scale in [("fourier_features_2d", 6, 2, 5, 1.0), ("fourier_features_3d", 5, 3, 4, 2.0)]:
        p = uniform(M, d, lo=0.0, hi=1.0).requires_grad_()
        Bm = randn(d, m, scale=scale)  # frozen
        z = 2 * math.pi * (p @ Bm)
        y = torch.cat([torch.sin(z), torch.cos(z)], dim=1)
        dy = randn(M, 2 * m)
        (dp,) = backward(y, dy, p)
        w.group(name, "fourier_features", {"p": p, "Bm": Bm, "y": y, "dy": dy, "dp": dp}, M=M, d=d, m=m)


# ---------------------------------------------------------------------------------------
def kept_indices(n, m, last):
    return list(range(m)) if last else list(range(m)) + list(range(n - m, n))


def spectral_forward(x, W, n, modes, cin, cout, norm, zero_imag):
    """x [B][n0..][cin] (channels last), W [nmodes][cin][cout][2] -> y [B][n0..][cout]."""
    nd = len(n)
    B = x.shape[0]
    sdims = tuple(range(2, 2 + nd))
    xc = x.movedim(-1, 1)  # [B][cin][n...]
    xh = torch.fft.rfftn(xc, dim=sdims, norm=norm)
    lists = [kept_indices(n[a], modes[a], a == nd - 1) for a in range(nd)]
    grids = torch.meshgrid(*[torch.tensor(l) for l in lists], indexing="ij")
    idx = tuple(g.reshape(-1) for g in grids)  # kept modes, first axis slowest
    Wc = torch.complex(W[..., 0], W[..., 1])  # [k][cin][cout]
    xk = xh[(slice(None), slice(None)) + idx]  # [B][cin][k]
    yk = torch.einsum("bik,kio->bok", xk, Wc)
    nl = n[-1]
    plane = ((idx[-1] == 0) | ((nl % 2 == 0) & (idx[-1] == nl // 2))).to(torch.float64)  # DC/Nyquist of last
    if zero_imag:
        yk = torch.complex(yk.real, yk.imag * (1 - plane))
    half = list(n[:-1]) + [nl // 2 + 1]
    yh = torch.zeros(B, cout, *half, dtype=torch.complex128)
    yh[(slice(None), slice(None)) + idx] = yk
    y = torch.fft.irfftn(yh, s=tuple(n), dim=sdims, norm=norm)
    return y.movedim(1, -1), yh.detach(), idx


def spectral_direct(x, W, n, modes, norm, zero_imag):
    """The definition as a sum over the kept modes (numpy, float64), to check torch's irfftn on
    non-Hermitian planes: y[q] = s sum_k c_k Re(yh[k] e^{+i theta_k.q}), c_k = 1 on the DC and
    Nyquist planes of the last axis, 2 elsewhere; yh[k] = sum_i xh_i[k] W[k][i][o]."""
    x = x.detach().numpy()
    W = W.detach().numpy()
    nd = len(n)
    B, cin, cout = x.shape[0], x.shape[-1], W.shape[2]
    N = int(np.prod(n))
    lists = [kept_indices(n[a], modes[a], a == nd - 1) for a in range(nd)]
    ks = np.array(np.meshgrid(*lists, indexing="ij")).reshape(nd, -1).T  # [k][nd]
    qs = np.array(np.meshgrid(*[np.arange(v) for v in n], indexing="ij")).reshape(nd, -1).T  # [N][nd]
    theta = 2 * np.pi * (qs / np.array(n)) @ ks.T  # [N][k]
    E = np.exp(-1j * theta)
    xf = x.reshape(B, N, cin)
    xh = np.einsum("bqi,qk->bki", xf, E)
    Wc = W[..., 0] + 1j * W[..., 1]
    yh = np.einsum("bki,kio->bko", xh, Wc)
    nl = n[-1]
    plane = (ks[:, -1] == 0) | ((nl % 2 == 0) & (ks[:, -1] == nl // 2))
    if zero_imag:
        yh = np.where(plane[None, :, None], yh.real + 0j, yh)
    ck = np.where(plane, 1.0, 2.0)
    y = np.einsum("bko,qk,k->bqo", yh, np.conj(E), ck).real / N  # total factor 1/N for every norm
    return y.reshape(B, *n, cout)


def hermitian_defect(yh, n):
    """max |Z[k] - conj(Z[-k])| over the DC plane of the last axis (0 for a Hermitian plane)."""
    nd = len(n)
    dc = yh[(slice(None), slice(None)) + (slice(None),) * (nd - 1) + (0,)]
    if nd == 1:
        return float(dc.imag.abs().max())
    flipped = torch.roll(torch.flip(dc, dims=tuple(range(2, 2 + nd - 1))), shifts=(1,) * (nd - 1),
                         dims=tuple(range(2, 2 + nd - 1)))
    return float((dc - flipped.conj()).abs().max())


def spectral_cases(w):
    cases = [
        # name, n, modes, cin, cout, B, norm, zero_imag
        ("spectral_1d_backward", (16,), (5,), 3, 2, 2, "backward", 0),
        ("spectral_1d_ortho_zero_imag", (16,), (5,), 3, 2, 1, "ortho", 1),
        ("spectral_1d_forward_nyquist", (16,), (9,), 2, 2, 1, "forward", 0),
        ("spectral_2d_backward", (12, 10), (4, 3), 2, 3, 2, "backward", 0),
        ("spectral_2d_forward", (12, 10), (4, 3), 2, 3, 1, "forward", 0),
        ("spectral_2d_ortho_zero_imag", (12, 10), (4, 3), 2, 3, 1, "ortho", 1),
        ("spectral_2d_nyquist_backward", (12, 10), (4, 6), 2, 2, 2, "backward", 0),
        ("spectral_2d_nyquist_ortho_zero_imag", (12, 10), (4, 6), 2, 2, 1, "ortho", 1),
        ("spectral_2d_odd_forward", (7, 9), (3, 5), 2, 2, 1, "forward", 0),
        ("spectral_3d_backward", (8, 6, 6), (2, 3, 2), 2, 2, 2, "backward", 0),
        ("spectral_3d_forward_zero_imag", (8, 6, 6), (2, 3, 2), 2, 2, 1, "forward", 1),
        ("spectral_3d_nyquist_ortho", (8, 6, 6), (2, 3, 4), 2, 2, 1, "ortho", 0),
    ]
    for name, n, modes, cin, cout, B, norm, zero_imag in cases:
        nd = len(n)
        nmodes = int(np.prod([len(kept_indices(n[a], modes[a], a == nd - 1)) for a in range(nd)]))
        x = randn(B, *n, cin).requires_grad_()
        W = randn(nmodes, cin, cout, 2, scale=0.5).requires_grad_()
        y, yh, idx = spectral_forward(x, W, n, modes, cin, cout, norm, zero_imag)
        dy = randn(*y.shape)
        dx, dW = backward(y, dy, x, W)
        # torch's irfftn against the explicit sum over modes (same convention as FFTW's c2r:
        # inverse c2c over the leading axes, then c2r on the last axis, which drops the
        # imaginary part of its DC and Nyquist entries)
        direct = spectral_direct(x, W, n, modes, norm, zero_imag)
        dev = np.abs(direct - y.detach().numpy()).max() / np.abs(direct).max()
        assert dev < 1e-12, (name, dev)
        defect = hermitian_defect(yh, n)
        if not zero_imag or nd > 1:
            assert defect > 1e-3, (name, defect)  # the DC plane given to irfftn is not Hermitian
        w.group(name, "spectral", {"x": x, "W": W, "y": y, "dy": dy, "dx": dx, "dW": dW},
                ndim=nd, n=list(n) + [1] * (3 - nd), modes=list(modes) + [1] * (3 - nd), cin=cin, cout=cout, B=B,
                nmodes=nmodes, norm=norm, zero_imag=zero_imag, dc_hermitian_defect=defect)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 tools/nn_reference.py tests/data/nn_reference.h5")
    t0 = time.time()
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    w = Writer(sys.argv[1], "tools/nn_reference.py", SEED)
    linear_cases(w)
    activation_cases(w)
    layernorm_cases(w)
    instancenorm_cases(w)
    affine_cases(w)
    meanpool_cases(w)
    fourier_features_cases(w)
    spectral_cases(w)
    n = w.count
    w.close()
    print("%s: %d groups in %.2f s" % (sys.argv[1], n, time.time() - t0))


if __name__ == "__main__":
    main()
