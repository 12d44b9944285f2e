"""Every program forecast together: totals are the programs' runs added up, one program is the one-program
forecast, a shared mentor's time is counted once, seeds repeat, a program nobody is matched in is listed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.design.model import Eligibility
from workbench.errors import WorkbenchError
from workbench.simulate import KPIS, Cohort, SimulationResult
from workbench.whatif import run_scenario
from workbench.whatif.programs import ALL_PROGRAMS, combine_programs, mentor_hours, simulate_programs

RUNS = 300


@pytest.fixture(scope="module")
def tiers(demo):
    """The demo's design as two one-on-one tiers on the same mentors: senior (2-5 levels up), peer (0-1)."""
    tables, design = demo
    tier = lambda name, low, high: design.model_copy(update={"name": name, "experience": design.experience.model_copy(
        update={"seniority_gap_min": low, "seniority_gap_max": high, "structure": "one_on_one"})})
    return tables, {"main": tier("Senior tier", 2, 5), "peer": tier("Peer tier", 0, 1)}


@pytest.fixture(scope="module")
def forecast(tiers):
    tables, designs = tiers
    return simulate_programs(tables, designs, runs=RUNS, seed=3)


def test_the_total_adds_the_programs_run_by_run(forecast):
    results, total = forecast.results, forecast.total
    assert list(results) == ["main", "peer"] and total.runs == RUNS
    for kpi in ("exits", "cost", "benefit"):
        for side in (0, 1) if total.runs_kpis[kpi][1] is not None else (0,):
            added = sum(r.runs_kpis[kpi][side] for r in results.values())
            np.testing.assert_allclose(total.runs_kpis[kpi][side], added)
    n = {p: r.cohort["participants"] for p, r in results.items()}
    assert total.cohort["participants"] == sum(n.values())
    # retention pooled by participants is what the summed exits give
    for side in (0, 1):
        np.testing.assert_allclose(total.runs_kpis["retention"][side],
                                   (sum(n.values()) - total.runs_kpis["exits"][side]) / sum(n.values()))
    cost, benefit = total.runs_kpis["cost"][0], total.runs_kpis["benefit"][0]
    np.testing.assert_allclose(total.runs_kpis["roi"][0], (benefit - cost) / cost)
    quality = sum(r.runs_kpis["quality"][0] * n[p] for p, r in results.items()) / sum(n.values())
    np.testing.assert_allclose(total.runs_kpis["quality"][0], quality)
    # the table's total row is the total's KPIs, its per-program rows each program's
    table = forecast.table().set_index("program")
    exits = total.kpi("exits")
    assert table.loc[ALL_PROGRAMS, "exits_avoided"] == pytest.approx(-exits.mean["difference"].estimate)
    assert table.loc[ALL_PROGRAMS, "exits_avoided_low"] <= table.loc[ALL_PROGRAMS, "exits_avoided"] \
        <= table.loc[ALL_PROGRAMS, "exits_avoided_high"]
    assert table.loc[ALL_PROGRAMS, "exits_avoided"] == pytest.approx(table.loc[["main", "peer"], "exits_avoided"].sum())
    assert table.loc[ALL_PROGRAMS, "participants"] == table.loc[["main", "peer"], "participants"].sum()
    document = json.loads(json.dumps(forecast.to_json(), allow_nan=False))
    assert set(document["programs"]) == {"main", "peer"} and document["all_programs"]["cohort"]["participants"] \
        == sum(n.values())


def test_one_program_gives_the_one_program_figures(demo):
    tables, design = demo
    alone = run_scenario(tables, design, runs=RUNS, seed=3)
    found = simulate_programs(tables, {"main": design}, runs=RUNS, seed=3)
    for result in (found.results["main"], found.total):
        pd.testing.assert_frame_equal(result.kpis().drop(columns="label"), alone.kpis().drop(columns="label"))
    pd.testing.assert_frame_equal(found.total.survival, alone.survival)


def test_a_mentor_in_two_programs_has_less_time_for_each(tiers):
    tables, designs = tiers
    # 3 hours a month covers either program's scheduled meetings alone, not both
    roomy = {p: d.model_copy(update={"support": d.support.model_copy(update={"mentor_hours_per_month": 3.0})})
             for p, d in designs.items()}
    found = simulate_programs(tables, roomy, runs=RUNS, seed=3)
    shared = set(found.match.results["main"].pairs["mentor_id"]) & set(found.match.results["peer"].pairs["mentor_id"])
    assert shared  # the tiers do share mentors
    for p, result in found.results.items():
        mechanisms = result.settings["mechanisms"]
        assert mechanisms["mentor_hours_per_month_scheduled"] < 3.0
        other = "peer" if p == "main" else "main"
        pairs = found.match.results[p].pairs
        elsewhere = mentor_hours(found.match.results[other], roomy[other]).reindex(pairs["mentor_id"]).fillna(0)
        assert mechanisms["mentor_hours_per_month_other_programs"] == pytest.approx(elsewhere.mean())
        assert mechanisms["meetings_mentors_have_time_for"] < 1.0
    # the same matchings simulated as if each program had its mentors to itself hold more meetings
    alone = simulate_programs(tables, {"main": roomy["main"]}, runs=RUNS, seed=3)
    assert alone.results["main"].settings["mechanisms"]["meetings_mentors_have_time_for"] == 1.0


def test_the_same_seed_repeats_and_the_order_changes_nothing_when_solved_jointly(tiers, forecast):
    tables, designs = tiers
    again = simulate_programs(tables, designs, runs=RUNS, seed=3)
    assert json.dumps(again.to_json(), sort_keys=True) == json.dumps(forecast.to_json(), sort_keys=True)
    reordered = simulate_programs(tables, {"peer": designs["peer"], "main": designs["main"]}, runs=RUNS, seed=3)
    for p in ("main", "peer"):
        assert reordered.results[p].json_text() == forecast.results[p].json_text()
    other = simulate_programs(tables, designs, runs=RUNS, seed=4)
    assert not np.array_equal(other.total.runs_kpis["exits"][0], forecast.total.runs_kpis["exits"][0])


def test_a_program_nobody_is_matched_in_is_listed_with_why(tiers):
    tables, designs = tiers
    nobody = designs["peer"].model_copy(update={"align": designs["peer"].align.model_copy(
        update={"mentee_eligibility": Eligibility(level_min=50)})})
    found = simulate_programs(tables, {"main": designs["main"], "peer": nobody}, runs=RUNS, seed=3)
    assert list(found.results) == ["main"] and "nobody is matched" in found.skipped["peer"]
    table = found.table().set_index("program")
    assert table.loc["peer", "participants"] == 0 and np.isnan(table.loc["peer", "exits_avoided"])
    assert table.loc[ALL_PROGRAMS, "exits_avoided"] == pytest.approx(table.loc["main", "exits_avoided"])


def test_budgets_add_up_and_different_currencies_are_refused(tiers):
    tables, designs = tiers
    budget = lambda d, amount, currency="EUR": d.model_copy(update={"align": d.align.model_copy(update={
        "constraints": d.align.constraints.model_copy(update={"budget": amount, "currency": currency})})})
    found = simulate_programs(tables, {"main": budget(designs["main"], 30000.0), "peer": budget(designs["peer"],
                                                                                                 20000.0)},
                              runs=RUNS, seed=3)
    table = found.table().set_index("program")
    assert table.loc[ALL_PROGRAMS, "budget"] == 50000.0
    cost = found.total.runs_kpis["cost"][0]
    assert table.loc[ALL_PROGRAMS, "p_within_budget"] == pytest.approx((cost <= 50000.0).mean())
    with pytest.raises(WorkbenchError, match=r"different currencies \(main: EUR, peer: USD\)"):
        simulate_programs(tables, {"main": budget(designs["main"], 1.0), "peer": budget(designs["peer"], 1.0, "USD")},
                          runs=RUNS)


def test_cancelling_stops_between_programs_and_gives_no_total(tiers):
    tables, designs = tiers
    steps = []
    found = simulate_programs(tables, designs, runs=RUNS, seed=3, progress=lambda *a: steps.append(a),
                              cancel=lambda: len(steps) >= 2)
    assert found.cancelled and found.total is None and list(found.results) == ["main"]
    assert [s[:2] for s in steps] == [(1, 3), (2, 3)]


def synthetic(rng: np.random.Generator, n: int, runs: int) -> tuple[SimulationResult, Cohort]:
    """A program's result with random run-level KPIs of ``n`` participants (no engine involved)."""
    runs_kpis = {}
    for kpi, spec in KPIS.items():
        scale = 1000.0 if spec.unit == "currency" else 1.0
        draw = lambda: rng.integers(0, n + 1, runs).astype(float) if kpi == "exits" else rng.uniform(0, scale, runs)
        runs_kpis[kpi] = (draw(), draw() if spec.compared else None)
    survival = pd.DataFrame({"month": [1, 2], "participants": rng.uniform(0.8, 1, 2),
                             "comparison": rng.uniform(0.8, 1, 2)})
    mentees = pd.DataFrame({"gap_levels": rng.integers(0, 4, n).astype(float)})
    result = SimulationResult(name="x", runs=runs, seed={}, horizon_months=2, parameters={}, settings={},
                              cohort={"participants": n}, runs_kpis=runs_kpis, groups={}, survival=survival)
    return result, Cohort(mentees=mentees, mentors=1, group_size=1.0, structure="one_on_one", unmatched=0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=5), st.integers(2, 30), st.integers(0, 2**32 - 1))
def test_the_total_is_the_same_in_any_order_and_its_rates_lie_between_the_programs(sizes, runs, seed):
    rng = np.random.default_rng(seed)
    made = {f"p{i}": synthetic(rng, n, runs) for i, n in enumerate(sizes)}
    results, cohorts = {p: r for p, (r, _) in made.items()}, {p: c for p, (_, c) in made.items()}
    total = combine_programs(results, cohorts)
    backwards = combine_programs(dict(reversed(results.items())), cohorts)
    for kpi in KPIS:
        np.testing.assert_allclose(total.runs_kpis[kpi][0], backwards.runs_kpis[kpi][0])
    for kpi in ("retention", "promotion", "meetings", "early_closure", "quality"):
        values = np.stack([r.runs_kpis[kpi][0] for r in results.values()])
        assert np.all(values.min(axis=0) - 1e-12 <= total.runs_kpis[kpi][0])
        assert np.all(total.runs_kpis[kpi][0] <= values.max(axis=0) + 1e-12)
    assert total.cohort["participants"] == sum(sizes)
