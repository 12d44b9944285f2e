"""Allocation and analysis of the pilot designs: the waitlist's draw, the wedge's order, the randomisation-based
interval and the stepped-wedge model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from workbench.errors import WorkbenchError
from workbench.evaluate.trial import OFFERED, WAITLISTED, itt_difference, waitlist_allocation, wedge_model, \
    wedge_order


def applicants(n: int, clusters: int = 4) -> pd.DataFrame:
    return pd.DataFrame({"person_id": [f"P{i}" for i in range(n)],
                         "site": [f"Site {i % clusters}" for i in range(n)]})


@settings(max_examples=40, deadline=None)
@given(n=st.integers(10, 200), share=st.floats(0.05, 0.95), seed=st.integers(0, 2**31 - 1))
def test_a_waitlist_offers_exactly_the_places_in_draw_order(n: int, share: float, seed: int) -> None:
    places = min(max(5, round(n * share)), n - 5)
    found = waitlist_allocation(applicants(n), places, seed=seed)
    assert (found["allocation"] == OFFERED).sum() == places
    assert sorted(found["draw"]) == list(range(1, n + 1))
    # the offered are the first places of the draw
    assert found.loc[found["allocation"] == OFFERED, "draw"].max() < found.loc[
        found["allocation"] == WAITLISTED, "draw"].min()
    pd.testing.assert_frame_equal(found, waitlist_allocation(applicants(n), places, seed=seed))


@pytest.mark.parametrize("n, places", [(30, 30), (30, 40), (30, 27), (30, 3)])
def test_a_waitlist_needs_more_applicants_than_places_and_five_in_each_arm(n: int, places: int) -> None:
    with pytest.raises(WorkbenchError, match="pilot design"):
        waitlist_allocation(applicants(n), places, seed=0)


@settings(max_examples=40, deadline=None)
@given(clusters=st.integers(2, 15), steps=st.integers(2, 6), seed=st.integers(0, 2**31 - 1))
def test_a_wedge_deals_every_cluster_to_a_step_evenly(clusters: int, steps: int, seed: int) -> None:
    if clusters < steps:
        with pytest.raises(WorkbenchError, match=f"{steps} steps need at least {steps} clusters"):
            wedge_order(applicants(60, clusters), "site", steps, 3, seed=seed)
        return
    order = wedge_order(applicants(60, clusters), "site", steps, 3, seed=seed)
    assert sorted(order["cluster"]) == sorted({f"Site {i}" for i in range(clusters)})
    sizes = order["step"].value_counts()
    assert set(sizes.index) == set(range(1, steps + 1)) and sizes.max() - sizes.min() <= 1
    assert (order["starts_month"] == (order["step"] - 1) * 3).all()


def test_a_wedge_with_one_cluster_or_an_unknown_column_is_refused() -> None:
    with pytest.raises(WorkbenchError, match=r"has one cluster \('Site 0'\)"):
        wedge_order(applicants(20, 1), "site", 2, 3, seed=0)
    with pytest.raises(WorkbenchError, match="column 'region', which people.csv does not have"):
        wedge_order(applicants(20), "region", 2, 3, seed=0)


def test_the_randomisation_p_value_agrees_with_scipys_permutation_test() -> None:
    rng = np.random.default_rng(11)
    offered = rng.permutation(np.r_[np.ones(40, bool), np.zeros(45, bool)])
    y = rng.normal(0.4 * offered, 1.0)
    ours = itt_difference(y, offered, rng=np.random.default_rng(1), permutations=4000)
    theirs = stats.permutation_test((y[offered], y[~offered]), lambda a, b: np.mean(a) - np.mean(b),
                                    permutation_type="independent", n_resamples=4000, random_state=2)
    assert ours["difference"] == pytest.approx(theirs.statistic)
    # two Monte Carlo estimates of one p-value: within 4 standard errors of each other
    error = np.sqrt(theirs.pvalue * (1 - theirs.pvalue) / 4000)
    assert abs(ours["p_value"] - theirs.pvalue) < 4 * error * np.sqrt(2) + 1e-3


def test_the_randomisation_interval_matches_the_welch_interval_on_a_large_sample() -> None:
    rng = np.random.default_rng(5)
    offered = rng.permutation(np.r_[np.ones(600, bool), np.zeros(600, bool)])
    stayed = (rng.random(1200) < np.where(offered, 0.85, 0.75)).astype(float)
    ours = itt_difference(stayed, offered, rng=np.random.default_rng(3))
    welch = stats.ttest_ind(stayed[offered], stayed[~offered], equal_var=False).confidence_interval()
    assert ours["low"] == pytest.approx(welch.low, abs=0.01)
    assert ours["high"] == pytest.approx(welch.high, abs=0.01)
    assert ours["low"] < 0.10 < ours["high"]


def simulated_wedge(odds_ratio: float, *, clusters: int = 12, steps: int = 4, people: int = 250,
                    seed: int = 0) -> pd.DataFrame:
    """Person-periods with a known effect: logit P(leave) = -3 + cluster effect + period effect + log(OR) x started."""
    rng = np.random.default_rng(seed)
    step = np.arange(clusters) % steps + 1
    rows = []
    for c in range(clusters):
        alive = people
        for period in range(steps + 1):
            started = step[c] <= period
            logit = -3 + 0.3 * (c % 3) + 0.1 * period + np.log(odds_ratio) * started
            left = rng.random(alive) < 1 / (1 + np.exp(-logit))
            rows.append(pd.DataFrame({"cluster": f"C{c}", "period": period, "started": started, "left": left}))
            alive -= int(left.sum())
    return pd.concat(rows, ignore_index=True)


def test_the_stepped_wedge_model_recovers_a_known_odds_ratio() -> None:
    found = wedge_model(simulated_wedge(0.5))
    assert found["low"] < 0.5 < found["high"] and found["high"] < 1
    assert found["clusters"] == 12 and found["periods"] == 5 and found["reason"] == ""


def test_a_wedge_without_exits_says_why_it_has_no_estimate() -> None:
    periods = simulated_wedge(0.5).assign(left=False)
    found = wedge_model(periods)
    assert found["odds_ratio"] is None and "no exits" in found["reason"]
