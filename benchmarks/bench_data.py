"""How fast the demo organisation is generated and a workspace is validated, at 800 and 50,000 people.

For each size (seed 0) it times ``generate_organisation``, ``write_tables`` into a
temporary folder, reading every table back with plain
``pandas.read_csv(dtype=str, keep_default_na=False)`` (the baseline), reading them
with the workbench's own reader, the full ``validate_workspace`` (read with the
workbench's reader + validate everything) and ``validate_tables`` alone on frames
already read. Prints seconds (median of 3 runs at 800 people, of 2 at 50,000,
after one untimed warm-up at 800) and the ratio of validation to the baseline read
measured in the same run. For 50,000 people it also prints peak memory: the peak
RSS of a fresh process reading the tables with pandas against one running
``validate_workspace``, and the tracemalloc peaks of the baseline read,
``validate_workspace`` and ``validate_tables``.

It then times reading the people table of 50,000 people (one run each) as CSV and as
an .xlsx workbook, with the workbench's reader, and prints the load average beside
(bench_workbook.py compares the workbook readers at 300,000 rows).
``python bench_data.py workbook`` prints that part alone.
"""

from __future__ import annotations

import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from measure import load, traced_peak
from workbench.data.importing import read_workspace_tables, validate_workspace
from workbench.data.reading import read_table_file
from workbench.data.sample import generate_organisation, write_tables
from workbench.data.tables import TABLES
from workbench.data.validation import validate_tables
from workbench.workspace import WorkspaceSettings, open_workspace, write_settings

SIZES = {800: 3, 50_000: 2}  # people -> timed repetitions
SEED = 0

FIGURES = (
    ("generate", "generate_organisation"),
    ("write", "write_tables"),
    ("baseline", "baseline: pandas.read_csv, all tables"),
    ("read", "workbench reader, all tables"),
    ("validate_workspace", "validate_workspace (read + validate)"),
    ("validate_tables", "validate_tables on read frames"),
)

# Run in a fresh process to measure the peak RSS of one step alone: argv[1] is the step, argv[2] the
# folder, the rest the table names. The baseline imports only pandas, as a script reading the CSVs by
# hand would. The peak is VmHWM from /proc (ru_maxrss would include the parent's peak, which a child
# inherits on Linux), else ru_maxrss.
_MEMORY_PROBE = """
import resource, sys
from pathlib import Path
step, folder, names = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
if step == "baseline":
    import pandas as pd
    tables = {n: pd.read_csv(folder / f"{n}.csv", dtype=str, keep_default_na=False) for n in names}
else:
    from workbench.data.importing import validate_workspace
    from workbench.workspace import open_workspace
    assert validate_workspace(open_workspace(folder)).ok
try:
    status = Path("/proc/self/status").read_text()
    print(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")))
except (OSError, StopIteration):
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def read_plain(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False) for name in TABLES}


def one_run(people: int, folder: Path) -> dict[str, float]:
    """Time every step once, writing the tables into ``folder`` (emptied first)."""
    for path in folder.glob("*"):
        path.unlink()
    times = {}
    times["generate"], tables = timed(lambda: generate_organisation(n_people=people, seed=SEED))
    times["write"], _ = timed(lambda: write_tables(tables, folder))
    write_settings(folder, WorkspaceSettings(name=f"bench {people}"))
    workspace = open_workspace(folder)
    times["baseline"], _ = timed(lambda: read_plain(folder))
    times["read"], (read, unreadable) = timed(lambda: read_workspace_tables(workspace))
    times["validate_workspace"], problems = timed(lambda: validate_workspace(workspace))
    times["validate_tables"], checked = timed(lambda: validate_tables(read, scale=workspace.settings.scale))
    if not (unreadable.ok and problems.ok and checked.ok):
        raise SystemExit(f"bench_data: the generated workspace of {people} people is not valid:\n{problems}")
    return times


def rss_mb(kib: int) -> float:
    return kib / 1024  # VmHWM and Linux ru_maxrss are in KiB




def memory(folder: Path) -> list[str]:
    """Peak memory of one size, as printable lines."""
    lines = []
    rss = {}
    for step in ("baseline", "validate_workspace"):
        out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, step, str(folder), *TABLES], check=True,
                             capture_output=True, text=True).stdout
        rss[step] = rss_mb(int(out.split()[-1]))
    workspace = open_workspace(folder)
    read, _ = read_workspace_tables(workspace)
    traced = {
        "baseline": traced_peak(lambda: read_plain(folder)),
        "validate_workspace": traced_peak(lambda: validate_workspace(workspace)),
        "validate_tables": traced_peak(lambda: validate_tables(read, scale=workspace.settings.scale)),
    }
    lines.append(f"  {'MB':<40}{'peak':>10}{'ratio':>8}")
    lines.append(f"  {'RSS, fresh process, pandas.read_csv':<40}{rss['baseline']:>10.0f}{1:>8.2f}")
    lines.append(f"  {'RSS, fresh process, validate_workspace':<40}{rss['validate_workspace']:>10.0f}"
                 f"{rss['validate_workspace'] / rss['baseline']:>8.2f}")
    for key, label in (("baseline", "traced, pandas.read_csv"),
                       ("validate_workspace", "traced, validate_workspace"),
                       ("validate_tables", "traced, validate_tables on read frames")):
        lines.append(f"  {label:<40}{traced[key]:>10.0f}{traced[key] / traced['baseline']:>8.2f}")
    return lines


def workbook(people: int = max(SIZES)) -> list[str]:
    """Seconds to read the people table as CSV and as .xlsx, as printable lines."""
    import openpyxl

    frame = generate_organisation(n_people=people, seed=SEED)["people"]
    with tempfile.TemporaryDirectory(prefix="bench-workbook-") as tmp:
        csv_path, xlsx_path = Path(tmp) / "people.csv", Path(tmp) / "people.xlsx"
        write_tables({"people": frame}, Path(tmp))
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("people")
        sheet.append(list(frame.columns))
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            sheet.append(list(row))
        book.save(xlsx_path)
        lines = [f"Reading people.csv of {people:,} people ({len(frame):,} rows, {frame.shape[1]} columns), one run:"]
        for label, path in (("CSV", csv_path), (".xlsx", xlsx_path)):
            seconds, raw = timed(lambda: read_table_file(path))
            assert len(raw.frame) == len(frame)
            lines.append(f"  {label:<8}{path.stat().st_size / 2**20:>8.1f} MB{seconds:>10.2f} s   ({load()})")
    return lines


def main() -> int:
    if sys.argv[1:] == ["workbook"]:
        print("\n".join(workbook()))
        return 0
    started = time.perf_counter()
    results: dict[int, dict[str, float]] = {}
    rows: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
        one_run(800, Path(tmp))  # warm-up: imports, schema cache
        mem_lines: list[str] = []
        for people, repeats in SIZES.items():
            folder = Path(tmp) / str(people)
            folder.mkdir()
            runs = [one_run(people, folder) for _ in range(repeats)]
            results[people] = {key: statistics.median(r[key] for r in runs) for key, _ in FIGURES}
            rows[people] = sum(open_workspace(folder).row_counts().values())
            if people == max(SIZES):
                mem_lines = memory(folder)
        peak = rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

    sizes = list(SIZES)
    heads = [f"{p:,} people" for p in sizes]
    print(f"Demo organisation (seed {SEED}); seconds, median of "
          + ", ".join(f"{SIZES[p]} at {p:,}" for p in sizes))
    print(f"{'figure':<40}" + "".join(f"{h:>16}" for h in heads))
    print(f"{'rows in all tables':<40}" + "".join(f"{rows[p]:>16,}" for p in sizes))
    for key, label in FIGURES:
        print(f"{label:<40}" + "".join(f"{results[p][key]:>16.3f}" for p in sizes))
    for key in ("read", "validate_workspace", "validate_tables"):
        label = f"ratio {key} / baseline"
        print(f"{label:<40}" + "".join(f"{results[p][key] / results[p]['baseline']:>16.1f}" for p in sizes))
    print(f"Memory at {max(SIZES):,} people:")
    for line in mem_lines:
        print(line)
    print(f"  {'RSS, this benchmark process (all steps)':<40}{peak:>10.0f}")
    print("\n".join(workbook()))
    print(f"Total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
