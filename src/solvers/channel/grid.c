/* The channel's staggered grid: slab decomposition, stretched y, the y operators, the arrays. */
#include <math.h>
#include <stdlib.h>

#include "fc_channel.h"
#include "fc_grid.h"

void fc_channel_y_centres(long ny, double ly, double a, double *yc)
{
  for (long j = 0; j < ny; j++) {
    double s = ((double)j + 0.5) / (double)ny;
    yc[j] = a > 0 ? ly * 0.5 * (1.0 + tanh(a * (s - 0.5)) / tanh(0.5 * a)) : ly * s;
  }
}

void fc_channel_y_faces(long ny, double ly, const double *yc, double *f)
{
  f[0] = 0.0;
  for (long j = 1; j < ny; j++) f[j] = 0.5 * (yc[j - 1] + yc[j]);
  f[ny] = ly;
}

static fc_err check_config(const fc_channel_config *c, int size)
{
  if (c->nx < 4 || c->nx % 2 || c->nz < 4 || c->nz % 2)
    FcRaise(FC_ERR_INPUT, "channel grid %ld x %ld x %ld: nx and nz must be even and >= 4", c->nx, c->ny, c->nz);
  if (c->ny < 3) FcRaise(FC_ERR_INPUT, "channel grid: ny = %ld cells, expected >= 3", c->ny);
  if (!(c->lx > 0 && c->ly > 0 && c->lz > 0)) FcRaise(FC_ERR_INPUT, "channel box: lengths must be positive");
  if (!(c->nu > 0)) FcRaise(FC_ERR_INPUT, "channel viscosity nu = %g: expected > 0", c->nu);
  if (!(c->cfl > 0 && c->cfl <= 1.0) && !(c->dt_fixed > 0))
    FcRaise(FC_ERR_INPUT, "channel cfl = %g: expected in (0, 1]", c->cfl);
  if (c->nx < size)
    FcRaise(FC_ERR_INPUT, "channel grid nx = %ld cells cannot be split over %d ranks (at least one x-plane per rank)",
            c->nx, size);
  return FC_SUCCESS;
}

/* Second difference at centre j from face fluxes; the wall rows fold in the quadratic ghost. */
static void y_operators(fc_channel *ch)
{
  long ny = ch->ny;
  const double *yc = ch->yc + 1, *dyf = ch->dyf + 1, *dyc = ch->dyc + 1; /* index j = -1 .. ny */
  for (long j = 0; j < ny; j++) {
    double am = 1.0 / (dyc[j - 1] * dyf[j]), ap = 1.0 / (dyc[j] * dyf[j]);
    ch->lc_m[j] = am;
    ch->lc_p[j] = ap;
    ch->lc_0[j] = -(am + ap);
  }
  /* a(-1) = gw0 a(0) + gw1 a(1): the parabola through 0 at the wall, a(0) at yc0, a(1) at yc1,
   * evaluated at the mirrored ghost centre -yc0 (the top wall by symmetry of the map). */
  double y0 = yc[0], y1 = yc[1];
  ch->gw0 = -(y0 + y1) / (y1 - y0);
  ch->gw1 = 2.0 * y0 * y0 / (y1 * (y1 - y0));
  ch->lc_0[0] += ch->lc_m[0] * ch->gw0;
  ch->lc_p[0] += ch->lc_m[0] * ch->gw1;
  ch->lc_m[0] = 0;
  ch->lc_0[ny - 1] += ch->lc_p[ny - 1] * ch->gw0;
  ch->lc_m[ny - 1] += ch->lc_p[ny - 1] * ch->gw1;
  ch->lc_p[ny - 1] = 0;
  /* faces j = 0 .. ny-2 between centres j and j+1; v = 0 on the walls j = -1, ny-1 */
  for (long j = 0; j <= ny - 2; j++) {
    double am = 1.0 / (dyf[j] * dyc[j]), ap = 1.0 / (dyf[j + 1] * dyc[j]);
    ch->lf_m[j] = j > 0 ? am : 0;
    ch->lf_p[j] = j < ny - 2 ? ap : 0;
    ch->lf_0[j] = -(am + ap);
  }
}

fc_err fc_channel_create(MPI_Comm comm, const fc_channel_config *c, fc_channel **out)
{
  fc_channel *ch;
  int size;
  MPI_Comm_size(comm, &size);
  FcCall(check_config(c, size));
  FcCall(FcMalloc(1, &ch));
  ch->c = *c;
  ch->comm = comm;
  MPI_Comm_rank(comm, &ch->rank);
  ch->size = size;
  ch->nx = c->nx;
  ch->ny = c->ny;
  ch->nz = c->nz;
  fc_decomp d;
  FcCall(fc_decomp_slab(comm, c->nx, &d));
  ch->x0 = d.x0;
  ch->nxl = d.nxl;
  int empty = ch->nxl < 1, any_empty;
  FcCallMPI(MPI_Allreduce(&empty, &any_empty, 1, MPI_INT, MPI_MAX, comm));
  if (any_empty)
    FcRaise(FC_ERR_INPUT, "channel grid nx = %ld over %d ranks leaves a rank without x-planes (FFTW-MPI blocks of "
            "ceil(nx/ranks)); choose nx or the rank count so that every rank owns a block", c->nx, size);
  ch->sz = ch->ny + 2;
  ch->sx = (ch->nz + 2) * ch->sz;
  ch->nloc = (ch->nxl + 2) * ch->sx;
  ch->dt_warned_step = -1000;
  ch->dx = c->lx / (double)c->nx;
  ch->dz = c->lz / (double)c->nz;

  long ny = ch->ny;
  FcCall(FcMalloc(ny + 2, &ch->yc));
  FcCall(FcMalloc(ny + 2, &ch->yf));
  FcCall(FcMalloc(ny + 2, &ch->dyf));
  FcCall(FcMalloc(ny + 2, &ch->dyc));
  FcCall(FcMalloc(ny + 2, &ch->dyfi));
  FcCall(FcMalloc(ny + 2, &ch->dyci));
  fc_channel_y_centres(ny, c->ly, c->stretch, ch->yc + 1);
  ch->yc[0] = -ch->yc[1];
  ch->yc[ny + 1] = 2.0 * c->ly - ch->yc[ny];
  fc_channel_y_faces(ny, c->ly, ch->yc + 1, ch->yf); /* faces j = -1 .. ny-1 */
  ch->yf[ny + 1] = 2.0 * c->ly - ch->yf[ny - 1];     /* the ghost face above the top wall */
  for (long j = 0; j <= ny + 1; j++) {
    ch->dyf[j] = j > 0 ? ch->yf[j] - ch->yf[j - 1] : ch->yf[1] - ch->yf[0];
    ch->dyc[j] = j <= ny ? ch->yc[j + 1] - ch->yc[j] : ch->dyc[ny];
    ch->dyfi[j] = 1.0 / ch->dyf[j];
    ch->dyci[j] = 1.0 / ch->dyc[j];
  }
  FcCall(FcMalloc(ny, &ch->wv));
  for (long j = 0; j < ny; j++) ch->wv[j] = (ch->yc[j + 1] - ch->yf[j]) / ch->dyf[j + 1];
  FcCall(FcMalloc(ny, &ch->lc_m));
  FcCall(FcMalloc(ny, &ch->lc_0));
  FcCall(FcMalloc(ny, &ch->lc_p));
  FcCall(FcMalloc(ny, &ch->lf_m));
  FcCall(FcMalloc(ny, &ch->lf_0));
  FcCall(FcMalloc(ny, &ch->lf_p));
  y_operators(ch);

  double **arrays[] = {&ch->u, &ch->v, &ch->w, &ch->p, &ch->ru, &ch->rv, &ch->rw, &ch->ou, &ch->ov, &ch->ow, &ch->work};
  for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++) FcCall(FcMalloc(ch->nloc, arrays[a]));
  if (c->sgs != FC_SGS_NONE) FcCall(FcMalloc(ch->nloc, &ch->nut));
  FcCall(fc_channel_poisson_create(ch));
  FcCall(fc_stage_register("Channel RHS + SGS", &ch->stage_rhs));
  FcCall(fc_stage_register("Channel update, implicit y", &ch->stage_implicit));
  FcCall(fc_stage_register("Channel projection", &ch->stage_poisson));
  *out = ch;
  return FC_SUCCESS;
}

fc_err fc_channel_destroy(fc_channel **pch)
{
  fc_channel *ch = *pch;
  if (!ch) return FC_SUCCESS;
  fc_channel_poisson_destroy(&ch->poisson);
  double *arrays[] = {ch->u,    ch->v,        ch->w,   ch->p,    ch->ru,   ch->rv,  ch->rw,   ch->ou,
                      ch->ov,   ch->ow,       ch->work, ch->sgs_work, ch->nut, ch->yc, ch->yf,  ch->dyf,
                      ch->dyc,  ch->dyfi,     ch->dyci, ch->lc_m, ch->lc_0, ch->lc_p, ch->lf_m, ch->lf_0,
                      ch->lf_p, ch->wv};
  for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++) free(arrays[a]);
  free(ch);
  *pch = NULL;
  return FC_SUCCESS;
}
