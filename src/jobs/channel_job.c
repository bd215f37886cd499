/* The channel job of `flowcast simulate` (key solver: channel): DNS or LES of turbulent
 * channel flow with the built-in solver (src/solvers/channel), docs/channel.md.
 *
 *   initial field  a mean profile plus perturbations, a restart file (any rank count), or the
 *                  cell-centre velocity of a snapshot of a field file (a filtered DNS): the run
 *                  starts at the snapshot's time, and its snapshots at that time + k dT
 *   time loop      RK3 steps until channel_t_end (or channel_max_steps, or the wall-time limit)
 *     every monitor_every steps   a progress line: t, dt, CFL, Re_tau, U_b, max |div u|, rate, ETA
 *     every stats_every steps     (from stats_start on) a sample of the statistics
 *     every snapshot_every steps  a snapshot (velocity and pressure at the cell centres); with
 *                                 snapshot_initial also the initial state (default for init_type field)
 *     every restart_every steps   the restart file and the statistics file, each written atomically
 *   at the end     restart, statistics and snapshot files; the snapshot file records the solver's
 *                  wall time (/parameters/wall_seconds, wall_seconds_per_time)
 * With a fixed time step the time is t_start + n dt (n steps of this run), not a running sum, so
 * that snapshot times land exactly on those of the file a run starts from.
 *
 * Output files are written to NAME.partial and renamed when complete. A blow-up (NaN/Inf
 * velocity) stops the run with one message; the snapshots taken before it are kept (each is
 * a complete step) and the last restart file is left as it was. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_channel.h"
#include "fc_channel_stats.h"
#include "fc_io.h"
#include "fc_jobs.h"
#include "fc_log.h"

#define MAX_PLANES 8

static const fc_key channel_keys[] = {
    {"channel_nx", FC_KEY_INT, "64", 4, 4096, NULL, "cells along x (streamwise, periodic; even)"},
    {"channel_ny", FC_KEY_INT, "64", 3, 4096, NULL, "cells along y (wall-normal, tanh-stretched)"},
    {"channel_nz", FC_KEY_INT, "64", 4, 4096, NULL, "cells along z (spanwise, periodic; even)"},
    {"channel_lx", FC_KEY_REAL, "6.283185307179586", 1e-6, 1e6, NULL, "box length along x (h = ly/2 is the half height)"},
    {"channel_ly", FC_KEY_REAL, "2", 1e-6, 1e6, NULL, "channel height (walls at y = 0 and y = ly)"},
    {"channel_lz", FC_KEY_REAL, "3.141592653589793", 1e-6, 1e6, NULL, "box length along z"},
    {"channel_stretch", FC_KEY_REAL, "2", 0, 20, NULL,
     "tanh stretching a of the y grid (0: uniform): yc = ly/2 (1 + tanh(a (s - 1/2)) / tanh(a/2))"},
    {"channel_nu", FC_KEY_REAL, "3.5714285714285714e-4", 1e-12, 1e6, NULL,
     "kinematic viscosity (1/2800: Re_b = U_b h / nu = 2800, Re_tau ~ 180)"},
    {"channel_drive", FC_KEY_CHOICE, "flow_rate", 0, 0, "flow_rate,pressure_gradient",
     "flow_rate: the bulk velocity is held fixed; pressure_gradient: a constant force"},
    {"channel_bulk_velocity", FC_KEY_REAL, "1", 1e-12, 1e6, NULL, "bulk velocity U_b (flow_rate drive; initial profile)"},
    {"channel_dpdx", FC_KEY_REAL, "0", -1e6, 1e6, NULL, "-dp/dx, the force per unit mass (pressure_gradient drive)"},
    {"channel_sgs", FC_KEY_CHOICE, "none", 0, 0, "none,smagorinsky,dynamic,wale",
     "subgrid-scale model: none (DNS), smagorinsky (+ van Driest), dynamic (Germano-Lilly), wale"},
    {"channel_cs", FC_KEY_REAL, "0.1", 0, 1, NULL, "Smagorinsky constant Cs"},
    {"channel_aplus", FC_KEY_REAL, "26", 0, 1e3, NULL, "van Driest damping constant A+ (0: no damping)"},
    {"channel_cw", FC_KEY_REAL, "0.325", 0, 2, NULL, "WALE constant Cw"},
    {"channel_implicit_y", FC_KEY_BOOL, "true", 0, 0, NULL, "Crank-Nicolson for the wall-normal molecular diffusion"},
    {"channel_cfl", FC_KEY_REAL, "0.9", 1e-3, 1, NULL, "time step = cfl x the stability limit"},
    {"channel_dt", FC_KEY_REAL, "0", 0, 1e6, NULL, "fixed time step (0: from channel_cfl at every step)"},
    {"channel_t_end", FC_KEY_REAL, "100", 0, 1e12, NULL,
     "simulated time at which the run stops (a restarted run continues to the same t_end)"},
    {"channel_max_steps", FC_KEY_INT, "0", 0, 1e15, NULL, "stop after this many steps of this run (0: no limit)"},
    {"channel_wall_limit", FC_KEY_REAL, "0", 0, 1e9, NULL,
     "stop cleanly (restart file written) after this many wall-clock seconds (0: no limit)"},
    {"channel_fftw_planner", FC_KEY_CHOICE, "estimate", 0, 0, "estimate,measure",
     "estimate: fixed FFTW plans (bitwise-exact restarts); measure: timed plans"},
    {"init_type", FC_KEY_CHOICE, "turbulent", 0, 0, "laminar,turbulent,restart,field",
     "initial field: laminar parabola or turbulent (Reichardt) profile plus perturbations, a restart file, or "
     "field: the cell-centre velocity of a snapshot of a field file on the case's grid (projected; t starts at its time)"},
    {"init_amplitude", FC_KEY_REAL, "0.3", 0, 10, NULL, "perturbation amplitude relative to U_b"},
    {"init_seed", FC_KEY_INT, "0", 0, 9007199254740992.0, NULL, "seed of the perturbations"},
    {"init_file", FC_KEY_STRING, "none", 0, 0, NULL,
     "restart file (init_type restart) or field file with a 'velocity' (init_type field); any rank count"},
    {"init_step", FC_KEY_INT, "0", -1, 1e15, NULL,
     "init_type field: index of the snapshot in init_file (0: the first; -1: the last)"},
    {"monitor_every", FC_KEY_INT, "100", 1, 1e15, NULL, "steps between progress lines (and monitor samples)"},
    {"stats_start", FC_KEY_REAL, "1e300", 0, 1e300, NULL, "simulated time from which statistics are averaged"},
    {"stats_every", FC_KEY_INT, "10", 1, 1e15, NULL, "steps between two statistics samples"},
    {"stats_yplus", FC_KEY_STRING, "5,15,30,100", 0, 0, NULL, "y+ of the spectra planes (comma-separated, up to 8)"},
    {"stats_continue", FC_KEY_BOOL, "true", 0, 0, NULL,
     "init_type restart: continue the averages of output_stats if that file exists"},
    {"snapshot_every", FC_KEY_INT, "0", 0, 1e15, NULL, "steps between snapshots (0: none)"},
    {"snapshot_start", FC_KEY_REAL, "0", 0, 1e300, NULL, "simulated time from which snapshots are taken"},
    {"snapshot_initial", FC_KEY_CHOICE, "auto", 0, 0, "auto,true,false",
     "the initial state is the first snapshot (auto: for init_type field, as rollouts write theirs)"},
    {"snapshot_per_file", FC_KEY_INT, "0", 0, 1e15, NULL,
     "snapshots per file (0: one file); > 0: NAME_00000.h5, NAME_00001.h5, ... each a trajectory for flowcast filter"},
    {"restart_every", FC_KEY_INT, "0", 0, 1e15, NULL, "steps between restart (and statistics) files (0: at the end only)"},
    {"output_dir", FC_KEY_STRING, "output/channel", 0, 0, NULL, "directory of the output files"},
    {"output_snapshots", FC_KEY_STRING, "auto", 0, 0, NULL, "snapshot file (auto: OUTPUT_DIR/snapshots.h5)"},
    {"output_restart", FC_KEY_STRING, "auto", 0, 0, NULL, "restart file (auto: OUTPUT_DIR/restart.h5)"},
    {"output_stats", FC_KEY_STRING, "auto", 0, 0, NULL, "statistics file (auto: OUTPUT_DIR/stats.h5)"},
    {"output_precision", FC_KEY_CHOICE, "float32", 0, 0, "float32,float64", "precision of the snapshots"},
};

typedef struct {
  fc_channel_config c;
  double t_end, wall_limit, amp, stats_start, snapshot_start, yplus[MAX_PLANES];
  long max_steps, monitor_every, stats_every, snapshot_every, snapshot_per_file, restart_every;
  int init, nplanes, stats_continue; /* init: 0 laminar, 1 turbulent, 2 restart, 3 field */
  int snapshot_initial;
  long init_step;
  unsigned long long seed;
  char init_file[PATH_MAX], snapshots[PATH_MAX], restart[PATH_MAX], stats[PATH_MAX];
  fc_precision precision;
} channel_job;

fc_err fc_channel_job_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "channel solver", channel_keys, (int)(sizeof channel_keys / sizeof channel_keys[0])));
  return FC_SUCCESS;
}

static int choice_index(const char *value, const char *const *names)
{
  for (int i = 0; names[i]; i++)
    if (!strcmp(value, names[i])) return i;
  return -1;
}

/* An output path: the key's value, or OUTPUT_DIR/name. */
static fc_err output_path(fc_case *c, const char *key, const char *dir, const char *name, char *buf)
{
  FcCall(fc_case_get_string(c, key, buf, PATH_MAX));
  if (!strcmp(buf, "auto") && snprintf(buf, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
    FcRaise(FC_ERR_INPUT, "key 'output_dir' = '%s' is too long", dir);
  return FC_SUCCESS;
}

static fc_err parse_planes(const char *text, channel_job *j)
{
  char buf[256], *save = NULL;
  if (strlen(text) >= sizeof buf) FcRaise(FC_ERR_INPUT, "key 'stats_yplus' is too long");
  strcpy(buf, text);
  j->nplanes = 0;
  for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
    char *end;
    double v = strtod(tok, &end);
    if (*end || !(v > 0) || !isfinite(v))
      FcRaise(FC_ERR_INPUT, "key 'stats_yplus' = '%s': expected positive numbers separated by commas", text);
    if (j->nplanes == MAX_PLANES) FcRaise(FC_ERR_INPUT, "key 'stats_yplus': at most %d planes", MAX_PLANES);
    j->yplus[j->nplanes++] = v;
  }
  return FC_SUCCESS;
}

static fc_err read_config(fc_case *c, channel_job *j)
{
  static const char *const drives[] = {"flow_rate", "pressure_gradient", NULL};
  static const char *const sgs[] = {"none", "smagorinsky", "dynamic", "wale", NULL};
  static const char *const inits[] = {"laminar", "turbulent", "restart", "field", NULL};
  char buf[PATH_MAX], dir[PATH_MAX - 32];
  long v;
  fc_channel_config *k = &j->c;
  FcCall(fc_case_get_int(c, "channel_nx", &k->nx));
  FcCall(fc_case_get_int(c, "channel_ny", &k->ny));
  FcCall(fc_case_get_int(c, "channel_nz", &k->nz));
  FcCall(fc_case_get_real(c, "channel_lx", &k->lx));
  FcCall(fc_case_get_real(c, "channel_ly", &k->ly));
  FcCall(fc_case_get_real(c, "channel_lz", &k->lz));
  FcCall(fc_case_get_real(c, "channel_stretch", &k->stretch));
  FcCall(fc_case_get_real(c, "channel_nu", &k->nu));
  FcCall(fc_case_get_string(c, "channel_drive", buf, sizeof buf));
  k->drive = (fc_drive)choice_index(buf, drives);
  FcCall(fc_case_get_real(c, "channel_bulk_velocity", &k->bulk_velocity));
  FcCall(fc_case_get_real(c, "channel_dpdx", &k->dpdx));
  FcCall(fc_case_get_string(c, "channel_sgs", buf, sizeof buf));
  k->sgs = (fc_sgs_model)choice_index(buf, sgs);
  FcCall(fc_case_get_real(c, "channel_cs", &k->cs));
  FcCall(fc_case_get_real(c, "channel_aplus", &k->aplus));
  FcCall(fc_case_get_real(c, "channel_cw", &k->cw));
  FcCall(fc_case_get_bool(c, "channel_implicit_y", &k->implicit_y));
  FcCall(fc_case_get_real(c, "channel_cfl", &k->cfl));
  FcCall(fc_case_get_real(c, "channel_dt", &k->dt_fixed));
  FcCall(fc_case_get_string(c, "channel_fftw_planner", buf, sizeof buf));
  k->fftw_measure = !strcmp(buf, "measure");
  FcCall(fc_case_get_real(c, "channel_t_end", &j->t_end));
  FcCall(fc_case_get_int(c, "channel_max_steps", &j->max_steps));
  FcCall(fc_case_get_real(c, "channel_wall_limit", &j->wall_limit));
  FcCall(fc_case_get_string(c, "init_type", buf, sizeof buf));
  j->init = choice_index(buf, inits);
  FcCall(fc_case_get_real(c, "init_amplitude", &j->amp));
  FcCall(fc_case_get_int(c, "init_seed", &v));
  j->seed = (unsigned long long)v;
  FcCall(fc_case_get_string(c, "init_file", j->init_file, sizeof j->init_file));
  if (j->init == 2 && !strcmp(j->init_file, "none")) FcRaise(FC_ERR_INPUT, "init_type restart needs key 'init_file' (a restart file)");
  if (j->init == 3 && !strcmp(j->init_file, "none"))
    FcRaise(FC_ERR_INPUT, "init_type field needs key 'init_file' (a field file with the dataset 'velocity')");
  FcCall(fc_case_get_int(c, "init_step", &j->init_step));
  FcCall(fc_case_get_int(c, "monitor_every", &j->monitor_every));
  FcCall(fc_case_get_real(c, "stats_start", &j->stats_start));
  FcCall(fc_case_get_int(c, "stats_every", &j->stats_every));
  FcCall(fc_case_get_string(c, "stats_yplus", buf, sizeof buf));
  FcCall(parse_planes(buf, j));
  FcCall(fc_case_get_bool(c, "stats_continue", &j->stats_continue));
  FcCall(fc_case_get_int(c, "snapshot_every", &j->snapshot_every));
  FcCall(fc_case_get_real(c, "snapshot_start", &j->snapshot_start));
  FcCall(fc_case_get_string(c, "snapshot_initial", buf, sizeof buf));
  j->snapshot_initial = !strcmp(buf, "auto") ? j->init == 3 : !strcmp(buf, "true");
  FcCall(fc_case_get_int(c, "snapshot_per_file", &j->snapshot_per_file));
  FcCall(fc_case_get_int(c, "restart_every", &j->restart_every));
  FcCall(fc_case_get_string(c, "output_dir", dir, sizeof dir));
  FcCall(output_path(c, "output_snapshots", dir, "snapshots.h5", j->snapshots));
  FcCall(output_path(c, "output_restart", dir, "restart.h5", j->restart));
  FcCall(output_path(c, "output_stats", dir, "stats.h5", j->stats));
  FcCall(fc_case_get_string(c, "output_precision", buf, sizeof buf));
  FcCall(fc_precision_parse(buf, &j->precision));
  if (k->drive == FC_DRIVE_PRESSURE_GRADIENT && k->dpdx == 0 && j->init != 2)
    fc_print(MPI_COMM_WORLD, "note: channel_drive pressure_gradient with channel_dpdx = 0: the flow will decay\n");
  return FC_SUCCESS;
}

/* ---- the run ------------------------------------------------------------------------------- */
typedef struct {
  channel_job j;
  fc_case *c;
  int argc;
  char **argv;
  fc_channel *ch;
  fc_channel_stats *stats;
  MPI_Comm comm;
  fc_grid *grid;          /* the file grid (cell centres) */
  fc_field *vel, *pres;   /* snapshot fields */
  fc_field_writer *snap;  /* open while the run takes snapshots */
  long nsnap, nfiles;     /* snapshots taken in this run; snapshot files opened, counting those of
                             the runs this one continues (from the restart file) */
  long nfiles0;           /* the snapshot files of earlier runs */
  char snap_path[PATH_MAX], last_full[PATH_MAX]; /* the open file, the last complete one */
  char *complete;         /* optional: comma-separated list of the complete snapshot files */
  size_t complete_len;
  double t_start;         /* the time at which this run started */
  double solver_seconds;  /* wall time in the time steps of this run (this rank) */
} channel_run;

static fc_err write_restart_and_stats(channel_run *r)
{
  long complete = r->nfiles - (r->snap ? 1 : 0); /* the open file is not complete yet */
  FcCall(fc_channel_restart_write(r->ch, r->j.restart, fc_case_file_path(r->c), fc_case_file_text(r->c), r->argc,
                                  r->argv, complete));
  if (fc_channel_stats_samples(r->stats) > 0)
    FcCall(fc_channel_stats_write(r->stats, r->ch, r->j.stats, fc_case_file_text(r->c)));
  return FC_SUCCESS;
}

/* The snapshot file number n: OUTPUT, or OUTPUT with _%05ld before .h5 when files are split. */
static fc_err snapshot_file_name(const channel_job *j, long n, char *buf)
{
  size_t len = strlen(j->snapshots);
  int base = len > 3 && !strcmp(j->snapshots + len - 3, ".h5") ? (int)len - 3 : (int)len;
  int w = j->snapshot_per_file ? snprintf(buf, PATH_MAX, "%.*s_%05ld.h5", base, j->snapshots, n)
                               : snprintf(buf, PATH_MAX, "%s", j->snapshots);
  if (w >= PATH_MAX) FcRaise(FC_ERR_INPUT, "key 'output_snapshots' is too long");
  return FC_SUCCESS;
}

/* The solver's wall time so far (the time steps only: no output, monitor or statistics; the
 * slowest rank) and per unit of simulated time, into the open snapshot file. */
static fc_err solver_wall(channel_run *r, double *wall)
{
  *wall = r->solver_seconds;
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, wall, 1, MPI_DOUBLE, MPI_MAX, r->ch->comm));
  return FC_SUCCESS;
}

static fc_err write_timing(channel_run *r)
{
  double wall, span = r->ch->t - r->t_start;
  FcCall(solver_wall(r, &wall));
  FcCall(fc_field_writer_parameter(r->snap, "wall_seconds", wall));
  if (span > 0) FcCall(fc_field_writer_parameter(r->snap, "wall_seconds_per_time", wall / span));
  return FC_SUCCESS;
}

/* Closes a full snapshot file of a split run (one trajectory) and lists it. */
static fc_err close_full_file(channel_run *r)
{
  FcCall(write_timing(r));
  FcCall(fc_field_writer_close(&r->snap));
  fc_print(r->ch->comm, "wrote %s\n", r->snap_path);
  strcpy(r->last_full, r->snap_path);
  if (r->complete) {
    size_t used = strlen(r->complete);
    if (used + strlen(r->snap_path) + 2 > r->complete_len)
      FcRaise(FC_ERR_INPUT, "too many snapshot files for one list (raise snapshot_per_file)");
    sprintf(r->complete + used, "%s%s", used ? "," : "", r->snap_path);
  }
  return FC_SUCCESS;
}

static fc_err snapshot(channel_run *r)
{
  if (r->snap && r->j.snapshot_per_file && r->nsnap % r->j.snapshot_per_file == 0) FcCall(close_full_file(r));
  if (!r->snap && r->j.snapshot_per_file) FcCall(fc_output_prepare(r->ch->comm, r->j.snapshots));
  if (!r->snap) {
    FcCall(snapshot_file_name(&r->j, r->nfiles++, r->snap_path));
    FcCall(fc_field_writer_create(r->ch->comm, r->snap_path, r->grid, r->j.precision, &r->snap));
    FcCall(fc_field_writer_provenance(r->snap, fc_case_file_path(r->c), fc_case_file_text(r->c), r->argc, r->argv));
    FcCall(fc_field_writer_parameter(r->snap, "nu", r->ch->c.nu));
    FcCall(fc_field_writer_parameter(r->snap, "bulk_velocity", r->ch->c.bulk_velocity));
    FcCall(fc_field_writer_parameter(r->snap, "stretch", r->ch->c.stretch));
  }
  fc_channel_centre_velocity(r->ch, r->vel, r->pres);
  fc_field *f[2] = {r->vel, r->pres};
  FcCall(fc_field_writer_step(r->snap, r->ch->step, r->ch->t, f, 2));
  r->nsnap++;
  return FC_SUCCESS;
}

static fc_err monitor_line(channel_run *r, double wall0, long step0, double t0)
{
  fc_channel_monitor m;
  FcCall(fc_channel_monitor_compute(r->ch, &m));
  double el = fc_wtime() - wall0, rate = el > 0 ? (double)(r->ch->step - step0) / el : 0.0;
  double sim_rate = el > 0 ? (r->ch->t - t0) / el : 0.0, eta = sim_rate > 0 ? fmax(0.0, r->j.t_end - r->ch->t) / sim_rate : 0.0;
  fc_print(r->ch->comm,
           "step %ld  t = %.4f / %.4g  dt %.3e  CFL %.2f  Re_tau %.1f  U_b %.6f  dp/dx %.4e  max|div| %.1e  "
           "%.1f step/s  ETA %.0f s\n",
           r->ch->step, r->ch->t, r->j.t_end, r->ch->dt, m.cfl, m.re_tau, m.bulk_velocity, r->ch->dpdx_applied,
           m.max_div, rate, eta);
  /* the projection keeps div u at round-off: anything larger is a solver failure */
  double scale = m.bulk_velocity / r->ch->dyf[1];
  if (!(m.max_div <= 1e-8 * fmax(scale, 1e-300)))
    FcRaise(FC_ERR_NONFINITE, "channel flow at step %ld, t = %.6g: max |div u| = %.3e is not at round-off (scale %.3e)",
            r->ch->step, r->ch->t, m.max_div, scale);
  return FC_SUCCESS;
}

static const char *const sgs_names[] = {"none (DNS)", "smagorinsky", "dynamic", "wale"};

static fc_err time_loop(channel_run *r)
{
  channel_job *j = &r->j;
  fc_channel *ch = r->ch;
  double wall0 = fc_wtime(), t0 = ch->t;
  long step0 = ch->step, done = 0;
  r->t_start = t0;
  fc_print(ch->comm, "flowcast simulate: channel %ld x %ld x %ld in %.4g x %.4g x %.4g, nu = %.6g, sgs %s, %d rank(s), "
                     "from t = %.6g (step %ld) to t = %.6g\n",
           ch->nx, ch->ny, ch->nz, ch->c.lx, ch->c.ly, ch->c.lz, ch->c.nu,
           sgs_names[ch->c.sgs],
           ch->size, ch->t, ch->step, j->t_end);
  FcCall(monitor_line(r, wall0, step0, t0));
  if (j->snapshot_every && j->snapshot_initial && ch->t >= j->snapshot_start) FcCall(snapshot(r));
  while (ch->t < j->t_end * (1 - 1e-12) && (j->max_steps == 0 || done < j->max_steps)) {
    if (j->wall_limit > 0) {
      int stop = fc_wtime() - wall0 > j->wall_limit;
      FcCallMPI(MPI_Bcast(&stop, 1, MPI_INT, 0, ch->comm));
      if (stop) {
        fc_print(ch->comm, "wall-time limit of %.0f s reached at step %ld, t = %.6g: stopping with a restart file\n",
                 j->wall_limit, ch->step, ch->t);
        break;
      }
    }
    double w = fc_wtime();
    FcCall(fc_channel_step(ch));
    r->solver_seconds += fc_wtime() - w;
    done++;
    /* a fixed step: t0 + n dt exactly, so that snapshots land on the times of the start file */
    if (ch->c.dt_fixed > 0) ch->t = t0 + (double)(ch->step - step0) * ch->c.dt_fixed;
    if (ch->t >= j->stats_start && ch->step % j->stats_every == 0) FcCall(fc_channel_stats_accumulate(r->stats, ch));
    if (j->snapshot_every && ch->step % j->snapshot_every == 0 && ch->t >= j->snapshot_start) FcCall(snapshot(r));
    if (j->restart_every && ch->step % j->restart_every == 0) FcCall(write_restart_and_stats(r));
    if (ch->step % j->monitor_every == 0) FcCall(monitor_line(r, wall0, step0, t0));
  }
  if (ch->step % j->monitor_every) FcCall(monitor_line(r, wall0, step0, t0));
  return FC_SUCCESS;
}

static fc_err setup(channel_run *r)
{
  channel_job *j = &r->j;
  FcCall(fc_channel_create(r->comm, &j->c, &r->ch));
  if (j->init == 2) {
    FcCall(fc_channel_restart_read(r->ch, j->init_file, &r->nfiles0));
    r->nfiles = r->nfiles0;
  } else if (j->init == 3) {
    fc_channel_init_info in;
    FcCall(fc_channel_init_field(r->ch, j->init_file, j->init_step, &in));
    fc_print(r->comm, "initial field: velocity of snapshot %ld (step %ld, t = %.10g) of %s; U_b %.6f%s; max |div u| "
                      "%.3e before the projection, %.3e after\n", in.index, in.step, in.time, j->init_file,
             in.bulk_before, j->c.drive == FC_DRIVE_FLOW_RATE ? " set to channel_bulk_velocity" : "", in.div_before,
             in.div_after);
  } else FcCall(fc_channel_init_profile(r->ch, j->init, j->c.bulk_velocity, j->amp, j->seed));
  FcCall(fc_channel_stats_create(r->ch, j->nplanes, j->yplus, &r->stats));
  if (j->init == 2 && j->stats_continue) {
    int exists = 0;
    if (r->ch->rank == 0) {
      FILE *f = fopen(j->stats, "rb");
      exists = f != NULL;
      if (f) fclose(f);
    }
    FcCallMPI(MPI_Bcast(&exists, 1, MPI_INT, 0, r->ch->comm));
    if (exists) {
      FcCall(fc_channel_stats_load(r->stats, r->ch, j->stats));
      /* samples taken after the restart's time would be counted twice */
      double last = fc_channel_stats_last_time(r->stats);
      if (last > r->ch->t + 1e-9 * fmax(1.0, fabs(r->ch->t)))
        FcRaiseComm(r->comm, FC_ERR_INPUT,
                    "statistics file '%s' has samples up to t = %.10g, later than the restart file '%s' (t = %.10g): "
                    "continuing would count them twice; give the statistics file that goes with the restart, or "
                    "-stats_continue false", j->stats, last, j->init_file, r->ch->t);
      fc_print(r->ch->comm, "continuing the statistics of %s (%ld samples)\n", j->stats,
               fc_channel_stats_samples(r->stats));
    }
  }
  FcCall(fc_channel_file_grid(r->ch, &r->grid));
  fc_decomp d;
  FcCall(fc_decomp_slab(r->ch->comm, r->ch->nx, &d));
  FcCall(fc_field_create(r->grid, &d, "velocity", 3, &r->vel));
  FcCall(fc_field_create(r->grid, &d, "pressure", 1, &r->pres));
  return FC_SUCCESS;
}

fc_err fc_channel_job_execute(fc_case *c, MPI_Comm comm, int argc, char **argv, char *complete, size_t len)
{
  channel_run r;
  memset(&r, 0, sizeof r);
  r.complete = complete;
  r.complete_len = len;
  if (complete && len) complete[0] = 0;
  r.c = c;
  r.comm = comm;
  r.argc = argc;
  r.argv = argv;
  FcCall(read_config(c, &r.j));
  FcCall(fc_case_check_unknown(c));
  FcCall(fc_output_prepare(comm, r.j.restart));
  FcCall(fc_output_prepare(comm, r.j.stats));
  if (r.j.snapshot_every) FcCall(fc_output_prepare(comm, r.j.snapshots));
  fc_err e = setup(&r);
  if (!e) e = time_loop(&r);
  if (r.snap) {
    /* the open snapshot file: a full trajectory (or the one file of an unsplit run) is closed;
     * an incomplete trajectory is discarded (a resumed run starts that file afresh); after a
     * blow-up the snapshots already taken are complete steps and kept; after any other error
     * the file may be half-written and is discarded */
    int full = r.j.snapshot_per_file == 0 || r.nsnap % r.j.snapshot_per_file == 0;
    int keep = e ? FC_ERR_KIND(e) == FC_ERR_NONFINITE : full;
    if (keep && !e && r.j.snapshot_per_file) {
      e = close_full_file(&r);
    } else if (keep) {
      fc_err e2 = write_timing(&r);
      if (!e2) e2 = fc_field_writer_close(&r.snap);
      if (!e) e = e2;
      if (!e2 && e) fc_print(comm, "the snapshots taken before the failure are in %s\n", r.snap_path);
    } else {
      if (!e)
        fc_print(comm, "%s held %ld of the %ld snapshots of a trajectory: not kept (a run resumed from %s starts "
                       "it again)\n", r.snap_path, r.nsnap % r.j.snapshot_per_file, r.j.snapshot_per_file,
                 r.j.restart);
      r.nfiles--;
    }
    if (r.snap) fc_field_writer_discard(&r.snap);
  }
  if (!e) e = write_restart_and_stats(&r); /* after the snapshot files: it records how many are complete */
  if (!e) {
    fc_print(comm, "wrote %s (step %ld, t = %.6g)", r.j.restart, r.ch->step, r.ch->t);
    if (fc_channel_stats_samples(r.stats) > 0)
      fc_print(comm, ", %s (%ld samples)", r.j.stats, fc_channel_stats_samples(r.stats));
    if (r.nsnap && !r.j.snapshot_per_file) fc_print(comm, ", %s (%ld snapshots)", r.snap_path, r.nsnap);
    if (r.j.snapshot_per_file && r.nfiles > r.nfiles0)
      fc_print(comm, ", %ld snapshot files up to %s (%ld snapshots)", r.nfiles - r.nfiles0, r.last_full, r.nsnap);
    fc_print(comm, "\n");
    double wall = 0;
    e = solver_wall(&r, &wall);
    if (!e && r.ch->t > r.t_start)
      fc_print(comm, "solver wall time %.2f s for t = %.6g .. %.6g: %.4g s per unit of simulated time\n", wall, r.t_start,
               r.ch->t, wall / (r.ch->t - r.t_start));
  }
  fc_field_destroy(&r.vel);
  fc_field_destroy(&r.pres);
  fc_grid_destroy(&r.grid);
  fc_channel_stats_destroy(&r.stats);
  fc_channel_destroy(&r.ch);
  return e;
}

fc_err fc_channel_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  return fc_channel_job_execute(c, comm, argc, argv, NULL, 0);
}
