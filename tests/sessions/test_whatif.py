"""The What-if page's session without widgets: edit, check, save and delete scenarios, compare, sweep, brief."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import WorkbenchError
from workbench.sessions.whatif import BASELINE_NAME, NEW, WhatIfSession, entry_value
from workbench.whatif import MAX_COMPARED, Scenario, list_scenarios, save_scenario
from workbench.whatif.saved import saved_comparison
from workbench.workspace import open_workspace

RUNS = 200  # quick, and still several runs per scenario


@pytest.fixture
def session(demo_data_only: Path) -> WhatIfSession:
    """The demo's tables with a new design and nothing saved, in a copy of the demo in a temporary home."""
    return WhatIfSession(open_workspace(demo_data_only))


def compare(session: WhatIfSession) -> list[str]:
    scenarios = session.compared_scenarios()
    batch = session.comparison(scenarios, RUNS, 0)
    failed = session.store_comparison(scenarios, batch, RUNS, 0, seconds=1.0)
    assert failed == {}
    return [r.name for r in session.results]


def test_the_editor_starts_from_the_design(session: WhatIfSession) -> None:
    experience = session.design.experience
    assert session.picked == NEW and session.name == "Alternative 1" and session.loaded is None
    assert session.value("duration_months") == experience.duration_months == 9
    assert session.entries["cohort_size"] == "" and session.value("cohort_size") is None
    assert session.change_items() == [] and session.status == ""
    assert not session.visible("group_size")
    session.enter("structure", "group")
    assert session.visible("group_size") and session.status == "unsaved"


def test_edited_values_make_a_scenario_and_are_listed(session: WhatIfSession) -> None:
    session.enter("duration_months", 12)
    session.enter("cadence", "weekly")
    session.enter("turnover_reduction", 0.25)
    session.enter("budget", "40,000")
    session.description = "longer and more often"
    assert session.change_items() == ["Duration: 9 → 12 months", "Meetings: Every two weeks → Weekly",
                                      "Budget: none → 40,000 EUR", "Turnover reduction: 0.35 → 0.25"]
    scenario = session.current_scenario()
    assert scenario.overrides == {"duration_months": 12, "cadence": "weekly", "budget": 40000.0}
    assert scenario.parameters == {"turnover_reduction": 0.25} and scenario.description == "longer and more often"
    described = session.describe_changes(scenario)
    assert described.startswith("Duration: 9 → 12 months; Meetings: Every two weeks → Weekly")


def test_bad_values_are_refused_with_the_pages_words(session: WhatIfSession) -> None:
    with pytest.raises(WorkbenchError, match="changes nothing"):
        session.scenario_to_save()
    session.enter("budget", "lots")
    assert "Budget: 'lots' is not a number." in session.change_items()
    with pytest.raises(WorkbenchError, match="Budget: 'lots' is not a number"):
        session.scenario_to_save()
    session.enter("budget", "40000")
    session.name = "design"
    with pytest.raises(WorkbenchError, match="is the design itself"):
        session.scenario_to_save()
    session.name = " "
    with pytest.raises(WorkbenchError, match="Give the scenario a name"):
        session.scenario_to_save()
    session.name = "Budget"
    session.enter("cohort_size", "12.5")
    with pytest.raises(WorkbenchError, match="Participants must be a whole number, not '12.5'"):
        session.scenario_to_save()
    session.enter("cohort_size", "60")
    assert session.scenario_to_save().overrides == {"cohort_size": 60, "budget": 40000.0}
    assert entry_value("horizon_months", " ") is None and entry_value("cadence", "weekly") == "weekly"


def test_scenarios_are_saved_ticked_opened_reset_and_deleted(session: WhatIfSession) -> None:
    revision = session.workspace.settings.revision
    session.enter("duration_months", 12)
    session.name = "A year"
    message = session.save(session.scenario_to_save())
    assert message.startswith("Saved the scenario 'A year' in the workspace.") and session.status == "saved"
    assert session.workspace.settings.revision == revision + 1
    assert [s.name for s in list_scenarios(session.workspace)] == ["A year"] == [s.name for s in session.saved]
    assert session.picked == "A year" and session.loaded.name == "A year"
    assert session.choices == [BASELINE_NAME, "A year"] and session.ticked == [BASELINE_NAME, "A year"]
    session.open(NEW)
    assert session.value("duration_months") == 9 and session.name == "Alternative 1" and session.loaded is None
    session.open("A year")
    assert session.value("duration_months") == 12
    session.reset()
    assert session.change_items() == [] and session.name == "A year" and session.status == "unsaved"
    session.open("A year")
    assert session.delete() == "Deleted the scenario 'A year' from the workspace."
    assert list_scenarios(session.workspace) == [] and session.picked == NEW
    assert session.choices == [BASELINE_NAME] and session.ticked == [BASELINE_NAME]
    with pytest.raises(WorkbenchError, match="Pick a saved scenario to delete"):
        session.delete()
    with pytest.raises(WorkbenchError, match="no saved scenario called 'A year' any more"):
        session.scenario("A year")


def test_at_most_six_scenarios_are_compared_the_baseline_first(session: WhatIfSession) -> None:
    for k in range(1, 7):
        save_scenario(open_workspace(session.workspace.path), Scenario(f"S{k}", overrides={"duration_months": k + 2}))
    assert session.reload() == "Read the saved scenarios again from the workspace."
    assert session.ticked == [BASELINE_NAME]  # a reload keeps what was ticked
    for k in range(1, 7):
        session.set_ticked(f"S{k}", True)
    with pytest.raises(WorkbenchError, match=f"Tick at most {MAX_COMPARED - 1} scenarios besides the baseline"):
        session.compared_scenarios()
    session.choose_baseline("S3")
    session.set_ticked("S3", False)  # the baseline stays ticked
    session.set_ticked(BASELINE_NAME, False)
    session.set_ticked("S1", False)
    assert [s.name for s in session.compared_scenarios()] == ["S3", "S2", "S4", "S5", "S6"]


def test_a_comparison_and_a_sweep_of_one_setting(session: WhatIfSession) -> None:
    with pytest.raises(WorkbenchError, match="Run the comparison first"):
        session.sweep_values("duration_months", "6, 12")
    session.enter("duration_months", 12)
    session.name = "A year"
    session.save(session.scenario_to_save())
    assert compare(session) == [BASELINE_NAME, "A year"]
    assert [s.name for s in session.compared] == [BASELINE_NAME, "A year"]
    assert session.last_run == {"runs": RUNS, "seed": 0, "seconds": 1.0}
    assert set(session.named_table()["scenario"]) == {"The design", "A year"}
    assert set(session.survival()["scenario"]) == set(session.distribution("retention")["scenario"])
    assert session.budgets() == [(BASELINE_NAME, None), ("A year", None)]  # the demo's new design sets no budget
    assert session.sweep_suggestion("duration_months") == "4, 7, 14, 18"
    assert session.sweep_suggestion("cadence") == "weekly, fortnightly, monthly"
    assert session.sweep_values("cadence", "Weekly, monthly") == ["weekly", "monthly"]
    with pytest.raises(WorkbenchError, match="'x' is not a number: give duration values separated by commas"):
        session.sweep_values("duration_months", "6, x")
    with pytest.raises(WorkbenchError, match="Meetings cannot be daily"):
        session.sweep_values("cadence", "daily")
    values = session.sweep_values("duration_months", "6, 9, 12")
    steps = []
    table = session.sweep("duration_months", values, progress=lambda done, total, _what: steps.append(done))
    message, kind = session.store_sweep("duration_months", values, table, seconds=2.0)
    assert steps and kind == "success"
    assert message == "Added 2 values of duration to the chart; 9 months is the baseline itself, already on the " \
                      "chart (2.0 s)."
    assert list(session.sweep_table["scenario"]) == ["Duration 6 months", "Duration 12 months"]
    assert {"The design", "A year", "Duration 6 months"} <= set(session.frontier_table("exits")["scenario"])


def test_the_comparison_is_saved_for_the_brief(session: WhatIfSession) -> None:
    assert session.brief is None and session.brief_problem == ""
    with pytest.raises(WorkbenchError, match="Run the comparison first: there are no results to save"):
        session.brief_record()
    compare(session)
    record = session.brief_record()
    assert session.save_brief(record).startswith("Saved the comparison in the workspace (results/whatif.json).")
    assert saved_comparison(open_workspace(session.workspace.path)) == record == session.brief
    assert [s["name"] for s in record.scenarios] == [BASELINE_NAME]


def test_what_it_would_take_is_said_in_one_sentence(session: WhatIfSession) -> None:
    assert session.goals() == [("A target I set for one figure", "__kpi__")]  # no objective the model simulates
    answer = session.what_it_takes("duration_months", {"kpi": "meetings", "target": 20.0}, 0.6,
                                   session.scenario(BASELINE_NAME), RUNS, 0)
    sentence = session.answer_sentence(answer)
    assert sentence.startswith("It would take raising duration from 9 months to ") and answer.value > 9
