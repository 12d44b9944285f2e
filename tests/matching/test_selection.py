"""Choosing a class from the applicants: exact against brute force, quotas met, a seeded lottery, a private report."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from workbench.data.columns import text_column
from workbench.data.importing import read_workspace_tables
from workbench.design.model import ColumnFilter, Quota
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching.pool import build_pool
from workbench.matching.selection import (
    SCORE_STEPS,
    Bound,
    matchable_class,
    resolve_quotas,
    select_cohort,
    stratified_lottery,
)
from workbench.privacy import MIN_GROUP
from workbench.workspace import find_workspace
from tests.conftest import demo_home


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workspace = find_workspace("demo", demo_home(tmp_path_factory.mktemp("home")))
    tables, problems = read_workspace_tables(workspace)
    assert problems.ok
    return tables, load_design(workspace)


# --------------------------------------------------------------------------- small games


@st.composite
def games(draw):
    """Applicants, mentors with capacities, allowed pairs with scores, a class size and random bounds."""
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 3))
    capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    allowed = draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))
    scores = draw(st.lists(st.floats(0, 1), min_size=n * m, max_size=n * m))
    e, j = np.divmod(np.flatnonzero(allowed), m)
    pairs = (e, j, np.array(scores)[np.flatnonzero(allowed)])
    size = draw(st.integers(1, n))
    bounds = []
    for column in ("department", "level")[:draw(st.integers(0, 2))]:
        labels = np.array(draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n)))
        for value in sorted(set(labels)):
            low = draw(st.integers(0, 2))
            bounds.append(Bound(column, value, labels == value, low, low + draw(st.integers(0, 3))))
    return n, capacity, pairs, size, bounds


def within(selected: np.ndarray, size: int, bounds) -> bool:
    return selected.sum() == size and all(b.low <= selected[b.members].sum() <= b.high for b in bounds)


def feasible_classes(n: int, size: int, bounds):
    for members in itertools.combinations(range(n), size):
        selected = np.zeros(n, dtype=bool)
        selected[list(members)] = True
        if within(selected, size, bounds):
            yield selected


def best_value(selected: np.ndarray, capacity: np.ndarray, pairs, size: int) -> int:
    """The lexicographic matchability of a class by brute assignment: matched x weight + score units."""
    weight = SCORE_STEPS * size + 1
    slots = np.repeat(np.arange(len(capacity)), capacity)
    rows = np.flatnonzero(selected)
    if not len(rows) or not len(slots):
        return 0
    gain = np.zeros((len(rows), len(slots)))
    position = {r: k for k, r in enumerate(rows)}
    for i, j, s in zip(*pairs):
        if i in position:
            gain[position[i], slots == j] = weight + int(np.rint(s * SCORE_STEPS))
    r, c = linear_sum_assignment(gain, maximize=True)
    return int(gain[r, c].sum())


@settings(max_examples=150, deadline=None)
@given(games())
def test_the_best_matchable_class_is_the_brute_force_optimum(game):
    n, capacity, pairs, size, bounds = game
    found = matchable_class(pairs, capacity, n, size, bounds)
    values = [best_value(s, capacity, pairs, size) for s in feasible_classes(n, size, bounds)]
    if not values:
        assert found is None
        return
    assert found["optimal"] and within(found["selected"], size, bounds)
    weight = SCORE_STEPS * size + 1
    assert found["matched"] * weight + found["score_units"] == max(values)
    # the matching it reports is a real one: only chosen mentees, allowed pairs, capacities kept
    matched = np.flatnonzero(found["mentor"] >= 0)
    assert found["selected"][matched].all() and len(matched) == found["matched"]
    allowed = set(zip(pairs[0].tolist(), pairs[1].tolist()))
    assert all((i, found["mentor"][i]) in allowed for i in matched)
    assert (np.bincount(found["mentor"][matched], minlength=len(capacity)) <= capacity).all()


@settings(max_examples=150, deadline=None)
@given(games(), st.integers(0, 2**32 - 1))
def test_the_lottery_admits_in_draw_order_whenever_the_quotas_still_can_be_met(game, seed):
    n, _, _, size, bounds = game
    drawn = stratified_lottery(n, size, bounds, seed=seed)
    classes = list(feasible_classes(n, size, bounds))
    if not classes:
        assert drawn is None
        return
    selected, draw = drawn
    assert within(selected, size, bounds) and sorted(draw) == list(range(1, n + 1))
    order = np.argsort(draw)
    # greedy down the draw: the feasible class that admits the earliest draws (lexicographically first)
    assert tuple(selected[order]) == max(tuple(c[order]) for c in classes)
    assert np.array_equal(stratified_lottery(n, size, bounds, seed=seed)[0], selected)


def test_a_lottery_without_quotas_takes_the_first_of_the_draw():
    selected, draw = stratified_lottery(20, 6, seed=4)
    assert set(np.flatnonzero(selected)) == set(np.flatnonzero(draw <= 6))


# --------------------------------------------------------------------------- on the demo


QUOTAS = (Quota(column="department", max_share=0.3), Quota(column="level", min_count=2),
          Quota(column="department", value="Sales", min_count=5))


@pytest.mark.parametrize("method", ["matchability", "lottery"])
def test_the_class_meets_its_size_and_quotas(demo, method):
    tables, design = demo
    result = select_cohort(tables, design, size=24, method=method, quotas=QUOTAS, seed=3)
    chosen = result.selected
    assert len(chosen) == 24 == result.summary["class_size"]
    departments = text_column(chosen, "department").value_counts()
    assert departments.max() <= int(0.3 * 24) and departments.get("Sales", 0) >= 5
    applicants = text_column(result.applicants, "level").value_counts()
    levels = text_column(chosen, "level").value_counts()
    assert all(levels.get(level, 0) >= 2 for level in applicants.index)
    assert set(chosen["person_id"]) <= set(build_pool(tables, design).mentees["person_id"])


def test_the_best_class_is_at_least_as_matchable_as_every_lottery(demo):
    tables, design = demo
    best = select_cohort(tables, design, size=24, method="matchability", quotas=QUOTAS)
    assert best.summary["optimal"]
    key = (best.summary["matched"], best.summary["matched"] * best.summary["mean_score"])
    for seed in range(5):
        drawn = select_cohort(tables, design, size=24, method="lottery", quotas=QUOTAS, seed=seed).summary
        assert (drawn["matched"], drawn["matched"] * (drawn["mean_score"] or 0)) <= (key[0], key[1] + 1e-9)


def test_the_lottery_is_seeded_and_repeatable(demo):
    tables, design = demo
    first = select_cohort(tables, design, size=20, method="lottery", seed=7).csv()
    assert select_cohort(tables, design, size=20, method="lottery", seed=7).csv() == first
    assert select_cohort(tables, design, size=20, method="lottery", seed=8).csv() != first


def test_the_report_hides_groups_of_fewer_than_five_applicants(demo):
    tables, design = demo
    result = select_cohort(tables, design, size=20, method="lottery", seed=1)
    for column in result.attributes:
        shown = result.comparison(column)
        counts = text_column(result.applicants, column).replace("", "(blank)").value_counts()
        small = shown[column].map(counts) < MIN_GROUP
        assert shown.loc[small, "hidden"].all()
        assert shown.loc[shown["hidden"], ["applicants", "selected", "class_share"]].isna().all().all()
        if small.any():  # the blanked groups cannot be worked out from the total
            assert shown["hidden"].sum() >= 2 and counts[shown.loc[shown["hidden"], column]].sum() >= MIN_GROUP
    with pytest.raises(WorkbenchError, match="gender"):
        result.comparison("gender")


def test_the_export_is_spreadsheet_safe_and_lists_the_class(demo):
    tables, design = demo
    people = tables["people"].copy()
    first = build_pool(tables, design).mentees["person_id"].iloc[0]
    people.loc[people["person_id"] == first, "name"] = "=HYPERLINK(\"x\")"
    result = select_cohort({**tables, "people": people}, design, method="everyone")
    text = result.csv()
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    assert len(result.table()) == result.summary["applicants"]


def test_a_womens_cohort_needs_the_opt_in(demo):
    tables, design = demo
    women = design.model_copy(update={"align": design.align.model_copy(update={
        "mentee_eligibility": design.align.mentee_eligibility.model_copy(
            update={"filters": (ColumnFilter(column="gender", values=("woman",)),)})})})
    with pytest.raises(WorkbenchError, match=r"Program .*sensitive column 'gender'"):
        build_pool(tables, women)
    with pytest.raises(WorkbenchError, match=r"selection quotas .*'gender'"):
        select_cohort(tables, design, size=10, method="lottery", quotas=(Quota(column="gender", value="woman",
                                                                                min_count=5),))
    opted = women.model_copy(update={"experience": women.experience.model_copy(
        update={"sensitive_opt_in": True, "sensitive_attributes": ("gender",)})})
    pool = build_pool(tables, opted)
    assert len(pool.mentees) and set(text_column(pool.mentees, "gender")) == {"woman"}
    assert "gender" in select_cohort(tables, opted, method="everyone").attributes


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("quotas, size, message", [
    ((Quota(column="department", min_count=1),), 5, r"minimums for department add up to 7 .*more than the class of 5"),
    ((Quota(column="department", value="Sales", min_count=40),), 40,
     r"quota on department = 'Sales' asks for at least 40 of a class of 40, but only 9 applicants are in that group"),
    ((Quota(column="level", value="2", min_count=5, max_share=0.1),), 20,
     r"quota on level = '2' asks for at least 5 and at most 2"),
    ((Quota(column="team", max_count=3),), 20, r"quota column 'team' is not a column of people.csv"),
    ((Quota(column="department", max_count=2),), 20, r"maximums for department leave room for only \d+ of a class"),
    ((), 400, r"a class of 400 needs at least 400 eligible applicants; cohort 2026 has"),
])
def test_contradictory_quotas_name_the_program_and_the_column(demo, quotas, size, message):
    tables, design = demo
    for method in ("matchability", "lottery"):
        with pytest.raises(WorkbenchError, match=rf"^Program 'Demo organisation mentoring program': (the )?{message}"):
            select_cohort(tables, design, size=size, method=method, quotas=quotas)


def test_quotas_no_class_meets_together_name_the_one_to_drop(demo):
    tables, design = demo
    applicants = build_pool(tables, design).mentees
    sales = text_column(applicants, "department") == "Sales"
    levels = text_column(applicants, "level")
    rare = levels[~sales].value_counts().index[-1]  # a level with few applicants outside Sales
    quotas = (Quota(column="department", value="Sales", max_count=0),
              Quota(column="level", value=rare, min_count=int((levels == rare).sum())))
    if not (sales & (levels == rare)).any():
        pytest.skip("the demo has no Sales applicant at that level")
    with pytest.raises(WorkbenchError, match=r"no class of 10 .* meets the quotas on department, level together"):
        select_cohort(tables, design, size=10, method="matchability", quotas=quotas)


def test_resolve_quotas_rounds_shares_to_whole_mentees(demo):
    tables, design = demo
    applicants = build_pool(tables, design).mentees
    (bound,) = resolve_quotas(applicants, (Quota(column="department", value="Sales", min_share=0.21,
                                                 max_share=0.49),), 10, design)
    assert (bound.low, bound.high) == (3, 4)


def test_peer_programs_draw_by_lottery_and_say_what_matchability_counts(demo):
    tables, design = demo
    peer = design.model_copy(update={"experience": design.experience.model_copy(update={"structure": "peer"})})
    with pytest.raises(WorkbenchError, match=r"^Program .*matchability needs mentors .* choose the lottery"):
        select_cohort(tables, peer, size=10, method="matchability")
    drawn = select_cohort(tables, peer, size=10, method="lottery", seed=2)
    assert len(drawn.selected) == 10 and "peer structure pairs people differently" in drawn.summary_lines()[-1]
