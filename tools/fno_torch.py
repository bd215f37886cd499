#!/usr/bin/python3
"""PyTorch Fourier neural operators matching flowcast's src/models/fc_fno.h (spec:
shared/specs/fno.md): FNO2d, FNO3d and IFNO (2D or 3D), written the usual PyTorch way, as
the FNO paper's code does it.

    from fno_torch import FNO2d, FNO3d, IFNO, build_model
    model = FNO2d(in_channels=3, out_channels=1, width=20, modes=(12, 12), layers=4,
                  proj=128, use_grid=True, norm="backward", zero_dc_nyquist_imag=False)
    y = model(x)            # x [B, n0, n1, in] -> y [B, n0, n1, out]  (channels last)

Architecture (the same as flowcast's):
    lift:   Linear(in [+ ndim when use_grid] -> width), on channels-last data; with use_grid
            the normalised coordinates x_a = i_a / n_a in [0, 1) of every point are appended
            after the input channels, axis 0 first
    FNO:    L Fourier layers, channels first: v = GELU(K_l(v) + W_l v), no GELU after the last
    IFNO:   ONE Fourier layer iterated L times: v = v + (1/L) GELU(K(v) + W v), no GELU on the
            last iteration
    proj:   proj2(GELU(proj1(v))), Linear(width -> proj), Linear(proj -> out), channels last
    K:      spectral convolution: rfftn over the spatial axes (norm "backward", "forward" or
            "ortho"), the kept modes multiplied by complex [in, out] matrices, the rest zero,
            irfftn back to the grid. Weights are complex blocks as in the FNO paper's code:
            2D: weights1 [in, out, m0, m1] for rows 0..m0-1, weights2 for rows n0-m0..n0-1
                (both for columns 0..m1-1 of the half spectrum);
            3D: weights1 [:m0, :m1], weights2 [-m0:, :m1], weights3 [:m0, -m1:],
                weights4 [-m0:, -m1:] (all for 0..m2-1 on the last axis).
            zero_dc_nyquist_imag zeroes the imaginary part of the kept modes on the last axis's
            DC plane (index 0) and Nyquist plane (index n/2, n even) before irfftn.
    W:      Conv{2,3}d(width, width, kernel 1) with bias (the paper's w0..w3).

State-dict names: lift.weight/bias; layers.L.spectral.weights1..; layers.L.pointwise.weight
[width, width, 1, 1(, 1)] / .bias (IFNO: layer.spectral..., layer.pointwise...); proj1.*,
proj2.*. tools/torch_to_flowcast.py maps them onto flowcast's names and layouts (the spectral
blocks merge into layers.L.spectral.weight [nmodes][width][width][2]).

Initialisation is PyTorch's default for Linear/Conv, and scale * U(0, 1) (complex: real and
imaginary parts each) with scale = 1 / (width * width) for the spectral weights, as the FNO
code. All modules take dtype (torch.float32 or torch.float64; spectral weights get the
matching complex type).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

NORMS = ("backward", "forward", "ortho")


def complex_dtype(dtype):
    return torch.complex128 if dtype == torch.float64 else torch.complex64


class SpectralConv(nn.Module):
    """Spectral convolution over the last `ndim` axes of channels-first data [B, C, n...]."""

    def __init__(self, cin, cout, modes, norm="backward", zero_dc_nyquist_imag=False, dtype=torch.float32):
        super().__init__()
        if norm not in NORMS:
            raise ValueError("norm must be one of %s, not %r" % (NORMS, norm))
        self.ndim = len(modes)
        if self.ndim not in (2, 3):
            raise ValueError("spectral convolution over 2 or 3 axes, not %d" % self.ndim)
        self.cin, self.cout, self.modes = cin, cout, tuple(int(m) for m in modes)
        self.norm = norm
        self.zero_dc_nyquist_imag = bool(zero_dc_nyquist_imag)
        scale = 1.0 / (cin * cout)
        nblocks = 2 ** (self.ndim - 1)
        for b in range(nblocks):
            w = scale * torch.rand(cin, cout, *self.modes, dtype=complex_dtype(dtype))
            self.register_parameter("weights%d" % (b + 1), nn.Parameter(w))

    def blocks(self):
        """[(weights, index tuple into the half spectrum [B, C, n...])] in the paper's order."""
        m = self.modes
        if self.ndim == 2:
            return [(self.weights1, (slice(None), slice(None), slice(None, m[0]), slice(None, m[1]))),
                    (self.weights2, (slice(None), slice(None), slice(-m[0], None), slice(None, m[1])))]
        lo0, hi0 = slice(None, m[0]), slice(-m[0], None)
        lo1, hi1 = slice(None, m[1]), slice(-m[1], None)
        last = slice(None, m[2])
        return [(self.weights1, (slice(None), slice(None), lo0, lo1, last)),
                (self.weights2, (slice(None), slice(None), hi0, lo1, last)),
                (self.weights3, (slice(None), slice(None), lo0, hi1, last)),
                (self.weights4, (slice(None), slice(None), hi0, hi1, last))]

    def forward(self, x):
        n = tuple(x.shape[2:])
        dims = tuple(range(2, 2 + self.ndim))
        for a in range(self.ndim):
            m = self.modes[a]
            if (a == self.ndim - 1 and m > n[a] // 2 + 1) or (a < self.ndim - 1 and 2 * m > n[a]):
                raise ValueError("%d modes on axis %d of %d points" % (m, a, n[a]))
        x_ft = torch.fft.rfftn(x, dim=dims, norm=self.norm)
        half = n[:-1] + (n[-1] // 2 + 1,)
        out_ft = torch.zeros(x.shape[0], self.cout, *half, dtype=x_ft.dtype, device=x.device)
        for w, idx in self.blocks():
            eq = "bixy,ioxy->boxy" if self.ndim == 2 else "bixyz,ioxyz->boxyz"
            out_ft[idx] = torch.einsum(eq, x_ft[idx], w)
        if self.zero_dc_nyquist_imag:
            nl = n[-1]
            keep = torch.ones(half[-1], dtype=x.dtype, device=x.device)
            keep[0] = 0
            if nl % 2 == 0:
                keep[nl // 2] = 0
            # only kept modes are non-zero, so masking the whole planes is the same
            out_ft = torch.complex(out_ft.real, out_ft.imag * keep)
        return torch.fft.irfftn(out_ft, s=n, dim=dims, norm=self.norm)


class FourierLayer(nn.Module):
    """K(v) + W v on channels-first data (the activation is applied by the caller)."""

    def __init__(self, width, modes, norm, zero_dc_nyquist_imag, dtype):
        super().__init__()
        conv = nn.Conv2d if len(modes) == 2 else nn.Conv3d
        self.spectral = SpectralConv(width, width, modes, norm, zero_dc_nyquist_imag, dtype)
        self.pointwise = conv(width, width, 1, dtype=dtype)

    def forward(self, v):
        return self.spectral(v) + self.pointwise(v)


class _Base(nn.Module):
    def __init__(self, ndim, in_channels, out_channels, width, modes, layers, proj, use_grid, norm,
                 zero_dc_nyquist_imag, dtype):
        super().__init__()
        modes = tuple(int(m) for m in modes)
        if len(modes) != ndim:
            raise ValueError("%d modes given for %d axes" % (len(modes), ndim))
        self.ndim, self.in_channels, self.out_channels = ndim, in_channels, out_channels
        self.width, self.modes, self.nlayers, self.proj_width = width, modes, layers, proj
        self.use_grid, self.norm, self.zero_dc_nyquist_imag = bool(use_grid), norm, bool(zero_dc_nyquist_imag)
        self.lift = nn.Linear(in_channels + (ndim if use_grid else 0), width, dtype=dtype)
        self.proj1 = nn.Linear(width, proj, dtype=dtype)
        self.proj2 = nn.Linear(proj, out_channels, dtype=dtype)

    def config(self):
        """The model's configuration, in the form torch_to_flowcast.py takes."""
        return {"model_type": ("ifno%dd" if self.implicit else "fno%dd") % self.ndim, "implicit": int(self.implicit),
                "ndim": self.ndim, "in_channels": self.in_channels, "out_channels": self.out_channels,
                "width": self.width, "proj": self.proj_width, "modes": list(self.modes), "layers": self.nlayers,
                "use_grid": int(self.use_grid), "norm": self.norm,
                "zero_dc_nyquist_imag": int(self.zero_dc_nyquist_imag)}

    def grid(self, x):
        """Coordinates i_a / n_a of every point, [B, n..., ndim] (axis 0 first)."""
        n = x.shape[1:-1]
        axes = [torch.arange(k, dtype=x.dtype, device=x.device) / k for k in n]
        g = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1)
        return g.unsqueeze(0).expand(x.shape[0], *g.shape)

    def forward(self, x):
        if x.dim() != self.ndim + 2 or x.shape[-1] != self.in_channels:
            raise ValueError("input of shape %s: expected [B, n0..n%d, %d]" %
                             (tuple(x.shape), self.ndim - 1, self.in_channels))
        if self.use_grid:
            x = torch.cat([x, self.grid(x)], dim=-1)
        v = self.lift(x)
        v = v.movedim(-1, 1)  # channels first
        v = self.fourier(v)
        v = v.movedim(1, -1)  # channels last
        return self.proj2(F.gelu(self.proj1(v)))


class FNO(_Base):
    implicit = False

    def __init__(self, ndim, in_channels, out_channels, width, modes, layers=4, proj=128, use_grid=True,
                 norm="backward", zero_dc_nyquist_imag=False, dtype=torch.float32):
        super().__init__(ndim, in_channels, out_channels, width, modes, layers, proj, use_grid, norm,
                         zero_dc_nyquist_imag, dtype)
        self.layers = nn.ModuleList(FourierLayer(width, self.modes, norm, zero_dc_nyquist_imag, dtype)
                                    for _ in range(layers))

    def fourier(self, v):
        for l, layer in enumerate(self.layers):
            v = layer(v)
            if l < len(self.layers) - 1:
                v = F.gelu(v)
        return v


class FNO2d(FNO):
    def __init__(self, in_channels, out_channels, width, modes, **kw):
        super().__init__(2, in_channels, out_channels, width, modes, **kw)


class FNO3d(FNO):
    def __init__(self, in_channels, out_channels, width, modes, **kw):
        super().__init__(3, in_channels, out_channels, width, modes, **kw)


class IFNO(_Base):
    """Implicit FNO: one shared Fourier layer iterated `layers` times (ndim 2 or 3)."""
    implicit = True

    def __init__(self, ndim, in_channels, out_channels, width, modes, layers=4, proj=128, use_grid=True,
                 norm="backward", zero_dc_nyquist_imag=False, dtype=torch.float32):
        super().__init__(ndim, in_channels, out_channels, width, modes, layers, proj, use_grid, norm,
                         zero_dc_nyquist_imag, dtype)
        self.layer = FourierLayer(width, self.modes, norm, zero_dc_nyquist_imag, dtype)

    def fourier(self, v):
        L = self.nlayers
        for l in range(L):
            u = self.layer(v)
            v = v + (F.gelu(u) if l < L - 1 else u) / L
        return v


def build_model(config, dtype=torch.float32):
    """A model from a configuration dict (the keys of _Base.config(): model_type, or implicit
    and ndim; modes a list, or modes0..modes2; norm a name or 0/1/2)."""
    c = dict(config)
    mt = c.get("model_type")
    if mt:
        if mt not in ("fno2d", "fno3d", "ifno2d", "ifno3d"):
            raise ValueError("model_type %r" % mt)
        c["implicit"], c["ndim"] = int(mt.startswith("ifno")), int(mt[-2])
    ndim = int(c["ndim"])
    modes = c.get("modes")
    if modes is None:
        modes = [c["modes%d" % a] for a in range(ndim)]
    norm = c.get("norm", "backward")
    if not isinstance(norm, str):
        norm = NORMS[int(norm)]
    kw = dict(layers=int(c["layers"]), proj=int(c["proj"]), use_grid=bool(int(c["use_grid"])), norm=norm,
              zero_dc_nyquist_imag=bool(int(c.get("zero_dc_nyquist_imag", 0))), dtype=dtype)
    args = (int(c["in_channels"]), int(c["out_channels"]), int(c["width"]), [int(m) for m in modes[:ndim]])
    if int(c.get("implicit", 0)):
        return IFNO(ndim, *args, **kw)
    return FNO(ndim, *args, **kw)
