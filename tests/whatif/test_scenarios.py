"""Scenarios: checked settings, applied to the design, saved in the workspace (undoable, revision checked)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings

from tests import with_a_wrong_value
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.whatif import (BASELINE, SETTINGS, Scenario, apply_scenario, delete_scenario, list_scenarios,
                              load_scenario, save_scenario, scenario_names, setting_value)
from workbench.whatif.scenarios import scenario_from_yaml, scenario_to_yaml, weight_criterion, weight_setting
from workbench.workspace import StaleWorkspaceError, history, open_workspace, undo


def test_settings_apply_to_the_design_fields_they_name():
    scenario = Scenario("Bigger", overrides={
        "structure": "group", "mentor_capacity": 3, "duration_months": 6, "cadence": "weekly",
        "weights": {"skills": 5, "seniority": 1}, "weight.location": 2.5, "mentee_training_hours": 4,
        "budget": 50000, "rematching": "none", "cohort_size": 40, "horizon_months": 18})
    design = apply_scenario(ProgramDesign(), scenario)
    exp = design.experience
    assert (exp.structure, exp.mentor_capacity, exp.duration_months, exp.cadence) == ("group", 3, 6, "weekly")
    assert exp.criteria == {"skills": 5.0, "seniority": 1.0, "location": 2.5}  # the whole map, then one weight
    assert exp.mentee_training_hours == 4 and design.align.constraints.budget == 50000
    assert design.support.rematching == "none"
    assert setting_value(design, "weight.location") == 2.5
    assert setting_value(ProgramDesign(), "cohort_size") is None
    assert setting_value(ProgramDesign(), "turnover_reduction", scenario.with_changes(
        parameters={"turnover_reduction": 0.2})) == 0.2
    assert apply_scenario(ProgramDesign(), BASELINE) == ProgramDesign()


@pytest.mark.parametrize("overrides, parameters, message", [
    ({"duration": 6}, {}, "Unknown setting 'duration'"),
    ({"duration_months": 50}, {}, "'duration_months' = 50 is outside its range"),
    ({"duration_months": 6.5}, {}, "'duration_months' must be a whole number"),
    ({"cadence": "daily"}, {}, "'cadence' cannot be 'daily'"),
    ({"mentor_capacity": "two"}, {}, "'mentor_capacity' must be a number"),
    ({"weights": {"charm": 2}}, {}, "Unknown matching criterion 'charm'"),
    ({"weight.skills": 11}, {}, "'weight.skills' = 11 is outside its range"),
    ({}, {"turnover_reduction": 3}, "turnover_reduction"),
    ({}, {"magic": 1}, "Unknown model parameter"),
])
def test_bad_settings_are_named(overrides, parameters, message):
    with pytest.raises(WorkbenchError, match=message) as caught:
        Scenario("Bad", overrides=overrides, parameters=parameters)
    assert "Scenario 'Bad'" in str(caught.value)


def test_names_runs_and_the_reserved_baseline_are_checked():
    for name in ("", "a/b", "x" * 201):
        with pytest.raises(WorkbenchError, match="cannot name a scenario"):
            Scenario(name)
    with pytest.raises(WorkbenchError, match="runs must be"):
        Scenario("A", runs=1)
    with pytest.raises(WorkbenchError, match="is the design itself"):
        Scenario("design", overrides={"duration_months": 3})


def test_every_numeric_setting_has_a_range_and_every_choice_its_options():
    for setting in SETTINGS.values():
        if setting.numeric:
            assert setting.low is not None, setting.name
        if setting.kind == "choice":
            assert setting.choices, setting.name
    assert SETTINGS["duration_months"].high == 36 and SETTINGS["cadence"].choices == ("weekly", "fortnightly",
                                                                                         "monthly")
    assert SETTINGS["mentor_capacity"].matching and not SETTINGS["duration_months"].matching


def test_yaml_round_trip_and_errors_name_the_file():
    scenario = Scenario("Weekly pilot", overrides={"cadence": "weekly"}, parameters={"early_closure": 0.25},
                        runs=500, seed=4, description="A pilot")
    assert scenario_from_yaml(scenario_to_yaml(scenario)) == scenario
    with pytest.raises(WorkbenchError, match="scenarios/x.yaml: unknown field colour"):
        scenario_from_yaml("name: X\ncolour: red\n", source="scenarios/x.yaml")
    with pytest.raises(WorkbenchError, match="scenarios/x.yaml: Scenario 'X': Unknown setting"):
        scenario_from_yaml("name: X\noverrides: {speed: 3}\n", source="scenarios/x.yaml")
    with pytest.raises(WorkbenchError, match="not valid YAML"):
        scenario_from_yaml("name: [", source="scenarios/x.yaml")
    with pytest.raises(WorkbenchError, match="scenarios/x.yaml: not valid YAML"):  # a RecursionError before
        scenario_from_yaml("name: " + "[" * 5000 + "]" * 5000, source="scenarios/x.yaml")


def test_save_list_load_delete_with_undo_and_revision_checks(workspace):
    weekly = Scenario("Weekly", overrides={"cadence": "weekly"})
    saved = save_scenario(workspace, weekly)
    assert (saved.path / "scenarios" / "weekly.yaml").is_file()
    assert saved.settings.revision == workspace.settings.revision + 1
    saved = save_scenario(saved, Scenario("Short & sharp", overrides={"duration_months": 3}))
    assert scenario_names(saved) == ["design", "Short & sharp", "Weekly"]
    assert load_scenario(saved, "short-sharp").name == "Short & sharp" and load_scenario(saved, "design") is BASELINE
    assert [s.name for s in list_scenarios(saved)] == ["Short & sharp", "Weekly"]
    # a copy read before Weekly was saved cannot save over it; another scenario it can
    with pytest.raises(StaleWorkspaceError, match="the scenario file 'weekly' .now at revision 1, this copy at 0"):
        save_scenario(workspace, Scenario("Weekly", overrides={"duration_months": 4}))
    assert [s.name for s in list_scenarios(save_scenario(workspace, Scenario("Late", overrides={"duration_months": 4})))] \
        == ["Late", "Short & sharp", "Weekly"]
    saved = delete_scenario(open_workspace(saved.path), "Late")
    with pytest.raises(WorkbenchError, match="already saved as scenarios/weekly.yaml"):
        save_scenario(saved, Scenario("WEEKLY!", overrides={"cadence": "monthly"}))
    with pytest.raises(WorkbenchError, match="has no scenario called 'Nope'; scenarios: design, Short & sharp"):
        load_scenario(saved, "Nope")
    removed = delete_scenario(saved, "Weekly")
    assert scenario_names(removed) == ["design", "Short & sharp"]
    assert history(removed)[0].message == "delete the scenario 'Weekly'"
    restored = undo(removed)
    assert load_scenario(restored, "Weekly") == weekly
    with pytest.raises(WorkbenchError, match="the design itself"):
        delete_scenario(restored, "design")


def test_a_hand_written_file_is_found_by_the_name_inside(workspace):
    folder = workspace.path / "scenarios"
    folder.mkdir()
    (folder / "cap.yaml").write_text("name: Capacity one\noverrides: {mentor_capacity: 1}\n", encoding="utf-8")
    assert load_scenario(workspace, "Capacity one").overrides == {"mentor_capacity": 1}
    saved = save_scenario(workspace, Scenario("Capacity one", overrides={"mentor_capacity": 2}))
    assert sorted(p.name for p in folder.iterdir()) == ["cap.yaml"]  # it keeps its file
    assert load_scenario(saved, "Capacity one").overrides == {"mentor_capacity": 2}


@settings(max_examples=200, deadline=None)
@given(case=with_a_wrong_value(Scenario("Weekly", overrides={"cadence": "weekly", "budget": 40000, "mentor_capacity": 2,
                                                              "weights": {"skills": 2.0}},
                                        parameters={"turnover_reduction": 0.5}, runs=500, seed=4).to_dict()))
def test_any_wrong_type_in_a_scenario_file_is_named_with_its_key(case) -> None:
    document, path, value = case
    try:
        scenario_from_yaml(yaml.safe_dump(document), source="scenarios/weekly.yaml")
    except WorkbenchError as exc:
        named = [str(path[-1])] + (list(map(str, value)) if isinstance(value, dict) else [])
        assert str(exc).startswith("scenarios/weekly.yaml: "), exc
        assert any(n in str(exc) or repr(n) in str(exc) for n in named), (path, exc)


def test_a_weight_setting_names_its_criterion_and_no_other_setting_does() -> None:
    weights = [name for name in SETTINGS if weight_criterion(name) is not None]
    assert weights and all(weight_setting(weight_criterion(name)) == name for name in weights)
    assert all(SETTINGS[name].path[-2:] == ("criteria", weight_criterion(name)) for name in weights)
    assert weight_criterion("mentor_capacity") is None and weight_criterion("weights") is None
