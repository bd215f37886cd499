#!/usr/bin/python3
"""Pictures of a predicted trajectory next to its reference: for a few common times, the
reference field, the prediction and their difference (2D scalar fields of flowcast field
files, e.g. flowcast rollout's output and the solver's trajectory).

    /usr/bin/python3 tools/plot_fields.py PREDICTION.h5 REFERENCE.h5 -o FIG.png [--field w] [--times 3]

Reads only the two HDF5 files. Needs Debian's python3-matplotlib and python3-h5py."""
import argparse
import os

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def snapshots(path, field):
    with h5py.File(path, "r") as f:
        out = {}
        for name in sorted(f["steps"]):
            g = f["steps"][name]
            if field in g:
                out[round(float(g.attrs["time"]), 9)] = g[field][...]
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("prediction")
    ap.add_argument("reference")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--field", default="w")
    ap.add_argument("--times", type=int, default=3, help="number of times shown (spread over the common ones)")
    a = ap.parse_args()
    pred, ref = snapshots(a.prediction, a.field), snapshots(a.reference, a.field)
    common = sorted(set(pred) & set(ref))[1:]  # the first common time is the initial state
    if not common:
        raise SystemExit("plot_fields: the two files share no predicted time")
    pick = [common[int(round(i))] for i in np.linspace(0, len(common) - 1, min(a.times, len(common)))]
    fig, axes = plt.subplots(len(pick), 3, figsize=(9, 3 * len(pick)), dpi=100, squeeze=False)
    for row, t in enumerate(pick):
        r, p = ref[t], pred[t]
        lim = np.abs(r).max()
        err = np.linalg.norm(p - r) / np.linalg.norm(r)
        for col, (img, title) in enumerate(((r, f"reference, t = {t:g}"), (p, "prediction"),
                                            (p - r, f"difference (rel. L2 {err:.3f})"))):
            ax = axes[row][col]
            im = ax.imshow(img, origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        fig.colorbar(im, ax=axes[row].tolist(), shrink=0.8)
    tmp = a.output + ".partial.png"
    fig.savefig(tmp)
    os.replace(tmp, a.output)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
