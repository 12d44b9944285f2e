"""How long a large .xlsx takes to come in, and how much memory: openpyxl (the reader before) against calamine.

The workbook is the people table's eight required columns for 300,000 people (seeded, the size of the
15.6 MB file that took 185 s and 883 MB to import). Writing it takes minutes, so it is kept in the
system's temporary folder and reused by later runs. Each step runs once in a fresh process, which prints
its seconds and its peak memory (VmHWM, else ``ru_maxrss``):

* ``openpyxl-import``: ``import_table`` of the workbook as ``people`` into a new workspace (read, check the
  contract, save), as ``workbench import`` does, with the reader before: ``pandas.read_excel(engine=
  "openpyxl")`` of every cell, then each cell as text, then the same table checks;
* ``calamine-read``: :func:`workbench.data.reading.read_table_file` as it reads a workbook now;
* ``calamine-import``: the import with it.

The load average is printed beside each time. ``python bench_workbook.py ROWS [STEP ...]`` uses another
size (and only the steps named).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from measure import load
from workbench.data.reading import MAX_WORKBOOK_BYTES

ROWS = 300_000
SEED = 0
STEPS = ("openpyxl-import", "calamine-read", "calamine-import")
COLUMNS = ("person_id", "department", "job_title", "level", "location", "manager_id", "hire_date", "exit_date")

# argv[1] is the step, argv[2] the workbook, argv[3] a scratch folder; prints seconds, peak KiB and rows.
_STEP = """
import resource, sys, time
from pathlib import Path
step, path, scratch = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
from workbench.data import reading
if step.startswith("openpyxl"):  # the reader before: every cell through pandas and openpyxl, then as text
    import pandas as pd

    def read_excel(path, name, sheet, expect=None):
        raw = pd.read_excel(path, engine="openpyxl", header=None, dtype=object, keep_default_na=False,
                            na_filter=False)
        return reading.RawTable(reading._build_table(raw.map(reading._cell_text), 1, name), name, path)

    reading._read_excel = read_excel
if step.endswith("read"):
    started = time.perf_counter()
    rows = len(reading.read_table_file(path).frame)
else:
    from workbench.data.importing import import_table
    from workbench.workspace import WorkspaceSettings, write_new_workspace
    workspace = write_new_workspace(scratch / "ws", WorkspaceSettings(name="bench"), lambda folder: None)
    started = time.perf_counter()
    result = import_table(path, "people", workspace)
    assert result.ok, result.problems
    rows = result.rows
seconds = time.perf_counter() - started
try:
    status = Path("/proc/self/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, peak, rows)
"""


def workbook(rows: int) -> Path:
    """The seeded workbook of ``rows`` people, written once into the temporary folder."""
    import openpyxl

    path = Path(tempfile.gettempdir()) / "workbench-bench-workbook" / f"people-{rows}-seed{SEED}.xlsx"
    if path.exists():
        return path
    path.parent.mkdir(exist_ok=True)
    rng = np.random.default_rng(SEED)
    departments = ["Sales", "Operations", "Engineering", "Finance", "People", "Legal", "Marketing", "Support"]
    titles = ["Analyst", "Engineer", "Manager", "Specialist", "Coordinator", "Director", "Associate"]
    locations = ["London", "Berlin", "Madrid", "Bangalore", "Toronto", "Sydney"]
    hired = np.datetime64("1995-01-01") + rng.integers(0, 30 * 365, rows).astype("timedelta64[D]")
    left = rng.random(rows) < 0.15
    exits = hired + rng.integers(30, 3000, rows).astype("timedelta64[D]")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("People")
    sheet.append(list(COLUMNS))
    started = time.perf_counter()
    for i in range(rows):
        sheet.append([f"P{i + 1:06d}", departments[rng.integers(8)], titles[rng.integers(7)], int(rng.integers(1, 8)),
                      locations[rng.integers(6)], f"P{rng.integers(1, i + 1):06d}" if i else None,
                      hired[i].item(), exits[i].item() if left[i] and exits[i] < np.datetime64("2026-06-01") else None])
    partial = path.with_suffix(".partial")
    book.save(partial)
    partial.rename(path)
    print(f"Wrote {path.name} in {time.perf_counter() - started:.0f} s (kept for the next run).")
    return path


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    steps = sys.argv[2:] or STEPS
    path = workbook(rows)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(part.file_size for part in archive.infolist() if part.filename.startswith("xl/worksheets/"))
    print(f"{path.name}: {rows:,} rows x {len(COLUMNS)} columns, {path.stat().st_size / 2**20:.1f} MB "
          f"({unpacked / 2**20:.1f} MB unpacked; the limit is {MAX_WORKBOOK_BYTES / 2**20:.0f} MB); one run each, "
          "in a fresh process:")
    print(f"  {'step':<16}{'seconds':>10}{'peak MB':>10}")
    for step in steps:
        with tempfile.TemporaryDirectory(prefix="bench-workbook-") as scratch:
            done = subprocess.run([sys.executable, "-c", _STEP, step, str(path), scratch], capture_output=True,
                                  text=True)
        if done.returncode:
            raise SystemExit(f"bench_workbook: the {step} step failed:\n{done.stderr[-2000:]}")
        out = done.stdout.split()
        seconds, peak, read = float(out[0]), int(out[1]) / 1024, int(out[2])
        assert read == rows, (step, read)
        print(f"  {step:<16}{seconds:>10.1f}{peak:>10.0f}   ({load()})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
