"""The outcome model's behaviour: no effect means no difference, quality helps, intervals shrink, seeds repeat."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data.importing import read_workspace_tables
from workbench.design.model import ProgramDesign
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.simulate import KPIS, PARAMETERS, Cohort, build_cohort, simulate
from workbench.simulate.parameters import resolve
from workbench.workspace import find_workspace
from tests.conftest import demo_home

NO_EFFECT = {"turnover_reduction": 0.0, "promotion_uplift": 0.0, "skill_per_meeting": 0.0}


def cohort(n: int = 200, score: float = 0.6, hazard: float = 0.2, structure: str = "one_on_one") -> Cohort:
    rng = np.random.default_rng(0)
    mentees = pd.DataFrame({
        "person_id": [f"P{i}" for i in range(n)], "department": rng.choice(["A", "B", "C"], n),
        "level": rng.choice(["1", "2"], n), "location": "X",
        "score": np.clip(score + rng.normal(0, 0.1, n), 0, 1), "coverage": rng.uniform(0, 1, n),
        "gap_levels": rng.integers(1, 5, n).astype(float), "exit_hazard": np.full(n, hazard)})
    return Cohort(mentees=mentees, mentors=n // 2, group_size=1.0, structure=structure, unmatched=0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workspace = find_workspace("demo", demo_home(tmp_path_factory.mktemp("home")))
    tables, _ = read_workspace_tables(workspace)
    return tables, load_design(workspace)


def test_no_effect_means_no_difference_beyond_noise():
    result = simulate(cohort(), ProgramDesign(), runs=4000, seed=5, parameters=NO_EFFECT)
    table = result.kpis().set_index("kpi")
    for kpi in ("retention", "exits", "promotion", "skill_gap_closed"):
        row = table.loc[kpi]
        se = (row["difference_high"] - row["difference_low"]) / (2 * 1.96)
        assert abs(row["difference_mean"]) < 3.5 * se, kpi  # four KPIs: a 99.95% band each
    assert 0.4 < table.loc["retention", "p_positive"] + 0.5 * np.mean(result.effect("retention") == 0) < 0.6


def test_the_program_helps_with_the_default_effects():
    table = simulate(cohort(), ProgramDesign(), runs=2000, seed=5).kpis().set_index("kpi")
    assert table.loc["retention", "difference_low"] > 0 and table.loc["exits", "difference_high"] < 0
    assert table.loc["skill_gap_closed", "difference_low"] > 0


@settings(max_examples=15, deadline=None)
@given(st.floats(0.0, 0.8), st.floats(0.05, 0.2), st.integers(0, 10_000))
def test_better_matches_never_lower_expected_retention(score, step, seed):
    design = ProgramDesign()
    worse = simulate(cohort(80, score), design, runs=400, seed=seed).kpi("retention")
    better = simulate(cohort(80, min(score + step, 1.0)), design, runs=400, seed=seed).kpi("retention")
    # same seed: common random numbers, so noise is small; allow one standard error of slack
    slack = (worse.mean["participants"].high - worse.mean["participants"].low) / (2 * 1.96)
    assert better.mean["participants"].estimate >= worse.mean["participants"].estimate - slack


def test_doubling_runs_narrows_intervals_by_about_root_two():
    widths = []
    for runs in (2000, 4000, 8000):
        difference = simulate(cohort(100), ProgramDesign(), runs=runs, seed=11).kpi("retention").mean["difference"]
        widths.append(difference.high - difference.low)
    ratios = np.array(widths[1:]) / np.array(widths[:-1])
    assert np.all((ratios > 1 / np.sqrt(2) * 0.85) & (ratios < 1 / np.sqrt(2) * 1.15)), ratios


def test_same_seed_same_json_and_a_different_seed_differs(demo):
    tables, design = demo
    c = build_cohort(tables, design)
    first = simulate(c, design, runs=300, seed=9).json_text()
    assert simulate(c, design, runs=300, seed=9).json_text() == first
    assert simulate(c, design, runs=300, seed=10).json_text() != first
    data = json.loads(first)
    assert set(data["kpis"]) == set(KPIS) and data["seed"]["entropy"] == 9 and data["runs"] == 300
    assert set(data["parameters"]) == set(PARAMETERS)
    retention = data["kpis"]["retention"]
    assert {"participants", "comparison", "difference"} <= set(retention)
    assert retention["difference"]["low"] <= retention["difference"]["mean"] <= retention["difference"]["high"]


def test_results_do_not_depend_on_the_chunk_size_setting_of_the_machine(monkeypatch):
    from workbench.simulate import engine

    a = simulate(cohort(50), ProgramDesign(), runs=200, seed=3).json_text()
    monkeypatch.setattr(engine, "CHUNK_CELLS", 1_000)  # a different chunking gives different draws ...
    b = simulate(cohort(50), ProgramDesign(), runs=200, seed=3).json_text()
    assert a != b  # ... so the chunk size is a constant of the code, never of the machine
    assert engine.chunk_runs(50) == max(1, engine.CHUNK_CELLS // 50)


def test_kpis_are_in_their_units(demo):
    tables, design = demo
    result = simulate(build_cohort(tables, design), design, runs=500, seed=1)
    table = result.kpis().set_index("kpi")
    for kpi in ("retention", "promotion", "skill_gap_closed", "early_closure", "quality"):
        assert 0 <= table.loc[kpi, "participants_mean"] <= 1
    assert table.loc["cost", "participants_mean"] > 0 and table.loc["meetings", "participants_mean"] > 0
    survival = result.survival
    assert survival["participants"].is_monotonic_decreasing and survival["comparison"].is_monotonic_decreasing
    groups = result.by_group("department")
    assert groups.loc[~groups["hidden"], "participants"].ge(5).all()
    assert groups.loc[groups["hidden"], "retention"].isna().all()
    dist = result.distribution("retention")
    assert set(dist["series"]) == {"participants", "comparison", "difference"}
    assert np.allclose(dist.groupby("series")["share"].sum(), 1)


def test_compare_two_designs(demo):
    tables, design = demo
    c = build_cohort(tables, design)
    strong = simulate(c, design, runs=1000, seed=1)
    weak = simulate(c, design, runs=1000, seed=2, parameters={"turnover_reduction": 0.0})
    table = strong.compare(weak).set_index("kpi")
    assert table.loc["retention", "difference"] > 0 and table.loc["retention", "p_better"] > 0.5
    assert table.loc["retention", "low"] <= table.loc["retention", "difference"] <= table.loc["retention", "high"]


def test_bad_settings_are_named():
    with pytest.raises(WorkbenchError, match="turnover_reduction"):
        resolve({"turnover_reduction": 3})
    with pytest.raises(WorkbenchError, match="Unknown model parameter"):
        resolve({"magic": 1})
    with pytest.raises(WorkbenchError, match="at least 2 runs"):
        simulate(cohort(), ProgramDesign(), runs=1)
    empty = Cohort(mentees=cohort(1).mentees.iloc[:0], mentors=0, group_size=1.0, structure="one_on_one",
                   unmatched=3)
    with pytest.raises(WorkbenchError, match="Nobody is matched"):
        simulate(empty, ProgramDesign())


def test_every_parameter_has_a_range_and_a_source_or_is_an_assumption():
    for p in PARAMETERS.values():
        assert p.low <= p.default <= p.high and p.unit and p.description and p.source
        assert p.allowed[0] <= p.low and p.high <= p.allowed[1]
