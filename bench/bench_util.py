"""Timing for the PyTorch sides of the benchmarks: the median of repetitions after warm-up."""
import time


def median_ms(step, reps, warm=3):
    for _ in range(warm):
        step()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        t.append(1e3 * (time.perf_counter() - t0))
    return sorted(t)[len(t) // 2]
