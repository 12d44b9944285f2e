"""Functional mentoring: mentors teach one named skill to the mentees who need it.

The skill is ``experience.functional_skill`` (a ``skills.csv`` skill id), or
the first of ``align.focus_skills`` when it is not set. A mentee *needs* it
when they want it (enrolment ``wants``) or have a gap in it
(:func:`workbench.gaps.analysis.person_gaps`), with the target level the
skills criterion uses (:mod:`workbench.matching.scores`). A mentor *can teach*
it when their ``proficiency.csv`` level reaches that target, or they list it
in ``offers`` without a known level (a mentor who lists offers teaches only
those). The hard rule ``teaches_functional_skill``
(:mod:`workbench.matching.rules`) allows only such pairs; among them the
design's criteria score as usual, so a mentor who also covers the mentee's
other needs scores higher.

:func:`functional_pool` writes the facts the rule reads into the pool:
``functional_target`` per mentee (0: does not need the skill) and
``functional_level`` per mentor (0: cannot teach it; 255: offers it without a
known level).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.data.columns import text_column
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.matching.pool import Pool
from workbench.matching.scores import ScoringContext, _skill_needs

#: Columns :func:`functional_pool` adds (mentees, mentors).
TARGET, LEVEL = "functional_target", "functional_level"


def functional_skill(design: ProgramDesign, tables: Mapping[str, pd.DataFrame]) -> str:
    """The skill functional mentoring is on: ``experience.functional_skill``, else the first focus skill.

    Raises :class:`WorkbenchError` when neither is set, or when ``skills.csv``
    is present and does not list the skill.
    """
    skill = design.experience.functional_skill or next(iter(design.align.focus_skills), None)
    if not skill:
        raise WorkbenchError("Functional mentoring needs the skill mentors teach: set experience.functional_skill "
                             "in design.yaml (Functional skill on the eXperience page), or a focus skill on the Align "
                             "page.")
    skills = tables.get("skills")
    if skills is not None and "skill_id" in skills.columns and skill not in set(text_column(skills, "skill_id")):
        source = ("experience.functional_skill" if design.experience.functional_skill
                  else "align.focus_skills (its first)")
        raise WorkbenchError(f"Functional mentoring is on {skill!r} ({source} in design.yaml), which is not a "
                             "skill_id in skills.csv.")
    return skill


def functional_pool(pool: Pool, tables: Mapping[str, pd.DataFrame], design: ProgramDesign, skill: str) -> Pool:
    """``pool`` with each mentee's target level in ``skill`` (0: no need) and each mentor's level in it."""
    needs = _skill_needs(ScoringContext(pool, tables, design))
    target = np.zeros(pool.n_mentees, dtype=np.int64)
    level = np.zeros(pool.n_mentors, dtype=np.int64)
    if skill in needs["skills"]:
        s = list(needs["skills"]).index(skill)
        mine = needs["skill"] == s
        target[needs["mentee"][mine]] = np.maximum(needs["target"][mine], 1)
        level = needs["level"][:, s].astype(np.int64)
    return Pool(mentees=pool.mentees.assign(**{TARGET: target}), mentors=pool.mentors.assign(**{LEVEL: level}),
                people=pool.people, as_of=pool.as_of)


def functional_summary(pool: Pool, skill: str, name: str | None = None) -> tuple[dict, dict[int, str]]:
    """Head counts of a functional pool and reasons for mentees it cannot match whatever the other rules say.

    ``name``: the skill's name for the reasons (``skills.csv``; default the id).

    ``summary``: ``functional_skill``, ``needing_skill`` (mentees who need
    it), ``without_teacher`` (of those, mentees no mentor of the pool can teach
    at their target level). ``reasons``: mentee row -> why they are unmatched.
    """
    target = pool.mentees[TARGET].to_numpy(dtype=np.int64)
    level = pool.mentors[LEVEL].to_numpy(dtype=np.int64)
    best = level.max(initial=0)
    needing = target > 0
    stranded = needing & (target > best)
    name = name or skill
    reasons = {int(i): f"does not need {name} (functional mentoring teaches only {name})"
               for i in np.flatnonzero(~needing)}
    reasons.update({int(i): f"no mentor in the pool can teach {name} at level {int(target[i])}"
                    for i in np.flatnonzero(stranded)})
    return ({"functional_skill": skill, "needing_skill": int(needing.sum()), "without_teacher": int(stranded.sum())},
            reasons)
