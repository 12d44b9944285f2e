"""How fast the ``workbench`` command answers when it has nothing heavy to do.

Runs ``workbench --help``, ``workbench match --help`` and an argument error
(``workbench match`` without its arguments) as fresh processes, several
rounds, interleaved with the baseline measured in the same run: a bare
``python -c pass`` of the same interpreter. Prints the median wall time of
each (and its CPU seconds), its ratio to the baseline and the load average
before and after (wall seconds are only comparable between runs on a
similarly loaded machine; the ratio to the baseline travels better).
Target: ``workbench --help`` under 0.5 s.

Usage: ``python benchmarks/bench_cli.py [ROUNDS]`` (default 9).
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from measure import load

ROUNDS = 9
TARGET_SECONDS = 0.5
REPO = Path(__file__).resolve().parents[1]


def workbench_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m workbench``."""
    script = Path(sys.executable).parent / "workbench"
    if script.exists():
        return [str(script)]
    found = shutil.which("workbench")
    return [found] if found else [sys.executable, "-m", "workbench"]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], expected_code: int) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``, which must exit with ``expected_code``."""
    started, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds, cpu = time.perf_counter() - started, children_cpu() - cpu
    if result.returncode != expected_code:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}, not {expected_code}:\n{result.stderr}")
    return seconds, cpu


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else ROUNDS
    workbench = workbench_command()
    cases = {
        "python -c pass (baseline)": ([sys.executable, "-c", "pass"], 0),
        "workbench --help": ([*workbench, "--help"], 0),
        "workbench match --help": ([*workbench, "match", "--help"], 0),
        "workbench match (argument error)": ([*workbench, "match"], 2),
    }
    for command, code in cases.values():  # once untimed: bytecode written, files in the page cache
        timed(command, code)
    before = load()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(rounds):  # interleaved, so that a change of load hits every case alike
        for name, (command, code) in cases.items():
            times[name].append(timed(command, code))
    after = load()
    baseline = statistics.median(s for s, _ in times["python -c pass (baseline)"])
    print(f"The workbench command, median of {rounds} fresh processes each; {before} before, {after} after")
    print(f"  {'command':<40}{'s':>8}{'ratio':>8}{'min s':>8}{'max s':>8}{'cpu s':>8}")
    for name, values in times.items():
        wall = [s for s, _ in values]
        median = statistics.median(wall)
        line = (f"  {name:<40}{median:>8.3f}{median / baseline:>8.1f}{min(wall):>8.3f}{max(wall):>8.3f}"
                f"{statistics.median(c for _, c in values):>8.3f}")
        if name != "python -c pass (baseline)":
            line += f"   target < {TARGET_SECONDS:g} s: {verdict(median < TARGET_SECONDS)}"
        print(line)
    return 0 if statistics.median(s for s, _ in times["workbench --help"]) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
