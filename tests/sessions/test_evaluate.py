"""The Evaluate page's session driven alone on the demo's tables: what can be evaluated, a run, stale, the
report, the calibrated scenario and every program."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from workbench.errors import WorkbenchError
from workbench.evaluate import JSON_SCHEMA
from workbench.sessions.evaluate import TOTAL_STEPS, EvaluateSession
from workbench.whatif import list_scenarios
from workbench.workspace import create_workspace, open_workspace
from tests.evaluate import PAST_COHORT, split_programs

QUICK = {"resamples": 200, "runs": 50}


def session(folder: Path, **options) -> EvaluateSession:
    return EvaluateSession(open_workspace(folder), **{**QUICK, **options})


@pytest.fixture
def evaluated(demo_data_only: Path) -> EvaluateSession:
    """The demo's past cohort evaluated, with everyone enrolled counted."""
    found = session(demo_data_only)
    found.accept(found.evaluate())
    return found


def test_the_cohorts_that_ran_are_offered_and_those_waiting_are_named(demo_data_only: Path) -> None:
    found = session(demo_data_only)
    assert found.cohorts == [PAST_COHORT] and found.cohort == PAST_COHORT and found.waiting == ["2026"]
    assert found.cohort_options == [("2025", "2025")]
    assert [value for _, value in found.participant_options] == ["enrolled", "met"]
    assert found.participants == "enrolled" and not found.several
    assert found.waiting_sentence() == (" Cohort 2026 has no meetings or survey answers yet, so it is not "
                                        "offered.")
    assert found.result is None and not found.stale and found.report is None


def test_a_workspace_with_nothing_to_evaluate_says_what_to_import(home: Path, demo_data_only: Path) -> None:
    with pytest.raises(WorkbenchError, match="Evaluate needs people.csv and enrolment.csv"):
        EvaluateSession(create_workspace("Empty"), **QUICK)
    (demo_data_only / "meetings.csv").unlink()
    (demo_data_only / "survey.csv").unlink()
    with pytest.raises(WorkbenchError, match="No cohort of the workspace 'Demo organisation' can be evaluated yet"
                                             ".*it has neither meetings.csv nor survey.csv"):
        session(demo_data_only)


def test_evaluating_keeps_nothing_until_accepted_and_writes_nothing(demo_data_only: Path) -> None:
    found = session(demo_data_only)
    before = {p: p.read_bytes() for p in demo_data_only.rglob("*") if p.is_file()}
    steps = []
    outcome = found.evaluate(lambda done, total, step: steps.append((done, total, step)))
    assert found.result is None and found.evaluated == {}
    assert steps and {total for _, total, _ in steps} == {TOTAL_STEPS}
    assert outcome.settings == {"cohort": PAST_COHORT, "participants": "enrolled"}
    found.accept(outcome)
    assert found.result is outcome.result and found.evaluated == outcome.settings
    jsonschema.validate(found.document, JSON_SCHEMA)
    assert found.document["cohort"]["name"] == PAST_COHORT and found.document["settings"]["resamples"] == 200
    assert {p: p.read_bytes() for p in demo_data_only.rglob("*") if p.is_file()} == before


def test_changing_the_choice_makes_the_figures_stale_until_evaluated_again(evaluated: EvaluateSession) -> None:
    assert not evaluated.stale
    evaluated.participants = "met"
    assert evaluated.stale
    evaluated.participants = "enrolled"
    assert not evaluated.stale
    evaluated.participants = "met"
    evaluated.accept(evaluated.evaluate())
    assert not evaluated.stale and evaluated.evaluated == {"cohort": PAST_COHORT, "participants": "met"}
    assert evaluated.result.cohort.participant_rule != "enrolled mentees (intention to treat)"
    evaluated.cohort = None
    with pytest.raises(WorkbenchError, match="Choose a cohort to evaluate"):
        evaluated.evaluate()


def test_the_report_is_kept_only_for_the_current_evaluation(evaluated: EvaluateSession) -> None:
    first = evaluated.evaluate()
    report = evaluated.prepare_report(first)
    assert report.startswith("<!DOCTYPE html>") and "Workspace: Demo organisation" in report
    assert not evaluated.keep_report(first, report) and evaluated.report is None  # another result is shown
    evaluated.accept(first)
    assert evaluated.keep_report(first, report) and evaluated.report == report
    assert evaluated.download_stem == "evaluation-demo-cohort-2025"


def test_the_fitted_parameters_are_saved_once_as_a_what_if_scenario(evaluated: EvaluateSession) -> None:
    assert evaluated.scenario_name == "Fitted to cohort 2025"
    with pytest.raises(WorkbenchError, match="Give the scenario a name"):
        evaluated.calibrated_scenario("  ")
    revision = evaluated.workspace.settings.revision
    scenario = evaluated.save_scenario(evaluated.scenario_name)
    assert evaluated.workspace.settings.revision == revision + 1
    saved = {s.name: s for s in list_scenarios(open_workspace(evaluated.workspace.path))}
    assert saved[scenario.name].parameters == pytest.approx(evaluated.fitted, abs=0.005)
    assert all(round(v, 2) == v for v in scenario.parameters.values())
    assert "fitted to cohort 2025" in scenario.description
    with pytest.raises(WorkbenchError, match="'Fitted to cohort 2025' is already saved in the workspace"):
        evaluated.save_scenario("Fitted to cohort 2025")


def test_without_a_forecast_there_is_no_scenario_to_save(demo_data_only: Path) -> None:
    found = session(demo_data_only, runs=0)
    with pytest.raises(WorkbenchError, match="Run the evaluation first"):
        found.calibrated_scenario("Fitted")
    found.accept(found.evaluate())
    assert found.result.calibration is None and found.fitted == {} and found.scenario_name == ""
    with pytest.raises(WorkbenchError, match="Run the evaluation first"):
        found.calibrated_scenario("Fitted")


def test_with_several_programs_every_program_is_evaluated_on_the_chosen_cohort(demo_data_only: Path) -> None:
    split_programs(demo_data_only)
    found = session(demo_data_only)
    assert found.several and found.cohorts == [PAST_COHORT] and found.programs is None
    programs = found.evaluate_programs()
    assert found.programs is programs and len(programs.results) == len(programs.names) == 2
