"""The trajectories chart: a panel per measured objective, a line per cohort, checked through its spec."""

from __future__ import annotations

import numpy as np
import pytest
import pandas as pd

from workbench.charts.common import NO_DATA
from workbench.charts.trajectories import trajectories_caption, trajectories_chart


def frame() -> pd.DataFrame:
    rows = []
    for cohort, shift in (("2025", 0.0), ("2026", 2.0)):
        for months in (6, 12):
            rows.append({"cohort": cohort, "objective": "exits", "months": months, "measure": "annual exit rate",
                         "unit": "%", "observed": 10 + shift + months / 6, "low": 5.0, "high": 20.0,
                         "comparison": 15.0, "status": "unclear", "scope": "everyone"})
        rows.append({"cohort": cohort, "objective": "promo", "months": 6, "measure": "", "unit": "",
                     "observed": np.nan, "low": np.nan, "high": np.nan, "comparison": np.nan,
                     "status": "not measured", "scope": "everyone"})
    return pd.DataFrame(rows)


def test_one_panel_per_measured_objective_and_a_line_per_cohort() -> None:
    spec = trajectories_chart(frame()).to_dict()
    assert len(spec["vconcat"]) == 1  # the objective never measured gets no panel
    panel = spec["vconcat"][0]
    assert panel["title"]["text"] == "exits: annual exit rate (%)"
    line = panel["layer"][1]
    assert line["encoding"]["color"]["field"] == "cohort" and line["encoding"]["x"]["field"] == "at"
    data = [row for rows in spec["datasets"].values() for row in rows]
    assert sorted({(r["cohort"], r["months"]) for r in data}) == [("2025", 6), ("2025", 12), ("2026", 6),
                                                                   ("2026", 12)]


def test_nothing_measured_says_so() -> None:
    empty = trajectories_chart(frame().query("objective == 'promo'")).to_dict()
    assert NO_DATA in str(empty)
    assert "No cohort has reached 6 months" in trajectories_caption(pd.DataFrame())
    assert trajectories_caption(frame()).startswith("2 cohorts (2025, 2026), read up to 12 months")


def test_a_cohort_read_once_shows_its_interval_and_a_solid_legend() -> None:
    once = frame().query("months != 12")  # one horizon per cohort: a band would have no width
    panel = trajectories_chart(once).to_dict()["vconcat"][0]
    interval = panel["layer"][0]
    mark = interval["mark"] if isinstance(interval["mark"], dict) else {"type": interval["mark"]}
    assert mark["type"] == "rule"
    assert (interval["encoding"]["y"]["field"], interval["encoding"]["y2"]["field"]) == ("low", "high")
    assert mark.get("opacity", 1) == 1  # the cohorts' legend takes the first layer's opacity


def test_cohorts_read_at_the_same_horizon_are_drawn_side_by_side_near_it() -> None:
    spec = trajectories_chart(frame()).to_dict()
    data = [row for rows in spec["datasets"].values() for row in rows]
    at = {(r["cohort"], r["months"]): r["at"] for r in data}
    for months in (6, 12):
        assert at[("2025", months)] < at[("2026", months)]  # apart, so each cohort's interval shows
        assert all(abs(at[(c, months)] - months) < 1 for c in ("2025", "2026"))
    assert at[("2025", 12)] - at[("2025", 6)] == pytest.approx(6)  # a cohort keeps its own spacing
