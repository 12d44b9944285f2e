"""The JSON of a simulated scenario follows the documented schema."""

from __future__ import annotations

import json

from workbench.simulate import KPIS, PARAMETERS
from workbench.whatif import RESULT_SCHEMA, Scenario, budget_check, run_scenario, schema_problems


def test_results_validate_against_the_schema(demo):
    tables, design = demo
    for scenario in (Scenario("Plain"), Scenario("Group", overrides={"structure": "group", "budget": 30000}),
                     Scenario("Peer", overrides={"structure": "peer", "horizon_months": 24})):
        result = run_scenario(tables, design, scenario, runs=60, seed=2)
        document = json.loads(result.json_text())
        assert schema_problems(document) == [], scenario.name
        budget = budget_check(result)
        if budget is not None:
            assert schema_problems({**document, "budget": budget}) == []


def test_the_schema_requires_what_the_issue_promises(demo):
    tables, design = demo
    document = json.loads(run_scenario(tables, design, runs=20, seed=1).json_text())
    assert set(RESULT_SCHEMA["required"]) >= {"seed", "runs", "parameters", "kpis"}
    assert set(RESULT_SCHEMA["properties"]["parameters"]["required"]) == set(PARAMETERS)
    assert set(RESULT_SCHEMA["properties"]["kpis"]["required"]) == set(KPIS)
    retention = RESULT_SCHEMA["properties"]["kpis"]["properties"]["retention"]
    assert set(retention["required"]) >= {"participants", "comparison", "difference"}
    broken = json.loads(json.dumps(document))
    del broken["kpis"]["retention"]["difference"]["low"]
    broken["runs"] = 1
    problems = schema_problems(broken)
    assert any(p.startswith("kpis/retention/difference") for p in problems) and any(p.startswith("runs") for p in
                                                                                   problems)
