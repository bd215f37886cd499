#!/usr/bin/python3
"""Checks flowcast train's best checkpoint against the last one and the training log:
  - both record the same /normalization/validation_best = (lowest validation loss, its epoch);
  - the best file's /training@epoch is that epoch;
  - that loss is the smallest 'val' of the log's epoch lines, and the epoch is the one marked (best) last;
  - when the best epoch is the last one, the two files hold the same parameters.

usage: check_best_checkpoint.py LAST.h5 BEST.h5 LOG   (Debian's python3-h5py)"""
import re
import sys

import h5py
import numpy as np


def main():
    last, best, log = sys.argv[1:4]
    vals = [(int(m.group(1)), float(m.group(2)), bool(m.group(3)))
            for m in re.finditer(r"^epoch (\d+)/\d+ +loss \S+ +val (\S+)( \(best\))?", open(log).read(), re.M)]
    problems = []
    if not vals:
        problems.append(f"no epoch lines in {log}")
    with h5py.File(last, "r") as fl, h5py.File(best, "r") as fb:
        vl, vb = fl["normalization/validation_best"][...], fb["normalization/validation_best"][...]
        if not np.array_equal(vl, vb):
            problems.append(f"validation_best differs: {vl} (last) vs {vb} (best)")
        epoch = int(fb["training"].attrs["epoch"])
        if epoch != int(vb[1]):
            problems.append(f"best file's epoch {epoch} but validation_best names epoch {vb[1]}")
        if vals:
            low = min(vals, key=lambda v: v[1])
            marked = [v[0] for v in vals if v[2]]
            if abs(low[1] - vb[0]) > 1e-4 * abs(low[1]):
                problems.append(f"lowest logged val {low[1]} (epoch {low[0]}) but the checkpoint records {vb[0]}")
            if not marked or marked[-1] != epoch:
                problems.append(f"the last epoch marked (best) is {marked[-1:]} but the best file is epoch {epoch}")
            if epoch == vals[-1][0]:
                for name, d in fl["params"].items():
                    if not np.array_equal(d[...], fb["params"][name][...]):
                        problems.append(f"best epoch is the last but /params/{name} differs")
    for p in problems:
        print("check_best_checkpoint:", p)
    print(f"check_best_checkpoint: {len(vals)} epochs, best epoch {epoch} val {vb[0]:.6g}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
