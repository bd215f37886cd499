/* Vectorisable float exp and normal distribution functions for the activations: plain
 * arithmetic and bit operations, no library calls, so loops over them compile to SIMD
 * (glibc's expf/erff are scalar calls, which made GELU the slowest part of an FNO).
 *
 *   fc_fast_expf:  Cody-Waite range reduction x = k ln2 + r, |r| <= ln2/2, Taylor series of
 *                  degree 7 for e^r (remainder < 6e-9), 2^k assembled in the exponent bits;
 *                  relative error within a few float ulps for x in [-87, 88] (outside: 0 and +inf).
 *   fc_norm_cdf:   Phi(x) = erfc(-x/sqrt 2)/2 with the Chebyshev fit of erfc of Numerical
 *                  Recipes (erfcc: fractional error < 1.2e-7 everywhere), so the tail values
 *                  stay accurate relative to themselves: measured against double erfc, Phi's
 *                  relative error is < 4e-7 for x >= -2, < 2e-6 down to -4 and < 2e-5 down
 *                  to -12 (the float rounding of x^2/2 inside exp), where Phi < 1e-32. The
 *                  usual 0.5 (1 + erff(x / sqrt 2)) instead cancels to 0 below x = -5.5. */
#ifndef FC_FAST_MATH_H
#define FC_FAST_MATH_H

#include <stdint.h>
#include <string.h>

static inline float fc_fast_expf(float x)
{
  const float log2e = 1.44269504088896341f, ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
  x = x < -87.0f ? -87.0f : x;
  const int over = x > 88.7f;
  x = x > 88.0f ? 88.0f : x;
  const float k = (x * log2e + 12582912.0f) - 12582912.0f; /* round to nearest: 1.5 2^23 */
  const float r = (x - k * ln2_hi) - k * ln2_lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = ((int32_t)k + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return over ? __builtin_inff() : p * scale;
}

/* erfc(z) for z >= 0 */
static inline float fc_erfc_pos(float z)
{
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return t * fc_fast_expf(-z * z + p);
}

/* Phi(x) = P(N(0,1) <= x) */
static inline float fc_norm_cdf(float x)
{
  const float e = 0.5f * fc_erfc_pos(__builtin_fabsf(x) * 0.70710678118654752f);
  return x >= 0.0f ? 1.0f - e : e;
}

#endif
