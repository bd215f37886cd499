#!/usr/bin/python3
"""PyTorch side of bench/fno2d: the same FNO-2D (tools/fno_torch.py) with the weights of the
flowcast checkpoint argv[1], the same shapes and thread count; prints `torch_NAME_ms = X`
(median after warm-up): infer_b1 and infer_b20 (forward under no_grad), train_b20 (forward,
relative L2 loss, backward, Adam step)."""
import os
import sys

import h5py
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_util import median_ms  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import fno_torch  # noqa: E402
import torch_to_flowcast  # noqa: E402

path, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
with h5py.File(path, "r") as f:
    config = {k: float(v) for k, v in f["model"].attrs.items()}
    config["model_type"] = f.attrs["model_type"].decode() if isinstance(f.attrs["model_type"], bytes) else str(f.attrs["model_type"])
    tensors = {k: v[:] for k, v in f["params"].items()}
model = fno_torch.build_model(config)
model.load_state_dict(torch_to_flowcast.to_torch(tensors, config))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)


def infer(batch):
    x = torch.rand(batch, 64, 64, 10) - 0.5

    def step():
        with torch.no_grad():
            model(x)
    return median_ms(step, reps)


def train(batch):
    x = torch.rand(batch, 64, 64, 10) - 0.5
    y = torch.rand(batch, 64, 64, 1) - 0.5

    def step():
        opt.zero_grad()
        out = model(x)
        diff = (out - y).reshape(batch, -1).norm(dim=1) / y.reshape(batch, -1).norm(dim=1)
        diff.mean().backward()
        opt.step()
    return median_ms(step, reps)


print(f"torch_infer_b1_ms = {infer(1):.4f}")
print(f"torch_infer_b20_ms = {infer(20):.4f}")
print(f"torch_train_b20_ms = {train(20):.4f}")
