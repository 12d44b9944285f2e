"""Comparison, sweeps, tornado, cost against impact and what it would take."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.design.model import Align, Objective, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.simulate import KPIS, PARAMETERS
from workbench.simulate.mechanisms import LEVERS
from workbench.whatif import (BASELINE, Scenario, Target, budget_table, comparison_display, comparison_table, frontier,
                              grid_scenarios, objective_target, run_scenarios, sweep, tornado, what_would_it_take)


@pytest.fixture(scope="module")
def batch(demo):
    tables, design = demo
    scenarios = [BASELINE, Scenario("Weekly", overrides={"cadence": "weekly"}),
                 Scenario("Short", overrides={"duration_months": 3}),
                 Scenario("No effect", parameters={"turnover_reduction": 0.0, "promotion_uplift": 0.0})]
    return run_scenarios(tables, design, scenarios, runs=400, seed=6, executor=False)


def test_comparison_table_of_up_to_six(batch):
    table = comparison_table(batch.finished(), baseline="design")
    assert len(table) == len(KPIS) * 4 and set(table["scenario"]) == {"design", "Weekly", "Short", "No effect"}
    assert table.loc[table["scenario"] == "design", "p_better"].isna().all()
    others = table[table["scenario"] != "design"]
    assert others["p_better"].between(0, 1).all()
    assert ((table["low"] <= table["effect"]) & (table["effect"] <= table["high"])).all()
    assert table.loc[table["kpi"] == "cost", "comparison"].isna().all()
    weekly = others.set_index(["scenario", "kpi"])
    assert weekly.loc[("Weekly", "meetings"), "vs_baseline"] > 0
    assert weekly.loc[("Weekly", "meetings"), "p_better"] > 0.9
    assert weekly.loc[("No effect", "retention"), "vs_baseline"] < 0
    display = comparison_display(table)
    assert list(display.columns) == ["KPI", "design", "Weekly", "Short", "No effect"] and len(display) == len(KPIS)
    assert "P(better)" in display.iloc[0]["Weekly"] and "P(better)" not in display.iloc[0]["design"]
    with pytest.raises(WorkbenchError, match="Compare 1 to 6 scenarios"):
        comparison_table(batch.finished() * 2)
    with pytest.raises(WorkbenchError, match="baseline 'x' is not among"):
        comparison_table(batch.finished(), baseline="x")


def test_budget_table_of_the_scenarios_with_a_budget(demo):
    tables, design = demo
    batch = run_scenarios(tables, design, [BASELINE, Scenario("Capped", overrides={"budget": 1e9}),
                                           Scenario("Tight", overrides={"budget": 1.0})], runs=50, executor=False)
    table = budget_table(batch.finished()).set_index("scenario")
    assert list(table.index) == ["Capped", "Tight"] and table["p_within"].tolist() == [1.0, 0.0]
    assert (table["expected_cost"] > 1).all() and budget_table(batch.finished()[:1]).empty
    assert len(comparison_table(batch.finished())) == 3 * len(KPIS)  # budgets are not KPIs


def test_sweep_one_row_per_combination(demo):
    tables, design = demo
    grid = {"duration_months": [3, 12], "cadence": ["monthly", "weekly"], "turnover_reduction": [0.2, 0.5]}
    table = sweep(tables, design, grid, kpis=["retention", "meetings", "cost"], runs=200, seed=1, executor=False)
    assert len(table) == 8 and (table["status"] == "done").all() and not table.attrs["cancelled"]
    assert list(table.columns[:4]) == ["scenario", "duration_months", "cadence", "turnover_reduction"]
    assert {"retention_mean", "retention_low", "retention_high", "cost_mean", "p_within_budget"} <= set(table)
    by = table.set_index(["duration_months", "cadence", "turnover_reduction"])
    assert by.loc[(12, "weekly", 0.5), "meetings_mean"] > by.loc[(3, "monthly", 0.5), "meetings_mean"]
    assert by.loc[(12, "weekly", 0.5), "cost_mean"] > by.loc[(3, "weekly", 0.5), "cost_mean"]
    # the same combination in another grid: the same numbers (its stream follows its name)
    other = sweep(tables, design, {"duration_months": [12], "cadence": ["weekly"], "turnover_reduction": [0.5]},
                  kpis=["retention"], runs=200, seed=1, executor=False)
    assert other["retention_mean"].iloc[0] == by.loc[(12, "weekly", 0.5), "retention_mean"]


def test_long_grids_get_distinct_stable_names():
    grid = {"duration_months": [12, 18], "cadence": ["fortnightly"], "mentor_training_hours": [0, 1],
            "mentee_training_hours": [0.5], "weight.skills": [1.5], "weight.seniority": [2.5],
            "weight.department": [0.5], "weight.location": [1.0], "weight.timezone": [1.0], "meeting_minutes": [60],
            "quality_noise": [0.1], "turnover_reduction": [0.25]}
    names = [s.name for s in grid_scenarios(grid)]
    assert len(set(names)) == 4 and all(len(n) <= 200 for n in names) and any(" #" in n for n in names)
    assert names == [s.name for s in grid_scenarios(grid)]
    scenario = grid_scenarios(grid)[0]
    assert scenario.overrides["weight.skills"] == 1.5 and scenario.parameters == {"quality_noise": 0.1,
                                                                                 "turnover_reduction": 0.25}


def test_sweep_records_what_the_design_refuses_and_bad_grids_are_named(demo):
    tables, design = demo
    with pytest.raises(WorkbenchError, match="neither a setting"):
        grid_scenarios({"speed": [1]})
    with pytest.raises(WorkbenchError, match="list of values for 'cadence'"):
        grid_scenarios({"cadence": "weekly"})
    with pytest.raises(WorkbenchError, match="combinations; at most"):
        grid_scenarios({"duration_months": list(range(1, 37)), "mentor_training_hours": list(range(100)),
                        "meeting_minutes": list(range(10, 15))})
    no_mentors = dict(tables, enrolment=tables["enrolment"].assign(role="mentee"))
    table = sweep(no_mentors, design, {"duration_months": [3, 6]}, kpis=["retention"], runs=50, executor=False)
    assert table["status"].str.contains("Nobody is matched").all() and table["retention_mean"].isna().all()


def test_tornado_swings_sorted_and_zero_where_the_kpi_does_not_depend_on_the_parameter(demo):
    tables, design = demo
    table = tornado(tables, design, "retention", runs=300, seed=2, executor=False)
    assert set(table["parameter"]) == set(PARAMETERS) | {lever.setting for lever in LEVERS}
    assert set(table.loc[table["kind"] == "design", "parameter"]) == {lever.setting for lever in LEVERS}
    assert table["swing"].is_monotonic_decreasing
    assert table.iloc[0]["parameter"] == "turnover_reduction"
    swing = table.set_index("parameter")["swing"]
    for unrelated in ("tool_cost", "hourly_cost", "coordinator_hours", "skill_per_meeting", "promotion_rate"):
        assert swing[unrelated] == 0.0, unrelated  # common random numbers: exactly no change
    cadence = table.set_index("parameter").loc["cadence"]
    assert cadence["range"] == "monthly to weekly" and cadence["at_high"] > cadence["at_low"]
    assert cadence["base"] == design.experience.cadence
    row = table.set_index("parameter").loc["turnover_reduction"]
    assert row["at_high"] > row["at_base"] > row["at_low"] and row["base"] == PARAMETERS["turnover_reduction"].default
    cost = tornado(tables, design, "cost", parameters=["hourly_cost", "tool_cost", "turnover_reduction"], levers=[],
                   runs=100, executor=False)
    assert set(cost["kind"]) == {"model"}
    assert cost.set_index("parameter").loc["turnover_reduction", "swing"] < \
        cost.set_index("parameter").loc["hourly_cost", "swing"]
    with pytest.raises(WorkbenchError, match="Unknown KPI"):
        tornado(tables, design, "happiness", executor=False)
    with pytest.raises(WorkbenchError, match="Unknown design lever 'speed'"):
        tornado(tables, design, levers=["speed"], executor=False)


def test_frontier_marks_the_scenarios_nothing_beats():
    table = pd.DataFrame({"scenario": list("ABCDE"), "cost_mean": [10, 20, 20, 30, 40],
                          "cost_low": 0, "cost_high": 0, "exits_mean": [-1, -3, -2, -3, -5],
                          "exits_low": 0, "exits_high": 0})
    front = frontier(table, impact="exits")
    assert list(front["scenario"]) == list("ABCDE")
    assert front.set_index("scenario")["efficient"].to_dict() == {"A": True, "B": True, "C": False, "D": False,
                                                                  "E": True}
    assert front.set_index("scenario").loc["E", "impact"] == 5  # exits avoided
    assert front.attrs["label"] == "Exits avoided by the horizon"


def test_frontier_of_results(batch):
    front = frontier(batch.finished(), impact="retention")
    assert len(front) == 4 and front["cost"].is_monotonic_increasing and front["efficient"].any()
    cheapest = front.iloc[0]
    assert cheapest["efficient"]  # nothing costs less
    with pytest.raises(WorkbenchError, match="no cost_mean"):
        frontier(pd.DataFrame({"scenario": ["a"], "retention_mean": [0.1]}), impact="retention")


def test_what_would_it_take_finds_the_boundary(demo):
    tables, design = demo
    # cost falls with a shorter program: the longest duration within 20,000 is the smallest change from 9 months
    answer = what_would_it_take(tables, design, "duration_months", kpi="cost", target=20_000, probability=0.9,
                                runs=200)
    assert answer.reachable and answer.value < 9 and answer.change == answer.value - 9
    tried = answer.evaluations.set_index("value")["p_reach"]
    assert tried[answer.value] >= 0.9 and tried[answer.value + 1] < 0.9
    assert "duration_months" in answer.message() and "probability" in answer.message()


def test_what_would_it_take_already_there_or_out_of_reach(demo):
    tables, design = demo
    there = what_would_it_take(tables, design, "mentor_training_hours", kpi="cost", target=1e9, probability=0.5,
                               runs=50)
    assert there.change == 0 and "already reaches" in there.message()
    never = what_would_it_take(tables, design, "turnover_reduction", kpi="retention", target=0.5, probability=0.8,
                               runs=100)
    assert not never.reachable and never.value is None and never.message().startswith("No turnover_reduction")
    assert set(never.evaluations["value"]) >= {0.0, 1.0}
    with pytest.raises(WorkbenchError, match="not a number"):
        what_would_it_take(tables, design, "cadence", kpi="retention", target=0.01)
    with pytest.raises(WorkbenchError, match="Say what to reach"):
        what_would_it_take(tables, design, "duration_months")


def test_objectives_map_to_kpis():
    design = ProgramDesign(align=Align(objectives=(
        Objective(id="keep", kind="retention", baseline=80, target=84, horizon_months=24),
        Objective(id="exits", kind="retention", baseline=0.18, target=0.12),
        Objective(id="grow", kind="skill", baseline=0.1, target=0.3),
        Objective(id="mood", kind="engagement", baseline=3, target=4),
        Objective(id="vague", kind="promotion"))))
    keep = objective_target(design, "keep")
    assert keep.kpi == "retention" and keep.target == pytest.approx(0.04) and keep.horizon_months == 24
    assert objective_target(design, "exits").target == pytest.approx(0.06)
    assert objective_target(design, "grow") == Target("skill_gap_closed", pytest.approx(0.2), None, "grow")
    with pytest.raises(WorkbenchError, match="about engagement, which the outcome model does not simulate"):
        objective_target(design, "mood")
    with pytest.raises(WorkbenchError, match="needs a baseline and a target"):
        objective_target(design, "vague")
    with pytest.raises(WorkbenchError, match="no objective 'x'"):
        objective_target(design, "x")
    assert not Target("exits", -1).higher_is_better and "at most" in Target("exits", -1).describe()
