"""Re-matching a live cohort: pairs gone quiet or closed get suggested new partners, working pairs stay.

:func:`rematch` reads a matching (the saved ``results/matching.csv``: one
row per pair, ``mentee_id`` and ``mentor_id``; rows of unmatched people are
skipped) against ``meetings.csv`` on the data's day (the later of the people
data's day, :func:`workbench.design.eligibility.data_as_of`, and the last
meeting; or ``as_of``). Each pair is

* **closed** when the mentee or the mentor has left (``exit_date`` on or before the day);
* **quiet** when its last meeting (or, without any, the day it was matched)
  is more than ``support.inactivity_days`` before the day, or it never met
  and the day it was matched is unknown;
* **working** otherwise.

Then the cohort is matched again (:func:`workbench.matching.match`, the same
solvers) on a pool of the mentors and the mentees of the matching: every
working pair is pinned (so its mentor's place stays taken), and every mentee
of a quiet or closed pair who is still in the pool gets a suggestion, never
their previous partner (that pair is forbidden). The mentor of a quiet or
closed pair is free to take someone else. Mentees the matching left
unmatched are not part of it: re-matching is for broken pairs, not a new round.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.columns import date_column, text_column
from workbench.design.eligibility import data_as_of
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.exports import safe_csv_text
from workbench.matching.pool import build_pool
from workbench.matching.api import match
from workbench.matching.result import MatchResult
from workbench.matching.scores import Overrides
from workbench.matching.storage import SavedMatching

#: Structures a re-matching handles: one mentor per mentee.
REMATCH_STRUCTURES = ("one_on_one", "functional")
#: Columns of :attr:`Rematch.pairs`.
COLUMNS = ("mentee_id", "mentor_id", "status", "last_meeting", "days_since", "reason", "suggested_mentor_id",
           "suggested_score", "suggestion")


@dataclass(frozen=True, eq=False)
class Rematch:
    """A re-matching: ``pairs`` (one row per pair of the matching), ``summary``, ``messages``, ``suggestions``.

    ``pairs``: ``mentee_id``, ``mentor_id``, ``status`` (``working``,
    ``quiet``, ``closed``), ``last_meeting`` (ISO date, blank when they never
    met), ``days_since`` (days from the last meeting, or from the day they were
    matched, to the data's day), ``reason``, and for quiet and closed pairs
    ``suggested_mentor_id``, ``suggested_score`` (0-1) and ``suggestion`` (why
    that mentor, or why there is none). ``suggestions`` is the matching that
    made them (working pairs pinned), ``None`` when no pair needed one.
    """

    pairs: pd.DataFrame
    summary: dict
    messages: tuple[str, ...]
    suggestions: MatchResult | None

    def csv(self) -> str:
        """:attr:`pairs` as CSV text safe to open in a spreadsheet (scores to 4 decimals)."""
        return safe_csv_text(self.pairs.assign(suggested_score=self.pairs["suggested_score"].round(4)))

    def summary_lines(self) -> list[str]:
        """The summary in a few plain lines."""
        s = self.summary
        lines = [f"On {s['as_of']}: {s['pairs']:,} pairs, {s['working']:,} working, {s['quiet']:,} quiet (no meeting "
                 f"for more than {s['inactivity_days']} days), {s['closed']:,} closed (a partner left).",
                 f"New partners suggested for {s['suggested']:,} of {s['to_rematch']:,} mentees of quiet or closed "
                 f"pairs still in the program; every working pair is kept as it is."]
        return lines + list(self.messages)


def _ids(frame: pd.DataFrame, source: str, column: str, known: set[str]) -> pd.Series:
    if column not in frame.columns:
        raise WorkbenchError(f"{source} has no column {column!r}: a matching names each pair's mentee_id and mentor_id.")
    values = text_column(frame, column)
    bad = np.flatnonzero(~values.isin(known).to_numpy() & values.ne("").to_numpy())
    if len(bad):
        row = int(bad[0])
        more = f" ({len(bad) - 1} more rows too)" if len(bad) > 1 else ""
        raise WorkbenchError(f"{source} row {frame.index[row] + 2}, column {column}: {values.iloc[row]!r} is not in "
                             f"people.csv{more}.")
    return values


def _pairs(matching: pd.DataFrame, source: str, known: set[str]) -> pd.DataFrame:
    """The matching's pairs (rows with both ids), checked: known people, one mentor per mentee."""
    matching = matching.reset_index(drop=True)
    mentee, mentor = _ids(matching, source, "mentee_id", known), _ids(matching, source, "mentor_id", known)
    both = mentee.ne("") & mentor.ne("")
    pairs = pd.DataFrame({"mentee_id": mentee[both], "mentor_id": mentor[both], "row": matching.index[both] + 2})
    twice = pairs["mentee_id"].duplicated()
    if twice.any():
        first = pairs[twice].iloc[0]
        raise WorkbenchError(f"{source} row {first['row']}, column mentee_id: {first['mentee_id']!r} has a second "
                             "mentor; re-matching handles one mentor per mentee (one-on-one or functional "
                             "mentoring).")
    return pairs.reset_index(drop=True)


def _meetings(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    meetings = tables.get("meetings")
    if meetings is None:
        raise WorkbenchError("Re-matching needs meetings.csv (mentee_id, mentor_id, date, minutes) to tell working "
                             "pairs from quiet ones: import it on the Start page (or with workbench import).")
    for column in ("mentee_id", "mentor_id", "date"):
        if column not in meetings.columns:
            raise WorkbenchError(f"meetings.csv has no column {column!r}.")
    dates = date_column(meetings, "date")
    bad = np.flatnonzero(dates.isna().to_numpy())
    if len(bad):
        row = int(bad[0])
        raise WorkbenchError(f"meetings.csv row {row + 2}, column date: {text_column(meetings, 'date').iloc[row]!r} "
                             "is not a date (YYYY-MM-DD).")
    return pd.DataFrame({"mentee_id": text_column(meetings, "mentee_id").to_numpy(),
                         "mentor_id": text_column(meetings, "mentor_id").to_numpy(), "date": dates.to_numpy()})


def _cohort(enrolment: pd.DataFrame, mentees: pd.Series) -> str | None:
    """The cohort most of the matching's mentees are enrolled in (the later on a tie); None: the current one."""
    if "cohort" not in enrolment.columns:
        return None
    mine = enrolment[text_column(enrolment, "person_id").isin(set(mentees)).to_numpy()]
    counts = text_column(mine, "cohort").value_counts()
    if counts.empty:
        return None
    best = counts[counts == counts.max()].index
    numbers = pd.to_numeric(pd.Series(best), errors="coerce")
    return str(best[int(numbers.idxmax())] if numbers.notna().all() else max(best))


def rematch(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, matching: pd.DataFrame, *,
            matched_on: datetime.date | None = None, as_of: datetime.date | None = None, method: str | None = None,
            cohort: str | None = None, seed: int = 0, source: str = "results/matching.csv") -> Rematch:
    """Working, quiet and closed pairs of ``matching``, and new partners for the quiet and closed ones.

    ``matching``: one row per pair, ``mentee_id`` and ``mentor_id`` (as
    :meth:`MatchResult.table` writes it); ``matched_on``: the day it was made
    (the saved matching's ``matched_at``), from which a pair that never met
    counts its quiet days; ``as_of``: the day to judge on (default: the data's
    day, see the module docstring); ``method``, ``cohort``, ``seed``: as for
    :func:`workbench.matching.match` (default: the design's method and the
    cohort most of the matching's mentees are enrolled in). ``source`` names
    the matching in messages. Bad input raises :class:`WorkbenchError` naming
    the file, row, column and value.
    """
    structure = design.experience.structure
    if structure not in REMATCH_STRUCTURES:
        raise WorkbenchError(f"Re-matching suggests one new mentor per mentee; the design's structure is "
                             f"{structure.replace('_', '-')}. It works for one-on-one and functional mentoring.")
    people = tables.get("people")
    if people is None:
        raise WorkbenchError("Re-matching needs people.csv.")
    meetings = _meetings(tables)
    pairs = _pairs(matching, source, set(text_column(people, "person_id")))
    quiet_days = design.support.inactivity_days
    last_met = meetings["date"].max() if len(meetings) else pd.NaT
    day = pd.Timestamp(as_of) if as_of is not None else max(
        pd.Timestamp(data_as_of(people)), last_met if pd.notna(last_met) else pd.Timestamp.min)
    meetings = meetings[meetings["date"] <= day]
    last = meetings.groupby(["mentee_id", "mentor_id"])["date"].max()
    exits = dict(zip(text_column(people, "person_id"), date_column(people, "exit_date")))
    start = pd.Timestamp(matched_on) if matched_on is not None else pd.NaT

    rows = []
    for mentee, mentor in zip(pairs["mentee_id"], pairs["mentor_id"]):
        met = last.get((mentee, mentor), pd.NaT)
        since = met if pd.notna(met) else start
        days = (day - since).days if pd.notna(since) else None
        left = [(who, exits.get(pid)) for who, pid in (("mentee", mentee), ("mentor", mentor))
                if pd.notna(exits.get(pid)) and exits.get(pid) <= day]
        if left:
            status = "closed"
            reason = "; ".join(f"the {who} left on {when.date().isoformat()}" for who, when in left)
        elif days is None:
            status, reason = "quiet", "no meeting recorded, and the day they were matched is unknown"
        elif days > quiet_days:
            status = "quiet"
            reason = (f"last met on {met.date().isoformat()}, {days} days ago" if pd.notna(met) else
                      f"never met since they were matched on {start.date().isoformat()}, {days} days ago")
            reason += f" (more than {quiet_days} days)"
        else:
            status = "working"
            reason = (f"met on {met.date().isoformat()}, {days} days ago" if pd.notna(met) else
                      f"matched on {start.date().isoformat()}, {days} days ago: no meeting due yet" if days >= 0 else
                      f"matched on {start.date().isoformat()}, after the data's day: no meeting due yet")
            days = max(days, 0)
        rows.append({"mentee_id": mentee, "mentor_id": mentor, "status": status,
                     "last_meeting": met.date().isoformat() if pd.notna(met) else "", "days_since": days,
                     "reason": reason})
    table = pd.DataFrame(rows, columns=list(COLUMNS[:6]))
    table["days_since"] = table["days_since"].astype("Int64")

    broken = table[table["status"] != "working"]
    if tables.get("enrolment") is None:
        raise WorkbenchError("Re-matching needs enrolment.csv: who is enrolled as a mentee or a mentor.")
    cohort = _cohort(tables["enrolment"], pairs["mentee_id"]) if cohort is None else cohort
    pool = build_pool(tables, design, cohort=cohort)
    in_pool = set(text_column(pool.mentees, "person_id")), set(text_column(pool.mentors, "person_id"))
    working = table[table["status"] == "working"]
    pinned = {(a, b) for a, b in zip(working["mentee_id"], working["mentor_id"])
              if a in in_pool[0] and b in in_pool[1]}
    messages = []
    # working pairs whose mentee is outside the pool cannot be pinned: their mentor's place is taken off instead
    unpinned = working[~working["mentee_id"].isin(in_pool[0]) & working["mentor_id"].isin(in_pool[1])]
    taken = unpinned["mentor_id"].value_counts()
    outside = len(working) - len(pinned)
    if outside:
        messages.append(f"{outside:,} working pair{'s are' if outside != 1 else ' is'} outside the pool of cohort "
                        f"{cohort!r} (not enrolled or no longer eligible): kept as they are, their mentors' places "
                        "stay taken.")
    leaving = {a for a, when in exits.items() if pd.notna(when) and when <= day}
    wanted = [a for a in broken["mentee_id"] if a in in_pool[0] and a not in leaving]
    suggestions = None
    found: dict[str, tuple[str, float, str]] = {}
    if wanted:
        keep = set(wanted) | {a for a, _ in pinned}
        enrolment = tables["enrolment"]
        ids, roles = text_column(enrolment, "person_id"), text_column(enrolment, "role")
        # the pool: every mentor, and the mentees of the matching (working ones pinned, broken ones re-matched)
        rows_kept = ids.isin(keep) | roles.isin(["mentor", "both"])
        trimmed = enrolment[rows_kept.to_numpy()]
        trimmed = trimmed.assign(role=np.where(text_column(trimmed, "person_id").isin(keep).to_numpy(),
                                               text_column(trimmed, "role").to_numpy(), "mentor"))
        if len(taken):
            offered = pool.mentors.set_index("person_id")["capacity"]
            who = text_column(trimmed, "person_id")
            left = who.map(lambda p: max(int(offered[p]) - int(taken[p]), 0) if p in taken.index else None)
            trimmed = trimmed.assign(capacity=left.where(left.notna(), trimmed["capacity"]).astype(object).map(
                lambda v: str(int(v)) if isinstance(v, (int, float)) else v).to_numpy())
        forbid = frozenset((a, b) for a, b in zip(broken["mentee_id"], broken["mentor_id"])
                           if a in set(wanted) and b in in_pool[1])
        suggestions = match({**tables, "enrolment": trimmed}, design, method=method, seed=seed, cohort=cohort,
                            overrides=Overrides(pin=frozenset(pinned), forbid=forbid))
        for pair in suggestions.pairs.itertuples(index=False):
            if pair.mentee_id in set(wanted):
                found[pair.mentee_id] = (pair.mentor_id, float(pair.score), str(pair.reason))
        why = dict(zip(suggestions.unmatched["person_id"], suggestions.unmatched["reason"]))
        for a in wanted:
            if a not in found:
                found[a] = ("", np.nan, f"no new mentor: {why.get(a, 'none found')}")
    suggested, score, text = [], [], []
    for mentee, status in zip(table["mentee_id"], table["status"]):
        if status == "working":
            suggested.append(""), score.append(np.nan), text.append("")
        elif mentee in found:
            suggested.append(found[mentee][0]), score.append(found[mentee][1]), text.append(found[mentee][2])
        else:
            gone = mentee in leaving
            suggested.append(""), score.append(np.nan)
            text.append("the mentee has left" if gone else f"the mentee is not in the pool of cohort {cohort!r} "
                                                           "(not enrolled or no longer eligible)")
    table["suggested_mentor_id"], table["suggested_score"], table["suggestion"] = suggested, score, text
    counts = table["status"].value_counts()
    summary = {"as_of": day.date().isoformat(), "cohort": cohort or "", "inactivity_days": quiet_days, "pairs": int(len(table)),
               "working": int(counts.get("working", 0)), "quiet": int(counts.get("quiet", 0)),
               "closed": int(counts.get("closed", 0)), "to_rematch": len(wanted),
               "suggested": int(sum(bool(found[a][0]) for a in wanted)),
               "method": suggestions.settings["method"] if suggestions is not None else None}
    return Rematch(pairs=table, summary=summary, messages=tuple(messages), suggestions=suggestions)


def rematch_saved(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, saved: SavedMatching, *,
                  as_of: datetime.date | None = None, method: str | None = None) -> Rematch:
    """:func:`rematch` of a saved matching (:func:`workbench.matching.saved_matching`): the day it was made and
    its cohort come from its settings."""
    return rematch(tables, design, saved.table, matched_on=saved.matched_on, as_of=as_of, method=method,
                   cohort=saved.cohort or None)
