"""The comparison saved for the design brief: plain aggregates, revision-checked, read back as it was."""

from __future__ import annotations

import datetime
import json

import pytest

from workbench.errors import WorkbenchError
from workbench.simulate import KPIS
from workbench.whatif import BASELINE, Scenario, comparison_table, run_scenarios, tornado
from workbench.whatif.saved import (SAVED_COMPARISON, comparison_record, save_comparison, saved_comparison,
                                    saved_comparison_table)
from workbench.workspace import StaleWorkspaceError, history


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
    record = comparison_record(batch.finished(), scenarios=scenarios, tornado=sensitivity,
                               saved_on=datetime.date(2027, 3, 1))
    assert record["saved_on"] == "2027-03-01" and record["baseline"] == "design"
    design_entry, longer = record["scenarios"]
    assert design_entry["overrides"] == {} and design_entry["parameters"] == {}
    assert longer["description"] == "A year" and longer["overrides"] == {"duration_months": 12, "budget": 40000.0}
    assert longer["parameters"] == {"turnover_reduction": 0.25}
    assert longer["runs"] == 200 and longer["seed"] == 3 and longer["cohort"]["participants"] > 0
    assert longer["settings"]["duration_months"] == 12 and 0 <= longer["budget"]["p_within"] <= 1
    assert design_entry["budget"] is None
    assert len(record["kpis"]) == 2 * len(KPIS)
    assert record["tornado"]["kpi"] == "retention" and len(record["tornado"]["rows"]) == 3
    # plain JSON, nothing about a person
    text = json.dumps(record, allow_nan=False)
    assert "person_id" not in text and "P0" not in text
    table = saved_comparison_table(record)
    expected = comparison_table(batch.finished())
    assert list(table["scenario"]) == list(expected["scenario"])
    assert table["effect"].round(8).tolist() == expected["effect"].round(8).tolist()
    assert table["p_better"].isna().sum() == expected["p_better"].isna().sum()


def test_save_and_read_back_with_revision_checks(compared, workspace):
    batch, scenarios = compared
    assert saved_comparison(workspace) is None
    record = comparison_record(batch.finished(), scenarios=scenarios)
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
