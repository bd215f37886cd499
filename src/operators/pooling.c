/* Mean pooling over any subset of the three spatial axes of x [B][d0][d1][d2][C]
 * (bit a of axes set = average over axis a; y keeps extent 1 there). Sums in double.
 * Output point (j0, j1, j2) averages the inputs (j0 + k0, j1 + k1, j2 + k2) with k_a
 * running over the pooled extent p_a (p_a = 1 on kept axes, j_a = 0 on pooled ones). */
#include "fc_nn.h"

#define FC_COLBLOCK 256 /* channels summed at once into a stack accumulator */

/* o: output extents, p: pooled extents; returns the number of points averaged */
static long pool_shape(const int dims[3], unsigned axes, int o[3], int p[3])
{
  long count = 1;
  for (int a = 0; a < 3; a++) {
    int pooled = (axes >> a) & 1u;
    o[a] = pooled ? 1 : dims[a];
    p[a] = pooled ? dims[a] : 1;
    count *= p[a];
  }
  return count;
}

/* y [B][o0][o1][o2][C] = mean of x over the pooled axes */
void fc_meanpool_forward(float *y, const float *x, int B, const int dims[3], int C, unsigned axes)
{
  int o[3], p[3];
  long count = pool_shape(dims, axes, o, p);
  double inv = count > 0 ? 1.0 / (double)count : 0.0; /* an empty pooled axis gives 0 */
  for (int b = 0; b < B; b++)
    for (int j0 = 0; j0 < o[0]; j0++)
      for (int j1 = 0; j1 < o[1]; j1++)
        for (int j2 = 0; j2 < o[2]; j2++) {
          float *yr = y + ((((long)b * o[0] + j0) * o[1] + j1) * o[2] + j2) * C;
          for (int c0 = 0; c0 < C; c0 += FC_COLBLOCK) {
            int nb = C - c0 < FC_COLBLOCK ? C - c0 : FC_COLBLOCK;
            double acc[FC_COLBLOCK] = {0};
            for (int k0 = 0; k0 < p[0]; k0++)
              for (int k1 = 0; k1 < p[1]; k1++)
                for (int k2 = 0; k2 < p[2]; k2++) {
                  const float *xr =
                      x + ((((long)b * dims[0] + j0 + k0) * dims[1] + j1 + k1) * dims[2] + j2 + k2) * C + c0;
                  for (int c = 0; c < nb; c++) acc[c] += xr[c];
                }
            for (int c = 0; c < nb; c++) yr[c0 + c] = (float)(acc[c] * inv);
          }
        }
}

/* dx [B][d0][d1][d2][C] += dy (broadcast along the pooled axes) / count */
void fc_meanpool_backward(float *dx, const float *dy, int B, const int dims[3], int C, unsigned axes)
{
  if (!dx) return;
  int o[3], p[3];
  long count = pool_shape(dims, axes, o, p);
  if (count <= 0) return;
  float inv = (float)(1.0 / (double)count);
  for (int b = 0; b < B; b++)
    for (int j0 = 0; j0 < o[0]; j0++)
      for (int j1 = 0; j1 < o[1]; j1++)
        for (int j2 = 0; j2 < o[2]; j2++) {
          const float *dyr = dy + ((((long)b * o[0] + j0) * o[1] + j1) * o[2] + j2) * C;
          for (int k0 = 0; k0 < p[0]; k0++)
            for (int k1 = 0; k1 < p[1]; k1++)
              for (int k2 = 0; k2 < p[2]; k2++) {
                float *dxr = dx + ((((long)b * dims[0] + j0 + k0) * dims[1] + j1 + k1) * dims[2] + j2 + k2) * C;
                for (int c = 0; c < C; c++) dxr[c] += dyr[c] * inv;
              }
        }
}
