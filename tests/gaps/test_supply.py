"""Mentor supply against mentee demand, invitations and top mentees, worked out by hand.

The organisation is the one of ``tests/gaps/__init__.py``. Its current cohort
(2026) enrols P1 and P4 as mentees, P3 as both (capacity 1, offering talk and
code), P2 as mentor (capacity 3, no offers) and P6 as mentor, who has left.
The 2025 cohort (P5 mentee, P4 mentor) is not current.

Demand (mentees with a known gap): code P1 (level 1, target 3), lead P3 (2, 4);
P4's level in talk is unknown, so talk has no demand. Mentor levels (margin 1):
code max(3, ceil(1 + 1)) = 3, lead max(4, ceil(2 + 1)) = 4, talk (no demand)
the highest target, 3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.gaps import AS_OF, small_tables
from workbench.design.model import ProgramDesign
from workbench.gaps import (
    SUPPLY_COLUMNS,
    MentorSupply,
    mentor_invitations,
    person_gaps,
    supply_demand,
    top_mentees,
)


def supply_frame(*rows: tuple) -> pd.DataFrame:
    columns = list(zip(*rows))
    data: dict[str, object] = {"skill_id": pd.array(columns[0], dtype="str"),
                               "name": pd.array(columns[1], dtype="str")}
    for name, values in zip(SUPPLY_COLUMNS[2:], columns[2:]):
        data[name] = pd.array(values, dtype="str") if name == "status" else np.array(values, dtype=np.int64)
    return pd.DataFrame(data)


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return small_tables()


@pytest.fixture
def gaps(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return person_gaps(tables, as_of=AS_OF)


def test_supply_demand_by_hand(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    # Enrolled mentors: P2 (capacity 3) reaches code 3 and talk 4 but not lead 4 (has 3); P3 offers talk (level 3,
    # enough) and code (level unknown: the offer counts). Potential mentors (not enrolled as mentor): P1, P4, P5,
    # P7 at 2 places each: code P7; lead P5 (4) and P7 (5); talk P1 (4).
    expected = supply_frame(
        ("lead", "Leadership", 1, 0, 4, -1, "shortage", 0),
        ("code", "Coding", 1, 4, 2, 3, "surplus", 2),
        ("talk", "Speaking", 0, 4, 2, 4, "no demand", 2),
    )
    result = supply_demand(gaps, tables, as_of=AS_OF)
    assert tuple(result.columns) == SUPPLY_COLUMNS
    pd.testing.assert_frame_equal(result, expected)


def test_a_design_caps_capacity_filters_mentors_and_can_keep_roles_apart(gaps: pd.DataFrame,
                                                                          tables: dict[str, pd.DataFrame]) -> None:
    design = ProgramDesign.model_validate({
        "align": {"mentor_eligibility": {"level_min": 4}},
        "experience": {"mentor_capacity": 1, "allow_both_roles": False},
    })
    # P3 (both) no longer mentors, P2 counts 1 place; potential mentors are level 4 or more and not enrolled at
    # all: P5 (lead 4) and P7 (code 5, lead 5), 1 place each. P3 is still a mentee (lead demand).
    expected = supply_frame(
        ("lead", "Leadership", 1, 0, 2, -1, "shortage", 0),
        ("code", "Coding", 1, 1, 1, 0, "balanced", 1),
        ("talk", "Speaking", 0, 1, 0, 1, "no demand", 1),
    )
    pd.testing.assert_frame_equal(supply_demand(gaps, tables, design=design, as_of=AS_OF), expected)


def test_without_enrolment_demand_comes_from_the_target_population(gaps: pd.DataFrame,
                                                                    tables: dict[str, pd.DataFrame]) -> None:
    del tables["enrolment"]
    # Everyone employed is a possible mentee: code P1, lead P3, talk P5 (level 1, target 3: mentor level 3).
    # Nobody is enrolled: no supply; potential at 2 places: code P2 (3), P7 (5); lead P5, P7; talk P1, P2, P3.
    expected = supply_frame(
        ("code", "Coding", 1, 0, 4, -1, "shortage", 0),
        ("lead", "Leadership", 1, 0, 4, -1, "shortage", 0),
        ("talk", "Speaking", 1, 0, 6, -1, "shortage", 0),
    )
    pd.testing.assert_frame_equal(supply_demand(gaps, tables, as_of=AS_OF), expected)
    # A design's mentee rule narrows the population: levels 1-2 leave only P1 (code) and P4 (talk unknown).
    design = ProgramDesign.model_validate({"align": {"mentee_eligibility": {"level_max": 2}}})
    result = supply_demand(gaps, tables, design=design, as_of=AS_OF)
    assert result[["skill_id", "demand", "status"]].values.tolist() == [
        ["code", 1, "shortage"], ["lead", 0, "no demand"], ["talk", 0, "no demand"]]


def test_a_wider_margin_asks_more_of_mentors(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    # Margin 3: code needs max(3, ceil(1 + 3)) = 4, so P2 (3) drops out, P3's offer (unknown level) stays;
    # lead needs max(4, ceil(2 + 3)) = 5: only P7 among the potential mentors.
    result = supply_demand(gaps, tables, as_of=AS_OF, mentor_margin=3).set_index("skill_id")
    assert result.loc["code", ["supply", "potential", "mentors"]].tolist() == [1, 2, 1]
    assert result.loc["lead", ["supply", "potential", "mentors"]].tolist() == [0, 2, 0]


def test_design_goals_and_focus_skills_choose_the_program_rows(gaps: pd.DataFrame,
                                                                tables: dict[str, pd.DataFrame]) -> None:
    design = ProgramDesign.model_validate({"align": {"goal_ids": ["G1"]}})
    # Rows serving G1: P1 code, P4 talk, P5 talk. Talk's mentor level stays the highest target, 3. The design's
    # default mentor_capacity (2) caps P2's 3 places: code and talk both get P2's 2 and P3's 1.
    result = supply_demand(gaps, tables, design=design, as_of=AS_OF)
    assert result[["skill_id", "demand", "supply", "status"]].values.tolist() == [
        ["code", 1, 3, "surplus"], ["talk", 0, 3, "no demand"]]
    design = ProgramDesign.model_validate({"align": {"goal_ids": ["G1"], "focus_skills": ["lead"]}})
    assert supply_demand(gaps, tables, design=design, as_of=AS_OF)["skill_id"].tolist() == ["lead", "code", "talk"]


def test_mentor_invitations_by_hand(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    expected = pd.DataFrame({
        "person_id": pd.array(["P7", "P5"], dtype="str"),
        "name": pd.array(["Gus", "Eve"], dtype="str"),
        "department": pd.array(["Engineering", "Sales"], dtype="str"),
        "job_title": pd.array(["Architect", "Manager"], dtype="str"),
        "level": pd.array([5, 4], dtype="Int64"),
        "proficiency": pd.array([5, 4], dtype="Int64"),
        "reason": pd.array([
            "level 5 in Leadership, mentoring it needs 4; 1 mentee needs it and enrolled mentors offer 0 places "
            "(shortage)",
            "level 4 in Leadership, mentoring it needs 4; 1 mentee needs it and enrolled mentors offer 0 places "
            "(shortage)",
        ], dtype="str"),
    })
    pd.testing.assert_frame_equal(mentor_invitations(gaps, tables, "lead", as_of=AS_OF), expected)
    pd.testing.assert_frame_equal(mentor_invitations(gaps, tables, "lead", as_of=AS_OF, n=1), expected.iloc[:1])
    design = ProgramDesign.model_validate({"align": {"mentor_eligibility": {"departments": ["Sales"]}}})
    pd.testing.assert_frame_equal(mentor_invitations(gaps, tables, "lead", design=design, as_of=AS_OF),
                                  expected.iloc[[1]].reset_index(drop=True))


def test_mentor_invitations_for_a_skill_nobody_needs(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    result = mentor_invitations(gaps, tables, "talk", as_of=AS_OF)
    assert result["person_id"].tolist() == ["P1"]  # P5 (1), P7 (2) are below 3; P2, P3 are enrolled mentors
    assert result["reason"].tolist() == [
        "level 4 in Speaking, mentoring it needs 3; 0 mentees need it and enrolled mentors offer 4 places "
        "(no demand)"]
    unknown = mentor_invitations(gaps, tables, "juggling", as_of=AS_OF)
    assert unknown.empty and list(unknown.columns) == ["person_id", "name", "department", "job_title", "level",
                                                       "proficiency", "reason"]


def test_top_mentees_by_hand(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    expected = pd.DataFrame({
        "person_id": pd.array(["P1", "P5", "P3"], dtype="str"),
        "name": pd.array(["Ann", "Eve", "Cat"], dtype="str"),
        "department": pd.array(["Engineering", "Sales", "Engineering"], dtype="str"),
        "job_title": pd.array(["Developer", "Manager", "Manager"], dtype="str"),
        "level": pd.array([1, 4, 4], dtype="Int64"),
        "total_weighted_gap": [12.0, 8.0, 6.0],
        "skills": pd.array(["code", "talk", "lead"], dtype="str"),
        "enrolled": [True, False, True],
    })
    pd.testing.assert_frame_equal(top_mentees(gaps, tables, as_of=AS_OF), expected)
    pd.testing.assert_frame_equal(top_mentees(gaps, tables, as_of=AS_OF, n=2), expected.iloc[:2])
    sales = ProgramDesign.model_validate({"align": {"mentee_eligibility": {"departments": ["Sales"]}}})
    pd.testing.assert_frame_equal(top_mentees(gaps, tables, design=sales, as_of=AS_OF),
                                  expected.iloc[[1]].reset_index(drop=True))
    g1 = ProgramDesign.model_validate({"align": {"goal_ids": ["G1"]}})
    pd.testing.assert_frame_equal(top_mentees(gaps, tables, design=g1, as_of=AS_OF), expected.iloc[:2])


def test_top_mentees_lists_the_three_largest_weighted_gaps(tables: dict[str, pd.DataFrame]) -> None:
    proficiency = tables["proficiency"]
    tables["proficiency"] = proficiency.assign(level=proficiency["level"].where(
        ~((proficiency["person_id"] == "P3") & (proficiency["skill_id"] == "talk")), "1"))
    tables["proficiency"].loc[len(proficiency)] = ["P3", "code", "0"]
    gaps = person_gaps(tables, as_of=AS_OF)
    # P3: talk (3 - 1) x 4 = 8, lead (4 - 2) x 3 = 6, code (2 - 0) x 1 = 2.
    first = top_mentees(gaps, tables, as_of=AS_OF).iloc[0]
    assert (first["person_id"], first["total_weighted_gap"], first["skills"]) == ("P3", 16.0, "talk;lead;code")


@pytest.mark.parametrize("design", [None, ProgramDesign.model_validate({
    "align": {"mentor_eligibility": {"level_min": 4}, "focus_skills": ["code"]},
    "experience": {"mentor_capacity": 1, "allow_both_roles": False}})])
def test_one_mentor_supply_answers_every_selection_as_the_functions_do(gaps: pd.DataFrame,
                                                                       tables: dict[str, pd.DataFrame],
                                                                       design: ProgramDesign | None) -> None:
    supply = MentorSupply(tables, design=design, as_of=AS_OF)
    for selection in (gaps, gaps[gaps["person_id"] != "P1"].reset_index(drop=True), gaps.head(0)):
        chosen = supply.selection(selection)
        pd.testing.assert_frame_equal(chosen.supply_demand(),
                                      supply_demand(selection, tables, design=design, as_of=AS_OF))
        pd.testing.assert_frame_equal(chosen.supply_demand(mentor_margin=2),
                                      supply_demand(selection, tables, design=design, as_of=AS_OF, mentor_margin=2))
        for skill in ("code", "lead", "talk", "none"):
            pd.testing.assert_frame_equal(chosen.mentor_invitations(skill, n=3),
                                          mentor_invitations(selection, tables, skill, design=design, n=3,
                                                             as_of=AS_OF))
        pd.testing.assert_frame_equal(chosen.top_mentees(n=2),
                                      top_mentees(selection, tables, design=design, n=2, as_of=AS_OF))


def test_a_selection_answer_is_the_callers_own(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    chosen = MentorSupply(tables, as_of=AS_OF).selection(gaps)
    table = chosen.supply_demand()
    table["demand"] = 99
    assert (chosen.supply_demand()["demand"] != 99).all()



def test_without_any_known_level_only_offers_count(tables: dict[str, pd.DataFrame]) -> None:
    # proficiency.csv with only its header (found by tests/test_fuzz.py; an IndexError before): nobody has a gap
    # to show, P3's offers (talk and code, one place) count at their word, nobody else reaches a level
    tables = {**tables, "proficiency": tables["proficiency"].iloc[:0]}
    expected = supply_frame(
        ("lead", "Leadership", 0, 0, 0, 0, "no demand", 0),
        ("code", "Coding", 0, 1, 0, 1, "no demand", 1),
        ("talk", "Speaking", 0, 1, 0, 1, "no demand", 1),
    )
    pd.testing.assert_frame_equal(supply_demand(person_gaps(tables, as_of=AS_OF), tables, as_of=AS_OF), expected)
