"""What a page kernel pays for its imports: seconds and resident memory per page.

For every notebook in ``notebooks/`` (one page of the app), a fresh process
runs exactly the import statements of the page's first code cell (e.g.
``from workbench.views import StartView, open_page, show_page``) and reports
the seconds they took (wall and CPU) and its peak resident memory (``ru_maxrss``). Two rows
give the scale, measured in the same run: a bare interpreter (nothing
imported) and every view at once (``from workbench.views import *``, what each
page imported before the views were re-exported lazily). Each figure is the
median of several processes; the load average is printed beside them (wall
seconds are only comparable between runs on a similarly loaded machine; on a
busy one compare the CPU seconds, which other processes inflate less).

Usage: ``python benchmarks/bench_page_imports.py [ROUNDS]`` (default 3).
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROUNDS = 3
REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"

#: Run in the fresh process: time the imports, then print wall and CPU seconds and peak resident MB.
PROBE = """\
import resource, time
started, cpu = time.perf_counter(), time.process_time()
exec(compile({code!r}, "<first cell>", "exec"), {{}})
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def first_cell_imports(notebook: Path) -> str:
    """The import statements of a notebook's first code cell, as source."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    tree = ast.parse(source)
    return "\n".join(ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)))


def measure(code: str) -> tuple[float, float, float]:
    """Wall and CPU seconds of ``code`` and the peak resident MB of a fresh process running it."""
    result = subprocess.run([sys.executable, "-c", PROBE.format(code=code)], cwd=REPO, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{code!r} failed:\n{result.stderr}")
    seconds, cpu, mb = result.stdout.split()
    return float(seconds), float(cpu), float(mb)


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else ROUNDS
    cases = {"(bare interpreter)": "pass"}
    cases |= {notebook.stem: first_cell_imports(notebook) for notebook in sorted(NOTEBOOKS.glob("*.ipynb"))}
    cases["(every view: from workbench.views import *)"] = "from workbench.views import *"
    for code in cases.values():  # once untimed: bytecode written, files in the page cache
        measure(code)
    before = load()
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    for _ in range(rounds):  # interleaved, so that a change of load hits every page alike
        for name, code in cases.items():
            figures[name].append(measure(code))
    after = load()
    print(f"Page kernels' first-cell imports, median of {rounds} fresh processes each; {before} before, {after} after")
    print(f"  {'page':<46}{'s':>8}{'cpu s':>8}{'MB':>8}   imports")
    for name, values in figures.items():
        seconds, cpu, mb = (statistics.median(v[i] for v in values) for i in range(3))
        print(f"  {name:<46}{seconds:>8.2f}{cpu:>8.2f}{mb:>8.0f}   {cases[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
