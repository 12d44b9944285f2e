"""Which mentor-mentee pairs the hard rules allow, block by block.

The consistency checks use these same rules
(:func:`workbench.readiness.check_design`), so a mentee the checks report
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
``teaches_functional_skill``
    (functional mentoring, on a pool from
    :func:`workbench.matching.functional.functional_pool`) the mentee needs
    the design's functional skill and the mentor's level in it reaches the
    mentee's target.

A rule is one of two kinds (:class:`Rule`). A *type rule* (the seniority
window, the department rules, ``mentor_more_senior``, the time-zone band)
depends only on a few facts of each side (level, department, UTC offset), so
it can be tested once per pair of such types. A *person rule* (``self``,
``line_manager``, the management chain) forbids a handful of mentors per
mentee, held as a sorted list of forbidden pairs.

Indices are mentee and mentor row numbers of the pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd

from workbench.data.columns import number_column, text_column
from workbench.organisation import TIMEZONE_BAND_HOURS, manager_positions, utc_offsets
from workbench.design.model import ProgramDesign
from workbench.matching.pool import Pool

Test = Callable[[np.ndarray], np.ndarray]


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
        mentee_functional=_levels(pool.mentees, "functional_target"),
        mentor_functional=_levels(pool.mentors, "functional_level"),
    )
    pool._cache["facts"] = result
    return result


def _levels(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Whole levels of ``column`` (0 where it is absent or blank)."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).to_numpy(dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Rule:
    """One hard rule in force.

    A type rule has ``pair(e, m)``: bool, True where allowed, for mentee and
    mentor index arrays that broadcast against each other; it reads only the
    facts named in ``keys`` (``"level"``, ``"department"``, ``"offset"``, ``"functional"``: the
    ``mentee_<key>`` and ``mentor_<key>`` arrays of :func:`facts`). A person
    rule has ``excluded``: the forbidden ``(mentee, mentor)`` pairs, sorted by
    mentee, then mentor.
    """

    name: str
    n_mentors: int
    pair: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    keys: tuple[str, ...] = ()
    excluded: tuple[np.ndarray, np.ndarray] | None = None

    def test(self, mentees: np.ndarray) -> np.ndarray:
        """Bool ``[len(mentees), n_mentors]``: True where the rule allows the pair."""
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        if self.pair is not None:
            return np.broadcast_to(self.pair(e[:, None], np.arange(self.n_mentors)[None, :]),
                                   (len(e), self.n_mentors)).copy()
        allowed = np.ones((len(e), self.n_mentors), dtype=bool)
        rows, at = rows_of(self.excluded[0], e)
        allowed[rows, self.excluded[1][at]] = False
        return allowed

    def allows(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        """Bool per pair ``(mentees[k], mentors[k])``: True where the rule allows it."""
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        m = np.asarray(mentors, dtype=np.int64).reshape(-1)
        if self.pair is not None:
            return np.broadcast_to(self.pair(e, m), e.shape).copy()
        return ~is_pair(self.excluded, e, m, self.n_mentors)


def spans(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index ranges ``start[k] .. start[k] + count[k] - 1``, flattened: (k of each index, index)."""
    rows = np.repeat(np.arange(len(start)), count)
    return rows, np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))


def rows_of(sorted_mentees: np.ndarray, mentees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entries of a list sorted by mentee that belong to ``mentees``: (position in ``mentees``, entry index)."""
    lo = np.searchsorted(sorted_mentees, mentees, side="left")
    return spans(lo, np.searchsorted(sorted_mentees, mentees, side="right") - lo)


def is_pair(pairs: tuple[np.ndarray, np.ndarray], mentees: np.ndarray, mentors: np.ndarray,
            n_mentors: int) -> np.ndarray:
    """Bool per ``(mentees[k], mentors[k])``: whether it is one of ``pairs`` (sorted by mentee, then mentor)."""
    keys = pairs[0] * max(n_mentors, 1) + pairs[1]
    wanted = mentees * max(n_mentors, 1) + mentors
    at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    return (keys[at] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)


def _matching(mentee_keys: np.ndarray, mentor_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (mentee, mentor) whose keys are equal; negative keys match nothing."""
    order = np.argsort(mentor_keys, kind="stable")
    ordered = mentor_keys[order]
    lo = np.searchsorted(ordered, mentee_keys, side="left")
    mentees, at = spans(lo, np.where(mentee_keys >= 0, np.searchsorted(ordered, mentee_keys, side="right") - lo, 0))
    return mentees, order[at]


def _sorted_pairs(mentees: np.ndarray, mentors: np.ndarray, n_mentors: int) -> tuple[np.ndarray, np.ndarray]:
    key = np.unique(mentees.astype(np.int64) * max(n_mentors, 1) + mentors)
    return key // max(n_mentors, 1), key % max(n_mentors, 1)


def _self_pairs(f: SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    ids = pd.Index(np.concatenate([f.mentee_ids, f.mentor_ids]).astype(str))
    codes = pd.factorize(ids)[0]
    n = len(f.mentee_ids)
    return _sorted_pairs(*_matching(codes[:n], codes[n:]), len(f.mentor_ids))


def _line_manager_pairs(f: SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    boss = np.where(f.mentee_org >= 0, f.manager[np.maximum(f.mentee_org, 0)], -1)
    return _sorted_pairs(*_matching(boss, f.mentor_org), len(f.mentor_ids))


def _chain_pairs(f: SimpleNamespace) -> tuple[np.ndarray, np.ndarray]:
    """Every mentor who is a mentee's manager or above, followed up to the top (at most the organisation's size)."""
    found_e, found_m = [], []
    mentees = np.flatnonzero(f.mentee_org >= 0)
    current = f.manager[f.mentee_org[mentees]]
    for _ in range(len(f.manager)):
        up = current >= 0
        mentees, current = mentees[up], current[up]
        if not len(mentees):
            break
        rows, mentors = _matching(current, f.mentor_org)
        found_e.append(mentees[rows])
        found_m.append(mentors)
        current = f.manager[current]
    if not found_e:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return _sorted_pairs(np.concatenate(found_e), np.concatenate(found_m), len(f.mentor_ids))


def hard_rules(pool: Pool, design: ProgramDesign) -> list[Rule]:
    """The rules in force, in the order of the module docstring (design's ``hard_rules`` in its order)."""
    f = facts(pool)
    exp = design.experience
    reverse = exp.structure == "reverse"
    m = pool.n_mentors

    def gap(e: np.ndarray, j: np.ndarray) -> np.ndarray:
        diff = f.mentor_level[j] - f.mentee_level[e]
        return -diff if reverse else diff

    def window(e: np.ndarray, j: np.ndarray) -> np.ndarray:
        g = gap(e, j)
        return (g >= exp.seniority_gap_min) & (g <= exp.seniority_gap_max)

    least = max(1, exp.seniority_gap_min)
    found = [Rule("self", m, excluded=_self_pairs(f)), Rule("seniority_window", m, window, ("level",))]
    if exp.exclude_line_manager:
        found.append(Rule("line_manager", m, excluded=_line_manager_pairs(f)))
    for rule in exp.hard_rules:
        if rule == "not_in_management_chain":
            found.append(Rule(rule, m, excluded=_chain_pairs(f)))
        elif rule == "different_department":
            found.append(Rule(rule, m, lambda e, j: f.mentee_department[e] != f.mentor_department[j],
                              ("department",)))
        elif rule == "same_department":
            found.append(Rule(rule, m, lambda e, j: f.mentee_department[e] == f.mentor_department[j],
                              ("department",)))
        elif rule == "mentor_more_senior":
            found.append(Rule(rule, m, lambda e, j: f.mentor_level[j] - f.mentee_level[e] >= least, ("level",)))
        elif rule == "same_timezone_band":
            found.append(Rule(rule, m, lambda e, j: ~(np.abs(f.mentee_offset[e] - f.mentor_offset[j])
                                                      > TIMEZONE_BAND_HOURS), ("offset",)))
    if exp.structure == "functional" and "functional_target" in pool.mentees.columns:
        found.append(Rule("teaches_functional_skill", m, lambda e, j: (f.mentee_functional[e] > 0)
                          & (f.mentor_functional[j] >= f.mentee_functional[e]), ("functional",)))
    return found


def rules(pool: Pool, design: ProgramDesign) -> list[tuple[str, Test]]:
    """The rules in force: ``(rule id, test)``, each test mapping mentee rows to a bool block [rows, mentors]."""
    return [(rule.name, rule.test) for rule in hard_rules(pool, design)]


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
