"""Skill gaps worked out by hand on a small organisation (see ``tests/gaps/__init__.py``), plus invariants."""

from __future__ import annotations

import datetime
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gaps import AS_OF, frame, small_tables
from workbench.data.importing import checked_tables, typed_tables
from workbench.errors import WorkbenchError
from workbench.gaps.analysis import current_proficiency
from workbench.gaps import (
    AGGREGATE_COLUMNS,
    GAP_COLUMNS,
    PRIORITY_COLUMNS,
    aggregate,
    coverage,
    filter_gaps,
    gap_profile,
    hide_small_cells,
    hide_split_groups,
    person_gaps,
    prioritised_gaps,
    readiness,
)
from workbench.workspace import open_workspace

NA = None


def gaps_frame(*rows: tuple) -> pd.DataFrame:
    """Expected person_gaps rows: person, skill, department, job, level, current, target, gap, weighted, weight,
    goals (``None`` = unknown)."""
    columns = list(zip(*rows)) if rows else [[] for _ in GAP_COLUMNS]
    return pd.DataFrame({
        "person_id": pd.array(columns[0], dtype="str"),
        "skill_id": pd.array(columns[1], dtype="str"),
        "department": pd.array(columns[2], dtype="str"),
        "job_title": pd.array(columns[3], dtype="str"),
        "level": pd.array(columns[4], dtype="Int64"),
        "current": pd.array(columns[5], dtype="Int64"),
        "target": pd.array(columns[6], dtype="Int64"),
        "gap": pd.array(columns[7], dtype="Float64"),
        "weighted_gap": pd.array(columns[8], dtype="Float64"),
        "weight": np.array(columns[9], dtype=float),
        "goals": pd.array(columns[10], dtype="str"),
    })


# Worked out by hand from the table in tests/gaps/__init__.py. P6 has left; P4 has no level in talk, P3 none in
# code. P1 code: r1 and r2 apply (Engineering, level 1), target max(3, 2) = 3, weight max(6, 1) = 6, gap 3 - 1.
# P3 lead: r3 and r4 (level 4, Manager), target 4, weight max(3, 2) = 3. P5 talk: r5 (Sales) and r6 (Manager),
# target 3, weight max(3, 4) = 4, goals G1 and G2. P2 code: level 3 above target 2, gap 0 (never negative).
EXPECTED = gaps_frame(
    ("P1", "code", "Engineering", "Developer", 1, 1, 3, 2.0, 12.0, 6.0, "G1"),
    ("P2", "code", "Engineering", "Developer", 3, 3, 2, 0.0, 0.0, 1.0, ""),
    ("P2", "lead", "Engineering", "Developer", 3, 3, 3, 0.0, 0.0, 3.0, "G2"),
    ("P3", "code", "Engineering", "Manager", 4, NA, 2, NA, NA, 1.0, ""),
    ("P3", "lead", "Engineering", "Manager", 4, 2, 4, 2.0, 6.0, 3.0, "G2"),
    ("P3", "talk", "Engineering", "Manager", 4, 3, 3, 0.0, 0.0, 4.0, "G2"),
    ("P4", "talk", "Sales", "Rep", 2, NA, 2, NA, NA, 3.0, "G1"),
    ("P5", "lead", "Sales", "Manager", 4, 4, 4, 0.0, 0.0, 3.0, "G2"),
    ("P5", "talk", "Sales", "Manager", 4, 1, 3, 2.0, 8.0, 4.0, "G1;G2"),
    ("P7", "code", "Engineering", "Architect", 5, 5, 2, 0.0, 0.0, 1.0, ""),
    ("P7", "lead", "Engineering", "Architect", 5, 5, 3, 0.0, 0.0, 3.0, "G2"),
)


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return small_tables()


@pytest.fixture
def gaps(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return person_gaps(tables, as_of=AS_OF)


def test_person_gaps_resolves_overlapping_scopes_by_hand(gaps: pd.DataFrame) -> None:
    assert tuple(gaps.columns) == GAP_COLUMNS
    pd.testing.assert_frame_equal(gaps, EXPECTED)


def test_people_who_left_count_until_their_exit_date(tables: dict[str, pd.DataFrame]) -> None:
    before = person_gaps(tables, as_of=datetime.date(2025, 6, 29))
    assert set(before.loc[before["person_id"] == "P6", "skill_id"]) == {"code"}
    # r1 and r2 apply to P6 (Engineering, level 2): target 3, gap 0 at level 5.
    assert before.loc[before["person_id"] == "P6", ["target", "gap"]].values.tolist() == [[3, 0.0]]
    assert "P6" not in set(person_gaps(tables, as_of=datetime.date(2025, 6, 30))["person_id"])


def test_as_of_defaults_to_the_day_the_people_data_describes(tables: dict[str, pd.DataFrame]) -> None:
    # The latest hire or exit not after today is P6's exit on 2025-06-30, so P6 has left.
    pd.testing.assert_frame_equal(person_gaps(tables), EXPECTED)


def test_requirement_rows_that_cannot_be_read_or_match_nobody(tables: dict[str, pd.DataFrame]) -> None:
    extra = frame("skill_id,target_level,importance,goal_id,department,job_title,level_min,level_max",
                  "code,5,9,G1,,,two,",  # unreadable scope: nobody
                  "code,5,9,G1,Nowhere,,,",  # unknown department: nobody
                  "code,five,9,G1,,,,",  # unreadable target: ignored
                  ",5,9,G1,,,,",  # no skill: ignored
                  "talk,1,0.5,G9,Sales,Rep,,")  # goal missing from goals.csv: priority 1
    tables["requirements"] = pd.concat([tables["requirements"], extra], ignore_index=True)
    gaps = person_gaps(tables, as_of=AS_OF)
    expected = EXPECTED.copy()
    expected.loc[6, "goals"] = "G1;G9"  # P4 talk: r5 (weight 3) and the G9 row (weight 0.5 x 1), target 2
    pd.testing.assert_frame_equal(gaps, expected)


def test_cells_with_spaces_and_levels_written_as_decimals(tables: dict[str, pd.DataFrame]) -> None:
    tables["proficiency"] = tables["proficiency"].assign(
        person_id=" " + tables["proficiency"]["person_id"] + " ",
        level=tables["proficiency"]["level"] + ".0")
    pd.testing.assert_frame_equal(person_gaps(tables, as_of=AS_OF), EXPECTED)


def test_repeated_dated_assessments_count_at_their_latest(tables: dict[str, pd.DataFrame]) -> None:
    current = tables["proficiency"].assign(assessed_on="2024-03-01")
    older = current.assign(level="0", assessed_on="2023-03-01")  # an earlier review, lower everywhere
    undated = current.assign(level="5", assessed_on="")  # an undated row counts as the oldest
    tables["proficiency"] = pd.concat([undated, current, older], ignore_index=True)
    pd.testing.assert_frame_equal(person_gaps(tables, as_of=AS_OF), EXPECTED)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["P1", "P2"]), st.sampled_from(["code", "talk"]),
                          st.integers(0, 5), st.sampled_from(["", "2024-01-01", "2024-06-01", "2025-01-01"])),
                min_size=1, max_size=12))
def test_the_current_proficiency_is_each_persons_latest_assessment(rows: list[tuple]) -> None:
    table = pd.DataFrame(rows, columns=["person_id", "skill_id", "level", "assessed_on"]).astype(str)
    latest = current_proficiency(table)
    assert not latest.duplicated(["person_id", "skill_id"]).any()
    assert set(zip(latest["person_id"], latest["skill_id"])) == set(zip(table["person_id"], table["skill_id"]))
    for (person, skill), group in table.groupby(["person_id", "skill_id"]):
        newest = max(group["assessed_on"])  # ISO dates sort as text; a blank is the oldest
        chosen = latest[(latest["person_id"] == person) & (latest["skill_id"] == skill)].iloc[0]
        assert chosen["assessed_on"] == newest
        assert chosen["level"] == group.loc[group["assessed_on"] == newest, "level"].iloc[-1]  # the last of a tie


def test_without_proficiency_every_level_is_unknown(tables: dict[str, pd.DataFrame]) -> None:
    del tables["proficiency"]
    gaps = person_gaps(tables, as_of=AS_OF)
    assert gaps["current"].isna().all() and gaps["gap"].isna().all() and gaps["weighted_gap"].isna().all()
    pd.testing.assert_frame_equal(gaps.drop(columns=["current", "gap", "weighted_gap"]),
                                  EXPECTED.drop(columns=["current", "gap", "weighted_gap"]))


def test_without_goals_every_priority_is_one(tables: dict[str, pd.DataFrame]) -> None:
    del tables["goals"]
    gaps = person_gaps(tables, as_of=AS_OF)
    # weights become the importances: P1 code max(2, 1), P3 lead max(1.5, 1), P5 talk max(1, 2).
    assert gaps["weight"].tolist() == [2.0, 1.0, 1.5, 1.0, 1.5, 2.0, 1.0, 1.5, 2.0, 1.0, 1.5]
    assert gaps["weighted_gap"].tolist()[:1] == [4.0]


def test_no_requirements_or_nobody_employed_gives_an_empty_frame(tables: dict[str, pd.DataFrame]) -> None:
    empty = gaps_frame()
    pd.testing.assert_frame_equal(person_gaps({**tables, "requirements": tables["requirements"].iloc[:0]},
                                              as_of=AS_OF), empty)
    pd.testing.assert_frame_equal(person_gaps(tables, as_of=datetime.date(2000, 1, 1)), empty)
    assert coverage(empty) == {"required": 0, "assessed": 0, "share": None}
    assert tuple(aggregate(empty, "department").columns) == ("department", *AGGREGATE_COLUMNS)
    assert len(prioritised_gaps(empty)) == 0 and tuple(prioritised_gaps(empty).columns) == PRIORITY_COLUMNS


def test_missing_people_or_requirements_is_a_workbench_error(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(WorkbenchError, match="requirements table"):
        person_gaps({"people": tables["people"]})
    with pytest.raises(WorkbenchError, match="people and requirements tables"):
        person_gaps({})


def test_coverage(gaps: pd.DataFrame) -> None:
    assert coverage(gaps) == {"required": 11, "assessed": 9, "share": 9 / 11}


def test_filter_gaps(gaps: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(filter_gaps(gaps, goal="G1"), EXPECTED.iloc[[0, 6, 8]].reset_index(drop=True))
    pd.testing.assert_frame_equal(filter_gaps(gaps, departments=["Sales"], level_min=4),
                                  EXPECTED.iloc[[7, 8]].reset_index(drop=True))
    pd.testing.assert_frame_equal(filter_gaps(gaps, departments="Sales", level_max=3),
                                  EXPECTED.iloc[[6]].reset_index(drop=True))
    assert filter_gaps(gaps, goal="G3").empty
    pd.testing.assert_frame_equal(filter_gaps(gaps), EXPECTED)


def aggregate_frame(keys: dict[str, pd.api.extensions.ExtensionArray], *rows: tuple) -> pd.DataFrame:
    columns = list(zip(*rows))
    data: dict[str, object] = dict(keys)
    for name, values in zip(AGGREGATE_COLUMNS, columns):
        kind = np.int64 if name in {"people", "required", "assessed", "with_gap", "assessed_people"} else float
        data[name] = np.array(values, dtype=kind)
    return pd.DataFrame(data)


def test_aggregate_by_department(gaps: pd.DataFrame) -> None:
    # Engineering: P1, P2, P3, P7 with 8 rows, P3 code unknown; gaps P1 code (2, weighted 12) and P3 lead (2, 6).
    expected = aggregate_frame(
        {"department": pd.array(["Engineering", "Sales"], dtype="str")},
        (4, 8, 7, 7 / 8, 2, 2 / 7, 4 / 7, 18.0, 4),
        (2, 3, 2, 2 / 3, 1, 1 / 2, 1.0, 8.0, 1),  # P4's only row is not assessed
    )
    pd.testing.assert_frame_equal(aggregate(gaps, "department"), expected)


def test_aggregate_by_goal_counts_a_row_under_each_of_its_goals(gaps: pd.DataFrame) -> None:
    # G1: P1 code, P4 talk (unknown), P5 talk. G2: P2 lead, P3 lead, P3 talk, P5 lead, P5 talk, P7 lead.
    expected = aggregate_frame(
        {"goal": pd.array(["G1", "G2"], dtype="str")},
        (3, 3, 2, 2 / 3, 2, 1.0, 2.0, 20.0, 2),
        (4, 6, 6, 1.0, 2, 1 / 3, 4 / 6, 14.0, 4),
    )
    pd.testing.assert_frame_equal(aggregate(gaps, "goal"), expected)


def test_aggregate_by_level_and_skill(gaps: pd.DataFrame) -> None:
    expected = aggregate_frame(
        {"level": pd.array([1, 2, 3, 4, 5], dtype="Int64")},
        (1, 1, 1, 1.0, 1, 1.0, 2.0, 12.0, 1),
        (1, 1, 0, 0.0, 0, math.nan, math.nan, 0.0, 0),
        (1, 2, 2, 1.0, 0, 0.0, 0.0, 0.0, 1),
        (2, 5, 4, 4 / 5, 2, 0.5, 1.0, 14.0, 2),
        (1, 2, 2, 1.0, 0, 0.0, 0.0, 0.0, 1),
    )
    pd.testing.assert_frame_equal(aggregate(gaps, "level"), expected)
    expected = aggregate_frame(
        {"skill_id": pd.array(["code", "lead", "talk"], dtype="str")},
        (4, 4, 3, 3 / 4, 1, 1 / 3, 2 / 3, 12.0, 3),
        (4, 4, 4, 1.0, 1, 1 / 4, 2 / 4, 6.0, 4),
        (3, 3, 2, 2 / 3, 1, 1 / 2, 1.0, 8.0, 2),
    )
    pd.testing.assert_frame_equal(aggregate(gaps, "skill_id"), expected)


def test_aggregate_by_two_columns(gaps: pd.DataFrame) -> None:
    expected = aggregate_frame(
        {"department": pd.array(["Engineering", "Engineering", "Sales", "Sales"], dtype="str"),
         "goal": pd.array(["G1", "G2", "G1", "G2"], dtype="str")},
        (1, 1, 1, 1.0, 1, 1.0, 2.0, 12.0, 1),
        (3, 4, 4, 1.0, 1, 1 / 4, 2 / 4, 6.0, 3),
        (2, 2, 1, 1 / 2, 1, 1.0, 2.0, 8.0, 1),
        (1, 2, 2, 1.0, 1, 1 / 2, 1.0, 8.0, 1),
    )
    pd.testing.assert_frame_equal(aggregate(gaps, ["department", "goal"]), expected)


def test_aggregate_refuses_unknown_columns(gaps: pd.DataFrame) -> None:
    for by in ("location", ["department", "department"], []):
        with pytest.raises(ValueError, match="group by"):
            aggregate(gaps, by)


def test_readiness_by_hand(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    # G1: P1 (short in code), P4 (talk unknown), P5 (short in talk): 2 fully assessed, none ready.
    # G2: P2 ready, P3 short in lead, P5 short in talk (target 3, merged from G1 and G2), P7 ready.
    expected = pd.DataFrame({
        "goal_id": pd.array(["G1", "G2", "G3"], dtype="str"),
        "name": pd.array(["Ship faster", "Grow leaders", "Unused goal"], dtype="str"),
        "people": np.array([3, 4, 0], dtype=np.int64),
        "fully_assessed": np.array([2, 4, 0], dtype=np.int64),
        "ready": np.array([0, 2, 0], dtype=np.int64),
        "ready_share": np.array([0.0, 0.5, math.nan]),
        "unknown": np.array([1, 0, 0], dtype=np.int64),
    })
    pd.testing.assert_frame_equal(readiness(gaps, tables["goals"]), expected)
    pd.testing.assert_frame_equal(readiness(gaps), expected.drop(columns="name").iloc[:2])


def test_prioritised_gaps_scores_ranks_and_reasons(gaps: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    # talk: 1 of 2 assessed short by 2, weights 4, 3, 4 -> 2 x 1/2 x 11/3.
    # code: 1 of 3 assessed short by 2, weights 6, 1, 1, 1 -> 2 x 1/3 x 9/4 = 1.5.
    # lead: 1 of 4 assessed short by 2, weights 3 x 4 -> 2 x 1/4 x 3 = 1.5: a tie, broken by skill_id.
    expected = pd.DataFrame({
        "skill_id": pd.array(["talk", "code", "lead"], dtype="str"),
        "name": pd.array(["Speaking", "Coding", "Leadership"], dtype="str"),
        "category": pd.array(["Social", "Technical", "Social"], dtype="str"),
        "depth": [2.0, 2.0, 2.0],
        "breadth": [1 / 2, 1 / 3, 1 / 4],
        "criticality": [11 / 3, 9 / 4, 3.0],
        "people_with_gap": pd.array([1, 1, 1], dtype="Int64"),
        "score": [2 * (1 / 2) * (11 / 3), 1.5, 1.5],
        "rank": pd.array([1, 2, 3], dtype="Int64"),
        "reason": pd.array([
            "1 of 2 assessed people (50%) falls short, by 2.0 levels on average; 1 of 3 not assessed; "
            "mean weight 3.67 (importance x goal priority, up to 4.00); required for goals G1, G2",
            "1 of 3 assessed people (33%) falls short, by 2.0 levels on average; 1 of 4 not assessed; "
            "mean weight 2.25 (importance x goal priority, up to 6.00); required for goal G1",
            "1 of 4 assessed people (25%) falls short, by 2.0 levels on average; "
            "mean weight 3.00 (importance x goal priority); required for goal G2",
        ], dtype="str"),
        "hidden": [False, False, False],
    })
    # Every skill of this small organisation is required of fewer than five people: shown only with min_group=1.
    result = prioritised_gaps(gaps, tables["skills"], min_group=1)
    assert tuple(result.columns) == PRIORITY_COLUMNS
    pd.testing.assert_frame_equal(result, expected)
    pd.testing.assert_frame_equal(prioritised_gaps(gaps, tables["skills"], top=1, min_group=1), expected.iloc[:1])
    without_skills = prioritised_gaps(gaps, min_group=1)
    assert without_skills["name"].tolist() == ["", "", ""] and without_skills["category"].tolist() == ["", "", ""]


def test_prioritised_gaps_when_nobody_is_assessed_or_short(gaps: pd.DataFrame) -> None:
    rows = gaps[gaps["skill_id"] != "talk"].copy()
    rows.loc[rows["skill_id"] == "code", ["current", "gap", "weighted_gap"]] = pd.NA
    rows.loc[rows["skill_id"] == "lead", ["gap", "weighted_gap"]] = 0.0
    result = prioritised_gaps(rows, min_group=1)
    assert result["skill_id"].tolist() == ["lead", "code"]  # score 0 ranks above an unknown score
    assert result["score"].tolist()[0] == 0.0 and math.isnan(result["score"].tolist()[1])
    assert result["depth"].tolist()[0] == 0.0 and math.isnan(result["breadth"].tolist()[1])
    assert result["reason"].tolist() == [
        "0 of 4 assessed people (0%) fall short; mean weight 3.00 (importance x goal priority); "
        "required for goal G2",
        "no level is known for the 4 people who need it; mean weight 2.25 (importance x goal priority, "
        "up to 6.00); required for goal G1",
    ]


def test_prioritised_gaps_hide_skills_of_few_people_as_the_heat_map_does(gaps: pd.DataFrame,
                                                                         tables: dict[str, pd.DataFrame]) -> None:
    # code: 4 people need it, 3 assessed; lead: 4 and 4; talk: 3 and 2. With min_group 4 only lead is shown.
    result = prioritised_gaps(gaps, tables["skills"], min_group=4)
    assert result["skill_id"].tolist() == ["lead", "code", "talk"]
    assert result["hidden"].tolist() == [False, True, True]
    hidden = result[result["hidden"]]
    assert hidden["rank"].isna().all() and hidden["score"].isna().all() and hidden["people_with_gap"].isna().all()
    assert hidden["depth"].isna().all() and hidden["breadth"].isna().all() and hidden["criticality"].isna().all()
    assert set(hidden["reason"]) == {"hidden: fewer than 4 people (or assessed), or it would reveal one"}
    assert result["rank"].tolist()[0] == 1 and result["reason"].tolist()[0].startswith("1 of 4 assessed people")


def test_gap_profile(gaps: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(gap_profile(gaps, "P3"), EXPECTED.iloc[[4, 5, 3]].reset_index(drop=True))
    assert gap_profile(gaps, "nobody").empty


# --------------------------------------------------------------------------
# Invariants, and agreement with a plain reference on random small organisations
# --------------------------------------------------------------------------

SKILLS = ("s1", "s2", "s3")
PRIORITY = {"G1": 3.0, "G2": 0.5}  # G9 is not in goals.csv: priority 1

people_rows = st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["X", "Y"]), st.integers(1, 4),
                                 st.booleans()), min_size=1, max_size=6)
requirement_row = st.tuples(st.sampled_from(SKILLS), st.integers(0, 5), st.sampled_from(["0.5", "1", "2.5"]),
                            st.sampled_from(["", "G1", "G2", "G9"]), st.sampled_from(["", "A", "B", "C"]),
                            st.sampled_from(["", "X", "Y"]), st.sampled_from(["", "1", "2", "3"]),
                            st.sampled_from(["", "2", "3", "4"]))
requirement_rows = st.lists(requirement_row, min_size=1, max_size=6)
proficiency_rows = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(SKILLS), st.integers(0, 5)), max_size=18,
                            unique_by=lambda r: (r[0], r[1]))


def build(people: list[tuple], requirements: list[tuple], proficiency: list[tuple]) -> dict[str, pd.DataFrame]:
    return {
        "people": frame("person_id,department,job_title,level,hire_date,exit_date",
                        *(f"Q{i},{d},{j},{lvl},2020-01-01,{'2025-01-01' if left else ''}"
                          for i, (d, j, lvl, left) in enumerate(people))),
        "goals": frame("goal_id,name,priority", *(f"{g},goal {g},{p}" for g, p in PRIORITY.items())),
        "requirements": frame("skill_id,target_level,importance,goal_id,department,job_title,level_min,level_max",
                              *(",".join(map(str, r)) for r in requirements)),
        "proficiency": frame("person_id,skill_id,level", *(f"Q{p},{s},{lvl}" for p, s, lvl in proficiency
                                                           if p < len(people))),
    }


def reference(people: list[tuple], requirements: list[tuple], proficiency: list[tuple]) -> pd.DataFrame:
    """person_gaps written out plainly, one person and skill at a time."""
    known = {(f"Q{p}", s): lvl for p, s, lvl in proficiency}
    rows = []
    staff = sorted((f"Q{i}", d, j, lvl) for i, (d, j, lvl, left) in enumerate(people) if not left)
    for person, department, job, level in staff:
        for skill in sorted(SKILLS):
            applying = [r for r in requirements if r[0] == skill and r[4] in ("", department) and r[5] in ("", job)
                        and (r[6] == "" or int(r[6]) <= level) and (r[7] == "" or level <= int(r[7]))]
            if not applying:
                continue
            target = max(r[1] for r in applying)
            weight = max(float(r[2]) * (PRIORITY.get(r[3], 1.0) if r[3] else 1.0) for r in applying)
            goals = ";".join(sorted({r[3] for r in applying if r[3]}))
            current = known.get((person, skill))
            gap = None if current is None else float(max(0, target - current))
            rows.append((person, skill, department, job, level, current, target, gap,
                         None if gap is None else gap * weight, weight, goals))
    return gaps_frame(*rows)


@settings(max_examples=150, deadline=None)
@given(people_rows, requirement_rows, proficiency_rows)
def test_person_gaps_agrees_with_a_plain_reference(people, requirements, proficiency) -> None:
    gaps = person_gaps(build(people, requirements, proficiency), as_of=AS_OF)
    pd.testing.assert_frame_equal(gaps, reference(people, requirements, proficiency))
    known = gaps["current"].notna()
    assert (gaps["gap"].notna() == known).all() and (gaps["weighted_gap"].notna() == known).all()
    assert (gaps.loc[known, "gap"] >= 0).all()
    totals = aggregate(gaps, "department")
    assert totals["required"].sum() == len(gaps) and totals["assessed"].sum() == coverage(gaps)["assessed"]
    assert (aggregate(gaps, "skill_id")["people"] == aggregate(gaps, "skill_id")["required"]).all()


@settings(max_examples=100, deadline=None)
@given(people_rows, requirement_rows, proficiency_rows, st.data())
def test_raising_a_level_never_raises_a_gap(people, requirements, proficiency, data) -> None:
    if not proficiency:
        return
    which = data.draw(st.integers(0, len(proficiency) - 1))
    person, skill, level = proficiency[which]
    raised = list(proficiency)
    raised[which] = (person, skill, data.draw(st.integers(level, 5)))
    before = person_gaps(build(people, requirements, proficiency), as_of=AS_OF)
    after = person_gaps(build(people, requirements, raised), as_of=AS_OF)
    pd.testing.assert_frame_equal(before.drop(columns=["current", "gap", "weighted_gap"]),
                                  after.drop(columns=["current", "gap", "weighted_gap"]))
    known = before["gap"].notna().to_numpy()
    assert (after["gap"].to_numpy(dtype=float, na_value=np.nan)[known]
            <= before["gap"].to_numpy(dtype=float, na_value=np.nan)[known]).all()


@settings(max_examples=100, deadline=None)
@given(people_rows, requirement_rows, proficiency_rows, requirement_row)
def test_adding_a_requirement_never_lowers_a_target(people, requirements, proficiency, extra) -> None:
    before = person_gaps(build(people, requirements, proficiency), as_of=AS_OF)
    after = person_gaps(build(people, [*requirements, extra], proficiency), as_of=AS_OF)
    both = before.merge(after, on=["person_id", "skill_id"], how="left", suffixes=("", "_after"),
                        validate="one_to_one")
    assert both["target_after"].notna().all()
    assert (both["target_after"] >= both["target"]).all() and (both["weight_after"] >= both["weight"]).all()


def test_a_group_of_many_skills_counts_its_assessed_people_not_their_rows() -> None:
    # Ten people in Ops need six skills each; only two of them are assessed: twelve assessed rows, two people.
    rows = [(f"P{p}", f"S{k}", "Ops", "Clerk", 2, 1 if p < 2 else NA, 3, 2.0 if p < 2 else NA,
             2.0 if p < 2 else NA, 1.0, "") for p in range(10) for k in range(6)]
    by_department = aggregate(gaps_frame(*rows), "department")
    assert by_department[["people", "assessed", "assessed_people"]].values.tolist() == [[10, 12, 2]]
    shown = hide_small_cells(by_department, ["department"])
    assert shown["hidden"].tolist() == [True] and shown["gap_share"].tolist() == [None]


def test_a_group_is_hidden_under_level_and_goal_filters_when_a_filter_could_cut_a_small_piece_out() -> None:
    def rows(level: int, n: int, goals: str, start: int) -> list[tuple]:
        return [(f"P{start + p}", "code", "Ops", "Clerk", level, 1, 3, 2.0, 2.0, 1.0, goals) for p in range(n)]

    ten_and_six = rows(2, 10, "G1", 0) + rows(3, 6, "G1", 10)
    assert not hide_split_groups(gaps_frame(*ten_and_six), ["department"])["hidden"].any()
    # one more person at level 4: levels 2-4 minus levels 2-3 would be that person
    assert hide_split_groups(gaps_frame(*ten_and_six, *rows(4, 1, "G1", 16)), ["department"])["hidden"].all()
    # three of the level-2 people also serve G2, a piece of three the goal filter can select (one skill: its goals)
    mixed = rows(2, 7, "G1", 0) + rows(2, 3, "G1;G2", 7) + rows(3, 6, "G1", 10)
    assert hide_split_groups(gaps_frame(*mixed), ["skill_id"])["hidden"].tolist() == [True]
    assert hide_split_groups(gaps_frame(*mixed))["hidden"].tolist() == [True]


def test_tables_typed_at_read_give_the_same_gaps(demo_data_only: Path) -> None:
    workspace = open_workspace(demo_data_only)
    names = ("people", "requirements", "proficiency", "goals")
    pd.testing.assert_frame_equal(person_gaps(typed_tables(workspace, names)),
                                  person_gaps(checked_tables(workspace, names)))
