/* The fields job of `flowcast run`: make or import a field, check it, write it.
 *
 *   source taylor_green: the exact decaying Taylor-Green vortex at time_snapshots
 *                        instants in [0, time_end], with its exact energy decay;
 *   source file:         one dataset of another code's HDF5 file (input_* keys),
 *                        converted to flowcast's layout (a JHTDB cutout, say).
 * Each snapshot's kinetic energy and maximum divergence go into /series; the
 * fields into /steps with an XDMF sidecar.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc_io.h"
#include "fc_jobs.h"
#include "fc_log.h"

#define TWO_PI "6.283185307179586"

static const fc_key fields_keys[] = {
    {"grid_ndim", FC_KEY_INT, "3", 2, 3, NULL, "number of space dimensions"},
    {"grid_nx", FC_KEY_INT, "64", 2, 16384, NULL, "grid points along x (streamwise)"},
    {"grid_ny", FC_KEY_INT, "64", 2, 16384, NULL, "grid points along y (wall-normal in a channel)"},
    {"grid_nz", FC_KEY_INT, "64", 2, 16384, NULL, "grid points along z (3D only)"},
    {"grid_lx", FC_KEY_REAL, TWO_PI, 1e-9, 1e9, NULL, "domain length along x"},
    {"grid_ly", FC_KEY_REAL, TWO_PI, 1e-9, 1e9, NULL, "domain length along y"},
    {"grid_lz", FC_KEY_REAL, TWO_PI, 1e-9, 1e9, NULL, "domain length along z"},
    {"grid_periodic_y", FC_KEY_BOOL, "true", 0, 0, NULL, "y periodic (false: walls at y = 0 and y = ly)"},
    {"grid_stretch_y", FC_KEY_REAL, "0", 0, 20, NULL, "tanh stretching of y towards the walls (0: uniform; walls only)"},
    {"flow_nu", FC_KEY_REAL, "0.01", 0, 1e6, NULL, "kinematic viscosity"},
    {"source", FC_KEY_CHOICE, "taylor_green", 0, 0, "taylor_green,file",
     "where the field comes from: the exact Taylor-Green vortex, or an HDF5 dataset (input_* keys)"},
    {"taylor_green_amplitude", FC_KEY_REAL, "1", -1e6, 1e6, NULL, "velocity amplitude A of the vortex"},
    {"time_end", FC_KEY_REAL, "10", 0, 1e12, NULL, "last snapshot time (source taylor_green)"},
    {"time_snapshots", FC_KEY_INT, "11", 1, 100000, NULL, "number of snapshots in [0, time_end]"},
    {"input_file", FC_KEY_STRING, "", 0, 0, NULL, "HDF5 file to import (source file)"},
    {"input_dataset", FC_KEY_STRING, "/u", 0, 0, NULL, "dataset path inside input_file"},
    {"input_axes", FC_KEY_STRING, "z,y,x,c", 0, 0, NULL,
     "axis order of the dataset, slowest first; c = component axis (JHTDB cutouts: z,y,x,c)"},
    {"input_precision", FC_KEY_CHOICE, "auto", 0, 0, "auto,float32,float64", "expected storage precision of the dataset"},
    {"input_components", FC_KEY_INT, "3", 1, 3, NULL, "components per point (1: scalar; ndim: velocity)"},
    {"input_name", FC_KEY_STRING, "u", 0, 0, NULL, "name of the imported field in the output file"},
    {"input_time", FC_KEY_REAL, "0", -1e12, 1e12, NULL, "simulated time of the imported snapshot"},
    {"output_file", FC_KEY_STRING, "output/fields.h5", 0, 0, NULL, "output field file (an .xmf sidecar is written beside it)"},
    {"output_precision", FC_KEY_CHOICE, "float64", 0, 0, "float64,float32", "precision of the stored fields"},
};

typedef struct {
  int ndim, periodic_y, tg, ncomp, nsnap;
  long n[3];
  double length[3], stretch_y, nu, amplitude, t_end, input_time;
  char input_file[PATH_MAX], input_dataset[256], input_axes[32], input_name[64], output[PATH_MAX];
  fc_precision in_prec, out_prec;
} fields_config;

fc_err fc_fields_job_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "fields job", fields_keys, (int)(sizeof fields_keys / sizeof fields_keys[0])));
  return FC_SUCCESS;
}

static fc_err read_config(fc_case *c, fields_config *cf)
{
  char buf[64];
  long v;
  FcCall(fc_case_get_int(c, "grid_ndim", &v));
  cf->ndim = (int)v;
  static const char *nkeys[3] = {"grid_nx", "grid_ny", "grid_nz"}, *lkeys[3] = {"grid_lx", "grid_ly", "grid_lz"};
  for (int a = 0; a < cf->ndim; a++) {
    FcCall(fc_case_get_int(c, nkeys[a], &cf->n[a]));
    FcCall(fc_case_get_real(c, lkeys[a], &cf->length[a]));
  }
  FcCall(fc_case_get_bool(c, "grid_periodic_y", &cf->periodic_y));
  FcCall(fc_case_get_real(c, "grid_stretch_y", &cf->stretch_y));
  if (cf->periodic_y && cf->stretch_y != 0)
    FcRaise(FC_ERR_INPUT, "key 'grid_stretch_y' = %g needs walls in y: set grid_periodic_y: false", cf->stretch_y);
  FcCall(fc_case_get_real(c, "flow_nu", &cf->nu));
  FcCall(fc_case_get_string(c, "source", buf, sizeof buf));
  cf->tg = !strcmp(buf, "taylor_green");
  if (cf->tg) {
    FcCall(fc_case_get_real(c, "taylor_green_amplitude", &cf->amplitude));
    FcCall(fc_case_get_real(c, "time_end", &cf->t_end));
    FcCall(fc_case_get_int(c, "time_snapshots", &v));
    cf->nsnap = (int)v;
    cf->ncomp = cf->ndim;
  } else {
    FcCall(fc_case_get_string(c, "input_file", cf->input_file, sizeof cf->input_file));
    FcCall(fc_case_get_string(c, "input_dataset", cf->input_dataset, sizeof cf->input_dataset));
    if (!cf->input_dataset[0]) FcRaise(FC_ERR_INPUT, "key 'input_dataset' is empty: expected a dataset path such as /u");
    FcCall(fc_case_get_string(c, "input_axes", cf->input_axes, sizeof cf->input_axes));
    FcCall(fc_case_get_string(c, "input_precision", buf, sizeof buf));
    FcCall(fc_precision_parse(buf, &cf->in_prec));
    FcCall(fc_case_get_int(c, "input_components", &v));
    cf->ncomp = (int)v;
    FcCall(fc_case_get_string(c, "input_name", cf->input_name, sizeof cf->input_name));
    FcCall(fc_case_get_real(c, "input_time", &cf->input_time));
    cf->nsnap = 1;
  }
  FcCall(fc_case_get_string(c, "output_file", cf->output, sizeof cf->output));
  FcCall(fc_case_get_string(c, "output_precision", buf, sizeof buf));
  FcCall(fc_precision_parse(buf, &cf->out_prec));
  if (!cf->output[0]) FcRaise(FC_ERR_INPUT, "key 'output_file' is empty: expected a file name");
  FcCall(fc_case_check_unknown(c));
  return FC_SUCCESS;
}

/* Memory this node may use: physical memory, or a smaller cgroup (container) limit. */
static double node_memory(void)
{
  double mem = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
  FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
  double limit;
  if (f) {
    if (fscanf(f, "%lf", &limit) == 1 && limit > 0 && limit < mem) mem = limit;
    fclose(f);
  }
  return mem;
}

/* Refuses grids whose fields cannot fit in memory: the ranks sharing a node share its
 * memory. Collective, with the same verdict on every rank. */
static fc_err check_memory(MPI_Comm comm, const fields_config *cf)
{
  int size, node_size;
  MPI_Comm node;
  FcCallMPI(MPI_Comm_size(comm, &size));
  FcCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  MPI_Comm_size(node, &node_size);
  MPI_Comm_free(&node);
  double points = (double)cf->n[0] * (double)cf->n[1] * (cf->ndim == 3 ? (double)cf->n[2] : 1.0);
  double per_rank = points * (cf->ncomp + 1) * 8.0 * 2.0 / size; /* fields + I/O buffer */
  double mine[2] = {per_rank * node_size, -node_memory()}, worst[2];
  FcCallMPI(MPI_Allreduce(mine, worst, 2, MPI_DOUBLE, MPI_MAX, comm)); /* largest need, smallest node */
  if (worst[0] > 0.8 * -worst[1])
    FcRaise(FC_ERR_INPUT,
            "grid %ld x %ld%s%.0ld needs about %.3g GB per node (%d rank(s) on a node, %d in all); a node has "
            "%.3g GB",
            cf->n[0], cf->n[1], cf->ndim == 3 ? " x " : "", cf->ndim == 3 ? cf->n[2] : 0L, worst[0] / 1e9, node_size,
            size, -worst[1] / 1e9);
  return FC_SUCCESS;
}

typedef struct {
  fc_grid *grid;
  fc_field *u, *p;
  fc_field_writer *w;
  double *series; /* [5][nsnap]: time, step, energy, exact energy, max divergence */
} fields_state;

static fc_err run_snapshots(fc_case *c, MPI_Comm comm, int argc, char **argv, const fields_config *cf, fields_state *s)
{
  fc_decomp d;
  int periodic[3] = {1, cf->periodic_y, 1};
  double stretch[3] = {0, cf->stretch_y, 0};
  fc_stage st_setup, st_compute, st_output;
  FcCall(fc_stage_register("Setup", &st_setup));
  FcCall(fc_stage_register("Compute", &st_compute));
  FcCall(fc_stage_register("Output", &st_output));
  FcCall(fc_stage_push(st_setup));
  FcCall(check_memory(comm, cf));
  FcCall(fc_grid_create(cf->ndim, cf->n, cf->length, periodic, stretch, &s->grid));
  FcCall(fc_decomp_slab(comm, cf->n[0], &d));
  FcCall(fc_field_create(s->grid, &d, cf->tg ? "u" : cf->input_name, cf->ncomp, &s->u));
  if (cf->tg) FcCall(fc_field_create(s->grid, &d, "p", 1, &s->p));
  FcCall(FcMalloc(5 * cf->nsnap, &s->series));
  FcCall(fc_field_writer_create(comm, cf->output, s->grid, cf->out_prec, &s->w));
  FcCall(fc_field_writer_provenance(s->w, fc_case_file_path(c), fc_case_file_text(c), argc, argv));
  FcCall(fc_field_writer_parameter(s->w, "nu", cf->nu));
  for (int a = 0; a < cf->ndim; a++) {
    char name[16];
    snprintf(name, sizeof name, "l%c", "xyz"[a]);
    FcCall(fc_field_writer_parameter(s->w, name, cf->length[a]));
  }
  if (cf->tg) FcCall(fc_field_writer_parameter(s->w, "amplitude", cf->amplitude));
  FcCall(fc_stage_pop());

  fc_print(comm, "flowcast run: %s on a %ld x %ld%s%.0ld grid, %d rank(s) -> %s\n",
           cf->tg ? "Taylor-Green vortex" : cf->input_file, cf->n[0], cf->n[1], cf->ndim == 3 ? " x " : "",
           cf->ndim == 3 ? cf->n[2] : 0L, d.size, cf->output);
  fc_progress prog;
  fc_progress_start(&prog, comm, "snapshot", cf->nsnap);
  for (int k = 0; k < cf->nsnap; k++) {
    double t = cf->tg ? (cf->nsnap > 1 ? cf->t_end * k / (cf->nsnap - 1) : 0) : cf->input_time;
    double *row = s->series;
    FcCall(fc_stage_push(st_compute));
    if (cf->tg) fc_taylor_green(s->grid, cf->amplitude, cf->nu, t, s->u, s->p);
    else {
      fc_external_spec spec = {cf->input_file, cf->input_dataset, cf->input_axes, cf->in_prec};
      FcCall(fc_external_read(comm, &spec, s->u));
    }
    row[k] = t;
    row[cf->nsnap + k] = k;
    row[3 * cf->nsnap + k] = cf->tg ? fc_taylor_green_energy(s->grid, cf->amplitude, cf->nu, t) : NAN;
    if (cf->ncomp == cf->ndim) {
      FcCall(fc_kinetic_energy(s->u, &row[2 * cf->nsnap + k]));
      FcCall(fc_max_divergence(s->u, &row[4 * cf->nsnap + k]));
    } else row[2 * cf->nsnap + k] = row[4 * cf->nsnap + k] = NAN;
    FcCall(fc_stage_pop());
    FcCall(fc_stage_push(st_output));
    fc_field *fields[2] = {s->u, s->p};
    FcCall(fc_field_writer_step(s->w, k, t, fields, cf->tg ? 2 : 1));
    FcCall(fc_stage_pop());
    fc_progress_update(&prog, k + 1, t);
  }
  static const char *names[5] = {"time", "step", "kinetic_energy", "kinetic_energy_exact", "max_divergence"};
  for (int q = 0; q < 5; q++)
    if (cf->tg || q != 3) FcCall(fc_field_writer_series(s->w, names[q], cf->nsnap, s->series + q * cf->nsnap));
  FcCall(fc_field_writer_close(&s->w));

  const double *E = s->series + 2 * cf->nsnap, *Ex = s->series + 3 * cf->nsnap, *div = s->series + 4 * cf->nsnap;
  double errmax = 0, divmax = 0;
  for (int k = 0; k < cf->nsnap; k++) {
    if (cf->tg) errmax = fmax(errmax, fabs(E[k] - Ex[k]) / fmax(fabs(Ex[k]), 1e-300));
    divmax = fmax(divmax, div[k]);
  }
  if (cf->ncomp == cf->ndim) fc_print(comm, "kinetic energy %.6g at t = %.6g; max |div u| = %.3g\n", E[cf->nsnap - 1],
                                      s->series[cf->nsnap - 1], divmax);
  if (cf->tg) fc_print(comm, "energy decay against the exact solution: max relative error %.3g\n", errmax);
  char xmf[PATH_MAX];
  fc_xdmf_path(cf->output, xmf, sizeof xmf);
  fc_print(comm, "wrote %s and %s (open the .xmf in ParaView)\n", cf->output, xmf);
  return FC_SUCCESS;
}

fc_err fc_fields_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv)
{
  fields_config cf;
  memset(&cf, 0, sizeof cf);
  FcCall(read_config(c, &cf));
  fields_state s = {NULL, NULL, NULL, NULL, NULL};
  fc_err e = run_snapshots(c, comm, argc, argv, &cf, &s);
  if (e && s.w) fc_field_writer_discard(&s.w); /* no half-written output */
  fc_field_destroy(&s.u);
  fc_field_destroy(&s.p);
  fc_grid_destroy(&s.grid);
  free(s.series);
  return e;
}
