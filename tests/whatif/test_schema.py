"""The JSON of a simulated scenario follows the documented schema."""

from __future__ import annotations

import json

import pytest

from workbench.errors import WorkbenchError
from workbench.result import schema_problems
from workbench.simulate import JSON_SCHEMA, KPIS, PARAMETERS, SimulationResult
from workbench.whatif import Scenario, budget_check, run_scenario


def test_results_validate_against_the_schema(demo):
    tables, design = demo
    for scenario in (Scenario("Plain"), Scenario("Group", overrides={"structure": "group", "budget": 30000}),
                     Scenario("Peer", overrides={"structure": "peer", "horizon_months": 24})):
        result = run_scenario(tables, design, scenario, runs=60, seed=2)
        document = json.loads(result.json_text())
        assert schema_problems(document, JSON_SCHEMA) == [], scenario.name
        budget = budget_check(result)
        if budget is not None:
            assert schema_problems({**document, "budget": budget}, JSON_SCHEMA) == []


def test_the_schema_requires_what_the_issue_promises(demo):
    tables, design = demo
    document = json.loads(run_scenario(tables, design, runs=20, seed=1).json_text())
    assert set(JSON_SCHEMA["required"]) >= {"seed", "runs", "parameters", "kpis"}
    assert set(JSON_SCHEMA["properties"]["parameters"]["required"]) == set(PARAMETERS)
    assert set(JSON_SCHEMA["properties"]["kpis"]["required"]) == set(KPIS)
    retention = JSON_SCHEMA["properties"]["kpis"]["properties"]["retention"]
    assert set(retention["required"]) >= {"participants", "comparison", "difference"}
    broken = json.loads(json.dumps(document))
    del broken["kpis"]["retention"]["difference"]["low"]
    broken["runs"] = 1
    problems = schema_problems(broken, JSON_SCHEMA)
    assert any(p.startswith("kpis/retention/difference") for p in problems) and any(p.startswith("runs") for p in
                                                                                   problems)


def test_a_saved_result_loads_back_with_the_same_figures_and_bytes(demo):
    tables, design = demo
    result = run_scenario(tables, design, Scenario("Group", overrides={"structure": "group"}), runs=40, seed=3)
    loaded = SimulationResult.from_json(json.loads(result.json_text()))
    assert loaded.json_text() == result.json_text() and loaded.summary() == result.summary()
    assert loaded.kpi("retention").spread["difference"].level == 0.90
    for attribute in result.groups:
        assert list(loaded.by_group(attribute)[attribute]) == list(result.by_group(attribute)[attribute])
    with pytest.raises(WorkbenchError, match="simulate it again"):
        loaded.compare(result)
    with pytest.raises(WorkbenchError, match="down by department, .*not by 'shoe_size'"):
        result.by_group("shoe_size")
    summary = result.summary()
    assert summary["runs"] == 40 and set(summary["effects"]) == set(KPIS)
    assert summary["effects"]["retention"] == pytest.approx(result.kpis().set_index("kpi").loc["retention",
                                                                                              "difference_mean"])
