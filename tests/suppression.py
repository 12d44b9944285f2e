"""The check every breakdown must pass: no group under five shown, no hidden group worked out from a total.

Shared by the tests of the breakdowns (``tests/test_privacy.py`` walks them all).
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.privacy import MIN_GROUP


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
