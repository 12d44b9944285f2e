"""Program cost as the outcome model counts it, and ROI from avoided exits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.design.model import Evaluate, Experience, ProgramDesign
from workbench.evaluate import program_cost
from workbench.evaluate.roi import roi_estimate
from workbench.simulate import PARAMETERS
from workbench.simulate.engine import HOURS_PER_YEAR


def meetings() -> pd.DataFrame:
    return pd.DataFrame({"mentee_id": ["a", "b", "c", "a"], "mentor_id": ["m", "m", "n", "m"],
                         "date": pd.to_datetime(["2025-01-05", "2025-01-05", "2025-01-06", "2025-02-01"]),
                         "minutes": [60.0, 60.0, 30.0, 45.0]})


def test_cost_counts_a_group_session_once_for_the_mentor() -> None:
    design = ProgramDesign(experience=Experience(mentee_training_hours=1, mentor_training_hours=2),
                           evaluate=Evaluate(average_salary=88000))
    total, parts, hourly, salary, source = program_cost(meetings(), design, participants=3, mentors=2, pairs=3,
                                                        months=6)
    assert hourly == pytest.approx(88000 / HOURS_PER_YEAR) and salary == 88000 and source.startswith("design")
    # mentees 195 minutes; mentors: m on 5 Jan once (60), n 30, m on 1 Feb 45
    assert parts["meeting_hours"] == pytest.approx((195 + 135) / 60)
    assert parts["training_hours"] == pytest.approx(3 * 1 + 2 * 2)
    assert parts["coordinator_hours"] == pytest.approx(PARAMETERS["coordinator_hours"].default * 3 * 6)
    assert parts["tools"] == pytest.approx(PARAMETERS["tool_cost"].default * 5 * 6)
    assert total == pytest.approx((parts["meeting_hours"] + parts["training_hours"] + parts["coordinator_hours"])
                                  * hourly + parts["tools"])


def test_without_a_salary_the_model_defaults_are_used_and_said_to_be_assumptions() -> None:
    _, _, hourly, salary, source = program_cost(meetings(), ProgramDesign(), participants=3, mentors=2, pairs=3,
                                                months=6)
    assert hourly == PARAMETERS["hourly_cost"].default and salary == PARAMETERS["annual_salary"].default
    assert "assumption" in source


def test_roi_from_avoided_exits() -> None:
    design = ProgramDesign(evaluate=Evaluate(average_salary=50000, replacement_cost_multiple=1.5))
    rng = np.random.default_rng(0)
    draws = (rng.normal(0.10, 0.02, 4000), rng.normal(0.20, 0.03, 4000))  # exit shares
    roi = roi_estimate(0.10, 0.20, draws, participants=50, cost=25000.0, breakdown={}, salary=50000,
                       salary_source="design", hourly=28.4, design=design)
    assert roi.replacement_cost == 75000
    assert roi.avoided_exits.estimate == pytest.approx(5.0)
    assert roi.benefit.estimate == pytest.approx(375000)
    assert roi.roi.estimate == pytest.approx((375000 - 25000) / 25000)
    assert roi.roi.low < roi.roi.estimate < roi.roi.high and roi.p_positive > 0.99
    dist = roi.distribution(bins=20)
    assert len(dist) == 20 and dist["share"].sum() == pytest.approx(1)
    assert roi.currency == "EUR" and any("comparison" in c for c in roi.caveats)
