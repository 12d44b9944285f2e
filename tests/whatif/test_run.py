"""Running scenarios: own streams, identical results on any executor and in any order, caching, cancel."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from workbench.errors import WorkbenchError
from workbench.simulate import simulate
from workbench.whatif import (BASELINE, Scenario, budget_check, local_executor, matching_key, resize_cohort,
                              run_scenario, run_scenarios, scenario_seed, stable_hash)
from workbench.whatif import run as run_module

SCENARIOS = [BASELINE, Scenario("Weekly", overrides={"cadence": "weekly", "duration_months": 6}),
             Scenario("Capacity one", overrides={"mentor_capacity": 1}),
             Scenario("Stronger", parameters={"turnover_reduction": 0.5})]


def texts(batch) -> dict[str, str]:
    return {r.name: r.json_text() for r in batch.finished()}


def test_results_do_not_depend_on_order_or_company(demo):
    tables, design = demo
    together = texts(run_scenarios(tables, design, SCENARIOS, runs=200, seed=4, executor=False))
    reversed_ = texts(run_scenarios(tables, design, SCENARIOS[::-1], runs=200, seed=4, executor=False))
    alone = run_scenario(tables, design, SCENARIOS[2], runs=200, seed=4).json_text()
    assert together == reversed_ and together["Capacity one"] == alone
    assert len(set(together.values())) == len(SCENARIOS)
    assert texts(run_scenarios(tables, design, SCENARIOS[:1], runs=200, seed=5, executor=False)) != \
        {"design": together["design"]}


def test_local_processes_give_the_serial_results(demo):
    tables, design = demo
    serial = texts(run_scenarios(tables, design, SCENARIOS, runs=150, seed=2, executor=False))
    with local_executor(2) as pool:
        parallel = run_scenarios(tables, design, SCENARIOS, runs=150, seed=2, executor=pool)
    assert [r.name for r in parallel] == [s.name for s in SCENARIOS]  # the order given
    assert texts(parallel) == serial


PLAIN_SCRIPT = """
print("the script's top level ran", flush=True)
from workbench.data.importing import checked_tables
from workbench.design.store import load_design
from workbench.whatif import BASELINE, Scenario, local_executor, run_scenarios
from workbench.workspace import open_workspace

workspace = open_workspace("datasets/demo")
with local_executor(2) as pool:
    batch = run_scenarios(checked_tables(workspace), load_design(workspace),
                          [BASELINE, Scenario("Weekly", overrides={"cadence": "weekly"})], runs=50, executor=pool)
print("finished", *[r.name for r in batch.finished()])
"""


def test_workers_never_run_the_callers_script_again(tmp_path):
    # a plain script (no __main__ guard): spawned workers used to re-run it, and fail to bootstrap
    script = tmp_path / "plain.py"
    script.write_text(textwrap.dedent(PLAIN_SCRIPT), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("the script's top level ran") == 1
    assert "finished design Weekly" in done.stdout
    assert "bootstrapping phase" not in done.stderr


def test_only_workbench_workers_start_without_the_main_module():
    main_keys = {"init_main_from_name", "init_main_from_path"}
    assert main_keys & set(run_module._preparation_data("Process-1"))  # pytest's main module, still passed on
    assert not main_keys & set(run_module._preparation_data(run_module._WorkbenchWorker.__name__ + "-1"))


def test_each_scenario_has_its_own_stream_unless_it_shares_one(demo):
    tables, design = demo
    twin = Scenario("Twin")
    shared = Scenario("Shared", stream="design")
    batch = run_scenarios(tables, design, [BASELINE, twin, shared], runs=300, seed=1, executor=False)
    base, twin_r, shared_r = batch.results
    assert base.seed == {"entropy": 1, "spawn_key": [stable_hash("design")]}
    assert not np.array_equal(base.effect("retention"), twin_r.effect("retention"))
    for kpi in ("retention", "cost", "skill_gap_closed"):
        assert np.array_equal(base.effect(kpi), shared_r.effect(kpi))
    assert scenario_seed(1, "design").spawn_key == (stable_hash("design"),)
    assert stable_hash("design") == int.from_bytes(hashlib.sha256(b"design").digest()[:8], "big")


def test_common_random_numbers_across_model_parts(demo):
    """A parameter of one part of the model leaves the other parts' draws as they were."""
    tables, design = demo
    base = run_scenario(tables, design, runs=300, seed=3)
    cheaper = run_scenario(tables, design, Scenario("Cheaper", parameters={"hourly_cost": 30.0, "tool_cost": 0.0},
                                                    stream="design"), runs=300, seed=3)
    for kpi in ("retention", "exits", "promotion", "skill_gap_closed", "meetings", "quality"):
        assert np.array_equal(base.runs_kpis[kpi][0], cheaper.runs_kpis[kpi][0]), kpi
    assert (cheaper.effect("cost") < base.effect("cost")).all()
    stronger = run_scenario(tables, design, Scenario("S", parameters={"turnover_reduction": 0.5}, stream="design"),
                            runs=300, seed=3)
    for kpi in ("retention", "promotion", "skill_gap_closed"):  # the comparison group
        assert np.array_equal(base.runs_kpis[kpi][1], stronger.runs_kpis[kpi][1]), kpi
    assert np.array_equal(base.runs_kpis["early_closure"][0], stronger.runs_kpis["early_closure"][0])


def test_a_seed_sequence_passed_in_is_not_advanced(demo):
    tables, design = demo
    from workbench.simulate import build_cohort

    cohort = build_cohort(tables, design)
    sequence = np.random.SeedSequence(8, spawn_key=(1,))
    first = simulate(cohort, design, runs=100, seed=sequence).json_text()
    assert sequence.n_children_spawned == 0
    assert simulate(cohort, design, runs=100, seed=sequence).json_text() == first


def test_cohorts_are_matched_once_per_matching_setting(demo, monkeypatch):
    tables, design = demo
    calls = []
    real = run_module.build_cohort
    monkeypatch.setattr(run_module, "build_cohort", lambda t, d: calls.append(matching_key(d)) or real(t, d))
    cohorts: dict = {}
    scenarios = [BASELINE, Scenario("A", overrides={"duration_months": 3}), Scenario("B", overrides={
        "cadence": "monthly", "mentee_training_hours": 4}), Scenario("C", overrides={"mentor_capacity": 1}),
        Scenario("D", overrides={"mentor_capacity": 1, "duration_months": 12})]
    run_scenarios(tables, design, scenarios, runs=50, executor=False, cohorts=cohorts)
    assert len(calls) == 2 and len(cohorts) == 2
    run_scenarios(tables, design, scenarios[:2], runs=50, executor=False, cohorts=cohorts)
    assert len(calls) == 2  # cached across calls


def test_cohort_size_resamples_the_matched_cohort(demo):
    tables, design = demo
    from workbench.simulate import build_cohort

    cohort = build_cohort(tables, design)
    small, large = resize_cohort(cohort, 10, seed=1), resize_cohort(cohort, 100, seed=1)
    assert small.size == 10 and large.size == 100 and resize_cohort(cohort, cohort.size, 1) is cohort
    assert set(small.mentees["person_id"]) <= set(cohort.mentees["person_id"])
    assert large.mentees["person_id"].is_unique
    assert large.mentees.iloc[:cohort.size]["score"].tolist() == cohort.mentees["score"].tolist()
    assert resize_cohort(cohort, 10, seed=1).mentees.equals(small.mentees)
    assert not resize_cohort(cohort, 10, seed=2).mentees.equals(small.mentees)
    assert large.mentors == round(cohort.mentors * 100 / cohort.size)
    result = run_scenario(tables, design, Scenario("Big", overrides={"cohort_size": 100}), runs=50)
    assert result.cohort["participants"] == 100 and result.settings["cohort_size"] == 100


def test_settings_used_are_recorded(demo):
    tables, design = demo
    scenario = Scenario("Weekly", overrides={"cadence": "weekly", "budget": 1e9, "mentor_capacity": 3},
                        parameters={"early_closure": 0.3}, runs=60, seed=11)
    result = run_scenario(tables, design, scenario, runs=500, seed=0)
    assert result.runs == 60 and result.seed["entropy"] == 11  # the scenario's own runs and seed win
    assert result.settings["cadence"] == "weekly" and result.settings["mentor_capacity"] == 3
    assert result.settings["overrides"] == scenario.overrides and result.parameters["early_closure"] == 0.3
    assert budget_check(result)["p_within"] == 1.0
    tight = run_scenario(tables, design, Scenario("Tight", overrides={"budget": 1.0}), runs=50)
    assert budget_check(tight)["p_within"] == 0.0 and budget_check(run_scenario(tables, design, runs=50)) is None


def test_progress_and_cancel(demo):
    tables, design = demo
    seen = []
    stop = threading.Event()

    def progress(done, total, message):
        seen.append((done, total, message))
        if message.startswith("simulated"):
            stop.set()

    many = [Scenario(f"D{m}", overrides={"duration_months": m}) for m in range(1, 9)]
    batch = run_scenarios(tables, design, many, runs=50, executor=False, progress=progress, cancel=stop)
    assert batch.cancelled and batch.results[0] is not None and batch.results[-1] is None
    assert seen[0] == (1, 9, "matched cohort 1 of 1") and seen[-1][0] < 9
    assert len(batch.finished()) == len([m for m in seen if m[2].startswith("simulated")])
    with pytest.raises(KeyError, match="did not finish"):
        batch["D8"]
    calls = iter(range(100))
    partial = run_scenarios(tables, design, many, runs=50, executor=False, cancel=lambda: next(calls) >= 3)
    assert partial.cancelled and 0 < len(partial.finished()) < len(many)
    complete = run_scenarios(tables, design, many[:2], runs=50, executor=False)
    assert not complete.cancelled and len(complete.finished()) == 2


def test_a_scenario_that_cannot_run_is_named_or_recorded(demo):
    tables, design = demo
    no_mentors = dict(tables, enrolment=tables["enrolment"].assign(role="mentee"))
    with pytest.raises(WorkbenchError, match="Scenario 'Weekly': Nobody is matched"):
        run_scenarios(no_mentors, design, SCENARIOS[1:2], runs=50, executor=False)
    batch = run_scenarios(no_mentors, design, SCENARIOS[:2], runs=50, executor=False, errors="record")
    assert batch.results == (None, None) and "Nobody is matched" in batch.errors["Weekly"]
    with pytest.raises(WorkbenchError, match="repeated: A"):
        run_scenarios(tables, design, [Scenario("A"), Scenario("A")], executor=False)
    with pytest.raises(WorkbenchError, match="at least 2 runs"):
        run_scenarios(tables, design, [BASELINE], runs=1)
