"""How long a large CSV export takes to read, map and check (``prepare_import``), as it comes out of an HR system.

The file is a people table of 300,000 rows (seeded), in three shapes:

* ``clean``: the contract's own headers, ISO dates, plain numbers (a table the workbench wrote);
* ``export``: an HR export's headers (``Employee ID``, ``Hire Date``, ...), dates as dd/mm/yyyy, read with a
  mapping that renames the columns and gives the date format (``%d/%m/%Y``);
* ``detected``: the same export under three report title rows, its mapping without date formats, so the
  header row and the date style are found by the reader.

Each is timed once after an untimed warm-up on a small file: wall and CPU seconds (the CPU time of this
process, steadier on a busy machine), with the load average printed beside.
``python bench_import.py ROWS [SHAPE ...]`` uses another size (and only the shapes named).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from measure import load
from workbench.data.reading import prepare_import

ROWS = 300_000
SEED = 0
SHAPES = ("clean", "export", "detected")
HEADERS = {"person_id": "Employee ID", "name": "Full Name", "department": "Dept", "job_title": "Job Title",
           "level": "Grade", "location": "Location", "manager_id": "Manager ID", "hire_date": "Hire Date",
           "exit_date": "Leaving Date"}
MAPPING = "table: people\ncolumns:\n" + "".join(f"  {h}: {c}\n" for c, h in HEADERS.items())
DATES = "dates:\n  hire_date: '%d/%m/%Y'\n  exit_date: '%d/%m/%Y'\n"
TITLE = "Acme Corp - Headcount report\nGenerated 30/11/2026\n\n"


def people(rows: int) -> pd.DataFrame:
    """A seeded people table of ``rows`` rows, as text, with ISO dates."""
    rng = np.random.default_rng(SEED)
    ids = np.char.add("E", np.arange(rows).astype(str))
    hire = pd.Timestamp("1995-01-01") + pd.to_timedelta(rng.integers(0, 11_000, rows), unit="D")
    left = rng.random(rows) < 0.1
    exit_ = hire + pd.to_timedelta(rng.integers(30, 2_000, rows), unit="D")
    earlier = (rng.random(rows) * np.minimum(np.arange(rows), 5_000)).astype(np.int64)  # no management cycles
    managers = np.where(np.arange(rows) == 0, "", ids[earlier])
    return pd.DataFrame({
        "person_id": ids, "name": np.char.add("Person ", np.arange(rows).astype(str)),
        "department": rng.choice(["Finance", "Sales", "R&D", "Operations", "People"], rows),
        "job_title": rng.choice(["Analyst", "Engineer", "Manager", "Director"], rows),
        "level": rng.integers(1, 8, rows).astype(str),
        "location": rng.choice(["Paris", "Zürich", "Madrid", "London"], rows),
        "manager_id": managers, "hire_date": hire.strftime("%Y-%m-%d"),
        "exit_date": np.where(left, exit_.strftime("%Y-%m-%d"), ""),
    })


def write_shape(table: pd.DataFrame, shape: str, folder: Path) -> tuple[Path, Path | None]:
    """The CSV (and mapping file) of one shape of ``table``."""
    path = folder / f"{shape}.csv"
    if shape == "clean":
        table.to_csv(path, index=False)
        return path, None
    export = table.copy()
    for column in ("hire_date", "exit_date"):
        dates = pd.to_datetime(export[column].where(export[column] != ""), format="%Y-%m-%d")
        export[column] = dates.dt.strftime("%d/%m/%Y").fillna("")
    text = export.rename(columns=HEADERS).to_csv(index=False)
    path.write_text((TITLE if shape == "detected" else "") + text, encoding="utf-8")
    mapping = folder / f"{shape}.yaml"
    mapping.write_text(MAPPING + (DATES if shape == "export" else ""), encoding="utf-8")
    return path, mapping


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    shapes = sys.argv[2:] or SHAPES
    table = people(rows)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warm, _ = write_shape(people(200), "clean", folder)
        prepare_import(warm, "people")
        for shape in shapes:
            path, mapping = write_shape(table, shape, folder)
            started, cpu = time.perf_counter(), time.process_time()
            frame, problems = prepare_import(path, "people", mapping)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            state = "ok" if problems.ok else f"{len(problems):,} problems, first: {problems.frame.iloc[0]['problem']}"
            print(f"{shape:>9}: prepare_import of {rows:,} rows ({path.stat().st_size / 2**20:.1f} MB) "
                  f"{seconds:6.2f} s, CPU {cpu:5.2f} s ({load()}); {len(frame):,} rows, {state}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
