/* Ghost layers: x planes from the neighbouring slabs (periodic in x), z periodic copies,
 * wall ghosts in y for the velocity. */
#include <string.h>

#include "fc_channel.h"

/* z ghosts of every x plane i = -1 .. nxl (lines of ny + 2 contiguous doubles). */
static void halo_z(const fc_channel *ch, double *a)
{
  size_t line = (size_t)ch->sz * sizeof(double);
  for (long i = -1; i <= ch->nxl; i++) {
    memcpy(a + FC_CH_IDX(ch, i, -1, -1), a + FC_CH_IDX(ch, i, ch->nz - 1, -1), line);
    memcpy(a + FC_CH_IDX(ch, i, ch->nz, -1), a + FC_CH_IDX(ch, i, 0, -1), line);
  }
}

fc_err fc_channel_halo_many(fc_channel *ch, int n, double **a)
{
  long plane = ch->sx, last = ch->nxl - 1;
  int left = (ch->rank + ch->size - 1) % ch->size, right = (ch->rank + 1) % ch->size;
  if (ch->size == 1) {
    for (int q = 0; q < n; q++) {
      memcpy(a[q] + FC_CH_IDX(ch, -1, -1, -1), a[q] + FC_CH_IDX(ch, last, -1, -1), (size_t)plane * sizeof(double));
      memcpy(a[q] + FC_CH_IDX(ch, ch->nxl, -1, -1), a[q] + FC_CH_IDX(ch, 0, -1, -1), (size_t)plane * sizeof(double));
    }
  } else {
    MPI_Request req[4 * 8];
    for (int q0 = 0; q0 < n; q0 += 8) {
      int nr = 0, q1 = q0 + 8 < n ? q0 + 8 : n;
      for (int q = q0; q < q1; q++) {
        double *b = a[q];
        FcCallMPI(MPI_Irecv(b + FC_CH_IDX(ch, -1, -1, -1), (int)plane, MPI_DOUBLE, left, 100 + q, ch->comm, &req[nr++]));
        FcCallMPI(MPI_Irecv(b + FC_CH_IDX(ch, ch->nxl, -1, -1), (int)plane, MPI_DOUBLE, right, 200 + q, ch->comm,
                            &req[nr++]));
        FcCallMPI(MPI_Isend(b + FC_CH_IDX(ch, last, -1, -1), (int)plane, MPI_DOUBLE, right, 100 + q, ch->comm,
                            &req[nr++]));
        FcCallMPI(MPI_Isend(b + FC_CH_IDX(ch, 0, -1, -1), (int)plane, MPI_DOUBLE, left, 200 + q, ch->comm, &req[nr++]));
      }
      FcCallMPI(MPI_Waitall(nr, req, MPI_STATUSES_IGNORE));
    }
  }
  for (int q = 0; q < n; q++) halo_z(ch, a[q]);
  return FC_SUCCESS;
}

fc_err fc_channel_halo(fc_channel *ch, double *a) { return fc_channel_halo_many(ch, 1, &a); }

/* Wall ghosts on every line, ghost planes included (they hold exchanged interior values). */
static void halo_walls(fc_channel *ch)
{
  long ny = ch->ny;
  double g0 = ch->gw0, g1 = ch->gw1;
  for (long i = -1; i <= ch->nxl; i++)
    for (long k = -1; k <= ch->nz; k++) {
      double *u = ch->u + FC_CH_IDX(ch, i, k, 0), *w = ch->w + FC_CH_IDX(ch, i, k, 0);
      double *v = ch->v + FC_CH_IDX(ch, i, k, 0);
      u[-1] = g0 * u[0] + g1 * u[1];
      u[ny] = g0 * u[ny - 1] + g1 * u[ny - 2];
      w[-1] = g0 * w[0] + g1 * w[1];
      w[ny] = g0 * w[ny - 1] + g1 * w[ny - 2];
      v[-1] = 0.0;
      v[ny - 1] = 0.0;
      v[ny] = 0.0;
    }
}

fc_err fc_channel_halo_velocity(fc_channel *ch)
{
  double *a[3] = {ch->u, ch->v, ch->w};
  FcCall(fc_channel_halo_many(ch, 3, a));
  halo_walls(ch);
  return FC_SUCCESS;
}
