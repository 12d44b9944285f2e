"""Kaplan-Meier, log-rank and Cox against independent computations on published example data.

The reference is the leukemia remission data of Freireich et al. (1963, Blood 21:699): weeks in
remission of 21 patients on 6-mercaptopurine (6-MP) and 21 on placebo, as tabulated by Kleinbaum &
Klein, *Survival Analysis: A Self-Learning Text* (3rd ed., 2012), who give the log-rank chi-square as
16.79 (p = 0.0000) and the 6-MP Kaplan-Meier estimates. The textbook formulas are written out below,
independently of SciPy and statsmodels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from workbench.evaluate import compare_survival, cox_hazard_ratio, kaplan_meier, logrank_test

# weeks; a trailing + in the book marks a censored time (True here)
MP_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_CENSORED = [False, False, False, True, False, True, False, True, True, False, False, True, True, True, False,
               False, True, True, True, True, True]
PLACEBO_WEEKS = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
# Kleinbaum & Klein, table of the 6-MP group's Kaplan-Meier estimates (at each failure time)
PUBLISHED_MP_KM = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}


def leukemia() -> pd.DataFrame:
    return pd.DataFrame({
        "weeks": MP_WEEKS + PLACEBO_WEEKS,
        "relapse": [not c for c in MP_CENSORED] + [True] * len(PLACEBO_WEEKS),
        "group": ["participants"] * 21 + ["comparison"] * 21})


def product_limit(time, event) -> dict[float, float]:
    """The textbook Kaplan-Meier estimate: S(t) = prod over event times t_j <= t of (1 - d_j / n_j)."""
    time, event = np.asarray(time, float), np.asarray(event, bool)
    s, out = 1.0, {}
    for t in np.unique(time):
        n = np.sum(time >= t)
        d = np.sum((time == t) & event)
        s *= 1 - d / n
        out[float(t)] = s
    return out


def textbook_logrank(t1, e1, t2, e2) -> float:
    """Chi-square = (O - E)^2 / V over the pooled distinct event times (hypergeometric variance)."""
    t1, e1, t2, e2 = (np.asarray(x, float) for x in (t1, e1, t2, e2))
    o_minus_e, var = 0.0, 0.0
    for t in np.unique(np.concatenate([t1[e1 > 0], t2[e2 > 0]])):
        n1, n2 = np.sum(t1 >= t), np.sum(t2 >= t)
        d1, d2 = np.sum((t1 == t) & (e1 > 0)), np.sum((t2 == t) & (e2 > 0))
        n, d = n1 + n2, d1 + d2
        o_minus_e += d1 - d * n1 / n
        if n > 1:
            var += d * (n1 / n) * (n2 / n) * (n - d) / (n - 1)
    return o_minus_e ** 2 / var


def test_kaplan_meier_matches_the_published_estimates_and_the_product_limit_formula() -> None:
    data = leukemia()
    mp = data[data["group"] == "participants"]
    curve = kaplan_meier(mp["weeks"], mp["relapse"])
    reference = product_limit(mp["weeks"], mp["relapse"])
    for row in curve.itertuples():
        if row.time > 0:
            assert row.survival == pytest.approx(reference[row.time], abs=1e-12)
    shown = dict(zip(curve["time"], curve["survival"]))
    for week, value in PUBLISHED_MP_KM.items():
        assert shown[week] == pytest.approx(value, abs=5e-5)
    assert curve.iloc[0].to_dict() == {"time": 0.0, "survival": 1.0, "low": 1.0, "high": 1.0, "at_risk": 21,
                                       "events": 0}
    at_10 = curve[curve["time"] == 10].iloc[0]
    assert (at_10["at_risk"], at_10["events"]) == (15, 1)  # 15 still in remission just before week 10, 1 relapse
    assert (curve["low"].dropna() <= curve.loc[curve["low"].notna(), "survival"]).all()


def test_logrank_matches_the_textbook_formula_and_the_published_chi_square() -> None:
    data = leukemia()
    mp, placebo = data[data["group"] == "participants"], data[data["group"] == "comparison"]
    test = logrank_test(mp["weeks"], mp["relapse"], placebo["weeks"], placebo["relapse"])
    reference = textbook_logrank(mp["weeks"], mp["relapse"], placebo["weeks"], placebo["relapse"])
    assert test.statistic == pytest.approx(reference, rel=1e-9)
    assert test.statistic == pytest.approx(16.79, abs=0.005)
    assert test.p_value == pytest.approx(stats.chi2.sf(reference, 1), rel=1e-6)
    assert test.p_value == pytest.approx(4.17e-5, rel=0.01)
    assert test.z < 0  # 6-MP patients relapse less than expected


def test_cox_hazard_ratio_matches_the_published_model() -> None:
    # R: coxph(Surv(weeks, relapse) ~ group, ties = "efron"): coefficient of placebo 1.572, exp 4.817 (2.147,
    # 10.81). The 6-MP against placebo ratio is its inverse.
    data = leukemia().assign(mp=lambda d: (d["group"] == "participants").astype(float))
    ratio, notes = cox_hazard_ratio(data, time="weeks", event="relapse", treatment="mp")
    assert notes == []
    assert 1 / ratio.estimate == pytest.approx(4.817, abs=0.001)
    assert (1 / ratio.high, 1 / ratio.low) == pytest.approx((2.147, 10.81), abs=0.005)
    assert ratio.p_value < 0.001 and (ratio.people, ratio.events) == (42, 30)


def test_compare_survival_on_the_leukemia_data() -> None:
    result = compare_survival(leukemia(), time="weeks", event="relapse", group="group", first="participants",
                              second="comparison")
    assert set(result.km["group"]) == {"participants", "comparison"}
    assert result.groups.to_dict("records") == [{"group": "participants", "people": 21, "events": 9},
                                                {"group": "comparison", "people": 21, "events": 21}]
    assert result.logrank.statistic == pytest.approx(16.79, abs=0.005)
    assert result.hazard_ratio.estimate < 1
    assert result.survival_at("participants", 10) == pytest.approx(0.7529, abs=5e-5)
    assert result.survival_at("comparison", 23) == pytest.approx(0.0)


def test_groups_under_five_get_no_curve_and_no_test() -> None:
    data = leukemia().iloc[list(range(4)) + list(range(21, 42))]
    result = compare_survival(data, time="weeks", event="relapse", group="group", first="participants",
                              second="comparison")
    assert set(result.km["group"]) == {"comparison"}
    assert result.logrank is None and result.hazard_ratio is None
    assert "Fewer than 5" in result.notes[0]


def test_no_hazard_ratio_without_events_in_a_group() -> None:
    data = leukemia().assign(relapse=lambda d: d["relapse"] & (d["group"] == "comparison"))
    ratio, notes = cox_hazard_ratio(data.assign(t=(data["group"] == "participants").astype(float)), time="weeks",
                                    event="relapse", treatment="t")
    assert ratio is None and "no events" in notes[0]


def test_stratified_cox_needs_no_coefficient_for_a_stratum_without_events() -> None:
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({"treated": rng.integers(0, 2, n).astype(float), "department": rng.choice(["A", "B"], n)})
    hazard = 0.1 * np.where(frame["treated"] == 1, 0.5, 1.0)
    frame["time"] = rng.exponential(1 / hazard)
    frame["event"] = frame["time"] < 12
    frame["time"] = frame["time"].clip(upper=12)
    frame.loc[frame["department"] == "B", "event"] = False  # nobody in B ever leaves
    ratio, notes = cox_hazard_ratio(frame, time="time", event="event", treatment="treated", strata=("department",))
    assert notes == [] and ratio.strata == ("department",)
    assert ratio.low < 0.5 < ratio.high


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1, max_size=40))
def test_kaplan_meier_is_the_product_limit_estimate(rows) -> None:
    time = [t for t, _ in rows]
    event = [e for _, e in rows]
    curve = kaplan_meier(time, event)
    reference = product_limit(time, event)
    assert curve["survival"].is_monotonic_decreasing
    assert curve["survival"].between(0, 1).all()
    for row in curve.itertuples():
        if row.time > 0:
            assert row.survival == pytest.approx(reference[row.time], abs=1e-12)
    assert curve["events"].sum() == sum(event)
