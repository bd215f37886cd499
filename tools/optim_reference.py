#!/usr/bin/python3
"""Writes tests/data/optim_reference.h5: PyTorch reference values for tests/test_nn_optim.c.

Run from the repository root with Debian's interpreter (the one that has torch and h5py):

    /usr/bin/python3 tools/optim_reference.py [output.h5]

The output is deterministic: fixed seeds, one thread, and ATEN_CPU_CAPABILITY=default,
set before torch is imported, so that torch's CPU kernels are the portable ones and do
not depend on this machine's instruction set. On an AVX2 machine torch otherwise runs
`add_(x, alpha=a)` as a fused multiply-add, which changes Adam's results by an ulp here
and there; the default kernels round every product and sum separately, as flowcast's
plain C loops do (C11 mode: no contraction into FMA).

Contents (float32 arrays; hyperparameters as float64 attributes):
  /adam/<case>         p0 [n], grads [steps][n], lr [steps]; after each step: params,
                       exp_avg, exp_avg_sq [steps][n]
                       attrs beta1, beta2, eps, weight_decay, decoupled
                       cases adam, adam_wd, adamw: hyperparameters exactly representable
                       in float32 (as flowcast's fc_adam_config holds them), so flowcast
                       should agree bit for bit; adam_torch_defaults, adamw_torch_defaults:
                       torch's double defaults (0.9, 0.999, 1e-8), which flowcast rounds
                       to float32 (agreement to float32 round-off only).
  /schedule/step       StepLR(step_size 3, gamma 0.5), base_lr 1e-3: lr [t = 0..11]
  /schedule/cosine     CosineAnnealingLR(T_max 7, eta_min 1e-4), base_lr 1e-3: lr [t = 0..16]
  /schedule/onecycle   OneCycleLR(max_lr 1e-2, total_steps 20, defaults): lr [t = 0..20]
                       (lr[t] is get_last_lr() after t scheduler steps; attrs hold the settings)
  /clip/<case>         grads_in [n], grads_out [n]; attrs max_norm, norm (returned norm)
  /loss/mse            yh, y [n], dyh [n]; attr loss
  /loss/rel_l2         yh, y, dyh [B][n]; attr loss
  /loss/rel_l1_group   yh, y, dyh [B][N][C], group [C] (int32); attrs loss, ngroups
"""
import os
import sys

os.environ["ATEN_CPU_CAPABILITY"] = "default"  # before torch is imported (see above)

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

NPARAM = 37
NSTEPS = 10


def f32(x):
    """The double nearest to x that is exactly a float32."""
    return float(np.float32(x))


def adam_case(h5, name, seed, lrs, beta1, beta2, eps, weight_decay, decoupled):
    g = torch.Generator().manual_seed(seed)
    # parameters from 1e-4 to 1 in size, so that the updates' round-off shows in them
    scale = torch.logspace(-4, 0, NPARAM, dtype=torch.float32)
    p = torch.randn(NPARAM, generator=g, dtype=torch.float32) * scale
    grads = torch.randn(NSTEPS, NPARAM, generator=g, dtype=torch.float32) * scale.flip(0)
    # a few large and tiny gradients, so that eps and the sqrt matter
    grads[:, 0] *= 1e3
    grads[:, 1] *= 1e-6
    param = torch.nn.Parameter(p.clone())
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = cls([param], lr=lrs[0], betas=(beta1, beta2), eps=eps, weight_decay=weight_decay,
              amsgrad=False, foreach=False, maximize=False, capturable=False)
    out, exp_avg, exp_avg_sq = [], [], []
    for t in range(NSTEPS):
        for group in opt.param_groups:
            group["lr"] = lrs[t]
        param.grad = grads[t].clone()
        opt.step()
        out.append(param.detach().clone())
        exp_avg.append(opt.state[param]["exp_avg"].clone())
        exp_avg_sq.append(opt.state[param]["exp_avg_sq"].clone())
    grp = h5.create_group("adam/" + name)
    grp.create_dataset("p0", data=p.numpy())
    grp.create_dataset("grads", data=grads.numpy())
    grp.create_dataset("lr", data=np.array(lrs, dtype=np.float64))
    grp.create_dataset("params", data=torch.stack(out).numpy())
    grp.create_dataset("exp_avg", data=torch.stack(exp_avg).numpy())
    grp.create_dataset("exp_avg_sq", data=torch.stack(exp_avg_sq).numpy())
    for key, val in (("beta1", beta1), ("beta2", beta2), ("eps", eps), ("weight_decay", weight_decay)):
        grp.attrs[key] = np.float64(val)
    grp.attrs["decoupled"] = np.int32(decoupled)


def schedule_lrs(make, nsteps, base_lr=1e-3):
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base_lr, momentum=0.9)
    sched = make(opt)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(nsteps - 1):
        opt.step()  # no gradient: nothing changes, but keeps the step order torch expects
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    return np.array(lrs, dtype=np.float64)


def schedules(h5):
    g = h5.create_group("schedule/step")
    g.create_dataset("lr", data=schedule_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5), 12))
    g.attrs.update({"base_lr": 1e-3, "step_size": np.int64(3), "gamma": 0.5})

    g = h5.create_group("schedule/cosine")
    g.create_dataset("lr", data=schedule_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=1e-4), 17))
    g.attrs.update({"base_lr": 1e-3, "t_max": np.int64(7), "eta_min": 1e-4})

    g = h5.create_group("schedule/onecycle")
    g.create_dataset("lr", data=schedule_lrs(
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1e-2, total_steps=20, anneal_strategy="cos",
                                                      three_phase=False), 21))
    g.attrs.update({"max_lr": 1e-2, "total_steps": np.int64(20), "pct_start": 0.3, "div_factor": 25.0,
                    "final_div_factor": 1e4})


def clip_case(h5, name, seed, max_norm):
    g = torch.Generator().manual_seed(seed)
    grads = torch.randn(NPARAM, generator=g, dtype=torch.float32)
    # three parameter tensors, as a model has; flowcast clips the concatenated slab
    params = [torch.nn.Parameter(torch.zeros(n)) for n in (20, 12, 5)]
    for prm, gr in zip(params, torch.split(grads, (20, 12, 5))):
        prm.grad = gr.clone()
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=2.0)
    grp = h5.create_group("clip/" + name)
    grp.create_dataset("grads_in", data=grads.numpy())
    grp.create_dataset("grads_out", data=torch.cat([prm.grad for prm in params]).numpy())
    grp.attrs["max_norm"] = np.float64(max_norm)
    grp.attrs["norm"] = np.float64(norm.item())


def losses(h5):
    g = torch.Generator().manual_seed(7)

    def pair(*shape):
        y = torch.randn(*shape, generator=g, dtype=torch.float32)
        d = torch.randn(*shape, generator=g, dtype=torch.float32)
        d = d + 0.1 * torch.sign(d)  # |yh - y| >= 0.1: away from the kink of |x|
        return (y + d).requires_grad_(True), y

    yh, y = pair(50)
    loss = torch.nn.functional.mse_loss(yh, y)
    loss.backward()
    grp = h5.create_group("loss/mse")
    grp.create_dataset("yh", data=yh.detach().numpy())
    grp.create_dataset("y", data=y.numpy())
    grp.create_dataset("dyh", data=yh.grad.numpy())
    grp.attrs["loss"] = np.float64(loss.item())

    yh, y = pair(3, 20)
    loss = (torch.linalg.vector_norm(yh - y, dim=1) / torch.linalg.vector_norm(y, dim=1)).mean()
    loss.backward()
    grp = h5.create_group("loss/rel_l2")
    grp.create_dataset("yh", data=yh.detach().numpy())
    grp.create_dataset("y", data=y.numpy())
    grp.create_dataset("dyh", data=yh.grad.numpy())
    grp.attrs["loss"] = np.float64(loss.item())

    group = [0, 0, 1, 2, 2]
    ngroups = 3
    yh, y = pair(2, 6, len(group))
    terms = []
    for k in range(ngroups):
        cols = [c for c in range(len(group)) if group[c] == k]
        num = (yh - y)[:, :, cols].abs().sum(dim=(1, 2))
        den = y[:, :, cols].abs().sum(dim=(1, 2))
        terms.append(num / den)
    loss = torch.stack(terms, dim=1).mean()
    loss.backward()
    grp = h5.create_group("loss/rel_l1_group")
    grp.create_dataset("yh", data=yh.detach().numpy())
    grp.create_dataset("y", data=y.numpy())
    grp.create_dataset("dyh", data=yh.grad.numpy())
    grp.create_dataset("group", data=np.array(group, dtype=np.int32))
    grp.attrs["loss"] = np.float64(loss.item())
    grp.attrs["ngroups"] = np.int32(ngroups)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                             "optim_reference.h5")
    torch.manual_seed(0)
    torch.set_num_threads(1)
    with h5py.File(out, "w") as h5:
        h5.attrs["torch_version"] = str(torch.__version__)
        h5.attrs["generator"] = "tools/optim_reference.py"
        # float32-exact hyperparameters; the lr halves every 3 steps (exact in float32 too)
        lrs = [f32(3e-3) * 0.5 ** (t // 3) for t in range(NSTEPS)]
        b1, b2, eps = f32(0.9), f32(0.999), f32(1e-8)
        adam_case(h5, "adam", 1, lrs, b1, b2, eps, 0.0, 0)
        adam_case(h5, "adam_wd", 2, lrs, b1, b2, eps, f32(0.1), 0)
        adam_case(h5, "adamw", 3, lrs, b1, b2, eps, f32(0.05), 1)
        # torch's defaults as doubles; a lr sequence that is not float32-exact
        lrs = [1e-3 * (1 + t) / 3 for t in range(NSTEPS)]
        adam_case(h5, "adam_torch_defaults", 4, lrs, 0.9, 0.999, 1e-8, 0.0, 0)
        adam_case(h5, "adamw_torch_defaults", 5, lrs, 0.9, 0.999, 1e-8, 1e-2, 1)
        schedules(h5)
        clip_case(h5, "clipped", 11, 1.0)
        clip_case(h5, "unclipped", 12, 100.0)
        losses(h5)


if __name__ == "__main__":
    main()
