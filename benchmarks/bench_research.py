"""A researcher's plain script: ``workbench.open`` and ``ws.compare`` run here against two worker processes.

Each case is a script without an ``if __name__ == "__main__":`` guard, run in
a fresh interpreter as a researcher runs it: it opens the demo, compares the
design with weekly meetings (``runs`` Monte Carlo runs each) on ``workers``
processes, and prints one line at its top level. The figures: the script's
wall time, how long ``ws.compare`` took within it, and how many times the
top-level line appeared (1: no worker ran the script again; spawned workers
used to, and failed to start). Workers pay their start-up (importing pandas
and the workbench, a few seconds) before they save anything, so they pay off
only for long runs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import load  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import time
print("top level", flush=True)
import workbench
from workbench.whatif import Scenario
started = time.perf_counter()
ws = workbench.open("datasets/demo")
opened = time.perf_counter()
ws.compare(["design", Scenario("Weekly", overrides={{"cadence": "weekly"}})], runs={runs}, seed=1, workers={workers})
print(f"open {{opened - started:.1f}} compare {{time.perf_counter() - opened:.1f}}", flush=True)
"""
CASES = [(200, 1), (200, 2), (20_000, 1), (20_000, 2)]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for runs, workers in CASES:
            script = Path(folder) / "plain.py"
            script.write_text(SCRIPT.format(runs=runs, workers=workers), encoding="utf-8")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True)
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"the script failed:\n{done.stderr}")
            opened, compared = done.stdout.split("open ", 1)[1].split(" compare ")
            print(f"{runs:>6,} runs, {workers} worker{'s' if workers > 1 else ' '}: script {wall:5.1f} s "
                  f"(workbench.open {float(opened):.1f} s, compare {float(compared):.1f} s), top-level line "
                  f"printed {done.stdout.count('top level')} time(s); {load()}", flush=True)


if __name__ == "__main__":
    main()
