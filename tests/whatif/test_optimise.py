"""The design optimiser: a frontier nobody beats, within the constraints, the same on any executor."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.design.model import Align, Objective
from workbench.errors import WorkbenchError
from workbench.whatif import Scenario, local_executor, optimise, run_scenarios
from workbench.whatif.optimise import _round_tables, evaluate_candidate


@pytest.fixture(scope="module")
def found(demo):
    tables, design = demo
    return optimise(tables, design, candidates=40, runs=100, seed=1, executor=False)


def test_the_frontier_is_feasible_and_nothing_tried_beats_it(found):
    frame, front = found.candidates, found.frontier()
    assert len(frame) >= 30 and not front.empty and front["feasible"].all()
    feasible = frame[frame["feasible"]]
    for row in front.itertuples():
        beats = feasible[(feasible["cost"] <= row.cost) & (feasible["exits_avoided"] >= row.exits_avoided)
                         & ((feasible["cost"] < row.cost) | (feasible["exits_avoided"] > row.exits_avoided))]
        assert beats.empty, row.candidate
    # along the frontier, spending more buys more
    assert front["cost"].is_monotonic_increasing and front["exits_avoided"].is_monotonic_increasing
    # every feasible design keeps to the mentors' hours, and no design is listed twice
    assert (feasible["mentor_hours"] <= found.mentor_hours + 1e-9).all()
    settings = [d.setting for d in found.space]
    assert not frame.duplicated(subset=settings).any()


def test_a_frontier_design_becomes_a_scenario_that_reproduces_its_cost(demo, found):
    tables, design = demo
    row = found.frontier()[found.frontier()["cohorts"] == 1].iloc[0].to_dict()
    changes = found.changes(row)
    scenario = found.scenario(row, "Found")
    assert "optimiser" in scenario.description and set(changes) <= set(scenario.overrides) | {"cohort_size"}
    # the scenario holds the settings and as many matched mentees: simulated again, it costs what the search said
    # (other mentees of the same matching, so not to the cent)
    result = run_scenarios(tables, design, [scenario], runs=100, seed=1, executor=False)["Found"]
    assert result.cohort["participants"] == row["first_cohort"] == row["participants"]
    assert result.effect("cost").mean() == pytest.approx(row["cost"], rel=0.15)


def test_the_same_seed_gives_the_same_designs_in_worker_processes(demo, found):
    tables, design = demo
    with local_executor(2) as executor:
        again = optimise(tables, design, candidates=40, runs=100, seed=1, executor=executor)
    pd.testing.assert_frame_equal(again.candidates, found.candidates)
    other = optimise(tables, design, candidates=16, runs=100, seed=2, executor=False)
    assert not other.candidates.head(16).equals(found.candidates.head(16))


def test_objectives_are_scored_as_probabilities_at_their_horizon(demo):
    tables, design = demo
    goal = Objective(id="keep", kpi="retention of participants", kind="retention", baseline=80, target=83,
                     horizon_months=18)
    with_goal = design.model_copy(update={"align": Align(objectives=(goal,))})
    found = optimise(tables, with_goal, candidates=16, runs=100, seed=3, executor=False)
    p = found.candidates["p_keep"].dropna()
    assert len(p) and p.between(0, 1).all() and found.objectives == ["p_keep"]
    assert found.targets[0].horizon_months == 18
    front = found.frontier()
    assert front["p_keep"].is_monotonic_increasing


def test_cohorts_in_a_row_admit_new_mentees_and_use_the_capacity_left(demo):
    tables, design = demo
    enrolment = tables["enrolment"]
    mentees = enrolment.loc[enrolment["role"].isin(["mentee", "both"]), "person_id"].astype(str).tolist()
    one = evaluate_candidate(tables, design, {"mentor_capacity": 1, "cohort_size": 30, "cohorts": 1},
                             targets=(), runs=50, seed=1)
    two = evaluate_candidate(tables, design, {"mentor_capacity": 1, "cohort_size": 30, "cohorts": 2},
                             targets=(), runs=50, seed=1)
    assert two["participants"][0] == one["participants"][0] and len(two["participants"]) == 2
    assert two["cost"] > one["cost"] and not two["refused"]
    mentor = enrolment.loc[enrolment["role"] == "mentor"].iloc[0]
    offered = int(mentor["capacity"])
    round_two = _round_tables(tables, mentees[:5], {str(mentor["person_id"]): offered})
    ids = round_two["enrolment"]["person_id"].astype(str)
    assert str(mentor["person_id"]) not in set(ids)  # no capacity left: not in the next cohort
    assert set(round_two["enrolment"].loc[round_two["enrolment"]["role"] != "mentor", "person_id"]) <= set(mentees[:5])


def test_no_feasible_design_names_the_binding_constraint_and_the_cli_writes_nothing(demo, workspace, tmp_path,
                                                                                    capsys):
    tables, design = demo
    found = optimise(tables, design, budget=100, candidates=16, runs=50, seed=1, executor=False)
    assert found.frontier().empty and "budget" in found.binding and "cheapest design tried costs" in found.binding
    out = tmp_path / "designs.json"
    assert main(["optimise", str(workspace.path), "--budget", "100", "--candidates", "16", "--runs", "50",
                 "--workers", "1", "--out", str(out)]) == 2
    assert "binds most often is the budget" in capsys.readouterr().err and not out.exists()
    assert main(["optimise", str(workspace.path), "--candidates", "16", "--runs", "50", "--workers", "1",
                 "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["frontier"] and len(document["candidates"]) <= 16 and document["seed"] == 0
    assert "Designs on the frontier" in capsys.readouterr().out


def test_an_empty_mentor_pool_or_a_bad_budget_is_refused(demo):
    tables, design = demo
    no_mentors = dict(tables, enrolment=tables["enrolment"].assign(role="mentee"))
    with pytest.raises(WorkbenchError, match="mentor pool is empty"):
        optimise(no_mentors, design, candidates=4, runs=10, executor=False)
    with pytest.raises(WorkbenchError, match="budget must be more than 0"):
        optimise(tables, design, budget=0, candidates=4, runs=10, executor=False)


def test_cancel_stops_with_what_finished(demo):
    tables, design = demo
    stop = threading.Event()
    seen = []

    def progress(done, total, message):
        seen.append(done)
        if done >= 8:
            stop.set()

    found = optimise(tables, design, candidates=64, runs=50, seed=1, executor=False, population=8, progress=progress,
                     cancel=stop)
    assert found.cancelled and 0 < len(found.candidates) < 64
    assert np.isfinite(found.candidates["cost"]).any()


def test_cli_refuses_bad_arguments(tmp_path: Path, workspace, capsys):
    assert main(["optimise", str(workspace.path), "--candidates", "1", "--out", str(tmp_path / "x.json")]) == 2
    assert "--candidates must be at least 2" in capsys.readouterr().err
    assert main(["optimise", str(workspace.path), "--out", str(tmp_path / "missing" / "x.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
