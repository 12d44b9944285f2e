"""Measuring helpers shared by the benchmark scripts (imported as ``measure`` from this folder)."""

from __future__ import annotations

import gc
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` runs of ``work``, in seconds, after a garbage collection each."""
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def traced_peak(work: Callable[[], object]) -> float:
    """Peak of the memory traced by tracemalloc (Python and NumPy allocations) while ``work`` runs, in MB."""
    gc.collect()
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def load() -> str:
    """The machine's one-minute load average and CPU count, to print beside a time."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""
