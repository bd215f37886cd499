/* Initial conditions, both made divergence-free by the solver's own projection:
 *
 * - a mean profile (the laminar parabola, or a turbulent one from Reichardt's law scaled to
 *   the same bulk velocity) plus smooth random perturbations that vanish at the walls. The
 *   random numbers depend on the seed and the global mode index only: the same field on any
 *   rank count.
 * - the cell-centre velocity of one snapshot of a field file on the solver's cell-centre grid
 *   (a filtered DNS, an LES or DNS snapshot of the same grid): the centres are interpolated to
 *   the faces the way the solver interpolates (the average of the two neighbouring centres in
 *   x and z, periodic; linear between the centres in y, v = 0 on the walls), then projected.
 *   A divergence-free staggered field differs from the result only by the smoothing of the
 *   two averages (exact for Poiseuille flow). */
#include <math.h>

#include "fc_channel.h"
#include "fc_io.h"
#include "fc_rng.h"

#define NMODE 4

/* Reichardt's law of the wall, U+(y+). */
static double reichardt(double yp)
{
  const double kappa = 0.41;
  return log(1.0 + kappa * yp) / kappa + 7.8 * (1.0 - exp(-yp / 11.0) - yp / 11.0 * exp(-yp / 3.0));
}

/* Fills the velocity ghosts, projects the velocity onto divergence-free fields with the
 * solver's own Poisson solve and correction (lap phi = div u, u -= grad phi), sets p = 0 and,
 * when ub > 0, the bulk velocity to ub (a uniform shift of u: it keeps div u). */
static fc_err project(fc_channel *ch, double ub)
{
  FcCall(fc_channel_halo_velocity(ch));
  fc_channel_divergence(ch, ch->u, ch->v, ch->w, ch->p);
  FcCall(fc_channel_poisson_solve(ch, ch->p));
  FcCall(fc_channel_halo(ch, ch->p));
  fc_channel_correct(ch, 1.0, ch->p);
  for (long q = 0; q < ch->nloc; q++) ch->p[q] = 0.0;
  if (ub > 0) FcCall(fc_channel_set_bulk(ch, ub));
  FcCall(fc_channel_halo_velocity(ch));
  return FC_SUCCESS;
}

double fc_channel_dean_re_tau(double re_b) { return 0.09 * pow(re_b, 0.88); }

fc_err fc_channel_init_profile(fc_channel *ch, int turbulent, double ub, double amp, unsigned long long seed)
{
  const long ny = ch->ny;
  const double ly = ch->c.ly, *yc = ch->yc + 1, *dyf = ch->dyf + 1;
  double prof[ny], sum = 0.0;
  /* Re_tau of the turbulent profile from Dean's correlation, Re_tau = 0.09 Re_b^0.88 (Re_b on 2h) */
  double re_tau = fc_channel_dean_re_tau(ub * ly / ch->c.nu);
  for (long j = 0; j < ny; j++) {
    double eta = yc[j] / ly;
    double yw = fmin(yc[j], ly - yc[j]) / (0.5 * ly);
    prof[j] = turbulent ? reichardt(yw * re_tau) : 6.0 * eta * (1.0 - eta);
    sum += prof[j] * dyf[j];
  }
  double scale = ub * ly / sum;
  /* random modes: amplitude and phase per (component, kx, kz) */
  double a[3][NMODE][NMODE], ph[3][NMODE][NMODE];
  for (int c = 0; c < 3; c++)
    for (int m = 0; m < NMODE; m++)
      for (int n = 0; n < NMODE; n++) {
        unsigned long long id = (unsigned long long)((c * NMODE + m) * NMODE + n);
        a[c][m][n] = fc_rng_normal(seed, 7, id);
        ph[c][m][n] = 2.0 * M_PI * fc_rng_uniform(seed, 8, id);
      }
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ny; j++) {
        long q = FC_CH_IDX(ch, i, k, j);
        double x = (double)(ch->x0 + i) * ch->dx, z = (double)k * ch->dz;
        double eta = yc[j] / ly, g = 4.0 * eta * (1.0 - eta);
        double pert[3] = {0, 0, 0};
        for (int c = 0; c < 3; c++)
          for (int m = 0; m < NMODE; m++)
            for (int n = 0; n < NMODE; n++)
              pert[c] += a[c][m][n] * cos(2.0 * M_PI * ((m + 1) * x / ch->c.lx + (n + 1) * z / ch->c.lz) +
                                          ph[c][m][n] + 3.0 * M_PI * eta * (c + 1));
        double s = amp * ub * g / NMODE;
        ch->u[q] = scale * prof[j] + s * pert[0];
        ch->v[q] = s * pert[1];
        ch->w[q] = s * pert[2];
        ch->p[q] = 0.0;
      }
  /* the perturbations carry no net flow: restore the bulk velocity exactly */
  return project(ch, ub);
}

/* ---- the velocity of a field file ---------------------------------------------------------- */

/* One axis of the file's grid against the solver's cell centres (relative 1e-9). */
static fc_err check_axis(const fc_channel *ch, const fc_grid *g, const char *path, int a, const double *expect)
{
  static const char *const hint[3] = {" (a grid of nodes rather than cell centres?)", " (channel_stretch?)",
                                      " (a grid of nodes rather than cell centres?)"};
  for (long i = 0; i < g->n[a]; i++)
    if (!(fabs(g->coord[a][i] - expect[i]) <= 1e-9 * fabs(expect[i])))
      FcRaiseComm(ch->comm, FC_ERR_INPUT,
                  "init_file '%s': its %c coordinates are not the case's cell centres%s: %c[%ld] = %.15g, expected %.15g",
                  path, "xyz"[a], hint[a], "xyz"[a], i, g->coord[a][i], expect[i]);
  return FC_SUCCESS;
}

/* The file's grid must be the solver's cell-centre grid: sizes, box, coordinates (collective). */
static fc_err check_centre_grid(const fc_channel *ch, const fc_grid *g, const char *path)
{
  if (g->ndim != 3 || g->n[0] != ch->nx || g->n[1] != ch->ny || g->n[2] != ch->nz)
    FcRaiseComm(ch->comm, FC_ERR_INPUT,
                "init_file '%s' holds a %dD grid of %ld x %ld x %ld points; the case has %ld x %ld x %ld cells "
                "(channel_nx, channel_ny, channel_nz)", path, g->ndim, g->n[0], g->ndim > 1 ? g->n[1] : 0L,
                g->ndim > 2 ? g->n[2] : 0L, ch->nx, ch->ny, ch->nz);
  const double len[3] = {ch->c.lx, ch->c.ly, ch->c.lz};
  for (int a = 0; a < 3; a++)
    if (!(fabs(g->length[a] - len[a]) <= 1e-9 * len[a]))
      FcRaiseComm(ch->comm, FC_ERR_INPUT, "init_file '%s': the box length along %c is %.15g; the case has %.15g (channel_l%c)",
                  path, "xyz"[a], g->length[a], len[a], "xyz"[a]);
  double xc[ch->nx], zc[ch->nz];
  for (long i = 0; i < ch->nx; i++) xc[i] = ((double)i + 0.5) * ch->dx;
  for (long k = 0; k < ch->nz; k++) zc[k] = ((double)k + 0.5) * ch->dz;
  FcCall(check_axis(ch, g, path, 0, xc));
  FcCall(check_axis(ch, g, path, 1, ch->yc + 1));
  FcCall(check_axis(ch, g, path, 2, zc));
  return FC_SUCCESS;
}

fc_err fc_channel_init_centres(fc_channel *ch, const fc_field *vel, double ub, fc_channel_init_info *info)
{
  const long ny = ch->ny, sx = ch->sx, sz = ch->sz;
  const double *yc = ch->yc + 1, *yf = ch->yf + 1, *dyc = ch->dyc + 1;
  double *a[3] = {ch->u, ch->v, ch->w};
  /* the centre values into the velocity arrays, then their x and z ghosts */
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++)
      for (long j = 0; j < ny; j++) {
        const long q = FC_CH_IDX(ch, i, k, j), o = (i * ny + j) * ch->nz + k;
        for (int c = 0; c < 3; c++) a[c][q] = vel->data[3 * o + c];
      }
  FcCall(fc_channel_halo_many(ch, 3, a));
  /* centres -> faces in place: each face combines its own cell and the next one along the
   * axis (i + 1, j + 1, k + 1), which the ascending loops have not overwritten yet */
  double wy[ny];
  for (long j = 0; j < ny - 1; j++) wy[j] = (yf[j] - yc[j]) / dyc[j];
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      double *u = ch->u + FC_CH_IDX(ch, i, k, 0), *v = ch->v + FC_CH_IDX(ch, i, k, 0), *w = ch->w + FC_CH_IDX(ch, i, k, 0);
      for (long j = 0; j < ny; j++) {
        u[j] = 0.5 * (u[j] + u[j + sx]);
        w[j] = 0.5 * (w[j] + w[j + sz]);
        v[j] = j < ny - 1 ? v[j] + wy[j] * (v[j + 1] - v[j]) : 0.0;
      }
    }
  FcCall(fc_channel_halo_velocity(ch));
  FcCall(fc_channel_max_divergence(ch, &info->div_before));
  FcCall(fc_channel_bulk_velocity(ch, &info->bulk_before));
  FcCall(project(ch, ub));
  FcCall(fc_channel_max_divergence(ch, &info->div_after));
  return FC_SUCCESS;
}

/* The body of fc_channel_init_field; *g and *vel are the caller's to destroy. */
static fc_err init_from_reader(fc_channel *ch, fc_field_reader *r, const char *path, long istep, fc_grid **g,
                               fc_field **vel, fc_channel_init_info *info)
{
  long nsteps;
  const fc_step_info *steps;
  fc_decomp d;
  FcCall(fc_field_reader_grid(r, g));
  FcCall(check_centre_grid(ch, *g, path));
  FcCall(fc_field_reader_steps(r, &nsteps, &steps));
  if (nsteps < 1 || istep < -1 || istep >= nsteps)
    FcRaiseComm(ch->comm, FC_ERR_INPUT, "init_step = %ld: init_file '%s' holds %ld snapshot(s) (indices 0 .. %ld, or -1 for "
                "the last)", istep, path, nsteps, nsteps - 1);
  info->index = istep < 0 ? nsteps - 1 : istep;
  info->step = steps[info->index].step;
  info->time = steps[info->index].time;
  FcCall(fc_decomp_slab(ch->comm, ch->nx, &d));
  FcCall(fc_field_create(*g, &d, "velocity", 3, vel));
  FcCall(fc_field_reader_read(r, info->index, *vel));
  FcCall(fc_field_check_finite(*vel, path));
  FcCall(fc_channel_init_centres(ch, *vel, ch->c.drive == FC_DRIVE_FLOW_RATE ? ch->c.bulk_velocity : 0.0, info));
  ch->t = info->time;
  ch->step = 0;
  return FC_SUCCESS;
}

fc_err fc_channel_init_field(fc_channel *ch, const char *path, long istep, fc_channel_init_info *info)
{
  fc_field_reader *r;
  fc_grid *g = NULL;
  fc_field *vel = NULL;
  FcCall(fc_field_reader_open(ch->comm, path, &r));
  fc_err e = init_from_reader(ch, r, path, istep, &g, &vel, info);
  fc_field_destroy(&vel);
  fc_grid_destroy(&g);
  fc_field_reader_close(&r);
  return e;
}
