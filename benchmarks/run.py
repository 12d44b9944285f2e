"""Run every benchmark script (``benchmarks/bench_*.py``) and print their figures.

Usage: ``make benchmarks`` or ``python benchmarks/run.py [NAME ...]`` where NAME
selects scripts whose file name contains it (``python benchmarks/run.py app``).
Each script is a plain program that prints its own figures; this runner only
finds them, runs them one after another and reports how long each took.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(selected: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not selected or any(s in p.name for s in selected))
    failed = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"== {script.name}: {'ok' if result.returncode == 0 else 'FAILED'} "
              f"in {time.perf_counter() - started:.1f} s\n", flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
