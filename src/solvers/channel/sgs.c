/* Subgrid-scale models of the channel LES (spec: shared/specs/les-channel.md, "Subgrid-scale models").
 *
 * Eddy-viscosity closure tau_ij - delta_ij tau_kk / 3 = -2 nu_t S_ij, with
 *   S_ij = (g_ij + g_ji) / 2,  g_ij = du_i/dx_j,  |S| = sqrt(2 S_ij S_ij),  Delta = (dx dyf_j dz)^(1/3).
 *
 *   Smagorinsky + van Driest:  nu_t = (Cs Delta (1 - exp(-y+/A+)))^2 |S|,  y+ = d u_tau / nu,
 *                              d the distance of the centre to the nearest wall.
 *   WALE (Nicoud & Ducros 1999): Sd_ij = (g2_ij + g2_ji) / 2 - delta_ij g2_kk / 3,  g2 = g g,
 *                              nu_t = (Cw Delta)^2 (Sd:Sd)^(3/2) / ((S:S)^(5/2) + (Sd:Sd)^(5/4)).
 *   Dynamic (Germano, Lilly):  L_ij = hat(u_i u_j) - hat(u_i) hat(u_j),
 *                              M_ij = 2 Delta^2 (hat(|S| S_ij) - alpha^2 |hat S| hat S_ij),
 *                              C(y) = max(0, <L_ij M_ij> / <M_kl M_kl>)  (<> over an x-z plane),
 *                              nu_t = C Delta^2 |S|;  dyn_c_last_mean = (1/ly) sum_j C_j dyf_j.
 *     The test filter is Simpson's rule (1/6, 2/3, 1/6) in x and in z at the cell centres: its
 *     width is 2 dx and 2 dz, and none in y, so alpha = (2 * 2 * 1)^(1/3) = 4^(1/3) is the ratio of
 *     the test-filter width (2dx dy 2dz)^(1/3) to Delta. hat S_ij is the filtered S_ij (the filter
 *     commutes with the centre differences: x and z are uniform and periodic).
 *     C < 0 (backscatter) is clipped to 0: an explicit scheme has no stabilising mechanism for a
 *     negative total viscosity, and the plane average alone does not prevent it.
 *
 * Velocity gradients at the cell centre (i, j, k), second order and exact for linear fields
 * (away from the walls and the periodic wrap):
 *   diagonal: one-cell differences of the faces around the centre, du/dx = (u_i - u_{i-1}) / dx, ...
 *   cross:    central differences of the centre values uc = (u_i + u_{i-1}) / 2, wc = (w_k + w_{k-1}) / 2,
 *             vc = v linearly interpolated from the y-faces j-1, j to yc_j; in y through the faces,
 *             du/dy = (u(yf_j) - u(yf_{j-1})) / dyf_j with u(yf_j) = (uc_j + uc_{j+1}) / 2 (the faces are the
 *             midpoints of the centres) and the wall value u = w = 0 on the faces y = 0 and y = ly.
 *
 * The stress divergence d/dx_j [nu_t (du_i/dx_j + du_j/dx_i)] is a flux difference on the
 * momentum cells: normal stresses at the centres, shear stresses on the cell edges with nu_t
 * the mean of the four surrounding centres, and no shear stress on the walls (nu_t = 0 there).
 */
#include <math.h>
#include <stdlib.h>

#include "fc_channel.h"

/* y-dependent coefficients of the centre gradients (index j = 0 .. ny-1, no offset). */
typedef struct {
  long sx, sz;
  double dxh, dzh;    /* 1/(2 dx), 1/(2 dz): central differences over two cells */
  double dxi, dzi;    /* 1/dx, 1/dz */
  const double *dyfi; /* 1/dyf_j */
  const double *wy;   /* ch->wv: weight of v_j in the centre value of v */
  const double *mb;   /* 1/2 below (j > 0), 0 at the bottom wall face: weight of the face j-1 average */
  const double *mt;   /* 1/2 above (j < ny-1), 0 at the top wall face */
} fc_sgs_geom;

/* Fills the per-j arrays of g (each of length ny) from the grid. */
static void geom_init(const fc_channel *ch, double *mb, double *mt, fc_sgs_geom *g)
{
  const long ny = ch->ny;
  for (long j = 0; j < ny; j++) {
    mb[j] = j > 0 ? 0.5 : 0.0;
    mt[j] = j < ny - 1 ? 0.5 : 0.0;
  }
  *g = (fc_sgs_geom){.sx = ch->sx, .sz = ch->sz, .dxh = 0.5 / ch->dx, .dzh = 0.5 / ch->dz, .dxi = 1.0 / ch->dx,
                     .dzi = 1.0 / ch->dz, .dyfi = ch->dyfi + 1, .wy = ch->wv, .mb = mb, .mt = mt};
}

/* Centre values of the velocity at (i, k, j); u, v, w point at the line (i, k, 0). */
static inline void centre_velocity(const fc_sgs_geom *g, const double *u, const double *v, const double *w, long j,
                                   double c[3])
{
  c[0] = 0.5 * (u[j] + u[j - g->sx]);
  c[1] = v[j - 1] + g->wy[j] * (v[j] - v[j - 1]);
  c[2] = 0.5 * (w[j] + w[j - g->sz]);
}

/* t[a][b] = du_a/dx_b at the centre (i, k, j) (see the header comment for the stencils). */
static inline void centre_gradient(const fc_sgs_geom *g, const double *u, const double *v, const double *w, long j,
                                   double t[3][3])
{
  const long sx = g->sx, sz = g->sz;
  const double wy = g->wy[j], dyfi = g->dyfi[j], mb = g->mb[j], mt = g->mt[j];
  /* u: faces i-1, i; centre values on the lines j-1, j, j+1 */
  double ub = u[j - 1] + u[j - 1 - sx], u0 = u[j] + u[j - sx], ut = u[j + 1] + u[j + 1 - sx];
  t[0][0] = (u[j] - u[j - sx]) * g->dxi;
  t[0][1] = 0.5 * (mt * (u0 + ut) - mb * (ub + u0)) * dyfi;
  t[0][2] = 0.5 * ((u[j + sz] + u[j + sz - sx]) - (u[j - sz] + u[j - sz - sx])) * g->dzh;
  /* v: faces j-1, j, interpolated to yc_j on the neighbouring lines */
  double ve = v[j - 1 + sx] + wy * (v[j + sx] - v[j - 1 + sx]), vw = v[j - 1 - sx] + wy * (v[j - sx] - v[j - 1 - sx]);
  double vt = v[j - 1 + sz] + wy * (v[j + sz] - v[j - 1 + sz]), vb = v[j - 1 - sz] + wy * (v[j - sz] - v[j - 1 - sz]);
  t[1][0] = (ve - vw) * g->dxh;
  t[1][1] = (v[j] - v[j - 1]) * dyfi;
  t[1][2] = (vt - vb) * g->dzh;
  /* w: faces k-1, k */
  double wb = w[j - 1] + w[j - 1 - sz], w0 = w[j] + w[j - sz], wt = w[j + 1] + w[j + 1 - sz];
  t[2][0] = 0.5 * ((w[j + sx] + w[j + sx - sz]) - (w[j - sx] + w[j - sx - sz])) * g->dxh;
  t[2][1] = 0.5 * (mt * (w0 + wt) - mb * (wb + w0)) * dyfi;
  t[2][2] = (w[j] - w[j - sz]) * g->dzi;
}

/* Strain rate S_ij from the gradient, as (S11, S22, S33, S12, S13, S23). */
static inline void strain(const double t[3][3], double s[6])
{
  s[0] = t[0][0];
  s[1] = t[1][1];
  s[2] = t[2][2];
  s[3] = 0.5 * (t[0][1] + t[1][0]);
  s[4] = 0.5 * (t[0][2] + t[2][0]);
  s[5] = 0.5 * (t[1][2] + t[2][1]);
}

/* A:B for symmetric tensors stored as (11, 22, 33, 12, 13, 23). */
static inline double ddot6(const double a[6], const double b[6])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + 2.0 * (a[3] * b[3] + a[4] * b[4] + a[5] * b[5]);
}

/* Filter width Delta_j = (dx dyf_j dz)^(1/3). */
static inline double delta_at(const fc_channel *ch, long j) { return cbrt(ch->dx * ch->dyf[j + 1] * ch->dz); }

/* nu_t wall ghosts (j = -1, ny) = 0 on this rank's lines, then the x and z ghosts by exchange
 * (the exchanged planes carry the zero wall ghosts along). */
static fc_err finish_nut(fc_channel *ch)
{
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      double *n = ch->nut + FC_CH_IDX(ch, i, k, 0);
      n[-1] = 0.0;
      n[ch->ny] = 0.0;
    }
  FcCall(fc_channel_halo(ch, ch->nut));
  return FC_SUCCESS;
}

/* nu_t = coef_j |S| on the interior, |S| = sqrt(2 S:S); coef_j per plane. */
static void eddy_viscosity_strain(fc_channel *ch, const fc_sgs_geom *g, const double *coef)
{
  const long ny = ch->ny;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      double *n = ch->nut + c;
      for (long j = 0; j < ny; j++) {
        double t[3][3], s[6];
        centre_gradient(g, u, v, w, j, t);
        strain(t, s);
        n[j] = coef[j] * sqrt(2.0 * ddot6(s, s));
      }
    }
}

/* Smagorinsky with van Driest damping: coef_j = (Cs Delta_j (1 - exp(-y+_j / A+)))^2,
 * y+_j = min(yc_j, ly - yc_j) u_tau / nu, u_tau = sqrt(tau_w) of the plane-averaged profile. */
static fc_err smagorinsky(fc_channel *ch, const fc_sgs_geom *g)
{
  const long ny = ch->ny;
  const double *yc = ch->yc + 1;
  double tau, coef[ny];
  FcCall(fc_channel_wall_shear(ch, &tau));
  const double utau_nu = sqrt(tau) / ch->c.nu;
  for (long j = 0; j < ny; j++) {
    double d = fmin(yc[j], ch->c.ly - yc[j]);
    double l = ch->c.cs * delta_at(ch, j) * (1.0 - exp(-d * utau_nu / ch->c.aplus));
    coef[j] = l * l;
  }
  eddy_viscosity_strain(ch, g, coef);
  return FC_SUCCESS;
}

/* WALE at one point: (Sd:Sd)^(3/2) / ((S:S)^(5/2) + (Sd:Sd)^(5/4)), 0 where the denominator is 0. */
static inline double wale_kernel(const double t[3][3])
{
  double t2[3][3], s[6], sd[6];
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) t2[a][b] = t[a][0] * t[0][b] + t[a][1] * t[1][b] + t[a][2] * t[2][b];
  strain(t, s);
  strain(t2, sd); /* symmetric part of g g */
  double tr3 = (sd[0] + sd[1] + sd[2]) / 3.0;
  sd[0] -= tr3;
  sd[1] -= tr3;
  sd[2] -= tr3;
  double ss = ddot6(s, s), qq = ddot6(sd, sd);
  double num = qq * sqrt(qq), den = ss * ss * sqrt(ss) + qq * sqrt(sqrt(qq));
  return den > 0 ? num / den : 0.0;
}

/* WALE: nu_t = (Cw Delta_j)^2 times the kernel above. */
static void wale(fc_channel *ch, const fc_sgs_geom *g)
{
  const long ny = ch->ny;
  double coef[ny];
  for (long j = 0; j < ny; j++) {
    double l = ch->c.cw * delta_at(ch, j);
    coef[j] = l * l;
  }
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      double *n = ch->nut + c;
      for (long j = 0; j < ny; j++) {
        double t[3][3];
        centre_gradient(g, u, v, w, j, t);
        n[j] = coef[j] * wale_kernel(t);
      }
    }
}

/* ---- dynamic model ---------------------------------------------------------------------- */

/* Scratch of the dynamic procedure: the centre velocity (3), S_ij (6) and |S| with ghosts, from
 * which the filter forms the products u_i u_j and |S| S_ij at each neighbour (10 fields are
 * exchanged instead of 21); and the x-filtered 21 quantities of one x-plane, [k + 1][j][HAT_N]. */
enum { DYN_U = 0, DYN_S = 3, DYN_SN = 9, DYN_NF = 10 };
enum { HAT_U = 0, HAT_UU = 3, HAT_S = 9, HAT_SS = 15, HAT_N = 21 };

/* Centre velocity, S_ij and |S| of this rank's interior cells into f[DYN_U ..], f[DYN_S ..], f[DYN_SN]. */
static void dynamic_fields(const fc_channel *ch, const fc_sgs_geom *g, double *const *f)
{
  const long ny = ch->ny;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      double *restrict q0 = f[DYN_U] + c, *restrict q1 = f[DYN_U + 1] + c, *restrict q2 = f[DYN_U + 2] + c;
      double *restrict s0 = f[DYN_S] + c, *restrict s1 = f[DYN_S + 1] + c, *restrict s2 = f[DYN_S + 2] + c;
      double *restrict s3 = f[DYN_S + 3] + c, *restrict s4 = f[DYN_S + 4] + c, *restrict s5 = f[DYN_S + 5] + c;
      double *restrict sn = f[DYN_SN] + c;
      for (long j = 0; j < ny; j++) {
        double t[3][3], s[6], q[3];
        centre_velocity(g, u, v, w, j, q);
        centre_gradient(g, u, v, w, j, t);
        strain(t, s);
        q0[j] = q[0], q1[j] = q[1], q2[j] = q[2];
        s0[j] = s[0], s1[j] = s[1], s2[j] = s[2], s3[j] = s[3], s4[j] = s[4], s5[j] = s[5];
        sn[j] = sqrt(2.0 * ddot6(s, s));
      }
    }
}

/* Simpson weights of the test filter, per direction */
static const double simpson[3] = {1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0};

/* x pass of the test filter on the line (i, k) (f's ghosts exchanged), for the 21 quantities
 * (u_i, u_i u_j, S_ij, |S| S_ij): x[j * HAT_N + e] = sum_a w_a q_e(i + a, k). */
static void filter_x_line(const fc_channel *ch, double *const *f, long i, long k, double *restrict x)
{
  const long ny = ch->ny;
  for (long q = 0; q < HAT_N * ny; q++) x[q] = 0.0;
  for (int a = -1; a <= 1; a++) {
    const long p = FC_CH_IDX(ch, i + a, k, 0);
    const double wgt = simpson[a + 1];
    const double *restrict q0 = f[DYN_U] + p, *restrict q1 = f[DYN_U + 1] + p, *restrict q2 = f[DYN_U + 2] + p;
    const double *restrict s0 = f[DYN_S] + p, *restrict s1 = f[DYN_S + 1] + p, *restrict s2 = f[DYN_S + 2] + p;
    const double *restrict s3 = f[DYN_S + 3] + p, *restrict s4 = f[DYN_S + 4] + p, *restrict s5 = f[DYN_S + 5] + p;
    const double *restrict sn = f[DYN_SN] + p;
    for (long j = 0; j < ny; j++) {
      const double u0 = q0[j], u1 = q1[j], u2 = q2[j], n = sn[j];
      const double val[HAT_N] = {u0,        u1,        u2,        u0 * u0,   u1 * u1,   u2 * u2,   u0 * u1,
                                 u0 * u2,   u1 * u2,   s0[j],     s1[j],     s2[j],     s3[j],     s4[j],
                                 s5[j],     n * s0[j], n * s1[j], n * s2[j], n * s3[j], n * s4[j], n * s5[j]};
      double *restrict xj = x + j * HAT_N;
      for (int e = 0; e < HAT_N; e++) xj[e] += wgt * val[e];
    }
  }
}

/* Neumaier's compensated addition of x to (s, e). */
static inline void comp_add(double *s, double *e, double x)
{
  double t = *s + x;
  *e += fabs(*s) >= fabs(x) ? (*s - t) + x : (x - t) + *s;
  *s = t;
}

/* L_ij M_ij and M_ij M_ij from the 21 test-filtered quantities h (d2 = 2 Delta^2). */
static inline void germano(const double *h, double d2, double alpha2, double *lm, double *mm)
{
  const double *hu = h + HAT_U, *hs = h + HAT_S;
  const double huu[6] = {hu[0] * hu[0], hu[1] * hu[1], hu[2] * hu[2], hu[0] * hu[1], hu[0] * hu[2], hu[1] * hu[2]};
  const double hsn = sqrt(2.0 * ddot6(hs, hs));
  double l[6], m[6];
  for (int a = 0; a < 6; a++) {
    l[a] = h[HAT_UU + a] - huu[a];
    m[a] = d2 * (h[HAT_SS + a] - alpha2 * hsn * hs[a]);
  }
  *lm = ddot6(l, m);
  *mm = ddot6(m, m);
}

/* Plane sums of L_ij M_ij and M_ij M_ij over this rank's cells: lm[j], mm[j] with their
 * compensations in lm[ny + j], mm[ny + j]. The test filter runs in x into the plane buffer xp
 * ((nz + 2) * ny * HAT_N doubles, lines k = -1 .. nz), then in z. */
static void dynamic_sums(const fc_channel *ch, double *const *f, double alpha2, double *xp, double *lm, double *mm)
{
  const long ny = ch->ny, nz = ch->nz, line = ny * HAT_N;
  double d2[ny];
  for (long j = 0; j < ny; j++) {
    double d = delta_at(ch, j);
    d2[j] = 2.0 * d * d;
    lm[j] = lm[ny + j] = mm[j] = mm[ny + j] = 0.0;
  }
  for (long i = 0; i < ch->nxl; i++) {
    for (long k = -1; k <= nz; k++) filter_x_line(ch, f, i, k, xp + (k + 1) * line);
    for (long k = 0; k < nz; k++) {
      const double *xb = xp + k * line, *x0 = xb + line, *xt = x0 + line;
      for (long j = 0; j < ny; j++) {
        double h[HAT_N], a, b;
        for (int e = 0; e < HAT_N; e++)
          h[e] = simpson[0] * xb[j * HAT_N + e] + simpson[1] * x0[j * HAT_N + e] + simpson[2] * xt[j * HAT_N + e];
        germano(h, d2[j], alpha2, &a, &b);
        comp_add(&lm[j], &lm[ny + j], a);
        comp_add(&mm[j], &mm[ny + j], b);
      }
    }
  }
}

/* The dynamic procedure with the scratch fields f[0 .. DYN_NF-1] and the plane buffer xp (see the
 * header comment). C(y) is clipped to >= 0; dyn_c_last_mean = (1/ly) sum_j C_j dyf_j. */
static fc_err dynamic_with(fc_channel *ch, const fc_sgs_geom *g, double **f, double *xp)
{
  const long ny = ch->ny;
  const double alpha2 = cbrt(16.0); /* alpha = 4^(1/3): (2 dx dy 2 dz)^(1/3) / (dx dy dz)^(1/3) */
  double sums[4 * ny], cy[ny];
  dynamic_fields(ch, g, f);
  FcCall(fc_channel_halo_many(ch, DYN_NF, f));
  dynamic_sums(ch, f, alpha2, xp, sums, sums + 2 * ny);
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, (int)(4 * ny), MPI_DOUBLE, MPI_SUM, ch->comm));
  double mean = 0.0;
  for (long j = 0; j < ny; j++) {
    double lm = sums[j] + sums[ny + j], mm = sums[2 * ny + j] + sums[3 * ny + j];
    double cj = mm > 0 ? lm / mm : 0.0;
    cy[j] = cj > 0 ? cj : 0.0; /* no backscatter (also catches NaN) */
    mean += cy[j] * ch->dyf[j + 1];
    double d = delta_at(ch, j);
    cy[j] *= d * d; /* now C Delta^2 */
  }
  ch->dyn_c_last_mean = mean / ch->c.ly;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *restrict sn = f[DYN_SN] + c;
      double *restrict n = ch->nut + c;
      for (long j = 0; j < ny; j++) n[j] = cy[j] * sn[j];
    }
  return FC_SUCCESS;
}

/* Dynamic Smagorinsky: the scratch (one block) is allocated for this call and freed. */
/* The scratch block (DYN_NF centre fields, one x-plane of filtered quantities) is allocated
 * on the first call and kept in ch->sgs_work (freed by fc_channel_destroy). */
static fc_err dynamic(fc_channel *ch, const fc_sgs_geom *g)
{
  double *f[DYN_NF];
  const size_t nf = (size_t)ch->nloc, nxp = (size_t)(ch->nz + 2) * (size_t)ch->ny * HAT_N;
  if (!ch->sgs_work) FcCall(FcMalloc((size_t)DYN_NF * nf + nxp, &ch->sgs_work));
  for (int a = 0; a < DYN_NF; a++) f[a] = ch->sgs_work + (size_t)a * nf;
  FcCall(dynamic_with(ch, g, f, ch->sgs_work + (size_t)DYN_NF * nf));
  return FC_SUCCESS;
}

fc_err fc_channel_sgs_viscosity(fc_channel *ch)
{
  if (ch->c.sgs == FC_SGS_NONE) return FC_SUCCESS;
  if (!ch->nut) FcRaiseComm(ch->comm, FC_ERR_INTERNAL, "channel: subgrid-scale model without an eddy-viscosity array");
  const long ny = ch->ny;
  double mb[ny], mt[ny];
  fc_sgs_geom g;
  geom_init(ch, mb, mt, &g);
  switch (ch->c.sgs) {
  case FC_SGS_SMAGORINSKY: FcCall(smagorinsky(ch, &g)); break;
  case FC_SGS_WALE: wale(ch, &g); break;
  case FC_SGS_DYNAMIC: FcCall(dynamic(ch, &g)); break;
  default: FcRaiseComm(ch->comm, FC_ERR_INPUT, "channel: unknown subgrid-scale model %d", (int)ch->c.sgs);
  }
  FcCall(finish_nut(ch));
  return FC_SUCCESS;
}

/* ---- stress divergence ------------------------------------------------------------------ */

/* nu_t (du/dy + dv/dx) on the x-y edge (i+1/2, j+1/2) of the line (i, k) that n, u, v point at. */
static inline double tau_xy(const double *n, const double *u, const double *v, long sx, double dyci, double dxi, long j)
{
  return 0.25 * (n[j] + n[j + 1] + n[j + sx] + n[j + 1 + sx]) * ((u[j + 1] - u[j]) * dyci + (v[j + sx] - v[j]) * dxi);
}

/* nu_t (du/dz + dw/dx) on the x-z edge (i+1/2, k+1/2) at the centre height j. */
static inline double tau_xz(const double *n, const double *u, const double *w, long sx, long sz, double dxi, double dzi,
                            long j)
{
  return 0.25 * (n[j] + n[j + sx] + n[j + sz] + n[j + sx + sz]) * ((u[j + sz] - u[j]) * dzi + (w[j + sx] - w[j]) * dxi);
}

/* nu_t (dv/dz + dw/dy) on the y-z edge (j+1/2, k+1/2). */
static inline double tau_yz(const double *n, const double *v, const double *w, long sz, double dyci, double dzi, long j)
{
  return 0.25 * (n[j] + n[j + 1] + n[j + sz] + n[j + 1 + sz]) * ((v[j + sz] - v[j]) * dzi + (w[j + 1] - w[j]) * dyci);
}

void fc_channel_sgs_rhs(const fc_channel *ch, double *ru, double *rv, double *rw)
{
  const long ny = ch->ny, sx = ch->sx, sz = ch->sz;
  const double dxi = 1.0 / ch->dx, dzi = 1.0 / ch->dz, *dyfi = ch->dyfi + 1, *dyci = ch->dyci + 1;
  for (long i = 0; i < ch->nxl; i++)
    for (long k = 0; k < ch->nz; k++) {
      const long c = FC_CH_IDX(ch, i, k, 0);
      const double *n = ch->nut + c, *u = ch->u + c, *v = ch->v + c, *w = ch->w + c;
      double *pu = ru + c, *pv = rv + c, *pw = rw + c;
      /* u at (i+1/2, j, k): 2 d/dx (nu_t du/dx) + d/dy tau_xy + d/dz tau_xz
       * v at (i, j+1/2, k), j < ny-1: d/dx tau_xy + 2 d/dy (nu_t dv/dy) + d/dz tau_yz
       * w at (i, j, k+1/2): d/dx tau_xz + d/dy tau_yz + 2 d/dz (nu_t dw/dz)
       * The edge stresses of this line (tau_xy, tau_yz above the centre, tau_xz beside it) serve
       * all three; those on the face below are carried up (0 on the wall). */
      double txy_s = 0.0, tyz_s = 0.0;
      for (long j = 0; j < ny; j++) {
        const int in = j < ny - 1;
        double txy_n = in ? tau_xy(n, u, v, sx, dyci[j], dxi, j) : 0.0;
        double tyz_n = in ? tau_yz(n, v, w, sz, dyci[j], dzi, j) : 0.0;
        double txz = tau_xz(n, u, w, sx, sz, dxi, dzi, j);
        double txz_b = tau_xz(n - sz, u - sz, w - sz, sx, sz, dxi, dzi, j);
        double txz_w = tau_xz(n - sx, u - sx, w - sx, sx, sz, dxi, dzi, j);
        double sxx = n[j + sx] * (u[j + sx] - u[j]) - n[j] * (u[j] - u[j - sx]);
        double szz = n[j + sz] * (w[j + sz] - w[j]) - n[j] * (w[j] - w[j - sz]);
        pu[j] += 2.0 * sxx * dxi * dxi + (txy_n - txy_s) * dyfi[j] + (txz - txz_b) * dzi;
        pw[j] += (txz - txz_w) * dxi + (tyz_n - tyz_s) * dyfi[j] + 2.0 * szz * dzi * dzi;
        if (in) {
          double txy_w = tau_xy(n - sx, u - sx, v - sx, sx, dyci[j], dxi, j);
          double tyz_b = tau_yz(n - sz, v - sz, w - sz, sz, dyci[j], dzi, j);
          double syy = n[j + 1] * (v[j + 1] - v[j]) * dyfi[j + 1] - n[j] * (v[j] - v[j - 1]) * dyfi[j];
          pv[j] += (txy_n - txy_w) * dxi + 2.0 * syy * dyci[j] + (tyz_n - tyz_b) * dzi;
        }
        txy_s = txy_n;
        tyz_s = tyz_n;
      }
    }
}
