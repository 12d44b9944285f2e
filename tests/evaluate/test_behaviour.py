"""Meetings against the design's cadence and health rule, on a small hand-made log."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.suppression import assert_no_small_piece_fixed
from workbench.design.model import ProgramDesign
from workbench.evaluate import behaviour
from workbench.evaluate.behaviour import HIDDEN_STATUS, STATUSES, Behaviour, count_of, status_totals

START, END = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-07-01")  # 181 days


def log(rows) -> pd.DataFrame:
    return pd.DataFrame([{"mentee_id": a, "mentor_id": b, "date": pd.Timestamp(d), "minutes": m}
                         for a, b, d, m in rows])


def design(cadence: str = "fortnightly", quiet: int = 60) -> ProgramDesign:
    base = ProgramDesign()
    return base.model_copy(update={
        "experience": base.experience.model_copy(update={"cadence": cadence, "duration_months": 6}),
        "support": base.support.model_copy(update={"inactivity_days": quiet})})


def test_pairs_against_the_cadence_and_the_health_rule() -> None:
    fortnightly = [("A", "M1", str((START + pd.Timedelta(days=14 * k + 3)).date()), 60) for k in range(13)]
    meetings = log([
        *fortnightly,                                                    # keeps meeting: active
        ("B", "M1", "2025-01-10", 45), ("B", "M1", "2025-01-24", 45),   # stops in January: closed early
        ("C", "M2", "2025-01-05", 30), ("C", "M2", "2025-04-20", 30),   # a 105-day gap, then meets: quiet
        ("C", "M2", "2025-05-04", 30), ("C", "M2", "2025-05-18", 30), ("C", "M2", "2025-06-10", 30),
        ("D", "M2", "2025-01-08", 60),                                   # mentee leaves in February
    ])
    people = pd.DataFrame({"person_id": ["A", "B", "C", "D", "E", "M1", "M2"],
                           "exit": [pd.NaT, pd.NaT, pd.NaT, pd.Timestamp("2025-02-15"), pd.NaT, pd.NaT, pd.NaT]})
    result = behaviour(meetings, people, pd.Series(["A", "B", "C", "D", "E"]), design(), start=START,
                       program_end=END, as_of=pd.Timestamp("2025-09-01"))
    pairs = result.pairs
    assert "mentee_id" not in pairs.columns and "mentor_id" not in pairs.columns  # no ids leave the function
    assert pairs["status"].tolist() == ["active", "closed early", "active", "ended by an exit"]
    assert pairs["gone_quiet"].tolist() == [False, True, True, False]
    assert pairs["expected"].tolist() == pytest.approx([181 / 14, 181 / 14, 181 / 14, 45 / 14])
    s = result.summary
    # two of four pairs went quiet: a group under five beside its total, so not shown (nor its share)
    assert (s["pairs"], s["meetings"], s["gone_quiet"], s["gone_quiet_share"]) == (4, 21, None, None)
    # one pair closed early, one ended by an exit: statuses of fewer than five pairs, hidden with their complement
    assert (s["closed_early"], s["closed_early_share"], s["ended_by_exit"]) == (None, None, None)
    assert s["share_of_cadence"] == pytest.approx(21 / (3 * 181 / 14 + 45 / 14))
    assert s["participants_without_meetings"] is None and s["program_finished"]  # one of five: not shown
    assert s["hours"] == pytest.approx((13 * 60 + 90 + 150 + 60) / 60)
    # per mentee: B closed early, E never met (and stayed), A and C still meeting, D left
    assert result.mentees["closed_early"].tolist() == [False, True, False, False, True]
    assert s["mentees_closed_early_share"] is None  # 2 of 5 participants: the share would give the 2 away
    assert result.distribution().empty  # four pairs: no bar of fewer than five


def test_the_participants_closed_early_are_hidden_with_the_pairs_closed_early() -> None:
    """Six pairs keep meeting, five stop in January, two end by the mentee's exit: the two are hidden, and the
    five with them; five of thirteen participants closed early, shown beside 6 active and 13 pairs, would give
    the two away (13 - 6 - 5), so that share is hidden too."""
    fortnightly = [str((START + pd.Timedelta(days=14 * k + 3)).date()) for k in range(13)]
    rows = [(f"A{i}", f"M{i}", day, 30) for i in range(6) for day in fortnightly]
    rows += [(f"B{i}", f"N{i}", "2025-01-10", 30) for i in range(5)]
    rows += [(f"C{i}", f"O{i}", "2025-01-08", 30) for i in range(2)]
    mentees = [f"A{i}" for i in range(6)] + [f"B{i}" for i in range(5)] + [f"C{i}" for i in range(2)]
    people = pd.DataFrame({"person_id": mentees, "exit": [pd.NaT] * 11 + [pd.Timestamp("2025-02-15")] * 2})
    result = behaviour(log(rows), people, pd.Series(mentees), design(), start=START, program_end=END,
                       as_of=pd.Timestamp("2025-09-01"))
    s = result.summary
    assert result.pairs["status"].value_counts().to_dict() == {"active": 6, "closed early": 5, "ended by an exit": 2}
    assert (s["closed_early"], s["ended_by_exit"]) == (None, None)
    assert count_of(int(result.mentees["closed_early"].sum()), 13) == 5  # alone, five of thirteen could be shown
    assert s["mentees_closed_early_share"] is None


def test_weekly_cadence_expects_twice_the_meetings_and_a_running_program_is_cut_at_the_data() -> None:
    meetings = log([("A", "M", "2025-01-03", 30), ("A", "M", "2025-02-03", 30)])
    people = pd.DataFrame({"person_id": ["A", "M"], "exit": [pd.NaT, pd.NaT]})
    result = behaviour(meetings, people, pd.Series(["A"]), design("weekly", 30), start=START, program_end=END,
                       as_of=pd.Timestamp("2025-03-01"))
    assert result.pairs["expected"].iloc[0] == pytest.approx(59 / 7)
    assert not result.summary["program_finished"]
    assert result.pairs["status"].iloc[0] == "active"  # 26 days since the last meeting: within the rule


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.sampled_from(STATUSES)), min_size=0, max_size=40))
def test_the_histogram_and_the_status_totals_give_no_group_of_fewer_than_five_pairs(pairs: list) -> None:
    frame = pd.DataFrame(pairs, columns=["meetings", "status"])
    result = Behaviour(summary={}, pairs=frame, mentees=pd.DataFrame())
    rows = result.distribution()
    if len(frame) < 5:
        assert rows.empty and set(status_totals(frame).values()) <= {None, 0}
        return
    ranges = sorted(set(zip(rows["meetings"], rows["meetings_to"])))
    assert all(b < c for (_, b), (c, _) in zip(ranges, ranges[1:]))
    bars = {r: int(frame["meetings"].between(*r).sum()) for r in ranges}
    assert sum(bars.values()) == len(frame) and min(bars.values()) >= 5  # every pair in a bar of five or more
    assert rows.groupby(["meetings", "meetings_to"])["pairs"].sum().to_dict() == bars
    sizes = {(r, s): int((frame["meetings"].between(*r) & frame["status"].eq(s)).sum()) for r in ranges
             for s in STATUSES}
    sizes = {piece: n for piece, n in sizes.items() if n}
    figures = [frozenset(sizes)] + [frozenset(p for p in sizes if p[0] == r) for r in ranges]
    for row in rows.itertuples():
        if row.status != HIDDEN_STATUS:
            piece = ((row.meetings, row.meetings_to), row.status)
            assert row.pairs == sizes[piece] >= 5
            figures.append(frozenset([piece]))
    for status, total in status_totals(frame).items():
        if total is not None:
            assert total == int(frame["status"].eq(status).sum())
            figures.append(frozenset(p for p in sizes if p[1] == status))
    assert_no_small_piece_fixed(figures, sizes, what="meetings histogram")



@pytest.mark.parametrize(("k", "n", "shown"), [(0, 30, 0), (3, 30, None), (27, 30, None), (5, 30, 5), (25, 30, 25),
                                               (30, 30, 30), (2, 2, None), (1, 3, None)])
def test_a_count_beside_its_total_is_shown_only_when_neither_side_is_a_small_group(k, n, shown):
    assert count_of(k, n) == shown
