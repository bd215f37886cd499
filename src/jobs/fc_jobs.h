/* Jobs run by `flowcast run`: each declares its case keys and runs from a case. */
#ifndef FC_JOBS_H
#define FC_JOBS_H

#include "fc_case.h"
#include "fc_grid.h"

/* The fields job: a field from an exact Navier-Stokes solution (decaying Taylor-Green
 * vortex) or from another code's HDF5 dataset, its diagnostics (kinetic energy,
 * divergence), written as a flowcast field file with XDMF. */
fc_err fc_fields_job_declare(fc_case *c);
fc_err fc_fields_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

/* The ns2d job of `flowcast simulate`: 2D Navier-Stokes trajectories (the FNO benchmark),
 * one field file per sample, samples spread over the ranks (src/jobs/ns2d_job.c). */
fc_err fc_ns2d_job_declare(fc_case *c);
fc_err fc_ns2d_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

/* Taylor-Green vortex in the x-y plane (uniform along z), an exact solution of the
 * incompressible Navier-Stokes equations on a periodic Lx x Ly box:
 *   u =  A sin(a x) cos(b y) F,  v = -A (a/b) cos(a x) sin(b y) F,  w = 0,
 *   p =  A^2 F^2 / 4 (cos(2 a x) + (a/b)^2 cos(2 b y)),  F = exp(-nu (a^2 + b^2) t),
 * with a = 2 pi / Lx, b = 2 pi / Ly (unit density). u has ndim components. */
void fc_taylor_green(const fc_grid *g, double amplitude, double nu, double t, fc_field *u, fc_field *p);
/* Its exact volume-averaged kinetic energy (1/V) int |u|^2 / 2 dV on a periodic box. */
double fc_taylor_green_energy(const fc_grid *g, double amplitude, double nu, double t);

/* Volume-averaged kinetic energy (1/V) int |u|^2/2 dV (trapezoid weights; collective). */
fc_err fc_kinetic_energy(const fc_field *u, double *energy);
/* max |div u| by second-order central differences (one-sided at walls); collective,
 * exchanges one x-plane with the neighbouring slabs. */
fc_err fc_max_divergence(const fc_field *u, double *maxdiv);

/* The channel job of `flowcast simulate`: DNS or LES of turbulent channel flow with
 * snapshots, statistics and restarts (src/jobs/channel_job.c, docs/channel.md). */
fc_err fc_channel_job_declare(fc_case *c);
fc_err fc_channel_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv);
/* The same, listing the complete snapshot files of a split run (snapshot_per_file > 0) in
 * complete[len] (comma-separated; an error if they do not fit): the trajectories of the
 * channel_dataset job. */
fc_err fc_channel_job_execute(fc_case *c, MPI_Comm comm, int argc, char **argv, char *complete, size_t len);

/* The filter job of `flowcast filter`: channel DNS snapshot files filtered (box or Gaussian)
 * onto the surrogates' coarse grid, one trajectory file each (src/jobs/filter_job.c). */
fc_err fc_filter_job_declare(fc_case *c);
fc_err fc_filter_job_run(fc_case *c, MPI_Comm comm, int argc, char **argv);
/* The same with the input files given as a comma-separated list (any length) instead of the
 * key filter_input (the channel_dataset job). */
fc_err fc_filter_job_execute(fc_case *c, MPI_Comm comm, int argc, char **argv, const char *inputs);

/* The channel_dataset job of `flowcast run`: a channel DNS whose snapshots are split into
 * trajectory files, then `flowcast filter` of each onto the surrogates' grid
 * (src/jobs/channel_dataset.c, cases/channel180_dataset.yaml). */
fc_err fc_channel_dataset_declare(fc_case *c);
fc_err fc_channel_dataset_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

/* The fno_pipeline job: ns2d data -> training -> rollout -> comparison in one case
 * (src/jobs/fno_pipeline.c). */
/* flowcast run, job channel_surrogates: surrogate rollouts and LES baselines from one filtered-DNS
 * snapshot, compared with the filtered DNS (src/jobs/channel_surrogates.c, cases/channel180.yaml). */
fc_err fc_channel_surrogates_declare(fc_case *c);
fc_err fc_channel_surrogates_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

fc_err fc_fno_pipeline_declare(fc_case *c);
fc_err fc_fno_pipeline_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

#endif
