/* Spectral convolution over 1, 2 or 3 spatial axes (the Fourier layer's K).
 *
 *   forward:  xh = rfft(x)  [per sample, cin channels, channels last]
 *             yh[k] = xh[k] W[k]  for the kept modes k (complex cin x cout), 0 elsewhere
 *             y  = irfft(yh)
 * The transforms are FFTW's unnormalised r2c / c2r; torch.fft's norm only decides where
 * the total factor 1/N is applied (before or after W), so y is the same for every norm.
 *
 *   backward: with c_k = 1 on the DC and Nyquist planes of the last axis and 2 elsewhere
 *             (the Hermitian half-spectrum counts the other planes twice),
 *             gy[k]  = s_inv c_k rfft(dy)[k]            (adjoint of s_inv c2r)
 *             dW[k] += conj(s_fwd xh[k])^T gy[k]        (complex gradient: d/dRe + i d/dIm)
 *             gx[k]  = gy[k] W[k]^H
 *             dx    += s_fwd c2r(gx / c_k)              (adjoint of s_fwd r2c)
 *
 * Plans are FFTW_ESTIMATE: FFTW_MEASURE picks algorithms by timing, so two processes (a run
 * and its resumption, or two rank counts) could round differently; estimated plans are the
 * same every time, which keeps resumed training bit for bit equal to an uninterrupted run.
 *
 * Distributed (fc_spectral_create_dist): the grid is split in slabs along axis 0 with
 * FFTW-MPI's blocks; FFTW-MPI transforms the slabs (non-transposed layout, so the half
 * spectrum is split along axis 0 the same way) and each rank multiplies the kept modes it
 * holds. Backward's dW is then this rank's share: sum it over the communicator.
 */
#include <fftw3-mpi.h>
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_nn.h"

struct fc_spectral {
  fc_spectral_config c;
  int n[3];           /* grid per axis (1 for unused trailing axes) */
  int nh;             /* n_last / 2 + 1 */
  long npts, ncplx;   /* real points, complex half-spectrum points */
  long nmodes, nmodes_total; /* kept modes on this rank, in all */
  long *mode_index;   /* [nmodes] flat index into the half spectrum */
  int *mode_factor;   /* [nmodes] c_k: 1 on the DC/Nyquist planes of the last axis, else 2 */
  float s_fwd, s_inv; /* normalisation of the forward and inverse transforms */
  int cmax;
  fftwf_complex *xh, *yh; /* [ncplx][cmax] */
  float *rbuf;            /* [npts][cmax] */
  float *rin;             /* distributed: the input of r2c (FFTW-MPI needs its planned alignment) */
  fftwf_plan r2c_in, r2c_out, c2r_in, c2r_out;
  int dist;               /* FFTW-MPI plans over comm */
  MPI_Comm comm;
  long x0, nxl;           /* this rank's slab of axis 0 (whole axis when serial) */
  long *mode_weight;      /* [nmodes] index of each local mode's weights (all modes when serial) */
};

static fftwf_plan plan_r2c(const fc_spectral *s, int howmany, float *in, fftwf_complex *out)
{
  if (s->dist) {
    ptrdiff_t n[3] = {s->n[0], s->n[1], s->n[2]};
    return fftwf_mpi_plan_many_dft_r2c(s->c.ndim, n, howmany, FFTW_MPI_DEFAULT_BLOCK, FFTW_MPI_DEFAULT_BLOCK, in, out,
                                       s->comm, FFTW_ESTIMATE);
  }
  return fftwf_plan_many_dft_r2c(s->c.ndim, s->c.n, howmany, in, NULL, howmany, 1, out, NULL, howmany, 1,
                                 FFTW_ESTIMATE | FFTW_UNALIGNED);
}

static fftwf_plan plan_c2r(const fc_spectral *s, int howmany, fftwf_complex *in, float *out)
{
  if (s->dist) {
    ptrdiff_t n[3] = {s->n[0], s->n[1], s->n[2]};
    return fftwf_mpi_plan_many_dft_c2r(s->c.ndim, n, howmany, FFTW_MPI_DEFAULT_BLOCK, FFTW_MPI_DEFAULT_BLOCK, in, out,
                                       s->comm, FFTW_ESTIMATE);
  }
  return fftwf_plan_many_dft_c2r(s->c.ndim, s->c.n, howmany, in, NULL, howmany, 1, out, NULL, howmany, 1,
                                 FFTW_ESTIMATE | FFTW_UNALIGNED);
}

/* Transforms of one sample (FFTW-MPI's execute for distributed plans; their arrays must be
 * the planned ones' alignment: the callers pass fftw-allocated buffers when distributed). */
static void exec_r2c(const fc_spectral *s, fftwf_plan p, float *in, fftwf_complex *out)
{
  if (s->dist) fftwf_mpi_execute_dft_r2c(p, in, out);
  else fftwf_execute_dft_r2c(p, in, out);
}

static void exec_c2r(const fc_spectral *s, fftwf_plan p, fftwf_complex *in, float *out)
{
  if (s->dist) fftwf_mpi_execute_dft_c2r(p, in, out);
  else fftwf_execute_dft_c2r(p, in, out);
}

/* The kept indices of axis a, in weight order: 0..m-1 then n-m..n-1 (last axis: 0..m-1). */
static int kept_indices(const fc_spectral *s, int a, int *idx)
{
  int m = s->c.modes[a], n = s->n[a], k = 0;
  for (int i = 0; i < m; i++) idx[k++] = i;
  if (a < s->c.ndim - 1)
    for (int i = n - m; i < n; i++) idx[k++] = i;
  return k;
}

static fc_err enumerate_modes(fc_spectral *s)
{
  int nd = s->c.ndim, *lists[3] = {NULL, NULL, NULL}, counts[3] = {1, 1, 1};
  long strides[3] = {0, 0, 0}, stride = 1;
  for (int a = nd - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= a == nd - 1 ? s->nh : s->n[a];
  }
  fc_err e = FC_SUCCESS;
  for (int a = 0; a < nd && !e; a++) {
    e = FcMalloc(2 * s->c.modes[a], &lists[a]);
    if (!e) counts[a] = kept_indices(s, a, lists[a]);
  }
  long total = (long)counts[0] * counts[1] * counts[2];
  if (!e) e = FcMalloc(total, &s->mode_index);
  if (!e) e = FcMalloc(total, &s->mode_factor);
  if (!e) e = FcMalloc(total, &s->mode_weight);
  long k = 0, kl = 0; /* k: the mode's weight index; kl: local modes kept */
  for (int i = 0; i < counts[0] && !e; i++)
    for (int j = 0; j < (nd > 1 ? counts[1] : 1); j++)
      for (int l = 0; l < (nd > 2 ? counts[2] : 1); l++, k++) {
        int ii[3] = {lists[0][i], nd > 1 ? lists[1][j] : 0, nd > 2 ? lists[2][l] : 0};
        if (ii[0] < s->x0 || ii[0] >= s->x0 + s->nxl) continue; /* on another rank's slab */
        long flat = (ii[0] - s->x0) * strides[0];
        for (int a = 1; a < nd; a++) flat += ii[a] * strides[a];
        int last = ii[nd - 1], nl = s->n[nd - 1];
        s->mode_index[kl] = flat;
        s->mode_factor[kl] = (last == 0 || (nl % 2 == 0 && last == nl / 2)) ? 1 : 2;
        s->mode_weight[kl] = k;
        kl++;
      }
  s->nmodes = kl;
  s->nmodes_total = total;
  for (int a = 0; a < 3; a++) free(lists[a]);
  return e;
}

static fc_err spectral_create(const fc_spectral_config *cfg, MPI_Comm comm, int dist, fc_spectral **sp)
{
  fc_spectral *s;
  if (cfg->ndim < 1 || cfg->ndim > 3) FcRaise(FC_ERR_INPUT, "spectral convolution over %d axes: expected 1 to 3", cfg->ndim);
  if (dist && cfg->ndim < 2) FcRaise(FC_ERR_INPUT, "a distributed spectral convolution needs 2 or 3 axes");
  if (cfg->cin < 1 || cfg->cout < 1) FcRaise(FC_ERR_INPUT, "spectral convolution with %d -> %d channels", cfg->cin, cfg->cout);
  for (int a = 0; a < cfg->ndim; a++) {
    int last = a == cfg->ndim - 1, n = cfg->n[a], m = cfg->modes[a];
    if (n < 1 || m < 1 || (last ? m > n / 2 + 1 : 2 * m > n))
      FcRaise(FC_ERR_INPUT,
              "spectral convolution: %d modes on axis %d of %d points (expected 1 <= modes <= %s)", m, a, n,
              last ? "n/2 + 1 on the last axis" : "n/2 on the other axes");
  }
  FcCall(FcMalloc(1, &s));
  s->c = *cfg;
  s->dist = dist;
  s->comm = comm;
  for (int a = 0; a < 3; a++) s->n[a] = a < cfg->ndim ? cfg->n[a] : 1;
  s->nh = s->n[cfg->ndim - 1] / 2 + 1;
  s->cmax = cfg->cin > cfg->cout ? cfg->cin : cfg->cout;
  double N = (double)s->n[0] * s->n[1] * s->n[2];
  long alloc_cplx;
  if (dist) { /* FFTW-MPI's slab of axis 0 and its buffer sizes (for cmax channels) */
    ptrdiff_t nc[3] = {s->n[0], cfg->ndim == 2 ? s->nh : s->n[1], s->nh}, ln0, l0;
    alloc_cplx = (long)fftwf_mpi_local_size_many(cfg->ndim, nc, s->cmax, FFTW_MPI_DEFAULT_BLOCK, comm, &ln0, &l0);
    s->x0 = l0;
    s->nxl = ln0;
  } else {
    s->x0 = 0;
    s->nxl = s->n[0];
  }
  s->npts = s->nxl * (s->n[1] * s->n[2]);
  s->ncplx = s->npts / s->n[cfg->ndim - 1] * s->nh; /* the last axis halved (1D: no slab) */
  if (!dist) alloc_cplx = s->ncplx * s->cmax;
  s->s_fwd = cfg->norm == FC_FFT_NORM_FORWARD ? (float)(1 / N) : cfg->norm == FC_FFT_NORM_ORTHO ? (float)(1 / sqrt(N)) : 1.0f;
  s->s_inv = cfg->norm == FC_FFT_NORM_BACKWARD ? (float)(1 / N) : cfg->norm == FC_FFT_NORM_ORTHO ? (float)(1 / sqrt(N)) : 1.0f;
  fc_err e = enumerate_modes(s);
  if (!e) {
    long nc = alloc_cplx > 0 ? alloc_cplx : 1, nr = s->npts * s->cmax > 0 ? s->npts * s->cmax : 1;
    s->xh = fftwf_alloc_complex((size_t)nc);
    s->yh = fftwf_alloc_complex((size_t)nc);
    s->rbuf = fftwf_alloc_real((size_t)(dist ? 2 * nc : nr)); /* also holds the inputs of distributed transforms */
    s->rin = fftwf_alloc_real((size_t)(dist ? 2 * nc : 1));
    if (!s->xh || !s->yh || !s->rbuf || !s->rin)
      e = fc_error_raise(MPI_COMM_WORLD, 0, FC_ERR_MEMORY, __func__, __FILE__, __LINE__, "cannot allocate FFT buffers");
  }
  if (!e) {
    float *rin = dist ? s->rin : s->rbuf; /* planning overwrites it: a full-size buffer */
    s->r2c_in = plan_r2c(s, cfg->cin, rin, s->xh);
    s->r2c_out = plan_r2c(s, cfg->cout, rin, s->yh);
    s->c2r_in = plan_c2r(s, cfg->cin, s->xh, s->rbuf);
    s->c2r_out = plan_c2r(s, cfg->cout, s->yh, s->rbuf);
    if (!s->r2c_in || !s->r2c_out || !s->c2r_in || !s->c2r_out)
      e = fc_error_raise(MPI_COMM_WORLD, 0, FC_ERR_LIBRARY, __func__, __FILE__, __LINE__, "FFTW could not plan the transforms");
  }
  if (e) {
    fc_spectral_destroy(&s);
    return e;
  }
  *sp = s;
  return FC_SUCCESS;
}

fc_err fc_spectral_create(const fc_spectral_config *cfg, fc_spectral **s)
{
  return spectral_create(cfg, MPI_COMM_SELF, 0, s);
}

fc_err fc_spectral_create_dist(const fc_spectral_config *cfg, MPI_Comm comm, fc_spectral **s)
{
  return spectral_create(cfg, comm, 1, s);
}

void fc_spectral_local_range(const fc_spectral *s, long *x0, long *nxl)
{
  *x0 = s->x0;
  *nxl = s->nxl;
}

fc_err fc_spectral_destroy(fc_spectral **sp)
{
  fc_spectral *s = *sp;
  if (!s) return FC_SUCCESS;
  fftwf_plan plans[4] = {s->r2c_in, s->r2c_out, s->c2r_in, s->c2r_out};
  for (int i = 0; i < 4; i++)
    if (plans[i]) fftwf_destroy_plan(plans[i]);
  fftwf_free(s->xh);
  fftwf_free(s->yh);
  fftwf_free(s->rbuf);
  fftwf_free(s->rin);
  free(s->mode_weight);
  free(s->mode_index);
  free(s->mode_factor);
  free(s);
  *sp = NULL;
  return FC_SUCCESS;
}

long fc_spectral_nmodes(const fc_spectral *s) { return s->nmodes_total; }
long fc_spectral_weight_size(const fc_spectral *s) { return 2 * s->nmodes_total * s->c.cin * s->c.cout; }

/* FFTW-MPI's real arrays are padded along the last axis to 2 (n/2 + 1) points, for
 * out-of-place transforms too: rows of n_last points x c channels move between the two. */
static void pad_rows(const fc_spectral *s, float *padded, const float *x, int c)
{
  const long nl = s->n[s->c.ndim - 1], rows = s->npts / nl;
  for (long r = 0; r < rows; r++) memcpy(padded + r * 2 * s->nh * c, x + r * nl * c, sizeof(float) * (size_t)(nl * c));
}

/* y = scale * the padded rows of p (accumulate: y += instead). */
static void unpad_rows(const fc_spectral *s, float *y, const float *padded, int c, float scale, int accumulate)
{
  const long nl = s->n[s->c.ndim - 1], rows = s->npts / nl;
  for (long r = 0; r < rows; r++) {
    const float *src = padded + r * 2 * s->nh * c;
    float *dst = y + r * nl * c;
    if (accumulate)
      for (long i = 0; i < nl * c; i++) dst[i] += scale * src[i];
    else
      for (long i = 0; i < nl * c; i++) dst[i] = scale * src[i];
  }
}

/* r2c of one sample's slab x [npts][c] (copied into the planned, padded buffer when distributed). */
static void transform_in(const fc_spectral *s, fftwf_plan p, const float *x, int c, fftwf_complex *out)
{
  if (s->dist) {
    pad_rows(s, s->rin, x, c);
    exec_r2c(s, p, s->rin, out);
  } else exec_r2c(s, p, (float *)x, out);
}

/* A mode on the DC or Nyquist plane of the last axis has c_k = 1. */
static int dc_or_nyquist(const fc_spectral *s, long k) { return s->mode_factor[k] == 1; }

void fc_spectral_forward(fc_spectral *s, float *y, const float *x, const float *W, int B)
{
  const int ci = s->c.cin, co = s->c.cout;
  const float scale = s->s_fwd * s->s_inv;
  for (int b = 0; b < B; b++) {
    const float *xb = x + (long)b * s->npts * ci;
    float *yb = y + (long)b * s->npts * co;
    transform_in(s, s->r2c_in, xb, ci, s->xh);
    memset(s->yh, 0, sizeof(fftwf_complex) * (size_t)(s->ncplx * co));
    for (long k = 0; k < s->nmodes; k++) {
      const float *xk = s->xh[s->mode_index[k] * ci];
      float *yk = s->yh[s->mode_index[k] * co];
      const float *Wk = W + 2 * s->mode_weight[k] * ci * co;
      for (int i = 0; i < ci; i++) {
        const float xr = xk[2 * i], xi = xk[2 * i + 1];
        const float *Wi = Wk + 2 * (long)i * co;
        for (int o = 0; o < co; o++) {
          yk[2 * o] += xr * Wi[2 * o] - xi * Wi[2 * o + 1];
          yk[2 * o + 1] += xr * Wi[2 * o + 1] + xi * Wi[2 * o];
        }
      }
      if (s->c.zero_dc_nyquist_imag && dc_or_nyquist(s, k))
        for (int o = 0; o < co; o++) yk[2 * o + 1] = 0;
    }
    if (s->dist) {
      exec_c2r(s, s->c2r_out, s->yh, s->rbuf);
      unpad_rows(s, yb, s->rbuf, co, scale, 0);
    } else {
      exec_c2r(s, s->c2r_out, s->yh, yb);
      for (long p = 0; p < s->npts * co; p++) yb[p] *= scale;
    }
  }
}

void fc_spectral_backward(fc_spectral *s, float *dx, float *dW, const float *dy, const float *x, const float *W, int B)
{
  const int ci = s->c.cin, co = s->c.cout;
  for (int b = 0; b < B; b++) {
    const float *xb = x + (long)b * s->npts * ci, *dyb = dy + (long)b * s->npts * co;
    transform_in(s, s->r2c_in, xb, ci, s->xh);   /* xh = rfft(x) */
    transform_in(s, s->r2c_out, dyb, co, s->yh); /* yh = rfft(dy) */
    for (long k = 0; k < s->nmodes; k++) {
      float *xk = s->xh[s->mode_index[k] * ci];
      float *gy = s->yh[s->mode_index[k] * co];
      const float *Wk = W + 2 * s->mode_weight[k] * ci * co;
      float *dWk = dW ? dW + 2 * s->mode_weight[k] * ci * co : NULL;
      const float fy = s->s_inv * (float)s->mode_factor[k];
      for (int o = 0; o < co; o++) {
        gy[2 * o] *= fy;
        gy[2 * o + 1] = (s->c.zero_dc_nyquist_imag && dc_or_nyquist(s, k)) ? 0 : gy[2 * o + 1] * fy;
      }
      for (int i = 0; i < ci; i++) {
        const float xr = s->s_fwd * xk[2 * i], xi = s->s_fwd * xk[2 * i + 1]; /* the x-hat W saw */
        const float *Wi = Wk + 2 * (long)i * co;
        float gr = 0, gi = 0;
        for (int o = 0; o < co; o++) {
          const float wr = Wi[2 * o], wi = Wi[2 * o + 1], yr = gy[2 * o], yi = gy[2 * o + 1];
          if (dWk) { /* conj(x) * gy */
            dWk[2 * ((long)i * co + o)] += xr * yr + xi * yi;
            dWk[2 * ((long)i * co + o) + 1] += xr * yi - xi * yr;
          }
          gr += yr * wr + yi * wi; /* gy * conj(W) */
          gi += yi * wr - yr * wi;
        }
        xk[2 * i] = gr; /* xh now holds gx at the kept modes */
        xk[2 * i + 1] = gi;
      }
    }
    if (!dx) continue;
    /* gx / c_k, zero outside the kept modes: rebuild the half spectrum in yh */
    memset(s->yh, 0, sizeof(fftwf_complex) * (size_t)(s->ncplx * ci));
    for (long k = 0; k < s->nmodes; k++) {
      const float *gx = s->xh[s->mode_index[k] * ci];
      float *dst = s->yh[s->mode_index[k] * ci];
      const float f = s->s_fwd / (float)s->mode_factor[k];
      for (int i = 0; i < 2 * ci; i++) dst[i] = gx[i] * f;
    }
    exec_c2r(s, s->c2r_in, s->yh, s->rbuf);
    float *dxb = dx + (long)b * s->npts * ci;
    if (s->dist) unpad_rows(s, dxb, s->rbuf, ci, 1.0f, 1);
    else
      for (long p = 0; p < s->npts * ci; p++) dxb[p] += s->rbuf[p];
  }
}
