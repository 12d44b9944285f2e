"""The objectives' trajectories: each cohort's figure 6, 12, 18 and 24 months after its start, side by side."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.charts.common import WIDTH, check_size, is_empty, no_data_chart, numbers, require, title

_TITLE = "Objectives over time, cohort by cohort"


def _measured(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame.assign(observed=numbers(frame["observed"]), low=numbers(frame["low"]), high=numbers(frame["high"]),
                        months=numbers(frame["months"]), cohort=frame["cohort"].astype(str))
    rows = rows[rows["observed"].notna()]
    # cohorts read at the same horizon sit side by side (each within a month of it), so every interval stays visible
    cohorts = sorted(set(rows["cohort"]))
    step = min(0.4, 2.0 / max(len(cohorts), 1))
    shift = {c: (i - (len(cohorts) - 1) / 2) * step for i, c in enumerate(cohorts)}
    rows = rows.assign(at=rows["months"] + rows["cohort"].map(shift))
    return rows.assign(panel=rows["objective"].astype(str) + ": " + rows["measure"].astype(str) + " ("
                       + rows["unit"].astype(str) + ")")


def trajectories_chart(frame: pd.DataFrame) -> alt.VConcatChart | alt.Chart:
    """One panel per measured objective: months from the cohort's start (x) against the observed figure (y),
    a line and dots per cohort, each dot with its 95% interval as a vertical bar. ``frame`` is ``result.trajectories``
    (:func:`workbench.evaluate.scorecard.trajectories`); objectives never measured are left out."""
    if is_empty(frame):
        return no_data_chart(_TITLE)
    require(frame, ["cohort", "objective", "months", "measure", "unit", "observed", "low", "high"], "trajectories")
    rows = _measured(frame)
    if rows.empty:
        return no_data_chart(_TITLE)
    check_size(len(rows), "The trajectories chart")
    colour = alt.Color("cohort:N", title="Cohort")
    panels = []
    for panel, one in rows.groupby("panel", sort=False):
        base = alt.Chart(one.drop(columns=["panel"]))
        x = alt.X("at:Q", title="Months from the cohort's start", scale=alt.Scale(domain=[0, 25]))
        # a bar per point, not a band: a band needs two horizons, and a cohort read once is the common case
        # (opaque: the legend's symbols take the first layer's opacity); the scale fits the figures, 0 or not
        interval = base.mark_rule(strokeWidth=1.5).encode(x=x, y=alt.Y("low:Q", title=None, scale=alt.Scale(
            zero=False)), y2="high:Q", color=colour)
        line = base.mark_line(point=True).encode(
            x=x, y=alt.Y("observed:Q", title=str(one["unit"].iloc[0]), scale=alt.Scale(zero=False)), color=colour,
            tooltip=[alt.Tooltip("cohort:N", title="Cohort"), alt.Tooltip("months:Q", title="Months"),
                     alt.Tooltip("observed:Q", title="Observed", format=".3g"),
                     alt.Tooltip("low:Q", title="95% from", format=".3g"),
                     alt.Tooltip("high:Q", title="95% to", format=".3g"),
                     alt.Tooltip("status:N", title="Verdict")])
        panels.append(alt.layer(interval, line).properties(width=WIDTH, height=120, title=alt.Title(
            panel, anchor="start", fontSize=12)))
    subtitle = ["Each cohort's figure as the data stood 6, 12, 18 and 24 months after its start; vertical bar: 95% "
                "interval."]
    return alt.vconcat(*panels, spacing=16, title=title(_TITLE, subtitle))


def trajectories_caption(frame: pd.DataFrame) -> str:
    """Caption for :func:`trajectories_chart`."""
    if is_empty(frame):
        return ("No cohort has reached 6 months of follow-up yet: trajectories start once one has "
                "(6, 12, 18 and 24 months from each cohort's start).")
    cohorts = sorted(set(frame["cohort"].astype(str)))
    reached = int(numbers(frame["months"]).max())
    return (f"{len(cohorts)} cohort{'s' if len(cohorts) != 1 else ''} ({', '.join(cohorts)}), read up to {reached} "
            "months after the start as the data stood then; a horizon the data has not reached is not shown. "
            "Each point compares the cohort's participants with the comparison group of that day, so an early "
            "point rests on less follow-up than a late one.")
