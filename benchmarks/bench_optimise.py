"""How long a whole-design search takes: 500 candidate designs x 500 runs on two local processes, then on Dask.

On the demo organisation (the default design), :func:`workbench.whatif.optimise`
evaluates ``--candidates`` designs (default 500) of ``--runs`` simulated runs
each (default 500), with seed 1:

1. on 2 local worker processes started for it (start-up included): wall time,
   CPU time of this process and its workers, peak resident memory of this
   process and of the largest worker, the load average beside them;
2. on a local Dask cluster of 2 worker processes (``distributed.LocalCluster``,
   the ``dask`` extra), through ``Client.get_executor()``: wall time, and
   whether every candidate's figures equal the local run's (they must: the
   sampler is seeded and each candidate is seeded by its place, not by where
   it runs).

Prints the frontier's size and its cheapest and most effective designs, so a
change to the model that makes the search degenerate shows here too.
Usage: ``python benchmarks/bench_optimise.py [--candidates N] [--runs N] [--no-dask]``.
"""

from __future__ import annotations

import os

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pandas as pd  # noqa: E402

from workbench.data.importing import read_workspace_tables  # noqa: E402
from workbench.design.model import ProgramDesign  # noqa: E402
from workbench.whatif import local_executor, optimise  # noqa: E402
from workbench.workspace import DEMO_SOURCE, open_workspace  # noqa: E402

SEED = 1


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the workers, once shut down)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    args = parser.parse_args()
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    design = ProgramDesign()

    cpu, started = cpu_seconds(), time.perf_counter()
    with local_executor(2) as executor:
        local = optimise(tables, design, candidates=args.candidates, runs=args.runs, seed=SEED, executor=executor)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    frame, front = local.candidates, local.frontier()
    print(f"{args.candidates} candidate designs x {args.runs} runs, demo organisation, seed {SEED}")
    print(f"  2 local processes: {seconds:.1f} s wall, {cpu:.1f} CPU s, {len(frame)} distinct designs, "
          f"{int(frame['feasible'].sum())} feasible, {len(front)} on the frontier ({load()})")
    print(f"  peak resident memory: this process {own:.0f} MB, largest worker {worker:.0f} MB")
    if len(front):
        cheap, best = front.iloc[0], front.iloc[-1]
        print(f"  cheapest on the frontier: #{int(cheap['candidate'])}, cost {cheap['cost']:,.0f}, "
              f"{cheap['exits_avoided']:.2f} exits avoided; most effective: #{int(best['candidate'])}, "
              f"cost {best['cost']:,.0f}, {best['exits_avoided']:.2f} exits avoided")
    if args.no_dask:
        return 0
    try:
        import distributed
    except ImportError:
        print("  Dask: not installed (pip install '.[dask]'); skipped")
        return 0
    started = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = optimise(tables, design, candidates=args.candidates, runs=args.runs, seed=SEED,
                           executor=client.get_executor())
    seconds = time.perf_counter() - started
    same = on_dask.candidates.equals(local.candidates)
    print(f"  local Dask cluster, 2 worker processes: {seconds:.1f} s wall (cluster start included), "
          f"identical figures for every candidate: {'yes' if same else 'NO'} ({load()})")
    if not same:
        diff = pd.concat([local.candidates, on_dask.candidates]).drop_duplicates(keep=False)
        print(diff.head().to_string())
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
