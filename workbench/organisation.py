"""Facts about an organisation's tables that several analyses share.

The current cohort of an enrolment, management chains, time-zone offsets and
the headcount by department and level: the consistency checks, the skill-gap
supply, the matching and the overview charts all read them the same way from here.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from workbench.data.columns import text_column
from workbench.privacy import MIN_GROUP, hide_small_groups

#: Partners within this many hours of UTC offset share a time-zone band.
TIMEZONE_BAND_HOURS = 3.0


def current_cohort(enrolment: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The latest cohort's name and rows (``""`` and all rows when there are no cohorts)."""
    cohorts = text_column(enrolment, "cohort")
    named = cohorts[cohorts != ""]
    if named.empty:
        return "", enrolment
    numbers = pd.to_numeric(named, errors="coerce")
    latest = named[numbers.idxmax()] if numbers.notna().all() else max(named)
    return latest, enrolment[cohorts == latest]


def manager_positions(people: pd.DataFrame) -> np.ndarray:
    """Each person's manager as a people row number, -1 for none or unknown."""
    ids = text_column(people, "person_id")
    position = pd.Series(np.arange(len(people)), index=ids)
    position = position[~position.index.duplicated()]
    return position.reindex(text_column(people, "manager_id")).fillna(-1).astype(int).to_numpy()


def in_management_chain(mentees: np.ndarray, mentors: np.ndarray, manager: np.ndarray) -> np.ndarray:
    """``[i, j]``: mentor ``j`` is mentee ``i``'s manager or anyone above them (people row numbers)."""
    column = np.full(len(manager), -1)
    column[mentors] = np.arange(len(mentors))
    found = np.zeros((len(mentees), len(mentors)), dtype=bool)
    current = manager[mentees]
    for _ in range(len(manager)):  # a chain is never longer than the organisation (validation forbids loops)
        rows = np.flatnonzero(current >= 0)
        if rows.size == 0:
            break
        cols = column[current[rows]]
        hit = cols >= 0
        found[rows[hit], cols[hit]] = True
        current = np.where(current >= 0, manager[np.maximum(current, 0)], -1)
    return found


def utc_offsets(zones: pd.Series, day: datetime.date) -> np.ndarray:
    """UTC offset in hours of each IANA time zone at noon on ``day``; NaN for blank or unknown zones."""
    noon = datetime.datetime.combine(day, datetime.time(12))
    hours = {}
    for zone in zones.unique():
        try:
            hours[zone] = ZoneInfo(zone).utcoffset(noon).total_seconds() / 3600 if zone else np.nan
        except (ZoneInfoNotFoundError, ValueError, OSError):
            hours[zone] = np.nan
    return zones.map(hours).to_numpy(dtype=float)


def headcounts(people: pd.DataFrame, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """People currently employed per department and level, groups of fewer than ``min_group`` hidden.

    ``people`` has the ``people.csv`` columns ``department``, ``level`` (1 =
    most junior) and ``exit_date`` (blank or missing while employed); people
    who have left, or whose department is blank or level unreadable, are not
    counted (nor is anyone when a column is missing). Columns: ``department``,
    ``level`` (int), ``people`` (a head count, ``None`` when hidden),
    ``hidden`` and ``hidden_small`` (:func:`workbench.privacy.hide_small_groups`
    with two margins: a department's total and the number of people employed,
    which pages show, minus the groups shown never give a hidden group away;
    no page shows a level's head count). Sorted by department and level.
    """
    department = text_column(people, "department")
    level = pd.to_numeric(text_column(people, "level"), errors="coerce")
    current = (text_column(people, "exit_date") == "") & (department != "") & (level == level.round())
    counts = (pd.DataFrame({"department": department[current], "level": level[current].astype(int)})
              .groupby(["department", "level"], as_index=False).size().rename(columns={"size": "people"}))
    return hide_small_groups(counts, ["department", "level"], min_group=min_group,
                             margins=[["department"], []])
