/* Counter-based random numbers (splitmix64 finaliser over seed, stream and index), so
 * that every value depends only on (seed, stream, index): rank- and order-independent. */
#include <math.h>

#include "fc_rng.h"

static unsigned long long mix(unsigned long long z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static unsigned long long draw(unsigned long long seed, unsigned long long stream, unsigned long long i)
{
  return mix(mix(mix(seed + 0x9e3779b97f4a7c15ULL) ^ (stream * 0xd1b54a32d192ed03ULL)) + i * 0x9e3779b97f4a7c15ULL);
}

double fc_rng_uniform(unsigned long long seed, unsigned long long stream, unsigned long long i)
{
  return (double)(draw(seed, stream, i) >> 11) * (1.0 / 9007199254740992.0);
}

double fc_rng_normal(unsigned long long seed, unsigned long long stream, unsigned long long i)
{
  /* Box-Muller on two uniforms of the pair (2i, 2i + 1); u1 in (0, 1] */
  double u1 = 1.0 - fc_rng_uniform(seed, stream, 2 * i), u2 = fc_rng_uniform(seed, stream, 2 * i + 1);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
