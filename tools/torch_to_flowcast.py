#!/usr/bin/python3
"""Converts a PyTorch FNO / IFNO state dict (tools/fno_torch.py's names) into a flowcast
checkpoint (HDF5 schema flowcast.checkpoint v1, docs/file-format.md) that
fc_checkpoint_load / `flowcast` read for the models of src/models/fc_fno.h.

Usage (Debian's python3, which has torch and h5py):

    /usr/bin/python3 tools/torch_to_flowcast.py STATE.pt OUT.h5 --config CONFIG.json
    /usr/bin/python3 tools/torch_to_flowcast.py STATE.pt OUT.h5 --model fno2d --in-channels 3 \\
        --out-channels 1 --width 20 --modes 12 12 --layers 4 --proj 128 --use-grid 1 \\
        [--norm backward|forward|ortho] [--zero-dc-nyquist-imag 0|1]

STATE.pt is what torch.save(model.state_dict(), "STATE.pt") writes (a dict holding it under
"state_dict" or "model" is accepted too, and a "module." prefix from DataParallel/DDP is
dropped). CONFIG.json holds the model's configuration, e.g.

    {"model_type": "fno2d", "in_channels": 3, "out_channels": 1, "width": 20,
     "modes": [12, 12], "layers": 4, "proj": 128, "use_grid": 1, "norm": "backward",
     "zero_dc_nyquist_imag": 0}

(model_type "fno2d", "fno3d", "ifno2d" or "ifno3d", or implicit + ndim; modes as a list or
as modes0, modes1[, modes2]; norm a name or 0 backward, 1 forward, 2 ortho). Options given on
the command line override the file. Every tensor's shape is checked against the
configuration, and unknown or missing tensors are errors.

What the file holds:
    /                 attributes schema "flowcast.checkpoint", schema_version 1 (int64),
                      flowcast_version, created (UTC), model_type
    /model            the hyper-parameters as float64 attributes, as fc_fno_hparams writes
                      them: implicit, ndim, in_channels, out_channels, width, proj, modes0,
                      modes1, modes2, layers, use_grid, norm (0 backward, 1 forward, 2 ortho),
                      zero_dc_nyquist_imag
    /params/NAME      float32, attribute trainable = 1, in flowcast's layouts:
                      Linear weight [out][in] (as torch); the pointwise Conv weights
                      [w, w, 1, 1(, 1)] become [w][w]; the complex spectral blocks weights1..
                      merge into layers.L.spectral.weight [nmodes][width][width][2] (re, im),
                      the kept modes ordered axis by axis, first axis slowest, each non-last
                      axis's kept indices 0..m-1 then n-m..n-1, the last axis 0..m-1
    /training         step = epoch = rng_seed = rng_counter = 0 (int64)

As a module:
    from torch_to_flowcast import convert, to_torch, write_checkpoint
    tensors = convert(state_dict, config)   # {flowcast name: float32 numpy array}
    write_checkpoint("model.h5", tensors, config)
convert also maps gradients (a dict of .grad tensors under the state-dict names) the same
way: the complex gradient dL/dRe + i dL/dIm becomes the (re, im) pair flowcast keeps.
to_torch(tensors, config) is the inverse (a state dict for fno_torch.build_model).
"""
import argparse
import json
import os
import re
import sys
import time

import numpy as np

NORMS = ("backward", "forward", "ortho")
MODEL_TYPES = {"fno2d": (0, 2), "fno3d": (0, 3), "ifno2d": (1, 2), "ifno3d": (1, 3)}


# ---- configuration --------------------------------------------------------------------
def normalize_config(config):
    """A checked copy of the configuration with every field: model_type, implicit, ndim,
    in_channels, out_channels, width, proj, modes (list of ndim), layers, use_grid, norm (a
    name), zero_dc_nyquist_imag."""
    c = dict(config)
    if "model_type" in c and c["model_type"] is not None:
        if c["model_type"] not in MODEL_TYPES:
            raise ValueError("model_type %r: expected one of %s" % (c["model_type"], ", ".join(MODEL_TYPES)))
        implicit, ndim = MODEL_TYPES[c["model_type"]]
        for k, v in (("implicit", implicit), ("ndim", ndim)):
            if k in c and c[k] is not None and int(c[k]) != v:
                raise ValueError("model_type %s but %s = %s" % (c["model_type"], k, c[k]))
        c["implicit"], c["ndim"] = implicit, ndim
    for k in ("implicit", "ndim"):
        if c.get(k) is None:
            raise ValueError("the configuration needs model_type (or implicit and ndim)")
    out = {"implicit": int(c["implicit"]), "ndim": int(c["ndim"])}
    if out["ndim"] not in (2, 3) or out["implicit"] not in (0, 1):
        raise ValueError("implicit %d, ndim %d: expected 0/1 and 2/3" % (out["implicit"], out["ndim"]))
    out["model_type"] = ("ifno%dd" if out["implicit"] else "fno%dd") % out["ndim"]
    for k in ("in_channels", "out_channels", "width", "proj", "layers"):
        if c.get(k) is None:
            raise ValueError("the configuration lacks %s" % k)
        out[k] = int(c[k])
        if out[k] < 1:
            raise ValueError("%s = %d" % (k, out[k]))
    modes = c.get("modes")
    if modes is None:
        try:
            modes = [c["modes%d" % a] for a in range(out["ndim"])]
        except KeyError:
            raise ValueError("the configuration lacks modes (a list, or modes0..modes%d)" % (out["ndim"] - 1))
    modes = [int(m) for m in modes]
    if len(modes) == 3 and out["ndim"] == 2 and modes[2] in (0, 1):  # modes0..2 of a 2D model
        modes = modes[:2]
    if len(modes) != out["ndim"] or min(modes) < 1:
        raise ValueError("modes %s for a %dD model" % (modes, out["ndim"]))
    out["modes"] = modes
    out["use_grid"] = int(c.get("use_grid", 1))
    norm = c.get("norm", "backward")
    if not isinstance(norm, str):
        norm = NORMS[int(norm)]
    if norm not in NORMS:
        raise ValueError("norm %r: expected one of %s" % (norm, ", ".join(NORMS)))
    out["norm"] = norm
    out["zero_dc_nyquist_imag"] = int(c.get("zero_dc_nyquist_imag", 0))
    return out


def nmodes(config):
    m = config["modes"]
    return int(np.prod([2 * k for k in m[:-1]]) * m[-1])


def hparams(config):
    """The /model attributes (name -> float64), as fc_fno_hparams writes them."""
    c = normalize_config(config)
    m = c["modes"] + [0] * (3 - c["ndim"])
    return {"implicit": c["implicit"], "ndim": c["ndim"], "in_channels": c["in_channels"],
            "out_channels": c["out_channels"], "width": c["width"], "proj": c["proj"], "modes0": m[0],
            "modes1": m[1], "modes2": m[2], "layers": c["layers"], "use_grid": c["use_grid"],
            "norm": NORMS.index(c["norm"]), "zero_dc_nyquist_imag": c["zero_dc_nyquist_imag"]}


def layer_prefixes(config):
    c = normalize_config(config)
    return ["layer"] if c["implicit"] else ["layers.%d" % l for l in range(c["layers"])]


def flowcast_shapes(config):
    """{flowcast name: shape} in the order flowcast declares them."""
    c = normalize_config(config)
    w, lin = c["width"], c["in_channels"] + c["ndim"] * c["use_grid"]
    s = {"lift.weight": (w, lin), "lift.bias": (w,)}
    for p in layer_prefixes(c):
        s[p + ".spectral.weight"] = (nmodes(c), w, w, 2)
        s[p + ".pointwise.weight"] = (w, w)
        s[p + ".pointwise.bias"] = (w,)
    s.update({"proj1.weight": (c["proj"], w), "proj1.bias": (c["proj"],), "proj2.weight": (c["out_channels"], c["proj"]),
              "proj2.bias": (c["out_channels"],)})
    return s


# ---- the spectral weights --------------------------------------------------------------
def _complex(t, name):
    """A complex numpy array from a complex tensor/array or a real one with a trailing (re, im) axis."""
    a = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
    if np.iscomplexobj(a):
        return a.astype(np.complex128)
    if a.shape[-1] != 2:
        raise ValueError("%s: real tensor of shape %s is not a complex weight (no trailing axis of 2)" % (name, a.shape))
    return a[..., 0].astype(np.float64) + 1j * a[..., 1].astype(np.float64)


def blocks_to_flowcast(blocks, modes):
    """The FNO code's complex blocks ([cin, cout, m...] each: 2D weights1 rows 0..m0-1,
    weights2 rows n0-m0..; 3D weights1..4 = (lo0, lo1), (hi0, lo1), (lo0, hi1), (hi0, hi1))
    -> flowcast's W [nmodes][cin][cout][2] (float64)."""
    nd = len(modes)
    cin, cout = blocks[0].shape[:2]
    if nd == 2:
        full = np.concatenate([blocks[0], blocks[1]], axis=2)  # [cin, cout, 2 m0, m1]
    else:
        lo1 = np.concatenate([blocks[0], blocks[1]], axis=2)  # axis 0 lo then hi, axis 1 lo
        hi1 = np.concatenate([blocks[2], blocks[3]], axis=2)
        full = np.concatenate([lo1, hi1], axis=3)  # [cin, cout, 2 m0, 2 m1, m2]
    full = np.moveaxis(full, (0, 1), (-2, -1)).reshape(-1, cin, cout)  # modes first, first axis slowest
    return np.stack([full.real, full.imag], axis=-1)


def flowcast_to_blocks(W, modes):
    """Inverse of blocks_to_flowcast: W [nmodes][cin][cout][2] -> list of complex blocks."""
    nd = len(modes)
    W = np.asarray(W, dtype=np.float64)
    cin, cout = W.shape[1:3]
    ext = [2 * m for m in modes[:-1]] + [modes[-1]]
    full = (W[..., 0] + 1j * W[..., 1]).reshape(*ext, cin, cout)
    full = np.moveaxis(full, (-2, -1), (0, 1))  # [cin, cout, modes...]
    m0 = modes[0]
    if nd == 2:
        return [full[:, :, :m0], full[:, :, m0:]]
    m1 = modes[1]
    return [full[:, :, :m0, :m1], full[:, :, m0:, :m1], full[:, :, :m0, m1:], full[:, :, m0:, m1:]]


# ---- conversion -------------------------------------------------------------------------
def _clean(state_dict):
    sd = state_dict
    for key in ("state_dict", "model"):
        if isinstance(sd, dict) and key in sd and isinstance(sd[key], dict) and "lift.weight" not in sd:
            sd = sd[key]
    out = {}
    for k, v in sd.items():
        out[k[7:] if k.startswith("module.") else k] = v
    return out


def _real(t):
    a = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
    if np.iscomplexobj(a):
        raise ValueError("unexpected complex tensor")
    return a.astype(np.float64)


def convert(state_dict, config, dtype=np.float32):
    """{torch state-dict name: tensor} -> {flowcast name: numpy array (dtype, flowcast layout)}.
    Raises ValueError naming the first tensor that is missing, unknown or of the wrong shape."""
    c = normalize_config(config)
    sd = _clean(state_dict)
    shapes = flowcast_shapes(c)
    nb = 2 ** (c["ndim"] - 1)
    w = c["width"]
    out, used = {}, set()

    def take(name):
        if name not in sd:
            raise ValueError("state dict lacks '%s' (a %s with this configuration needs it)" % (name, c["model_type"]))
        used.add(name)
        return sd[name]

    for name, shape in shapes.items():
        if name.endswith(".spectral.weight"):
            prefix = name[: -len("weight")]
            blocks = []
            for b in range(nb):
                bname = prefix + "weights%d" % (b + 1)
                blk = _complex(take(bname), bname)
                want = (w, w) + tuple(c["modes"])
                if blk.shape != want:
                    raise ValueError("'%s' has shape %s, the configuration needs %s (complex [in, out, modes...])"
                                     % (bname, blk.shape, want))
                blocks.append(blk)
            a = blocks_to_flowcast(blocks, c["modes"])
        else:
            a = _real(take(name))
            if name.endswith(".pointwise.weight") and a.ndim > 2:  # Conv weight [out, in, 1, 1(, 1)]
                if any(s != 1 for s in a.shape[2:]):
                    raise ValueError("'%s' has shape %s: a pointwise (kernel 1) convolution was expected" % (name, a.shape))
                a = a.reshape(a.shape[:2])
            if a.shape != shape:
                raise ValueError("'%s' has shape %s, the configuration needs %s" % (name, a.shape, shape))
        if a.shape != shape:
            raise AssertionError((name, a.shape, shape))
        out[name] = np.ascontiguousarray(a.astype(dtype))
    extra = sorted(set(sd) - used)
    if extra:
        raise ValueError("state dict has tensors a %s with this configuration does not: %s"
                         % (c["model_type"], ", ".join(extra)))
    return out


def to_torch(tensors, config):
    """{flowcast name: array} -> a state dict for fno_torch.build_model(config) (float32)."""
    import torch
    c = normalize_config(config)
    sd = {}
    for name, a in tensors.items():
        if name.endswith(".spectral.weight"):
            prefix = name[: -len("weight")]
            for b, blk in enumerate(flowcast_to_blocks(a, c["modes"])):
                sd[prefix + "weights%d" % (b + 1)] = torch.from_numpy(np.ascontiguousarray(blk)).to(torch.complex64)
        elif name.endswith(".pointwise.weight"):
            sd[name] = torch.from_numpy(np.asarray(a, dtype=np.float32).reshape(a.shape + (1,) * c["ndim"]))
        else:
            sd[name] = torch.from_numpy(np.asarray(a, dtype=np.float32))
    return sd


# ---- the checkpoint file -----------------------------------------------------------------
def flowcast_version():
    """The project version from the source tree's CMakeLists.txt (project(flowcast VERSION x))."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "CMakeLists.txt")
    try:
        with open(path) as f:
            m = re.search(r"project\s*\(\s*flowcast\s+VERSION\s+([0-9.]+)", f.read())
            if m:
                return m.group(1)
    except OSError:
        pass
    return "0.1.0"


def write_checkpoint(path, tensors, config, created=None):
    """Writes a flowcast.checkpoint v1 file (to PATH.partial, renamed when complete)."""
    import h5py
    c = normalize_config(config)
    shapes = flowcast_shapes(c)
    if set(tensors) != set(shapes):
        raise ValueError("tensors %s do not match the model's %s" % (sorted(tensors), sorted(shapes)))
    created = created or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    partial = path + ".partial"
    try:
        with h5py.File(partial, "w") as f:
            s = lambda v: np.bytes_(v)  # fixed-length, null-padded ASCII (as flowcast writes)
            f.attrs["schema"] = s("flowcast.checkpoint")
            f.attrs["schema_version"] = np.int64(1)
            f.attrs["flowcast_version"] = s(flowcast_version())
            f.attrs["created"] = s(created)
            f.attrs["model_type"] = s(c["model_type"])
            g = f.create_group("model")
            for k, v in hparams(c).items():
                g.attrs[k] = np.float64(v)
            g = f.create_group("params")
            for name in shapes:  # flowcast's declaration order
                a = np.asarray(tensors[name], dtype=np.float32)
                if a.shape != shapes[name]:
                    raise ValueError("'%s' has shape %s, expected %s" % (name, a.shape, shapes[name]))
                if not np.all(np.isfinite(a)):
                    raise ValueError("'%s' holds NaN/Inf values" % name)
                d = g.create_dataset(name, data=a)
                d.attrs["trainable"] = np.int64(1)
            g = f.create_group("training")
            for k in ("step", "epoch", "rng_seed", "rng_counter"):
                g.attrs[k] = np.int64(0)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise


# ---- command line -------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description="PyTorch FNO/IFNO state dict -> flowcast checkpoint (HDF5)",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the header of tools/torch_to_flowcast.py for the layout.")
    ap.add_argument("state", help="state dict saved with torch.save(model.state_dict(), PATH)")
    ap.add_argument("output", help="flowcast checkpoint to write (.h5)")
    ap.add_argument("--config", help="JSON file with the model's configuration")
    ap.add_argument("--model", dest="model_type", choices=sorted(MODEL_TYPES))
    ap.add_argument("--in-channels", type=int)
    ap.add_argument("--out-channels", type=int)
    ap.add_argument("--width", type=int)
    ap.add_argument("--proj", type=int)
    ap.add_argument("--modes", type=int, nargs="+")
    ap.add_argument("--layers", type=int, help="Fourier layers (FNO) or iterations (IFNO)")
    ap.add_argument("--use-grid", type=int, choices=(0, 1))
    ap.add_argument("--norm", choices=NORMS)
    ap.add_argument("--zero-dc-nyquist-imag", type=int, choices=(0, 1))
    a = ap.parse_args(argv)
    config = {}
    if a.config:
        with open(a.config) as f:
            config = json.load(f)
    for k in ("model_type", "in_channels", "out_channels", "width", "proj", "modes", "layers", "use_grid", "norm",
              "zero_dc_nyquist_imag"):
        v = getattr(a, k)
        if v is not None:
            config[k] = v
            if k == "model_type":
                config.pop("implicit", None)
                config.pop("ndim", None)
    import torch
    try:
        state = torch.load(a.state, map_location="cpu")
        cfg = normalize_config(config)
        tensors = convert(state, cfg)
        write_checkpoint(a.output, tensors, cfg)
    except (ValueError, OSError) as e:
        sys.exit("torch_to_flowcast: error: %s" % e)
    count = sum(int(np.prod(t.shape)) for t in tensors.values())
    print("%s: %s, %d tensors, %d parameters" % (a.output, cfg["model_type"], len(tensors), count))


if __name__ == "__main__":
    main()
