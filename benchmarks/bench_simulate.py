"""How fast the outcome model runs: one big simulation on one core, and a sweep on two local processes.

1. **Engine**: ``simulate`` of 1,000 participants x 10,000 runs over a
   12-month program and horizon, pinned to one core (BLAS and OpenMP threads
   1), after a warm-up; the engine and its baseline are timed alternately,
   5 times each, and the fastest of each is compared (other work on the
   machine only ever slows a run down), medians printed beside. Target: under 3 s, and no more than 3x
   the time of the same random draws made raw, measured in the same run: the
   engine's generators are wrapped to count every draw by kind (normal,
   exponential, uniform, Poisson) and precision, then the same numbers of
   draws of the same kinds are made with plain NumPy in blocks of the
   engine's chunk size (Poisson at the engine's mean rate). For scale, the
   same total number of plain float64 uniform draws, the cheapest there is,
   is timed too. Peak memory: tracemalloc's peak while simulating (target
   under 2 GB) and this process's RSS.
2. **Sweep**: 100 scenarios (5 durations x 2 cadences x 5 mentor training
   hours x 2 mentor capacities, so two matchings) x 1,000 runs of a
   generated organisation of 20,000 people (about 900 matched mentees), on
   2 local worker processes started for it (start-up included). Target:
   under 30 s. Three of the scenarios are run again in this process and must
   give byte-identical JSON. Memory: the largest RSS of this process and of
   any worker (target under 2 GB each). The CPU time of this process and the
   workers and the machine's load average are printed beside the wall time,
   since other work on a shared machine slows the wall time, not the work.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from measure import median_seconds, traced_peak  # noqa: E402
from workbench.data.importing import read_workspace_tables  # noqa: E402
from workbench.data.sample import generate_organisation, write_tables  # noqa: E402
from workbench.design.model import ProgramDesign  # noqa: E402
from workbench.simulate import Cohort, simulate  # noqa: E402
from workbench.simulate import engine  # noqa: E402
from workbench.whatif import grid_scenarios, local_executor, run_scenarios  # noqa: E402
from workbench.workspace import WorkspaceSettings, write_new_workspace  # noqa: E402

PARTICIPANTS = 1_000
RUNS = 10_000
MONTHS = 12
REPEAT = 5
SEED = 0
TARGET_SECONDS = 3.0
TARGET_RATIO = 3.0
TARGET_MB = 2048
SWEEP_PEOPLE = 20_000
SWEEP_RUNS = 1_000
SWEEP_WORKERS = 2
SWEEP_TARGET_SECONDS = 30.0
GRID = {"duration_months": [3, 6, 9, 12, 18], "cadence": ["monthly", "fortnightly"],
        "mentor_training_hours": [0, 1, 2, 4, 8], "mentor_capacity": [1, 2]}


def cohort() -> Cohort:
    rng = np.random.default_rng(SEED)
    n = PARTICIPANTS
    mentees = pd.DataFrame({
        "person_id": [f"P{i:05d}" for i in range(n)], "department": rng.choice([f"D{i}" for i in range(8)], n),
        "level": rng.choice(["1", "2", "3", "4"], n), "location": rng.choice(["North", "South", "East"], n),
        "score": rng.uniform(0.3, 0.9, n), "coverage": rng.uniform(0, 1, n),
        "gap_levels": rng.integers(1, 6, n).astype(float), "exit_hazard": rng.uniform(0.05, 0.3, n)})
    return Cohort(mentees=mentees, mentors=600, group_size=1.6, structure="one_on_one", unmatched=0)


class Counting:
    """A generator that records every draw it makes: (method, dtype) -> count, and the Poisson means."""

    def __init__(self, generator: np.random.Generator, counts: dict, poisson: list) -> None:
        self._generator, self._counts, self._poisson = generator, counts, poisson

    def __getattr__(self, name: str):
        method = getattr(self._generator, name)

        def counted(*args, **kwargs):
            out = method(*args, **kwargs)
            self._counts[(name, np.dtype(kwargs.get("dtype", np.float64)).name)] += int(np.size(out))
            if name == "poisson":
                self._poisson.append((float(np.sum(args[0])), int(np.size(out))))
            return out

        return counted


def count_draws(work) -> tuple[dict, float]:
    counts: dict = defaultdict(int)
    poisson: list = []
    real = engine._generator
    engine._generator = lambda sequence: Counting(real(sequence), counts, poisson)
    try:
        work()
    finally:
        engine._generator = real
    mean_rate = sum(total for total, _ in poisson) / max(1, sum(size for _, size in poisson))
    return dict(counts), mean_rate


def raw_draws(counts: dict, poisson_rate: float):
    block = engine.CHUNK_CELLS
    rng = np.random.default_rng(SEED)

    def work() -> None:
        for (method, dtype), total in counts.items():
            for start in range(0, total, block):
                size = min(block, total - start)
                if method == "poisson":
                    rng.poisson(poisson_rate, size)
                else:
                    getattr(rng, method)(size, dtype=np.dtype(dtype))

    return work


def uniform_draws(total: int):
    rng = np.random.default_rng(SEED)
    block = engine.CHUNK_CELLS

    def work() -> None:
        for start in range(0, total, block):
            rng.random(min(block, total - start))

    return work


def engine_benchmark() -> dict:
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cpus:
        os.sched_setaffinity(0, {cpus[0]})
    try:
        c = cohort()
        design = ProgramDesign()
        design = design.model_copy(update={"experience": design.experience.model_copy(
            update={"duration_months": MONTHS})})

        def work() -> object:
            return simulate(c, design, runs=RUNS, seed=SEED, horizon_months=MONTHS)

        counts, rate = count_draws(work)
        raw, plain = raw_draws(counts, rate), uniform_draws(sum(counts.values()))
        work(), raw(), plain()  # warm-up
        times: dict = defaultdict(list)
        for _ in range(REPEAT):  # alternately, so a busy spell on the machine hits both alike
            for label, job in (("seconds", work), ("raw", raw), ("plain", plain)):
                times[label].append(median_seconds(job, 1))
        peak = traced_peak(work)
    finally:
        if cpus:
            os.sched_setaffinity(0, set(cpus))
    result = {label: min(values) for label, values in times.items()}
    result.update({f"{label}_median": statistics.median(values) for label, values in times.items()})
    return {**result, "peak": peak, "counts": counts, "rate": rate, "pinned": bool(cpus)}


def sweep_benchmark() -> dict:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        people = generate_organisation(n_people=SWEEP_PEOPLE, seed=SEED)
        workspace = write_new_workspace(Path(folder) / "org", WorkspaceSettings(name="Benchmark"),
                                        lambda target: write_tables(people, target))
        tables, _ = read_workspace_tables(workspace)
    setup = time.perf_counter() - started
    design = ProgramDesign()
    scenarios = grid_scenarios(GRID)
    started = time.perf_counter()
    cpu_before = cpu_seconds()
    with local_executor(SWEEP_WORKERS) as pool:
        batch = run_scenarios(tables, design, scenarios, runs=SWEEP_RUNS, seed=SEED, executor=pool)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    checked = [scenarios[0], scenarios[len(scenarios) // 2], scenarios[-1]]
    serial = run_scenarios(tables, design, checked, runs=SWEEP_RUNS, seed=SEED, executor=False)
    same = all(batch[s.name].json_text() == r.json_text() for s, r in zip(checked, serial))
    participants = sorted({r.cohort["participants"] for r in batch.finished()})
    return {"seconds": seconds, "cpu": cpu, "setup": setup, "scenarios": len(batch.finished()), "same": same,
            "participants": participants, "cancelled": batch.cancelled}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers, once shut down)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    started = time.perf_counter()
    e = engine_benchmark()
    draws = sum(e["counts"].values())
    ratio = e["seconds"] / e["raw"]
    print(f"Outcome model, {PARTICIPANTS:,} participants x {RUNS:,} runs x {MONTHS} months (seed {SEED}), "
          f"{'pinned to one core' if e['pinned'] else 'NOT pinned (no sched_setaffinity)'}, BLAS/OpenMP threads 1; "
          f"{load()}")
    kinds = ", ".join(f"{method} {dtype} {count / 1e6:.1f} M" for (method, dtype), count in sorted(e["counts"].items()))
    print(f"  draws the engine makes: {draws / 1e6:.1f} M ({kinds}; Poisson mean {e['rate']:.1f})")
    print(f"  {'seconds, fastest of ' + str(REPEAT) + ' (median)':<52}{'s':>9}{'ratio':>9}")
    print(f"  {'raw draws, same kinds and counts (baseline)':<52}{e['raw']:>9.3f}{1:>9.1f}  ({e['raw_median']:.3f})")
    print(f"  {'raw draws, same count of float64 uniforms':<52}{e['plain']:>9.3f}{e['plain'] / e['raw']:>9.1f}"
          f"  ({e['plain_median']:.3f})")
    print(f"  {'simulate':<52}{e['seconds']:>9.3f}{ratio:>9.1f}  ({e['seconds_median']:.3f})   "
          f"target < {TARGET_SECONDS:.0f} s: {verdict(e['seconds'] < TARGET_SECONDS)}; "
          f"<= {TARGET_RATIO:.0f}x the raw draws: {verdict(ratio <= TARGET_RATIO)}")
    print(f"  {'peak traced memory while simulating, MB':<52}{e['peak']:>9.0f}"
          f"{'':>9}   target < {TARGET_MB:,} MB: {verdict(e['peak'] < TARGET_MB)}")

    machine = load()
    s = sweep_benchmark()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"Sweep, {len(grid_scenarios(GRID))} scenarios x {SWEEP_RUNS:,} runs on {SWEEP_WORKERS} local processes, "
          f"{SWEEP_PEOPLE:,}-person organisation (set-up {s['setup']:.1f} s; participants per matching "
          f"{', '.join(map(str, s['participants']))}; {machine})")
    in_time = s["seconds"] < SWEEP_TARGET_SECONDS and s["scenarios"] == len(grid_scenarios(GRID))
    print(f"  {'seconds, processes started included':<52}{s['seconds']:>9.1f}{'':>9}   "
          f"target < {SWEEP_TARGET_SECONDS:.0f} s: {verdict(in_time)}")
    print(f"  {'CPU seconds, this process and the workers':<52}{s['cpu']:>9.1f}{'':>9}   "
          f"(on {SWEEP_WORKERS} idle cores the wall time is about this / {SWEEP_WORKERS})")
    print(f"  {'3 scenarios re-run serially: identical JSON':<52}{str(s['same']):>9}{'':>9}   {verdict(s['same'])}")
    print(f"  {'RSS, this process (all steps), MB':<52}{rss:>9.0f}{'':>9}   "
          f"target < {TARGET_MB:,} MB: {verdict(rss < TARGET_MB)}")
    print(f"  {'RSS, largest worker process, MB':<52}{children:>9.0f}{'':>9}   "
          f"target < {TARGET_MB:,} MB: {verdict(children < TARGET_MB)}")
    print(f"Total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
