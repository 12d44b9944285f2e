"""The evaluation plan frozen at launch, and the evaluation of the design that was run."""

from __future__ import annotations

import dataclasses

import jsonschema
import numpy as np
import pandas as pd
import pytest

from workbench.data.importing import read_workspace_table, save_table
from workbench.design.model import Align, Launch, Objective, PilotDesign, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate import JSON_SCHEMA, evaluate
from workbench.evaluate.cohort import SELF_SELECTION
from workbench.evaluate.plan import freeze_plan, load_plan, plan_for
from workbench.evaluate.trial import OFFERED, WAITLISTED
from workbench.reports.evaluation import evaluation_html
from workbench.workspace import StaleWorkspaceError, create_workspace, undo
from tests.evaluate.launch_organisation import launch_tables, run_cohort, true_retention_difference

MONTHLY_HAZARD, HAZARD_RATIO = 0.03, 0.45
SELF_SELECTION_WORDS = "chose (or were chosen) to take part"


def waitlist_design(places: int = 200, seed: int = 3) -> ProgramDesign:
    return ProgramDesign(align=Align(objectives=(Objective(id="stay", kind="retention", horizon_months=12),)),
                         launch=Launch(pilot=PilotDesign(design="waitlist", places=places, seed=seed)))


@pytest.fixture(scope="module")
def waitlist_run():
    design = waitlist_design()
    at_launch = launch_tables(seed=0)
    plan = plan_for(at_launch, design, cohort="2025")
    offered = plan.allocation.loc[plan.allocation["allocation"] == OFFERED, "person_id"]
    tables = run_cohort(at_launch, {p: 0.0 for p in offered}, monthly_hazard=MONTHLY_HAZARD,
                        hazard_ratio=HAZARD_RATIO, seed=1)
    result = evaluate(tables, design, plan=plan, resamples=200, calibrate_forecast=False, seed=0)
    return design, plan, tables, result


def test_a_randomised_waitlist_recovers_the_true_effect_within_its_interval(waitlist_run) -> None:
    _, plan, _, result = waitlist_run
    assert plan.horizon_months == 12 and result.trial is not None
    retention = result.trial.itt[0]
    truth = true_retention_difference(MONTHLY_HAZARD, HAZARD_RATIO, 12)
    assert retention["low"] < truth < retention["high"]
    assert retention["low"] > 0  # 200 a side are enough to see the effect
    assert (retention["offered_people"], retention["waitlisted_people"]) == (200, 200)
    # the survival block now compares the randomised arms too, and its Cox interval holds the true ratio
    ratio = result.retention.survival.hazard_ratio
    assert ratio.low < HAZARD_RATIO < ratio.high
    assert result.cohort.comparison_rule.startswith("applicants randomised to the waitlist")


def test_the_waitlists_report_carries_no_self_selection_caveat(waitlist_run) -> None:
    _, _, _, result = waitlist_run
    document = result.to_json()
    jsonschema.validate(document, JSON_SCHEMA)
    page = evaluation_html(result, workspace_name="trial")
    for text in (page, result.json_text(), "\n".join(result.summary_lines())):
        assert SELF_SELECTION_WORDS not in text
        assert "chose to take part" not in text
    assert "Randomised waitlist" in page and "Offered minus waitlisted (intention to treat)" in page
    assert document["caveats"][0].startswith("Applicants were randomised")


def test_open_enrolment_keeps_todays_analysis(waitlist_run) -> None:
    design, plan, tables, result = waitlist_run
    # the same cohort without a plan: every enrolled mentee against matched non-participants
    open_result = evaluate(tables, design, resamples=200, calibrate_forecast=False, seed=0)
    assert open_result.trial is None and open_result.caveats[0] == SELF_SELECTION
    assert SELF_SELECTION in open_result.retention.caveats
    assert "trial" not in open_result.to_json()
    assert len(open_result.cohort.participants) == 400 > len(result.cohort.participants) == 200


def test_deviations_from_the_plan_are_reported() -> None:
    design = waitlist_design(places=60)
    at_launch = launch_tables(n_applicants=120, n_mentors=60, seed=5)
    plan = plan_for(at_launch, design, cohort="2025")
    waiting = plan.allocation.loc[plan.allocation["allocation"] == WAITLISTED, "person_id"].tolist()
    offered = plan.allocation.loc[plan.allocation["allocation"] == OFFERED, "person_id"].tolist()
    took_part = {p: 0.0 for p in offered + waiting[:6]}  # six waitlisted people met a mentor anyway
    tables = run_cohort(at_launch, took_part, monthly_hazard=MONTHLY_HAZARD, hazard_ratio=HAZARD_RATIO, seed=2)
    changed = design.model_copy(update={"align": Align(objectives=(Objective(id="stay", kind="retention",
                                                                             horizon_months=18),))})
    result = evaluate(tables, changed, plan=plan, resamples=200, calibrate_forecast=False)
    text = " ".join(result.trial.deviations)
    assert "6 waitlisted applicants took part" in text
    assert "Objective stay was added, removed or changed" in text
    # the analysis stays by the arm drawn (intention to treat): the six count as waitlisted
    assert result.trial.itt[0]["waitlisted_people"] == sum(1 for p in waiting if p in set(
        result.cohort.comparison["person_id"]))


def test_fewer_applicants_than_places_is_refused_naming_the_program_and_counts() -> None:
    with pytest.raises(WorkbenchError, match=r"Program 'Mentoring program', pilot design \(launch.pilot\): a "
                                             r"randomised waitlist of 500 places needs more applicants than places; "
                                             r"the cohort has 400 eligible"):
        plan_for(launch_tables(seed=0), waitlist_design(places=500), cohort="2025")


def test_a_stepped_wedge_with_one_cluster_is_refused() -> None:
    design = ProgramDesign(launch=Launch(pilot=PilotDesign(design="stepped_wedge", steps=2)))
    with pytest.raises(WorkbenchError, match=r"needs at least two clusters to compare, and the applicants' column "
                                             r"'department' has one cluster \('Sales'\)"):
        plan_for(launch_tables(n_applicants=40, clusters=("Sales",), seed=0), design, cohort="2025")


@pytest.fixture
def workspace(home):
    found = create_workspace("Trial")
    for name, frame in launch_tables(n_applicants=60, n_mentors=30, seed=4).items():
        found = save_table(found, name, frame)
    return found


def test_freezing_saves_one_undoable_revision_checked_plan(workspace) -> None:
    design = waitlist_design(places=30)
    plan = plan_for({n: read_workspace_table(workspace, n) for n in ("people", "enrolment")}, design, cohort="2025")
    saved = freeze_plan(workspace, plan)
    back = load_plan(saved)
    assert back.record() == plan.record()
    pd.testing.assert_frame_equal(back.allocation, plan.allocation.astype({"draw": "int64"}), check_dtype=False)
    assert saved.revision_of("plan") == 1
    with pytest.raises(WorkbenchError, match="already frozen for cohort '2025'"):
        freeze_plan(saved, plan)
    with pytest.raises(StaleWorkspaceError):  # a copy read before the plan was frozen cannot freeze over it
        freeze_plan(workspace, dataclasses.replace(plan, cohort="2026"))
    assert load_plan(undo(saved, "plan")) is None


def test_the_same_seed_gives_the_same_allocation_and_another_seed_another() -> None:
    tables = launch_tables(seed=0)
    first = plan_for(tables, waitlist_design(), cohort="2025").allocation
    again = plan_for(tables, waitlist_design(), cohort="2025").allocation
    other = plan_for(tables, waitlist_design(seed=4), cohort="2025").allocation
    pd.testing.assert_frame_equal(first, again)
    assert not np.array_equal(first["allocation"], other["allocation"])


def test_a_staggered_roll_out_is_analysed_by_period_and_cluster_and_an_early_start_is_reported() -> None:
    design = ProgramDesign(launch=Launch(pilot=PilotDesign(design="stepped_wedge", steps=3, months_per_step=3,
                                                           seed=2)))
    at_launch = launch_tables(n_applicants=1500, n_mentors=400, seed=7)
    plan = plan_for(at_launch, design, cohort="2025")
    assert sorted(plan.allocation["step"]) == [1, 1, 2, 2, 3, 3]
    month_of = dict(zip(plan.allocation["cluster"], plan.allocation["starts_month"]))
    early = plan.allocation.loc[plan.allocation["step"] == 3, "cluster"].iloc[0]
    month_of[early] = 4.0  # planned for month 6
    department = dict(zip(at_launch["people"]["person_id"], at_launch["people"]["department"]))
    mentees = at_launch["enrolment"].query("role == 'mentee'")["person_id"]
    tables = run_cohort(at_launch, {p: float(month_of[department[p]]) for p in mentees},
                        monthly_hazard=MONTHLY_HAZARD, hazard_ratio=HAZARD_RATIO, seed=3)
    result = evaluate(tables, design, plan=plan, resamples=200, calibrate_forecast=False)
    wedge = result.trial.wedge
    per_period = 1 - np.exp(-MONTHLY_HAZARD * np.array([HAZARD_RATIO, 1.0]) * 3)
    odds = per_period / (1 - per_period)
    assert wedge["low"] < odds[0] / odds[1] < wedge["high"] and wedge["high"] < 1
    assert [d for d in result.trial.deviations if d.startswith(f"Cluster {early!r} started on")]
    assert result.caveats[0].startswith("Clusters were randomised") and SELF_SELECTION not in result.caveats
    assert "Stepped wedge" in evaluation_html(result)
