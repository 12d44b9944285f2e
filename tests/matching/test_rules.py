"""Hard rules: which pairs allowed_block allows, rule_reasons, and build_pool on the demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.matching import TABLES, make_pool
from workbench.data.importing import read_workspace_table
from workbench.readiness import check_design
from workbench.design.model import Align, Eligibility, Experience, ProgramDesign
from workbench.matching.pool import build_pool
from workbench.matching.rules import allowed_block, facts, hard_rules, is_pair, rows_of, rule_reasons, spans
from workbench.organisation import in_management_chain
from workbench.workspace import open_workspace

DEMO = Path(__file__).resolve().parents[2] / "datasets" / "demo"
BOTH = np.array([0, 1])  # mentees P4, P5; mentors P1, P3, P6, P7
T, F = True, False


def design(**experience) -> ProgramDesign:
    values = {"hard_rules": (), "exclude_line_manager": False, "seniority_gap_min": 0, "seniority_gap_max": 10}
    values.update(experience)
    return ProgramDesign(experience=Experience(**values))


def allowed(**experience) -> list[list[bool]]:
    return allowed_block(make_pool(), design(**experience), BOTH).tolist()


def test_no_rules_allow_everyone_but_self() -> None:
    pool = make_pool(mentors=("P1", "P4", "P7"))
    assert allowed_block(pool, design(), BOTH).tolist() == [[T, F, T], [T, T, T]]


def test_seniority_window() -> None:
    # P4 (level 2) vs 7, 4, 3, 2; P5 (level 1) vs the same.
    assert allowed(seniority_gap_min=1, seniority_gap_max=3) == [[F, T, T, F], [F, T, T, T]]


def test_reverse_mentoring_flips_the_window() -> None:
    assert allowed(structure="reverse", seniority_gap_min=0, seniority_gap_max=3) == [[F, F, F, T], [F, F, F, F]]


def test_management_chain_excludes_everyone_above_the_mentee() -> None:
    # P4 -> P3 -> P2 (not in the pool) -> P1: both P3 and P1 are excluded; P5's manager is P1.
    assert allowed(hard_rules=("not_in_management_chain",)) == [[F, F, T, T], [F, T, T, T]]


def test_line_manager_excludes_only_the_direct_manager() -> None:
    assert allowed(exclude_line_manager=True) == [[T, F, T, T], [F, T, T, T]]


def test_chain_without_the_whole_organisation_stops_at_the_pool() -> None:
    # Without people, the chain is followed among pool members only: P4's manager P3 is known, P2 is not.
    pool = make_pool()
    pool = type(pool)(pool.mentees, pool.mentors, as_of=pool.as_of)
    assert allowed_block(pool, design(hard_rules=("not_in_management_chain",)), BOTH).tolist() == [
        [T, F, T, T], [F, T, T, T]]


@pytest.mark.parametrize(("rule", "expected"), [
    ("different_department", [[T, F, T, F], [T, T, F, T]]),
    ("same_department", [[F, T, F, T], [F, F, T, F]]),
    ("mentor_more_senior", [[T, T, T, F], [T, T, T, T]]),
    ("same_timezone_band", [[T, F, T, F], [F, F, F, F]]),
])
def test_each_hard_rule(rule: str, expected: list[list[bool]]) -> None:
    assert allowed(hard_rules=(rule,)) == expected


def test_mentor_more_senior_uses_the_window_minimum() -> None:
    assert allowed(hard_rules=("mentor_more_senior",), seniority_gap_min=2) == [[T, T, F, F], [T, T, T, F]]


def test_rules_combine() -> None:
    assert allowed(hard_rules=("not_in_management_chain", "different_department"), seniority_gap_min=1,
                   seniority_gap_max=3) == [[F, F, T, F], [F, T, F, T]]


def test_rule_reasons_count_mentors_each_rule_removes() -> None:
    d = design(hard_rules=("not_in_management_chain", "same_timezone_band"), seniority_gap_min=1,
               seniority_gap_max=3, exclude_line_manager=True)
    pool = make_pool()
    assert not allowed_block(pool, d, np.array([1]))[0].any()
    assert rule_reasons(pool, d, 1) == {"self": 0, "seniority_window": 1, "line_manager": 1,
                                        "not_in_management_chain": 1, "same_timezone_band": 4}
    assert rule_reasons(pool, d, BOTH)["not_in_management_chain"] == 3


def test_unknown_level_fails_the_window() -> None:
    people = TABLES["people"].assign(level=["7", "5", "4", "", "1", "3", "2"])
    pool = make_pool(people=people)
    assert allowed_block(pool, design(), BOTH).tolist()[0] == [F, F, F, F]


# --------------------------------------------------------------------------
# build_pool
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> dict:
    workspace = open_workspace(DEMO)
    names = ("people", "enrolment", "requirements", "proficiency", "goals", "preferences", "skills")
    return {name: read_workspace_table(workspace, name) for name in names}


def test_build_pool_on_the_demo(demo: dict) -> None:
    d = ProgramDesign()
    pool = build_pool(demo, d)
    enrolment = demo["enrolment"]
    current = enrolment[enrolment["cohort"] == "2026"]
    assert pool.n_mentees == 44 and pool.n_mentors == 18
    assert set(pool.mentees["person_id"]) <= set(current["person_id"][current["role"].isin(["mentee", "both"])])
    assert set(pool.mentors["person_id"]) <= set(current["person_id"][current["role"].isin(["mentor", "both"])])
    assert pool.mentors["capacity"].dtype.kind == "i"
    assert pool.mentors["capacity"].between(0, d.experience.mentor_capacity).all()
    assert {"department", "level", "timezone", "languages", "wants"} <= set(pool.mentees.columns)
    assert {"department", "level", "capacity", "offers"} <= set(pool.mentors.columns)
    people = demo["people"].set_index("person_id")
    assert (people.loc[pool.mentees["person_id"], "exit_date"] == "").all()
    assert list(pool.mentees.index) == list(range(pool.n_mentees))

    # The same partners per mentee as the consistency checks report (fewest 5, median 13).
    partners = allowed_block(pool, d, np.arange(pool.n_mentees)).sum(axis=1)
    [finding] = [f for f in check_design(d, demo) if f.check == "rules_leave_unmatched"]
    assert f"the fewest any mentee has is {partners.min()}, the median {np.median(partners):g}" in finding.explanation


def test_build_pool_roles_capacity_and_cohorts(demo: dict) -> None:
    d = ProgramDesign(experience=Experience(allow_both_roles=False, mentor_capacity=1))
    pool = build_pool(demo, d)
    enrolment = demo["enrolment"]
    both = set(enrolment["person_id"][(enrolment["cohort"] == "2026") & (enrolment["role"] == "both")])
    assert both and not both & set(pool.mentors["person_id"])
    assert both <= set(pool.mentees["person_id"])
    assert (pool.mentors["capacity"] <= 1).all()
    assert build_pool(demo, ProgramDesign()).mentors["person_id"].isin(both).any()
    old = build_pool(demo, d, cohort="2025")
    assert set(old.mentees["person_id"]) <= set(enrolment["person_id"][enrolment["cohort"] == "2025"])
    with pytest.raises(Exception, match="cohort '1999'"):
        build_pool(demo, d, cohort="1999")


def test_build_pool_applies_eligibility(demo: dict) -> None:
    d = ProgramDesign(align=Align(mentee_eligibility=Eligibility(level_max=1)))
    pool = build_pool(demo, d)
    assert (pool.mentees["level"].astype(int) <= 1).all()
    assert 0 < pool.n_mentees < 44


# --------------------------------------------------------------------------
# Rule kinds: type rules pair by pair, person rules as lists of pairs
# --------------------------------------------------------------------------


def test_rule_kinds_and_pair_tests_agree_with_blocks() -> None:
    d = design(hard_rules=("not_in_management_chain", "different_department", "mentor_more_senior",
                           "same_timezone_band"), exclude_line_manager=True, seniority_gap_min=1,
               seniority_gap_max=3)
    pool = make_pool(mentees=("P4", "P5", "P7"), mentors=("P1", "P3", "P6", "P7"))
    found = hard_rules(pool, d)
    assert [r.name for r in found] == ["self", "seniority_window", "line_manager", "not_in_management_chain",
                                       "different_department", "mentor_more_senior", "same_timezone_band"]
    kinds = {r.name: (r.pair is not None, r.excluded is not None, r.keys) for r in found}
    assert kinds["self"] == (False, True, ()) and kinds["not_in_management_chain"] == (False, True, ())
    assert kinds["seniority_window"] == (True, False, ("level",))
    assert kinds["same_timezone_band"] == (True, False, ("offset",))
    e, m = np.repeat(np.arange(3), 4), np.tile(np.arange(4), 3)
    for rule in found:
        np.testing.assert_array_equal(rule.allows(e, m), rule.test(np.arange(3)).reshape(-1))
    self_pairs = [r for r in found if r.name == "self"][0].excluded
    assert list(zip(*self_pairs)) == [(2, 3)]  # P7 is both


def test_chain_pairs_match_the_organisation_walk() -> None:
    pool = make_pool(mentees=("P4", "P5", "P6", "P7"), mentors=("P1", "P2", "P3", "P6", "P7", "P1"))
    f = facts(pool)
    [chain] = [r for r in hard_rules(pool, design(hard_rules=("not_in_management_chain",)))
               if r.name == "not_in_management_chain"]
    dense = in_management_chain(f.mentee_org, f.mentor_org, f.manager)
    found = np.zeros_like(dense)
    found[chain.excluded] = True
    expected = dense.copy()
    expected[:, 0] |= expected[:, 5]  # P1 twice among the mentors: both columns excluded
    expected[:, 5] = expected[:, 0]
    np.testing.assert_array_equal(found, expected)
    assert np.all(np.diff(chain.excluded[0] * 6 + chain.excluded[1]) > 0)  # sorted, no repeats


def test_pair_list_helpers() -> None:
    pairs = (np.array([0, 0, 2, 5]), np.array([1, 3, 0, 2]))
    rows, at = rows_of(pairs[0], np.array([5, 0, 1]))
    assert rows.tolist() == [0, 1, 1] and pairs[1][at].tolist() == [2, 1, 3]
    assert is_pair(pairs, np.array([0, 0, 2, 5, 4]), np.array([3, 2, 0, 2, 1]), 4).tolist() == [
        True, False, True, True, False]
    assert not is_pair((np.zeros(0, int), np.zeros(0, int)), np.array([0]), np.array([0]), 4).any()
    rows, at = spans(np.array([4, 0, 7]), np.array([2, 0, 1]))
    assert rows.tolist() == [0, 0, 2] and at.tolist() == [4, 5, 7]
