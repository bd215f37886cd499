/* Seeded, rank-independent random numbers (rng.c).
 *
 * Counter-based: value i of stream s under seed is a pure function of (seed, s, i), so
 * initial conditions and parameter initialisation are the same on any number of ranks and
 * in any order. */
#ifndef FC_RNG_H
#define FC_RNG_H

double fc_rng_uniform(unsigned long long seed, unsigned long long stream, unsigned long long i); /* [0, 1) */
double fc_rng_normal(unsigned long long seed, unsigned long long stream, unsigned long long i);  /* N(0, 1) */

#endif
