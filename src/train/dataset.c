/* Trajectory datasets for training: load, normalise, split, assemble samples. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_io.h"
#include "fc_train.h"

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The sorted *.h5 names of dir (rank 0 lists, all ranks receive). */
static fc_err list_files(MPI_Comm comm, const char *dir, char ***names, int *count)
{
  int rank, n = 0;
  char *flat = NULL;
  long len = 0;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) {
    DIR *d = opendir(dir);
    if (d) {
      char **v = NULL;
      struct dirent *e;
      while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".h5")) continue;
        v = realloc(v, sizeof(char *) * (size_t)(n + 1));
        v[n++] = strdup(e->d_name);
      }
      closedir(d);
      qsort(v, (size_t)n, sizeof(char *), cmp_names);
      for (int i = 0; i < n; i++) len += (long)strlen(v[i]) + 1;
      flat = calloc((size_t)len + 1, 1);
      for (int i = 0, p = 0; i < n; i++) {
        strcpy(flat + p, v[i]);
        p += (int)strlen(v[i]) + 1;
        free(v[i]);
      }
      free(v);
    } else n = -1;
  }
  MPI_Bcast(&n, 1, MPI_INT, 0, comm);
  if (n < 0) FcRaiseComm(comm, FC_ERR_INPUT, "data directory '%s' cannot be opened", dir);
  if (n == 0) FcRaiseComm(comm, FC_ERR_INPUT, "data directory '%s' holds no .h5 trajectory files", dir);
  MPI_Bcast(&len, 1, MPI_LONG, 0, comm);
  if (rank != 0) flat = calloc((size_t)len + 1, 1);
  MPI_Bcast(flat, (int)len, MPI_CHAR, 0, comm);
  FcCall(FcMalloc(n, names));
  for (int i = 0, p = 0; i < n; i++) {
    (*names)[i] = strdup(flat + p);
    p += (int)strlen(flat + p) + 1;
  }
  free(flat);
  *count = n;
  return FC_SUCCESS;
}

/* Reads trajectory file path into d->data at trajectory j (checks grid and step count). */
static fc_err read_trajectory(const char *path, const char *field, int j, fc_dataset *d)
{
  fc_field_reader *r;
  fc_grid *g = NULL;
  fc_field *f = NULL;
  fc_decomp dc;
  long ns;
  const fc_step_info *steps;
  FcCall(fc_field_reader_open(MPI_COMM_SELF, path, &r));
  fc_err e = fc_field_reader_grid(r, &g);
  if (!e) e = fc_field_reader_steps(r, &ns, &steps);
  if (!e && j == 0) {
    d->ndim = g->ndim;
    d->nt = (int)ns;
    d->npts = 1;
    for (int a = 0; a < 3; a++) {
      d->n[a] = a < g->ndim ? (int)g->n[a] : 1;
      d->npts *= d->n[a];
      d->length[a] = a < g->ndim ? g->length[a] : 0;
      if (!e && a < g->ndim) {
        e = FcMalloc(d->n[a], &d->coord[a]);
        for (int i = 0; !e && i < d->n[a]; i++) d->coord[a][i] = g->coord[a][i];
      }
    }
    if (!e) e = FcMalloc((long)d->ntraj * d->nt * d->npts * d->ncomp, &d->data);
  }
  if (!e && (g->ndim != d->ndim || ns != d->nt || g->n[0] != d->n[0] || g->n[1] != d->n[1] ||
             (g->ndim == 3 && g->n[2] != d->n[2])))
    e = fc_error_raise(MPI_COMM_SELF, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "trajectory '%s' has %ld steps on a different grid than the first trajectory (%d steps, %d x %d%s)",
                       path, ns, d->nt, d->n[0], d->n[1], d->ndim == 3 ? " x ..." : "");
  if (!e) e = fc_decomp_slab(MPI_COMM_SELF, g->n[0], &dc);
  if (!e) e = fc_field_create(g, &dc, field, d->ncomp, &f);
  for (long s = 0; s < ns && !e; s++) {
    e = fc_field_reader_read(r, s, f);
    float *dst = d->data + (((long)j * d->nt + s) * d->npts) * d->ncomp;
    for (long i = 0; !e && i < d->npts * d->ncomp; i++) dst[i] = (float)f->data[i];
  }
  fc_field_destroy(&f);
  fc_grid_destroy(&g);
  fc_field_reader_close(&r);
  return e;
}

fc_err fc_dataset_load(MPI_Comm comm, const char *dir, const char *field, int ncomp, int window,
                       double val_fraction, int max_traj, fc_dataset *d)
{
  char **names = NULL;
  int nfiles = 0;
  memset(d, 0, sizeof *d);
  if (ncomp < 1 || ncomp > 8) FcRaise(FC_ERR_INPUT, "%d field components: expected 1 to 8", ncomp);
  FcCall(list_files(comm, dir, &names, &nfiles));
  d->ntraj = max_traj > 0 && max_traj < nfiles ? max_traj : nfiles;
  d->ncomp = ncomp;
  d->window = window;
  d->ntrain = d->ntraj - (int)floor(val_fraction * d->ntraj + 0.5);
  fc_err e = FC_SUCCESS;
  if (d->ntrain < 1) e = fc_error_raise(comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                                        "%d trajectories with validation fraction %g leave none for training",
                                        d->ntraj, val_fraction);
  for (int j = 0; j < d->ntraj && !e; j++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, names[j]);
    e = read_trajectory(path, field, j, d);
  }
  e = fc_error_agree(comm, e); /* a file every rank read fails on every rank */
  if (!e && d->nt <= window)
    e = fc_error_raise(comm, 1, FC_ERR_INPUT, __func__, __FILE__, __LINE__,
                       "trajectories have %d snapshots: a window of %d leaves no target", d->nt, window);
  for (int j = 0; j < nfiles; j++) free(names[j]);
  free(names);
  if (e) {
    fc_dataset_free(d);
    return e;
  }
  /* per-component statistics of the training trajectories, then normalise everything */
  for (int c = 0; c < ncomp; c++) {
    double s = 0, ss = 0;
    long n = (long)d->ntrain * d->nt * d->npts;
    for (long i = 0; i < n; i++) s += d->data[i * ncomp + c];
    double mu = s / n;
    for (long i = 0; i < n; i++) ss += (d->data[i * ncomp + c] - mu) * (d->data[i * ncomp + c] - mu);
    d->mean[c] = (float)mu;
    d->std[c] = (float)sqrt(ss / n);
    if (!(d->std[c] > 0)) d->std[c] = 1.0f; /* a constant field: leave it centred only */
  }
  long total = (long)d->ntraj * d->nt * d->npts;
  for (long i = 0; i < total; i++)
    for (int c = 0; c < ncomp; c++) d->data[i * ncomp + c] = (d->data[i * ncomp + c] - d->mean[c]) / d->std[c];
  return FC_SUCCESS;
}

void fc_dataset_free(fc_dataset *d)
{
  free(d->data);
  d->data = NULL;
  for (int a = 0; a < 3; a++) {
    free(d->coord[a]);
    d->coord[a] = NULL;
  }
}

long fc_dataset_count(const fc_dataset *d, int validation)
{
  long per = d->nt - d->window;
  return (validation ? d->ntraj - d->ntrain : d->ntrain) * per;
}

void fc_dataset_sample(const fc_dataset *d, int validation, long s, float *x, float *y)
{
  const long per = d->nt - d->window, j = (validation ? d->ntrain : 0) + s / per, t = d->window + s % per;
  const int nc = d->ncomp, W = d->window;
  for (int k = 0; k < W; k++) {
    const float *src = d->data + ((j * d->nt + t - W + k) * d->npts) * nc;
    for (long p = 0; p < d->npts; p++)
      for (int c = 0; c < nc; c++) x[(p * W + k) * nc + c] = src[p * nc + c];
  }
  memcpy(y, d->data + ((j * d->nt + t) * d->npts) * nc, sizeof(float) * (size_t)(d->npts * nc));
}
