"""The check every breakdown must pass: no group under five shown, no hidden group worked out from a total.

Shared by the tests of the breakdowns (``tests/test_suppression.py`` walks them all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.privacy import MIN_GROUP, hide_small_groups


def assert_suppressed(shown: Mapping[object, object], true: Mapping[object, int], *, what: str = "",
                      min_group: int = MIN_GROUP) -> None:
    """``shown`` maps each group of one breakdown to the head count the breakdown shows (``None`` when hidden);
    ``true`` to its real head count (people in the group, worked out by the test from the input).

    Every group shown has at least ``min_group`` people and its true count; when some are hidden, either all
    are, or at least two are and together they count at least ``min_group`` people, so the breakdown's total
    minus the groups shown names no group's size.
    """
    assert set(shown) == set(true), f"{what}: groups {sorted(map(str, shown))} != {sorted(map(str, true))}"
    hidden = [g for g, v in shown.items() if v is None]
    for group, value in shown.items():
        if value is not None:
            assert int(value) == true[group], f"{what}: {group!r} shows {value}, has {true[group]}"
            assert int(value) >= min_group, f"{what}: {group!r} of {value} people is shown"
    if hidden and len(hidden) < len(shown):
        total = sum(true[g] for g in hidden)
        assert len(hidden) >= 2 and total >= min_group, (
            f"{what}: hidden {sorted(map(str, hidden))} ({total} people) can be worked out from the total")


def assert_no_hidden_group_fixed(frame: pd.DataFrame, true: Sequence[int], hidden: Sequence[bool],
                                 margins: Sequence[Sequence[str]], *, what: str = "",
                                 min_group: int = MIN_GROUP) -> None:
    """Each row of ``frame`` is a group with real head count ``true`` and ``hidden`` whether it is blanked; the
    totals of every margin (a list of ``frame``'s columns; ``[]`` the grand total) are shown elsewhere.

    Checks that every group under ``min_group`` is hidden and that no such group's size follows from those
    totals and the groups shown: no sum of margin parts isolates it (linear algebra: the group's unit vector is
    not in the span of the parts' rows, restricted to the hidden groups). A margin's totals are a breakdown
    themselves, shown under the same rule against the grand total: those it hides are not counted as known.
    """
    true, hidden = np.asarray(true, dtype=float), np.asarray(hidden, dtype=bool)
    assert not ((true < min_group) & ~hidden).any(), f"{what}: a group under {min_group} is shown"
    columns = np.flatnonzero(hidden)
    if not len(columns):
        return
    rows = []
    for margin in margins:
        labels = frame.groupby(list(margin), sort=False).ngroup().to_numpy() if margin else np.zeros(len(frame), int)
        totals = pd.DataFrame({"people": [true[labels == label].sum() for label in np.unique(labels)]})
        for label, hide in zip(np.unique(labels), hide_small_groups(totals, [], min_group=min_group)["hidden"]):
            if not hide:
                rows.append((labels[columns] == label).astype(float))
    system = np.array(rows).reshape(len(rows), len(columns))
    rank = np.linalg.matrix_rank(system) if len(rows) else 0
    for k, column in enumerate(columns):
        if true[column] >= min_group:
            continue
        unit = np.zeros(len(columns))
        unit[k] = 1.0
        fixed = np.linalg.matrix_rank(np.vstack([system, unit])) == rank
        assert not fixed, (
            f"{what}: hidden group {frame.iloc[column].to_dict()} ({int(true[column])} people) follows from the "
            "totals shown")


def assert_no_small_piece_fixed(figures: Sequence[frozenset], sizes: Mapping[object, int], *, what: str = "",
                                min_group: int = MIN_GROUP) -> None:
    """``sizes`` maps each *piece* (the finest groups a page's filters can select) to its head count; each of
    ``figures`` is the set of pieces one figure the page shows adds up (a cell under some filter, a total).

    Checks that no piece of fewer than ``min_group`` people (but some) follows from the figures shown, however
    they are added and subtracted: its unit vector is not in the span of the figures' rows.
    """
    pieces = sorted(sizes, key=str)
    column = {piece: k for k, piece in enumerate(pieces)}
    rows = np.zeros((len(set(figures)), len(pieces)))
    for r, figure in enumerate(set(figures)):
        rows[r, [column[p] for p in figure]] = 1.0
    rank = np.linalg.matrix_rank(rows) if len(rows) else 0
    for piece in pieces:
        if 0 < sizes[piece] < min_group:
            unit = np.zeros(len(pieces))
            unit[column[piece]] = 1.0
            fixed = np.linalg.matrix_rank(np.vstack([rows, unit])) == rank
            assert not fixed, f"{what}: {piece} of {sizes[piece]} people follows from the figures shown"
