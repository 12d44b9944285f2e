"""Behaviour (Kirkpatrick level 3) from ``meetings.csv``: meetings held against the design's cadence,
pairs gone quiet and relationships that ended early.

A pair is a mentee and a mentor who met at least once during the program. Its
*active time* runs from the cohort start to the first of: the program's end,
the mentee's or mentor's exit, the end of the data. Over that time the design's
cadence (weekly, fortnightly, monthly) expects ``active days / cadence days``
meetings. Using the design's health rule (``support.inactivity_days``):

* a pair **went quiet** when it once spent longer than that without meeting
  (from the start to its first meeting, between meetings, or from its last
  meeting to the end of its active time);
* a pair **closed early** when its last meeting was longer than that before the
  end of its active time, and neither partner left (a rule-based reading: the
  data records no closures);
* a pair **ended by an exit** when the mentee or the mentor left during the program.

Per mentee (for calibration): a participant closed early when none of their pairs
was still meeting by that rule, including participants who never met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.design.eligibility import DAYS_PER_MONTH
from workbench.design.model import ProgramDesign

#: Days between scheduled meetings for each cadence.
CADENCE_DAYS = {"weekly": 7.0, "fortnightly": 14.0, "monthly": DAYS_PER_MONTH}


@dataclass(frozen=True, eq=False)
class Behaviour:
    """Meetings of the cohort against its design.

    ``pairs`` has one row per pair, without ids: ``meetings``, ``expected``,
    ``minutes``, ``active_days``, ``longest_gap_days``, ``gone_quiet``,
    ``closed_early``, ``ended_by_exit``, ``status`` (``active``, ``closed early``,
    ``ended by an exit``). ``mentees`` has one row per participant:
    ``meetings`` and ``closed_early``. ``summary`` holds the totals.
    """

    summary: dict
    pairs: pd.DataFrame = field(repr=False)
    mentees: pd.DataFrame = field(repr=False)

    def distribution(self) -> pd.DataFrame:
        """Pairs per number of meetings held and status: ``meetings``, ``status``, ``pairs``."""
        if self.pairs.empty:
            return pd.DataFrame({"meetings": pd.Series([], dtype=int), "status": pd.Series([], dtype=object),
                                 "pairs": pd.Series([], dtype=int)})
        return self.pairs.groupby(["meetings", "status"]).size().rename("pairs").reset_index()


def behaviour(meetings: pd.DataFrame, people: pd.DataFrame, participants: pd.Series, design: ProgramDesign, *,
              start: pd.Timestamp, program_end: pd.Timestamp, as_of: pd.Timestamp) -> Behaviour:
    """Meetings per pair against the cadence, gone quiet, closed early (see the module docstring).

    ``meetings``: ``mentee_id``, ``mentor_id``, ``date`` (timestamps), ``minutes``;
    ``people``: ``person_id`` and ``exit`` (timestamps, NaT while employed);
    ``participants``: the participants' ids.
    """
    cadence = CADENCE_DAYS[design.experience.cadence]
    quiet = design.support.inactivity_days
    exits = dict(zip(people["person_id"], people["exit"]))
    stop = min(program_end, as_of)
    rows = []
    for (mentee, mentor), part in meetings.groupby(["mentee_id", "mentor_id"], sort=True):
        days = part["date"].sort_values()
        left = [d for d in (exits.get(mentee), exits.get(mentor)) if d is not None and pd.notna(d) and d < stop]
        end = min([stop, *left])
        active = max((end - start).days, 0)
        points = [start, *days.tolist(), end]
        gaps = np.diff(np.array([(p - start).days for p in points], dtype=float))
        since_last = (end - days.iloc[-1]).days
        by_exit = bool(left)
        rows.append({"mentee_id": mentee, "meetings": int(len(days)), "expected": active / cadence,
                     "minutes": float(part["minutes"].sum()), "active_days": active,
                     "longest_gap_days": float(gaps.max()) if len(gaps) else 0.0,
                     "gone_quiet": bool(len(gaps) and gaps.max() > quiet),
                     "closed_early": bool(not by_exit and since_last > quiet), "ended_by_exit": by_exit})
    pairs = pd.DataFrame(rows, columns=["mentee_id", "meetings", "expected", "minutes", "active_days",
                                        "longest_gap_days", "gone_quiet", "closed_early", "ended_by_exit"])
    pairs["status"] = np.where(pairs["ended_by_exit"], "ended by an exit",
                               np.where(pairs["closed_early"], "closed early", "active"))

    ids = pd.Series(sorted(set(participants)), dtype=object)
    per = pairs.assign(active=pairs["status"].eq("active"), exited=pairs["ended_by_exit"].eq(True)).groupby(
        "mentee_id").agg(meetings=("meetings", "sum"), any_active=("active", "any"), any_exit=("exited", "any"))
    per = per.reindex(ids)
    mentee_left = ids.map(lambda p: exits.get(p) is not None and pd.notna(exits.get(p)) and exits.get(p) < stop)
    never_met = per["meetings"].isna().to_numpy()
    closed = np.where(never_met, ~mentee_left.to_numpy(dtype=bool),
                      ~per["any_active"].eq(True).to_numpy() & ~per["any_exit"].eq(True).to_numpy())
    mentees = pd.DataFrame({"meetings": pd.to_numeric(per["meetings"]).fillna(0).astype(int).to_numpy(),
                            "closed_early": closed.astype(bool), "never_met": never_met})

    n = len(pairs)
    held, expected = float(pairs["meetings"].sum()), float(pairs["expected"].sum())
    summary = {
        "cadence": design.experience.cadence, "cadence_days": cadence, "inactivity_days": quiet,
        "program_months": design.experience.duration_months, "pairs": n, "meetings": int(held),
        "participants": int(len(ids)), "participants_without_meetings": int(never_met.sum()),
        "meetings_per_pair": held / n if n else None,
        "expected_per_pair": expected / n if n else None,
        "share_of_cadence": held / expected if expected > 0 else None,
        "median_meetings_per_pair": float(pairs["meetings"].median()) if n else None,
        "mean_minutes": float(pairs["minutes"].sum() / held) if held else None,
        "hours": float(pairs["minutes"].sum() / 60),
        "gone_quiet": int(pairs["gone_quiet"].sum()), "gone_quiet_share": float(pairs["gone_quiet"].mean()) if n
        else None,
        "closed_early": int(pairs["closed_early"].sum()),
        "closed_early_share": float(pairs["closed_early"].mean()) if n else None,
        "ended_by_exit": int(pairs["ended_by_exit"].sum()),
        "mentees_closed_early_share": float(mentees["closed_early"].mean()) if len(mentees) else None,
        "program_finished": bool(program_end <= as_of),
    }
    return Behaviour(summary=summary, pairs=pairs.drop(columns="mentee_id"), mentees=mentees)
