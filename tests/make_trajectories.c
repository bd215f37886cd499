/* Writes small synthetic trajectory files for the training tests: a 2D scalar field
 * travelling across a periodic 16 x 12 grid, w(x, y, t) = sin(2 pi (x - c t)) cos(2 pi (a y + phase))
 * with per-trajectory speed, wavenumber and phase, 8 snapshots each.
 * A file DIR/../zero.h5 holds a trajectory of zeros (the rollout's blow-up test starts from it).
 *   make_trajectories DIR NTRAJ */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fc_io.h"

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  fc_init_libraries();
  if (argc < 3) {
    fprintf(stderr, "usage: make_trajectories DIR NTRAJ\n");
    return 2;
  }
  int ntraj = atoi(argv[2]);
  long n[2] = {16, 12};
  double L[2] = {1, 1};
  int per[2] = {1, 1};
  fc_grid *g;
  fc_decomp d;
  fc_field *w;
  if (fc_grid_create(2, n, L, per, NULL, &g) || fc_decomp_slab(MPI_COMM_SELF, n[0], &d) ||
      fc_field_create(g, &d, "w", 1, &w))
    return 1;
  for (int j = 0; j <= ntraj; j++) { /* j == ntraj: the zero trajectory */
    char path[4096];
    if (j < ntraj) snprintf(path, sizeof path, "%s/traj_%05d.h5", argv[1], j);
    else snprintf(path, sizeof path, "%s/../zero.h5", argv[1]);
    double c = 0.05 + 0.02 * (j % 5), a = 1 + j % 2, phase = 0.1 * j;
    fc_field_writer *fw;
    if (fc_field_writer_create(MPI_COMM_SELF, path, g, FC_PRECISION_FLOAT32, &fw)) return 1;
    for (int s = 0; s < 8; s++) {
      for (long i = 0; i < n[0]; i++)
        for (long k = 0; k < n[1]; k++)
          w->data[i * n[1] + k] = j == ntraj ? 0.0 : sin(2 * M_PI * (g->coord[0][i] - c * s)) * cos(2 * M_PI * (a * g->coord[1][k] + phase));
      if (fc_field_writer_step(fw, s, (double)s, &w, 1)) return 1;
    }
    if (fc_field_writer_close(&fw)) return 1;
  }
  fc_field_destroy(&w);
  fc_grid_destroy(&g);
  return fc_finalize(0);
}
