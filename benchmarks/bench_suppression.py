"""How long hiding small groups takes when a two-way table's row and column totals are both shown.

Times :func:`workbench.privacy.hide_small_groups` with three margins (a
skill's, a department's and everyone's total: the heat map's
``GAP_CELL_MARGINS``) on department x skill tables of 10 x 30, 30 x 60 and
50 x 100 cells, with about a fifth of the cells empty (seed 0). Sizes are
drawn from 1-39 people (few cells under five) and from 1-8 (half of them under
five, the worst case: every small cell needs partners, and the linear-algebra
check runs once per extra cell). Prints cells, cells hidden and seconds
(median of 3 runs) with the load average beside each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from measure import load, median_seconds
from workbench.privacy import hide_small_groups

MARGINS = [["skill_id"], ["department"], []]
SHAPES = ((10, 30), (30, 60), (50, 100))
REPEAT = 3
SEED = 0


def table(departments: int, skills: int, largest: int, rng: np.random.Generator) -> pd.DataFrame:
    """Head counts per department and skill, 1 to ``largest`` - 1 people, about a fifth of the cells empty."""
    cells = departments * skills
    people = rng.integers(1, largest, size=cells) * (rng.random(cells) < 0.8)
    frame = pd.DataFrame({"department": np.repeat(np.arange(departments), skills),
                          "skill_id": np.tile(np.arange(skills), departments), "people": people})
    return frame[frame["people"] > 0].reset_index(drop=True)


def main() -> None:
    rng = np.random.default_rng(SEED)
    for largest in (40, 9):
        for departments, skills in SHAPES:
            frame = table(departments, skills, largest, rng)
            hidden = int(hide_small_groups(frame, ["department", "skill_id"], margins=MARGINS)["hidden"].sum())
            seconds = median_seconds(lambda: hide_small_groups(frame, ["department", "skill_id"], margins=MARGINS),
                                     REPEAT)
            print(f"{departments} departments x {skills} skills, 1-{largest - 1} people a cell: {len(frame):,} "
                  f"cells, {hidden:,} hidden, {seconds:.2f} s ({load()})")


if __name__ == "__main__":
    main()
