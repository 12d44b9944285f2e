"""Choosing the cohort, its participants and a fair comparison group."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data.importing import read_workspace_tables
from workbench.design.model import Eligibility, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate import coarsened_match, cohorts_with_data, default_cohort, evaluation_cohort
from workbench.workspace import DEMO_SOURCE, open_workspace


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    found, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    return found


def test_the_default_cohort_is_the_demos_past_cohort(tables) -> None:
    # the 2026 cohort's mentees appear in the survey only as the past cohort's comparison group
    assert cohorts_with_data(tables) == ["2025"]
    assert default_cohort(tables) == "2025"
    cohort = evaluation_cohort(tables, ProgramDesign())
    assert cohort.name == "2025" and cohort.start_source == "first meeting"
    assert cohort.start == datetime.date(2025, 7, 3) and cohort.as_of == datetime.date(2026, 6, 28)
    enrolment = tables["enrolment"]
    mentees = set(enrolment.loc[(enrolment["cohort"] == "2025") & enrolment["role"].isin(["mentee", "both"]),
                                "person_id"])
    assert set(cohort.participants["person_id"]) == mentees
    assert cohort.mentors == cohort.meetings["mentor_id"].nunique() == 13
    assert set(cohort.meetings["mentor_id"]) <= set(enrolment.loc[(enrolment["cohort"] == "2025")
                                                                  & (enrolment["role"] != "mentee"), "person_id"])


def test_the_comparison_pool_holds_no_enrolled_person_of_the_cohort_and_only_people_there_at_the_start(tables):
    cohort = evaluation_cohort(tables, ProgramDesign())
    enrolled = set(tables["enrolment"].loc[tables["enrolment"]["cohort"] == "2025", "person_id"])
    pool = cohort.comparison
    assert not set(pool["person_id"]) & enrolled
    assert not set(pool["person_id"]) & set(cohort.meetings["mentor_id"])
    people = tables["people"].set_index("person_id")
    hire = pd.to_datetime(people.loc[pool["person_id"], "hire_date"])
    assert (hire <= pd.Timestamp(cohort.start)).all()
    exits = pd.to_datetime(people.loc[pool["person_id"], "exit_date"].replace("", None))
    assert (exits.isna() | (exits > pd.Timestamp(cohort.start))).all()
    # later cohorts' mentees stay in the pool: leaving them out would keep only known stayers
    later = set(tables["enrolment"].loc[tables["enrolment"]["cohort"] == "2026", "person_id"]) - enrolled
    assert later & set(pool["person_id"])


def test_weights_give_the_comparison_group_the_participants_mix(tables) -> None:
    cohort = evaluation_cohort(tables, ProgramDesign())
    matched = cohort.matched
    p, c = matched[matched["group"] == "participants"], matched[matched["group"] == "comparison"]
    for key in ("department", "level", "tenure_band"):
        mix_p = p[key].value_counts(normalize=True)
        mix_c = c.groupby(key)["weight"].sum() / c["weight"].sum()
        assert mix_c.reindex(mix_p.index).to_numpy() == pytest.approx(mix_p.to_numpy())
    assert c["weight"].sum() == pytest.approx(len(c))
    assert (cohort.comparison.loc[~cohort.comparison["matched"], "weight"] == 0).all()


def test_design_eligibility_narrows_the_pool(tables) -> None:
    design = ProgramDesign().model_copy(update={"align": ProgramDesign().align.model_copy(
        update={"mentee_eligibility": Eligibility(level_max=2)})})
    cohort = evaluation_cohort(tables, design)
    assert cohort.comparison["level"].max() <= 2
    assert cohort.participants["level"].max() == 3  # participants are who enrolled, not who the rule admits


def test_start_and_participant_rules(tables) -> None:
    given = evaluation_cohort(tables, ProgramDesign(), start=datetime.date(2025, 6, 30))
    assert given.start_source == "given" and given.start == datetime.date(2025, 6, 30)
    met = evaluation_cohort(tables, ProgramDesign(), participants="met")
    assert set(met.participants["person_id"]) <= set(met.meetings["mentee_id"])
    assert met.participant_rule == "mentees with at least one meeting"
    matching = pd.DataFrame({"mentee_id": sorted(met.participants["person_id"])[:6], "mentor_id": "P00001"})
    saved = evaluation_cohort(tables, ProgramDesign(), matching=matching)
    assert len(saved.participants) == 6 and saved.participant_rule == "mentees matched in the saved matching"


def test_start_from_the_pre_survey_without_meetings(tables) -> None:
    without = {k: v for k, v in tables.items() if k != "meetings"}
    cohort = evaluation_cohort(without, ProgramDesign())
    assert cohort.name == "2025" and cohort.start_source == "day after the pre survey"
    assert cohort.meetings.empty


def test_refusals(tables) -> None:
    with pytest.raises(WorkbenchError, match="no cohort '1999'"):
        evaluation_cohort(tables, ProgramDesign(), cohort="1999")
    with pytest.raises(WorkbenchError, match="no follow-up"):
        evaluation_cohort(tables, ProgramDesign(), as_of=datetime.date(2025, 7, 1))
    with pytest.raises(WorkbenchError, match="participants must be one of"):
        evaluation_cohort(tables, ProgramDesign(), participants="all")
    few = pd.DataFrame({"mentee_id": ["P00031", "P00071"], "mentor_id": ["P00163", "P00163"]})
    with pytest.raises(WorkbenchError, match="fewer than 5"):
        evaluation_cohort(tables, ProgramDesign(), matching=few)
    no_data = {k: v for k, v in tables.items() if k not in ("meetings", "survey")}
    with pytest.raises(WorkbenchError, match="No cohort has program data"):
        evaluation_cohort(no_data, ProgramDesign())
    with pytest.raises(WorkbenchError, match="Cannot tell when cohort '2026' started"):
        evaluation_cohort({k: v for k, v in tables.items() if k != "meetings"}, ProgramDesign(), cohort="2026")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("AB"), st.integers(1, 3), st.booleans()), min_size=2, max_size=60))
def test_coarsened_matching_balances_every_matched_stratum(rows) -> None:
    frame = pd.DataFrame(rows, columns=["department", "level", "treated"])
    frame["group"] = np.where(frame["treated"], "participants", "comparison")
    out = coarsened_match(frame, ("department", "level"))
    matched = out[out["matched"]]
    t, c = matched[matched["group"] == "participants"], matched[matched["group"] == "comparison"]
    if t.empty:
        assert c.empty
        return
    assert (t["weight"] == 1).all()
    assert c["weight"].sum() == pytest.approx(len(c))
    share_t = t["stratum"].value_counts(normalize=True)
    share_c = c.groupby("stratum")["weight"].sum() / c["weight"].sum()
    assert share_c.reindex(share_t.index).to_numpy() == pytest.approx(share_t.to_numpy())
    assert (out.loc[~out["matched"] & (out["group"] == "comparison"), "weight"] == 0).all()


def test_a_mentor_who_met_mentees_without_enrolling_is_not_in_the_comparison_pool(tables) -> None:
    pool = evaluation_cohort(tables, ProgramDesign()).comparison
    outsider = pool.loc[pool["matched"], "person_id"].iloc[0]
    meetings = pd.concat([tables["meetings"], pd.DataFrame({"mentee_id": ["P00031"], "mentor_id": [outsider],
                                                            "date": ["2025-09-01"], "minutes": ["30"]})])
    cohort = evaluation_cohort({**tables, "meetings": meetings}, ProgramDesign())
    assert outsider not in set(cohort.comparison["person_id"]) and cohort.mentors == 14


def test_one_to_four_participants_without_a_comparable_colleague_are_not_counted(tables) -> None:
    cohort = evaluation_cohort(tables, ProgramDesign())
    unmatched = int((~cohort.participants["matched"]).sum())
    assert 0 < unmatched < 5  # the demo's past cohort: two participants in strata of their own
    assert any(n.startswith("Fewer than 5 participants have nobody comparable") for n in cohort.notes)
    assert not any(f"{unmatched} participant" in n for n in cohort.notes)
    assert cohort.summary()["excluded"]["participants_without_comparison"] is None
