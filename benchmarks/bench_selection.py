"""How fast a class is chosen from applicants: the best matchable class (CBC) and the stratified lottery.

Uses the organisation of ``bench_matching.py`` (seeded, everyone enrolled in one
cohort), with the default design. The class is half the applicants, with a
spread target (no department above 15% of the class) and a minimum per level
(at least 5% of the class from every level). Each figure is the wall time of
:func:`workbench.matching.selection.select_cohort` end to end (pool, scores,
solve, the matchability of the class), one run, with the process's CPU seconds
and the load average beside it: the machine is shared.

Usage: ``python benchmarks/bench_selection.py [mentees mentors ...]`` (pairs;
default 1,000 x 300 and 5,000 x 1,500).
"""

from __future__ import annotations

import os
import sys
import time

from bench_matching import synthesise
from workbench.design.model import ProgramDesign, Quota
from workbench.matching.selection import select_cohort

QUOTAS = (Quota(column="department", max_share=0.15), Quota(column="level", min_share=0.05))


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main(sizes: list[tuple[int, int]]) -> int:
    design = ProgramDesign()
    for mentees, mentors in sizes:
        tables = synthesise(mentees, mentors)
        for method in ("matchability", "lottery"):
            wall, cpu = time.perf_counter(), time.process_time()
            result = select_cohort(tables, design, size=mentees // 2, method=method, quotas=QUOTAS, seed=1)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            s = result.summary
            print(f"{mentees:,} x {mentors:,} {method:>12}: {wall:6.2f} s wall, {cpu:6.2f} s CPU ({load()}); "
                  f"class {s['class_size']:,} of {s['applicants']:,}, matchable {s['matched']:,}, "
                  f"optimal {s['optimal']}. {s['note']}")
    return 0


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:]]
    sizes = list(zip(numbers[::2], numbers[1::2])) or [(1_000, 300), (5_000, 1_500)]
    sys.exit(main(sizes))
