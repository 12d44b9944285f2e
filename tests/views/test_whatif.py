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
from workbench.views.whatif import DEFAULT_RUNS, MAX_COMPARED, NEW, WhatIfView
from workbench.whatif import Scenario, list_scenarios, load_scenario, save_scenario
from workbench.whatif.saved import SAVED_COMPARISON, saved_comparison
from workbench.workspace import create_workspace, open_workspace, save_files

from .test_programs import tiers  # noqa: F401 - a fixture: the demo with a peer tier, opened as ?program=peer


@pytest.fixture
def view(home: Path) -> WhatIfView:
    context, _ = open_page("05_what_if")
    page = WhatIfView(context, background=False)
    page.runs.value = 200  # quick, and still several runs per scenario
    return page


def add_scenario(view: WhatIfView, name: str, **values) -> None:
    view.picker.value = NEW
    view.name.value = name
    for key, value in values.items():
        field = view.fields.get(key) or view.parameters[key]
        field.widget.value = value
    view.save_button.click()
    assert "Saved the scenario" in view.notice.value, view.notice.value


@pytest.fixture
def compared(view: WhatIfView) -> WhatIfView:
    add_scenario(view, "A year", duration_months=12)
    view.run_button.click()
    assert view.run_notice.value == "", view.run_notice.value
    return view


def test_the_page_is_registered_between_matching_and_launch() -> None:
    notebooks = [p.notebook for p in PAGES]
    assert notebooks.index("05_what_if") == notebooks.index("04_matching") + 1
    assert notebooks[notebooks.index("05_what_if") + 1] == "06_launch_and_support"


def test_the_editor_starts_from_the_design_and_shows_ranges_and_sources(view: WhatIfView) -> None:
    design = view.design.experience
    assert view.fields["duration_months"].widget.value == design.duration_months
    assert view.fields["cadence"].widget.value == design.cadence
    assert view.fields["weight.skills"].widget.value == design.criteria["skills"]
    assert view.fields["cohort_size"].widget.value == "" and "everyone" in view.fields["cohort_size"].widget.placeholder
    assert "No changes from the design yet" in view.changes.value
    turnover = view.parameters["turnover_reduction"]
    p = PARAMETERS["turnover_reduction"]
    assert turnover.widget.value == p.default and (turnover.widget.min, turnover.widget.max) == (0.0, p.high)
    assert f"plausible {p.low:g} to {p.high:g}" in turnover.note.value
    assert html.escape(p.source[:40]) in turnover.note.value and "Source:" in turnover.widget.tooltip
    assert view.picker.value == NEW and view.name.value == "Alternative 1" and view.delete_button.disabled
    assert "9 months" in view.design_text.value
    # group size only matters for groups: hidden until the structure is group
    assert view.fields["group_size"].row.layout.display == "none"
    view.fields["structure"].widget.value = "group"
    assert view.fields["group_size"].row.layout.display is None
    assert view.results_box.layout.display == "none" and "Run the comparison" in view.placeholder.value
    assert view.runs.value == 200 and WhatIfView.__init__.__kwdefaults__["background"] is True
    assert DEFAULT_RUNS == 1000


def test_changes_are_listed_saved_in_the_workspace_and_loaded_again(view: WhatIfView) -> None:
    view.fields["duration_months"].widget.value = 12
    view.fields["cadence"].widget.value = "weekly"
    view.parameters["turnover_reduction"].widget.value = 0.25
    view.description.value = "longer and more often"
    assert "Duration: 9 → 12 months" in view.changes.value
    assert "Meetings: Every two weeks → Weekly" in view.changes.value
    assert "Turnover reduction: 0.35 → 0.25" in view.changes.value
    assert "changed" in view.fields["duration_months"].note.value and "Not saved" in view.edit_hint.value
    revision = view.context.workspace.settings.revision
    view.name.value = "Year, weekly"
    view.save_button.click()
    assert view.context.workspace.settings.revision == revision + 1
    saved = list_scenarios(view.context.workspace)
    assert [s.name for s in saved] == ["Year, weekly"]
    assert saved[0].overrides == {"duration_months": 12, "cadence": "weekly"}
    assert saved[0].parameters == {"turnover_reduction": 0.25} and saved[0].description == "longer and more often"
    assert view.picker.value == "Year, weekly" and not view.delete_button.disabled
    assert view._boxes["Year, weekly"].value
    # a new scenario starts from the design again; picking the saved one loads it
    view.picker.value = NEW
    assert view.fields["duration_months"].widget.value == 9 and view.name.value == "Alternative 1"
    view.picker.value = "Year, weekly"
    assert view.fields["cadence"].widget.value == "weekly" and view.parameters["turnover_reduction"].widget.value == 0.25
    view.reset_button.click()
    assert "No changes from the design yet" in view.changes.value and view.name.value == "Year, weekly"
    view.picker.value = "Year, weekly"
    view.delete_button.click()
    assert "Deleted the scenario" in view.notice.value and list_scenarios(view.context.workspace) == []
    assert view.picker.value == NEW and "Year, weekly" not in view._boxes


def test_a_saved_assumption_beyond_the_plausible_range_is_kept(view: WhatIfView) -> None:
    save_scenario(open_workspace(view.context.workspace.path),
                  Scenario("Strong effect", parameters={"turnover_reduction": 0.9}))
    view.reload_button.click()
    view.picker.value = "Strong effect"
    slider = view.parameters["turnover_reduction"].widget
    assert slider.value == 0.9 and slider.max >= 0.9
    assert view.current_scenario().parameters == {"turnover_reduction": 0.9}
    assert "Turnover reduction: 0.35 → 0.9" in view.changes.value


def test_bad_values_are_refused_with_a_message(view: WhatIfView) -> None:
    view.save_button.click()
    assert "changes nothing" in view.notice.value
    view.fields["budget"].widget.value = "lots"
    view.save_button.click()
    assert "Budget: 'lots' is not a number" in html.unescape(view.notice.value)
    view.fields["budget"].widget.value = "40000"
    view.name.value = "design"
    view.save_button.click()
    assert "is the design itself" in view.notice.value
    view.name.value = ""
    view.save_button.click()
    assert "Give the scenario a name" in view.notice.value
    view.name.value = "Budget"
    view.fields["cohort_size"].widget.value = "12.5"
    view.save_button.click()
    assert "Participants must be a whole number" in view.notice.value
    view.fields["cohort_size"].widget.value = "60"
    view.save_button.click()
    assert list_scenarios(view.context.workspace)[0].overrides == {"cohort_size": 60, "budget": 40000.0}
    assert "Traceback" not in view.notice.value


def test_a_stale_scenario_is_refused_and_can_be_saved_over_or_reloaded(view: WhatIfView) -> None:
    other = open_workspace(view.context.workspace.path)
    save_scenario(other, Scenario("From another tab", overrides={"cadence": "monthly"}))
    view.fields["duration_months"].widget.value = 6
    view.save_button.click()  # another scenario saved elsewhere does not stand in the way
    assert "Saved the scenario 'Alternative 1'" in html.unescape(view.notice.value)
    save_scenario(open_workspace(view.context.workspace.path),
                  Scenario("Alternative 1", overrides={"cadence": "weekly"}))  # the same one, elsewhere
    view.fields["duration_months"].widget.value = 12
    view.save_button.click()
    notice = html.unescape(view.notice.value)
    assert "the scenario file 'alternative-1' (now at revision 2, this copy at 1) was changed elsewhere" in notice
    assert "Nothing was saved" in notice and "wb-notice-error" in notice and "Save mine over it" in notice
    assert load_scenario(open_workspace(view.context.workspace.path), "Alternative 1").overrides == {"cadence": "weekly"}
    view.save_over.click()
    assert "Saved the scenario 'Alternative 1'" in html.unescape(view.notice.value)
    assert load_scenario(view.context.workspace, "Alternative 1").overrides["duration_months"] == 12
    view.reload_button.click()
    assert "From another tab" in view._boxes and "Read the saved scenarios again" in view.notice.value


def test_running_a_comparison_shows_the_table_charts_and_captions(compared: WhatIfView) -> None:
    view = compared
    assert [r.name for r in view.results] == ["design", "A year"]
    assert view.results_box.layout.display is None and view.placeholder.layout.display == "none"
    assert "200 simulated runs each" in view.summary.value and "model forecasts, not measurements" in view.summary.value
    assert "simulated comparison group of eligible non-participants" in view.summary.value
    table = view.kpi_table.value
    assert "The design (baseline)" in table and "<th>A year</th>" in table and "Matched participants" in table
    assert table.count("<tr>") == len(KPIS) + 2 and "P(better)" in table and re.search(r"pts \[-?\d", table)
    spec = view.effects.chart.to_dict()
    assert len(spec["vconcat"]) == 4 and "comparison group" in view.effects_caption.value
    view.effects_group.value = "money"
    assert "Program cost" in str(view.effects.chart.to_dict()) and "EUR" in view.effects_caption.value
    assert "nine runs in ten" in view.distribution_caption.value
    view.distribution_kpi.value = "meetings"
    assert "meetings held per participant" in str(view.distribution.chart.to_dict()["title"])
    assert "Still employed after 12 months" in view.survival_caption.value
    assert "Efficient:" in view.frontier_caption.value
    view.impact.value = "retention"
    assert "still employed" in view.frontier_caption.value
    assert "No budget is set" in view.budget_text.value
    assert view.run_progress.layout.display == "none" and not view.run_button.disabled


def test_the_baseline_can_be_another_scenario_and_six_is_the_most(view: WhatIfView) -> None:
    for k in range(1, 7):
        save_scenario(open_workspace(view.context.workspace.path), Scenario(f"S{k}", overrides={"duration_months": k + 2}))
    view.reload_button.click()
    for box in view._boxes.values():
        box.value = True
    view.run_button.click()
    assert f"Tick at most {MAX_COMPARED - 1} scenarios besides the baseline" in view.run_notice.value
    view.baseline.value = "S3"
    assert view._boxes["S3"].disabled and view._boxes["S3"].value and not view._boxes["design"].disabled
    view._boxes["design"].value = False
    view._boxes["S1"].value = False
    view.run_button.click()
    assert view.run_notice.value == ""
    assert [r.name for r in view.results] == ["S3", "S2", "S4", "S5", "S6"]
    assert "S3 (baseline)" in view.kpi_table.value


def test_budget_in_a_scenario_shows_the_chance_of_staying_within_it(view: WhatIfView) -> None:
    add_scenario(view, "Capped", budget="30000")
    view.run_button.click()
    assert "against a budget of 30,000; within the budget in" in view.budget_text.value


def test_cancel_stops_the_comparison_and_keeps_the_page_usable(view: WhatIfView) -> None:
    add_scenario(view, "Weekly", cadence="weekly")
    seen = []

    def cancel_on_first_step(change):
        seen.append(change["new"])
        if change["new"] == 1:
            view.run_progress.cancel_button.click()

    view.run_progress.bar.observe(cancel_on_first_step, names="value")
    view.run_button.click()
    assert "Cancelled" in view.run_notice.value and view.results == []
    assert seen and view.run_progress.layout.display == "none" and not view.busy
    view.run_progress.bar.unobserve(cancel_on_first_step, names="value")
    view.run_button.click()
    assert len(view.results) == 2


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
    view.run_button.click()
    assert "wb-notice-warning" in view.run_notice.value
    assert "Scenario &#x27;Broken&#x27;: the model cannot take this" in view.run_notice.value
    assert [r.name for r in view.results] == ["design", "Fine"]


def test_a_design_that_cannot_be_simulated_is_explained(view: WhatIfView) -> None:
    view.tables = {**view.tables, "enrolment": view.tables["enrolment"].iloc[0:0]}
    view.run_button.click()
    assert "wb-notice-error" in view.run_notice.value and "Traceback" not in view.run_notice.value
    assert "could not" not in view.run_notice.value  # a WorkbenchError, in its own words
    assert view.results == [] and not view.busy


def test_background_runs_update_the_page_when_done(home: Path) -> None:
    context, _ = open_page("05_what_if")
    view = WhatIfView(context)  # background thread, as in the app
    view.runs.value = 200
    view.run_button.click()
    assert view.busy or view.results  # the click returns at once
    view.wait(60)
    deadline = time.monotonic() + 5
    while view.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r.name for r in view.results] == ["design"] and view.run_notice.value == ""
    assert view.run_progress.layout.display == "none" and not view.run_button.disabled


def test_tornado_runs_on_demand_with_progress(view: WhatIfView) -> None:
    steps = []
    view.tornado_progress.bar.observe(lambda c: steps.append(c["new"]), names="value")
    assert view.tornado_chart.layout.display == "none"
    view.tornado_kpi.value = "retention"
    view.tornado_button.click()
    assert view.tornado_notice.value == "", view.tornado_notice.value
    # a matching for the design and one per value of the matching method, then the base and every variation
    assert steps and max(steps) == 3 + 1 + 2 * (len(PARAMETERS) + len(LEVERS))
    assert view.tornado_chart.layout.display is None and "matters most" in view.tornado_caption.value
    assert view.tornado_table.attrs["kpi"] == "retention"


def test_what_would_it_take_answers_in_a_sentence(view: WhatIfView) -> None:
    assert view.goal.value == "__kpi__"  # the demo design has no objectives with a baseline and target
    view.take_kpi.value = "meetings"
    assert "meetings" in view.target_unit.value and "at least" in view.target_unit.value
    view.target.value = 20
    view.take_setting.value = "duration_months"
    view.take_button.click()
    assert view.take_notice.value == "", view.take_notice.value
    sentence = view.answer_sentence(view.answer)
    assert sentence.startswith("It would take raising duration from 9 months to ") and "simulated cohorts" in sentence
    assert "then the goal (meetings held per participant at least 20.00 meetings) is reached in" in sentence
    assert view.answer.value > 9 and "Values tried" in view.take_answer.value
    view.take_kpi.value = "retention"
    view.target.value = 60
    view.take_button.click()
    assert view.answer_sentence(view.answer).startswith("No duration from 1 month to 36 months reaches the goal")


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
    view.runs.value = 200
    assert view.goal.value == "O1" and view.take_kpi.layout.display == "none"
    assert "This objective asks for participants still employed" in view.take_answer.value
    view.take_setting.value = "turnover_reduction"
    view.take_button.click()
    assert view.take_notice.value == "" and view.answer.target.objective == "O1"
    assert design_text is not None


def test_a_sweep_adds_points_to_cost_against_impact(compared: WhatIfView) -> None:
    view = compared
    view.sweep_setting.value = "cadence"
    assert view.sweep_values.value == "weekly, fortnightly, monthly"
    view.sweep_values.value = "Weekly, monthly"
    view.sweep_button.click()
    assert "Added 2 values of meetings" in view.frontier_notice.value
    rows = [r for rows in view.frontier.chart.to_dict()["datasets"].values() for r in rows if "status" in r]
    assert {r["scenario"] for r in rows} == {"The design", "A year", "Meetings Weekly", "Meetings Monthly"}  # no unit for choices
    view.sweep_setting.value = "duration_months"
    assert view.sweep_values.value == "4, 7, 14, 18"  # the baseline's 9 is on the chart already
    view.sweep_values.value = "6, 9, 12"
    view.sweep_button.click()  # 9 is the baseline itself: not added twice
    assert "Added 2 values of duration to the chart; 9 months is the baseline itself" in view.frontier_notice.value
    view.sweep_values.value = "6, x"
    view.sweep_button.click()
    assert "'x' is not a number" in html.unescape(view.frontier_notice.value)


def test_results_are_saved_for_the_brief(compared: WhatIfView) -> None:
    view = compared
    assert "No comparison is saved" in view.brief_status.value
    view.tornado_button.click()
    view.brief_button.click()
    assert "Saved the comparison" in view.brief_notice.value and "What-if section" in view.brief_notice.value
    record = saved_comparison(view.context.workspace)
    assert [s["name"] for s in record.scenarios] == ["design", "A year"]
    assert record.scenarios[1]["overrides"] == {"duration_months": 12} and record.tornado["kpi"] == "retention"
    assert record.tornado["scenario"] == "design"
    assert "The brief shows the comparison saved on" in view.brief_status.value
    text = (view.context.workspace.path / SAVED_COMPARISON).read_text(encoding="utf-8")
    assert json.loads(text) == record.to_json() and "person_id" not in text
    # another page's save of something else does not stand in the way; a comparison saved elsewhere does
    save_files(open_workspace(view.context.workspace.path), {"results/other.txt": "x"}, message="elsewhere")
    view.brief_button.click()
    assert "Saved the comparison" in view.brief_notice.value
    save_files(open_workspace(view.context.workspace.path), {SAVED_COMPARISON: "{}"}, message="elsewhere")
    view.brief_button.click()
    assert "changed elsewhere" in view.brief_notice.value and view.brief_over.layout.display is None
    view.brief_over.click()
    assert saved_comparison(view.context.workspace) == record


def test_a_workspace_without_enrolment_explains_why(home: Path) -> None:
    context, _ = open_page("05_what_if")
    context.workspace = create_workspace("Empty")
    shown = show_page(WhatIfView, context)
    assert isinstance(shown, Notice) and "needs people.csv and enrolment.csv" in shown.value


def test_errors_in_callbacks_never_escape(view: WhatIfView, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.views.whatif as module

    def broken(*args, **kwargs):
        raise KeyError("internal detail")

    monkeypatch.setattr(module, "run_scenarios", broken)
    view.run_button.click()
    assert "could not run the comparison" in view.run_notice.value and "internal detail" not in view.run_notice.value
    assert not view.busy and not view.run_button.disabled
    with pytest.raises(WorkbenchError):
        view._scenario("nope")


def test_find_better_designs_shows_the_frontier_side_by_side_and_saves_one(view: WhatIfView) -> None:
    view.search_size.value, view.search_runs.value = 50, 100
    steps = []
    view.search_progress.bar.observe(lambda c: steps.append(c["new"]), names="value")
    view.search_button.click()
    assert view.search_notice.value == "", view.search_notice.value
    assert steps and max(steps) == 50
    found = view.optimisation
    assert found is not None and not found.frontier().empty
    table = view.search_results.children[0].value
    assert "Cost" in table and "Exits avoided" in table and "→" in table and "designs tried" in table
    buttons = {b.description: b for b in view.search_results.children[1].children}
    opens = [d for d in buttons if d.startswith("Open #")]
    saves = [d for d in buttons if d.startswith("Save #")]
    assert opens and len(saves) == len(opens)
    # open one in the editor: its settings show there, nothing is saved
    before = view.context.workspace.settings.revision
    buttons[opens[-1]].click()
    assert view.name.value.startswith("Optimiser #") and view.context.workspace.settings.revision == before
    assert "Opened in the scenario editor" in view.search_notice.value
    # one click saves it as a scenario, ticked for the comparison
    buttons[saves[0]].click()
    saved = view.saved[-1] if view.saved else None
    assert saved is not None and saved.name.startswith("Optimiser #") and "optimiser" in saved.description
    assert saved.name in view._ticked() and view.context.workspace.settings.revision == before + 1


def test_find_better_designs_says_which_constraint_binds(view: WhatIfView) -> None:
    view.search_budget.value = "100"
    view.search_size.value, view.search_runs.value = 50, 100
    view.search_button.click()
    assert "binds most often is the budget" in view.search_notice.value
    assert "No design tried keeps within every constraint" in view.search_results.children[0].value
    view.search_budget.value = "lots"
    view.search_button.click()
    assert "Budget: &#x27;lots&#x27; is not a number" in view.search_notice.value


def test_all_programs_are_forecast_together_in_their_own_section(tiers: Path) -> None:
    context, _ = open_page("05_what_if")
    view = WhatIfView(context, background=False)
    view.runs.value = 200
    assert view.programs_box.layout.display != "none" and "All programs" in view.programs_box.children[0].value
    assert "Not modelled" in view.programs_box.children[0].value
    note = view.children[0].value
    assert "simulates the program peer alone" in note and "The All programs section below" in note
    assert view.programs_chart.layout.display == "none"  # no empty chart before a forecast
    view.programs_button.click()
    assert view.programs_chart.layout.display != "none"
    assert view.programs_notice.value == "", view.programs_notice.value
    found = view.programs_forecast
    assert list(found.results) == ["main", "peer"] and found.runs == 200
    shown = view.programs_table.value
    assert "All programs" in shown and "Exits avoided [95% interval]" in shown and "(jointly)" in shown
    total = found.table().set_index("program").loc["All programs"]
    assert total["mentees"] == len(set(found.match.results["main"].pool.mentees["person_id"])
                                   | set(found.match.results["peer"].pool.mentees["person_id"]))  # each once
    assert f"{total['exits_avoided']:,.2f} [" in shown
    assert "P(within budget)" not in shown  # the demo's designs set no budget
    chart = view.programs_chart.chart.to_dict()
    assert {"main", "peer", "All programs"} <= {r.get("program") for rows in chart["datasets"].values() for r in rows}
    assert "All programs:" in view.programs_caption.value
    # priority order; a bad order is refused in the section's own notice
    view.programs_how.mode.value = "priority"
    view.programs_how.order.value = "peer, main"
    view.programs_button.click()
    assert "priority order peer &gt; main" in view.programs_table.value
    view.programs_how.order.value = "peer"
    view.programs_button.click()
    assert "must name every program" in view.programs_notice.value and not view.busy


def test_a_workspace_of_one_program_has_no_all_programs_section(view: WhatIfView) -> None:
    assert view.programs_box.layout.display == "none" and view.programs_button is None
    assert view.programs_button not in view._job_buttons
