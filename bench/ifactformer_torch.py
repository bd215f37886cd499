#!/usr/bin/python3
"""PyTorch side of bench/ifactformer: the same IFactFormer-m (tools/ifactformer_torch.py) with the
weights of the flowcast checkpoints DIR/NAME.h5 (NAME = default, published), on the same input and
coordinates (DIR/NAME_x.f32, DIR/NAME_coords.f32), batch 1, grid 32 x 33 x 16, float32, under
no_grad, with the same thread count. Prints per size `torch_ms_NAME` (median after warm-up),
`torch_min_ms_NAME`, `max_rel_diff_NAME` = max |y_flowcast - y_torch| / max |y_torch| against the
flowcast output DIR/NAME_y.f32, and the same measure of each against one float64 forward of the
twin (`flowcast_vs_f64_NAME`, `torch_vs_f64_NAME`: which side the difference comes from); then
`torch_threads` and `torch_blas` (the BLAS libraries torch has loaded).
    ifactformer_torch.py DIR REPS_DEFAULT REPS_PUBLISHED THREADS"""
import os
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_util import median_ms  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from ifactformer_torch import IFactFormer  # noqa: E402

DIMS = (32, 33, 16)


def load_model(path):
    with h5py.File(path, "r") as f:
        a = f["model"].attrs
        model = IFactFormer(C=int(a["C"]), H=int(a["H"]), Dv=int(a["Dv"]), mult=int(a["mult"]), L=int(a["L"]),
                            variant="mo"[int(a["variant"])], freq_scale=float(a["freq_scale"]),
                            lift_width=int(a["lift_width"]))
        model.load_state_dict({k: torch.from_numpy(v[:]) for k, v in f["params"].items()})
    return model.eval()


def times_ms(step, warm, reps):
    """Median and minimum milliseconds of step() over reps runs after warm runs."""
    for _ in range(warm):
        step()
    t = sorted(median_ms(step, 1, warm=0) for _ in range(reps))
    return t[len(t) // 2], t[0]


def blas():
    """The BLAS/LAPACK shared libraries mapped into this process (resolved links)."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "blas" in os.path.basename(p).lower() or "mkl" in os.path.basename(p).lower():
                libs.add(os.path.realpath(p))
    return ",".join(sorted(libs)) or "unknown"


def run(d, name, warm, reps):
    model = load_model(os.path.join(d, name + ".h5"))
    n = int(np.prod(DIMS))
    coords = torch.from_numpy(np.fromfile(os.path.join(d, name + "_coords.f32"), dtype=np.float32))
    cx, cy, cz = torch.split(coords, DIMS)
    x = torch.from_numpy(np.fromfile(os.path.join(d, name + "_x.f32"), dtype=np.float32)).reshape(1, *DIMS, 3)
    y_fc = np.fromfile(os.path.join(d, name + "_y.f32"), dtype=np.float32).astype(np.float64)
    assert x.numel() == 3 * n and y_fc.size == 3 * n
    out = {}

    def step():
        with torch.no_grad():
            out["y"] = model(x, cx, cy, cz)
    med, low = times_ms(step, warm, reps)
    y = out["y"].numpy().reshape(-1).astype(np.float64)
    with torch.no_grad():
        y64 = model.double()(x.double(), cx.double(), cy.double(), cz.double()).numpy().reshape(-1)

    def rel(a, b):
        return float(np.abs(a - b).max() / np.abs(b).max())
    print(f"torch_ms_{name} = {med:.4f}")
    print(f"torch_min_ms_{name} = {low:.4f}")
    print(f"max_rel_diff_{name} = {rel(y_fc, y):.3e}")
    print(f"flowcast_vs_f64_{name} = {rel(y_fc, y64):.3e}")
    print(f"torch_vs_f64_{name} = {rel(y, y64):.3e}")
    sys.stdout.flush()


def main():
    d, reps_d, reps_p, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    run(d, "default", 3, reps_d)
    run(d, "published", 1, reps_p)
    print(f"torch_threads = {torch.get_num_threads()}")
    print(f"torch_blas = {blas()}")


if __name__ == "__main__":
    main()
