"""Evaluation charts, checked through their Vega-Lite specs (and rendered once to SVG)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert

from workbench.charts.evaluate import (
    NO_DATA,
    calibration_caption,
    calibration_chart,
    km_caption,
    km_chart,
    meetings_caption,
    meetings_chart,
    programs_caption,
    programs_chart,
    roi_caption,
    roi_chart,
    scorecard_caption,
    scorecard_chart,
    survey_change_caption,
    survey_change_chart,
)
from workbench.data.importing import read_workspace_tables
from workbench.design.model import Align, Objective, ProgramDesign
from workbench.evaluate import evaluate, kaplan_meier
from workbench.workspace import DEMO_SOURCE, open_workspace


def all_rows(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def leaves(spec: dict) -> list[dict]:
    for key in ("layer", "vconcat"):
        if key in spec:
            return [leaf for part in spec[key] for leaf in leaves(part)]
    return [spec]


def marks(spec: dict) -> list[str]:
    return [leaf["mark"]["type"] if isinstance(leaf["mark"], dict) else leaf["mark"] for leaf in leaves(spec)]


def renders(chart) -> str:
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    assert svg.startswith("<svg")
    return svg


@pytest.fixture(scope="module")
def result():
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    design = ProgramDesign(align=Align(objectives=(
        Objective(id="exits", kind="retention", kpi="annual exit rate of juniors (%)", baseline=20.1, target=14,
                  horizon_months=12),
        Objective(id="belong", kind="engagement", kpi="belonging (1-7)", baseline=4.3, target=4.8),
        Objective(id="speed", kind="time_to_productivity", kpi="weeks"))))
    return evaluate(tables, design, runs=100, resamples=500)


def test_km_chart_draws_steps_with_bands_and_only_the_steps(result) -> None:
    km = result.retention.survival.km
    chart = km_chart(km, horizon_months=11)
    spec = chart.to_dict()
    assert marks(spec) == ["area", "line", "rule"]
    line = leaves(spec)[1]
    assert line["mark"]["interpolate"] == "step-after"
    assert line["encoding"]["y"]["axis"]["format"] == ".0%"
    rows = [r for r in all_rows(spec) if "survival" in r]
    assert {r["label"] for r in rows} == {"Participants", "Comparison group"}
    assert len(rows) == len(km)  # everyone is followed to the same day: every row is a step or the end
    svg = renders(chart)
    assert ">Who stayed?<" in svg
    # the legend says which line is which (the band's colour once had no legend, and Vega-Lite dropped both)
    assert 'class="mark-group role-legend"' in svg and ">Participants<" in svg and ">Comparison group<" in svg
    json_block = result.to_json()["retention"]
    caption = km_caption(km, horizon_months=11, logrank=json_block["logrank"], hazard_ratio=json_block["hazard_ratio"])
    assert "hazard ratio 0.72" in caption and "includes no difference" in caption
    assert "chose to take part" in caption and "Log-rank" in caption


def test_km_chart_never_draws_a_group_under_five() -> None:
    small = kaplan_meier([1, 2, 3], [True, False, True]).assign(group="participants")
    big = kaplan_meier(np.arange(1, 21), np.ones(20, bool)).assign(group="comparison")
    spec = km_chart(pd.concat([small, big])).to_dict()
    assert {r["label"] for r in all_rows(spec) if "label" in r} == {"Comparison group"}
    assert km_chart(small).to_dict()["mark"]["type"] == "text"
    assert km_caption(small).startswith(NO_DATA)


def test_promotion_curves_say_so_and_censored_times_are_not_embedded() -> None:
    km = kaplan_meier(np.arange(1, 21), np.arange(20) % 3 == 0).assign(group="participants")
    spec = km_chart(km, outcome="promotion").to_dict()
    assert len([r for r in all_rows(spec) if "survival" in r]) == 1 + 7 + 1  # start, 7 steps, end
    assert leaves(spec)[1]["encoding"]["y"]["title"] == "Not yet promoted"
    assert "were not yet promoted" in km_caption(km, outcome="promotion")


def test_km_chart_and_caption_name_the_time_axis_comparison_and_adjustments() -> None:
    km = pd.concat([kaplan_meier(np.arange(1, 21), np.arange(20) % 2 == 0).assign(group="participants"),
                    kaplan_meier(np.arange(1, 31), np.arange(30) % 2 == 0).assign(group="comparison")])
    spec = km_chart(km, time_title="Months of tenure", comparison="Everyone else in the file.").to_dict()
    assert leaves(spec)[1]["encoding"]["x"]["title"] == "Months of tenure"
    assert spec["title"]["subtitle"][1] == "Everyone else in the file."
    hr = {"estimate": 0.5, "low": 0.3, "high": 0.8, "strata": ["department"], "adjusted_for": []}
    assert "Allowing for department, participants were less likely" in km_caption(km, hazard_ratio=hr)
    hr = hr | {"strata": [], "adjusted_for": []}
    assert "Participants were less likely" in km_caption(km, hazard_ratio=hr)


def test_survey_change_chart_leaves_hidden_rows_out(result) -> None:
    change = result.change.copy()
    change.loc[0, "hidden"] = True
    chart = survey_change_chart(change, wave="post")
    spec = chart.to_dict()
    rows = [r for r in all_rows(spec) if "construct" in r]
    assert {r["wave"] for r in rows} == {"post"}
    assert len(rows) == len(result.change[(result.change["wave"] == "post") & ~result.change["hidden"]])
    assert "rule" in marks(spec) and "point" in marks(spec)
    renders(chart)
    caption = survey_change_caption(result.change, against=result.against_comparison)
    assert "free-text answers are never shown" in caption and "comparison group's change" in caption
    assert "what happened to everyone" in survey_change_caption(result.change)
    assert survey_change_chart(result.change.iloc[0:0]).to_dict()["mark"]["type"] == "text"


def test_meetings_chart_and_caption(result) -> None:
    summary = result.behaviour.summary
    chart = meetings_chart(result.behaviour.distribution(), expected_per_pair=summary["expected_per_pair"])
    spec = chart.to_dict()
    assert marks(spec) == ["bar", "rule"]
    assert sum(r["pairs"] for r in all_rows(spec) if "pairs" in r) == summary["pairs"]
    assert "about 19 meetings per pair" in json.dumps(spec["title"])
    # meetings on a number line: a count no pair had leaves a gap, it is not left out
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    assert bars["encoding"]["x"]["type"] == "quantitative" and bars["encoding"]["x2"]["field"] == "end"
    expected = [r["expected"] for r in all_rows(spec) if "expected" in r]
    assert expected == [pytest.approx(summary["expected_per_pair"])]
    renders(chart)
    caption = meetings_caption(summary)
    assert caption.startswith("34 pairs held 317 meetings") and "closed early" in caption
    assert meetings_caption({}) == NO_DATA + "."


def test_roi_chart_marks_break_even_and_the_estimate(result) -> None:
    chart = roi_chart(result.roi.distribution(), estimate=result.roi.roi.estimate)
    spec = chart.to_dict()
    assert marks(spec) == ["bar", "rule", "rule"]
    rows = [r for r in all_rows(spec) if "share" in r]
    assert sum(r["share"] for r in rows) == pytest.approx(1)
    assert {r["side"] for r in rows} == {"loss", "gain"}
    renders(chart)
    caption = roi_caption(result.to_json()["roi"])
    assert "exits were avoided" in caption and "chose to take part" in caption
    assert roi_caption(None) == NO_DATA + "."


def test_scorecard_chart_has_one_panel_per_measured_objective(result) -> None:
    card = result.scorecard
    chart = scorecard_chart(card)
    spec = chart.to_dict()
    assert len(spec["vconcat"]) == 2  # time to productivity is not measured
    assert spec["vconcat"][0]["title"]["text"] == "exits: unclear"
    assert {"tick", "point", "rule"} <= set(marks(spec))
    renders(chart)
    caption = scorecard_caption(card)
    assert caption.startswith("Of 3 objectives:") and "1 not measured" in caption
    assert "no objectives" in scorecard_caption(card.iloc[0:0])


def test_calibration_chart_marks_what_fell_outside_the_forecast(result) -> None:
    forecast = result.calibration.forecast
    chart = calibration_chart(forecast)
    spec = chart.to_dict()
    assert len(spec["vconcat"]) == len(forecast)
    colours = [leaf["mark"].get("color") for leaf in leaves(spec) if leaf["mark"]["type"] == "point"]
    # every figure observed falls within the forecast; early closure is not shown (it would give a group of
    # fewer than five pairs away), so it has no dot and the caption says why
    assert colours == ["#212121"] * 4
    renders(chart)
    caption = calibration_caption(forecast, result.calibration.fitted)
    assert caption.startswith("4 of 4 observed figures fall within") and "turnover reduction" in caption
    assert "Participants whose relationship closed early: nothing observed to compare (not shown: fewer than 5" in caption
    outside = forecast.assign(observed=forecast["observed"].where(forecast["measure"] != "meetings_per_participant",
                                                                  forecast["p95"] + 1))
    outside["within"] = outside["within"].where(outside["measure"] != "meetings_per_participant", False)
    spec = calibration_chart(outside).to_dict()
    assert [leaf["mark"].get("color") for leaf in leaves(spec) if leaf["mark"]["type"] == "point"].count(
        "#d62728") == 1
    assert "3 of 4 observed figures" in calibration_caption(outside) and "outside: meetings held" in \
        calibration_caption(outside)


def test_programs_chart_draws_each_hazard_ratio_and_the_pooled_one() -> None:
    table = pd.DataFrame({
        "program": ["main", "peer", "reverse", "all programs"], "participants": [17, 18, None, 34],
        "hazard_ratio": [1.15, 0.4, np.nan, 0.72], "hazard_low": [0.25, 0.2, np.nan, 0.21],
        "hazard_high": [5.2, 0.8, np.nan, 2.44]})
    chart = programs_chart(table)
    spec = chart.to_dict()
    assert marks(spec) == ["rule", "point", "rule"]
    rows = [r for r in all_rows(spec) if "estimate" in r]
    assert [(r["label"], r["kind"]) for r in rows] == [("main", "program"), ("peer", "program"),
                                                       ("All programs (pooled)", "pooled")]
    renders(chart)
    caption = programs_caption(table)
    assert "Only peer has an interval that excludes 1." in caption and "1 program has no hazard ratio" in caption
    assert "All programs (pooled): 0.72 (95% interval 0.21 to 2.44)" in caption and "chose to take part" in caption
    assert programs_caption(table.iloc[[2]]).startswith("No program has a hazard ratio")
    assert programs_caption(pd.DataFrame()) == NO_DATA + "."
