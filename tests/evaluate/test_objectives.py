"""Objectives are measured on their scope, and each new KPI gives the known answer of a small built cohort."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.design.eligibility import DAYS_PER_MONTH
from workbench.design.model import Align, Eligibility, Experience, Objective, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate import evaluation_cohort, scorecard
from workbench.evaluate.cohort import add_months
from workbench.evaluate.objectives import assessments, measure_objectives, median_months
from workbench.evaluate.scorecard import annual_rate, trajectories, trajectory_table
from workbench.evaluate.survey import survey_answers

START = datetime.date(2025, 1, 6)
AS_OF = datetime.date(2026, 1, 6)
SENSITIVE = ("gender",)


def day(offset: int) -> str:
    return (START + datetime.timedelta(days=offset)).isoformat()


def organisation() -> dict[str, pd.DataFrame]:
    """20 participants (10 Engineering, 10 Sales, level 1), 20 comparison people alike, 6 mentors (level 4).

    Leavers: Engineering participants 0-1 (day 200) and 5 (day 100), Sales participants 10-14, comparison 20-23
    (day 200). Participants 0-9 but 5 are promoted after 30, 60, ..., 300 days; 15-19 are high potential;
    participants 0-6 moved job after 100 days; participants 0-5 and 20-25 are women.
    """
    rows = []
    for i in range(46):
        mentor = i >= 40
        rows.append({"person_id": f"P{i:02d}", "department": "Engineering" if i % 20 < 10 or mentor else "Sales",
                     "job_title": "Engineer", "level": "4" if mentor else "1", "location": "London",
                     "manager_id": "", "hire_date": "2020-01-01", "exit_date": "",
                     "promotion_date": day(30 * (i + 1)) if i < 10 and i != 5 else "",
                     "high_potential": "yes" if 15 <= i < 20 else "",
                     "job_change_date": day(100) if i < 7 else "",
                     "gender": "woman" if i < 6 or 20 <= i < 26 else "man"})
    people = pd.DataFrame(rows)
    for i in (0, 1, 10, 11, 12, 13, 14, 20, 21, 22, 23):
        people.loc[i, "exit_date"] = day(200)
    people.loc[5, "exit_date"] = day(100)
    people.loc[people.index[-1], "exit_date"] = day(100)  # one mentor leaves
    enrolment = pd.DataFrame({"person_id": [f"P{i:02d}" for i in [*range(20), *range(40, 46)]],
                              "role": ["mentee"] * 20 + ["mentor"] * 6, "cohort": "A"})
    meetings = pd.DataFrame({"mentee_id": [f"P{i:02d}" for i in range(20)],
                             "mentor_id": [f"P{40 + i % 6:02d}" for i in range(20)],
                             "date": START.isoformat(), "minutes": "45"})
    return {"people": people.astype(str), "enrolment": enrolment, "meetings": meetings}


def measured(design: ProgramDesign, tables: dict[str, pd.DataFrame], answers: pd.DataFrame | None = None):
    group = evaluation_cohort(tables, design, cohort="A", as_of=AS_OF)
    answers = answers if answers is not None else survey_answers(
        None, {}, first_day=pd.Timestamp(START), last_day=pd.Timestamp(AS_OF))
    found = measure_objectives(design, group, tables, answers=answers, sensitive=SENSITIVE)
    card = scorecard(design, follow_up_months=group.follow_up_months, exits={}, promotions=None, answers=answers,
                     measured=found)
    return group, found, card.set_index("objective")


def design_of(*objectives: Objective, **experience) -> ProgramDesign:
    return ProgramDesign(align=Align(objectives=objectives), experience=Experience(**experience))


def test_an_objective_is_scored_on_its_scope_only() -> None:
    tables = organisation()
    scoped = Eligibility(departments=("Engineering",), level_max=2)
    design = design_of(Objective(id="eng", kind="retention", kpi="exit rate (%)", target=10, scope=scoped),
                       Objective(id="all", kind="retention", kpi="exit rate (%)", target=10))
    group, found, card = measured(design, tables)
    years = (AS_OF - START).days / DAYS_PER_MONTH / 12
    engineering_years = 7 * years + (2 * 200 + 100) / DAYS_PER_MONTH / 12
    assert found["eng"].exits["participants"] == pytest.approx((3, engineering_years))
    assert found["all"].exits["participants"][0] == 8
    assert card.loc["eng", "observed"] == pytest.approx(100 * annual_rate(3, engineering_years)[0])
    assert card.loc["eng", "scope"] == "Engineering; level 2 and below" and card.loc["all", "scope"] == "everyone"
    # comparison people 20-29 are Engineering, 30-39 Sales: only 20-23 left, all of them Engineering
    assert found["eng"].exits["comparison"] == pytest.approx((4, 6 * years + 4 * 200 / DAYS_PER_MONTH / 12))
    assert found["all"].exits["comparison"][0] == pytest.approx(4)


def test_a_scope_with_too_few_participants_is_not_measured() -> None:
    design = design_of(Objective(id="few", kind="retention", kpi="exits", scope=Eligibility(level_min=3)))
    card = measured(design, organisation())[2]
    assert card.loc["few", "status"] == "not measured" and "Fewer than 5 participants" in card.loc["few", "note"]


def kaplan_meier_median(time: np.ndarray, event: np.ndarray) -> float:
    """The first time at which the product-limit survival falls to a half or below (no tied times)."""
    order = np.argsort(time)
    survival, at_risk = 1.0, len(time)
    for t, e in zip(time[order], event[order]):
        survival *= 1 - e / at_risk
        at_risk -= 1
        if survival <= 0.5:
            return float(t)
    return np.nan


def test_a_scope_on_a_column_people_lacks_names_it() -> None:
    design = design_of(Objective(id="family", kind="retention", kpi="exits",
                                 scope=Eligibility(filters=("job_family=Data",))))
    card = measured(design, organisation())[2]
    assert card.loc["family", "status"] == "not measured"
    assert card.loc["family", "note"] == ("people.csv has no job_family column, which the objective's scope "
                                          "filters on.")
    scoped = design_of(Objective(id="title", kind="retention", kpi="exits",
                                 scope=Eligibility(filters=("job_title=Engineer",))))
    assert measured(scoped, organisation())[2].loc["title", "scope"] == "job_title Engineer"


def test_time_to_promotion_is_the_kaplan_meier_median() -> None:
    tables = organisation()
    design = design_of(Objective(id="promo", kind="time_to_promotion", kpi="months to promotion", target=6,
                                 scope=Eligibility(departments=("Engineering",))))
    group, found, card = measured(design, tables)
    # Engineering participants 0-9: promoted after 30..300 days, but 5, who left on day 100 unpromoted
    days = np.array([100 if i == 5 else 30 * (i + 1) for i in range(10)], float)
    months, event = days / DAYS_PER_MONTH, (np.arange(10) != 5).astype(float)
    assert card.loc["promo", "observed"] == pytest.approx(kaplan_meier_median(months, event))
    assert card.loc["promo", "observed"] == pytest.approx(150 / DAYS_PER_MONTH)  # 0.9, 0.8, 0.7, 7/12, 7/15
    assert card.loc["promo", "unit"] == "months" and card.loc["promo", "direction"] == "lower"
    assert card.loc["promo", "low"] <= card.loc["promo", "observed"] <= card.loc["promo", "high"]


def test_time_to_promotion_not_reached_says_so() -> None:
    design = design_of(Objective(id="promo", kind="time_to_promotion", kpi="months",
                                 scope=Eligibility(departments=("Sales",))))
    card = measured(design, organisation())[2]
    assert card.loc["promo", "status"] == "not measured" and "not reached" in card.loc["promo", "note"]


def test_competency_growth_compares_before_and_after_the_start() -> None:
    tables = organisation()
    rows = []
    for i in range(40):
        gain = (1 + i % 2) if i < 20 else 0  # participants gain 1 or 2 levels, comparison nothing
        rows += [(f"P{i:02d}", "python", 2, day(-30)), (f"P{i:02d}", "python", 2 + gain, day(150)),
                 (f"P{i:02d}", "python", 5, day(500))]  # after the 12-month horizon: not read
    tables["proficiency"] = pd.DataFrame(rows, columns=["person_id", "skill_id", "level", "assessed_on"]).astype(str)
    design = design_of(Objective(id="grow", kind="competency_growth", kpi="levels gained", baseline=0, target=1,
                                 horizon_months=12))
    card = measured(design, tables)[2]
    gains = np.array([1 + i % 2 for i in range(20)], float)  # all assessed on day 150, before anyone left
    assert card.loc["grow", "observed"] == pytest.approx(gains.mean())
    low, high = stats.t.interval(0.95, len(gains) - 1, loc=gains.mean(), scale=stats.sem(gains))
    assert (card.loc["grow", "low"], card.loc["grow", "high"]) == pytest.approx((low, high))
    assert card.loc["grow", "comparison"] == pytest.approx(0.0) and card.loc["grow", "status"] == "met"


def test_competency_growth_without_dates_names_the_file_and_column() -> None:
    tables = organisation()
    design = design_of(Objective(id="grow", kind="competency_growth", kpi="levels gained"))
    tables["proficiency"] = pd.DataFrame({"person_id": ["P00"], "skill_id": ["python"], "level": ["2"]})
    card = measured(design, tables)[2]
    assert card.loc["grow", "status"] == "not measured"
    assert "proficiency.csv has no assessed_on column" in card.loc["grow", "note"]


def test_a_repeated_assessment_without_a_date_is_refused_with_its_row() -> None:
    proficiency = pd.DataFrame({"person_id": ["P00", "P01", "P01"], "skill_id": ["python"] * 3,
                                "level": ["2", "2", "3"], "assessed_on": ["2025-01-01", "2025-01-01", np.nan]})
    with pytest.raises(WorkbenchError, match=r"proficiency.csv row 4, column assessed_on, value '': P01's python"):
        assessments(proficiency)
    assert len(assessments(proficiency.iloc[:2])) == 2


def test_high_potential_retention_counts_the_flagged_only() -> None:
    tables = organisation()
    design = design_of(Objective(id="hipo", kind="high_potential_retention", kpi="retention of high potentials"))
    group, found, card = measured(design, tables)
    years = (AS_OF - START).days / DAYS_PER_MONTH / 12
    assert found["hipo"].exits["participants"] == pytest.approx((0, 5 * years))
    assert card.loc["hipo", "measure"] == "annual retention rate of high-potential participants"
    del tables["people"]["high_potential"]
    card = measured(design, tables)[2]
    assert "people.csv has no high_potential column" in card.loc["hipo", "note"]


def test_internal_mobility_counts_moves_after_the_start() -> None:
    design = design_of(Objective(id="move", kind="internal_mobility", kpi="internal moves (%)", target=20))
    group, found, card = measured(design, organisation())
    assert found["move"].events["participants"][0] == 7
    assert card.loc["move", "measure"] == "annual internal move rate of participants"


def test_representation_needs_the_opt_in_and_hides_small_groups() -> None:
    women = Objective(id="rep", kind="representation", kpi="share of women among mentees", target=0.3,
                      group="gender=woman")
    refused = measured(design_of(women), organisation())[2]
    assert refused.loc["rep", "status"] == "not measured" and "sensitive_opt_in" in refused.loc["rep", "note"]
    card = measured(design_of(women, sensitive_opt_in=True, sensitive_attributes=("gender",)), organisation())[2]
    assert card.loc["rep", "observed"] == pytest.approx(6 / 20)
    from statsmodels.stats.proportion import proportion_confint
    assert (card.loc["rep", "low"], card.loc["rep", "high"]) == pytest.approx(proportion_confint(6, 20,
                                                                                                  method="beta"))
    assert card.loc["rep", "comparison"] == pytest.approx(6 / 20)
    assert "among mentors: not shown" in card.loc["rep", "note"]  # no woman mentor: a group under five
    few = women.model_copy(update={"scope": Eligibility(departments=("Engineering",))})
    hidden = measured(design_of(few, sensitive_opt_in=True, sensitive_attributes=("gender",)), organisation())[2]
    assert hidden.loc["rep", "status"] == "not measured" and "not shown" in hidden.loc["rep", "note"]
    assert np.isnan(hidden.loc["rep", "observed"])


def test_mentor_outcomes_read_the_mentors_retention_or_their_survey_change() -> None:
    tables = organisation()
    tables["people"].loc[tables["people"].index[-1], "exit_date"] = ""
    for i in range(30, 40):  # mentor-eligible colleagues who did not mentor
        tables["people"].loc[i, ["level", "department"]] = ["4", "Engineering"]
    design = design_of(Objective(id="mentors", kind="mentor_outcomes", kpi="mentors' exit rate (%)"))
    group, found, card = measured(design, tables)
    assert found["mentors"].exits["participants"][0] == 0
    assert card.loc["mentors", "measure"] == "annual exit rate of the cohort's mentors"
    survey = pd.DataFrame([(f"P{i}", wave, "confidence", str(score), day(d))
                           for i in range(40, 46) for wave, score, d in (("pre", 4, -5), ("post", 4.5 + (i % 2), 270))],
                          columns=["person_id", "wave", "construct", "score", "date"])
    tables["survey"] = survey
    design = design_of(Objective(id="mentors", kind="mentor_outcomes", kpi="mentors' confidence", target=0.5))
    card = measured(design, tables)[2]
    change = np.array([0.5 + (i % 2) for i in range(40, 46)])
    assert card.loc["mentors", "observed"] == pytest.approx(change.mean())
    assert card.loc["mentors", "measure"] == "mentors' mean change in confidence from pre to post"


def test_trajectories_read_each_cohort_at_its_horizons_as_the_data_stood() -> None:
    tables = organisation()
    few = pd.DataFrame({"person_id": ["P30", "P31", "P32"], "role": "mentee", "cohort": "B"})
    tables["enrolment"] = pd.concat([tables["enrolment"], few], ignore_index=True)
    design = design_of(Objective(id="exits", kind="retention", kpi="exit rate (%)", target=10))
    frame = trajectories(tables, design, cohorts=["A", "B"], horizons=(6, 12, 18), as_of=AS_OF)
    # cohort B cannot be evaluated (three mentees, no start); A has 12 months of data, so no 18-month row
    assert frame["cohort"].unique().tolist() == ["A"] and frame["months"].tolist() == [6, 12]
    six = frame.set_index("months").loc[6]
    # at 6 months (183 days) only participant 5 (day 100) had left; the day-200 leavers were still employed
    group = evaluation_cohort(tables, design, cohort="A", as_of=add_months(START, 6))
    years = group.participants["months"].sum() / 12
    assert six["observed"] == pytest.approx(100 * annual_rate(1, years)[0])
    twelve = frame.set_index("months").loc[12]
    assert twelve["observed"] == pytest.approx(measured(design, tables)[2].loc["exits", "observed"])
    table = trajectory_table(frame)
    assert table.columns.tolist() == ["Objective", "Measured on", "Cohort", "6 months", "12 months"]
    assert table.loc[0, "6 months"].startswith(f"{six['observed']:.3g} (")
