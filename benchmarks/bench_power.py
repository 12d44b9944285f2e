"""How long the minimum detectable effect takes: the design pages work it out after every edit of a design.

:func:`workbench.evaluate.power.objective_power` counts the exits expected from the
organisation's history, matches the cohort under the design and runs the outcome
model (:data:`workbench.evaluate.power.RUNS` seeded runs) for the expected effect. Timed
on the demo and on generated organisations of 800 and 50,000 people, beside
:func:`check_design` (what every edit cost before), with the load average.
For the Align page's opening time before and after, run ``bench_pages.py 01_align``.

Usage: ``python benchmarks/bench_power.py``
"""

from __future__ import annotations

import sys

from measure import load, median_seconds
from workbench.data.importing import read_workspace_tables
from workbench.data.sample import generate_organisation
from workbench.readiness import check_design
from workbench.design.store import load_design
from workbench.evaluate.power import objective_power
from workbench.workspace import DEMO_SOURCE, open_workspace


def main() -> int:
    workspace = open_workspace(DEMO_SOURCE)
    design = load_design(workspace)
    demo, _ = read_workspace_tables(workspace)
    cases = [("demo", demo, 5)]
    for people, repeat in ((800, 3), (50_000, 1)):
        tables = generate_organisation(people, seed=0)
        cases.append((f"{people:,} people", {name: frame.astype(str).replace({"nan": "", "<NA>": "", "NaT": ""})
                                             for name, frame in tables.items()}, repeat))
    print(f"{'organisation':>16} {'mentees':>8} {'objective_power s':>18} {'check_design s':>15}  load")
    for name, tables, repeat in cases:
        power = objective_power(design, tables)
        seconds = median_seconds(lambda: objective_power(design, tables), repeat)
        checks = median_seconds(lambda: check_design(design, tables), repeat)
        mentees = max((p.mentees for p in power), default=0)
        print(f"{name:>16} {mentees:>8,} {seconds:>18.3f} {checks:>15.3f}  {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
