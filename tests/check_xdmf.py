#!/usr/bin/python3
"""Checks an XDMF sidecar written by flowcast: it parses as XML, every HDF5 reference
(file.h5:/path) names an existing dataset whose shape matches the DataItem's
Dimensions, and it has the expected steps and attributes.

usage: check_xdmf.py FILE.xmf [--steps N] [--attributes a,b]
Needs Debian's python3-h5py (run with /usr/bin/python3)."""
import argparse
import os
import sys
import xml.etree.ElementTree as ET

import h5py


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("xmf")
    ap.add_argument("--steps", type=int)
    ap.add_argument("--attributes")
    a = ap.parse_args()
    root = ET.parse(a.xmf).getroot()  # raises on malformed XML
    errors = []
    if root.tag != "Xdmf":
        errors.append(f"root element is {root.tag}, expected Xdmf")
    base = os.path.dirname(os.path.abspath(a.xmf))
    steps = root.findall("./Domain/Grid/Grid")
    if a.steps is not None and len(steps) != a.steps:
        errors.append(f"{len(steps)} steps, expected {a.steps}")
    nrefs = 0
    for grid in steps:
        if grid.find("Time") is None or grid.find("Topology") is None or grid.find("Geometry") is None:
            errors.append(f"grid {grid.get('Name')} lacks Time, Topology or Geometry")
        names = sorted(att.get("Name") for att in grid.findall("Attribute"))
        if a.attributes and names != sorted(a.attributes.split(",")):
            errors.append(f"grid {grid.get('Name')} has attributes {names}, expected {a.attributes}")
        for item in grid.iter("DataItem"):
            if item.get("Format") != "HDF":
                continue
            nrefs += 1
            fname, _, dpath = item.text.strip().partition(":")
            path = os.path.join(base, fname)
            dims = tuple(int(x) for x in item.get("Dimensions").split())
            with h5py.File(path, "r") as f:
                if dpath not in f or not isinstance(f[dpath], h5py.Dataset):
                    errors.append(f"{item.text.strip()}: no such dataset")
                elif f[dpath].shape != dims:
                    errors.append(f"{item.text.strip()}: shape {f[dpath].shape}, XDMF says {dims}")
                elif int(item.get("Precision")) != f[dpath].dtype.itemsize:
                    errors.append(f"{item.text.strip()}: precision {f[dpath].dtype.itemsize}, XDMF says {item.get('Precision')}")
    if nrefs == 0:
        errors.append("no HDF5 references")
    for e in errors:
        print(f"check_xdmf: {a.xmf}: {e}", file=sys.stderr)
    print(f"check_xdmf: {a.xmf}: {len(steps)} steps, {nrefs} dataset references, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
