/* Pressure Poisson equation lap phi = f on the staggered grid (Neumann at the walls):
 * a real-to-complex FFT over (x, z) with FFTW-MPI (the y lines carried along as FFTW's
 * "howmany", the output transposed so that each rank holds whole kx lines for its kz),
 * then for every wavenumber pair the tridiagonal system in y
 *     (D2y + lambda_x(kx) + lambda_z(kz)) phi_hat = f_hat,
 *     lambda(k) = -(2 sin(pi k / n) / h)^2  (the eigenvalues of the periodic second difference),
 * solved directly (Thomas), then the inverse FFT. Exact to round-off: the discrete Laplacian
 * of the result is f. The (0, 0) mode is singular (constants); there phi(j = 0) = 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fc_channel.h"

struct fc_channel_poisson {
  long nzh, nzp;                   /* nz/2 + 1 complex, 2 (nz/2 + 1) padded reals */
  ptrdiff_t n1l, k0;               /* kz owned after the transpose: k0 .. k0 + n1l - 1 */
  double *in;                      /* [nxl][nzp][ny] */
  fftw_complex *out;               /* [n1l][nx][ny] */
  fftw_plan fwd, bwd;
  double *lx, *lz;                 /* eigenvalues [nx], [nzh] */
  double *am, *a0, *ap;            /* y rows [ny] (Neumann) */
  double *cp, *zero;               /* scratch: elimination factors [nx][ny], the (0,0) line [2 ny] */
};

fc_err fc_channel_poisson_create(fc_channel *ch)
{
  fc_channel_poisson *ps;
  FcCall(FcMalloc(1, &ps));
  ch->poisson = ps;
  long nx = ch->nx, ny = ch->ny, nz = ch->nz;
  ps->nzh = nz / 2 + 1;
  ps->nzp = 2 * ps->nzh;
  ptrdiff_t n0l, x0, nc[2] = {nx, ps->nzh}, nr[2] = {nx, nz};
  ptrdiff_t alloc = fftw_mpi_local_size_many_transposed(2, nc, ny, FFTW_MPI_DEFAULT_BLOCK, FFTW_MPI_DEFAULT_BLOCK,
                                                        ch->comm, &n0l, &x0, &ps->n1l, &ps->k0);
  if (n0l != ch->nxl || x0 != ch->x0)
    FcRaiseLocal(FC_ERR_INTERNAL, "FFTW-MPI's x split (%td at %td) differs from the slab (%ld at %ld)", n0l, x0,
                 ch->nxl, ch->x0);
  ps->in = fftw_alloc_real(2 * (size_t)alloc);
  ps->out = fftw_alloc_complex((size_t)alloc);
  if (!ps->in || !ps->out) FcRaiseLocal(FC_ERR_MEMORY, "cannot allocate the Poisson solver's FFT buffers");
  memset(ps->in, 0, 2 * (size_t)alloc * sizeof(double));
  unsigned flags = ch->c.fftw_measure ? FFTW_MEASURE : FFTW_ESTIMATE;
  ps->fwd = fftw_mpi_plan_many_dft_r2c(2, nr, ny, FFTW_MPI_DEFAULT_BLOCK, FFTW_MPI_DEFAULT_BLOCK, ps->in, ps->out,
                                       ch->comm, flags | FFTW_MPI_TRANSPOSED_OUT);
  ps->bwd = fftw_mpi_plan_many_dft_c2r(2, nr, ny, FFTW_MPI_DEFAULT_BLOCK, FFTW_MPI_DEFAULT_BLOCK, ps->out, ps->in,
                                       ch->comm, flags | FFTW_MPI_TRANSPOSED_IN);
  if (!ps->fwd || !ps->bwd) FcRaiseLocal(FC_ERR_LIBRARY, "FFTW-MPI could not plan the %ld x %ld transform", nx, nz);
  FcCall(FcMalloc(nx, &ps->lx));
  FcCall(FcMalloc(ps->nzh, &ps->lz));
  for (long k = 0; k < nx; k++) {
    double s = 2.0 * sin(M_PI * (double)k / (double)nx) / ch->dx;
    ps->lx[k] = -s * s;
  }
  for (long k = 0; k < ps->nzh; k++) {
    double s = 2.0 * sin(M_PI * (double)k / (double)nz) / ch->dz;
    ps->lz[k] = -s * s;
  }
  FcCall(FcMalloc(nx * ny, &ps->cp));
  FcCall(FcMalloc(2 * ny, &ps->zero));
  FcCall(FcMalloc(ny, &ps->am));
  FcCall(FcMalloc(ny, &ps->a0));
  FcCall(FcMalloc(ny, &ps->ap));
  const double *dyf = ch->dyf + 1, *dyc = ch->dyc + 1;
  for (long j = 0; j < ny; j++) {
    ps->am[j] = j > 0 ? 1.0 / (dyc[j - 1] * dyf[j]) : 0.0;
    ps->ap[j] = j < ny - 1 ? 1.0 / (dyc[j] * dyf[j]) : 0.0;
    ps->a0[j] = -(ps->am[j] + ps->ap[j]);
  }
  return FC_SUCCESS;
}

void fc_channel_poisson_destroy(fc_channel_poisson **pps)
{
  fc_channel_poisson *ps = *pps;
  if (!ps) return;
  if (ps->fwd) fftw_destroy_plan(ps->fwd);
  if (ps->bwd) fftw_destroy_plan(ps->bwd);
  fftw_free(ps->in);
  fftw_free(ps->out);
  free(ps->lx);
  free(ps->lz);
  free(ps->am);
  free(ps->a0);
  free(ps->ap);
  free(ps->cp);
  free(ps->zero);
  free(ps);
  *pps = NULL;
}

/* Thomas on one line of ny complex values (interleaved re, im); j0 = 1 pins x[0] = 0. */
static void solve_line(const fc_channel_poisson *ps, long ny, double lam, int j0, double *x, double *cp)
{
  double b = ps->a0[j0] + lam;
  double inv = 1.0 / b;
  if (j0) x[0] = x[1] = 0.0;
  cp[j0] = ps->ap[j0] * inv;
  x[2 * j0] *= inv;
  x[2 * j0 + 1] *= inv;
  for (long j = j0 + 1; j < ny; j++) {
    double lo = ps->am[j];
    inv = 1.0 / (ps->a0[j] + lam - lo * cp[j - 1]);
    cp[j] = ps->ap[j] * inv;
    x[2 * j] = (x[2 * j] - lo * x[2 * j - 2]) * inv;
    x[2 * j + 1] = (x[2 * j + 1] - lo * x[2 * j - 1]) * inv;
  }
  for (long j = ny - 2; j >= j0; j--) {
    x[2 * j] -= cp[j] * x[2 * j + 2];
    x[2 * j + 1] -= cp[j] * x[2 * j + 3];
  }
}

/* The same for all kx lines of one kz at once (x: [nx][ny] complex), kx innermost so that
 * the independent lines fill the vector units; the (0, 0) mode is left to solve_line. */
static void solve_plane(const fc_channel_poisson *ps, long nx, long ny, double lz, double *x, double *cp)
{
  const long s = 2 * ny; /* doubles between two kx lines */
  for (long kx = 0; kx < nx; kx++) {
    double inv = 1.0 / (ps->a0[0] + (ps->lx[kx] + lz));
    cp[kx * ny] = ps->ap[0] * inv;
    x[kx * s] *= inv;
    x[kx * s + 1] *= inv;
  }
  for (long j = 1; j < ny; j++) {
    const double lo = ps->am[j], a0 = ps->a0[j], ap = ps->ap[j];
    for (long kx = 0; kx < nx; kx++) {
      double inv = 1.0 / (a0 + (ps->lx[kx] + lz) - lo * cp[kx * ny + j - 1]);
      cp[kx * ny + j] = ap * inv;
      double *q = x + kx * s + 2 * j;
      q[0] = (q[0] - lo * q[-2]) * inv;
      q[1] = (q[1] - lo * q[-1]) * inv;
    }
  }
  for (long j = ny - 2; j >= 0; j--)
    for (long kx = 0; kx < nx; kx++) {
      double *q = x + kx * s + 2 * j, c = cp[kx * ny + j];
      q[0] -= c * q[2];
      q[1] -= c * q[3];
    }
}

fc_err fc_channel_poisson_solve(fc_channel *ch, double *f)
{
  fc_channel_poisson *ps = ch->poisson;
  const long nx = ch->nx, ny = ch->ny, nz = ch->nz;
  const double norm = 1.0 / ((double)nx * (double)nz);
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < nz; k++)
      memcpy(ps->in + (i * ps->nzp + k) * ny, f + FC_CH_IDX(ch, i, k, 0), (size_t)ny * sizeof(double));
  fftw_execute(ps->fwd);
  double *cp = ps->cp, *zero = ps->zero;
  for (ptrdiff_t kz = 0; kz < ps->n1l; kz++) {
    long gkz = ps->k0 + kz;
    double *x = (double *)(ps->out + kz * nx * ny);
    if (gkz == 0) memcpy(zero, x, 2 * (size_t)ny * sizeof(double)); /* the singular (0, 0) line */
    solve_plane(ps, nx, ny, ps->lz[gkz], x, cp);
    if (gkz == 0) {
      solve_line(ps, ny, ps->lx[0] + ps->lz[0], 1, zero, cp);
      memcpy(x, zero, 2 * (size_t)ny * sizeof(double));
    }
  }
  fftw_execute(ps->bwd);
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < nz; k++) {
      const double *src = ps->in + (i * ps->nzp + k) * ny;
      double *dst = f + FC_CH_IDX(ch, i, k, 0);
      for (long j = 0; j < ny; j++) dst[j] = src[j] * norm;
    }
  return FC_SUCCESS;
}
