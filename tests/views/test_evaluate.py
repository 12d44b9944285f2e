"""The Evaluate page driven from Python: choose a cohort, run, read every level, download, save the calibration."""

from __future__ import annotations

import asyncio
import base64
import html
import json
import re
import threading
from pathlib import Path

import ipywidgets as w
import jsonschema
import pandas as pd
import pytest

from workbench.design.model import Align, Objective, ProgramDesign
from workbench.design.store import save_design
from workbench.errors import WorkbenchError
from workbench.evaluate import JSON_SCHEMA
from workbench.views.feedback import Notice
from workbench.views.shell import PAGES, open_page, show_page
from workbench.sessions import evaluate as evaluate_session
from workbench.views.evaluate import REFRESH_LABEL, RUN_LABEL, EvaluateView
from workbench.whatif import Scenario, list_scenarios, save_scenario
from workbench.workspace import create_workspace, open_workspace, save_files
from tests.evaluate import PAST_COHORT, split_programs

QUICK = {"background": False, "resamples": 200, "runs": 50, "evaluate_on_open": False}


def page(**options) -> EvaluateView:
    context, _ = open_page("07_evaluate")
    return EvaluateView(context, **{**QUICK, **options})


@pytest.fixture
def workspace(home: Path) -> Path:
    """The demo workspace's folder, to change before the page opens it."""
    context, _ = open_page("07_evaluate")
    return context.workspace.path


@pytest.fixture
def evaluated(workspace: Path) -> EvaluateView:
    view = page()
    view.run_button.click()
    assert "wb-notice-success" in view.notice.value, view.notice.value
    return view


def widget_text(widget: w.Widget) -> str:
    """Every HTML value and chart specification under ``widget``, as one text."""
    parts = []
    if isinstance(widget, w.HTML):
        parts.append(widget.value)
    if hasattr(widget, "chart") and hasattr(widget.chart, "to_dict"):
        parts.append(json.dumps(widget.chart.to_dict()))
    for child in getattr(widget, "children", ()):
        parts.append(widget_text(child))
    return "\n".join(parts)


def downloaded(view: EvaluateView, label: str) -> str:
    links = view.in_short.downloads.value
    match = re.search(r'href="data:[^;]+;charset=utf-8;base64,([^"]+)">' + re.escape(label), links)
    assert match, view.in_short.downloads.value[:300]
    return base64.b64decode(match.group(1)).decode("utf-8")


def test_the_page_is_registered_after_launch_and_support() -> None:
    notebooks = [p.notebook for p in PAGES]
    assert notebooks[-1] == "07_evaluate" and notebooks[-2] == "06_launch_and_support"
    assert PAGES[-1].title == "Evaluate" and PAGES[-1].steps == ("evaluate",)
    assert (Path(__file__).resolve().parents[2] / "notebooks" / "07_evaluate.ipynb").is_file()


def test_the_page_offers_the_cohorts_that_ran_and_waits_for_run(workspace: Path) -> None:
    view = page()
    assert view.cohort.options == (("2025", "2025"),) and view.cohort.value == "2025"
    assert "Cohort 2026 has no meetings or survey answers yet" in view.controls.children[0].value
    assert [v for _, v in view.participants.options] == ["enrolled", "met"] and view.participants.value == "enrolled"
    assert view.run_button.description == RUN_LABEL and not view.run_button.disabled
    assert view.results_box.layout.display == "none" and RUN_LABEL in view.placeholder.value
    assert EvaluateView.__init__.__kwdefaults__["background"] is True


def test_opening_the_page_evaluates_the_latest_cohort_in_the_background(workspace: Path) -> None:
    view = page(background=True, evaluate_on_open=True)
    assert view.busy and view.run_button.disabled and view.cohort.disabled
    assert "Evaluating cohort 2025" in view.placeholder.value
    view.wait(60)
    assert "wb-notice-success" in view.notice.value, view.notice.value
    assert view.session.evaluated == {"cohort": "2025", "participants": "enrolled"}
    assert view.results_box.layout.display is None and view.placeholder.layout.display == "none"
    assert view.run_button.description == REFRESH_LABEL


def test_an_evaluation_that_fails_on_opening_says_why_and_offers_run_again(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise WorkbenchError("The survey's waves overlap.")

    monkeypatch.setattr(evaluate_session, "evaluate_workspace", refuse)
    view = page(evaluate_on_open=True)
    assert "wb-notice-error" in view.notice.value and "waves overlap" in view.notice.value, view.notice.value
    assert view.session.result is None and RUN_LABEL in view.placeholder.value and not view.run_button.disabled


def test_running_shows_every_level_with_its_comparison_and_caveats(evaluated: EvaluateView) -> None:
    view = evaluated
    assert view.results_box.layout.display is None and view.placeholder.layout.display == "none"
    assert view.run_button.description == REFRESH_LABEL and not view.run_button.disabled
    assert view.working.layout.display == "none"
    summary = view.in_short.summary.value
    assert summary.count("wb-tile'") >= 4 and "hazard ratio of leaving" in summary
    assert "chose (or were chosen) to take part" in summary and "Left out" in summary
    # levels 1 and 2: response rates, paired change with intervals, corrected p and effect sizes
    assert "Response rates" in view.learning.rates.value and "79%" in view.learning.rates.value
    learning = view.learning
    assert learning.wave.value == "post" and [v for _, v in learning.wave.options] == ["post", "followup", "mid"]
    assert view.learning.chart.chart.to_dict()["title"]["text"] == "What changed by the end survey?"
    table = view.learning.change_table.value
    assert "Holm-corrected" in table and "d_z" in table and "95% interval" in table
    assert "Midpoint" not in table and "Participants" in table and "Comparison group" in table
    assert "Participants' change against the comparison group's" in view.learning.against_table.value
    assert "People chose to take part" in view.learning.caption.value
    view.learning.wave.value = "mid"
    assert "midpoint" in view.learning.chart.chart.to_dict()["title"]["text"]
    assert "not surveyed at the midpoint" in view.learning.against_table.value
    # level 3
    assert "pairs held 317 meetings" in view.behaviour.caption.value and "closed early" in view.behaviour.caption.value
    assert "Gone quiet" in view.behaviour.facts.value and "Closed early" in view.behaviour.facts.value
    # level 4: Kaplan-Meier curves, log-rank test and the Cox hazard ratio with its interval
    km = view.outcomes.retention_chart.chart.to_dict()
    assert km["title"]["text"] == "Who stayed?" and "comparison group" in " ".join(km["title"]["subtitle"])
    assert "hazard ratio 0.72, 95% interval 0.21 to 2.44" in view.outcomes.retention_caption.value
    tables = view.outcomes.retention_tables.value
    assert "Log-rank test" in tables and "Cox model" in tables
    assert "Difference" in tables and "bootstrap" in tables
    # the demo's people.csv has promotion dates: promotions are compared like retention
    assert view.outcomes.no_promotion.value == "" and view.outcomes.promotion_chart.layout.display is None
    # ROI with its bootstrap uncertainty
    assert "ROI is +1.03" in view.roi.caption.value and "Program cost" in view.roi.table.value
    assert view.roi.chart.chart.to_dict()["layer"]
    # no objectives in the demo's design: the page says where to add them
    assert "no objectives yet" in view.scorecard.caption.value and "01_align.ipynb?workspace=demo" in \
        view.scorecard.caption.value
    # calibration
    # early closure is hidden (a group of fewer than five pairs): nothing observed to compare, and the page says so
    assert "4 of 4 observed figures" in view.calibration.caption.value
    assert "closed early: nothing observed to compare (not shown" in view.calibration.caption.value
    calibration = view.calibration
    assert "Turnover reduction" in calibration.fitted_table.value
    assert "Not fitted: the observed share is not shown." in calibration.fitted_table.value  # early closure
    assert calibration.scenario_name.value == "Fitted to cohort 2025" and not calibration.scenario_button.disabled
    assert "Holm-corrected" in view.method.value


def test_the_downloads_are_the_report_and_every_figure(evaluated: EvaluateView) -> None:
    report = downloaded(evaluated, "Download the report (HTML)")
    assert report.startswith("<!DOCTYPE html>") and "Who stayed?" in report and "<svg" in report
    assert "Workspace: Demo organisation" in report
    document = json.loads(downloaded(evaluated, "Every figure (JSON)"))
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["cohort"]["name"] == "2025" and document["settings"]["resamples"] == 200
    assert 'download="evaluation-demo-cohort-2025.html"' in evaluated.in_short.downloads.value


def test_no_small_group_name_id_or_free_text_reaches_the_page(workspace: Path) -> None:
    survey = pd.read_csv(workspace / "survey.csv", dtype=str, keep_default_na=False)
    survey["comment"] = "SECRET free text about my manager"
    survey.to_csv(workspace / "survey.csv", index=False)
    view = page()
    view.run_button.click()
    text = widget_text(view)
    assert "SECRET" not in text
    people = pd.read_csv(workspace / "people.csv", dtype=str, keep_default_na=False)
    assert not any(name in text for name in people["name"])
    assert not any(f">{pid}<" in text or f'"{pid}"' in text for pid in people["person_id"])
    by_group = view.session.result.retention.by_group["department"]
    hidden = by_group[by_group["hidden"]]
    assert len(hidden)
    details = view.outcomes.details.children[0].value
    for value in hidden["value"]:
        assert f"Department: {value}<" not in details
    assert "are not shown: fewer than 5 people, or they would give a smaller group away" in details


def test_changing_the_choice_asks_for_a_refresh_and_the_stricter_rule_runs(evaluated: EvaluateView) -> None:
    view = evaluated
    view.participants.value = "met"
    assert REFRESH_LABEL in view.stale.value and "cohort 2025" in view.stale.value
    view.participants.value = "enrolled"
    assert view.stale.value == ""
    view.participants.value = "met"
    view.run_button.click()
    assert view.stale.value == "" and view.session.evaluated == {"cohort": "2025", "participants": "met"}
    assert view.session.result.cohort.participant_rule != "enrolled mentees (intention to treat)"


def test_a_design_with_objectives_gets_a_scorecard(workspace: Path) -> None:
    design = ProgramDesign(name="Graduates", align=Align(objectives=(
        Objective(id="exits", statement="Fewer graduates leave", kind="retention", kpi="annual exit rate (%)",
                  baseline=20, target=14, horizon_months=12),
        Objective(id="belong", statement="Graduates feel they belong", kind="engagement", kpi="belonging score",
                  baseline=4.0, target=4.5),
        Objective(id="speed", kind="time_to_productivity", kpi="weeks to productivity"))))
    save_design(open_workspace(workspace), design)
    view = page()
    view.run_button.click()
    assert view.scorecard.chart.layout.display is None
    assert view.scorecard.chart.chart.to_dict()["title"]["text"] == "Objectives: where the program stands"
    table = view.scorecard.table.value
    assert "exits: Fewer graduates leave" in table and "annual exit rate of participants (%)" in table
    assert "belong: Graduates feel they belong" in table and "chance met" in table
    assert "not measured" in table and "needs data the workspace does not hold" in table
    assert "Of 3 objectives" in view.scorecard.caption.value
    assert "objectives met" in view.in_short.summary.value
    # the trajectories' "not measured" cells point to the reason
    assert "not measured" in view.scorecard.trajectories_table.value
    assert "Not measured: speed; the Note column of the objectives table above says why." in html.unescape(
        view.scorecard.trajectories_table.value)


def test_objectives_that_cannot_be_measured_are_not_counted_as_missed(workspace: Path) -> None:
    design = ProgramDesign(name="Promotions", align=Align(objectives=(
        Objective(id="promote", statement="Promote more graduates", kpi="annual promotion rate (%)", kind="promotion",
                  baseline=10.0, target=15.0, horizon_months=12),)))
    save_design(open_workspace(workspace), design)
    people = pd.read_csv(workspace / "people.csv", dtype=str, keep_default_na=False)  # no promotion dates
    (workspace / "people.csv").write_text(people.drop(columns="promotion_date").to_csv(index=False), encoding="utf-8")
    view = page(runs=0)
    view.run_button.click()
    assert [r["status"] for r in view.session.document["scorecard"]] == ["not measured"]
    # The tile says so in the scorecard's words, not "0 of 1 objectives met".
    summary = view.in_short.summary.value
    assert "<div class='wb-tile'><b>1</b><span>objective not measured</span></div>" in summary, summary
    assert "objectives met" not in summary


def test_a_repeated_assessment_without_a_date_is_named_in_the_page(workspace: Path) -> None:
    design = ProgramDesign(name="Growth", align=Align(objectives=(
        Objective(id="grow", kpi="levels gained", kind="competency_growth", baseline=0.2, target=0.4),)))
    save_design(open_workspace(workspace), design)
    path = workspace / "proficiency.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    first = int(frame.duplicated(["person_id", "skill_id"], keep=False).to_numpy().argmax())
    frame.loc[first, "assessed_on"] = ""
    frame.to_csv(path, index=False)
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    view = page(runs=0)
    view.run_button.click()
    notice = html.unescape(view.notice.value)
    assert "wb-notice-error" in notice and f"proficiency.csv row {first + 2}, column assessed_on, value ''" in notice
    assert "Traceback" not in notice and view.session.result is None
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()} == before


def test_the_fitted_parameters_are_saved_as_a_what_if_scenario(evaluated: EvaluateView) -> None:
    view = evaluated
    revision = view.context.workspace.settings.revision
    view.calibration.scenario_button.click()
    assert "Saved the scenario 'Fitted to cohort 2025'" in html.unescape(view.calibration.scenario_notice.value)
    assert "05_what_if.ipynb?workspace=demo" in view.calibration.scenario_link.value
    assert view.context.workspace.settings.revision == revision + 1
    saved = {s.name: s for s in list_scenarios(open_workspace(view.context.workspace.path))}
    scenario = saved["Fitted to cohort 2025"]
    assert scenario.parameters == pytest.approx(view.session.result.calibration.parameters, abs=0.005)
    assert all(round(v, 2) == v for v in scenario.parameters.values())  # as the page shows them
    assert scenario.overrides == {} and "fitted to cohort 2025" in scenario.description
    # the same name again is refused, not overwritten
    view.calibration.scenario_button.click()
    notice = view.calibration.scenario_notice.value
    assert "already saved" in notice and "wb-notice-error" in notice
    # another page's save of something else does not stand in the way; the same name saved elsewhere does
    save_files(open_workspace(view.context.workspace.path), {"notes.txt": "another page"}, message="another page")
    save_scenario(open_workspace(view.context.workspace.path), Scenario("Second try", overrides={"cadence": "monthly"}))
    view.calibration.scenario_name.value = "Second try"
    view.calibration.scenario_button.click()
    assert "already saved" in view.calibration.scenario_notice.value
    assert not view.calibration.scenario_button.disabled
    view.calibration.scenario_name.value = "Third try"
    view.calibration.scenario_button.click()
    assert "Saved the scenario 'Third try'" in html.unescape(view.calibration.scenario_notice.value)


def test_without_survey_answers_the_other_levels_still_show(workspace: Path) -> None:
    (workspace / "survey.csv").unlink()
    view = page()
    view.run_button.click()
    assert "wb-notice-success" in view.notice.value
    assert "No survey answers for this cohort" in view.learning.missing.value
    assert view.learning.parts.layout.display == "none"
    assert "Who stayed?" in json.dumps(view.outcomes.retention_chart.chart.to_dict())
    assert "pairs held" in view.behaviour.caption.value


def test_without_meetings_behaviour_says_so(workspace: Path) -> None:
    (workspace / "meetings.csv").unlink()
    view = page()
    view.run_button.click()
    assert "wb-notice-success" in view.notice.value
    assert "No meetings are logged for this cohort" in view.behaviour.missing.value
    assert view.behaviour.parts.layout.display == "none"
    assert "day after the pre survey" in view.in_short.summary.value
    assert "Response rates" in view.learning.rates.value


def test_bad_workspaces_explain_themselves(workspace: Path) -> None:
    context, _ = open_page("07_evaluate")
    context.workspace = create_workspace("Empty")
    shown = show_page(EvaluateView, context, **QUICK)
    assert isinstance(shown, Notice) and "Evaluate needs people.csv and enrolment.csv" in shown.value
    # a workspace whose cohorts have no meetings and no survey answers: no past cohort to evaluate
    (workspace / "meetings.csv").unlink()
    (workspace / "survey.csv").unlink()
    context, _ = open_page("07_evaluate")
    shown = show_page(EvaluateView, context, **QUICK)
    assert isinstance(shown, Notice) and "neither meetings.csv nor survey.csv" in shown.value
    assert "No cohort of the workspace 'Demo organisation' can be evaluated yet" in html.unescape(shown.value)


def test_a_failing_run_shows_a_message_and_the_page_stays_usable(workspace: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    view = page()
    (workspace / "enrolment.csv").unlink()  # removed after the page opened
    view.run_button.click()
    assert "wb-notice-error" in view.notice.value and "enrolment.csv" in view.notice.value
    assert "Demo organisation" in html.unescape(view.notice.value) and str(workspace) not in view.notice.value
    assert view.results_box.layout.display == "none" and not view.run_button.disabled and not view.busy

    def broken(*_args, **_kwargs):
        raise KeyError("internal detail")

    monkeypatch.setattr(evaluate_session, "evaluate_workspace", broken)
    view.run_button.click()
    assert "could not run the evaluation" in view.notice.value and "internal detail" not in view.notice.value
    assert not view.run_button.disabled and view.working.layout.display == "none"


def test_in_the_background_results_are_drawn_on_the_event_loop(workspace: Path) -> None:
    view = page(background=True)
    threads = []
    show = view._show

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return show(*args, **kwargs)

    view._show = recording

    async def run() -> None:
        view.run_button.click()
        assert view.busy and view.run_button.disabled and view.working.layout.display is None
        for _ in range(1200):
            if not view.busy:
                break
            await asyncio.sleep(0.05)

    asyncio.run(run())
    view.wait(10)
    assert threads == [threading.main_thread()]
    assert "wb-notice-success" in view.notice.value and "Download the report" in view.in_short.downloads.value
    assert not view.run_button.disabled and view.working.layout.display == "none"


def test_with_several_programs_the_page_evaluates_all_of_them(workspace: Path) -> None:
    split_programs(workspace)
    view = page()
    assert view.session.cohorts == [PAST_COHORT]
    note = view.children[0].value
    assert "All programs section" in note and "not offered" not in note
    panel = view.all_programs
    assert panel in view.children and panel.chart.layout.display == "none"
    panel.run_button.click()
    assert "Evaluated 2 of 2 programs on cohort 2025" in panel.notice.value, panel.notice.value
    table = html.unescape(panel.table.value)
    assert "main: " in table and "peer: Peer tier" in table and "(summed)" in table
    # one mentee of both programs: the people counted once would be the programs' participants minus that one
    assert "hidden: fewer than 5 people are in more than one program" in table
    assert "not pooled" in table and "Cost of all programs" in table
    assert panel.chart.layout.display is None and "All programs (pooled)" in panel.caption.value
    assert "counted once" in panel.caveats.value
    people = pd.read_csv(workspace / "people.csv", dtype=str, keep_default_na=False)
    shown = panel.table.value + panel.caption.value + panel.caveats.value + json.dumps(panel.chart.chart.to_dict())
    assert not any(pid in shown for pid in people["person_id"])


def test_with_one_program_there_is_no_all_programs_section(workspace: Path) -> None:
    view = page()
    assert view.all_programs is None and view.children[0].value == ""


def test_a_cohort_with_few_comparable_participants_shows_no_figure_of_them(workspace: Path) -> None:
    """All but three participants get departments of their own: three are matched, too few for shares, an ROI or
    counts of people and exits; the demo's meetings hold bars and statuses of fewer than five pairs."""
    enrolment = pd.read_csv(workspace / "enrolment.csv", dtype=str, keep_default_na=False)
    mentees = enrolment.loc[(enrolment["cohort"] == PAST_COHORT) & enrolment["role"].isin(["mentee", "both"]),
                            "person_id"].tolist()
    people = pd.read_csv(workspace / "people.csv", dtype=str, keep_default_na=False)
    moved = people["person_id"].isin(mentees[3:])
    people.loc[moved, "department"] = [f"Unit {k}" for k in range(int(moved.sum()))]
    people.to_csv(workspace / "people.csv", index=False)
    view = page()
    view.run_button.click()
    assert "wb-notice-success" in view.notice.value, view.notice.value
    assert 0 < view.session.result.cohort.matched["group"].eq("participants").sum() < 5
    text = widget_text(view)
    assert "Still employed after" in text and "is not shown: fewer than 5 people in one of the groups compared" in text
    assert "fewer than 5 people: not shown" in text and not re.search(r"Participants \([1-4]\)", text)
    assert "fewer than 5 of them have comparable colleagues" in text
    assert "return on each unit spent" not in text
    drawn = next(iter(view.behaviour.chart.chart.to_dict()["datasets"].values()))
    assert drawn and min(r["pairs"] for r in drawn) >= 5
    assert "each bar stands for 5 pairs or more" in text
