#!/usr/bin/python3
"""Reference for flowcast's training loop: ten AdamW steps of a small MLP in PyTorch.

    /usr/bin/python3 tools/mlp_reference.py tests/data/mlp_adamw_reference.h5

Model: Linear(3 -> 16) - GELU (exact) - Linear(16 -> 2), MSE loss on a batch of 8 rows,
AdamW(lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01), 10 steps. Writes the
data, the initial parameters, the loss at every step and the parameters after each step
(float32; flowcast's Linear uses PyTorch's W[out][in] layout, so the names map 1:1).
Deterministic (fixed seed); runs in about a second on CPU.
"""
import sys

import h5py
import torch

torch.manual_seed(20261127)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)

model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.GELU(), torch.nn.Linear(16, 2))
x = torch.randn(8, 3)
y = torch.randn(8, 2)
opt = torch.optim.AdamW(model.parameters(), lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
names = {"0.weight": "fc1.weight", "0.bias": "fc1.bias", "2.weight": "fc2.weight", "2.bias": "fc2.bias"}

with h5py.File(sys.argv[1], "w") as f:
    f.attrs["torch_version"] = str(torch.__version__)
    f["x"] = x.numpy()
    f["y"] = y.numpy()
    g = f.create_group("initial")
    for k, v in model.state_dict().items():
        g[names[k]] = v.numpy()
    losses = []
    for step in range(1, 11):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        g = f.create_group(f"step{step:02d}")
        for k, v in model.state_dict().items():
            g[names[k]] = v.numpy()
    f["loss"] = torch.tensor(losses, dtype=torch.float32).numpy()
print(f"wrote {sys.argv[1]}: 10 AdamW steps, final loss {losses[-1]:.6f}")
