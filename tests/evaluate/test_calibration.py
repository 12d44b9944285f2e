"""Calibration: the forecast for the design as run against what happened, and fitted parameters."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from workbench.data.importing import read_workspace_tables
from workbench.design.model import ProgramDesign
from workbench.evaluate import evaluate
from workbench.evaluate.calibration import _clip, calibrate
from workbench.simulate import PARAMETERS, simulate
from workbench.simulate.parameters import resolve
from workbench.workspace import DEMO_SOURCE, open_workspace


@pytest.fixture(scope="module")
def result():
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    return evaluate(tables, ProgramDesign(), runs=300, seed=2)


def test_forecast_rows_compare_like_with_like(result) -> None:
    calibration = result.calibration
    forecast = calibration.forecast.set_index("measure")
    assert list(forecast.index) == ["retention_participants", "retention_comparison", "retention_difference",
                                    "meetings_per_participant", "early_closure"]
    assert (forecast["p05"] <= forecast["forecast"]).all() and (forecast["forecast"] <= forecast["p95"]).all()
    assert forecast.loc["retention_comparison", "observed"] == pytest.approx(
        result.retention.at_horizon["comparison"].estimate)
    assert forecast.loc["meetings_per_participant", "observed"] == pytest.approx(317 / 34)
    assert calibration.horizon_months == result.horizon_months == 11
    assert calibration.simulation.runs == 300 and calibration.simulation.cohort["participants"] == 34
    assert any("neutral match score" in note for note in calibration.notes)


def test_fitted_parameters_are_usable_by_the_outcome_model(result) -> None:
    from workbench.evaluate.calibration import forecast_cohort

    calibration = result.calibration
    assert set(calibration.parameters) <= set(PARAMETERS)
    assert "turnover_reduction" in calibration.parameters
    resolve(calibration.parameters)  # within every allowed range
    fitted = calibration.fitted.set_index("parameter")
    row = fitted.loc["turnover_reduction"]
    assert row["low"] <= row["fitted"] <= row["high"]
    assert f"{result.retention.survival.hazard_ratio.estimate:.2f}" in row["note"]
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    cohort, _ = forecast_cohort(result.cohort, tables, ProgramDesign())
    again = simulate(cohort, ProgramDesign(), runs=20, parameters=calibration.parameters,
                     horizon_months=calibration.horizon_months)
    assert again.parameters["turnover_reduction"] == pytest.approx(calibration.parameters["turnover_reduction"])


def test_early_closure_is_fitted_only_from_a_share_that_is_shown(result) -> None:
    """In the demo 10 of 34 pairs closed early and 3 ended by an exit: the 3 are hidden and the 10 with them,
    so the participants' share that closed early (10 of 34) is neither shown nor fitted; shown, it is fitted."""
    fitted = result.calibration.fitted.set_index("parameter")
    assert "early_closure" not in result.calibration.parameters
    assert fitted.loc["early_closure", "note"] == "Not fitted: the observed share is not shown."
    forecast = result.calibration.forecast.set_index("measure")
    assert pd.isna(forecast.loc["early_closure", "observed"]) and "Not shown" in forecast.loc["early_closure", "note"]

    shown = dataclasses.replace(result.behaviour, summary={**result.behaviour.summary,
                                                           "mentees_closed_early_share": 10 / 34})
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    calibration = calibrate(result.cohort, tables, ProgramDesign(), retention=result.retention,
                            promotion=result.promotion, behaviour=shown, horizon_months=result.horizon_months,
                            runs=300, seed=2)
    closure = calibration.fitted.set_index("parameter").loc["early_closure"]
    assert closure["allowed_low"] <= closure["fitted"] <= closure["allowed_high"]
    assert closure["clipped"] == ("clipped" in closure["note"]) and "Observed 29% of participants" in closure["note"]
    assert calibration.parameters["early_closure"] == closure["fitted"]
    assert calibration.forecast.set_index("measure").loc["early_closure", "observed"] == pytest.approx(10 / 34)


def test_a_lower_observed_hazard_ratio_fits_a_larger_turnover_reduction(result) -> None:
    fitted = result.calibration.fitted.set_index("parameter")
    effect_note = fitted.loc["turnover_reduction", "note"]
    effect = float(effect_note.split("mean effect ")[1].split(" ")[0])
    ratio = result.retention.survival.hazard_ratio.estimate
    expected = float(np.clip((1 - ratio) / effect, 0, 1))
    assert fitted.loc["turnover_reduction", "fitted"] == pytest.approx(expected, abs=0.01)


def test_clipping_is_said() -> None:
    row = _clip("early_closure", 0.45, 0.3, 0.6, 0.2, "Observed more.")
    assert row["fitted"] == PARAMETERS["early_closure"].allowed[1] and row["clipped"]
    assert "outside the allowed" in row["note"] and row["note"].startswith("Observed more.")
    inside = _clip("turnover_reduction", 0.3, 0.1, 0.5, 0.35, "")
    assert not inside["clipped"] and inside["fitted"] == 0.3
    missing = _clip("turnover_reduction", np.nan, np.nan, np.nan, 0.35, "Not fitted.")
    assert np.isnan(missing["fitted"]) and not missing["clipped"]


def test_baseline_attrition_is_reported_beside_the_forecasts(result) -> None:
    baseline = result.calibration.baseline
    assert baseline["unit"] == "exits per person-year"
    assert 0.05 < baseline["observed_comparison_hazard"] < 0.4 and 0.05 < baseline["forecast_hazard"] < 0.4
    assert baseline["ratio"] == pytest.approx(baseline["observed_comparison_hazard"] / baseline["forecast_hazard"])
    assert isinstance(result.calibration.forecast, pd.DataFrame)
