"""The organisation's own exit rates, estimated from its hire and exit history.

:func:`attrition_baseline` counts, over the ``window_years`` before the day the
people data describes, each person's time employed (person-years at risk) and
exits, per level and department, and estimates a constant exit hazard (exits
per person-year) for each cell. Small cells borrow strength: the level's rate
is shrunk towards the organisation's with ``prior_years`` of pseudo exposure,
the cell's towards its level's the same way (a gamma-Poisson estimate).
Past mentees are censored when their program started (their first meeting),
so the baseline is the rate without the program; leaving people out entirely
would bias it, since who enrols depends on who is still there.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.data.columns import number_column, text_column
from workbench.design.eligibility import data_as_of
from workbench.errors import WorkbenchError

#: Pseudo person-years a small cell's rate borrows from the level above it.
PRIOR_YEARS = 20.0
#: Exit hazard used when the history has no exposure at all (exits per person-year).
FALLBACK_HAZARD = 0.15


def program_starts(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.Timestamp]:
    """Each past mentee's first meeting (``meetings.csv``): when the program began to affect them."""
    meetings = tables.get("meetings")
    if meetings is None or not len(meetings):
        return {}
    days = pd.to_datetime(text_column(meetings, "date"), errors="coerce")
    first = pd.DataFrame({"who": text_column(meetings, "mentee_id"), "day": days}).dropna().groupby("who")["day"].min()
    return first.to_dict()


def attrition_baseline(people: pd.DataFrame, *, as_of: datetime.date | None = None, window_years: float = 3.0,
                       censor: Mapping[str, pd.Timestamp] | None = None,
                       prior_years: float = PRIOR_YEARS) -> pd.DataFrame:
    """Exit hazard per level and department: ``level``, ``department``, ``person_years``, ``exits``, ``hazard``.

    ``hazard`` is exits per person-year (annual exit probability is
    ``1 - exp(-hazard)``), shrunk as the module docstring says; ``raw`` is
    exits / person-years. ``censor`` maps person ids to the day their
    exposure ends (see :func:`program_starts`). One extra row with ``level`` and ``department`` blank
    holds the whole organisation's rate.
    """
    if window_years <= 0:
        raise WorkbenchError("The history window must be longer than zero years.")
    day = as_of or data_as_of(people)
    end = pd.Timestamp(day)
    start = end - pd.Timedelta(days=365.25 * window_years)
    hire = pd.to_datetime(text_column(people, "hire_date"), errors="coerce")
    leave = pd.to_datetime(text_column(people, "exit_date").replace("", None), errors="coerce")
    stop = text_column(people, "person_id").map(dict(censor or {})).astype("datetime64[ns]")
    keep = hire.notna()
    frame = pd.DataFrame({"level": number_column(people, "level"), "department": text_column(people, "department"),
                          "hire": hire, "leave": leave, "stop": stop.fillna(end).clip(upper=end)})[keep.to_numpy()]
    at_risk_from = frame["hire"].clip(lower=start)
    at_risk_to = frame["leave"].fillna(end).clip(upper=frame["stop"])
    years = ((at_risk_to - at_risk_from).dt.days / 365.25).clip(lower=0)
    exited = frame["leave"].notna() & (frame["leave"] > start) & (frame["leave"] <= frame["stop"])
    frame = frame.assign(person_years=years.to_numpy(), exits=exited.astype(int).to_numpy()).dropna(subset=["level"])
    frame["level"] = frame["level"].astype(int)
    total_years, total_exits = frame["person_years"].sum(), frame["exits"].sum()
    overall = total_exits / total_years if total_years > 0 else FALLBACK_HAZARD
    levels = frame.groupby("level")[["person_years", "exits"]].sum()
    level_rate = (levels["exits"] + prior_years * overall) / (levels["person_years"] + prior_years)
    cells = frame.groupby(["level", "department"])[["person_years", "exits"]].sum().reset_index()
    prior = cells["level"].map(level_rate)
    cells["raw"] = np.where(cells["person_years"] > 0, cells["exits"] / cells["person_years"].where(
        cells["person_years"] > 0, 1), np.nan)
    cells["hazard"] = (cells["exits"] + prior_years * prior) / (cells["person_years"] + prior_years)
    whole = pd.DataFrame({"level": [pd.NA], "department": [""], "person_years": [total_years],
                          "exits": [total_exits], "raw": [overall], "hazard": [overall]})
    cells["level"] = cells["level"].astype("Int64")
    whole["level"] = whole["level"].astype("Int64")
    return pd.concat([cells, whole], ignore_index=True)[["level", "department", "person_years", "exits", "raw",
                                                         "hazard"]]


def hazard_of(baseline: pd.DataFrame, level: pd.Series, department: pd.Series) -> np.ndarray:
    """Each person's annual exit hazard from a :func:`attrition_baseline` table (the organisation's when unknown)."""
    overall = float(baseline.loc[baseline["department"].eq("") & baseline["level"].isna(), "hazard"].iloc[0])
    cells = baseline.dropna(subset=["level"])
    lookup = {(int(lv), d): h for lv, d, h in zip(cells["level"], cells["department"], cells["hazard"])}
    levels = pd.to_numeric(level, errors="coerce")
    return np.array([lookup.get((int(lv), d), overall) if pd.notna(lv) else overall
                     for lv, d in zip(levels, department.astype(str))], dtype=np.float64)
