#!/usr/bin/python3
"""Writes the files cases/channel180.yaml runs on (cases/data/channel180/) from a training run:

  - each checkpoint without the optimizer moments (/optimizer: only `train_resume` needs them),
    its datasets compressed (shuffle + deflate): the weights, normalisation, hyper-parameters and
    validation record are kept bit for bit, so `flowcast rollout` gives the same trajectory;
  - the first N snapshots of the test trajectory (the initial condition and the reference of the
    comparison), compressed the same way, with its grid, parameters and provenance.

usage: ship_channel180.py --reference TRAJ.h5 --snapshots N --out DIR  CKPT.h5:NAME [CKPT.h5:NAME ...]
(Debian's python3-h5py). docs/channel180_surrogates.md says which files made the shipped ones."""
import argparse
import os
import sys

import h5py


def copy_tree(src, dst, skip=(), keep_step=None):
    """Copies attributes, groups and datasets of src into dst (compressed); `skip` names top-level
    members to leave out; keep_step(name) selects the /steps groups kept."""
    for k, v in src.attrs.items():
        dst.attrs[k] = v
    for name, obj in src.items():
        if name in skip:
            continue
        if isinstance(obj, h5py.Group):
            if keep_step and src.name == "/steps" and not keep_step(name):
                continue
            copy_tree(obj, dst.create_group(name), keep_step=keep_step)
        elif obj.shape == () or obj.size < 64:
            d = dst.create_dataset(name, data=obj[()], dtype=obj.dtype)
            for k, v in obj.attrs.items():
                d.attrs[k] = v
        else:
            d = dst.create_dataset(name, data=obj[...], dtype=obj.dtype, shuffle=True, compression="gzip",
                                   compression_opts=9, chunks=True)
            for k, v in obj.attrs.items():
                d.attrs[k] = v


def write_atomic(path, fill):
    tmp = path + ".partial"
    with h5py.File(tmp, "w") as f:
        fill(f)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--snapshots", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("checkpoints", nargs="+", help="CHECKPOINT.h5:NAME (written as OUT/NAME.h5)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for item in a.checkpoints:
        src, _, name = item.rpartition(":")
        if not src or not name:
            sys.exit(f"ship_channel180: '{item}': expected CHECKPOINT.h5:NAME")
        with h5py.File(src, "r") as f:
            write_atomic(os.path.join(a.out, name + ".h5"), lambda g: copy_tree(f, g, skip=("optimizer",)))
        print(f"wrote {os.path.join(a.out, name + '.h5')} from {src} (no optimizer moments)")
    with h5py.File(a.reference, "r") as f:
        steps = sorted(f["steps"])
        if len(steps) < a.snapshots:
            sys.exit(f"ship_channel180: {a.reference} has {len(steps)} snapshots, fewer than {a.snapshots}")
        keep = set(steps[: a.snapshots])
        path = os.path.join(a.out, "reference.h5")
        write_atomic(path, lambda g: copy_tree(f, g, keep_step=lambda s: s in keep))
    print(f"wrote {path}: the first {a.snapshots} of the {len(steps)} snapshots of {a.reference}")


if __name__ == "__main__":
    main()
