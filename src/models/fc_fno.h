/* Fourier neural operators: FNO (2D, 3D) and implicit FNO (IFNO), built from the core
 * layers (operators/fc_nn.h). Spec: shared/specs/fno.md.
 *
 *   FNO:  v = P(x [, grid]);  L times: v = GELU(K_l(v) + W_l v) (no GELU after the last);
 *         y = Q2(GELU(Q1(v)))
 *   IFNO: v = P(x [, grid]);  L times: v = v + (1/L) s(K(v) + W v) with ONE shared layer,
 *         s = GELU except on the last iteration; y = Q2(GELU(Q1(v)))
 * P: Linear(in [+ ndim] -> width); K: spectral convolution (kept modes per axis);
 * W: Linear(width -> width) with bias; Q1: Linear(width -> proj); Q2: Linear(proj -> out).
 * With use_grid, the normalised coordinates of each point (x_i = i / n_i on [0, 1)) are
 * appended to the input channels, as the FNO paper's code does.
 *
 * Data: channels last, x [B][n0][n1]([n2])[in], y [B][n0][n1]([n2])[out], float32.
 * Parameter names (PyTorch state-dict names of tools/fno_torch.py):
 *   lift.weight [width][in + ndim*use_grid], lift.bias [width]
 *   FNO:  layers.L.spectral.weight [nmodes][width][width][2], layers.L.pointwise.weight
 *         [width][width], layers.L.pointwise.bias [width]      (L = 0 .. layers-1)
 *   IFNO: layer.spectral.weight, layer.pointwise.weight, layer.pointwise.bias
 *   proj1.weight [proj][width], proj1.bias [proj], proj2.weight [out][proj], proj2.bias [out]
 * Spectral weights use flowcast's layout (fc_nn.h); tools/torch_to_flowcast.py converts. */
#ifndef FC_FNO_H
#define FC_FNO_H

#include "fc_checkpoint.h"
#include "fc_nn.h"
#include "fc_params.h"

typedef struct {
  int implicit;       /* 0: FNO; 1: IFNO (one shared Fourier layer iterated `layers` times) */
  int ndim;           /* spatial axes: 2 or 3 */
  int in_channels, out_channels;
  int width, proj;    /* hidden width; projection width (128 in the paper) */
  int modes[3];       /* kept modes per axis */
  int layers;         /* Fourier layers (FNO) or iterations (IFNO) */
  int use_grid;       /* append normalised coordinates to the input */
  fc_fft_norm norm;
  int zero_dc_nyquist_imag;
} fc_fno_config;

typedef struct fc_fno fc_fno;

/* Declares and allocates the parameters (zero); fc_fno_init gives PyTorch's default
 * initialisation (Linear: U(+-1/sqrt(fan_in)); spectral: U(0, 1) / (width^2), as the FNO
 * code) from a seed, the same on any number of ranks. */
fc_err fc_fno_create(const fc_fno_config *cfg, fc_fno **m);
fc_err fc_fno_destroy(fc_fno **m);
fc_err fc_fno_init(fc_fno *m, unsigned long long seed);
fc_params *fc_fno_params(fc_fno *m);
const fc_fno_config *fc_fno_get_config(const fc_fno *m);
/* "fno2d", "fno3d", "ifno2d", "ifno3d" */
const char *fc_fno_type(const fc_fno *m);
/* Hyper-parameters for checkpoints (every config field; fno_model.c reads them back). */
int fc_fno_hparams(const fc_fno *m, fc_hparam *h, int max);


/* Prepares a forward/backward on batch B over the grid n (activations, FFT plans); the grid
 * may differ from the one the weights were trained on (resolution invariance; n >= 2 modes).
 * comm: MPI_COMM_SELF for a whole grid per rank, or the communicator of a slab
 * decomposition along axis 0 (FFTW-MPI's blocks, fc_decomp_slab): x then holds this rank's
 * slab [B][nxl][n1]([n2])[in]. Re-call to change B, n or comm. */
fc_err fc_fno_setup(fc_fno *m, int B, const int *n, MPI_Comm comm);
/* Local points per sample on this rank (nxl * n1 [* n2]). */
long fc_fno_local_points(const fc_fno *m);
fc_err fc_fno_forward(fc_fno *m, float *y, const float *x);
/* Gradients of the parameters ACCUMULATE into fc_fno_params(m)->grad; dx (may be NULL)
 * accumulates too. Uses the activations saved by the last forward. */
fc_err fc_fno_backward(fc_fno *m, float *dx, const float *dy);

#endif
