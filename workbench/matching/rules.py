"""Which mentor-mentee pairs the hard rules allow, block by block.

The consistency checks use these same rules
(:func:`workbench.design.checks.check_design`), so a mentee the checks report
as stranded has no allowed mentor here either:

``self``
    nobody mentors themself.
``seniority_window``
    mentor level minus mentee level within ``seniority_gap_min`` ..
    ``seniority_gap_max`` (mentee minus mentor in reverse mentoring); an
    unknown level fails.
``line_manager``
    (``exclude_line_manager``) the mentee's direct manager is excluded.
``not_in_management_chain``
    the mentee's manager and everyone above them, up to the top, are excluded
    (the chain is followed through the whole organisation, not only the pool).
``different_department`` / ``same_department``
    departments must differ / be equal.
``mentor_more_senior``
    the mentor is at least ``max(1, seniority_gap_min)`` levels above.
``same_timezone_band``
    UTC offsets (at noon on the pool's day) at most
    :data:`workbench.organisation.TIMEZONE_BAND_HOURS` apart; an unknown
    time zone does not exclude.

Indices are mentee and mentor row numbers of the pool.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pandas as pd

from workbench.organisation import TIMEZONE_BAND_HOURS, in_management_chain, manager_positions, utc_offsets
from workbench.design.eligibility import number_column, text_column
from workbench.design.model import ProgramDesign
from workbench.matching.pool import Pool

Rule = Callable[[np.ndarray], np.ndarray]


def facts(pool: Pool) -> SimpleNamespace:
    """Per-person arrays the rules and scores use, computed once per pool."""
    cached = pool._cache.get("facts")
    if cached is not None:
        return cached
    org = pool.organisation()
    org_ids = text_column(org, "person_id")
    position = {pid: i for i, pid in reversed(list(enumerate(org_ids)))}
    mentee_ids = text_column(pool.mentees, "person_id").to_numpy()
    mentor_ids = text_column(pool.mentors, "person_id").to_numpy()
    departments = np.concatenate([text_column(pool.mentees, "department").to_numpy(),
                                  text_column(pool.mentors, "department").to_numpy()])
    _, department_code = np.unique(departments.astype(str), return_inverse=True)
    zones = np.concatenate([text_column(pool.mentees, "timezone").to_numpy(),
                            text_column(pool.mentors, "timezone").to_numpy()])
    offsets = utc_offsets(pd.Series(zones, dtype=object), pool.day()).astype(np.float32)
    n = len(mentee_ids)
    result = SimpleNamespace(
        mentee_ids=mentee_ids, mentor_ids=mentor_ids,
        mentee_org=np.array([position.get(p, -1) for p in mentee_ids], dtype=np.int64),
        mentor_org=np.array([position.get(p, -1) for p in mentor_ids], dtype=np.int64),
        manager=manager_positions(org),
        mentee_level=number_column(pool.mentees, "level").to_numpy(dtype=np.float32),
        mentor_level=number_column(pool.mentors, "level").to_numpy(dtype=np.float32),
        mentee_department=department_code[:n].astype(np.int32),
        mentor_department=department_code[n:].astype(np.int32),
        mentee_offset=offsets[:n], mentor_offset=offsets[n:],
    )
    pool._cache["facts"] = result
    return result


def rules(pool: Pool, design: ProgramDesign) -> list[tuple[str, Rule]]:
    """The rules in force: ``(rule id, test)``, each test mapping mentee rows to a bool block [rows, mentors]."""
    f = facts(pool)
    exp = design.experience
    reverse = exp.structure == "reverse"
    mentors = np.arange(pool.n_mentors)

    def gap(e: np.ndarray) -> np.ndarray:
        diff = f.mentor_level[None, :] - f.mentee_level[e][:, None]
        return -diff if reverse else diff

    def chain(e: np.ndarray) -> np.ndarray:
        known = f.mentee_org[e] >= 0
        found = np.zeros((len(e), len(mentors)), dtype=bool)
        targets = np.where(f.mentor_org >= 0, f.mentor_org, len(f.manager))  # unknown mentors match nobody
        manager = np.append(f.manager, -1)
        found[known] = in_management_chain(f.mentee_org[e][known], targets, manager)
        return ~found

    def line_manager(e: np.ndarray) -> np.ndarray:
        boss = np.where(f.mentee_org[e] >= 0, f.manager[np.maximum(f.mentee_org[e], 0)], -1)
        return ~((boss[:, None] == f.mentor_org[None, :]) & (boss[:, None] >= 0))

    found: list[tuple[str, Rule]] = [
        ("self", lambda e: f.mentee_ids[e][:, None] != f.mentor_ids[None, :]),
        ("seniority_window", lambda e: (gap(e) >= exp.seniority_gap_min) & (gap(e) <= exp.seniority_gap_max)),
    ]
    if exp.exclude_line_manager:
        found.append(("line_manager", line_manager))
    for rule in exp.hard_rules:
        if rule == "not_in_management_chain":
            found.append((rule, chain))
        elif rule == "different_department":
            found.append((rule, lambda e: f.mentee_department[e][:, None] != f.mentor_department[None, :]))
        elif rule == "same_department":
            found.append((rule, lambda e: f.mentee_department[e][:, None] == f.mentor_department[None, :]))
        elif rule == "mentor_more_senior":
            least = max(1, exp.seniority_gap_min)
            found.append((rule, lambda e: f.mentor_level[None, :] - f.mentee_level[e][:, None] >= least))
        elif rule == "same_timezone_band":
            found.append((rule, lambda e: ~(np.abs(f.mentee_offset[e][:, None] - f.mentor_offset[None, :])
                                            > TIMEZONE_BAND_HOURS)))
    return found


def allowed_block(pool: Pool, design: ProgramDesign, mentees: np.ndarray) -> np.ndarray:
    """Bool ``[len(mentees), n_mentors]``: True where every hard rule allows mentor ``j`` for mentee ``mentees[i]``."""
    e = np.asarray(mentees, dtype=np.int64).reshape(-1)
    result = np.ones((len(e), pool.n_mentors), dtype=bool)
    for _, test in rules(pool, design):
        result &= test(e)
    return result


def rule_reasons(pool: Pool, design: ProgramDesign, mentee_idx) -> dict[str, int]:
    """How many mentors each rule in force removes for mentee ``mentee_idx`` (summed over several mentees).

    Each count is of mentors failing that rule, whatever the other rules say;
    the keys are the rule ids of the module docstring, in the order applied.
    """
    e = np.asarray(mentee_idx, dtype=np.int64).reshape(-1)
    return {name: int((~test(e)).sum()) for name, test in rules(pool, design)}
