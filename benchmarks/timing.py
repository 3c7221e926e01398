"""Timing shared by the benchmarks: each function timed in turn, best of several runs."""

import gc
import time


def best_of(runs: int, **fns) -> dict[str, tuple[float, object]]:
    """One warm-up run of each, then ``runs`` rounds running each once in turn (so that any load
    from other processes falls on all of them alike): the best time of each and its result."""
    results = {name: fn() for name, fn in fns.items()}
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(runs):
        for name, fn in fns.items():
            results[name] = None
            gc.collect()
            start = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: (best[name], results[name]) for name in fns}
