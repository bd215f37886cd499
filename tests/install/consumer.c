/* A program outside flowcast that links the installed library through pkg-config. */
#include <stdio.h>

#include "fc_grid.h"
#include "fc_io.h"
#include "fc_version.h"

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  long n[3] = {8, 9, 10};
  double L[3] = {1, 2, 3};
  int per[3] = {1, 0, 1};
  fc_grid *g = NULL;
  fc_err e = fc_grid_create(3, n, L, per, NULL, &g);
  if (!e) printf("flowcast %s: grid of %ld points, x-planes of %ld\n", FC_VERSION, fc_grid_points(g), fc_grid_plane_points(g));
  fc_grid_destroy(&g);
  MPI_Finalize();
  return e ? 1 : 0;
}
