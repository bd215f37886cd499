/* bench/channel_dns (the flowcast part): DNS time steps of a 64^3 channel (Re_tau ~ 180 box
 * 2 pi x 2 x pi, constant flow rate, implicit wall-normal diffusion, the production settings),
 * started from a perturbed turbulent profile, warmed up, then timed over STEPS steps on all
 * ranks of MPI_COMM_WORLD. Prints `s_per_point_step = X` (wall seconds per grid point per
 * time step of three RK3 sub-steps), the median of REPS timed blocks.
 *   mpiexec -n P channel_dns_flowcast [N (64)] [STEPS (20)] [REPS (5)] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <petscsys.h>

#include "bench_timer.h"
#include "fc_channel.h"
#include "fc_log.h"


static fc_err run(int argc, char **argv)
{
  long n = argc > 1 ? atol(argv[1]) : 64, steps = argc > 2 ? atol(argv[2]) : 20, reps = argc > 3 ? atol(argv[3]) : 5;
  fc_channel_config c = {.nx = n, .ny = n, .nz = n, .lx = 2 * M_PI, .ly = 2.0, .lz = M_PI, .stretch = 2.0,
                         .nu = 1.0 / 2800.0, .drive = FC_DRIVE_FLOW_RATE, .bulk_velocity = 1.0, .sgs = FC_SGS_NONE,
                         .implicit_y = 1, .cfl = 0.95};
  fc_channel *ch;
  FcCall(fc_channel_create(MPI_COMM_WORLD, &c, &ch));
  FcCall(fc_channel_init_profile(ch, 1, 1.0, 0.3, 1));
  for (int s = 0; s < 5; s++) FcCall(fc_channel_step(ch)); /* warm-up */
  double t[64];
  if (reps > 64) reps = 64;
  for (long r = 0; r < reps; r++) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (long s = 0; s < steps; s++) FcCall(fc_channel_step(ch));
    MPI_Barrier(MPI_COMM_WORLD);
    t[r] = (MPI_Wtime() - t0) / (double)steps;
  }
  qsort(t, (size_t)reps, sizeof t[0], fc_bench_cmp);
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  double pts = (double)n * n * n;
  fc_print(MPI_COMM_WORLD, "ranks = %d, grid %ld^3, %ld steps x %ld blocks, dt = %.4g, step time %.4f s (median)\n",
           size, n, steps, reps, ch->dt, t[reps / 2]);
  fc_print(MPI_COMM_WORLD, "s_per_point_step = %.4e\n", t[reps / 2] / pts);
  FcCall(fc_channel_destroy(&ch));
  return FC_SUCCESS;
}

int main(int argc, char **argv)
{
  PetscInitialize(&argc, &argv, NULL, NULL);
  fc_init_libraries();
  return fc_finalize(run(argc, argv));
}
