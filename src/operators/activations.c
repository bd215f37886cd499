/* Pointwise activations over n contiguous values: GELU (exact erf form), ReLU, SiLU, sine.
 * exp and the normal CDF are the vectorisable ones of fast_math.h (float accurate; the
 * PyTorch reference tests hold them to 1e-5).
 * Forward may run in place (y == x); backward reads the forward's input x and
 * accumulates dx += f'(x) dy (dx == NULL: nothing to do). */
#include <math.h>

#include "fast_math.h"
#include "fc_nn.h"

#define FC_INV_SQRT_2PI 0.39894228040143267794f /* 1/sqrt(2 pi) */

/* y = x/2 (1 + erf(x / sqrt 2)) = x Phi(x)  (Phi vectorised: fast_math.h) */
void fc_gelu_forward(float *y, const float *x, long n)
{
#pragma omp simd
  for (long i = 0; i < n; i++) y[i] = x[i] * fc_norm_cdf(x[i]);
}

/* d/dx [x Phi(x)] = Phi(x) + x phi(x),  phi(x) = exp(-x^2/2) / sqrt(2 pi) */
void fc_gelu_backward(float *dx, const float *dy, const float *x, long n)
{
  if (!dx) return;
#pragma omp simd
  for (long i = 0; i < n; i++) {
    const float xi = x[i], pdf = fc_fast_expf(-0.5f * xi * xi) * FC_INV_SQRT_2PI;
    dx[i] += dy[i] * (fc_norm_cdf(xi) + xi * pdf);
  }
}

/* y = max(x, 0) */
void fc_relu_forward(float *y, const float *x, long n)
{
  for (long i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* derivative 1 for x > 0, 0 for x <= 0 (PyTorch's choice at the kink) */
void fc_relu_backward(float *dx, const float *dy, const float *x, long n)
{
  if (!dx) return;
  for (long i = 0; i < n; i++)
    if (x[i] > 0.0f) dx[i] += dy[i];
}

/* y = x sigmoid(x); sigmoid(x) = 1 / (1 + exp(-x)) is 0 (not NaN) once exp overflows */
void fc_silu_forward(float *y, const float *x, long n)
{
#pragma omp simd
  for (long i = 0; i < n; i++) y[i] = x[i] / (1.0f + fc_fast_expf(-x[i]));
}

/* d/dx [x s(x)] = s (1 + x (1 - s)) */
void fc_silu_backward(float *dx, const float *dy, const float *x, long n)
{
  if (!dx) return;
#pragma omp simd
  for (long i = 0; i < n; i++) {
    const float xi = x[i], s = 1.0f / (1.0f + fc_fast_expf(-xi));
    dx[i] += dy[i] * s * (1.0f + xi * (1.0f - s));
  }
}

/* y = sin x (SIREN-style layers) */
void fc_sine_forward(float *y, const float *x, long n)
{
  for (long i = 0; i < n; i++) y[i] = sinf(x[i]);
}

void fc_sine_backward(float *dx, const float *dy, const float *x, long n)
{
  if (!dx) return;
  for (long i = 0; i < n; i++) dx[i] += dy[i] * cosf(x[i]);
}
