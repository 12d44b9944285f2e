"""The comparison saved for the design brief: plain aggregates, revision-checked, read back as it was."""

from __future__ import annotations

import datetime
import json

import pytest

from workbench.errors import WorkbenchError
from workbench.result import schema_problems
from workbench.simulate import KPIS
from workbench.whatif import BASELINE, SavedComparison, Scenario, comparison_table, run_scenarios, tornado
from workbench.whatif.saved import SAVED_COMPARISON, comparison_files, save_comparison, saved_comparison
from workbench.workspace import DEMO_SOURCE, StaleWorkspaceError, history


@pytest.fixture(scope="module")
def compared(demo):
    tables, design = demo
    longer = Scenario("Longer", overrides={"duration_months": 12, "budget": 40000}, description="A year",
                      parameters={"turnover_reduction": 0.25})
    batch = run_scenarios(tables, design, [BASELINE, longer], runs=200, seed=3, executor=False)
    return batch, [BASELINE, longer]


def test_the_record_holds_scenarios_settings_and_the_kpi_table(compared, demo):
    batch, scenarios = compared
    tables, design = demo
    sensitivity = tornado(tables, design, "retention", parameters=["turnover_reduction", "quality_base"],
                          levers=["cadence"], runs=50, executor=False)
    record = SavedComparison.of(batch.finished(), scenarios=scenarios, tornado=sensitivity,
                               saved_on=datetime.date(2027, 3, 1))
    assert record.saved_on == "2027-03-01" and record.baseline == "design"
    design_entry, longer = record.scenarios
    assert design_entry["overrides"] == {} and design_entry["parameters"] == {}
    assert longer["description"] == "A year" and longer["overrides"] == {"duration_months": 12, "budget": 40000.0}
    assert longer["parameters"] == {"turnover_reduction": 0.25}
    assert longer["runs"] == 200 and longer["seed"] == 3 and longer["cohort"]["participants"] > 0
    assert longer["settings"]["duration_months"] == 12 and 0 <= longer["budget"]["p_within"] <= 1
    assert design_entry["budget"] is None
    assert len(record.kpis) == 2 * len(KPIS)
    assert record.tornado["kpi"] == "retention" and len(record.tornado["rows"]) == 3
    assert record.tornado_table().attrs["kpi"] == "retention" and len(record.tornado_table()) == 3
    # plain JSON under its schema, nothing about a person
    text = json.dumps(record.to_json(), allow_nan=False)
    assert "person_id" not in text and "P0" not in text
    assert schema_problems(record.to_json(), SavedComparison.JSON_SCHEMA) == []
    assert SavedComparison.from_json(json.loads(text)) == record
    assert record.summary() == {"saved_on": "2027-03-01", "baseline": "design", "scenarios": ["design", "Longer"],
                                "runs": 200, "seed": 3, "horizon_months": design_entry["horizon_months"],
                                "currency": design_entry["settings"]["currency"]}
    with pytest.raises(WorkbenchError, match="no breakdown by 'department'"):
        record.by_group("department")
    table = record.table()
    expected = comparison_table(batch.finished())
    assert list(table["scenario"]) == list(expected["scenario"])
    assert table["effect"].round(8).tolist() == expected["effect"].round(8).tolist()
    assert table["p_better"].isna().sum() == expected["p_better"].isna().sum()


def test_save_and_read_back_with_revision_checks(compared, workspace):
    batch, scenarios = compared
    assert saved_comparison(workspace) is None
    record = SavedComparison.of(batch.finished(), scenarios=scenarios)
    saved = save_comparison(workspace, record)
    assert saved.settings.revision == workspace.settings.revision + 1
    assert saved_comparison(saved) == record
    assert history(saved)[0].message == "save the what-if comparison (design, Longer)"
    with pytest.raises(StaleWorkspaceError):
        save_comparison(workspace, record)
    (saved.path / SAVED_COMPARISON).write_text("{not json", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="cannot be read: save the results again"):
        saved_comparison(saved)
    (saved.path / SAVED_COMPARISON).write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="is not a saved comparison"):
        saved_comparison(saved)
    (saved.path / SAVED_COMPARISON).write_text('{"scenarios": [], "kpis": []}', encoding="utf-8")
    with pytest.raises(WorkbenchError, match="is not a saved comparison"):
        saved_comparison(saved)


def test_the_demo_comparison_loads_and_is_written_byte_for_byte():
    path = DEMO_SOURCE / SAVED_COMPARISON
    text = path.read_text(encoding="utf-8")
    comparison = SavedComparison.from_json(json.loads(text))
    assert comparison_files(comparison)[SAVED_COMPARISON] == text
    assert schema_problems(comparison.to_json(), SavedComparison.JSON_SCHEMA) == []
