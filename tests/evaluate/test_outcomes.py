"""Retention against the weighted comparison group: the bootstrap and the breakdowns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.evaluate import coarsened_match, outcome_comparison
from tests.suppression import assert_suppressed
from workbench.evaluate.outcomes import bootstrap_shares, weighted_share


def matched_sample(n_p: int = 60, n_c: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "group": ["participants"] * n_p + ["comparison"] * n_c,
        "department": rng.choice(["Sales", "Engineering", "Support"], n_p + n_c),
        "level": rng.choice([1.0, 2.0], n_p + n_c), "tenure_band": "1-3 years",
        "tenure_months": rng.uniform(12, 36, n_p + n_c)})
    hazard = np.where(frame["department"] == "Support", 0.3, 0.1) * np.where(frame["group"] == "participants",
                                                                              0.6, 1.0)
    exit_months = rng.exponential(12 / hazard)
    frame["left"] = exit_months < 12
    frame["months"] = np.minimum(exit_months, 12)
    out = coarsened_match(frame, ("department", "level", "tenure_band"))
    return out[out["matched"]].reset_index(drop=True)


def test_bootstrap_shares_centre_on_the_estimates_and_keep_the_weights() -> None:
    sample = matched_sample()
    hit = sample["left"].to_numpy()
    share_p, share_c = bootstrap_shares(sample, hit, resamples=4000, rng=np.random.default_rng(1))
    p = sample["group"] == "participants"
    assert share_p.mean() == pytest.approx(hit[p].mean(), abs=0.005)
    assert share_c.mean() == pytest.approx(weighted_share(sample[~p], hit[~p.to_numpy()]), abs=0.005)
    n = p.sum()
    assert share_p.std() == pytest.approx(np.sqrt(hit[p].mean() * (1 - hit[p].mean()) / n), rel=0.1)


def test_outcome_comparison_reads_retention_at_the_horizon() -> None:
    sample = matched_sample()
    result = outcome_comparison(sample, "retention", horizon_months=12, resamples=1000,
                                rng=np.random.default_rng(2))
    at = result.at_horizon
    p = sample["group"] == "participants"
    assert at["participants"].estimate == pytest.approx(1 - sample.loc[p, "left"].mean())
    assert at["comparison"].estimate == pytest.approx(1 - weighted_share(sample[~p], sample.loc[~p, "left"]))
    assert at["participants_people"] == p.sum() and at["comparison_people"] == (~p).sum()
    assert result.survival.hazard_ratio.estimate < 1
    assert len(result.caveats) >= 2 and "chose" in result.caveats[0]
    early = outcome_comparison(sample, "retention", horizon_months=3, resamples=200, rng=np.random.default_rng(2))
    assert early.at_horizon["participants"].estimate >= at["participants"].estimate
    table = result.by_group["department"]
    assert set(table["variable"]) == {"department"} and not table["hidden"].any()
    balance = result.balance
    assert set(balance["variable"]) == {"department", "level", "tenure_band"}
    shown = balance[~balance["hidden"]]
    assert shown["comparison_weighted"].to_numpy(float) == pytest.approx(shown["participants"].to_numpy(float))


def test_a_small_department_cannot_be_worked_out_from_the_overall_figures() -> None:
    # Sales has 2 participants (both stay): hiding Sales alone left it as the overall minus the groups shown.
    rng = np.random.default_rng(3)
    departments = ["Sales"] * 2 + ["Engineering"] * 30 + ["Support"] * 28
    comparison = ["Sales"] * 40 + ["Engineering"] * 150 + ["Support"] * 150
    frame = pd.DataFrame({"group": ["participants"] * 60 + ["comparison"] * 340,
                          "department": departments + comparison, "level": 1.0, "tenure_band": "1-3 years",
                          "tenure_months": rng.uniform(12, 36, 400), "left": rng.random(400) < 0.2})
    frame.loc[:1, "left"] = False
    frame["months"] = np.where(frame["left"], 6.0, 12.0)
    result = outcome_comparison(frame.assign(weight=1.0), "retention", horizon_months=12, resamples=100,
                                rng=np.random.default_rng(4))
    table = result.by_group["department"].set_index("value")
    for group in ("participants", "comparison"):
        true = frame[frame["group"] == group].groupby("department").size()
        assert_suppressed(table[group].to_dict(), true.to_dict(), what=f"by department, {group}")
    balance = result.balance[result.balance["variable"] == "department"].set_index("value")
    people = {"Sales": 2, "Engineering": 30, "Support": 28}
    assert_suppressed({v: None if balance.loc[v, "hidden"] else people[v] for v in balance.index}, people,
                      what="balance by department")


def test_fewer_than_five_matched_participants_get_no_shares_and_no_counts() -> None:
    sample = matched_sample(n_p=60, n_c=400)
    few = pd.concat([sample[sample["group"] == "participants"].head(3), sample[sample["group"] == "comparison"]])
    result = outcome_comparison(few, "retention", horizon_months=12, resamples=200, rng=np.random.default_rng(0))
    assert result.at_horizon is None and len(result.draws[0]) == 0
    groups = result.survival.groups.set_index("group")
    assert groups.loc["participants", "people"] is None and groups.loc["participants", "events"] is None
    assert groups.loc["comparison", "people"] == (few["group"] == "comparison").sum()
    assert result.by_group["department"]["hidden"].all()  # 1-3 participants in each department
