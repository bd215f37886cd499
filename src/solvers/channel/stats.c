/* Turbulence statistics of the channel (fc_channel_stats.h; file layout: docs/file-format.md,
 * "Channel statistics").
 *
 * Profiles: every sample adds the x-z plane means of u, v, w, u^2, v^2, w^2, uv, uw, vw at each
 * cell-centre y (velocity interpolated to the centres) to running sums; the planes are summed
 * over the ranks at once (MPI_Allreduce), so every rank holds the same sums and the result
 * depends on the rank count only through the order of that sum (round-off).
 *
 * Spectra: the planes are fixed at create time from the nominal friction velocity of the
 * configuration (pressure drive: u_tau = sqrt(dpdx h), exact for a statistically steady flow;
 * flow-rate drive: Dean's correlation Re_tau = 0.09 Re_b^0.88 with Re_b = U_b 2h / nu, as
 * initial.c), so that a restarted run picks the same planes. Each requested y+ selects the
 * lower-half centre j nearest y = y+ nu / u_tau_nominal (the centreline one when beyond it) and
 * its mirror ny-1-j. Every sample gathers those planes (3 components) onto rank 0, which
 * subtracts the sample's plane mean and transforms every x line and every z line (FFTW r2c).
 * E(k_m) = w_m |f_m|^2 / n^2 with w_m = 1 for m = 0 and m = n/2, 2 otherwise, averaged over the
 * other direction, both halves and the samples: the sum over m of E(k_m) is the plane variance.
 * The spectral sums live on rank 0 only (the one that writes them).
 */
#include <errno.h>
#include <fftw3.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fc_channel_stats.h"
#include "fc_version.h"
#include "h5util.h"

#define STATS_SCHEMA "flowcast.channel_stats"
#define STATS_VERSION 1
#define STATS_MAX_PLANES 64

/* the running sums, in this order in the file (/raw/sums) */
enum { S_U, S_V, S_W, S_UU, S_VV, S_WW, S_UV, S_UW, S_VW, NSUM };
static const char *const sum_names[NSUM] = {"U", "V", "W", "uu", "vv", "ww", "uv", "uw", "vw"};
/* folding the upper half onto the lower: y -> ly - y changes the sign of v */
static const double fold_sign[NSUM] = {1, -1, 1, 1, 1, 1, -1, 1, -1};

struct fc_channel_stats {
  MPI_Comm comm;
  int rank, size;
  long nx, ny, nz, nxl;
  double lx, ly, lz, stretch, nu;
  double *yc;            /* [ny] cell centres */
  double *sum;           /* [NSUM][ny] sums over samples of plane means (same on every rank) */
  double *plane;         /* [NSUM][ny] scratch */
  long samples;
  double tau_sum, ub_sum; /* sums over samples of fc_channel_wall_shear, fc_channel_bulk_velocity */
  double t_first, t_last;
  double utau_nominal;
  /* spectra */
  int nplanes;
  double *yplus_req;     /* [nplanes] as requested */
  long *jplane;          /* [nplanes] lower-half centre index; the mirror is ny-1-j */
  long nkx, nkz;
  double *spec_x;        /* [nplanes][3][nkx] sums over samples and both halves (rank 0) */
  double *spec_z;        /* [nplanes][3][nkz] */
  double *sendbuf;       /* [nxl][2 nplanes][3][nz] */
  double *gath;          /* [nx][2 nplanes][3][nz] (rank 0) */
  int *counts, *displs;  /* Gatherv (rank 0) */
  double *fin;           /* FFT line buffers and plans (rank 0) */
  fftw_complex *fout;
  fftw_plan px, pz;
};

/* ---- life cycle ------------------------------------------------------------------------- */

/* The nominal friction velocity of the configuration (0 when it gives none). */
static double nominal_utau(const fc_channel_config *c)
{
  double h = 0.5 * c->ly;
  if (c->drive == FC_DRIVE_PRESSURE_GRADIENT) return c->dpdx > 0 ? sqrt(c->dpdx * h) : 0.0;
  double re_b = c->bulk_velocity * c->ly / c->nu;
  return re_b > 0 ? fc_channel_dean_re_tau(re_b) * c->nu / h : 0.0;
}

fc_err fc_channel_stats_create(const fc_channel *ch, int nplanes, const double *yplus, fc_channel_stats **out)
{
  *out = NULL;
  if (nplanes < 0 || nplanes > STATS_MAX_PLANES)
    FcRaiseComm(ch->comm, FC_ERR_INPUT, "channel statistics: %d spectra planes requested, expected 0 .. %d", nplanes,
                STATS_MAX_PLANES);
  for (int p = 0; p < nplanes; p++)
    if (!(yplus[p] >= 0) || !isfinite(yplus[p]))
      FcRaiseComm(ch->comm, FC_ERR_INPUT, "channel statistics: spectra plane %d at y+ = %g, expected a finite y+ >= 0",
                  p + 1, yplus[p]);
  double utau = nominal_utau(&ch->c);
  if (nplanes > 0 && !(utau > 0 && isfinite(utau))) {
    if (ch->c.drive == FC_DRIVE_PRESSURE_GRADIENT)
      FcRaiseComm(ch->comm, FC_ERR_INPUT,
                  "channel statistics: cannot place the spectra planes at y+: the pressure gradient dpdx = %g gives no "
                  "friction velocity (expected dpdx > 0)", ch->c.dpdx);
    FcRaiseComm(ch->comm, FC_ERR_INPUT,
                "channel statistics: cannot place the spectra planes at y+: the bulk velocity %g gives no friction "
                "velocity (expected > 0)", ch->c.bulk_velocity);
  }
  fc_channel_stats *st;
  FcCall(FcMalloc(1, &st));
  st->comm = ch->comm;
  st->rank = ch->rank;
  st->size = ch->size;
  st->nx = ch->nx;
  st->ny = ch->ny;
  st->nz = ch->nz;
  st->nxl = ch->nxl;
  st->lx = ch->c.lx;
  st->ly = ch->c.ly;
  st->lz = ch->c.lz;
  st->stretch = ch->c.stretch;
  st->nu = ch->c.nu;
  st->utau_nominal = utau;
  st->nplanes = nplanes;
  st->nkx = st->nx / 2 + 1;
  st->nkz = st->nz / 2 + 1;
  const long ny = st->ny;
  FcCall(FcMalloc(ny, &st->yc));
  for (long j = 0; j < ny; j++) st->yc[j] = ch->yc[j + 1];
  FcCall(FcMalloc(NSUM * ny, &st->sum));
  FcCall(FcMalloc(NSUM * ny, &st->plane));
  if (nplanes > 0) {
    FcCall(FcMalloc(nplanes, &st->yplus_req));
    FcCall(FcMalloc(nplanes, &st->jplane));
    const long nh = (ny + 1) / 2; /* centres in the lower half, the middle one included when ny is odd */
    for (int p = 0; p < nplanes; p++) {
      double target = yplus[p] * st->nu / utau;
      long best = 0;
      for (long j = 1; j < nh; j++)
        if (fabs(st->yc[j] - target) < fabs(st->yc[best] - target)) best = j;
      st->yplus_req[p] = yplus[p];
      st->jplane[p] = best;
    }
    const long stride = 2L * nplanes * 3 * st->nz;
    if ((double)st->nx * (double)stride > (double)INT_MAX)
      FcRaiseComm(ch->comm, FC_ERR_INPUT, "channel statistics: %d spectra planes of %ld x %ld points are too many to "
                  "gather in one message; request fewer planes", nplanes, st->nx, st->nz);
    FcCall(FcMalloc(st->nxl * stride + 1, &st->sendbuf));
    FcCall(FcMalloc(st->size, &st->counts));
    FcCall(FcMalloc(st->size, &st->displs));
    int mine = (int)(st->nxl * stride);
    FcCallMPI(MPI_Allgather(&mine, 1, MPI_INT, st->counts, 1, MPI_INT, st->comm));
    for (int r = 1; r < st->size; r++) st->displs[r] = st->displs[r - 1] + st->counts[r - 1];
    if (st->rank == 0) {
      FcCall(FcMalloc(st->nx * stride, &st->gath));
      FcCall(FcMalloc((long)nplanes * 3 * st->nkx, &st->spec_x));
      FcCall(FcMalloc((long)nplanes * 3 * st->nkz, &st->spec_z));
      long n = st->nx > st->nz ? st->nx : st->nz;
      st->fin = fftw_alloc_real((size_t)n);
      st->fout = fftw_alloc_complex((size_t)(n / 2 + 1));
      if (!st->fin || !st->fout) FcRaiseLocal(FC_ERR_MEMORY, "channel statistics: cannot allocate FFT buffers of %ld points", n);
      st->px = fftw_plan_dft_r2c_1d((int)st->nx, st->fin, st->fout, FFTW_ESTIMATE);
      st->pz = fftw_plan_dft_r2c_1d((int)st->nz, st->fin, st->fout, FFTW_ESTIMATE);
      if (!st->px || !st->pz) FcRaiseLocal(FC_ERR_LIBRARY, "channel statistics: FFTW could not plan the line transforms");
    }
  }
  *out = st;
  return FC_SUCCESS;
}

fc_err fc_channel_stats_destroy(fc_channel_stats **pst)
{
  fc_channel_stats *st = *pst;
  if (!st) return FC_SUCCESS;
  if (st->px) fftw_destroy_plan(st->px);
  if (st->pz) fftw_destroy_plan(st->pz);
  if (st->fin) fftw_free(st->fin);
  if (st->fout) fftw_free(st->fout);
  free(st->yc);
  free(st->sum);
  free(st->plane);
  free(st->yplus_req);
  free(st->jplane);
  free(st->spec_x);
  free(st->spec_z);
  free(st->sendbuf);
  free(st->gath);
  free(st->counts);
  free(st->displs);
  free(st);
  *pst = NULL;
  return FC_SUCCESS;
}

long fc_channel_stats_samples(const fc_channel_stats *st) { return st ? st->samples : 0; }

double fc_channel_stats_last_time(const fc_channel_stats *st) { return st && st->samples ? st->t_last : -INFINITY; }

static fc_err check_same_grid(const fc_channel_stats *st, const fc_channel *ch)
{
  if (st->nx != ch->nx || st->ny != ch->ny || st->nz != ch->nz || st->nxl != ch->nxl)
    FcRaiseComm(ch->comm, FC_ERR_INTERNAL,
                "channel statistics were created for a %ld x %ld x %ld grid and used with a %ld x %ld x %ld channel",
                st->nx, st->ny, st->nz, ch->nx, ch->ny, ch->nz);
  return FC_SUCCESS;
}

/* ---- sampling ---------------------------------------------------------------------------- */

/* The velocity at the centre of cell (i, k, j) (x and z ghosts filled; v = 0 on the walls). */
static inline void centre_velocity(const fc_channel *ch, long i, long k, long j, double *uc, double *vc, double *wc)
{
  const long q = FC_CH_IDX(ch, i, k, j);
  *uc = 0.5 * (ch->u[q - ch->sx] + ch->u[q]);
  *wc = 0.5 * (ch->w[q - ch->sz] + ch->w[q]);
  *vc = fc_channel_v_centre(ch, ch->v + q - j, j);
}

static double one_sided_weight(long m, long n) { return (m == 0 || 2 * m == n) ? 1.0 : 2.0; }

/* Gathers the spectra planes onto rank 0 and adds their spectra. */
static fc_err spectra_sample(fc_channel_stats *st, const fc_channel *ch)
{
  const long np2 = 2L * st->nplanes, nz = st->nz, nx = st->nx, ny = st->ny;
  for (long i = 0; i < st->nxl; i++)
    for (long p2 = 0; p2 < np2; p2++) {
      long j = p2 % 2 ? ny - 1 - st->jplane[p2 / 2] : st->jplane[p2 / 2];
      double *b = st->sendbuf + (i * np2 + p2) * 3 * nz;
      for (long k = 0; k < nz; k++) centre_velocity(ch, i, k, j, &b[k], &b[nz + k], &b[2 * nz + k]);
    }
  FcCallMPI(MPI_Gatherv(st->sendbuf, (int)(st->nxl * np2 * 3 * nz), MPI_DOUBLE, st->gath, st->counts, st->displs,
                        MPI_DOUBLE, 0, st->comm));
  if (st->rank != 0) return FC_SUCCESS;
  const long sti = np2 * 3 * nz; /* stride of i in gath */
  double *in = st->fin;
  const fftw_complex *f = st->fout;
  for (long p2 = 0; p2 < np2; p2++)
    for (int c = 0; c < 3; c++) {
      const double *g = st->gath + (p2 * 3 + c) * nz; /* g[i * sti + k] */
      double mean = 0.0;
      for (long i = 0; i < nx; i++)
        for (long k = 0; k < nz; k++) mean += g[i * sti + k];
      mean /= (double)nx * (double)nz;
      double *ex = st->spec_x + ((p2 / 2) * 3 + c) * st->nkx, *ez = st->spec_z + ((p2 / 2) * 3 + c) * st->nkz;
      const double sx = 1.0 / ((double)nx * (double)nx * (double)nz), sz = 1.0 / ((double)nz * (double)nz * (double)nx);
      for (long k = 0; k < nz; k++) {
        for (long i = 0; i < nx; i++) in[i] = g[i * sti + k] - mean;
        fftw_execute(st->px);
        for (long m = 0; m < st->nkx; m++) ex[m] += one_sided_weight(m, nx) * (f[m][0] * f[m][0] + f[m][1] * f[m][1]) * sx;
      }
      for (long i = 0; i < nx; i++) {
        for (long k = 0; k < nz; k++) in[k] = g[i * sti + k] - mean;
        fftw_execute(st->pz);
        for (long m = 0; m < st->nkz; m++) ez[m] += one_sided_weight(m, nz) * (f[m][0] * f[m][0] + f[m][1] * f[m][1]) * sz;
      }
    }
  return FC_SUCCESS;
}

fc_err fc_channel_stats_accumulate(fc_channel_stats *st, fc_channel *ch)
{
  FcCall(check_same_grid(st, ch));
  FcCall(fc_channel_halo_velocity(ch));
  const long ny = st->ny;
  double *pl = st->plane;
  memset(pl, 0, sizeof(double) * NSUM * ny);
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ny; j++) {
        double u, v, w;
        centre_velocity(ch, i, k, j, &u, &v, &w);
        pl[S_U * ny + j] += u;
        pl[S_V * ny + j] += v;
        pl[S_W * ny + j] += w;
        pl[S_UU * ny + j] += u * u;
        pl[S_VV * ny + j] += v * v;
        pl[S_WW * ny + j] += w * w;
        pl[S_UV * ny + j] += u * v;
        pl[S_UW * ny + j] += u * w;
        pl[S_VW * ny + j] += v * w;
      }
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, pl, (int)(NSUM * ny), MPI_DOUBLE, MPI_SUM, st->comm));
  const double inv = 1.0 / ((double)st->nx * (double)st->nz);
  for (long q = 0; q < NSUM * ny; q++) st->sum[q] += pl[q] * inv;
  double tau, ub;
  FcCall(fc_channel_wall_shear(ch, &tau));
  FcCall(fc_channel_bulk_velocity(ch, &ub));
  st->tau_sum += tau;
  st->ub_sum += ub;
  if (st->samples == 0) st->t_first = ch->t;
  st->t_last = ch->t;
  st->samples++;
  if (st->nplanes > 0) FcCall(spectra_sample(st, ch));
  return FC_SUCCESS;
}

/* ---- writing (rank 0) -------------------------------------------------------------------- */

static fc_err put(hid_t loc, const char *path, const char *name, int nd, const long *shape, hid_t ftype, hid_t mtype,
                  const void *data)
{
  hsize_t dims[3];
  for (int a = 0; a < nd; a++) dims[a] = (hsize_t)shape[a];
  hid_t s = H5Screate_simple(nd, dims, NULL);
  hid_t d = s < 0 ? -1 : H5Dcreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t rc = d < 0 ? -1 : H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  if (d >= 0) H5Dclose(d);
  if (s >= 0) H5Sclose(s);
  if (rc < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_IO, "channel statistics '%s': cannot write dataset '%s': %s", path, name, msg);
  }
  return FC_SUCCESS;
}

static fc_err put_doubles(hid_t loc, const char *path, const char *name, int nd, const long *shape, const double *v)
{
  return put(loc, path, name, nd, shape, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v);
}

/* The averages derived from the sums. */
typedef struct {
  double tau, utau, re_tau, ub, cf, avg_time;
  long nh;
  double *prof;  /* [NSUM][nh] folded: means U, V, W then covariances uu ... vw */
  double *plus;  /* [5][nh]: U+, u_rms+, v_rms+, w_rms+, -uv+ */
  double *yplus; /* [nh] */
} derived;

static fc_err derive(const fc_channel_stats *st, derived *d)
{
  const long ny = st->ny, nh = (ny + 1) / 2;
  const double n = (double)st->samples, invn = st->samples > 0 ? 1.0 / n : 0.0;
  d->nh = nh;
  d->tau = st->tau_sum * invn;
  d->utau = sqrt(d->tau);
  d->re_tau = d->utau * 0.5 * st->ly / st->nu;
  d->ub = st->ub_sum * invn;
  d->cf = d->ub != 0 ? 2.0 * d->tau / (d->ub * d->ub) : 0.0;
  d->avg_time = st->samples > 0 ? st->t_last - st->t_first : 0.0;
  double *full;
  FcCall(FcMalloc(NSUM * ny, &full));
  FcCall(FcMalloc(NSUM * nh, &d->prof));
  FcCall(FcMalloc(5 * nh, &d->plus));
  FcCall(FcMalloc(nh, &d->yplus));
  for (long j = 0; j < ny; j++) {
    double m[NSUM];
    for (int q = 0; q < NSUM; q++) m[q] = st->sum[q * ny + j] * invn;
    full[S_U * ny + j] = m[S_U];
    full[S_V * ny + j] = m[S_V];
    full[S_W * ny + j] = m[S_W];
    full[S_UU * ny + j] = m[S_UU] - m[S_U] * m[S_U];
    full[S_VV * ny + j] = m[S_VV] - m[S_V] * m[S_V];
    full[S_WW * ny + j] = m[S_WW] - m[S_W] * m[S_W];
    full[S_UV * ny + j] = m[S_UV] - m[S_U] * m[S_V];
    full[S_UW * ny + j] = m[S_UW] - m[S_U] * m[S_W];
    full[S_VW * ny + j] = m[S_VW] - m[S_V] * m[S_W];
  }
  for (int q = 0; q < NSUM; q++)
    for (long j = 0; j < nh; j++)
      d->prof[q * nh + j] = 0.5 * (full[q * ny + j] + fold_sign[q] * full[q * ny + ny - 1 - j]);
  free(full);
  const double iu = d->utau > 0 ? 1.0 / d->utau : 0.0;
  for (long j = 0; j < nh; j++) {
    const double *p = d->prof;
    d->yplus[j] = st->yc[j] * d->utau / st->nu;
    d->plus[0 * nh + j] = p[S_U * nh + j] * iu;
    d->plus[1 * nh + j] = sqrt(fmax(p[S_UU * nh + j], 0.0)) * iu;
    d->plus[2 * nh + j] = sqrt(fmax(p[S_VV * nh + j], 0.0)) * iu;
    d->plus[3 * nh + j] = sqrt(fmax(p[S_WW * nh + j], 0.0)) * iu;
    d->plus[4 * nh + j] = -p[S_UV * nh + j] * iu * iu;
  }
  return FC_SUCCESS;
}

static fc_err write_spectra(const fc_channel_stats *st, hid_t f, const char *path, const derived *d)
{
  hid_t g = H5Gcreate2(f, "/spectra", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_IO, "channel statistics '%s': cannot create group /spectra", path);
  const long np = st->nplanes, lnp = np;
  fc_err e = fc_h5_attr_write_longs(g, "nplanes", 1, &lnp);
  if (!e)
    e = fc_h5_attr_write_string(g, "normalization",
                                "E(k_m) = w_m |f_m|^2 / n^2 (f the DFT of a line of n fluctuations about the plane mean, "
                                "w_m = 1 for m = 0 and m = n/2, else 2), averaged over the other direction, both "
                                "halves and the samples: sum over m of E = plane variance");
  if (np == 0 || e) {
    H5Gclose(g);
    return e;
  }
  double *kx = NULL, *kz = NULL, *y = NULL, *yp = NULL, *ex = NULL, *ez = NULL;
  e = FcMalloc(st->nkx, &kx);
  if (!e) e = FcMalloc(st->nkz, &kz);
  if (!e) e = FcMalloc(np, &y);
  if (!e) e = FcMalloc(np, &yp);
  if (!e) e = FcMalloc(np * st->nkx, &ex);
  if (!e) e = FcMalloc(np * st->nkz, &ez);
  if (!e) {
    for (long m = 0; m < st->nkx; m++) kx[m] = 2.0 * M_PI * (double)m / st->lx;
    for (long m = 0; m < st->nkz; m++) kz[m] = 2.0 * M_PI * (double)m / st->lz;
    for (long p = 0; p < np; p++) {
      y[p] = st->yc[st->jplane[p]];
      yp[p] = y[p] * d->utau / st->nu;
    }
    long s1[1] = {np}, skx[1] = {st->nkx}, skz[1] = {st->nkz};
    e = put_doubles(g, path, "kx", 1, skx, kx);
    if (!e) e = put_doubles(g, path, "kz", 1, skz, kz);
    if (!e) e = put_doubles(g, path, "y", 1, s1, y);
    if (!e) e = put_doubles(g, path, "yplus", 1, s1, yp);
    if (!e) e = put_doubles(g, path, "yplus_nominal", 1, s1, st->yplus_req);
    if (!e) e = put(g, path, "j", 1, s1, H5T_STD_I64LE, H5T_NATIVE_LONG, st->jplane);
    const double inv = st->samples > 0 ? 0.5 / (double)st->samples : 0.0; /* both halves */
    static const char *const xn[3] = {"Euu_x", "Evv_x", "Eww_x"}, *const zn[3] = {"Euu_z", "Evv_z", "Eww_z"};
    for (int c = 0; c < 3 && !e; c++) {
      for (long p = 0; p < np; p++) {
        for (long m = 0; m < st->nkx; m++) ex[p * st->nkx + m] = st->spec_x[(p * 3 + c) * st->nkx + m] * inv;
        for (long m = 0; m < st->nkz; m++) ez[p * st->nkz + m] = st->spec_z[(p * 3 + c) * st->nkz + m] * inv;
      }
      long sx[2] = {np, st->nkx}, sz[2] = {np, st->nkz};
      e = put_doubles(g, path, xn[c], 2, sx, ex);
      if (!e) e = put_doubles(g, path, zn[c], 2, sz, ez);
    }
  }
  free(kx);
  free(kz);
  free(y);
  free(yp);
  free(ex);
  free(ez);
  H5Gclose(g);
  return e;
}

static fc_err write_raw(const fc_channel_stats *st, hid_t f, const char *path)
{
  hid_t g = H5Gcreate2(f, "/raw", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_IO, "channel statistics '%s': cannot create group /raw", path);
  fc_err e = fc_h5_attr_write_longs(g, "samples", 1, &st->samples);
  if (!e) e = fc_h5_attr_write_doubles(g, "tau_wall_sum", 1, &st->tau_sum);
  if (!e) e = fc_h5_attr_write_doubles(g, "bulk_velocity_sum", 1, &st->ub_sum);
  if (!e) e = fc_h5_attr_write_doubles(g, "t_first", 1, &st->t_first);
  if (!e) e = fc_h5_attr_write_doubles(g, "t_last", 1, &st->t_last);
  if (!e) e = fc_h5_attr_write_string(g, "sums", "u,v,w,uu,vv,ww,uv,uw,vw");
  long sy[1] = {st->ny}, ss[2] = {NSUM, st->ny};
  if (!e) e = put_doubles(g, path, "yc", 1, sy, st->yc);
  if (!e) e = put_doubles(g, path, "sums", 2, ss, st->sum);
  if (!e && st->nplanes > 0) {
    long sx[3] = {st->nplanes, 3, st->nkx}, sz[3] = {st->nplanes, 3, st->nkz};
    e = put_doubles(g, path, "spectra_x", 3, sx, st->spec_x);
    if (!e) e = put_doubles(g, path, "spectra_z", 3, sz, st->spec_z);
  }
  H5Gclose(g);
  return e;
}

static fc_err write_contents(const fc_channel_stats *st, hid_t f, const char *path, const char *case_text,
                             const derived *d)
{
  char created[64];
  time_t now = time(NULL);
  struct tm tmv;
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
  const long version = STATS_VERSION, grid[3] = {st->nx, st->ny, st->nz};
  const double box[3] = {st->lx, st->ly, st->lz};
  const double re_tau_nominal = st->utau_nominal * 0.5 * st->ly / st->nu;
  FcCall(fc_h5_attr_write_string(f, "schema", STATS_SCHEMA));
  FcCall(fc_h5_attr_write_longs(f, "schema_version", 1, &version));
  FcCall(fc_h5_attr_write_string(f, "flowcast_version", FC_VERSION));
  FcCall(fc_h5_attr_write_string(f, "created", created));
  FcCall(fc_h5_attr_write_string(f, "case", case_text ? case_text : ""));
  FcCall(fc_h5_attr_write_longs(f, "samples", 1, &st->samples));
  FcCall(fc_h5_attr_write_doubles(f, "t_first", 1, &st->t_first));
  FcCall(fc_h5_attr_write_doubles(f, "t_last", 1, &st->t_last));
  FcCall(fc_h5_attr_write_doubles(f, "averaging_time", 1, &d->avg_time));
  FcCall(fc_h5_attr_write_doubles(f, "tau_wall", 1, &d->tau));
  FcCall(fc_h5_attr_write_doubles(f, "u_tau", 1, &d->utau));
  FcCall(fc_h5_attr_write_doubles(f, "re_tau", 1, &d->re_tau));
  FcCall(fc_h5_attr_write_doubles(f, "bulk_velocity", 1, &d->ub));
  FcCall(fc_h5_attr_write_doubles(f, "cf", 1, &d->cf));
  FcCall(fc_h5_attr_write_doubles(f, "nu", 1, &st->nu));
  FcCall(fc_h5_attr_write_longs(f, "grid", 3, grid));
  FcCall(fc_h5_attr_write_longs(f, "nx", 1, &grid[0]));
  FcCall(fc_h5_attr_write_longs(f, "ny", 1, &grid[1]));
  FcCall(fc_h5_attr_write_longs(f, "nz", 1, &grid[2]));
  FcCall(fc_h5_attr_write_doubles(f, "box", 3, box));
  FcCall(fc_h5_attr_write_doubles(f, "lx", 1, &box[0]));
  FcCall(fc_h5_attr_write_doubles(f, "ly", 1, &box[1]));
  FcCall(fc_h5_attr_write_doubles(f, "lz", 1, &box[2]));
  FcCall(fc_h5_attr_write_doubles(f, "stretch", 1, &st->stretch));
  FcCall(fc_h5_attr_write_doubles(f, "u_tau_nominal", 1, &st->utau_nominal));
  FcCall(fc_h5_attr_write_doubles(f, "re_tau_nominal", 1, &re_tau_nominal));
  const long nh = d->nh, s1[1] = {nh};
  FcCall(put_doubles(f, path, "y", 1, s1, st->yc));
  FcCall(put_doubles(f, path, "yplus", 1, s1, d->yplus));
  for (int q = 0; q < NSUM; q++) FcCall(put_doubles(f, path, sum_names[q], 1, s1, d->prof + q * nh));
  static const char *const pn[5] = {"U_plus", "u_rms_plus", "v_rms_plus", "w_rms_plus", "uv_plus"};
  for (int q = 0; q < 5; q++) FcCall(put_doubles(f, path, pn[q], 1, s1, d->plus + q * nh));
  FcCall(write_spectra(st, f, path, d));
  FcCall(write_raw(st, f, path));
  return FC_SUCCESS;
}

static fc_err write_rank0(const fc_channel_stats *st, const char *path, const char *case_text)
{
  char partial[PATH_MAX + 16];
  snprintf(partial, sizeof partial, "%s.partial", path);
  derived d = {0};
  fc_err e = derive(st, &d);
  hid_t f = e ? -1 : H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (!e && f < 0) {
    char msg[FC_H5_MSG_LEN];
    fc_h5_last_error(msg, sizeof msg);
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__,
                       "cannot create channel statistics file '%s': %s", partial, msg);
  }
  if (!e) e = write_contents(st, f, path, case_text, &d);
  if (f >= 0 && H5Fclose(f) < 0 && !e)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot close '%s' (disk full?)", partial);
  if (!e && rename(partial, path) != 0)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_IO, __func__, __FILE__, __LINE__, "cannot rename '%s' to '%s': %s",
                       partial, path, strerror(errno));
  if (e && f >= 0) unlink(partial);
  free(d.prof);
  free(d.plus);
  free(d.yplus);
  return e;
}

fc_err fc_channel_stats_write(fc_channel_stats *st, fc_channel *ch, const char *path, const char *case_text)
{
  FcCall(check_same_grid(st, ch));
  FcCall(fc_output_prepare(st->comm, path));
  fc_err e = st->rank == 0 ? write_rank0(st, path, case_text) : FC_SUCCESS;
  return fc_error_from_rank0(st->comm, e);
}

/* ---- loading (rank 0 reads, every rank receives the profile sums) ------------------------ */

/* Reads a float64 dataset of exactly the given shape. */
static fc_err get(hid_t loc, const char *ctx, const char *name, hid_t mtype, int nd, const long *shape, void *out)
{
  if (fc_h5_path_exists(loc, name) <= 0)
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: dataset '%s' is missing (not a complete channel statistics file)", ctx, name);
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  hid_t s = d < 0 ? -1 : H5Dget_space(d), t = d < 0 ? -1 : H5Dget_type(d);
  int ndims = s < 0 ? -1 : H5Sget_simple_extent_ndims(s);
  hsize_t dims[H5S_MAX_RANK];
  H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
  int ok = ndims == nd && (cls == H5T_FLOAT || cls == H5T_INTEGER);
  char have[96] = "", want[96] = "";
  if (ndims > 0) H5Sget_simple_extent_dims(s, dims, NULL);
  for (int a = 0, o = 0; a < ndims && a < H5S_MAX_RANK && o < (int)sizeof have; a++) {
    ok &= a < nd && dims[a] == (hsize_t)shape[a];
    o += snprintf(have + o, sizeof have - (size_t)o, "%s%llu", a ? " x " : "", (unsigned long long)dims[a]);
  }
  for (int a = 0, o = 0; a < nd && o < (int)sizeof want; a++)
    o += snprintf(want + o, sizeof want - (size_t)o, "%s%ld", a ? " x " : "", shape[a]);
  herr_t rc = ok ? H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) : -1;
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  if (d >= 0) H5Dclose(d);
  if (!ok)
    FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: dataset '%s' has shape %s, this run expects %s", ctx, name,
                have[0] ? have : "(scalar or unreadable)", want);
  if (rc < 0) FcRaiseComm(MPI_COMM_SELF, FC_ERR_INPUT, "%s: dataset '%s' cannot be read (corrupted?)", ctx, name);
  return FC_SUCCESS;
}

static int differs(double a, double b) { return fabs(a - b) > 1e-12 * fmax(fabs(a), fabs(b)); }

/* Reads and checks the file; on success the sums go into sum, spec_x, spec_z (rank 0's). */
static fc_err load_rank0(const fc_channel_stats *st, const char *path, double *scal, double *sum, double *spec_x,
                         double *spec_z)
{
  char ctx[PATH_MAX + 40], buf[128];
  snprintf(ctx, sizeof ctx, "channel statistics '%s'", path);
  hid_t f;
  FcCall(fc_h5_open_file(MPI_COMM_SELF, path, 0, &f));
  fc_err e = FC_SUCCESS;
  if (H5Aexists(f, "schema") <= 0)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s is HDF5 but not a flowcast file (no 'schema' attribute)", ctx);
  if (!e) e = fc_h5_attr_read_string(f, ctx, "schema", buf, sizeof buf);
  if (!e && strcmp(buf, STATS_SCHEMA))
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s has schema '%s', expected '%s' (not a channel statistics file)", ctx, buf, STATS_SCHEMA);
  long version = 0, grid[3] = {0, 0, 0}, nplanes = 0;
  double box[3] = {0, 0, 0}, stretch = 0, nu = 0;
  if (!e) e = fc_h5_attr_read_longs(f, ctx, "schema_version", 1, &version);
  if (!e && version != STATS_VERSION)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s has schema version %ld, this flowcast reads version %d", ctx, version, STATS_VERSION);
  if (!e) e = fc_h5_attr_read_longs(f, ctx, "grid", 3, grid);
  if (!e && (grid[0] != st->nx || grid[1] != st->ny || grid[2] != st->nz))
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s was accumulated on a %ld x %ld x %ld grid, this run has %ld x %ld x %ld (nx x ny x nz)", ctx,
                       grid[0], grid[1], grid[2], st->nx, st->ny, st->nz);
  if (!e) e = fc_h5_attr_read_doubles(f, ctx, "box", 3, box);
  if (!e) e = fc_h5_attr_read_doubles(f, ctx, "stretch", 1, &stretch);
  if (!e && (differs(box[0], st->lx) || differs(box[1], st->ly) || differs(box[2], st->lz) || differs(stretch, st->stretch)))
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s was accumulated in a %.10g x %.10g x %.10g box with y stretching %.10g, this run has "
                       "%.10g x %.10g x %.10g with %.10g (lx x ly x lz, stretch)", ctx, box[0], box[1], box[2], stretch,
                       st->lx, st->ly, st->lz, st->stretch);
  if (!e) e = fc_h5_attr_read_doubles(f, ctx, "nu", 1, &nu);
  if (!e && differs(nu, st->nu))
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s was accumulated with viscosity nu = %.10g, this run has %.10g", ctx, nu, st->nu);
  hid_t g = -1;
  if (!e && fc_h5_path_exists(f, "/spectra") <= 0)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: group /spectra is missing", ctx);
  if (!e) g = H5Gopen2(f, "/spectra", H5P_DEFAULT);
  if (!e) e = fc_h5_attr_read_longs(g, ctx, "nplanes", 1, &nplanes);
  if (!e && nplanes != st->nplanes)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "%s has %ld spectra plane(s), this run asks for %d", ctx, nplanes, st->nplanes);
  if (!e && nplanes > 0) {
    long *j = NULL, s1[1] = {nplanes};
    e = FcMalloc(nplanes, &j);
    if (!e) e = get(g, ctx, "j", H5T_NATIVE_LONG, 1, s1, j);
    for (long p = 0; p < nplanes && !e; p++)
      if (j[p] != st->jplane[p])
        e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                           "%s: spectra plane %ld is at centre j = %ld, this run puts it at j = %ld (y+ %g requested)",
                           ctx, p + 1, j[p], st->jplane[p], st->yplus_req[p]);
    free(j);
  }
  if (g >= 0) H5Gclose(g);
  g = -1;
  if (!e && fc_h5_path_exists(f, "/raw") <= 0)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: group /raw is missing", ctx);
  if (!e) g = H5Gopen2(f, "/raw", H5P_DEFAULT);
  long samples = 0;
  if (!e) e = fc_h5_attr_read_longs(g, ctx, "samples", 1, &samples);
  if (!e && samples < 0)
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__, "%s: /raw samples = %ld, expected >= 0", ctx, samples);
  if (!e) e = fc_h5_attr_read_doubles(g, ctx, "tau_wall_sum", 1, &scal[1]);
  if (!e) e = fc_h5_attr_read_doubles(g, ctx, "bulk_velocity_sum", 1, &scal[2]);
  if (!e) e = fc_h5_attr_read_doubles(g, ctx, "t_first", 1, &scal[3]);
  if (!e) e = fc_h5_attr_read_doubles(g, ctx, "t_last", 1, &scal[4]);
  scal[0] = (double)samples;
  long ss[2] = {NSUM, st->ny};
  if (!e) e = get(g, ctx, "sums", H5T_NATIVE_DOUBLE, 2, ss, sum);
  if (!e && nplanes > 0) {
    long sx[3] = {nplanes, 3, st->nkx}, sz[3] = {nplanes, 3, st->nkz};
    e = get(g, ctx, "spectra_x", H5T_NATIVE_DOUBLE, 3, sx, spec_x);
    if (!e) e = get(g, ctx, "spectra_z", H5T_NATIVE_DOUBLE, 3, sz, spec_z);
  }
  for (long q = 0; q < NSUM * st->ny && !e; q++)
    if (!isfinite(sum[q]))
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_NONFINITE, __func__, __FILE__, __LINE__,
                         "%s: /raw/sums holds NaN/Inf (element %ld)", ctx, q);
  for (int q = 1; q < 5 && !e; q++)
    if (!isfinite(scal[q]))
      e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_NONFINITE, __func__, __FILE__, __LINE__,
                         "%s: a /raw attribute (sums of wall shear, bulk velocity or times) is NaN/Inf", ctx);
  if (g >= 0) H5Gclose(g);
  H5Fclose(f);
  return e;
}

fc_err fc_channel_stats_load(fc_channel_stats *st, fc_channel *ch, const char *path)
{
  FcCall(check_same_grid(st, ch));
  double scal[5] = {0, 0, 0, 0, 0};
  fc_err e = FC_SUCCESS;
  if (st->rank == 0) { /* read into copies: a failed load leaves the object as it was */
    const long nsx = st->nplanes * 3 * st->nkx, nsz = st->nplanes * 3 * st->nkz;
    double *sum = NULL, *sx = NULL, *sz = NULL;
    e = FcMalloc(NSUM * st->ny, &sum);
    if (!e) e = FcMalloc(nsx + 1, &sx);
    if (!e) e = FcMalloc(nsz + 1, &sz);
    if (!e) e = load_rank0(st, path, scal, sum, sx, sz);
    if (!e) {
      memcpy(st->sum, sum, sizeof(double) * NSUM * st->ny);
      if (st->nplanes > 0) {
        memcpy(st->spec_x, sx, sizeof(double) * nsx);
        memcpy(st->spec_z, sz, sizeof(double) * nsz);
      }
    }
    free(sum);
    free(sx);
    free(sz);
  }
  FcCall(fc_error_from_rank0(st->comm, e));
  FcCallMPI(MPI_Bcast(scal, 5, MPI_DOUBLE, 0, st->comm));
  FcCallMPI(MPI_Bcast(st->sum, (int)(NSUM * st->ny), MPI_DOUBLE, 0, st->comm));
  st->samples = (long)scal[0];
  st->tau_sum = scal[1];
  st->ub_sum = scal[2];
  st->t_first = scal[3];
  st->t_last = scal[4];
  return FC_SUCCESS;
}
