/* The ns2d job of `flowcast simulate`: a dataset of 2D Navier-Stokes trajectories, the
 * benchmark of the FNO paper (src/solvers/ns2d/fc_ns2d.h, docs/cases.md).
 *
 * Sample s (s = first, ..., first + samples - 1) starts from draw s of the Gaussian random
 * field under the seed, is integrated on the n x n solver grid to t_end, and its vorticity
 * is written every record_every, subsampled to n_out x n_out, to OUTPUT_DIR/traj_%05d.h5
 * (a flowcast field file: steps at t = 0, record_every, ..., t_end, scalar field "w";
 * /parameters; /series of time, kinetic energy, enstrophy and CFL number on the solver grid).
 *
 * Parallelism: sample s runs on rank s % size, alone (serial FFTW, MPI_COMM_SELF writer),
 * so its file does not depend on the number of ranks. The ranks advance their samples in
 * rounds, one snapshot at a time, and agree after each snapshot: a failure anywhere
 * (NaN/Inf vorticity, I/O) stops every rank at once, the trajectories in progress are
 * discarded (never half-written), and finished ones stay. Rank 0 prints the progress. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_io.h"
#include "fc_jobs.h"
#include "fc_log.h"
#include "fc_ns2d.h"

static const fc_key ns2d_keys[] = {
    {"ns2d_n", FC_KEY_INT, "256", 8, 4096, NULL, "solver grid points per axis (even) on the unit torus"},
    {"ns2d_nu", FC_KEY_REAL, "1e-3", 0, 10, NULL, "kinematic viscosity"},
    {"ns2d_dt", FC_KEY_REAL, "1e-4", 1e-9, 1, NULL, "time step (ns2d_record_every is a multiple of it)"},
    {"ns2d_t_end", FC_KEY_REAL, "50", 0, 1e6, NULL, "final time (a multiple of ns2d_record_every)"},
    {"ns2d_record_every", FC_KEY_REAL, "1", 1e-9, 1e6, NULL, "time between two snapshots"},
    {"ns2d_n_out", FC_KEY_INT, "64", 2, 4096, NULL,
     "output grid points per axis; divides ns2d_n: every (ns2d_n / ns2d_n_out)-th solver point is written"},
    {"ns2d_samples", FC_KEY_INT, "1", 1, 10000000, NULL, "number of trajectories (samples)"},
    {"ns2d_first_sample", FC_KEY_INT, "0", 0, 10000000, NULL,
     "index of the first sample (a dataset can be made in several runs)"},
    {"ns2d_seed", FC_KEY_INT, "0", 0, 9007199254740992.0, NULL,
     "seed of the initial conditions (sample s is the same on any number of ranks)"},
    {"ns2d_forcing", FC_KEY_REAL, "0.1", -1e3, 1e3, NULL, "amplitude A of the forcing A (sin 2pi(x+y) + cos 2pi(x+y))"},
    {"ns2d_grf_alpha", FC_KEY_REAL, "2.5", 1.05, 10, NULL,
     "initial vorticity ~ N(0, 2 sigma^2 (-lap + tau^2)^-alpha), sigma = tau^(alpha-1): alpha"},
    {"ns2d_grf_tau", FC_KEY_REAL, "7", 0.01, 1000, NULL, "initial vorticity: tau (see ns2d_grf_alpha)"},
    {"ns2d_time_scheme", FC_KEY_CHOICE, "heun_cn", 0, 0, "heun_cn,euler_cn",
     "heun_cn: Heun (RK2) + Crank-Nicolson, 2nd order; euler_cn: Euler + CN as the FNO generator, 1st order"},
    {"ns2d_fftw_planner", FC_KEY_CHOICE, "estimate", 0, 0, "estimate,measure",
     "estimate: fixed plans, bitwise reproducible files; measure: timed plans, faster, round-off may vary"},
    {"output_dir", FC_KEY_STRING, "output/ns2d", 0, 0, NULL, "directory of the trajectory files traj_%05d.h5"},
    {"output_precision", FC_KEY_CHOICE, "float64", 0, 0, "float64,float32", "precision of the stored vorticity"},
};

typedef struct {
  fc_ns2d_config solver;
  fc_ns2d_grf grf;
  long n_out, samples, first, steps_per_record, nrecords; /* nrecords: snapshots after t = 0 */
  unsigned long long seed;
  double t_end, record_every;
  char dir[PATH_MAX - 64]; /* room for "/traj_%05ld.h5" */
  fc_precision precision;
} ns2d_config;

fc_err fc_ns2d_job_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "ns2d solver", ns2d_keys, (int)(sizeof ns2d_keys / sizeof ns2d_keys[0])));
  return FC_SUCCESS;
}

/* count = a / b when a is a whole multiple of b (to 1e-9 relative), else -1. */
static long whole_multiple(double a, double b)
{
  double q = a / b, r = nearbyint(q);
  return fabs(q - r) <= 1e-9 * fmax(1.0, q) ? (long)r : -1;
}

static fc_err read_config(fc_case *c, ns2d_config *cf)
{
  char buf[64];
  long v;
  double alpha, tau;
  FcCall(fc_case_get_int(c, "ns2d_n", &cf->solver.n));
  FcCall(fc_case_get_real(c, "ns2d_nu", &cf->solver.nu));
  FcCall(fc_case_get_real(c, "ns2d_dt", &cf->solver.dt));
  FcCall(fc_case_get_real(c, "ns2d_t_end", &cf->t_end));
  FcCall(fc_case_get_real(c, "ns2d_record_every", &cf->record_every));
  FcCall(fc_case_get_int(c, "ns2d_n_out", &cf->n_out));
  FcCall(fc_case_get_int(c, "ns2d_samples", &cf->samples));
  FcCall(fc_case_get_int(c, "ns2d_first_sample", &cf->first));
  FcCall(fc_case_get_int(c, "ns2d_seed", &v));
  cf->seed = (unsigned long long)v;
  FcCall(fc_case_get_real(c, "ns2d_forcing", &cf->solver.forcing));
  FcCall(fc_case_get_real(c, "ns2d_grf_alpha", &alpha));
  FcCall(fc_case_get_real(c, "ns2d_grf_tau", &tau));
  cf->grf = fc_ns2d_grf_default(alpha, tau);
  FcCall(fc_case_get_string(c, "ns2d_time_scheme", buf, sizeof buf));
  cf->solver.scheme = strcmp(buf, "euler_cn") ? FC_NS2D_HEUN_CN : FC_NS2D_EULER_CN;
  FcCall(fc_case_get_string(c, "ns2d_fftw_planner", buf, sizeof buf));
  cf->solver.fftw_measure = !strcmp(buf, "measure");
  FcCall(fc_case_get_string(c, "output_dir", cf->dir, sizeof cf->dir));
  FcCall(fc_case_get_string(c, "output_precision", buf, sizeof buf));
  FcCall(fc_precision_parse(buf, &cf->precision));
  FcCall(fc_case_check_unknown(c));

  /* relations between keys */
  const long n = cf->solver.n;
  if (n % 2) FcRaise(FC_ERR_INPUT, "key 'ns2d_n' = %ld: expected an even number of grid points", n);
  if (n % cf->n_out) {
    long below = cf->n_out < n ? cf->n_out : n; /* the nearest divisor of n below n_out */
    while (n % below) below--;
    FcRaise(FC_ERR_INPUT,
            "key 'ns2d_n_out' = %ld does not divide ns2d_n = %ld: the output grid takes every (n / n_out)-th "
            "solver point (the nearest divisor below is %ld)",
            cf->n_out, n, below);
  }
  cf->steps_per_record = whole_multiple(cf->record_every, cf->solver.dt);
  if (cf->steps_per_record < 1)
    FcRaise(FC_ERR_INPUT, "key 'ns2d_record_every' = %g is not a whole multiple of ns2d_dt = %g", cf->record_every,
            cf->solver.dt);
  cf->nrecords = whole_multiple(cf->t_end, cf->record_every);
  if (cf->nrecords < 0)
    FcRaise(FC_ERR_INPUT, "key 'ns2d_t_end' = %g is not a whole multiple of ns2d_record_every = %g", cf->t_end,
            cf->record_every);
  if (cf->first + cf->samples > 10000000)
    FcRaise(FC_ERR_INPUT, "samples %ld to %ld: the last sample index must stay below 10000000", cf->first,
            cf->first + cf->samples - 1);
  if (!cf->dir[0]) FcRaise(FC_ERR_INPUT, "key 'output_dir' is empty: expected a directory name");
  return FC_SUCCESS;
}

static void trajectory_path(const ns2d_config *cf, long sample, char *buf, size_t len)
{
  snprintf(buf, len, "%s/traj_%05ld.h5", cf->dir, sample);
}

/* What one rank holds: its solver, the solver-grid and output-grid vorticity (slabs of
 * MPI_COMM_SELF: the whole field), the open trajectory and its series. */
typedef struct {
  fc_ns2d *solver;
  fc_grid *grid, *grid_out;
  fc_field *w, *w_out;
  fc_field_writer *writer;
  long sample;             /* the sample in progress, -1 if none */
  double *series;          /* [4][nrecords + 1]: time, kinetic_energy, enstrophy, cfl */
  double cfl_max;
} ns2d_state;

static fc_err setup(const ns2d_config *cf, ns2d_state *st)
{
  const long n[2] = {cf->solver.n, cf->solver.n}, n_out[2] = {cf->n_out, cf->n_out};
  const double length[2] = {1.0, 1.0}, stretch[2] = {0, 0};
  const int periodic[2] = {1, 1};
  fc_decomp d, d_out;
  FcCall(fc_ns2d_create(&cf->solver, &st->solver));
  FcCall(fc_grid_create(2, n, length, periodic, stretch, &st->grid));
  FcCall(fc_grid_create(2, n_out, length, periodic, stretch, &st->grid_out));
  FcCall(fc_decomp_slab(MPI_COMM_SELF, n[0], &d));
  FcCall(fc_decomp_slab(MPI_COMM_SELF, n_out[0], &d_out));
  FcCall(fc_field_create(st->grid, &d, "w", 1, &st->w));
  FcCall(fc_field_create(st->grid_out, &d_out, "w", 1, &st->w_out));
  FcCall(FcMalloc(4 * (cf->nrecords + 1), &st->series));
  return FC_SUCCESS;
}

/* Snapshot k of the sample in progress: vorticity on the solver grid, checked, subsampled,
 * written; its diagnostics into the series. */
static fc_err record(const ns2d_config *cf, ns2d_state *st, long k)
{
  const long nr = cf->nrecords + 1;
  const double t = (double)k * cf->record_every;
  fc_ns2d_diag d;
  fc_ns2d_vorticity(st->solver, st->w->data);
  fc_ns2d_diagnostics(st->solver, &d);
  char where[256];
  snprintf(where, sizeof where,
           "ns2d sample %ld at t = %g (Courant number %.3g at t = %g; reduce ns2d_dt; traj_%05ld.h5 is not written)",
           st->sample, t, k ? st->series[3 * nr + k - 1] : d.cfl, k ? t - cf->record_every : 0.0, st->sample);
  FcCall(fc_field_check_finite(st->w, where));
  fc_ns2d_subsample(cf->solver.n, st->w->data, cf->n_out, st->w_out->data);
  st->series[k] = t;
  st->series[nr + k] = d.energy;
  st->series[2 * nr + k] = d.enstrophy;
  st->series[3 * nr + k] = d.cfl;
  st->cfl_max = fmax(st->cfl_max, d.cfl);
  FcCall(fc_field_writer_step(st->writer, k, t, &st->w_out, 1));
  return FC_SUCCESS;
}

/* Opens the trajectory file of a sample, writes its parameters, draws its initial
 * vorticity and writes the snapshot at t = 0. */
static fc_err begin_sample(fc_case *c, int argc, char **argv, const ns2d_config *cf, ns2d_state *st, long sample)
{
  char path[PATH_MAX];
  trajectory_path(cf, sample, path, sizeof path);
  st->sample = sample;
  FcCall(fc_field_writer_create(MPI_COMM_SELF, path, st->grid_out, cf->precision, &st->writer));
  FcCall(fc_field_writer_provenance(st->writer, fc_case_file_path(c), fc_case_file_text(c), argc, argv));
  const struct {
    const char *name;
    double value;
  } params[] = {
      {"nu", cf->solver.nu},
      {"dt", cf->solver.dt},
      {"n", (double)cf->solver.n},
      {"sample", (double)sample},
      {"seed", (double)cf->seed},
      {"forcing", cf->solver.forcing},
      {"record_every", cf->record_every},
      {"subsample_stride", (double)(cf->solver.n / cf->n_out)}, /* output = every stride-th solver point */
      {"grf_alpha", cf->grf.alpha},
      {"grf_tau", cf->grf.tau},
      {"grf_sigma", cf->grf.sigma},
      {"time_order", cf->solver.scheme == FC_NS2D_HEUN_CN ? 2.0 : 1.0}, /* 2: Heun + CN; 1: Euler + CN */
  };
  for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
    FcCall(fc_field_writer_parameter(st->writer, params[i].name, params[i].value));
  fc_ns2d_set_grf(st->solver, &cf->grf, cf->seed, (unsigned long long)sample);
  FcCall(record(cf, st, 0));
  return FC_SUCCESS;
}

static fc_err end_sample(const ns2d_config *cf, ns2d_state *st)
{
  static const char *names[4] = {"time", "kinetic_energy", "enstrophy", "cfl"};
  const long nr = cf->nrecords + 1;
  for (int q = 0; q < 4; q++) FcCall(fc_field_writer_series(st->writer, names[q], nr, st->series + q * nr));
  FcCall(fc_field_writer_close(&st->writer));
  st->sample = -1;
  return FC_SUCCESS;
}

/* Sample of this rank in round r (samples s with s % size == rank, in order), or -1. */
static long sample_of_round(const ns2d_config *cf, int rank, int size, long r)
{
  long s0 = cf->first + ((rank - cf->first % size) % size + size) % size;
  long s = s0 + r * size;
  return s < cf->first + cf->samples ? s : -1;
}

static fc_err run_samples(fc_case *c, MPI_Comm comm, int argc, char **argv, const ns2d_config *cf, ns2d_state *st)
{
  int rank, size;
  FcCallMPI(MPI_Comm_rank(comm, &rank));
  FcCallMPI(MPI_Comm_size(comm, &size));
  fc_stage st_setup, st_compute;
  FcCall(fc_stage_register("Setup", &st_setup));
  FcCall(fc_stage_register("Compute", &st_compute));
  FcCall(fc_stage_push(st_setup));
  char path[PATH_MAX];
  trajectory_path(cf, cf->first, path, sizeof path);
  FcCall(fc_output_prepare(comm, path)); /* the directory, once, with one message */
  FcCall(fc_error_agree(comm, setup(cf, st)));
  FcCall(fc_stage_pop());

  const long nrounds = (cf->samples + size - 1) / size, nr = cf->nrecords + 1;
  fc_print(comm,
           "flowcast simulate: ns2d, %ld sample(s) from %ld, %ld x %ld grid -> %ld x %ld, nu = %g, dt = %g, "
           "t = 0 .. %g every %g (%ld snapshots), %s, %d rank(s) -> %s/traj_*.h5\n",
           cf->samples, cf->first, cf->solver.n, cf->solver.n, cf->n_out, cf->n_out, cf->solver.nu, cf->solver.dt,
           cf->t_end, cf->record_every, nr,
           cf->solver.scheme == FC_NS2D_HEUN_CN ? "Heun + Crank-Nicolson" : "Euler + Crank-Nicolson", size, cf->dir);
  fc_progress prog;
  fc_progress_start(&prog, comm, "snapshot", cf->samples * nr);
  long done = 0, written = 0;
  double last_line = prog.t_start;
  for (long r = 0; r < nrounds; r++) {
    const long s = sample_of_round(cf, rank, size, r);
    FcCall(fc_stage_push(st_compute));
    for (long k = 0; k < nr; k++) {
      fc_err e = FC_SUCCESS;
      if (s >= 0 && k == 0) e = begin_sample(c, argc, argv, cf, st, s);
      else if (s >= 0) {
        fc_ns2d_advance(st->solver, cf->steps_per_record);
        e = record(cf, st, k);
      }
      FcCall(fc_error_agree(comm, e)); /* every rank stops when one fails */
      long mine = s >= 0 ? 1 : 0, now = 0;
      FcCallMPI(MPI_Allreduce(&mine, &now, 1, MPI_LONG, MPI_SUM, comm));
      done += now;
      fc_progress_update(&prog, done, (double)k * cf->record_every);
    }
    FcCall(fc_error_agree(comm, s >= 0 ? end_sample(cf, st) : FC_SUCCESS));
    FcCall(fc_stage_pop());
    written = r + 1 < nrounds ? (r + 1) * size : cf->samples;
    if (fc_wtime() - last_line >= prog.min_interval || written == cf->samples) { /* rounds can be short */
      fc_print(comm, "samples %ld/%ld written\n", written, cf->samples);
      last_line = fc_wtime();
    }
  }
  double cfl = 0;
  FcCallMPI(MPI_Allreduce(&st->cfl_max, &cfl, 1, MPI_DOUBLE, MPI_MAX, comm));
  double elapsed = fc_wtime() - prog.t_start;
  fc_print(comm, "largest Courant number %.3g; %.3g s per sample on one core\n", cfl,
           elapsed * size / (double)cf->samples);
  fc_print(comm, "wrote %s/traj_%05ld.h5 .. traj_%05ld.h5 (%ld trajectories of %ld x %ld x %ld)\n", cf->dir,
           cf->first, cf->first + cf->samples - 1, written, nr, cf->n_out, cf->n_out);
  return FC_SUCCESS;
}

fc_err fc_ns2d_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  ns2d_config cf;
  memset(&cf, 0, sizeof cf);
  FcCall(read_config(c, &cf));
  ns2d_state st;
  memset(&st, 0, sizeof st);
  st.sample = -1;
  fc_err e = run_samples(c, comm, argc, argv, &cf, &st);
  if (st.writer) fc_field_writer_discard(&st.writer); /* a trajectory in progress is never half-written */
  fc_field_destroy(&st.w);
  fc_field_destroy(&st.w_out);
  fc_grid_destroy(&st.grid);
  fc_grid_destroy(&st.grid_out);
  fc_ns2d_destroy(&st.solver);
  free(st.series);
  return e;
}
