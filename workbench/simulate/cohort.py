"""Who the outcome model simulates: the matched mentees of a design, with what each brings.

:func:`build_cohort` matches the workspace's current cohort under the design
(:func:`workbench.matching.match`) and keeps, per matched mentee, the match
score (mean over their partners), the share of their skill needs a partner
covers (the best partner's), their targeted gap in levels (sum of the gaps
:func:`workbench.gaps.person_gaps` finds for them, at least 1 for each wanted
skill), and their baseline exit hazard (:mod:`.baseline`). Mentees left
unmatched are not participants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.columns import text_column
from workbench.design.model import ProgramDesign
from workbench.gaps.analysis import person_gaps
from workbench.matching import MatchResult, match
from workbench.simulate.baseline import attrition_baseline, hazard_of, program_starts

#: Attributes KPIs are broken down by (when the people table has them).
GROUP_COLUMNS = ("department", "level", "location")


@dataclass(frozen=True, eq=False)
class Cohort:
    """Participants: one row per matched mentee.

    ``mentees``: ``person_id``, the :data:`GROUP_COLUMNS`, ``score`` (0-1),
    ``coverage`` (0-1), ``gap_levels`` (levels, >= 0), ``exit_hazard`` (exits
    per person-year). ``mentors``: number of distinct mentors (0 for peers).
    ``group_size``: mentees per mentor on average (1 for one-on-one).
    ``mentor_hours_elsewhere``: hours of meetings per month the participants'
    mentors are scheduled in the workspace's other programs, averaged over the
    program's pairs (0 for a program simulated alone;
    :func:`workbench.whatif.programs.simulate_programs` sets it), so the
    outcome model counts a shared mentor's time once.
    """

    mentees: pd.DataFrame
    mentors: int
    group_size: float
    structure: str
    unmatched: int
    mentor_hours_elsewhere: float = 0.0

    @property
    def size(self) -> int:
        return len(self.mentees)


def cohort_from_match(result: MatchResult, tables: Mapping[str, pd.DataFrame]) -> Cohort:
    """The :class:`Cohort` of a matching already made (see the module docstring)."""
    pairs = result.pairs
    side = pairs[["mentee_id", "score"] + (["skills"] if "skills" in pairs else [])]
    if result.summary()["structure"] == "peer":  # every peer is a participant
        other = pairs[["mentor_id", "score"] + (["skills"] if "skills" in pairs else [])]
        side = pd.concat([side, other.rename(columns={"mentor_id": "mentee_id"})], ignore_index=True)
    per = side.groupby("mentee_id").agg(score=("score", "mean"),
                                        coverage=("skills", "max") if "skills" in side else ("score", "size"))
    if "skills" not in side:
        per["coverage"] = 0.0
    people = tables["people"]
    baseline = attrition_baseline(people, censor=program_starts(tables))
    ids = per.index.to_numpy(dtype=object)
    info = people.assign(person_id=text_column(people, "person_id")).drop_duplicates("person_id") \
        .set_index("person_id").reindex(ids)
    gap_levels = np.zeros(len(ids))
    if "requirements" in tables:
        gaps = person_gaps(tables)
        sums = gaps.groupby("person_id")["gap"].sum(min_count=1)
        gap_levels = sums.reindex(ids).fillna(0).to_numpy(dtype=float)
    wants = result.pool.mentees.set_index("person_id")["wants"].reindex(ids).fillna("")
    gap_levels = gap_levels + np.array([len([w for w in str(x).split(";") if w.strip()]) for x in wants])
    mentees = pd.DataFrame({"person_id": ids})
    for column in GROUP_COLUMNS:
        mentees[column] = text_column(info.reset_index(), column).to_numpy() if column in info else ""
    mentees["score"] = per["score"].to_numpy(dtype=float)
    mentees["coverage"] = per["coverage"].to_numpy(dtype=float)
    mentees["gap_levels"] = gap_levels
    mentees["exit_hazard"] = hazard_of(baseline, info["level"] if "level" in info else pd.Series([""] * len(ids)),
                                       info["department"].fillna("") if "department" in info
                                       else pd.Series([""] * len(ids)))
    n_mentors = 0 if result.summary()["structure"] == "peer" else int(pairs["mentor_id"].nunique())
    group_size = len(pairs) / n_mentors if n_mentors else 1.0
    unmatched = int((result.unmatched["role"] != "mentor").sum())
    return Cohort(mentees=mentees, mentors=n_mentors, group_size=group_size, structure=result.summary()["structure"],
                  unmatched=unmatched)


def build_cohort(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, **match_settings) -> Cohort:
    """Match under ``design`` (``match_settings`` as for :func:`workbench.matching.match`), then :func:`cohort_from_match`."""
    return cohort_from_match(match(tables, design, **match_settings), tables)
