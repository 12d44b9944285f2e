"""The What-if page driven from Python: edit and save scenarios, compare, cancel, sensitivity, what it takes, brief."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest

from workbench.errors import WorkbenchError
from workbench.simulate import KPIS, PARAMETERS
from workbench.simulate.mechanisms import LEVERS
from workbench.views.feedback import Notice
from workbench.views.shell import PAGES, open_page, show_page
from workbench.views.whatif import DEFAULT_RUNS, NEW, WhatIfView
from workbench.whatif import MAX_COMPARED, Scenario, list_scenarios, load_scenario, save_scenario
from workbench.whatif.saved import SAVED_COMPARISON, saved_comparison
from workbench.workspace import create_workspace, open_workspace, save_files

from .test_programs import tiers  # noqa: F401 - a fixture: the demo with a peer tier, opened as ?program=peer


@pytest.fixture
def view(home: Path) -> WhatIfView:
    context, _ = open_page("05_what_if")
    page = WhatIfView(context, background=False)
    page.compare.runs.value = 200  # quick, and still several runs per scenario
    return page


def add_scenario(view: WhatIfView, name: str, **values) -> None:
    view.editor.picker.value = NEW
    view.editor.name.value = name
    for key, value in values.items():
        field = view.editor.fields.get(key) or view.editor.parameters[key]
        field.widget.value = value
    view.editor.save_button.click()
    assert "Saved the scenario" in view.editor.notice.value, view.editor.notice.value


@pytest.fixture
def compared(view: WhatIfView) -> WhatIfView:
    add_scenario(view, "A year", duration_months=12)
    view.compare.run_button.click()
    assert view.compare.notice.value == "", view.compare.notice.value
    return view


def test_the_page_is_registered_between_matching_and_launch() -> None:
    notebooks = [p.notebook for p in PAGES]
    assert notebooks.index("05_what_if") == notebooks.index("04_matching") + 1
    assert notebooks[notebooks.index("05_what_if") + 1] == "06_launch_and_support"


def test_the_editor_starts_from_the_design_and_shows_ranges_and_sources(view: WhatIfView) -> None:
    design = view.session.design.experience
    assert view.editor.fields["duration_months"].widget.value == design.duration_months
    assert view.editor.fields["cadence"].widget.value == design.cadence
    assert view.editor.fields["weight.skills"].widget.value == design.criteria["skills"]
    cohort_size = view.editor.fields["cohort_size"].widget
    assert cohort_size.value == "" and "everyone" in cohort_size.placeholder
    assert "No changes from the design yet" in view.editor.changes.value
    turnover = view.editor.parameters["turnover_reduction"]
    p = PARAMETERS["turnover_reduction"]
    assert turnover.widget.value == p.default and (turnover.widget.min, turnover.widget.max) == (0.0, p.high)
    assert f"plausible {p.low:g} to {p.high:g}" in turnover.note.value
    assert html.escape(p.source[:40]) in turnover.note.value and "Source:" in turnover.widget.tooltip
    editor = view.editor
    assert editor.picker.value == NEW and editor.name.value == "Alternative 1" and editor.delete_button.disabled
    assert "9 months" in view.editor.design_text.value
    # group size only matters for groups: hidden until the structure is group
    assert view.editor.fields["group_size"].row.layout.display == "none"
    view.editor.fields["structure"].widget.value = "group"
    assert view.editor.fields["group_size"].row.layout.display is None
    assert view.results.layout.display == "none" and "Run the comparison" in view.results.placeholder.value
    assert view.compare.runs.value == 200 and WhatIfView.__init__.__kwdefaults__["background"] is True
    assert DEFAULT_RUNS == 1000


def test_changes_are_listed_saved_in_the_workspace_and_loaded_again(view: WhatIfView) -> None:
    view.editor.fields["duration_months"].widget.value = 12
    view.editor.fields["cadence"].widget.value = "weekly"
    view.editor.parameters["turnover_reduction"].widget.value = 0.25
    view.editor.description.value = "longer and more often"
    assert "Duration: 9 → 12 months" in view.editor.changes.value
    assert "Meetings: Every two weeks → Weekly" in view.editor.changes.value
    assert "Turnover reduction: 0.35 → 0.25" in view.editor.changes.value
    assert "changed" in view.editor.fields["duration_months"].note.value and "Not saved" in view.editor.edit_hint.value
    revision = view.context.workspace.settings.revision
    view.editor.name.value = "Year, weekly"
    view.editor.save_button.click()
    assert view.context.workspace.settings.revision == revision + 1
    saved = list_scenarios(view.context.workspace)
    assert [s.name for s in saved] == ["Year, weekly"]
    assert saved[0].overrides == {"duration_months": 12, "cadence": "weekly"}
    assert saved[0].parameters == {"turnover_reduction": 0.25} and saved[0].description == "longer and more often"
    assert view.editor.picker.value == "Year, weekly" and not view.editor.delete_button.disabled
    assert view.compare.boxes["Year, weekly"].value
    # a new scenario starts from the design again; picking the saved one loads it
    view.editor.picker.value = NEW
    assert view.editor.fields["duration_months"].widget.value == 9 and view.editor.name.value == "Alternative 1"
    view.editor.picker.value = "Year, weekly"
    assert view.editor.fields["cadence"].widget.value == "weekly"
    assert view.editor.parameters["turnover_reduction"].widget.value == 0.25
    view.editor.reset_button.click()
    assert "No changes from the design yet" in view.editor.changes.value and view.editor.name.value == "Year, weekly"
    view.editor.picker.value = "Year, weekly"
    view.editor.delete_button.click()
    assert "Deleted the scenario" in view.editor.notice.value and list_scenarios(view.context.workspace) == []
    assert view.editor.picker.value == NEW and "Year, weekly" not in view.compare.boxes


def test_a_saved_assumption_beyond_the_plausible_range_is_kept(view: WhatIfView) -> None:
    save_scenario(open_workspace(view.context.workspace.path),
                  Scenario("Strong effect", parameters={"turnover_reduction": 0.9}))
    view.editor.reload_button.click()
    view.editor.picker.value = "Strong effect"
    slider = view.editor.parameters["turnover_reduction"].widget
    assert slider.value == 0.9 and slider.max >= 0.9
    assert view.session.current_scenario().parameters == {"turnover_reduction": 0.9}
    assert "Turnover reduction: 0.35 → 0.9" in view.editor.changes.value


def test_bad_values_are_refused_with_a_message(view: WhatIfView) -> None:
    view.editor.save_button.click()
    assert "changes nothing" in view.editor.notice.value
    view.editor.fields["budget"].widget.value = "lots"
    view.editor.save_button.click()
    assert "Budget: 'lots' is not a number" in html.unescape(view.editor.notice.value)
    view.editor.fields["budget"].widget.value = "40000"
    view.editor.name.value = "design"
    view.editor.save_button.click()
    assert "is the design itself" in view.editor.notice.value
    view.editor.name.value = ""
    view.editor.save_button.click()
    assert "Give the scenario a name" in view.editor.notice.value
    view.editor.name.value = "Budget"
    view.editor.fields["cohort_size"].widget.value = "12.5"
    view.editor.save_button.click()
    assert "Participants must be a whole number" in view.editor.notice.value
    view.editor.fields["cohort_size"].widget.value = "60"
    view.editor.save_button.click()
    assert list_scenarios(view.context.workspace)[0].overrides == {"cohort_size": 60, "budget": 40000.0}
    assert "Traceback" not in view.editor.notice.value


def test_a_stale_scenario_is_refused_and_can_be_saved_over_or_reloaded(view: WhatIfView) -> None:
    other = open_workspace(view.context.workspace.path)
    save_scenario(other, Scenario("From another tab", overrides={"cadence": "monthly"}))
    view.editor.fields["duration_months"].widget.value = 6
    view.editor.save_button.click()  # another scenario saved elsewhere does not stand in the way
    assert "Saved the scenario 'Alternative 1'" in html.unescape(view.editor.notice.value)
    save_scenario(open_workspace(view.context.workspace.path),
                  Scenario("Alternative 1", overrides={"cadence": "weekly"}))  # the same one, elsewhere
    view.editor.fields["duration_months"].widget.value = 12
    view.editor.save_button.click()
    notice = html.unescape(view.editor.notice.value)
    assert "the scenario file 'alternative-1' (now at revision 2, this copy at 1) was changed elsewhere" in notice
    assert "Nothing was saved" in notice and "wb-notice-error" in notice and "Save mine over it" in notice
    assert load_scenario(open_workspace(view.context.workspace.path), "Alternative 1").overrides == {"cadence": "weekly"}
    view.editor.save_over.click()
    assert "Saved the scenario 'Alternative 1'" in html.unescape(view.editor.notice.value)
    assert load_scenario(view.context.workspace, "Alternative 1").overrides["duration_months"] == 12
    view.editor.reload_button.click()
    assert "From another tab" in view.compare.boxes and "Read the saved scenarios again" in view.editor.notice.value


def test_running_a_comparison_shows_the_table_charts_and_captions(compared: WhatIfView) -> None:
    view = compared
    assert [r.name for r in view.session.results] == ["design", "A year"]
    assert view.results.layout.display is None and view.results.placeholder.layout.display == "none"
    summary = view.results.summary.value
    assert "200 simulated runs each" in summary and "model forecasts, not measurements" in summary
    assert "simulated comparison group of eligible non-participants" in view.results.summary.value
    table = view.results.kpi_table.value
    assert "The design (baseline)" in table and "<th>A year</th>" in table and "Matched participants" in table
    assert table.count("<tr>") == len(KPIS) + 2 and "P(better)" in table and re.search(r"pts \[-?\d", table)
    spec = view.results.effects.chart.to_dict()
    assert len(spec["vconcat"]) == 4 and "comparison group" in view.results.effects_caption.value
    view.results.effects_group.value = "money"
    assert "Program cost" in str(view.results.effects.chart.to_dict()) and "EUR" in view.results.effects_caption.value
    assert "nine runs in ten" in view.results.distribution_caption.value
    view.results.distribution_kpi.value = "meetings"
    assert "meetings held per participant" in str(view.results.distribution.chart.to_dict()["title"])
    assert "Still employed after 12 months" in view.results.survival_caption.value
    assert "Efficient:" in view.results.frontier_caption.value
    view.results.impact.value = "retention"
    assert "still employed" in view.results.frontier_caption.value
    assert "No budget is set" in view.results.budget_text.value
    assert view.compare.progress.layout.display == "none" and not view.compare.run_button.disabled


def test_the_baseline_can_be_another_scenario_and_six_is_the_most(view: WhatIfView) -> None:
    for k in range(1, 7):
        save_scenario(open_workspace(view.context.workspace.path), Scenario(f"S{k}", overrides={"duration_months": k + 2}))
    view.editor.reload_button.click()
    for box in view.compare.boxes.values():
        box.value = True
    view.compare.run_button.click()
    assert f"Tick at most {MAX_COMPARED - 1} scenarios besides the baseline" in view.compare.notice.value
    view.compare.baseline.value = "S3"
    boxes = view.compare.boxes
    assert boxes["S3"].disabled and boxes["S3"].value and not boxes["design"].disabled
    view.compare.boxes["design"].value = False
    view.compare.boxes["S1"].value = False
    view.compare.run_button.click()
    assert view.compare.notice.value == ""
    assert [r.name for r in view.session.results] == ["S3", "S2", "S4", "S5", "S6"]
    assert "S3 (baseline)" in view.results.kpi_table.value


def test_budget_in_a_scenario_shows_the_chance_of_staying_within_it(view: WhatIfView) -> None:
    add_scenario(view, "Capped", budget="30000")
    view.compare.run_button.click()
    assert "against a budget of 30,000; within the budget in" in view.results.budget_text.value


def test_cancel_stops_the_comparison_and_keeps_the_page_usable(view: WhatIfView) -> None:
    add_scenario(view, "Weekly", cadence="weekly")
    seen = []

    def cancel_on_first_step(change):
        seen.append(change["new"])
        if change["new"] == 1:
            view.compare.progress.cancel_button.click()

    view.compare.progress.bar.observe(cancel_on_first_step, names="value")
    view.compare.run_button.click()
    assert "Cancelled" in view.compare.notice.value and view.session.results == []
    assert seen and view.compare.progress.layout.display == "none" and not view.busy
    view.compare.progress.bar.unobserve(cancel_on_first_step, names="value")
    view.compare.run_button.click()
    assert len(view.session.results) == 2


def test_a_scenario_that_fails_is_named_and_the_others_shown(view: WhatIfView,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.whatif.run as run

    add_scenario(view, "Broken", duration_months=3)
    add_scenario(view, "Fine", duration_months=6)
    real = run.simulate_scenario

    def failing(cohort, design, scenario, **kwargs):
        if scenario.name == "Broken":
            raise WorkbenchError("the model cannot take this")
        return real(cohort, design, scenario, **kwargs)

    monkeypatch.setattr(run, "simulate_scenario", failing)
    view.compare.run_button.click()
    assert "wb-notice-warning" in view.compare.notice.value
    assert "Scenario &#x27;Broken&#x27;: the model cannot take this" in view.compare.notice.value
    assert [r.name for r in view.session.results] == ["design", "Fine"]


def test_a_design_that_cannot_be_simulated_is_explained(view: WhatIfView) -> None:
    view.session.tables = {**view.session.tables, "enrolment": view.session.tables["enrolment"].iloc[0:0]}
    view.compare.run_button.click()
    assert "wb-notice-error" in view.compare.notice.value and "Traceback" not in view.compare.notice.value
    assert "could not" not in view.compare.notice.value  # a WorkbenchError, in its own words
    assert view.session.results == [] and not view.busy


def test_background_runs_update_the_page_when_done(home: Path) -> None:
    context, _ = open_page("05_what_if")
    view = WhatIfView(context)  # background thread, as in the app
    view.compare.runs.value = 200
    view.compare.run_button.click()
    assert view.busy or view.session.results  # the click returns at once
    view.wait(60)
    deadline = time.monotonic() + 5
    while view.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r.name for r in view.session.results] == ["design"] and view.compare.notice.value == ""
    assert view.compare.progress.layout.display == "none" and not view.compare.run_button.disabled


def test_tornado_runs_on_demand_with_progress(view: WhatIfView) -> None:
    steps = []
    view.tornado.progress.bar.observe(lambda c: steps.append(c["new"]), names="value")
    assert view.tornado.chart.layout.display == "none"
    view.tornado.kpi.value = "retention"
    view.tornado.button.click()
    assert view.tornado.notice.value == "", view.tornado.notice.value
    # a matching for the design and one per value of the matching method, then the base and every variation
    assert steps and max(steps) == 3 + 1 + 2 * (len(PARAMETERS) + len(LEVERS))
    assert view.tornado.chart.layout.display is None and "matters most" in view.tornado.caption.value
    assert view.session.tornado_table.attrs["kpi"] == "retention"


def test_what_would_it_take_answers_in_a_sentence(view: WhatIfView) -> None:
    assert view.take.goal.value == "__kpi__"  # the demo design has no objectives with a baseline and target
    view.take.kpi.value = "meetings"
    assert "meetings" in view.take.target_unit.value and "at least" in view.take.target_unit.value
    view.take.target.value = 20
    view.take.setting.value = "duration_months"
    view.take.button.click()
    assert view.take.notice.value == "", view.take.notice.value
    sentence = view.session.answer_sentence(view.session.answer)
    assert sentence.startswith("It would take raising duration from 9 months to ") and "simulated cohorts" in sentence
    assert "then the goal (meetings held per participant at least 20.00 meetings) is reached in" in sentence
    assert view.session.answer.value > 9 and "Values tried" in view.take.answer.value
    view.take.kpi.value = "retention"
    view.take.target.value = 60
    view.take.button.click()
    sentence = view.session.answer_sentence(view.session.answer)
    assert sentence.startswith("No duration from 1 month to 36 months reaches the goal")


def test_an_objective_of_the_design_is_a_goal(home: Path) -> None:
    context, _ = open_page("05_what_if")
    design_text = (context.workspace.path / "design.yaml").read_text(encoding="utf-8") \
        if (context.workspace.path / "design.yaml").is_file() else ""
    from workbench.design.store import load_design, save_design
    from workbench.design.model import Objective

    design = load_design(context.workspace)
    align = design.align.model_copy(update={"objectives": (Objective(
        id="O1", statement="Keep more juniors", kind="retention", baseline=0.80, target=0.82, horizon_months=12),)})
    context.workspace = save_design(context.workspace, design.model_copy(update={"align": align}))
    view = WhatIfView(context, background=False)
    view.compare.runs.value = 200
    assert view.take.goal.value == "O1" and view.take.kpi.layout.display == "none"
    assert "This objective asks for participants still employed" in view.take.answer.value
    view.take.setting.value = "turnover_reduction"
    view.take.button.click()
    assert view.take.notice.value == "" and view.session.answer.target.objective == "O1"
    assert design_text is not None


def test_a_sweep_adds_points_to_cost_against_impact(compared: WhatIfView) -> None:
    view = compared
    view.results.sweep_setting.value = "cadence"
    assert view.results.sweep_values.value == "weekly, fortnightly, monthly"
    view.results.sweep_values.value = "Weekly, monthly"
    view.results.sweep_button.click()
    assert "Added 2 values of meetings" in view.results.notice.value
    rows = [r for rows in view.results.frontier.chart.to_dict()["datasets"].values() for r in rows if "status" in r]
    assert {r["scenario"] for r in rows} == {"The design", "A year", "Meetings Weekly", "Meetings Monthly"}  # no unit for choices
    view.results.sweep_setting.value = "duration_months"
    assert view.results.sweep_values.value == "4, 7, 14, 18"  # the baseline's 9 is on the chart already
    view.results.sweep_values.value = "6, 9, 12"
    view.results.sweep_button.click()  # 9 is the baseline itself: not added twice
    assert "Added 2 values of duration to the chart; 9 months is the baseline itself" in view.results.notice.value
    view.results.sweep_values.value = "6, x"
    view.results.sweep_button.click()
    assert "'x' is not a number" in html.unescape(view.results.notice.value)


def test_results_are_saved_for_the_brief(compared: WhatIfView) -> None:
    view = compared
    assert "No comparison is saved" in view.results.brief_status.value
    view.tornado.button.click()
    view.results.brief_button.click()
    notice = view.results.brief_notice.value
    assert "Saved the comparison" in notice and "What-if section" in notice
    record = saved_comparison(view.context.workspace)
    assert [s["name"] for s in record.scenarios] == ["design", "A year"]
    assert record.scenarios[1]["overrides"] == {"duration_months": 12} and record.tornado["kpi"] == "retention"
    assert record.tornado["scenario"] == "design"
    assert "The brief shows the comparison saved on" in view.results.brief_status.value
    text = (view.context.workspace.path / SAVED_COMPARISON).read_text(encoding="utf-8")
    assert json.loads(text) == record.to_json() and "person_id" not in text
    # another page's save of something else does not stand in the way; a comparison saved elsewhere does
    save_files(open_workspace(view.context.workspace.path), {"results/other.txt": "x"}, message="elsewhere")
    view.results.brief_button.click()
    assert "Saved the comparison" in view.results.brief_notice.value
    save_files(open_workspace(view.context.workspace.path), {SAVED_COMPARISON: "{}"}, message="elsewhere")
    view.results.brief_button.click()
    assert "changed elsewhere" in view.results.brief_notice.value and view.results.brief_over.layout.display is None
    view.results.brief_over.click()
    assert saved_comparison(view.context.workspace) == record


def test_a_workspace_without_enrolment_explains_why(home: Path) -> None:
    context, _ = open_page("05_what_if")
    context.workspace = create_workspace("Empty")
    shown = show_page(WhatIfView, context)
    assert isinstance(shown, Notice) and "needs people.csv and enrolment.csv" in shown.value


def test_errors_in_callbacks_never_escape(view: WhatIfView, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.sessions.whatif as module

    def broken(*args, **kwargs):
        raise KeyError("internal detail")

    monkeypatch.setattr(module, "run_scenarios", broken)
    view.compare.run_button.click()
    notice = view.compare.notice.value
    assert "could not run the comparison" in notice and "internal detail" not in notice
    assert not view.busy and not view.compare.run_button.disabled
    with pytest.raises(WorkbenchError):
        view.session.scenario("nope")


def test_find_better_designs_shows_the_frontier_side_by_side_and_saves_one(view: WhatIfView) -> None:
    view.search.size.value, view.search.runs.value = 50, 100
    steps = []
    view.search.progress.bar.observe(lambda c: steps.append(c["new"]), names="value")
    view.search.button.click()
    assert view.search.notice.value == "", view.search.notice.value
    assert steps and max(steps) == 50
    found = view.session.optimisation
    assert found is not None and not found.frontier().empty
    table = view.search.results.children[0].value
    assert "Cost" in table and "Exits avoided" in table and "→" in table and "designs tried" in table
    buttons = {b.description: b for b in view.search.results.children[1].children}
    opens = [d for d in buttons if d.startswith("Open #")]
    saves = [d for d in buttons if d.startswith("Save #")]
    assert opens and len(saves) == len(opens)
    # open one in the editor: its settings show there, nothing is saved
    before = view.context.workspace.settings.revision
    buttons[opens[-1]].click()
    assert view.editor.name.value.startswith("Optimiser #") and view.context.workspace.settings.revision == before
    assert "Opened in the scenario editor" in view.search.notice.value
    # one click saves it as a scenario, ticked for the comparison
    buttons[saves[0]].click()
    saved = view.session.saved[-1] if view.session.saved else None
    assert saved is not None and saved.name.startswith("Optimiser #") and "optimiser" in saved.description
    assert saved.name in view.session.ticked and view.context.workspace.settings.revision == before + 1


def test_find_better_designs_says_which_constraint_binds(view: WhatIfView) -> None:
    view.search.budget.value = "100"
    view.search.size.value, view.search.runs.value = 50, 100
    view.search.button.click()
    assert "binds most often is the budget" in view.search.notice.value
    assert "No design tried keeps within every constraint" in view.search.results.children[0].value
    view.search.budget.value = "lots"
    view.search.button.click()
    assert "Budget: &#x27;lots&#x27; is not a number" in view.search.notice.value


def test_all_programs_are_forecast_together_in_their_own_section(tiers: Path) -> None:
    context, _ = open_page("05_what_if")
    view = WhatIfView(context, background=False)
    view.compare.runs.value = 200
    assert view.programs.layout.display != "none" and "All programs" in view.programs.children[0].value
    assert "Not modelled" in view.programs.children[0].value
    note = view.children[0].value
    assert "simulates the program peer alone" in note and "The All programs section below" in note
    assert view.programs.chart.layout.display == "none"  # no empty chart before a forecast
    view.programs.button.click()
    assert view.programs.chart.layout.display != "none"
    assert view.programs.notice.value == "", view.programs.notice.value
    found = view.session.programs_forecast
    assert list(found.results) == ["main", "peer"] and found.runs == 200
    shown = view.programs.table.value
    assert "All programs" in shown and "Exits avoided [95% interval]" in shown and "(jointly)" in shown
    total = found.table().set_index("program").loc["All programs"]
    assert total["mentees"] == len(set(found.match.results["main"].pool.mentees["person_id"])
                                   | set(found.match.results["peer"].pool.mentees["person_id"]))  # each once
    assert f"{total['exits_avoided']:,.2f} [" in shown
    assert "P(within budget)" not in shown  # the demo's designs set no budget
    chart = view.programs.chart.chart.to_dict()
    assert {"main", "peer", "All programs"} <= {r.get("program") for rows in chart["datasets"].values() for r in rows}
    assert "All programs:" in view.programs.caption.value
    # priority order; a bad order is refused in the section's own notice
    view.programs.how.mode.value = "priority"
    view.programs.how.order.value = "peer, main"
    view.programs.button.click()
    assert "priority order peer &gt; main" in view.programs.table.value
    view.programs.how.order.value = "peer"
    view.programs.button.click()
    assert "must name every program" in view.programs.notice.value and not view.busy


def test_a_workspace_of_one_program_has_no_all_programs_section(view: WhatIfView) -> None:
    assert view.programs.layout.display == "none" and view.programs.button is None
    assert view.programs.button not in view.job.buttons
