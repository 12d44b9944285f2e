"""How well a mentor fits a mentee: one score per criterion in [0, 1], and their weighted total.

The criteria (weights from ``design.experience.criteria``; a weight of 0 or a
missing weight leaves a criterion out):

``skills``
    share of the mentee's weighted need the mentor can cover. The need is the
    skills the mentee ``wants`` (weight 1 each) and the skills where
    :func:`workbench.gaps.analysis.person_gaps` finds a known gap (weight =
    weighted gap / the mentee's largest weighted gap, so at most 1; a skill
    both wanted and a gap counts once, weight 1). Each needed skill has a
    target level: the requirement's target for a gap; for a wanted skill the
    requirement's target when one applies, else :data:`PROFICIENT_LEVEL`, and
    at least one above the mentee's own known level. The mentor covers it when
    their ``proficiency.csv`` level reaches the target. A mentor who lists
    ``offers`` covers only offered skills; an offered skill without a known
    level counts as covered. A mentee with no recorded need scores 0.
``seniority``
    1 inside the preferred window (mentor level minus mentee level within
    ``seniority_gap_min`` .. ``seniority_gap_max``; mentee minus mentor in
    reverse mentoring), halving with each level outside; 0 for unknown levels.
``department``
    ``department_preference`` "cross": 1 for different departments, else 0;
    "same": 1 for the same department, else 0; "any": 0.5.
``location``
    1 for the same (non-blank) location, else 0.
``timezone``
    ``1 - d / 12`` for UTC offsets ``d`` hours apart around the clock (so at
    most 12); 0 when either time zone is unknown.
``languages``
    1 when they share a language, else 0.
``preferences``
    from ``preferences.csv``: a person's ``p``-th choice (``p`` from 0, by
    rank, among the people they ranked on the other side of the pool, ``L``
    of them) scores ``1 - p / L``, so a first choice scores 1; a pair takes the
    higher of the mentee's score for the mentor and the mentor's for the
    mentee; 0 when neither ranked the other.
``affinity``
    only when the design opts in to sensitive data (``sensitive_opt_in``) and
    names ``sensitive_attributes``: the share of those attributes (the ones
    people.csv has) on which mentor and mentee are equal and not blank.
    Otherwise the criterion is absent and no sensitive column is read.

The total score of an allowed pair is ``sum(weight x criterion) / sum(weight)``
(0 when no criterion has weight); a pair a hard rule
(:mod:`workbench.matching.rules`) or an admin override forbids scores ``-inf``.

A researcher adds a criterion with :func:`register_criterion` and gives it a
weight through ``PairScorer(extra_weights=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.design.eligibility import number_column, text_column
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.gaps.analysis import person_gaps
from workbench.matching.pool import Pool
from workbench.matching.rules import allowed_block, facts, rules

#: Level a mentor needs in a wanted skill that no requirement sets a target for.
PROFICIENT_LEVEL = 3
#: Mentee rows scored together by :meth:`PairScorer.block`-sized loops (see :meth:`PairScorer.blocks`).
BLOCK_ROWS = 512

Criterion = Callable[[Pool, np.ndarray, np.ndarray, "ScoringContext"], np.ndarray]


class ScoringContext:
    """What criteria share: the pool, design, tables, per-person arrays and a memo for precomputed arrays."""

    def __init__(self, pool: Pool, tables: Mapping[str, pd.DataFrame], design: ProgramDesign) -> None:
        self.pool = pool
        self.tables = tables
        self.design = design
        self.facts = facts(pool)
        self._memo: dict[str, object] = {}

    def memo(self, key: str, build: Callable[[], object]):
        """``build()`` the first time ``key`` is asked for, the stored value afterwards."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]


def _is_block(e: np.ndarray, m: np.ndarray) -> bool:
    return e.ndim == 2 and m.ndim == 2 and e.shape[1] == 1 and m.shape[0] == 1


def _codes(*columns: pd.Series) -> list[np.ndarray]:
    """Shared integer codes for text columns; blank cells get -1."""
    values = np.concatenate([c.to_numpy(dtype=object) for c in columns]).astype(str)
    _, code = np.unique(values, return_inverse=True)
    code = np.where(values == "", -1, code).astype(np.int32)
    bounds = np.cumsum([0, *(len(c) for c in columns)])
    return [code[bounds[i]:bounds[i + 1]] for i in range(len(columns))]


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


# --------------------------------------------------------------------------
# Skills
# --------------------------------------------------------------------------


def _skill_arrays(ctx: ScoringContext) -> dict:
    pool, tables = ctx.pool, ctx.tables
    mentee_ids, mentor_ids = ctx.facts.mentee_ids, ctx.facts.mentor_ids
    wants = [_items(w) for w in text_column(pool.mentees, "wants")]
    offers = [_items(o) for o in text_column(pool.mentors, "offers")]
    gaps = pd.DataFrame(columns=["person_id", "skill_id", "target", "gap", "weighted_gap"])
    if tables.get("people") is not None and tables.get("requirements") is not None:
        gaps = person_gaps(tables, as_of=pool.as_of)
    gaps = gaps[gaps["person_id"].isin(set(mentee_ids))]
    proficiency = tables.get("proficiency")
    if proficiency is None:
        proficiency = pd.DataFrame({"person_id": [], "skill_id": [], "level": []})
    prof = pd.DataFrame({"person_id": text_column(proficiency, "person_id"),
                         "skill_id": text_column(proficiency, "skill_id"),
                         "level": number_column(proficiency, "level")}).dropna(subset=["level"])
    prof = prof[prof["person_id"].isin(set(mentee_ids) | set(mentor_ids))]
    skills = sorted({s for w in wants for s in w} | {s for o in offers for s in o}
                    | set(gaps["skill_id"].astype(str)) | set(prof["skill_id"]))
    column = {s: i for i, s in enumerate(skills)}
    n_e, n_m, n_s = len(mentee_ids), len(mentor_ids), len(skills)
    mentee_row = {p: i for i, p in reversed(list(enumerate(mentee_ids)))}
    mentor_row = {p: i for i, p in reversed(list(enumerate(mentor_ids)))}

    level = np.zeros((n_m, n_s), dtype=np.uint8)
    known = np.zeros((n_m, n_s), dtype=bool)
    rows = prof["person_id"].map(mentor_row)
    sel = rows.notna().to_numpy()
    r = rows[sel].to_numpy(dtype=np.int64)
    c = prof["skill_id"][sel].map(column).to_numpy(dtype=np.int64)
    level[r, c] = np.clip(prof["level"][sel].to_numpy(), 0, 254).astype(np.uint8)
    known[r, c] = True
    for j, offered in enumerate(offers):
        if offered:
            mask = np.zeros(n_s, dtype=bool)
            mask[[column[s] for s in offered]] = True
            level[j] = np.where(mask, np.where(known[j], level[j], 255), 0)

    current = np.full((n_e, n_s), -1, dtype=np.int64)
    rows = prof["person_id"].map(mentee_row)
    sel = rows.notna().to_numpy()
    current[rows[sel].to_numpy(dtype=np.int64), prof["skill_id"][sel].map(column).to_numpy(dtype=np.int64)] = (
        prof["level"][sel].to_numpy(dtype=np.int64))
    weight = np.zeros((n_e, n_s), dtype=np.float32)
    target = np.zeros((n_e, n_s), dtype=np.int64)
    required = np.full((n_e, n_s), -1, dtype=np.int64)
    if len(gaps):
        g_row = gaps["person_id"].map(mentee_row).to_numpy(dtype=np.int64)
        g_col = gaps["skill_id"].astype(str).map(column).to_numpy(dtype=np.int64)
        required[g_row, g_col] = gaps["target"].to_numpy(dtype=np.int64)
        weighted = gaps["weighted_gap"].astype("Float64").fillna(0).to_numpy(dtype=float)
        biggest = np.zeros(n_e)
        np.maximum.at(biggest, g_row, weighted)
        has_gap = weighted > 0
        weight[g_row[has_gap], g_col[has_gap]] = weighted[has_gap] / biggest[g_row[has_gap]]
        target[g_row[has_gap], g_col[has_gap]] = required[g_row[has_gap], g_col[has_gap]]
    for i, wanted in enumerate(wants):
        for s in wanted:
            j = column[s]
            goal = required[i, j] if required[i, j] >= 0 else PROFICIENT_LEVEL
            target[i, j] = max(target[i, j], goal, current[i, j] + 1)
            weight[i, j] = 1.0
    targets = sorted({int(t) for t in np.unique(target[weight > 0])})
    need = {t: np.where(target == t, weight, 0).astype(np.float32) for t in targets}
    covered = {t: np.ascontiguousarray((level >= min(t, 255)).T, dtype=np.float32) for t in targets}
    return {"skills": skills, "weight": weight, "target": target, "level": level, "need": need,
            "covered": covered, "total": weight.sum(axis=1, dtype=np.float32)}


def _skills(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    a = ctx.memo("skills", lambda: _skill_arrays(ctx))
    if _is_block(e, m):
        ee, mm = e[:, 0], m[0, :]
        got = np.zeros((len(ee), len(mm)), dtype=np.float32)
        for t, need in a["need"].items():
            got += need[ee] @ a["covered"][t][:, mm]
    else:
        ee, mm = np.broadcast_arrays(e, m)
        got = np.zeros(ee.shape, dtype=np.float32)
        for t, need in a["need"].items():
            got += (need[ee] * a["covered"][t].T[mm]).sum(axis=-1)
    total = a["total"][e if _is_block(e, m) else ee]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.minimum(got / total, 1), 0).astype(np.float32)


# --------------------------------------------------------------------------
# The other built-in criteria
# --------------------------------------------------------------------------


def _seniority(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    f, exp = ctx.facts, ctx.design.experience
    gap = f.mentor_level[m] - f.mentee_level[e]
    if exp.structure == "reverse":
        gap = -gap
    outside = np.maximum(np.maximum(exp.seniority_gap_min - gap, gap - exp.seniority_gap_max), 0)
    return np.nan_to_num(np.exp2(-outside), nan=0.0).astype(np.float32)


def _department(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    f = ctx.facts
    preference = ctx.design.experience.department_preference
    if preference == "any":
        return np.full(np.broadcast_shapes(e.shape, m.shape), 0.5, dtype=np.float32)
    same = f.mentee_department[e] == f.mentor_department[m]
    return (same if preference == "same" else ~same).astype(np.float32)


def _location(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    mentee, mentor = ctx.memo("location", lambda: _codes(text_column(pool.mentees, "location"),
                                                         text_column(pool.mentors, "location")))
    a, b = mentee[e], mentor[m]
    return ((a == b) & (a >= 0)).astype(np.float32)


def _hours_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(a - b) % 24
    return np.minimum(d, 24 - d)


def _timezone(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    f = ctx.facts
    value = 1 - _hours_apart(f.mentee_offset[e], f.mentor_offset[m]) / np.float32(12)
    return np.nan_to_num(np.clip(value, 0, 1), nan=0.0).astype(np.float32)


def _language_bits(pool: Pool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    lists = [_items(t) for frame in (pool.mentees, pool.mentors) for t in text_column(frame, "languages")]
    names = sorted({x for items in lists for x in items})
    index = {x: i for i, x in enumerate(names)}
    bits = np.zeros((len(lists), max(1, -(-len(names) // 64))), dtype=np.uint64)
    for row, items in enumerate(lists):
        for x in items:
            bits[row, index[x] // 64] |= np.uint64(1) << np.uint64(index[x] % 64)
    n = pool.n_mentees
    return bits[:n], bits[n:], names


def _languages(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    mentee, mentor, _ = ctx.memo("languages", lambda: _language_bits(pool))
    shared = np.zeros(np.broadcast_shapes(e.shape, m.shape), dtype=bool)
    for word in range(mentee.shape[1]):
        shared |= (mentee[:, word][e] & mentor[:, word][m]) != 0
    return shared.astype(np.float32)


def _choice_scores(preferences: pd.DataFrame, rankers: np.ndarray, ranked: np.ndarray) -> pd.DataFrame:
    """Rows ``ranker``, ``ranked`` (row numbers) and ``value`` = 1 - p / L for each ranker's choices."""
    frame = pd.DataFrame({"who": text_column(preferences, "person_id"),
                          "whom": text_column(preferences, "ranks_person_id"),
                          "rank": number_column(preferences, "rank")}).dropna(subset=["rank"])
    who = {p: i for i, p in reversed(list(enumerate(rankers)))}
    whom = {p: i for i, p in reversed(list(enumerate(ranked)))}
    frame = frame[frame["who"].isin(who.keys()) & frame["whom"].isin(whom.keys())]
    frame = frame.sort_values(["who", "rank"], kind="stable")
    position = frame.groupby("who").cumcount().to_numpy()
    length = frame.groupby("who")["whom"].transform("size").to_numpy()
    return pd.DataFrame({"ranker": frame["who"].map(who).to_numpy(dtype=np.int64),
                         "ranked": frame["whom"].map(whom).to_numpy(dtype=np.int64),
                         "value": 1 - position / np.maximum(length, 1)})


def _preference_arrays(ctx: ScoringContext) -> dict:
    f = ctx.facts
    table = ctx.tables.get("preferences")
    mentee_side = mentor_side = None
    if table is not None and len(table):
        by_mentee = _choice_scores(table, f.mentee_ids, f.mentor_ids)
        by_mentor = _choice_scores(table, f.mentor_ids, f.mentee_ids)
        if len(by_mentee) or len(by_mentor):
            mentee_side = np.zeros((len(f.mentee_ids), len(f.mentor_ids)), dtype=np.float32)
            mentor_side = np.zeros_like(mentee_side)
            mentee_side[by_mentee["ranker"], by_mentee["ranked"]] = by_mentee["value"]
            mentor_side[by_mentor["ranked"], by_mentor["ranker"]] = by_mentor["value"]
    return {"mentee": mentee_side, "mentor": mentor_side}


def _preferences(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    a = ctx.memo("preferences", lambda: _preference_arrays(ctx))
    if a["mentee"] is None:
        return np.zeros(np.broadcast_shapes(e.shape, m.shape), dtype=np.float32)
    return np.maximum(a["mentee"][e, m], a["mentor"][e, m])


def affinity_attributes(pool: Pool, design: ProgramDesign) -> tuple[str, ...]:
    """The sensitive columns affinity may read: none without opt-in, else the chosen ones the pool has."""
    exp = design.experience
    if not exp.sensitive_opt_in:
        return ()
    return tuple(a for a in exp.sensitive_attributes if a in pool.mentees.columns and a in pool.mentors.columns)


def _affinity_codes(ctx: ScoringContext) -> list[tuple[np.ndarray, np.ndarray]]:
    pool = ctx.pool
    return [tuple(_codes(text_column(pool.mentees, a), text_column(pool.mentors, a)))
            for a in affinity_attributes(pool, ctx.design)]


def _affinity(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    codes = ctx.memo("affinity", lambda: _affinity_codes(ctx))
    equal = np.zeros(np.broadcast_shapes(e.shape, m.shape), dtype=np.float32)
    for mentee, mentor in codes:
        a = mentee[e]
        equal += (a == mentor[m]) & (a >= 0)
    return equal / np.float32(max(len(codes), 1))


CRITERIA: dict[str, Criterion] = {
    "skills": _skills, "seniority": _seniority, "department": _department, "location": _location,
    "timezone": _timezone, "languages": _languages, "preferences": _preferences, "affinity": _affinity,
}
_BUILT_IN = frozenset(CRITERIA)


def register_criterion(name: str, fn: Criterion) -> None:
    """Add (or replace) criterion ``name``: ``fn(pool, mentee_idx, mentor_idx, context)`` -> values in [0, 1].

    ``mentee_idx`` and ``mentor_idx`` are integer arrays that broadcast
    against each other: two equal-length 1-D arrays (one value per pair), or
    shapes ``(k, 1)`` and ``(1, n)`` (a block; the result is ``(k, n)``).
    Index ``pool.mentees`` / ``pool.mentors`` rows with them (precompute
    per-person arrays through ``context.memo``). The criterion counts only
    with a weight, given as ``PairScorer(..., extra_weights={name: w})``.
    Built-in criteria cannot be replaced.
    """
    if not name or not isinstance(name, str):
        raise ValueError("A criterion needs a non-empty name.")
    if name in _BUILT_IN:
        raise ValueError(f"{name!r} is a built-in criterion and cannot be replaced.")
    if not callable(fn):
        raise ValueError(f"Criterion {name!r} must be a function.")
    CRITERIA[name] = fn


# --------------------------------------------------------------------------
# The scorer
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Overrides:
    """Admin decisions on pairs, as ``(mentee person_id, mentor person_id)``.

    ``forbid``: never pair them (score ``-inf``). ``pin``: the pair is allowed
    even where a hard rule forbids it (not a self-pair); solvers must keep it.
    """

    forbid: frozenset[tuple[str, str]] = frozenset()
    pin: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "forbid", frozenset(tuple(p) for p in self.forbid))
        object.__setattr__(self, "pin", frozenset(tuple(p) for p in self.pin))
        both = sorted(self.forbid & self.pin)
        if both:
            raise WorkbenchError(f"Pairs cannot be both pinned and forbidden: {both}.")
        selves = sorted(p for p in self.pin if p[0] == p[1])
        if selves:
            raise WorkbenchError(f"Nobody can be pinned as their own mentor: {selves}.")


class PairScorer:
    """Scores mentor-mentee pairs of ``pool`` under ``design``: per criterion, in total, block by block."""

    def __init__(self, pool: Pool, tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *,
                 extra_weights: Mapping[str, float] | None = None, overrides: Overrides | None = None) -> None:
        self.pool = pool
        self.design = design
        self.n_mentees = pool.n_mentees
        self.n_mentors = pool.n_mentors
        self.context = ScoringContext(pool, tables, design)
        weights = {name: float(w) for name, w in design.experience.criteria.items()}
        for name, w in (extra_weights or {}).items():
            if name not in CRITERIA:
                raise WorkbenchError(f"Unknown criterion {name!r}; known: {', '.join(CRITERIA)}.")
            if not np.isfinite(w) or w < 0:
                raise WorkbenchError(f"The weight of {name!r} must be a number of 0 or more, not {w!r}.")
            weights[name] = float(w)
        if not affinity_attributes(pool, design):
            weights.pop("affinity", None)
        self.weights: dict[str, float] = {n: weights[n] for n in CRITERIA if weights.get(n, 0) > 0}
        self._total_weight = np.float32(sum(self.weights.values()))
        self.overrides = overrides or Overrides()
        self.forbidden, self._forbid_at = self._pairs(self.overrides.forbid)
        self.pinned, self._pin_at = self._pairs(self.overrides.pin)

    def _pairs(self, pairs: Iterable[tuple[str, str]]) -> tuple[set[tuple[str, str]], tuple[np.ndarray, np.ndarray]]:
        f = self.context.facts
        mentee = {p: i for i, p in enumerate(f.mentee_ids)}
        mentor = {p: i for i, p in enumerate(f.mentor_ids)}
        pairs = set(pairs)
        unknown = sorted(p for p in pairs if p[0] not in mentee or p[1] not in mentor)
        if unknown:
            raise WorkbenchError(f"Override pairs name people who are not mentee and mentor in the pool: {unknown}.")
        ordered = sorted(pairs)
        return pairs, (np.array([mentee[a] for a, _ in ordered], dtype=np.int64),
                       np.array([mentor[b] for _, b in ordered], dtype=np.int64))

    @property
    def criterion_names(self) -> list[str]:
        """The criteria in use (weight above 0), in registry order."""
        return list(self.weights)

    def _criterion(self, name: str, e: np.ndarray, m: np.ndarray) -> np.ndarray:
        shape = np.broadcast_shapes(e.shape, m.shape)
        value = np.broadcast_to(np.asarray(CRITERIA[name](self.pool, e, m, self.context), dtype=np.float32), shape)
        if name not in _BUILT_IN and value.size and not (np.isfinite(value).all() and value.min() >= 0
                                                         and value.max() <= 1):
            raise ValueError(f"Criterion {name!r} gave values outside [0, 1].")
        return value

    def allowed(self, mentees: np.ndarray) -> np.ndarray:
        """Bool ``[len(mentees), n_mentors]``: the hard rules, then pinned pairs allowed, forbidden pairs not."""
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        result = allowed_block(self.pool, self.design, e)
        for (pair_e, pair_m), value in ((self._pin_at, True), (self._forbid_at, False)):
            if len(pair_e):
                rows, which = np.nonzero(e[:, None] == pair_e[None, :])
                result[rows, pair_m[which]] = value
        return result

    def block(self, mentees: np.ndarray) -> np.ndarray:
        """Float32 ``[len(mentees), n_mentors]``: total score where allowed, ``-inf`` where forbidden."""
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        m = np.arange(self.n_mentors)[None, :]
        total = np.zeros((len(e), self.n_mentors), dtype=np.float32)
        for name, w in self.weights.items():
            total += np.float32(w) * self._criterion(name, e[:, None], m)
        if self._total_weight > 0:
            total /= self._total_weight
        np.clip(total, 0, 1, out=total)
        total[~self.allowed(e)] = -np.inf
        return total

    def blocks(self, rows: int = BLOCK_ROWS):
        """``(mentee indices, block)`` for every mentee, ``rows`` mentees at a time."""
        for start in range(0, self.n_mentees, rows):
            e = np.arange(start, min(start + rows, self.n_mentees))
            yield e, self.block(e)

    def criteria(self, mentee_idx: np.ndarray, mentor_idx: np.ndarray) -> pd.DataFrame:
        """Per pair: ``mentee_id``, ``mentor_id``, each criterion in use, ``allowed``, ``score`` (as in :meth:`block`)."""
        e = np.asarray(mentee_idx, dtype=np.int64).reshape(-1)
        m = np.asarray(mentor_idx, dtype=np.int64).reshape(-1)
        if e.shape != m.shape:
            raise ValueError("mentee_idx and mentor_idx must have the same length.")
        f = self.context.facts
        columns = {"mentee_id": f.mentee_ids[e], "mentor_id": f.mentor_ids[m]}
        total = np.zeros(len(e), dtype=np.float32)
        for name, w in self.weights.items():
            value = self._criterion(name, e, m)
            columns[name] = value
            total += np.float32(w) * value
        if self._total_weight > 0:
            total /= self._total_weight
        total = np.clip(total, 0, 1)
        unique, inverse = np.unique(e, return_inverse=True)
        allowed = self.allowed(unique)[inverse, m] if len(e) else np.zeros(0, dtype=bool)
        columns["allowed"] = allowed
        columns["score"] = np.where(allowed, total, -np.inf).astype(np.float32)
        return pd.DataFrame(columns)

    def explain(self, mentee_idx: np.ndarray, mentor_idx: np.ndarray) -> list[str]:
        """One plain-English line per pair: why it scores as it does (and what forbids it, if anything)."""
        table = self.criteria(mentee_idx, mentor_idx)
        e = np.asarray(mentee_idx, dtype=np.int64).reshape(-1)
        m = np.asarray(mentor_idx, dtype=np.int64).reshape(-1)
        lines = []
        for k in range(len(table)):
            i, j = int(e[k]), int(m[k])
            parts = []
            if not table["allowed"].iloc[k]:
                parts.append("Not allowed (" + ", ".join(self._blockers(i, j)) + ")")
            parts += [self._phrase(name, i, j, float(table[name].iloc[k])) for name in self.weights]
            parts.append(f"score {table['score'].iloc[k]:.2f}" if table["allowed"].iloc[k] else "score -inf")
            text = "; ".join(parts)
            lines.append(text[:1].upper() + text[1:])
        return lines

    def _blockers(self, i: int, j: int) -> list[str]:
        pair = (self.context.facts.mentee_ids[i], self.context.facts.mentor_ids[j])
        if pair in self.forbidden:
            return ["forbidden by an administrator"]
        return [name.replace("_", " ") for name, test in rules(self.pool, self.design)
                if not test(np.array([i]))[0, j]]

    def _phrase(self, name: str, i: int, j: int, value: float) -> str:
        f, exp, ctx = self.context.facts, self.design.experience, self.context
        if name == "skills":
            a = ctx.memo("skills", lambda: _skill_arrays(ctx))
            needed = np.flatnonzero(a["weight"][i] > 0)
            if not len(needed):
                return "no skill needs recorded"
            covered = [s for s in needed if a["level"][j, s] >= min(a["target"][i, s], 255)]
            names = self._skill_names([a["skills"][s] for s in covered])
            shown = f" ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})" if names else ""
            return f"covers {len(covered)} of {len(needed)} needed skills{shown}"
        if name == "seniority":
            gap = f.mentor_level[j] - f.mentee_level[i]
            if np.isnan(gap):
                return "level unknown"
            gap = int(gap)
            words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
            if gap == 0:
                text = "same level"
            else:
                count = words.get(abs(gap), str(abs(gap)))
                text = f"{count} level{'s' if abs(gap) > 1 else ''} more {'senior' if gap > 0 else 'junior'}"
            return text if value >= 1 else f"{text}, outside the preferred {exp.seniority_gap_min}-" \
                                             f"{exp.seniority_gap_max}"
        if name == "department":
            same = f.mentee_department[i] == f.mentor_department[j]
            text = "same department" if same else "different department"
            pref = exp.department_preference
            if pref == "any":
                return text
            return f"{text} as preferred" if value >= 1 else f"{text}, though {pref}-department is preferred"
        if name == "location":
            where = text_column(self.pool.mentors, "location").iloc[j]
            return f"same location ({where})" if value >= 1 else "different location"
        if name == "timezone":
            d = _hours_apart(f.mentee_offset[i], f.mentor_offset[j])
            if np.isnan(d):
                return "time zone unknown"
            if d == 0:
                return "same time zone"
            band = "same time zone band, " if d <= 3 else ""
            return f"{band}{d:g} hour{'s' if d != 1 else ''} apart"
        if name == "languages":
            mentee = set(_items(text_column(self.pool.mentees, "languages").iloc[i]))
            shared = sorted(mentee & set(_items(text_column(self.pool.mentors, "languages").iloc[j])))
            return f"shares {', '.join(shared)}" if shared else "no common language"
        if name == "preferences":
            return "a ranked choice" + (" (first choice)" if value >= 1 else "") if value > 0 else "not ranked"
        if name == "affinity":
            n = len(affinity_attributes(self.pool, self.design))
            return f"shares {round(value * n)} of {n} chosen attributes"
        return f"{name} {value:.2f}"

    def _skill_names(self, ids: list[str]) -> list[str]:
        skills = self.context.tables.get("skills")
        if skills is None or "name" not in skills.columns:
            return ids
        names = dict(zip(text_column(skills, "skill_id"), text_column(skills, "name")))
        return [names.get(s) or s for s in ids]
