#!/usr/bin/python3
"""Pictures of channel fields: the streamwise velocity on an x-z plane at a given y+ (and on
the x-y plane at the middle of z), one row per field file (a DNS snapshot file, its filtered
trajectory, an LES or a surrogate rollout), at the step nearest a given time.

    /usr/bin/python3 tools/plot_channel_planes.py A.h5 [B.h5 ...] -o FIG.png [--labels a,b]
        [--yplus 15] [--time T] [--re-tau 180] [--field velocity]

Field files hold data[z][y][x][c] with the grid under /grid (docs/file-format.md). y+ is
y * re_tau / (ly / 2) from the nearer wall. Needs Debian's python3-matplotlib and python3-h5py."""
import argparse

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path, field, time):
    with h5py.File(path, "r") as f:
        names = sorted(f["steps"])
        times = [float(f["steps"][n].attrs["time"]) for n in names]
        k = int(np.argmin([abs(t - time) for t in times])) if time is not None else len(names) - 1
        data = f["steps"][names[k]][field][...]  # (nz, ny, nx, c)
        x, y, z = (f["grid"][a][...] for a in ("x", "y", "z"))
        ly = float(f["grid"].attrs["length"][1])
        return data[..., 0], x, y, z, ly, times[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--labels", default=None, help="comma-separated, one per file")
    ap.add_argument("--yplus", type=float, default=15.0)
    ap.add_argument("--re-tau", type=float, default=180.0)
    ap.add_argument("--time", type=float, default=None, help="simulated time (default: the last step)")
    ap.add_argument("--field", default="velocity")
    a = ap.parse_args()
    labels = a.labels.split(",") if a.labels else a.files
    if len(labels) != len(a.files):
        ap.error(f"--labels has {len(labels)} names for {len(a.files)} files")
    fig, axes = plt.subplots(len(a.files), 2, figsize=(13, 2.4 * len(a.files)), squeeze=False,
                             gridspec_kw={"width_ratios": [1.6, 1]}, layout="constrained")
    vmin = vmax = None
    for row, (path, label) in enumerate(zip(a.files, labels)):
        u, x, y, z, ly, t = load(path, a.field, a.time)
        h = 0.5 * ly
        j = int(np.argmin(np.abs(np.minimum(y, ly - y) * a.re_tau / h - a.yplus)))
        if vmin is None:
            vmin, vmax = float(u.min()), float(u.max())
        ax = axes[row][0]
        im = ax.pcolormesh(x, z, u[:, j, :], shading="nearest", vmin=vmin, vmax=vmax, cmap="RdBu_r")
        ax.set_aspect("equal")
        ax.set_title(f"{label}: u at y+ = {min(y[j], ly - y[j]) * a.re_tau / h:.1f}, t = {t:.6g}", fontsize=9)
        ax.set_xlabel("x / h")
        ax.set_ylabel("z / h")
        ax = axes[row][1]
        ax.pcolormesh(x, y, u[u.shape[0] // 2, :, :], shading="nearest", vmin=vmin, vmax=vmax, cmap="RdBu_r")
        ax.set_aspect("equal")
        ax.set_title(f"{label}: u at z = {z[u.shape[0] // 2]:.3g}", fontsize=9)
        ax.set_xlabel("x / h")
        ax.set_ylabel("y / h")
    fig.colorbar(im, ax=axes, shrink=0.8, label="u / U_b")
    fig.savefig(a.output, dpi=110)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
