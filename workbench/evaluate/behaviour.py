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

Small groups: the distribution of pairs by meetings held merges meeting counts into
ranges of five pairs or more and hides small statuses within a range
(:func:`status_pieces`); a status with a hidden piece has its total hidden too.

Per mentee (for calibration): a participant closed early when none of their pairs
was still meeting by that rule, including participants who never met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.design.eligibility import DAYS_PER_MONTH
from workbench.design.model import ProgramDesign
from workbench.privacy import MIN_GROUP, hide_small_groups

#: The statuses of a pair, in the order the distribution and the summary hide them.
STATUSES = ("active", "closed early", "ended by an exit")
#: The status of a distribution's piece whose pairs are hidden (the pieces of a range under five pairs, and
#: enough others that none can be worked out): their sum, which the range's total minus the shown pieces gives.
HIDDEN_STATUS = "status not shown"

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

    def distribution(self, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
        """Pairs per range of meetings held and status: ``meetings`` (the range's fewest meetings), ``meetings_to``
        (its most), ``status``, ``pairs``; empty with fewer than ``min_group`` pairs (:func:`status_pieces`: a
        range's hidden statuses are one row of :data:`HIDDEN_STATUS` with their sum)."""
        columns = {"meetings": int, "meetings_to": int, "status": object, "pairs": int}
        pieces = status_pieces(self.pairs, min_group=min_group)
        if pieces.empty:
            return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in columns.items()})
        shown = pieces.assign(status=pieces["status"].where(~pieces["hidden"], HIDDEN_STATUS))
        out = shown.groupby(["meetings", "meetings_to", "status"], sort=False)["pairs"].sum().reset_index()
        order = {s: k for k, s in enumerate((*STATUSES, HIDDEN_STATUS))}
        out = out.sort_values(["meetings", "status"], key=lambda c: c.map(order) if c.name == "status" else c)
        return out[list(columns)].astype(columns).reset_index(drop=True)


def status_pieces(pairs: pd.DataFrame, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """The pairs (a :attr:`Behaviour.pairs` table) per range of meetings held and status, as the distribution shows
    them: ``meetings``, ``meetings_to`` (the range), ``status``, ``pairs``, ``hidden``; empty under ``min_group``
    pairs.

    Ranges: meeting counts from the fewest up are merged until each range holds ``min_group`` pairs or more (a last
    range short of that joins the one before), so no bar stands for fewer. Within a range, statuses of fewer than
    ``min_group`` pairs are hidden, and enough others that the range's total minus those shown gives none away
    (:func:`workbench.privacy.hide_small_groups`). A status with a hidden piece has its total hidden too
    (:func:`status_totals`), so no piece can be worked out across ranges either.
    """
    if len(pairs) < min_group:
        return pd.DataFrame(columns=["meetings", "meetings_to", "status", "pairs", "hidden"])
    ranges, size = [[]], 0
    for meetings, count in pairs["meetings"].value_counts().sort_index().items():
        if size >= min_group:
            ranges.append([])
            size = 0
        ranges[-1].append(int(meetings))
        size += int(count)
    if size < min_group and len(ranges) > 1:
        short = ranges.pop()
        ranges[-1] += short
    first = {m: r[0] for r in ranges for m in r}
    pieces = pairs.assign(meetings=pairs["meetings"].map(first)).groupby(["meetings", "status"]).size().rename(
        "pairs").reset_index()
    pieces = pieces.sort_values(["meetings", "status"], key=lambda c: c.map(STATUSES.index) if c.name == "status"
                                else c).reset_index(drop=True)
    pieces.insert(1, "meetings_to", pieces["meetings"].map({r[0]: r[-1] for r in ranges}))
    hidden = hide_small_groups(pieces, ["meetings", "meetings_to", "status"], count="pairs", min_group=min_group,
                               within=["meetings"])["hidden"]
    return pieces.assign(hidden=hidden.to_numpy(dtype=bool))


def status_totals(pairs: pd.DataFrame, *, min_group: int = MIN_GROUP) -> dict[str, int | None]:
    """Pairs per status (``pairs``: a :attr:`Behaviour.pairs` table), ``None`` for a status with a piece the
    distribution hides (:func:`status_pieces`; so every status under ``min_group`` pairs, and, as a range hides
    two statuses or more, never one alone); a status no pair has counts 0."""
    pieces = status_pieces(pairs, min_group=min_group)
    hidden = set(pieces.loc[pieces["hidden"], "status"]) if len(pieces) else set(pairs["status"])
    counts = pairs["status"].value_counts()
    return {s: None if s in hidden else int(counts.get(s, 0)) for s in STATUSES}


def count_of(k: int, n: int, *, min_group: int = MIN_GROUP) -> int | None:
    """``k`` of ``n`` (pairs that went quiet, participants who never met) as it may be shown: ``None`` when the
    ``k`` or the ``n - k`` beside it is a group :func:`~workbench.privacy.hide_small_groups` hides (``n`` is
    shown, so either gives the other away); an empty group (0) is no one and is shown."""
    groups = pd.DataFrame({"group": ["in", "out"], "people": [k, n - k]})
    groups = hide_small_groups(groups[groups["people"] > 0], ["group"], min_group=min_group)
    return None if groups["hidden"].any() else k


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
    totals = status_totals(pairs)
    held, expected = float(pairs["meetings"].sum()), float(pairs["expected"].sum())
    summary = {
        "cadence": design.experience.cadence, "cadence_days": cadence, "inactivity_days": quiet,
        "program_months": design.experience.duration_months, "pairs": n, "meetings": int(held),
        "participants": int(len(ids)), "participants_without_meetings": count_of(int(never_met.sum()), len(ids)),
        "meetings_per_pair": held / n if n else None,
        "expected_per_pair": expected / n if n else None,
        "share_of_cadence": held / expected if expected > 0 else None,
        "median_meetings_per_pair": float(pairs["meetings"].median()) if n else None,
        "mean_minutes": float(pairs["minutes"].sum() / held) if held else None,
        "hours": float(pairs["minutes"].sum() / 60),
        "gone_quiet": count_of(int(pairs["gone_quiet"].sum()), n),
        "closed_early": totals["closed early"],
        "closed_early_share": totals["closed early"] / n if n and totals["closed early"] is not None else None,
        "ended_by_exit": totals["ended by an exit"],
        # hidden with the pairs' closed early: with one pair per mentee it is the same count, and beside the
        # shown statuses it would give the hidden ones away
        "mentees_closed_early_share": (None if count_of(int(mentees["closed_early"].sum()), len(mentees)) is None
                                       or totals["closed early"] is None
                                       else float(mentees["closed_early"].mean())) if len(mentees) else None,
        "program_finished": bool(program_end <= as_of),
    }
    summary["gone_quiet_share"] = summary["gone_quiet"] / n if n and summary["gone_quiet"] is not None else None
    return Behaviour(summary=summary, pairs=pairs.drop(columns="mentee_id"), mentees=mentees)
