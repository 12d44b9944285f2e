"""How fast the balanced method (even match rates across groups) solves, exactly.

Seeded random pools of mentees x mentors: scores uniform, one group of four
fitting every mentor better (so the best total fit matches it far more often
and the gap binds), half the pairs forbidden, capacities 1-2, a gap of 5
percentage points. For each size: CPU seconds of ``solve_balanced`` (the
optimal flow first, then the branch and bound over the lowest group rate),
the flows it solved, the allowed pairs, the largest gap reached, mentees
matched against the best total fit, and the load average beside it (other
work on the machine slows the figure).

Usage: ``python benchmarks/bench_balanced.py``.
"""

from __future__ import annotations

import os
import time

import numpy as np

from workbench.matching.solvers import DenseScores, solve_balanced

SIZES = ((300, 100), (1000, 300), (2000, 600))


def pool(n: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, 4, n)
    scores = np.clip((rng.random((n, m)) + 0.5 * (groups[:, None] == 0)) / 1.5, 0, 1).astype(np.float32)
    scores[rng.random(scores.shape) < 0.5] = -np.inf
    return scores, rng.integers(1, 3, m), groups


def main() -> None:
    for n, m in SIZES:
        scores, capacity, groups = pool(n, m)
        started = time.process_time()
        found = solve_balanced(DenseScores(scores), capacity, groups, gap=0.05)
        seconds = time.process_time() - started
        p = found.proof
        print(f"{n:,} x {m:,}: {seconds:.1f} CPU s, {p.get('flows', 0)} flows, {p.get('allowed_pairs', 0):,} allowed "
              f"pairs, largest gap {p['largest_gap']:.3f}, matched {p['balanced_matched']} "
              f"(best total fit {p['unbalanced_matched']}), load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
