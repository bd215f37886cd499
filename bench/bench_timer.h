/* Timing for the benchmarks: the median wall time of repetitions after warm-up. */
#ifndef FC_BENCH_TIMER_H
#define FC_BENCH_TIMER_H

#include <stdlib.h>
#include <time.h>

#define FC_BENCH_MAX_REPS 64

static inline double fc_bench_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static inline int fc_bench_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median milliseconds of f(ctx) over reps (<= FC_BENCH_MAX_REPS) runs after warm runs. */
static inline double fc_bench_median_ms(void (*f)(void *), void *ctx, int warm, int reps)
{
  double t[FC_BENCH_MAX_REPS];
  if (reps > FC_BENCH_MAX_REPS) reps = FC_BENCH_MAX_REPS;
  for (int i = 0; i < warm; i++) f(ctx);
  for (int i = 0; i < reps; i++) {
    double t0 = fc_bench_now();
    f(ctx);
    t[i] = 1e3 * (fc_bench_now() - t0);
  }
  qsort(t, (size_t)reps, sizeof(double), fc_bench_cmp);
  return t[reps / 2];
}

#endif
