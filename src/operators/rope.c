/* Rotary position embedding (RoPE) over the last axis of x[M][Dk], one position per row:
 * with half = Dk/2 and freq_j = freq_scale 10000^(-j/half) (j < half), the angle of row m
 * and pair j is a = pos[m] freq_j and the pair (x[j], x[j + half]) is rotated by a:
 *
 *     y[j]        = x[j] cos a - x[j + half] sin a
 *     y[j + half] = x[j + half] cos a + x[j] sin a
 *
 * i.e. x cos + rotate_half(x) sin with rotate_half(x) = cat(-x2, x1) (the FactFormer /
 * GPT-NeoX form). Dk must be even. The angles are formed and their sine and cosine taken in
 * double: pos freq reaches hundreds of radians (scale 64), where a float angle would lose
 * ~1e-5 of absolute accuracy. Positions are not trained: backward gives dx only, the
 * transposed rotation of dy. Forward may run in place (y == x); backward accumulates. */
#include <math.h>

#include "fc_nn.h"

#define FC_ROPE_BLOCK 128 /* pairs whose frequencies are computed at once (stack buffer) */

/* freq[j] = freq_scale 10000^(-(j0 + j)/half) for j < nb */
static void rope_freqs(double *freq, int j0, int nb, int half, float freq_scale)
{
  const double l = log(10000.0) / half;
  for (int j = 0; j < nb; j++) freq[j] = (double)freq_scale * exp(-(double)(j0 + j) * l);
}

/* backward = 0: y = R(a) x (written); backward = 1: y += R(-a) x = R(a)^T x (accumulated) */
static void rope_apply(float *y, const float *x, const float *pos, long M, int Dk, float freq_scale, int backward)
{
  const int half = Dk / 2;
  if (M <= 0 || half <= 0) return;
  for (int j0 = 0; j0 < half; j0 += FC_ROPE_BLOCK) {
    const int nb = half - j0 < FC_ROPE_BLOCK ? half - j0 : FC_ROPE_BLOCK;
    double freq[FC_ROPE_BLOCK];
    rope_freqs(freq, j0, nb, half, freq_scale);
#pragma omp parallel for schedule(static) if (M * nb > 65536)
    for (long m = 0; m < M; m++) {
      const double p = pos[m];
      const float *xr = x + m * Dk + j0;
      float *yr = y + m * Dk + j0;
      for (int j = 0; j < nb; j++) {
        const double a = p * freq[j], c = cos(a), s = sin(a);
        const double x1 = xr[j], x2 = xr[j + half]; /* read both before writing: in place */
        if (!backward) {
          yr[j] = (float)(x1 * c - x2 * s);
          yr[j + half] = (float)(x2 * c + x1 * s);
        } else {
          yr[j] += (float)(x1 * c + x2 * s);
          yr[j + half] += (float)(x2 * c - x1 * s);
        }
      }
    }
  }
}

void fc_rope_forward(float *y, const float *x, const float *pos, long M, int Dk, float freq_scale)
{
  rope_apply(y, x, pos, M, Dk, freq_scale, 0);
}

/* dx[j] += dy[j] cos a + dy[j + half] sin a;  dx[j + half] += dy[j + half] cos a - dy[j] sin a */
void fc_rope_backward(float *dx, const float *dy, const float *pos, long M, int Dk, float freq_scale)
{
  if (!dx) return;
  rope_apply(dx, dy, pos, M, Dk, freq_scale, 1);
}
