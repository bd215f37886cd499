#!/usr/bin/python3
"""Recomputes a channel comparison report of `flowcast compare` (compare_type channel) with numpy,
independently of the C code, from the trajectory files it names, and checks every number.

    /usr/bin/python3 tests/check_channel_compare.py REPORT.h5 [--rtol 1e-9]

Prints 'check_channel_compare: ok' or the first differences and exits 1."""
import argparse
import sys

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(path):
    """times [nt], velocity [nt][nx][ny][nz][3] (files store (nz, ny, nx, 3))."""
    with h5py.File(path, "r") as f:
        steps = sorted(f["steps"])
        t = np.array([float(f["steps"][s].attrs["time"]) for s in steps])
        u = np.array([np.transpose(f["steps"][s]["velocity"][()].astype(np.float64), (2, 1, 0, 3)) for s in steps])
    return t, u


def stats(u, utau, jplanes):
    """Folded profiles in wall units and the spectra (plane mean removed per sample)."""
    ny = u.shape[2]
    nh = (ny + 1) // 2
    m = u.mean(axis=(0, 1, 3))                                    # [ny][3]
    d = u - m[None, None, :, None, :]
    var = (d ** 2).mean(axis=(0, 1, 3))                           # [ny][3]
    uv = (d[..., 0] * d[..., 1]).mean(axis=(0, 1, 3))             # [ny]
    up, lo = np.arange(ny - 1, ny - 1 - nh, -1), np.arange(nh)
    prof = {"U_plus": 0.5 * (m[lo, 0] + m[up, 0]) / utau,
            "uv_plus": -0.5 * (uv[lo] - uv[up]) / utau ** 2}
    for c, k in enumerate(("urms_plus", "vrms_plus", "wrms_plus")):
        prof[k] = np.sqrt(0.5 * (var[lo, c] + var[up, c])) / utau
    nx, nz = u.shape[1], u.shape[3]
    wx = np.where((np.arange(nx // 2 + 1) == 0) | (2 * np.arange(nx // 2 + 1) == nx), 1.0, 2.0)
    wz = np.where((np.arange(nz // 2 + 1) == 0) | (2 * np.arange(nz // 2 + 1) == nz), 1.0, 2.0)
    sx, sz = [], []
    for j in jplanes:
        ex, ez = 0, 0
        for jj in (j, ny - 1 - j):
            a = u[:, :, jj, :, :]                                 # [nt][nx][nz][3]
            a = a - a.mean(axis=(1, 2), keepdims=True)
            ex = ex + (wx[None, :, None, None] * np.abs(np.fft.rfft(a, axis=1)) ** 2 / nx ** 2).sum(axis=3).mean(axis=(0, 2))
            ez = ez + (wz[None, None, :, None] * np.abs(np.fft.rfft(a, axis=2)) ** 2 / nz ** 2).sum(axis=3).mean(axis=(0, 1))
        sx.append(ex / 2 / utau ** 2)
        sz.append(ez / 2 / utau ** 2)
    prof["spectra_x"], prof["spectra_z"] = np.array(sx), np.array(sz)
    return prof


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--rtol", type=float, default=1e-9)
    a = ap.parse_args()
    bad = []

    def check(name, got, want):
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        scale = np.abs(want).max() if want.size else 0.0
        if got.shape != want.shape or not np.allclose(got, want, rtol=a.rtol, atol=a.rtol * scale + 1e-13, equal_nan=True):
            bad.append(f"{name}: report {got.ravel()[:6]}..., numpy {want.ravel()[:6]}...")

    with h5py.File(a.report, "r") as f:
        utau, t0, t1 = float(f.attrs["u_tau"]), float(f.attrs["stats_from"]), float(f.attrs["stats_to"])
        jplanes = [int(j) for j in f["spectra_j"][()]]
        tref, uref = load(text(f.attrs["reference"]))
        inw = lambda t: (t >= t0 - 1e-9 * max(1, abs(t0))) & (t <= t1 + 1e-9 * max(1, abs(t1)))  # noqa: E731
        groups = [("reference", f["reference"])] + [(k, f["runs"][k]) for k in text(f.attrs["labels"]).split(",")[1:]]
        for label, g in groups:
            t, u = (tref, uref) if label == "reference" else load(text(g.attrs["file"]))
            want = stats(u[inw(t)], utau, jplanes)
            for k, v in want.items():
                check(f"{label}/{k}", g[k][()], v)
            check(f"{label}/stats_time", g["stats_time"][()], t[inw(t)])
            if label == "reference":
                continue
            match = [(i, int(np.argmin(np.abs(tref - ti)))) for i, ti in enumerate(t)
                     if np.min(np.abs(tref - ti)) <= 1e-9 * max(1, abs(ti))]
            err = [np.sqrt(((u[i] - uref[j]) ** 2).sum() / (uref[j] ** 2).sum()) for i, j in match]
            check(f"{label}/time", g["time"][()], [t[i] for i, _ in match])
            check(f"{label}/rel_l2", g["rel_l2"][()], err)
    if bad:
        print("check_channel_compare: FAILED\n  " + "\n  ".join(bad))
        sys.exit(1)
    print(f"check_channel_compare: ok ({len(groups)} runs of {a.report})")


if __name__ == "__main__":
    main()
