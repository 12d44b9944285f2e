"""Privacy rules shared by every breakdown the workbench shows or exports.

A figure about a group of fewer than :data:`MIN_GROUP` people says too much
about each of them, so breakdowns blank such groups rather than show them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

MIN_GROUP = 5


def hide_small_groups(frame: pd.DataFrame, keys: Sequence[str], *, count: str = "people",
                      min_group: int = MIN_GROUP) -> pd.DataFrame:
    """A copy of ``frame`` with every figure of groups under ``min_group`` people blanked.

    ``keys`` are the columns naming the group (kept); ``count`` is the column
    with the group's head count. A column ``hidden`` (bool) says which rows
    were blanked.
    """
    small = pd.to_numeric(frame[count], errors="coerce").fillna(0) < min_group
    shown = frame.copy()
    figures = [c for c in shown.columns if c not in set(keys)]
    for column in figures:
        shown[column] = shown[column].astype(object).where(~small, None)
    shown["hidden"] = small.to_numpy()
    return shown
