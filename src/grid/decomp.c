/* Slab decomposition along x, with FFTW-MPI's block sizes. */
#include "fc_grid.h"

fc_err fc_decomp_slab(MPI_Comm comm, long nx, fc_decomp *d)
{
  d->comm = comm;
  FcCallMPI(MPI_Comm_rank(comm, &d->rank));
  FcCallMPI(MPI_Comm_size(comm, &d->size));
  long block = (nx + d->size - 1) / d->size; /* fc_decomp_owner inverts this */
  long x0 = block * d->rank;
  d->nx = nx;
  d->x0 = x0 < nx ? x0 : nx;
  d->nxl = x0 < nx ? (nx - x0 < block ? nx - x0 : block) : 0;
  return FC_SUCCESS;
}

int fc_decomp_owner(const fc_decomp *d, long ix)
{
  long block = (d->nx + d->size - 1) / d->size;
  return (int)(ix / block);
}
