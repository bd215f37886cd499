"""The HDF5 files of the PyTorch references (tests/data/*_reference.h5), shared by the
generators in tools/: one group per case with its layer name, integer / real / string
attributes and float32 arrays, read by tests/fc_ref.c."""
import h5py
import numpy as np
import torch


def f32(t):
    return t.detach().to(torch.float32).numpy()


def backward(y, dy, *leaves):
    """Gradients of L = sum(y * dy) with respect to the leaves."""
    return torch.autograd.grad((y * dy).sum(), leaves)


class Writer:
    def __init__(self, path, generator, seed):
        self.f = h5py.File(path, "w", libver="earliest")
        self.f.attrs["generator"] = np.bytes_(generator)
        self.f.attrs["torch_version"] = np.bytes_(torch.__version__)
        self.f.attrs["seed"] = np.int64(seed)
        self.count = 0

    def group(self, name, layer, arrays, **attrs):
        g = self.f.create_group(name)
        g.attrs["layer"] = np.bytes_(layer)  # fixed-length ASCII: simple to read from C
        for k, v in attrs.items():
            if isinstance(v, str):
                g.attrs[k] = np.bytes_(v)
            elif isinstance(v, (list, tuple)):
                g.attrs[k] = np.asarray(v, dtype=np.int32)
            elif isinstance(v, float):
                g.attrs[k] = np.float64(v)
            else:
                g.attrs[k] = np.int32(v)
        for k, v in arrays.items():
            g.create_dataset(k, data=f32(v))
        self.count += 1

    def close(self):
        self.f.close()
