/* Internal to src/rollout: flowcast compare's two report types share the matching of snapshots
 * by time and the sums of squared differences (compare.c); compare_type channel
 * (channel_compare.c) adds its keys to compare's and runs the channel comparison. */
#ifndef FC_CHANNEL_COMPARE_H
#define FC_CHANNEL_COMPARE_H

#include "fc_case.h"
#include "fc_io.h"

/* Index of the step of steps[0..n) whose time equals t (relative tolerance 1e-9), or -1. */
long fc_compare_find_time(const fc_step_info *steps, long n, double t);

/* Local sums over the slab of pred - ref and ref, both with ncomp components:
 * sums[0] = sum |pred - ref|^2, sums[1] = sum |ref|^2, then per component c
 * sums[2 + c] = sum (pred_c - ref_c)^2 and sums[2 + ncomp + c] = sum ref_c^2. */
void fc_compare_square_sums(const fc_field *pred, const fc_field *ref, double *sums);

/* The keys of compare_type channel (listed by -help with compare's own). */
fc_err fc_channel_compare_declare(fc_case *c);
/* Reads the channel keys and runs the comparison: docs/channel_compare.md. */
fc_err fc_channel_compare_run(fc_case *c, MPI_Comm comm, int argc, char **argv);

#endif
