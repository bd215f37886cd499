#!/usr/bin/python3
"""PyTorch reference data for flowcast's Fourier neural operators (src/models/fc_fno.h).

Run (Debian's python3, which has torch and h5py) from the source tree:

    /usr/bin/python3 tools/fno_reference.py tests/data

writes tests/data/fno_reference.h5 (read by tests/test_fno_reference.c) and
tests/data/fno2d_converted.h5, a flowcast checkpoint of the fno2d case made by
tools/torch_to_flowcast.py's command line (torch.save'd state dict + JSON config), which the
test loads with fc_checkpoint_load to check the converter end to end.

The models are tools/fno_torch.py's (FNO2d, FNO3d, IFNO 2D and 3D, written from the spec in
the usual PyTorch way, independently of flowcast's C code). One group per case holds

    attributes   model_type, implicit, ndim, in_channels, out_channels, width, proj,
                 modes (int32[3], 0 beyond ndim), layers, use_grid, norm ("backward",
                 "forward", "ortho"), zero_dc_nyquist_imag, B, n (int32[3], 1 beyond ndim)
    params/NAME  the parameters in flowcast's names and layouts (torch_to_flowcast.convert)
    x            input [B][n0][n1]([n2])[in] (channels last)
    y            output [B][n...][out]
    dy           a fixed upstream gradient, shaped as y
    dx           d(sum(y * dy))/dx
    grads/NAME   d(sum(y * dy))/dNAME, flowcast's layout (spectral: (d/dRe, d/dIm) pairs)

all float32. Parameters and inputs are drawn in float32 (torch.manual_seed, fixed); forward
and autograd run in float64 on those values and the results are rounded to float32 once.
The spectral weights are drawn at a larger scale than the FNO code's initialisation, and
the inputs are smooth fields plus noise, so that the spectral path carries a good share of
every layer's output (printed). Checks made here before writing: the module against an
independent forward in flowcast's layout (nn_reference.spectral_forward), the converter's
round trip, and the complex-gradient convention by central differences.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fno_torch  # noqa: E402
import nn_reference  # noqa: E402  (sets the default dtype to float64; the models pass dtype explicitly)
import torch_to_flowcast as t2f  # noqa: E402

SEED = 20240925
B = 2

# name, config, grid; the superres case reuses the fno2d case's parameters on a finer grid
CASES = [
    ("fno2d", dict(model_type="fno2d", in_channels=3, out_channels=1, width=6, proj=8, modes=[3, 3], layers=2,
                   use_grid=1, norm="backward", zero_dc_nyquist_imag=0), (16, 12)),
    ("fno2d_superres", "fno2d", (20, 14)),
    ("fno3d", dict(model_type="fno3d", in_channels=2, out_channels=2, width=4, proj=6, modes=[2, 2, 2], layers=2,
                   use_grid=1, norm="backward", zero_dc_nyquist_imag=0), (8, 6, 6)),
    ("fno2d_forward_zero_imag", dict(model_type="fno2d", in_channels=2, out_channels=2, width=4, proj=6,
                                     modes=[3, 6], layers=2, use_grid=1, norm="forward", zero_dc_nyquist_imag=1),
     (12, 10)),
    ("ifno2d", dict(model_type="ifno2d", in_channels=2, out_channels=1, width=5, proj=6, modes=[3, 2], layers=3,
                    use_grid=1, norm="backward", zero_dc_nyquist_imag=0), (12, 10)),
    ("ifno3d_ortho_zero_imag", dict(model_type="ifno3d", in_channels=1, out_channels=2, width=4, proj=5,
                                    modes=[2, 3, 4], layers=3, use_grid=0, norm="ortho", zero_dc_nyquist_imag=1),
     (6, 8, 6)),
]


def f32(t):
    return t.detach().to(torch.float32).numpy() if torch.is_tensor(t) else np.asarray(t, dtype=np.float32)


def smooth_input(shape):
    """[B][n...][C] float32 values: a few random low Fourier modes plus noise."""
    Bn, n, C = shape[0], shape[1:-1], shape[-1]
    q = torch.meshgrid(*[torch.arange(k, dtype=torch.float64) / k for k in n], indexing="ij")
    x = 0.3 * torch.randn(*shape, dtype=torch.float32).double()
    for _ in range(4):
        k = torch.randint(0, 3, (len(n),))
        amp = torch.randn(Bn, 1, C, dtype=torch.float32).double().reshape(Bn, *([1] * len(n)), C)
        phase = 2 * math.pi * torch.rand(1, dtype=torch.float32).double()
        arg = sum(2 * math.pi * float(k[a]) * q[a] for a in range(len(n))) + phase
        x = x + amp * torch.sin(arg)[None, ..., None]
    return x.float().double()


def draw_parameters(model, cfg):
    """float32 parameters: torch's default Linear/Conv init; spectral weights U(-1, 1) (re, im)
    scaled by 2 / width (larger than the FNO code's init, so the spectral path matters)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".spectral.weights" in name:
                re = torch.rand(p.shape, dtype=torch.float32) * 2 - 1
                im = torch.rand(p.shape, dtype=torch.float32) * 2 - 1
                p.copy_(torch.complex(re, im) * (2.0 / cfg["width"]))


def to64(model32, cfg):
    m = fno_torch.build_model(cfg, dtype=torch.float64)
    m.load_state_dict(model32.state_dict())
    for (k, a), (_, b) in zip(model32.state_dict().items(), m.state_dict().items()):
        assert b.dtype in (torch.float64, torch.complex128), (k, b.dtype)
        assert torch.equal(a.to(b.dtype), b), k
    return m


def flowcast_forward(P, cfg, x):
    """An independent forward from flowcast-layout parameters P (float64 tensors), using the
    spectral convolution of tools/nn_reference.py (flowcast's weight layout, already checked
    against the C code): the converter's mapping and the module are checked together."""
    nd, n = cfg["ndim"], tuple(x.shape[1:-1])
    if cfg["use_grid"]:
        q = torch.meshgrid(*[torch.arange(k, dtype=torch.float64) / k for k in n], indexing="ij")
        g = torch.stack(q, dim=-1).expand(x.shape[0], *n, nd)
        x = torch.cat([x, g], dim=-1)
    v = x @ P["lift.weight"].T + P["lift.bias"]
    L = cfg["layers"]
    share = []
    for l in range(L):
        pre = "layer" if cfg["implicit"] else "layers.%d" % l
        k, _, _ = nn_reference.spectral_forward(v, P[pre + ".spectral.weight"], n, cfg["modes"], cfg["width"],
                                               cfg["width"], cfg["norm"], cfg["zero_dc_nyquist_imag"])
        wv = v @ P[pre + ".pointwise.weight"].T + P[pre + ".pointwise.bias"]
        share.append(float(k.norm() / (k.norm() + wv.norm())))
        u = k + wv
        if cfg["implicit"]:
            v = v + (F.gelu(u) if l < L - 1 else u) / L
        else:
            v = F.gelu(u) if l < L - 1 else u
    y = F.gelu(v @ P["proj1.weight"].T + P["proj1.bias"]) @ P["proj2.weight"].T + P["proj2.bias"]
    return y, share


def check_complex_gradient(model, x, dy, grads):
    """Central differences on one real and one imaginary weight entry: torch's gradient of a
    real loss w.r.t. a complex weight is dL/dRe + i dL/dIm."""
    name = next(k for k in grads if ".spectral.weights1" in k)
    p = dict(model.named_parameters())[name]
    idx = (0, 1) + (1,) * (p.dim() - 2)
    h = 1e-6
    for part, unit in (("re", 1.0), ("im", 1j)):
        with torch.no_grad():
            p[idx] += h * unit
            lp = float((model(x) * dy).sum())
            p[idx] -= 2 * h * unit
            lm = float((model(x) * dy).sum())
            p[idx] += h * unit
        fd = (lp - lm) / (2 * h)
        g = grads[name][idx]
        an = float(g.real if part == "re" else g.imag)
        assert abs(fd - an) <= 1e-6 * max(1.0, abs(an)), (name, part, fd, an)


def write_attrs(g, cfg, n):
    c = t2f.normalize_config(cfg)
    g.attrs["model_type"] = np.bytes_(c["model_type"])
    g.attrs["norm"] = np.bytes_(c["norm"])
    for k in ("implicit", "ndim", "in_channels", "out_channels", "width", "proj", "layers", "use_grid",
              "zero_dc_nyquist_imag"):
        g.attrs[k] = np.int32(c[k])
    g.attrs["modes"] = np.asarray(c["modes"] + [0] * (3 - c["ndim"]), dtype=np.int32)
    g.attrs["n"] = np.asarray(list(n) + [1] * (3 - c["ndim"]), dtype=np.int32)
    g.attrs["B"] = np.int32(B)


def run_case(f, name, cfg, n, model32):
    cfg = t2f.normalize_config(cfg)
    m64 = to64(model32, cfg)
    x = smooth_input((B,) + tuple(n) + (cfg["in_channels"],)).requires_grad_()
    y = m64(x)
    dy = torch.randn(*y.shape, dtype=torch.float32).double()
    params = dict(m64.named_parameters())
    grads = torch.autograd.grad((y * dy).sum(), [x] + list(params.values()))
    dx, pgrads = grads[0], dict(zip(params.keys(), grads[1:]))

    P32 = t2f.convert(model32.state_dict(), cfg)  # float32, flowcast layout
    P64 = t2f.convert(m64.state_dict(), cfg, dtype=np.float64)
    G = t2f.convert(pgrads, cfg, dtype=np.float64)
    for k in P32:
        assert np.array_equal(P32[k].astype(np.float64), P64[k]), k  # the float64 model is the float32 one
    back = t2f.to_torch(P32, cfg)
    for k, v in model32.state_dict().items():
        assert torch.equal(back[k], v), ("round trip", k)

    yf, share = flowcast_forward({k: torch.from_numpy(v) for k, v in P64.items()}, cfg, x.detach())
    dev = float((yf - y.detach()).abs().max() / y.detach().abs().max())
    assert dev < 1e-12, (name, "module vs flowcast-layout forward", dev)
    check_complex_gradient(m64, x.detach(), dy, pgrads)

    g = f.create_group(name)
    write_attrs(g, cfg, n)
    gp = g.create_group("params")
    for k, v in P32.items():
        gp.create_dataset(k, data=v)
    for k, v in (("x", x), ("y", y), ("dy", dy), ("dx", dx)):
        g.create_dataset(k, data=f32(v))
    gg = g.create_group("grads")
    for k, v in G.items():
        gg.create_dataset(k, data=f32(v))
    print("  %-24s %-7s n=%-11s params %5d  spectral share per layer %s" %
          (name, cfg["model_type"], "x".join(map(str, n)), sum(v.size for v in P32.values()),
           " ".join("%.2f" % s for s in share)))


def convert_by_command_line(model32, cfg, out):
    """torch.save the state dict and a JSON config, run torch_to_flowcast.py on them."""
    with tempfile.TemporaryDirectory() as tmp:
        pt, js = os.path.join(tmp, "fno2d.pt"), os.path.join(tmp, "fno2d.json")
        torch.save(model32.state_dict(), pt)
        with open(js, "w") as fj:
            json.dump(cfg, fj)
        subprocess.run([sys.executable, os.path.join(HERE, "torch_to_flowcast.py"), pt, out, "--config", js],
                       check=True)
    P = t2f.convert(model32.state_dict(), cfg)
    with h5py.File(out, "r") as fc:  # the file holds exactly the converted parameters
        assert set(fc["params"]) == set(P)
        for k, v in P.items():
            assert np.array_equal(fc["params"][k][()], v), k


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 tools/fno_reference.py tests/data")
    outdir = sys.argv[1]
    t0 = time.time()
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    ref = os.path.join(outdir, "fno_reference.h5")
    models = {}
    with h5py.File(ref, "w", libver="earliest") as f:
        f.attrs["generator"] = np.bytes_("tools/fno_reference.py")
        f.attrs["torch_version"] = np.bytes_(torch.__version__)
        f.attrs["seed"] = np.int64(SEED)
        for name, cfg, n in CASES:
            if isinstance(cfg, str):  # same model as an earlier case, another grid
                model32, cfg = models[cfg]
            else:
                model32 = fno_torch.build_model(cfg, dtype=torch.float32)
                draw_parameters(model32, cfg)
            models[name] = (model32, cfg)
            run_case(f, name, cfg, n, model32)
    conv = os.path.join(outdir, "fno2d_converted.h5")
    model32, cfg = models["fno2d"]
    convert_by_command_line(model32, cfg, conv)
    print("%s: %d cases, %d bytes; %s: %d bytes; %.1f s" % (ref, len(CASES), os.path.getsize(ref), conv,
                                                             os.path.getsize(conv), time.time() - t0))


if __name__ == "__main__":
    main()
