#!/usr/bin/python3
"""Plots channel statistics files (flowcast.channel_stats) against Moser, Kim & Mansour (1999).

    /usr/bin/python3 tools/plot_channel_stats.py STATS.h5 [MORE.h5 ...] \\
        [--mkm ../shared/reference/channel/mkm180] [--labels A,B] --out DIR \\
        [--check centreline=3,urms_peak=5]

Writes DIR/U_plus.png (U+ against y+, log x, with the viscous and log laws), DIR/rms.png (rms of
u', v', w' in wall units), DIR/uv.png (-u'v'+), DIR/spectra_x.png and DIR/spectra_z.png (the 1D
spectra at the files' planes, E/u_tau^2 against k h; MKM has none) and DIR/summary.md, a table
per file of Re_tau, U_b+, centreline U+, the rms and -uv+ peaks (value and y+), Cf, the
averaging time (also in h/u_tau) and the samples, each with MKM's value and the difference in
percent (also printed). Peaks are refined by a parabola through the largest sample and its
neighbours; flowcast's centreline U+ is the folded profile's last centre (the centreline itself
when ny is odd, half a cell below it when ny is even). --check KEY=PCT,... exits with status 1 when a file's relative
difference from MKM exceeds PCT percent for KEY (keys: re_tau, ub_plus, centreline, urms_peak,
urms_peak_yplus, vrms_peak, vrms_peak_yplus, wrms_peak, wrms_peak_yplus, uv_peak, uv_peak_yplus,
cf). The file layout is in docs/file-format.md ("Channel statistics"). Needs Debian's
python3-numpy, python3-h5py and python3-matplotlib (Agg backend)."""
import argparse
import os
import re
import signal
import sys

import h5py
import numpy as np
import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

KAPPA, B_LOG = 0.41, 5.2
DEFAULT_MKM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "reference", "channel",
                           "mkm180")

# key, description (MKM has values for all but the averaging time and the samples)
ROWS = [
    ("re_tau", "Re_tau"),
    ("ub_plus", "U_b+ (bulk velocity)"),
    ("centreline", "centreline U+"),
    ("urms_peak", "u_rms+ peak"),
    ("urms_peak_yplus", "y+ of the u_rms+ peak"),
    ("vrms_peak", "v_rms+ peak"),
    ("vrms_peak_yplus", "y+ of the v_rms+ peak"),
    ("wrms_peak", "w_rms+ peak"),
    ("wrms_peak_yplus", "y+ of the w_rms+ peak"),
    ("uv_peak", "-u'v'+ peak"),
    ("uv_peak_yplus", "y+ of the -u'v'+ peak"),
    ("cf", "Cf = 2 tau_w / U_b^2"),
    ("avg_time", "averaging time t_last - t_first"),
    ("avg_time_plus", "averaging time in h / u_tau"),
    ("samples", "samples"),
]
CHECK_KEYS = {k for k, _ in ROWS} - {"avg_time", "avg_time_plus", "samples"}


def read_table(path):
    """Whitespace-separated rows, '#' comments; returns (array, header text)."""
    rows, header = [], []
    with open(path) as f:
        for line in f:
            s = line.strip()
            if not s:
                continue
            if s.startswith("#"):
                header.append(s)
                continue
            rows.append([float(v) for v in s.split()])
    return np.array(rows), "\n".join(header)


def peak(yp, f):
    """Maximum of f(y+), refined by the parabola through the largest sample and its neighbours."""
    i = int(np.argmax(f))
    if 0 < i < len(f) - 1:
        x, y = yp[i - 1:i + 2], f[i - 1:i + 2]
        c = np.polyfit(x, y, 2)
        if c[0] < 0:
            xv = -c[1] / (2 * c[0])
            if x[0] <= xv <= x[2]:
                return float(np.polyval(c, xv)), float(xv)
    return float(f[i]), float(yp[i])


def load_mkm(d):
    means, head = read_table(os.path.join(d, "chan180.means"))
    rs, _ = read_table(os.path.join(d, "chan180.reystress"))
    m = re.search(r"^#\s*Re_tau\s*=\s*([0-9.]+)", head, re.M)  # the "# Re_tau = 178.12" line, not the title
    re_tau = float(m.group(1)) if m else float(means[-1, 1])
    y, yp, up = means[:, 0], means[:, 1], means[:, 2]
    trapz = getattr(np, "trapezoid", None) or np.trapz  # numpy 2 renamed it
    ub = float(trapz(up, y) / (y[-1] - y[0]))
    prof = {"yplus": yp, "U_plus": up, "u_rms_plus": np.sqrt(np.maximum(rs[:, 2], 0)),
            "v_rms_plus": np.sqrt(np.maximum(rs[:, 3], 0)), "w_rms_plus": np.sqrt(np.maximum(rs[:, 4], 0)),
            "uv_plus": -rs[:, 5], "yplus_rs": rs[:, 1]}
    s = {"re_tau": re_tau, "ub_plus": ub, "centreline": float(up[-1]), "cf": 2.0 / ub ** 2}
    for key, name in (("urms", "u_rms_plus"), ("vrms", "v_rms_plus"), ("wrms", "w_rms_plus"), ("uv", "uv_plus")):
        s[key + "_peak"], s[key + "_peak_yplus"] = peak(rs[:, 1], prof[name])
    return prof, s


def load_stats(path):
    with h5py.File(path, "r") as f:
        schema = f.attrs.get("schema", b"")
        schema = schema.decode() if isinstance(schema, bytes) else str(schema)
        if schema != "flowcast.channel_stats":
            raise SystemExit(f"plot_channel_stats: '{path}' has schema '{schema}', expected 'flowcast.channel_stats'")
        a = {k: f.attrs[k] for k in f.attrs}
        prof = {k: f[k][:] for k in ("y", "yplus", "U_plus", "u_rms_plus", "v_rms_plus", "w_rms_plus", "uv_plus")}
        spec = None
        if "spectra" in f and int(f["spectra"].attrs.get("nplanes", 0)) > 0:
            g = f["spectra"]
            spec = {k: g[k][:] for k in ("kx", "kz", "y", "yplus", "Euu_x", "Evv_x", "Eww_x", "Euu_z", "Evv_z",
                                         "Eww_z")}
    utau, h = float(a["u_tau"]), 0.5 * float(a["ly"])
    s = {"re_tau": float(a["re_tau"]), "ub_plus": float(a["bulk_velocity"]) / utau if utau > 0 else float("nan"),
         "centreline": float(prof["U_plus"][-1]), "cf": float(a["cf"]),
         "avg_time": float(a["t_last"]) - float(a["t_first"]), "samples": int(a["samples"])}
    s["avg_time_plus"] = s["avg_time"] * utau / h
    for key, name in (("urms", "u_rms_plus"), ("vrms", "v_rms_plus"), ("wrms", "w_rms_plus"), ("uv", "uv_plus")):
        s[key + "_peak"], s[key + "_peak_yplus"] = peak(prof["yplus"], prof[name])
    return {"prof": prof, "spec": spec, "summary": s, "u_tau": utau, "h": h, "attrs": a}


def save(fig, path):
    tmp = path + ".partial.png"
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
    return path


def plot_profiles(runs, mkm, out):
    written = []
    styles = ["-", "--", "-.", ":"]
    # U+
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    if mkm:
        ax.semilogx(mkm["yplus"][1:], mkm["U_plus"][1:], "k-", lw=2.2, alpha=0.6, label="MKM 1999, Re_tau 178")
    ymax = max([r["prof"]["yplus"].max() for _, r in runs] + ([mkm["yplus"].max()] if mkm else []))
    yl = np.logspace(0, np.log10(ymax), 100)
    ax.semilogx(yl[yl <= 12], yl[yl <= 12], "k:", lw=1, label="U+ = y+")
    ax.semilogx(yl[yl >= 8], np.log(yl[yl >= 8]) / KAPPA + B_LOG, "k--", lw=1, label=f"ln(y+)/{KAPPA} + {B_LOG}")
    for n, (label, r) in enumerate(runs):
        ax.semilogx(r["prof"]["yplus"], r["prof"]["U_plus"], marker="o", ms=3, ls=styles[n % 4], label=label)
    ax.set_xlabel("y+")
    ax.set_ylabel("U+")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("mean velocity")
    fig.tight_layout()
    written.append(save(fig, os.path.join(out, "U_plus.png")))
    # rms
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    comps = (("u_rms_plus", "u'", "C0"), ("v_rms_plus", "v'", "C1"), ("w_rms_plus", "w'", "C2"))
    for name, sym, col in comps:
        if mkm:
            ax.plot(mkm["yplus_rs"], mkm[name], color=col, lw=2.2, alpha=0.45, label=f"{sym} MKM")
        for n, (label, r) in enumerate(runs):
            ax.plot(r["prof"]["yplus"], r["prof"][name], color=col, ls=styles[n % 4], marker="os^v"[n % 4], ms=3,
                    label=f"{sym} {label}")
    ax.set_xlabel("y+")
    ax.set_ylabel("rms / u_tau")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    ax.set_title("velocity fluctuations")
    fig.tight_layout()
    written.append(save(fig, os.path.join(out, "rms.png")))
    # -uv+
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    if mkm:
        ax.plot(mkm["yplus_rs"], mkm["uv_plus"], "k-", lw=2.2, alpha=0.6, label="MKM 1999")
    for n, (label, r) in enumerate(runs):
        ax.plot(r["prof"]["yplus"], r["prof"]["uv_plus"], marker="o", ms=3, ls=styles[n % 4], label=label)
    ax.set_xlabel("y+")
    ax.set_ylabel("-u'v' / u_tau^2")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Reynolds shear stress")
    fig.tight_layout()
    written.append(save(fig, os.path.join(out, "uv.png")))
    return written


def plot_spectra(runs, out):
    written = []
    styles = ["-", "--", "-.", ":"]
    have = [(label, r) for label, r in runs if r["spec"] is not None]
    if not have:
        return written
    for d in ("x", "z"):
        fig, axs = plt.subplots(1, 3, figsize=(13, 4.2), dpi=110, sharey=True)
        top = 0.0
        for c, comp in enumerate(("uu", "vv", "ww")):
            ax = axs[c]
            for n, (label, r) in enumerate(have):
                s, ut2 = r["spec"], r["u_tau"] ** 2
                k = s["k" + d][1:] * r["h"]
                e = s[f"E{comp}_{d}"][:, 1:] / ut2
                top = max(top, float(e.max()) if e.size else 0.0)
                for p in range(e.shape[0]):
                    ok = e[p] > 0
                    ax.loglog(k[ok], e[p][ok], color=f"C{p % 10}", ls=styles[n % 4],
                              label=f"{label} y+ {s['yplus'][p]:.1f}")
            ax.set_xlabel(f"k_{d} h")
            ax.set_title(f"E_{comp} along {d}")
            ax.grid(True, which="both", alpha=0.3)
            ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.xaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        if top > 0:  # round-off at modes the centre interpolation removes (u at kx Nyquist) would squash the rest
            axs[0].set_ylim(1e-7 * top, 2 * top)
        axs[0].set_ylabel("E / u_tau^2 (energy per mode)")
        axs[0].legend(fontsize=7)
        fig.suptitle(f"1D spectra along {d} (sum over modes = plane variance; k = 0 not shown)")
        fig.tight_layout()
        written.append(save(fig, os.path.join(out, f"spectra_{d}.png")))
    return written


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, int):
        return str(v)
    if not np.isfinite(v):
        return "nan"
    a = abs(v)
    return f"{v:.4e}" if (a != 0 and (a < 1e-2 or a >= 1e5)) else f"{v:.4g}"


def summary_tables(runs, mkm_s):
    lines, diffs = [], {}
    for label, r in runs:
        s = r["summary"]
        lines.append(f"## {label}\n")
        lines.append(f"file: `{r['path']}`\n")
        lines.append("| quantity | flowcast | MKM (Re_tau 178.12) | difference |")
        lines.append("|---|---|---|---|")
        diffs[label] = {}
        for key, name in ROWS:
            ref = mkm_s.get(key) if mkm_s else None
            v = s.get(key)
            d = None
            if ref is not None and v is not None and ref != 0 and np.isfinite(v):
                d = 100.0 * (v - ref) / abs(ref)
                diffs[label][key] = d
            lines.append(f"| {name} | {fmt(v)} | {fmt(ref)} | {'-' if d is None else f'{d:+.1f} %'} |")
        lines.append("")
    return "\n".join(lines), diffs


def parse_check(ap, text):
    """KEY=PERCENT,... (a usage error exits with status 2)."""
    out = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        if "=" not in item:
            ap.error(f"--check item '{item}': expected KEY=PERCENT")
        k, v = item.split("=", 1)
        k = k.strip()
        if k not in CHECK_KEYS:
            ap.error(f"--check key '{k}' unknown; keys: {', '.join(sorted(CHECK_KEYS))}")
        try:
            out[k] = float(v)
        except ValueError:
            ap.error(f"--check {k}={v}: the threshold must be a number (percent)")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("stats", nargs="+", help="channel statistics files (HDF5)")
    ap.add_argument("--mkm", default=DEFAULT_MKM, help="directory of chan180.means and chan180.reystress ('none': "
                    "no reference)")
    ap.add_argument("--labels", help="comma-separated labels, one per file")
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--check", default="", help="thresholds in percent, e.g. centreline=3,urms_peak=5")
    a = ap.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # ... | head ends quietly
    checks = parse_check(ap, a.check)
    labels = a.labels.split(",") if a.labels else [os.path.splitext(os.path.basename(p))[0] for p in a.stats]
    if len(labels) != len(a.stats):
        ap.error(f"{len(labels)} label(s) for {len(a.stats)} file(s)")
    mkm, mkm_s = None, None
    if a.mkm and a.mkm.lower() != "none":
        if not os.path.isdir(a.mkm):
            raise SystemExit(f"plot_channel_stats: MKM directory '{a.mkm}' does not exist (--mkm DIR or --mkm none)")
        mkm, mkm_s = load_mkm(a.mkm)
    elif checks:
        ap.error("--check needs the MKM reference (--mkm DIR)")
    runs = []
    for path, label in zip(a.stats, labels):
        r = load_stats(path)
        r["path"] = path
        if r["summary"]["samples"] == 0 or not r["u_tau"] > 0:
            print(f"plot_channel_stats: warning: '{path}' has no samples or no wall shear; skipped", file=sys.stderr)
            continue
        runs.append((label, r))
    if not runs:
        raise SystemExit("plot_channel_stats: no file with statistics to plot")
    os.makedirs(a.out, exist_ok=True)
    written = plot_profiles(runs, mkm, a.out) + plot_spectra(runs, a.out)
    text, diffs = summary_tables(runs, mkm_s)
    md = os.path.join(a.out, "summary.md")
    with open(md + ".partial", "w") as f:
        f.write("# Channel statistics against Moser, Kim & Mansour (1999)\n\n" + text)
    os.replace(md + ".partial", md)
    print(text)
    for w in written + [md]:
        print(f"wrote {w}")
    failed = []
    for label, d in diffs.items():
        for k, thr in checks.items():
            if k not in d:
                failed.append(f"{label}: {k} has no value to compare")
            elif abs(d[k]) > thr:
                failed.append(f"{label}: {k} differs from MKM by {d[k]:+.2f} % (threshold {thr:g} %)")
    for k, thr in checks.items():
        for label, d in diffs.items():
            if k in d and abs(d[k]) <= thr:
                print(f"check ok: {label}: {k} {d[k]:+.2f} % (threshold {thr:g} %)")
    if failed:
        for m in failed:
            print(f"check FAILED: {m}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
