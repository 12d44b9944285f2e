"""How long ``workbench sample`` takes with the demo's story (design, matching, what-if comparison) and without.

For 800 people (the demo's size) and 3,000, seed 0, it times ``write_organisation``
into a new temporary folder with ``story=True`` (the default) and ``story=False``
and prints the median of 3 runs of each, after one untimed warm-up, with the load
average beside. The story's share is the difference: one matching of the current
cohort, four scenarios of 1,000 simulated cohorts each and a sensitivity analysis
of the design, all in this process.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from measure import load, median_seconds
from workbench.story import write_organisation

SIZES = (800, 3000)
REPEAT = 3


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        numbers = itertools.count()

        def write(people: int, story: bool) -> None:
            write_organisation(Path(folder) / f"org{next(numbers)}", n_people=people, seed=0, story=story)

        write(800, True)  # warm-up: imports and the O*NET tables
        for people in SIZES:
            for story in (False, True):
                seconds = median_seconds(lambda: write(people, story), REPEAT)
                what = "with the story" if story else "tables only   "
                print(f"{people:>6,} people, {what}: {seconds:6.2f} s  ({load()})")


if __name__ == "__main__":
    main()
