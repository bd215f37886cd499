#!/usr/bin/python3
"""Plots the relative L2 error per step from the HDF5 report of `flowcast compare`.

    /usr/bin/python3 tools/plot_compare.py output/compare.h5 [more reports ...] -o output/compare.png

Reads only the reports (/series/time, /series/rel_l2); each report is one curve, labelled
by its file name (or --labels a,b,...). Needs Debian's python3-matplotlib and python3-h5py."""
import argparse
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reports", nargs="+")
    ap.add_argument("-o", "--output", required=True, help="PNG file")
    ap.add_argument("--labels", help="comma-separated curve labels")
    ap.add_argument("--title", default="relative L2 error of the rollout")
    a = ap.parse_args()
    labels = a.labels.split(",") if a.labels else [os.path.splitext(os.path.basename(r))[0] for r in a.reports]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    for path, label in zip(a.reports, labels):
        with h5py.File(path, "r") as f:
            t = f["series/time"][:]
            e = f["series/rel_l2"][:]
        ax.plot(t[1:], e[1:], marker="o", markersize=3, label=label)  # [0]: the initial state
    ax.set_xlabel("time")
    ax.set_ylabel("relative L2 error")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(a.title)
    ax.legend()
    fig.tight_layout()
    tmp = a.output + ".partial.png"
    fig.savefig(tmp)
    os.replace(tmp, a.output)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
