#!/usr/bin/python3
"""Plots a channel comparison report of `flowcast compare` (compare_type channel).

    /usr/bin/python3 tools/plot_channel_compare.py REPORT.h5 [--out-prefix PREFIX]

Writes, next to the report (PREFIX = the report's path without .h5):
  PREFIX_error.png    relative L2 error against the reference vs time, every run
  PREFIX_U_plus.png   mean velocity U+ against y+ (log x)
  PREFIX_rms.png      u_rms+, v_rms+, w_rms+ against y+
  PREFIX_uv.png       Reynolds shear stress -u'v'+ against y+
  PREFIX_spectra.png  1D spectra E+(k_x) and E+(k_z) at each y+ of the report (log-log)
The reference is the black line; the runs are labelled as in the report. The layout of the
report is in docs/file-format.md ("Channel comparison reports"). Needs Debian's python3-h5py and
python3-matplotlib (Agg backend)."""
import argparse
import os
import sys

import h5py
import numpy as np
import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(path):
    with h5py.File(path, "r") as f:
        if text(f.attrs.get("schema", "")) != "flowcast.channel_compare":
            sys.exit(f"plot_channel_compare.py: '{path}' is not a channel comparison report (schema "
                     f"flowcast.channel_compare)")
        rep = {k: f[k][()] for k in ("y_plus", "kx", "kz", "spectra_yplus")}
        rep["u_tau"], rep["nu"] = float(f.attrs["u_tau"]), float(f.attrs["nu"])
        rep["stats"] = (float(f.attrs["stats_from"]), float(f.attrs["stats_to"]))
        labels = text(f.attrs["labels"]).split(",")
        runs = []
        for lab in labels:
            g = f["reference"] if lab == "reference" else f["runs"][lab]
            runs.append((lab, {k: g[k][()] for k in g}))
        rep["runs"] = runs
    return rep


def style(i, lab):
    if lab == "reference":
        return dict(color="black", lw=2.0, label="reference", zorder=10)
    return dict(color=f"C{(i - 1) % 10}", lw=1.3, label=lab)


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    print(f"wrote {path}")


def plot_error(rep, path):
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, (lab, r) in enumerate(rep["runs"]):
        if lab != "reference":
            ax.plot(r["time"], r["rel_l2"], marker=".", ms=4, **style(i, lab))
    ax.set_xlabel("time")
    ax.set_ylabel(r"relative $L_2$ error of $\mathbf{u}$")
    ax.set_title("short-term error against the reference")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, path)


def plot_profiles(rep, path, keys, ylabels, logx=True):
    fig, axes = plt.subplots(1, len(keys), figsize=(4.4 * len(keys), 4.0), squeeze=False)
    for ax, key, yl in zip(axes[0], keys, ylabels):
        for i, (lab, r) in enumerate(rep["runs"]):
            ax.plot(rep["y_plus"], r[key], **style(i, lab))
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(r"$y^+$")
        ax.set_ylabel(yl)
        ax.grid(alpha=0.3, which="both")
    axes[0][0].legend(fontsize=8)
    t0, t1 = rep["stats"]
    fig.suptitle(f"statistics over t = {t0:g} .. {t1:g}", fontsize=10)
    save(fig, path)


def plot_spectra(rep, path):
    yp = rep["spectra_yplus"]
    if len(yp) == 0:
        return
    fig, axes = plt.subplots(len(yp), 2, figsize=(9.0, 3.6 * len(yp)), squeeze=False)
    for p, y in enumerate(yp):
        for c, (key, k, name) in enumerate((("spectra_x", rep["kx"], "x"), ("spectra_z", rep["kz"], "z"))):
            ax = axes[p][c]
            for i, (lab, r) in enumerate(rep["runs"]):
                e = r[key][p]
                ax.loglog(k[1:], np.where(e[1:] > 0, e[1:], np.nan), **style(i, lab))
            ax.set_xlabel(rf"$k_{name}$")
            ax.set_ylabel(rf"$E^+(k_{name})$")
            ax.set_title(rf"$y^+ = {y:.3g}$", fontsize=10)
            ax.grid(alpha=0.3, which="both")
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes[0][0].legend(fontsize=8)
    save(fig, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("--out-prefix", help="path prefix of the PNG files (default: the report without .h5)")
    a = ap.parse_args()
    rep = load(a.report)
    prefix = a.out_prefix or (a.report[:-3] if a.report.endswith(".h5") else a.report)
    d = os.path.dirname(prefix)
    if d:
        os.makedirs(d, exist_ok=True)
    plot_error(rep, prefix + "_error.png")
    plot_profiles(rep, prefix + "_U_plus.png", ["U_plus"], [r"$U^+$"])
    plot_profiles(rep, prefix + "_rms.png", ["urms_plus", "vrms_plus", "wrms_plus"],
                  [r"$u'^+_{rms}$", r"$v'^+_{rms}$", r"$w'^+_{rms}$"])
    plot_profiles(rep, prefix + "_uv.png", ["uv_plus"], [r"$-\overline{u'v'}^+$"])
    plot_spectra(rep, prefix + "_spectra.png")


if __name__ == "__main__":
    main()
