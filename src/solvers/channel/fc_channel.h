/* Incompressible channel flow, DNS and LES (spec: docs/channel.md, shared/specs/les-channel.md).
 *
 *   du/dt + div(u u) = -grad p + nu lap u + div(2 nu_t S) + f e_x,    div u = 0,
 *   x in [0, lx) and z in [0, lz) periodic, walls at y = 0 and y = ly (no slip).
 *
 * The method of CaNS (Costa 2018), double precision, written top to bottom one file per
 * step of the algorithm:
 *
 *   grid.c        staggered (MAC) grid, tanh-stretched y, the y operators (tridiagonal rows)
 *   halo.c        ghost layers: x planes between ranks (periodic), z periodic, wall ghosts in y
 *   rhs.c         explicit right-hand side: advection (divergence form) and diffusion
 *   sgs.c         subgrid-scale eddy viscosity (Smagorinsky + van Driest, dynamic, WALE) and
 *                 the divergence of its stress
 *   implicit.c    Crank-Nicolson wall-normal diffusion: one tridiagonal system per (x, z) line
 *   poisson.c     pressure Poisson equation: FFT in x and z (FFTW-MPI), tridiagonal in y
 *   correction.c  projection onto divergence-free fields, constant flow rate
 *   step.c        one time step: low-storage RK3 (Wray) with a projection every sub-step, CFL dt
 *   initial.c     laminar profile plus perturbations, or the cell-centre velocity of a field file
 *   monitor.c     bulk velocity, wall shear, divergence, CFL (collective)
 *   restart.c     files: the cell-centre grid, centre-interpolated snapshots, exact restarts
 *   stats.c       turbulence statistics over planes and time (fc_channel_stats.h)
 *
 * Staggered arrangement (as CaNS): cell (i, j, k) has its centre at (xc_i, yc_j, zc_k) where
 * p and nu_t live; u[i] sits on the x-face at x = (i + 1) dx (the face between cells i and i+1),
 * v[j] on the y-face yf[j] between cells j and j+1, w[k] on the z-face at (k + 1) dz. The
 * walls are the y-faces j = -1 (y = 0) and j = ny - 1 (y = ly): v = 0 there.
 *
 * y grid: the cell centres come from the tanh map, yc_j = map((j + 1/2) / ny); the interior
 * y-faces are the midpoints of neighbouring centres; the walls mirror the first and last
 * centre. So a centre-to-face average is exact linear interpolation, and the three-point
 * second difference of u and w (with the wall condition imposed by a quadratic through the
 * wall value) is exact for parabolas: laminar Poiseuille flow is a discrete steady state.
 *
 * Memory: every array holds this rank's x-slab plus one ghost layer on all sides, y fastest:
 *     a[FC_CH_IDX(ch, i, k, j)],  i in [-1, nxl], k in [-1, nz], j in [-1, ny]
 * Decomposition: slabs along x with FFTW-MPI's block sizes (every rank must own >= 1 plane).
 */
#ifndef FC_CHANNEL_H
#define FC_CHANNEL_H

#include <fftw3-mpi.h>

#include "fc_grid.h"
#include "fc_log.h"

typedef enum { FC_SGS_NONE = 0, FC_SGS_SMAGORINSKY, FC_SGS_DYNAMIC, FC_SGS_WALE } fc_sgs_model;
typedef enum { FC_DRIVE_FLOW_RATE = 0, FC_DRIVE_PRESSURE_GRADIENT } fc_drive;

typedef struct {
  long nx, ny, nz;          /* cells along x, y, z (nx, nz even) */
  double lx, ly, lz;        /* box; walls at y = 0, ly */
  double stretch;           /* tanh parameter a of the y map (0: uniform) */
  double nu;                /* kinematic viscosity */
  fc_drive drive;           /* constant flow rate or constant pressure gradient */
  double bulk_velocity;     /* FC_DRIVE_FLOW_RATE: the bulk (volume-averaged) u kept fixed */
  double dpdx;              /* FC_DRIVE_PRESSURE_GRADIENT: -dp/dx, the force per unit mass along x */
  fc_sgs_model sgs;
  double cs;                /* Smagorinsky constant (0.1) */
  double aplus;             /* van Driest A+ (26) */
  double cw;                /* WALE constant (0.325) */
  int implicit_y;           /* 1: Crank-Nicolson for the wall-normal molecular diffusion */
  double cfl;               /* dt = cfl * stability limit (<= 1) */
  double dt_fixed;          /* > 0: fixed time step instead of the CFL-based one */
  int fftw_measure;         /* 0: FFTW_ESTIMATE (fixed plans: bitwise restarts); 1: FFTW_MEASURE */
} fc_channel_config;

/* Index of (i, k, j) in an array with ghosts; i is local to the slab. */
#define FC_CH_IDX(ch, i, k, j) ((((long)(i) + 1) * ((ch)->nz + 2) + ((long)(k) + 1)) * ((ch)->ny + 2) + ((long)(j) + 1))

typedef struct fc_channel_poisson fc_channel_poisson;

typedef struct {
  fc_channel_config c;
  MPI_Comm comm;
  int rank, size;
  long nx, ny, nz;
  long x0, nxl;    /* this rank owns cells (and u-faces) i = x0 .. x0 + nxl - 1 */
  long sx, sz;     /* strides of i and k in the arrays (j has stride 1) */
  long nloc;       /* doubles per array, ghosts included */
  double dx, dz;
  /* y grid, indexed with an offset of 1 so that [j + 1] is j = -1 .. ny: */
  double *yc;      /* [ny + 2] cell centres; yc[0], yc[ny+1] are the mirrored ghosts */
  double *yf;      /* [ny + 2] y-faces yf(j) = face between cells j and j+1, j = -1 .. ny */
  double *dyf;     /* [ny + 2] cell widths yf(j) - yf(j-1) */
  double *dyc;     /* [ny + 2] centre distances yc(j+1) - yc(j) (the spacing at face j) */
  double *dyfi, *dyci; /* [ny + 2] their inverses (same offset) */
  double *wv;      /* [ny] (no offset) linear-interpolation weight of v(j) at centre j:
                      v at the centre = v(j-1) + wv[j] (v(j) - v(j-1)), wv = (yc_j - yf(j-1)) / dyf_j */
  /* Second difference d2/dy2 as tridiagonal rows, wall conditions folded in:
   *   centres (u, w), j = 0 .. ny-1:   lc_m[j] a(j-1) + lc_0[j] a(j) + lc_p[j] a(j+1)
   *   faces (v),      j = 0 .. ny-2:   lf_m[j] v(j-1) + lf_0[j] v(j) + lf_p[j] v(j+1)
   * (no offset here; lc_m[0] = lc_p[ny-1] = lf_m[0] = lf_p[ny-2] = 0). */
  double *lc_m, *lc_0, *lc_p, *lf_m, *lf_0, *lf_p;
  /* wall ghost of u and w: a(-1) = gw0 a(0) + gw1 a(1), a(ny) = gw0 a(ny-1) + gw1 a(ny-2) */
  double gw0, gw1;
  /* state */
  double *u, *v, *w, *p;          /* velocity on faces, pressure at centres */
  double *nut;                    /* eddy viscosity at centres (NULL for DNS) */
  double *ru, *rv, *rw;           /* explicit right-hand side of the current sub-step */
  double *ou, *ov, *ow;           /* explicit right-hand side of the previous sub-step */
  double *work;                   /* scratch array (divergence, Poisson right-hand side) */
  double *sgs_work;               /* the dynamic model's scratch (sgs.c; allocated on first use) */
  fc_channel_poisson *poisson;
  double t, dt;
  long step;
  double dpdx_applied;            /* the mean pressure gradient of the last step (flow-rate drive) */
  long dt_warned_step;            /* the last step that warned about a fixed dt beyond the limit */
  double dyn_c_last_mean;         /* dynamic model: plane-averaged C, mean over y (diagnostic) */
  fc_stage stage_rhs, stage_implicit, stage_poisson; /* PETSc log stages (-log_view) */
} fc_channel;

/* v interpolated to the centre of line position j (v points at the line's j = 0; the wall
 * faces hold v = 0 after fc_channel_halo_velocity): exact for v linear in y. */
static inline double fc_channel_v_centre(const fc_channel *ch, const double *v, long j)
{
  return v[j - 1] + ch->wv[j] * (v[j] - v[j - 1]);
}

/* ---- grid.c ------------------------------------------------------------------------------ */
fc_err fc_channel_create(MPI_Comm comm, const fc_channel_config *c, fc_channel **ch);
fc_err fc_channel_destroy(fc_channel **ch);
/* The centre coordinates yc_j, j = 0..ny-1, of the tanh map (no ghosts). */
void fc_channel_y_centres(long ny, double ly, double stretch, double *yc);
/* The y-faces of cells with centres yc[0..ny-1]: f[0] = 0, f[j] = (yc[j-1] + yc[j]) / 2, f[ny] = ly. */
void fc_channel_y_faces(long ny, double ly, const double *yc, double *f);
/* Dean's correlation Re_tau = 0.09 Re_b^0.88 (Re_b = U_b ly / nu, on the full height). */
double fc_channel_dean_re_tau(double re_b);

/* ---- halo.c ------------------------------------------------------------------------------ */
/* Ghost layers of a centre-located array a (p, nu_t, ...): x planes from the neighbours,
 * z periodic copies (collective). Wall ghosts are left alone. */
fc_err fc_channel_halo(fc_channel *ch, double *a);
/* Velocity ghosts: x and z as above, y walls: v = 0 on the walls, u and w by the quadratic. */
fc_err fc_channel_halo_velocity(fc_channel *ch);
/* x and z ghosts of several arrays in one exchange (the dynamic model's products). */
fc_err fc_channel_halo_many(fc_channel *ch, int n, double **a);

/* ---- rhs.c ------------------------------------------------------------------------------- */
/* r = -div(u u) + nu lap u (without the y part when implicit_y) + drive, on interior points. */
void fc_channel_rhs(const fc_channel *ch, double *ru, double *rv, double *rw);

/* ---- sgs.c ------------------------------------------------------------------------------- */
/* nu_t at cell centres for the configured model (ghosts filled; collective for the dynamic
 * model's plane averages and for u_tau in the van Driest damping). No-op for FC_SGS_NONE. */
fc_err fc_channel_sgs_viscosity(fc_channel *ch);
/* Adds div(2 nu_t S) to the right-hand sides (interior points). */
void fc_channel_sgs_rhs(const fc_channel *ch, double *ru, double *rv, double *rw);

/* ---- implicit.c -------------------------------------------------------------------------- */
/* Solves (1 - a D2y) x = r in place along every (i, k) line, a = alpha dt nu / 2, for an
 * array located at centres (u, w; face = 0) or on y-faces (v; face = 1). */
void fc_channel_implicit_y(const fc_channel *ch, double a, int face, double *r);
/* The same for one centre line line[0 .. ny-1]. */
void fc_channel_implicit_y_line(const fc_channel *ch, double a, double *line);
/* r += s * D2y(f) on interior points (centres or faces). */
void fc_channel_add_d2y(const fc_channel *ch, double s, int face, const double *f, double *r);

/* ---- poisson.c --------------------------------------------------------------------------- */
fc_err fc_channel_poisson_create(fc_channel *ch);
void fc_channel_poisson_destroy(fc_channel_poisson **ps);
/* Solves lap phi = f (the staggered grid's discrete Laplacian, Neumann at the walls) for f
 * at centres (interior points of the array); f is replaced by phi. The mean of f must be
 * zero (it is, for the divergence of a field with no flux through the walls); phi is
 * returned with zero mean... of its (0,0) mode fixed by phi(j = 0) = 0 in that mode. */
fc_err fc_channel_poisson_solve(fc_channel *ch, double *f);

/* ---- correction.c ------------------------------------------------------------------------ */
/* div u at the cell centres into d (interior points; needs the velocity ghosts). */
void fc_channel_divergence(const fc_channel *ch, const double *u, const double *v, const double *w, double *d);
/* u -= s grad phi (phi's ghosts filled). */
void fc_channel_correct(fc_channel *ch, double s, const double *phi);
/* Adds a uniform du to u so that the bulk velocity becomes ub (initial conditions; collective). */
fc_err fc_channel_set_bulk(fc_channel *ch, double ub);

/* ---- step.c ------------------------------------------------------------------------------ */
/* The stability limit of dt (collective): cfl * min(sqrt(3) / max(|u|/dx + |v|/dy + |w|/dz),
 * 1.65/12 h^2 / (nu + max nu_t)), h the smallest explicit spacing. Errors (FC_ERR_NONFINITE,
 * collective) when the velocity is not finite: a blow-up. */
fc_err fc_channel_stable_dt(fc_channel *ch, double *dt);
/* One time step of three RK3 sub-steps; dt from the CFL limit unless dt_fixed. */
fc_err fc_channel_step(fc_channel *ch);

/* ---- monitor.c --------------------------------------------------------------------------- */
typedef struct {
  double bulk_velocity;   /* volume average of u */
  double tau_wall;        /* mean of nu dU/dy over both walls (U the plane-averaged u) */
  double u_tau, re_tau;   /* sqrt(tau_wall), u_tau (ly/2) / nu */
  double max_div;         /* max |div u| * (dx dy dz)^(1/3) / bulk velocity scale... see monitor.c */
  double cfl;             /* dt * max(|u|/dx + |v|/dy + |w|/dz) (the convective CFL number) */
  double kinetic_energy;  /* volume average of |u|^2 / 2 (centre-interpolated) */
} fc_channel_monitor;
fc_err fc_channel_monitor_compute(fc_channel *ch, fc_channel_monitor *m);
/* Volume average of a centre-located (or u-located) array over the interior (collective). */
fc_err fc_channel_volume_mean(fc_channel *ch, const double *a, double *mean);
/* Volume average of u (collective). */
fc_err fc_channel_bulk_velocity(fc_channel *ch, double *ub);
/* Plane-averaged wall shear nu dU/dy at both walls (collective): mean of |bottom| and |top|. */
fc_err fc_channel_wall_shear(fc_channel *ch, double *tau);
/* max |div u| over the domain (collective), in units of 1/time. */
fc_err fc_channel_max_divergence(fc_channel *ch, double *maxdiv);

/* ---- initial.c --------------------------------------------------------------------------- */
/* A mean profile of bulk velocity ub (turbulent = 0: the laminar parabola; 1: Reichardt's law
 * at the Re_tau of Dean's correlation) plus smooth random perturbations of amplitude amp * ub
 * that vanish at the walls, projected to be divergence-free (the same on any rank count). */
fc_err fc_channel_init_profile(fc_channel *ch, int turbulent, double ub, double amp, unsigned long long seed);
/* What fc_channel_init_centres / fc_channel_init_field did. */
typedef struct {
  long index;         /* the snapshot's index in the file (init_field; -1 resolved) */
  long step;          /* its step number in the file */
  double time;        /* its time: the run's start time */
  double bulk_before; /* bulk velocity of the interpolated field, before it is set to the target */
  double div_before;  /* max |div u| of the interpolated field (1/time) */
  double div_after;   /* ... after the projection (round-off) */
} fc_channel_init_info;
/* The velocity from a cell-centre velocity field vel (3 components, on the slab of the grid of
 * fc_channel_file_grid): interpolated to the faces (x, z: the average of the two neighbouring
 * centres, periodic; y: linear between the centres, v = 0 on the walls), projected to be
 * divergence-free with the solver's Poisson solve and correction, then the bulk velocity set
 * to ub when ub > 0 (collective). p = 0. Fills info's bulk_before, div_before, div_after. */
fc_err fc_channel_init_centres(fc_channel *ch, const fc_field *vel, double ub, fc_channel_init_info *info);
/* fc_channel_init_centres with the dataset "velocity" of snapshot index istep (0-based in the
 * file's order; -1: the last) of the field file path, whose grid must be the solver's
 * cell-centre grid (sizes, box, coordinates to 1e-9 relative); the bulk velocity is set to the
 * target under the flow-rate drive. The run starts at the snapshot's time (ch->t) with step 0. */
fc_err fc_channel_init_field(fc_channel *ch, const char *path, long istep, fc_channel_init_info *info);

/* ---- restart.c ---------------------------------------------------------------------------- */
/* The grid of the cell centres (x and z centres, the y centres), for snapshots and restarts. */
fc_err fc_channel_file_grid(const fc_channel *ch, fc_grid **g);
/* Velocity interpolated to the cell centres (3 components) and the pressure, into fields on the
 * file grid's slab (either may be NULL). */
void fc_channel_centre_velocity(const fc_channel *ch, fc_field *vel, fc_field *p);
/* Restart files: the staggered unknowns, float64, written atomically; read at any rank count
 * (the grid must match the case: sizes, box, y centres). snapshot_files: how many complete
 * snapshot files (trajectories) the run has written, so that a resumed run numbers on. */
fc_err fc_channel_restart_write(fc_channel *ch, const char *path, const char *case_path, const char *case_text,
                                int argc, char **argv, long snapshot_files);
fc_err fc_channel_restart_read(fc_channel *ch, const char *path, long *snapshot_files);

#endif
