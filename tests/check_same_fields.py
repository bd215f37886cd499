#!/usr/bin/python3
"""Checks that two flowcast field files hold the same steps and fields to a relative
tolerance: for every dataset under /steps, max |a - b| <= tol * max |b|.

usage: check_same_fields.py A.h5 B.h5 [--tol 1e-5]   (Debian's python3-h5py)"""
import argparse
import sys

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tol", type=float, default=1e-5)
    args = ap.parse_args()
    worst, n, problems = 0.0, 0, []
    with h5py.File(args.a, "r") as fa, h5py.File(args.b, "r") as fb:
        if sorted(fa["steps"]) != sorted(fb["steps"]):
            problems.append("different step lists")
        for step in sorted(set(fa["steps"]) & set(fb["steps"])):
            for name, da in fa["steps"][step].items():
                if name not in fb["steps"][step]:
                    problems.append(f"/steps/{step}/{name} missing in {args.b}")
                    continue
                a, b = da[...].astype(np.float64), fb["steps"][step][name][...].astype(np.float64)
                if a.shape != b.shape:
                    problems.append(f"/steps/{step}/{name}: shapes {a.shape} and {b.shape}")
                    continue
                rel = np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)
                worst = max(worst, rel)
                n += 1
                if rel > args.tol:
                    problems.append(f"/steps/{step}/{name}: relative difference {rel:.3g} > {args.tol:g}")
    for p in problems:
        print("check_same_fields: " + p, file=sys.stderr)
    print(f"check_same_fields: {n} datasets compared, largest relative difference {worst:.3g}")
    return 1 if problems or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
