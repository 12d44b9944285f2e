"""The scorecard reads each objective in its own unit and direction, and says when it cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.design.model import Align, Evaluate, Objective, ProgramDesign
from workbench.evaluate import scorecard
from workbench.evaluate.scorecard import annual_rate


def design(*objectives: Objective, metrics: dict | None = None) -> ProgramDesign:
    return ProgramDesign(align=Align(objectives=objectives), evaluate=Evaluate(metrics=metrics or {}))


def answers(scores, construct: str = "belonging", wave: str = "post") -> pd.DataFrame:
    return pd.DataFrame({"person_id": [f"p{i}" for i in range(len(scores))], "group": "participants", "wave": wave,
                         "construct": construct, "score": scores, "date": pd.Timestamp("2026-01-01")})


EXITS = {"participants": (4.0, 40.0), "comparison": (30.0, 150.0)}  # events, person-years


def test_annual_rate_uses_the_exact_poisson_interval() -> None:
    rate, low, high = annual_rate(4, 40)
    assert rate == pytest.approx(1 - np.exp(-0.1))
    assert low == pytest.approx(1 - np.exp(-stats.chi2.ppf(0.025, 8) / 2 / 40))
    assert high == pytest.approx(1 - np.exp(-stats.chi2.ppf(0.975, 10) / 2 / 40))
    assert annual_rate(0, 10)[1] == 0.0


def test_an_exit_rate_objective_in_percent_going_down() -> None:
    card = scorecard(design(Objective(id="exits", kind="retention", kpi="annual exit rate of juniors (%)",
                                      baseline=20.1, target=14, horizon_months=12)),
                     follow_up_months=11.8, exits=EXITS, promotions=None, answers=answers([]))
    row = card.iloc[0]
    assert row["measure"] == "annual exit rate of participants" and row["unit"] == "%"
    assert row["direction"] == "lower"
    assert row["observed"] == pytest.approx(100 * (1 - np.exp(-0.1)))
    assert row["comparison"] == pytest.approx(100 * (1 - np.exp(-0.2)))
    assert row["low"] < 14 < row["high"] and row["status"] == "unclear"
    assert 0.5 < row["p_met"] < 1
    assert row["note"].startswith("Provisional: 11.8 of the objective's 12 months")


def test_a_retention_share_objective_is_read_as_staying_and_can_be_met_or_not() -> None:
    low_exits = {"participants": (2.0, 200.0), "comparison": (30.0, 150.0)}
    met = scorecard(design(Objective(id="keep", kind="retention", kpi="retention of mentees", baseline=0.8,
                                     target=0.85)), follow_up_months=12, exits=low_exits, promotions=None,
                    answers=answers([])).iloc[0]
    assert met["measure"] == "annual retention rate of participants" and met["unit"] == "share 0-1"
    assert met["direction"] == "higher" and met["status"] == "met" and met["low"] > 0.85
    missed = scorecard(design(Objective(id="keep", kind="retention", kpi="retention", baseline=0.8, target=0.99)),
                       follow_up_months=12, exits=EXITS, promotions=None, answers=answers([])).iloc[0]
    assert missed["status"] == "not met" and missed["high"] < 0.99


def test_survey_objectives_use_the_named_construct() -> None:
    scores = [5.0, 5.5, 6.0, 5.25, 5.75, 6.25]
    card = scorecard(design(Objective(id="belong", kind="engagement", kpi="belonging score (1-7)", baseline=4.5,
                                      target=5.0),
                            Objective(id="conf", kind="satisfaction", kpi="how sure people feel", target=5.0),
                            Objective(id="conf2", kind="skill", kpi="self-rated", target=5.0),
                            metrics={"conf2": ("survey: belonging",)}),
                     follow_up_months=12, exits=EXITS, promotions=None, answers=answers(scores)).set_index(
                         "objective")
    row = card.loc["belong"]
    assert row["measure"] == "mean belonging score of participants at the post wave"
    assert row["observed"] == pytest.approx(np.mean(scores)) and row["unit"] == "survey scale"
    low, high = stats.t.interval(0.95, 5, loc=np.mean(scores), scale=stats.sem(scores))
    assert (row["low"], row["high"]) == pytest.approx((low, high))
    assert row["status"] == "met"
    assert card.loc["conf", "status"] == "not measured" and "No survey construct" in card.loc["conf", "note"]
    assert card.loc["conf2", "status"] == "met"  # named in evaluate.metrics


def test_what_cannot_be_measured_says_why() -> None:
    card = scorecard(design(Objective(id="promo", kind="promotion", kpi="promotion rate (%)", target=10),
                            Objective(id="speed", kind="time_to_productivity", kpi="weeks to productivity"),
                            Objective(id="few", kind="engagement", kpi="belonging", target=5)),
                     follow_up_months=12, exits=EXITS, promotions=None, answers=answers([5.0, 6.0, 5.5]))
    assert card["status"].tolist() == ["not measured"] * 3
    assert "promotion_date" in card.iloc[0]["note"]
    assert "does not hold" in card.iloc[1]["note"]
    assert "Fewer than 5" in card.iloc[2]["note"]
    promoted = scorecard(design(Objective(id="promo", kind="promotion", kpi="promotion rate (%)", baseline=5,
                                          target=10)), follow_up_months=12, exits=EXITS,
                         promotions={"participants": (6.0, 40.0), "comparison": (10.0, 150.0)},
                         answers=answers([])).iloc[0]
    assert promoted["measure"] == "annual promotion rate of participants" and promoted["direction"] == "higher"
    assert promoted["observed"] == pytest.approx(100 * (1 - np.exp(-6 / 40)))


def test_no_objectives_no_rows() -> None:
    card = scorecard(ProgramDesign(), follow_up_months=12, exits=EXITS, promotions=None, answers=answers([]))
    assert card.empty and "status" in card.columns
