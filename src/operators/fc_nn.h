/* Neural-network layers: plain forward/backward pairs over contiguous float arrays
 * (the llm.c style). float32, channels last: an activation is [M][C] with M = batch x
 * grid points, so pointwise layers are one sgemm (OpenBLAS) over all points.
 *
 * Conventions for every layer:
 *  - forward writes its output (and any saved statistics) and reads nothing else;
 *  - backward ACCUMULATES (+=) into dx and into the parameter gradients, so branches
 *    and weight sharing need no extra buffers; pass dx = NULL when it is not needed;
 *  - shapes are given in the comments; weights use PyTorch's layouts (Linear W[out][in])
 *    unless stated, so a state dict maps onto them directly.
 * Threads: OpenBLAS and OpenMP, set by the caller (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS).
 */
#ifndef FC_NN_H
#define FC_NN_H

#include "fc_error.h"

/* ---- Linear: y[M][out] = x[M][in] W[out][in]^T + b[out]   (b may be NULL) --------- */
void fc_linear_forward(float *y, const float *x, const float *W, const float *b, long M, int in, int out);
/* dx[M][in] += dy W;  dW[out][in] += dy^T x;  db[out] += sum_M dy  (db ignored when NULL) */
void fc_linear_backward(float *dx, float *dW, float *db, const float *dy, const float *x, const float *W, long M,
                        int in, int out);

/* ---- pointwise activations over n values ------------------------------------------- */
void fc_gelu_forward(float *y, const float *x, long n); /* exact: x/2 (1 + erf(x/sqrt 2)) */
void fc_gelu_backward(float *dx, const float *dy, const float *x, long n);
void fc_relu_forward(float *y, const float *x, long n);
void fc_relu_backward(float *dx, const float *dy, const float *x, long n);
void fc_silu_forward(float *y, const float *x, long n); /* x sigmoid(x) */
void fc_silu_backward(float *dx, const float *dy, const float *x, long n);
void fc_sine_forward(float *y, const float *x, long n); /* sin x */
void fc_sine_backward(float *dx, const float *dy, const float *x, long n);

/* ---- LayerNorm over the last axis: y = (x - mean) rstd w + b, per row ----------------
 * x, y [M][C]; w, b [C]; mean, rstd [M] saved for backward; rstd = 1/sqrt(var + eps),
 * var biased (PyTorch's). */
void fc_layernorm_forward(float *y, float *mean, float *rstd, const float *x, const float *w, const float *b, long M,
                          int C, float eps);
void fc_layernorm_backward(float *dx, float *dw, float *db, const float *dy, const float *x, const float *mean,
                           const float *rstd, const float *w, long M, int C);

/* ---- InstanceNorm: per sample and channel over the N grid points, no affine ----------
 * x, y [B][N][C]; mean, rstd [B][C]; biased variance (PyTorch's InstanceNorm). */
void fc_instancenorm_forward(float *y, float *mean, float *rstd, const float *x, int B, long N, int C, float eps);
/* The same over a grid split across comm: x, y [B][N][C] hold this rank's N of the Ntot points
 * of each sample (N may be 0); the statistics are those of all Ntot points. */
fc_err fc_instancenorm_forward_slab(float *y, float *mean, float *rstd, const float *x, int B, long N, long Ntot, int C,
                                    float eps, MPI_Comm comm);
void fc_instancenorm_backward(float *dx, const float *dy, const float *x, const float *mean, const float *rstd, int B,
                              long N, int C);

/* ---- per-channel affine: y[M][C] = x s[C] + t[C] --------------------------------------- */
void fc_affine_forward(float *y, const float *x, const float *s, const float *t, long M, int C);
void fc_affine_backward(float *dx, float *ds, float *dt, const float *dy, const float *x, const float *s, long M,
                        int C);

/* ---- mean pooling over chosen spatial axes ------------------------------------------------
 * x [B][d0][d1][d2][C] (unused axes have extent 1); bit a of axes set = pool axis a.
 * y has extent 1 along each pooled axis: e.g. pooling axes 1 and 2 gives y [B][d0][1][1][C]. */
void fc_meanpool_forward(float *y, const float *x, int B, const int dims[3], int C, unsigned axes);
void fc_meanpool_backward(float *dx, const float *dy, int B, const int dims[3], int C, unsigned axes);

/* ---- Gaussian Fourier features with a frozen matrix ------------------------------------------
 * p [M][d] coordinates, Bm [d][m] (frozen, not trained):
 * y [M][2m] = [sin(2 pi p Bm), cos(2 pi p Bm)]. Backward gives dp only. */
void fc_fourier_features_forward(float *y, const float *p, const float *Bm, long M, int d, int m);
void fc_fourier_features_backward(float *dp, const float *dy, const float *p, const float *Bm, long M, int d, int m);

/* ---- spectral convolution over 1, 2 or 3 spatial axes (spectral_conv.c) ----------------
 * x [B][n0][n1][n2][cin] -> y [B][n0][n1][n2][cout] (unused axes: n = 1, not listed in ndim).
 * y = irfft( W . rfft(x) ) keeping, per axis, the lowest modes: indices 0..m-1 and n-m..n-1
 * (both signs) on every axis but the last, 0..m-1 on the last (the real-to-complex axis).
 * Weights: complex [nmodes][cin][cout] stored as real pairs, W[k][i][o][2] (re, im), the
 * kept modes ordered axis by axis (first axis slowest), each axis's kept indices in the order
 * 0..m-1, n-m..n-1. The same weights run on any grid with n >= 2m (n > 2(m-1) on the last
 * axis): resolution invariance. FFTW plans are made once, in create. */
typedef enum { FC_FFT_NORM_BACKWARD = 0, FC_FFT_NORM_FORWARD = 1, FC_FFT_NORM_ORTHO = 2 } fc_fft_norm;

typedef struct {
  int ndim;                  /* spatial axes: 1, 2 or 3 */
  int n[3];                  /* grid points per axis */
  int modes[3];              /* kept modes per axis */
  int cin, cout;
  fc_fft_norm norm;          /* torch.fft's norm: backward (FNO), forward (neuraloperator), ortho */
  int zero_dc_nyquist_imag;  /* zero the imaginary part of the DC and Nyquist modes of the last
                                axis before the inverse transform */
} fc_spectral_config;

typedef struct fc_spectral fc_spectral;

fc_err fc_spectral_create(const fc_spectral_config *cfg, fc_spectral **s);
/* Distributed over comm (2 or 3 axes): cfg->n is the global grid, split in slabs along axis
 * 0 with FFTW-MPI's blocks (fc_decomp_slab's); x, y, dx, dy are this rank's slabs
 * [B][nxl][n1]([n2])[c]. W is the whole weight array on every rank; backward adds this
 * rank's share of dW (sum it over comm). Collective: create, forward, backward. */
fc_err fc_spectral_create_dist(const fc_spectral_config *cfg, MPI_Comm comm, fc_spectral **s);
void fc_spectral_local_range(const fc_spectral *s, long *x0, long *nxl);
fc_err fc_spectral_destroy(fc_spectral **s);
/* number of kept modes, and of floats in W (2 nmodes cin cout) */
long fc_spectral_nmodes(const fc_spectral *s);
long fc_spectral_weight_size(const fc_spectral *s);
void fc_spectral_forward(fc_spectral *s, float *y, const float *x, const float *W, int B);
void fc_spectral_backward(fc_spectral *s, float *dx, float *dW, const float *dy, const float *x, const float *W, int B);

/* ---- IFactFormer pointwise pieces (rope.c, gated.c) ---- */
/* Rotary position embedding over the last axis, one position per row (rope.c):
 * x, y [M][Dk], Dk even, pos [M]; half = Dk/2, freq_j = freq_scale 10000^(-j/half),
 * a = pos[m] freq_j: y[j] = x[j] cos a - x[j+half] sin a, y[j+half] = x[j+half] cos a + x[j] sin a
 * (x cos + rotate_half(x) sin). In place (y == x) allowed. Backward: dx only (positions are
 * not trained), dx += R(a)^T dy. */
void fc_rope_forward(float *y, const float *x, const float *pos, long M, int Dk, float freq_scale);
void fc_rope_backward(float *dx, const float *dy, const float *pos, long M, int Dk, float freq_scale);
/* Gated GELU (gated.c): g [M][2C] = [g1 | g2] per row, y [M][C] = GELU(g1) g2 (exact GELU);
 * backward: dg [M][2C] += (dy g2 GELU'(g1) | dy GELU(g1)). */
void fc_gated_gelu_forward(float *y, const float *g, long M, int C);
void fc_gated_gelu_backward(float *dg, const float *dy, const float *g, long M, int C);
/* Grouped lifting (gated.c): x [M][Cin] -> y [M][Cin G], y[m][c G + g] = x[m][c] w[c][g] + b[c][g],
 * w, b [Cin][G] (b may be NULL) = PyTorch's Conv1d(Cin, Cin G, 1, groups=Cin) with
 * weight [Cin G][1][1] and bias [Cin G] in the same flat order. Backward: dx [M][Cin],
 * dw, db [Cin][G] (each may be NULL). */
void fc_grouped_lift_forward(float *y, const float *x, const float *w, const float *b, long M, int Cin, int G);
void fc_grouped_lift_backward(float *dx, float *dw, float *db, const float *dy, const float *x, const float *w,
                              long M, int Cin, int G);

/* ---- IFactFormer axis kernels and contractions (axis_attention.c) ---- */
/* Axis kernel per head, no softmax, no scaling: q, k [B][N][H][Dk] (one sequence of length N
 * along a grid axis), K [B][H][N][N]: K[b][h][i][j] = sum_d q[b][i][h][d] k[b][j][h][d]. */
void fc_axis_kernel_forward(float *K, const float *q, const float *k, int B, int N, int H, int Dk);
/* dq[b][i][h][:] += sum_j dK[b][h][i][j] k[b][j][h][:];  dk[b][j][h][:] += sum_i dK[b][h][i][j] q[b][i][h][:]
 * (either may be NULL). */
void fc_axis_kernel_backward(float *dq, float *dk, const float *dK, const float *q, const float *k, int B, int N, int H,
                             int Dk);
/* Contraction of values along grid axis `axis` (0 x, 1 y, 2 z): V, out [B][X][Y][Z][H][Dv],
 * dims = {X, Y, Z}, Ka [B][H][Na][Na] with Na = dims[axis]:
 *   out[b][..i..][h][:] = sum_j Ka[b][h][i][j] V[b][..j..][h][:]   (other axes carried along).
 * Chained (IFactFormer-o): three calls, axis 0, 1, 2. */
void fc_axis_contract_forward(float *out, const float *V, const float *Ka, int B, const int dims[3], int H, int Dv,
                              int axis);
/* dV[..j..] += sum_i Ka[i][j] dout[..i..];  dKa[b][h][i][j] += sum over the other axes and Dv of
 * dout[..i..] V[..j..]  (dV or dKa may be NULL). */
void fc_axis_contract_backward(float *dV, float *dKa, const float *dout, const float *V, const float *Ka, int B,
                               const int dims[3], int H, int Dv, int axis);

#endif
