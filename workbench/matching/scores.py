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

A design declares its own criteria in ``experience.custom_criteria``
(:class:`workbench.design.model.DesignCriterion`: same value, different
value, shared items of a list, numeric distance, similarity of survey answer
vectors, each with its weight), scored here like the built-in ones
(:func:`declared_criterion`) after :func:`design_criterion_problems` has
checked their columns. A researcher adds a criterion from Python with
:func:`register_criterion` and gives it a weight through
``PairScorer(extra_weights=...)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from workbench.data.columns import number_column, text_column
from workbench.data.tables import TABLES
from workbench.design.eligibility import data_as_of
from workbench.design.model import DesignCriterion, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.gaps.analysis import current_proficiency, person_gaps, skill_names
from workbench.matching.pool import Pool
from workbench.matching.rules import Rule, facts, hard_rules, is_pair, rows_of, spans

#: Level a mentor needs in a wanted skill that no requirement sets a target for.
PROFICIENT_LEVEL = 3
#: Mentee rows scored together by :meth:`PairScorer.block`-sized loops (see :meth:`PairScorer.blocks`).
BLOCK_ROWS = 512
#: Most cells (float32, 4 bytes each) of one table of type-level values, mentee types x mentor types.
TYPE_CELLS = 1 << 24
#: A mentee's need weights are held as whole numbers summing to at most about 2**NEED_BITS (exact in float32).
NEED_BITS = 23

Criterion = Callable[[Pool, np.ndarray, np.ndarray, "ScoringContext"], np.ndarray]


class ScoringContext:
    """What criteria share: the pool, design, tables, per-person arrays and a memo for precomputed arrays."""

    def __init__(self, pool: Pool, tables: Mapping[str, pd.DataFrame], design: ProgramDesign) -> None:
        self.pool = pool
        self.tables = tables
        self.design = design
        self.facts = facts(pool)
        self._memo: dict[str, object] = {}
        self._lock = threading.RLock()

    def memo(self, key: str, build: Callable[[], object]):
        """``build()`` the first time ``key`` is asked for, the stored value afterwards (thread-safe)."""
        with self._lock:
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


def _first_rows(ids: np.ndarray) -> dict[str, int]:
    return {p: i for i, p in reversed(list(enumerate(ids)))}


def _text_codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, distinct values) of a column read as :func:`text_column` reads it: each value stripped once."""
    if column not in frame.columns or not len(frame):
        return np.zeros(len(frame), dtype=np.int64), np.array([""], dtype=object)
    codes, uniques = pd.factorize(frame[column].to_numpy(dtype=object), use_na_sentinel=False)
    return codes, text_column(pd.DataFrame({column: uniques}), column).to_numpy(dtype=object)


def _positions(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of each of ``values`` in ``ids`` (the first where ids repeat); -1 where absent."""
    index = pd.Index(ids)
    first = np.flatnonzero(~index.duplicated(keep="first"))
    found = index[first].get_indexer(values)
    return np.where(found >= 0, np.r_[first, -1][found], -1)


def _lists(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """The ``;``-separated items of a column, flattened: (row of each item, item)."""
    codes, values = _text_codes(frame, column)
    parsed = [_items(v) for v in values]  # each distinct cell once
    count = np.array([len(p) for p in parsed], dtype=np.int64)
    flat = np.array([item for p in parsed for item in p], dtype=object)
    rows, at = spans((np.cumsum(count) - count)[codes], count[codes])
    return rows, flat[at]


def _last(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray, default) -> np.ndarray:
    """The value of the last entry with each ``wanted`` key (``default`` where there is none)."""
    unique, at = np.unique(keys[::-1], return_index=True)
    where = np.minimum(np.searchsorted(unique, wanted), max(len(unique) - 1, 0))
    hit = (unique[where] == wanted) if len(unique) else np.zeros(len(wanted), dtype=bool)
    return np.where(hit, values[::-1][at[where]] if len(unique) else default, default)


def _skill_needs(ctx: ScoringContext) -> dict:
    """Needs and mentor levels, without any mentees x skills array.

    ``skills``: skill ids (sorted); ``level``: uint8 ``[mentors, skills]``, the
    mentor's known level (0 unknown or not offered, 255 offered without a known
    level); ``mentee``, ``skill``, ``target`` (levels) and ``weight`` (float32,
    in (0, 1]): one entry per needed skill, sorted by mentee then skill, with
    ``start[i]:start[i + 1]`` the entries of mentee ``i``.
    """
    pool, tables = ctx.pool, ctx.tables
    mentee_ids, mentor_ids = ctx.facts.mentee_ids, ctx.facts.mentor_ids
    n_e, n_m = len(mentee_ids), len(mentor_ids)
    want_row, want_skill = _lists(pool.mentees, "wants")
    offer_row, offer_skill = _lists(pool.mentors, "offers")
    gaps = pd.DataFrame(columns=["person_id", "skill_id", "target", "weighted_gap"])
    people = tables.get("people")
    if people is not None and tables.get("requirements") is not None:
        # Gaps are per person: only the mentees' rows are analysed, on the day of the whole table.
        codes, ids = _text_codes(people, "person_id")
        mine = people[(_positions(mentee_ids, ids) >= 0)[codes]]
        gaps = person_gaps({**tables, "people": mine}, as_of=pool.as_of or data_as_of(people))
    proficiency = current_proficiency(tables.get("proficiency"))
    if proficiency is None:
        proficiency = pd.DataFrame({"person_id": [], "skill_id": [], "level": []})
    who, who_ids = _text_codes(proficiency, "person_id")
    what, what_ids = _text_codes(proficiency, "skill_id")
    how, how_texts = _text_codes(proficiency, "level")
    prof_level = pd.to_numeric(pd.Series(how_texts, dtype=object), errors="coerce").to_numpy(dtype=float)[how]
    prof_mentee, prof_mentor = _positions(mentee_ids, who_ids)[who], _positions(mentor_ids, who_ids)[who]
    keep = ~np.isnan(prof_level) & ((prof_mentee >= 0) | (prof_mentor >= 0))
    prof_skill = what_ids[what]
    gap_skill = gaps["skill_id"].astype(str).to_numpy(dtype=object)
    skills = sorted(set(want_skill) | set(offer_skill) | set(gap_skill) | set(prof_skill[keep]))
    n_s = len(skills)
    column = pd.Index(skills)

    level = np.zeros((n_m, n_s), dtype=np.uint8)
    known = np.zeros((n_m, n_s), dtype=bool)
    sel = keep & (prof_mentor >= 0)
    r, c = prof_mentor[sel], column.get_indexer(prof_skill[sel])
    level[r, c] = np.clip(prof_level[sel], 0, 254).astype(np.uint8)
    known[r, c] = True
    offered = np.zeros((n_m, n_s), dtype=bool)
    offered[offer_row, column.get_indexer(offer_skill)] = True
    listed = offered.any(axis=1)[:, None]  # a mentor who lists offers covers only those
    level = np.where(listed, np.where(offered, np.where(known, level, 255), 0), level).astype(np.uint8)

    # Gap needs: weight = weighted gap / the mentee's largest, target = the requirement's.
    g_row = _positions(mentee_ids, gaps["person_id"].to_numpy(dtype=object))
    g_key = g_row * n_s + column.get_indexer(gap_skill)
    required = gaps["target"].to_numpy(dtype=np.int64)
    weighted = gaps["weighted_gap"].astype("Float64").fillna(0).to_numpy(dtype=float)
    biggest = np.zeros(n_e)
    np.maximum.at(biggest, g_row, weighted)
    has_gap = weighted > 0
    gap_weight = (weighted[has_gap] / biggest[g_row[has_gap]]).astype(np.float32)
    # Wanted skills: weight 1, target at least the requirement's (else PROFICIENT_LEVEL) and one above current.
    w_key = np.unique(want_row * n_s + column.get_indexer(want_skill))
    m_sel = keep & (prof_mentee >= 0)
    current = _last(prof_mentee[m_sel] * n_s + column.get_indexer(prof_skill[m_sel]),
                    prof_level[m_sel].astype(np.int64), w_key, -1)
    goal = _last(g_key, required, w_key, PROFICIENT_LEVEL)
    gap_target = _last(g_key[has_gap], required[has_gap], w_key, 0)
    w_target = np.maximum.reduce([gap_target, goal, current + 1])

    key = np.r_[g_key[has_gap], w_key]
    target = np.r_[required[has_gap], w_target]
    weight = np.r_[gap_weight, np.ones(len(w_key), dtype=np.float32)]
    unique, at = np.unique(key[::-1], return_index=True)  # a wanted skill replaces its gap entry
    at = len(key) - 1 - at
    mentee = unique // max(n_s, 1)
    return {"skills": skills, "level": level, "mentee": mentee, "skill": unique % max(n_s, 1),
            "target": target[at], "weight": weight[at], "start": np.searchsorted(mentee, np.arange(n_e + 1))}


def skill_arrays(ctx: ScoringContext) -> dict:
    """The needs as dense arrays: ``weight``/``target`` ``[mentees, skills]``, ``need[t]``, ``covered[t]``, ``total``.

    ``need[t]``: float32 ``[mentees, skills]`` weights of needs with target
    ``t``; ``covered[t]``: float32 ``[skills, mentors]``, 1 where the mentor's
    level reaches ``t``; ``total``: each mentee's summed weight. About
    ``mentees x skills x (12 + 4 x targets)`` bytes, built once per context. The explained results read
    them for skill coverage and the mosaic's later rounds.
    """
    def build() -> dict:
        a = ctx.memo("skill_needs", lambda: _skill_needs(ctx))
        n_e, n_s = ctx.pool.n_mentees, len(a["skills"])
        weight = np.zeros((n_e, n_s), dtype=np.float32)
        target = np.zeros((n_e, n_s), dtype=np.int64)
        weight[a["mentee"], a["skill"]] = a["weight"]
        target[a["mentee"], a["skill"]] = a["target"]
        targets = sorted({int(t) for t in np.unique(a["target"])})
        need = {t: np.where(target == t, weight, 0).astype(np.float32) for t in targets}
        covered = {t: np.ascontiguousarray((a["level"] >= min(t, 255)).T, dtype=np.float32) for t in targets}
        return {"skills": a["skills"], "weight": weight, "target": target, "level": a["level"], "need": need,
                "covered": covered, "total": weight.sum(axis=1, dtype=np.float32)}

    return ctx.memo("skill_arrays", build)


def _skill_matrix(ctx: ScoringContext) -> dict:
    """The needs as one exact product: got = ``need[mentees] @ covered`` (whole numbers in float32).

    Each need is a column ``k`` of (skill, target); ``need``: CSR float32
    ``[mentees, k]`` of the mentee's weights scaled by a power of two and
    rounded to whole numbers (each mentee's sum below 2**24, so every sum of
    them is exact in float32 and the same in any order); ``covered``: float32
    ``[k, mentors]``, 1 where the mentor's level reaches the target;
    ``total``: float32 per mentee, the whole-number sum of its weights.
    """
    a = ctx.memo("skill_needs", lambda: _skill_needs(ctx))
    n_e, n_m = ctx.pool.n_mentees, ctx.pool.n_mentors
    weight = a["weight"].astype(np.float64)
    total = np.bincount(a["mentee"], weights=weight, minlength=n_e)
    exponent = np.zeros(n_e)
    has = total > 0
    exponent[has] = NEED_BITS - np.ceil(np.log2(total[has]))
    whole = np.rint(np.ldexp(weight, exponent[a["mentee"]].astype(np.int32)))
    key = a["skill"] * 256 + np.minimum(a["target"], 255)  # one column per (skill, target)
    pairs, column = np.unique(key, return_inverse=True)
    need = sp.csr_matrix((whole.astype(np.float32), (a["mentee"], column)), shape=(n_e, len(pairs)))
    covered = (a["level"][:, pairs // 256] >= (pairs % 256)[None, :]).T.astype(np.float32, order="C")
    return {"need": need, "covered": covered.reshape(len(pairs), n_m),
            "total": np.bincount(a["mentee"], weights=whole, minlength=n_e).astype(np.float32)}


def _got(ctx: ScoringContext, e: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Covered need (whole numbers, float32): a block ``[len(e), n_mentors]`` for 1-D ``e`` and ``m=None``,
    else one value per pair of equal-length ``e`` and ``m``."""
    a = ctx.memo("skill_matrix", lambda: _skill_matrix(ctx))
    if m is None:
        return (a["need"][e] @ a["covered"]).astype(np.float32, copy=False) if len(e) else \
            np.zeros((0, a["covered"].shape[1]), dtype=np.float32)
    need = a["need"]
    rows, at = spans(need.indptr[e], need.indptr[e + 1] - need.indptr[e])
    hit = need.data[at] * a["covered"][need.indices[at], m[rows]]
    return np.bincount(rows, weights=hit, minlength=len(e)).astype(np.float32)


def _skills(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    a = ctx.memo("skill_matrix", lambda: _skill_matrix(ctx))
    if _is_block(e, m):
        got = _got(ctx, e[:, 0], None)[:, m[0, :]]
        total = a["total"][e]
    else:
        ee, mm = np.broadcast_arrays(e, m)
        got = _got(ctx, ee.reshape(-1), mm.reshape(-1)).reshape(ee.shape)
        total = a["total"][ee]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, got / total, 0).astype(np.float32)


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


def _location_codes(ctx: ScoringContext) -> list[np.ndarray]:
    pool = ctx.pool
    return ctx.memo("location", lambda: _codes(text_column(pool.mentees, "location"),
                                               text_column(pool.mentors, "location")))


def _location(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    mentee, mentor = _location_codes(ctx)
    a, b = mentee[e], mentor[m]
    return ((a == b) & (a >= 0)).astype(np.float32)


def _hours_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(a - b) % 24
    return np.minimum(d, 24 - d)


def _timezone(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    f = ctx.facts
    value = 1 - _hours_apart(f.mentee_offset[e], f.mentor_offset[m]) / np.float32(12)
    return np.nan_to_num(np.clip(value, 0, 1), nan=0.0).astype(np.float32)


def _item_bits(pool: Pool, column: str = "languages") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each person's ``;``-separated items of ``column`` as bits (uint64 words) of ``names``: mentees, mentors,
    names."""
    sides = [_text_codes(frame, column) for frame in (pool.mentees, pool.mentors)]
    lists = [[_items(t) for t in values] for _, values in sides]  # each distinct cell parsed once
    names = sorted({x for side in lists for items in side for x in items})
    index = {x: i for i, x in enumerate(names)}
    words = max(1, -(-len(names) // 64))
    out = []
    for (codes, _), side in zip(sides, lists):
        bits = np.zeros((len(side), words), dtype=np.uint64)
        for row, items in enumerate(side):
            for x in items:
                bits[row, index[x] // 64] |= np.uint64(1) << np.uint64(index[x] % 64)
        out.append(bits[codes])
    return out[0], out[1], names


def _languages(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    mentee, mentor, _ = ctx.memo("languages", lambda: _item_bits(pool))
    shared = np.zeros(np.broadcast_shapes(e.shape, m.shape), dtype=bool)
    for word in range(mentee.shape[1]):
        shared |= (mentee[:, word][e] & mentor[:, word][m]) != 0
    return shared.astype(np.float32)


def _stated_codes(ctx: ScoringContext) -> dict:
    """``preferences.csv`` by distinct values: a code per row and the stripped values, for ``who``, ``whom`` and
    ``rank`` (a number, NaN when unreadable); read once per matching (the table may be millions of rows, of a few
    thousand distinct ids and ranks)."""
    def build() -> dict:
        table = ctx.tables.get("preferences")
        if table is None or not len(table):
            table = pd.DataFrame({"person_id": [], "ranks_person_id": [], "rank": []}, dtype=object)
        out = {}
        for name, column in (("who", "person_id"), ("whom", "ranks_person_id"), ("rank", "rank")):
            codes, values = _text_codes(table, column)
            if name == "rank":
                values = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
            out[name] = (codes, values)
        out["index"] = table.index
        return out

    return ctx.memo("stated_codes", build)


def stated_unknown(ctx: ScoringContext, known: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The rows of ``preferences.csv`` naming someone not in ``known`` (stripped person ids): for ``person_id``
    and ``ranks_person_id``, (row positions in the file, the values there)."""
    coded, out = _stated_codes(ctx), {}
    for column, key in (("person_id", "who"), ("ranks_person_id", "whom")):
        codes, values = coded[key]
        rows = np.flatnonzero(~pd.Index(values).isin(known)[codes]) if len(codes) else np.zeros(0, np.int64)
        out[column] = rows, values[codes[rows]]
    return out


def stated_positions(ctx: ScoringContext, by: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stated choices ``by`` the pool's mentees (about its mentors) or ``by`` its mentors (about its mentees):
    (ranker's row, ranked person's row, rank), in the file's order (rows naming anyone else, or without a rank,
    left out). Computed once per side."""
    def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rankers, ranked = ((ctx.facts.mentee_ids, ctx.facts.mentor_ids) if by == "mentee" else
                           (ctx.facts.mentor_ids, ctx.facts.mentee_ids))
        coded = _stated_codes(ctx)
        (who_codes, who_values), (whom_codes, whom_values) = coded["who"], coded["whom"]
        rank_codes, rank_values = coded["rank"]
        who = _positions(rankers, who_values)[who_codes] if len(who_codes) else np.zeros(0, np.int64)
        whom = _positions(ranked, whom_values)[whom_codes] if len(whom_codes) else np.zeros(0, np.int64)
        rank = rank_values[rank_codes] if len(rank_codes) else np.zeros(0)
        ok = (who >= 0) & (whom >= 0) & np.isfinite(rank)
        return who[ok], whom[ok], rank[ok]

    if by not in ("mentee", "mentor"):
        raise ValueError(f"by must be 'mentee' or 'mentor', not {by!r}")
    return ctx.memo(f"stated_by_{by}", build)


def _choice_scores(ctx: ScoringContext, by: str) -> pd.DataFrame:
    """Rows ``ranker``, ``ranked`` (row numbers) and ``value`` = 1 - p / L for each ranker's stated choices
    (p the place by rank, ties in the file's order, L the list's length)."""
    who, whom, rank = stated_positions(ctx, by)
    ordered = len(who) < 2 or bool(((who[1:] > who[:-1]) | ((who[1:] == who[:-1]) & (rank[1:] >= rank[:-1]))).all())
    if not ordered:  # by ranker, then rank; stable, so equal ranks keep the file's order
        order = np.lexsort((rank, who))
        who, whom = who[order], whom[order]
    starts = np.r_[0, np.flatnonzero(np.diff(who)) + 1] if len(who) else np.zeros(0, np.int64)
    lengths = np.diff(np.r_[starts, len(who)])
    position = np.arange(len(who)) - np.repeat(starts, lengths)
    return pd.DataFrame({"ranker": who, "ranked": whom,
                         "value": 1 - position / np.maximum(np.repeat(lengths, lengths), 1)})


def _preference_arrays(ctx: ScoringContext) -> dict:
    """The ranked pairs: ``mentee``, ``mentor`` (sorted by mentee, then mentor) and float32 ``value``."""
    f = ctx.facts
    sides = []
    if len(_stated_codes(ctx)["who"][0]):
        by_mentee = _choice_scores(ctx, "mentee")
        by_mentor = _choice_scores(ctx, "mentor")
        sides = [(by_mentee["ranker"], by_mentee["ranked"], by_mentee["value"]),
                 (by_mentor["ranked"], by_mentor["ranker"], by_mentor["value"])]
    e = np.concatenate([np.asarray(s[0], dtype=np.int64) for s in sides] or [np.zeros(0, np.int64)])
    m = np.concatenate([np.asarray(s[1], dtype=np.int64) for s in sides] or [np.zeros(0, np.int64)])
    value = np.concatenate([np.asarray(s[2], dtype=np.float32) for s in sides] or [np.zeros(0, np.float32)])
    n_mentors = max(len(f.mentor_ids), 1)
    key = e * n_mentors + m
    if len(f.mentee_ids) * n_mentors <= max(4 * len(key), 1 << 20):  # a pair's higher value, by a dense table
        table = np.zeros(len(f.mentee_ids) * n_mentors, dtype=np.float32)
        np.maximum.at(table, key, value)  # every value is above 0
        key = np.flatnonzero(table)
        return {"mentee": key // n_mentors, "mentor": key % n_mentors, "value": table[key]}
    order = np.argsort(key, kind="stable")  # or by sorting
    first = np.flatnonzero(np.r_[True, key[order][1:] != key[order][:-1]][:len(order)])
    keep = order[first]
    value = np.maximum.reduceat(value[order], first) if len(first) else value[keep]
    return {"mentee": e[keep], "mentor": m[keep], "value": value}


def _preferences(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    a = ctx.memo("preferences", lambda: _preference_arrays(ctx))
    wanted = np.asarray(e, dtype=np.int64) * max(pool.n_mentors, 1) + np.asarray(m, dtype=np.int64)
    keys = a["mentee"] * max(pool.n_mentors, 1) + a["mentor"]  # sorted
    at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    return np.where(keys[at] == wanted, a["value"][at], np.float32(0)) if len(keys) else \
        np.zeros(wanted.shape, dtype=np.float32)


def affinity_attributes(pool: Pool, design: ProgramDesign) -> tuple[str, ...]:
    """The sensitive columns affinity may read: none without opt-in, else the chosen ones the pool has."""
    exp = design.experience
    if not exp.sensitive_opt_in:
        return ()
    return tuple(a for a in exp.sensitive_attributes if a in pool.mentees.columns and a in pool.mentors.columns)


def _affinity_codes(ctx: ScoringContext) -> list[tuple[np.ndarray, np.ndarray]]:
    pool = ctx.pool
    return ctx.memo("affinity", lambda: [tuple(_codes(text_column(pool.mentees, a), text_column(pool.mentors, a)))
                                         for a in affinity_attributes(pool, ctx.design)])


def _affinity(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
    codes = _affinity_codes(ctx)
    equal = np.zeros(np.broadcast_shapes(e.shape, m.shape), dtype=np.float32)
    for mentee, mentor in codes:
        a = mentee[e]
        equal += (a == mentor[m]) & (a >= 0)
    return equal / np.float32(max(len(codes), 1))


# --------------------------------------------------------------------------
# Criteria the design declares (experience.custom_criteria)
# --------------------------------------------------------------------------


def _numbers(texts: Iterable[str]) -> np.ndarray:
    """Each (stripped) text as a float; NaN when blank or not a number."""
    return pd.to_numeric(pd.Series(list(texts), dtype=object), errors="coerce").to_numpy(dtype=float)


def _answer_items(texts: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A ``;``-separated answer column by distinct cells, flattened: (each row's cell code, each item's cell,
    its place in the cell, its text stripped); a blank cell has no items."""
    codes, uniques = pd.factorize(texts.to_numpy(dtype=object), use_na_sentinel=False)
    lists = [str(u).split(";") if str(u).strip() else [] for u in uniques]  # each distinct cell once
    count = np.array([len(x) for x in lists], dtype=np.int64)
    cell = np.repeat(np.arange(len(lists)), count)
    place = np.arange(len(cell)) - np.repeat(np.cumsum(count) - count, count)
    items = np.array([x.strip() for cell_items in lists for x in cell_items], dtype=object)
    return codes, cell, place, items


def _answers(frame: pd.DataFrame, spec: DesignCriterion) -> np.ndarray:
    """Float32 ``[rows, items]`` of one side's answers (NaN = not answered)."""
    if len(spec.columns) > 1:
        return np.stack([_numbers(text_column(frame, c)) for c in spec.columns], axis=1).astype(np.float32)
    codes, cell, place, items = _answer_items(text_column(frame, spec.columns[0]))
    table = np.full((int(codes.max(initial=-1)) + 1, int(place.max(initial=0)) + 1), np.nan, dtype=np.float32)
    table[cell, place] = _numbers(items)
    return table[codes].reshape(len(frame), -1)


def _non_number(frame: pd.DataFrame, column: str, listed: bool) -> tuple[str, str] | None:
    """(person id, text) of the first cell of ``column`` that is not a number (not ``;``-separated numbers if
    ``listed``; a blank item counts as not answered); ``None`` when every non-blank cell is."""
    texts = text_column(frame, column)
    if listed:
        codes, cell, _, items = _answer_items(texts)
        wrong = np.isnan(_numbers(items)) & (items != "")
        bad_cell = np.zeros(int(codes.max(initial=-1)) + 1, dtype=bool)
        bad_cell[cell[wrong]] = True
        bad = bad_cell[codes]
    else:
        bad = np.isnan(_numbers(texts)) & (texts != "").to_numpy()
    rows = np.flatnonzero(bad)
    if not len(rows):
        return None
    return text_column(frame, "person_id").iloc[rows[0]], texts.iloc[rows[0]]


def _sensitive_columns(design: ProgramDesign, marked: Iterable[str] = ()) -> tuple[set[str], set[str]]:
    """(columns treated as sensitive, those the design may read): the contract's sensitive people columns,
    the design's sensitive attributes and ``marked`` (a workspace's own list); the design may read its
    sensitive attributes only with ``sensitive_opt_in``."""
    exp = design.experience
    treated = set(TABLES["people"].sensitive_columns) | set(exp.sensitive_attributes) | set(marked)
    return treated, (set(exp.sensitive_attributes) if exp.sensitive_opt_in else set())


def design_criterion_problems(design: ProgramDesign, frames: Sequence[pd.DataFrame], *,
                              sensitive: Iterable[str] = ()) -> list[str]:
    """Why the design's own criteria cannot be scored on ``frames`` (the tables their columns are read from,
    e.g. the pool's mentees and mentors, or people and enrolment), one message each naming the program and
    the column: a column none of the frames has, a sensitive column (``sensitive``: a workspace's sensitive
    columns, besides the contract's and the design's) without the design's opt-in, text where a distance or
    similarity needs numbers. Empty when all can be scored."""
    treated, allowed = _sensitive_columns(design, sensitive)
    problems = []
    for spec in design.experience.custom_criteria:
        where = f"Program {design.name!r}: criterion {spec.name!r}"
        for column in spec.columns:
            having = [f for f in frames if column in f.columns]
            if column in treated and column not in allowed:
                problems.append(f"{where} reads {column!r}, a sensitive column: that needs the design's opt-in to "
                                f"sensitive data (sensitive_opt_in) with {column!r} among its sensitive attributes.")
            elif not having:
                problems.append(f"{where} reads column {column!r}, which neither the enrolment nor people.csv has.")
            elif spec.kind in ("distance", "similarity"):
                listed = spec.kind == "similarity" and len(spec.columns) == 1
                found = next(filter(None, (_non_number(f, column, listed) for f in having)), None)
                if found is not None:
                    what = "numbers separated by ;" if listed else "numbers"
                    problems.append(f"{where} ({spec.kind}) needs {what} in column {column!r}, but person "
                                    f"{found[0] or '(no id)'} has {found[1]!r}.")
    return problems


def _declared_values(ctx: ScoringContext, spec: DesignCriterion):
    """What a declared criterion compares, per side: codes (same/different), item bits (shared items),
    numbers (distance) or answer tables (similarity)."""
    pool = ctx.pool
    if spec.kind in ("same", "different"):
        return _codes(text_column(pool.mentees, spec.columns[0]), text_column(pool.mentors, spec.columns[0]))
    if spec.kind == "shared_items":
        return _item_bits(pool, spec.columns[0])
    if spec.kind == "distance":
        return [_numbers(text_column(f, spec.columns[0])).astype(np.float32) for f in (pool.mentees, pool.mentors)]
    mentee, mentor = (_answers(f, spec) for f in (pool.mentees, pool.mentors))
    width = max(mentee.shape[1], mentor.shape[1])
    return [np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=np.nan) for a in (mentee, mentor)]


def declared_criterion(spec: DesignCriterion) -> Criterion:
    """The scoring function of a criterion the design declares (formulas: :class:`DesignCriterion`)."""
    def score(pool: Pool, e: np.ndarray, m: np.ndarray, ctx: ScoringContext) -> np.ndarray:
        a, b = ctx.memo(f"declared:{spec.name}", lambda: _declared_values(ctx, spec))[:2]
        shape = np.broadcast_shapes(e.shape, m.shape)
        if spec.kind == "same":
            x = a[e]
            return ((x == b[m]) & (x >= 0)).astype(np.float32)
        if spec.kind == "different":
            x, y = a[e], b[m]
            return ((x != y) & (x >= 0) & (y >= 0)).astype(np.float32)
        if spec.kind == "shared_items":
            shared = np.zeros(shape, dtype=np.float32)
            for word in range(a.shape[1]):
                shared += np.bitwise_count(a[:, word][e] & b[:, word][m])
            count_a, count_b = np.bitwise_count(a).sum(axis=1), np.bitwise_count(b).sum(axis=1)
            shorter = np.minimum(count_a[e], count_b[m]).astype(np.float32)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(shorter > 0, shared / shorter, 0).astype(np.float32)
        scale = np.float32(spec.scale)
        if spec.kind == "distance":
            value = 1 - np.abs(a[e] - b[m]) / scale
            return np.nan_to_num(np.clip(value, 0, 1), nan=0.0).astype(np.float32)
        total, count = np.zeros(shape, dtype=np.float32), np.zeros(shape, dtype=np.float32)
        for k in range(a.shape[1]):
            gap = np.minimum(np.abs(a[:, k][e] - b[:, k][m]) / scale, 1)
            answered = ~np.isnan(gap)
            total += np.where(answered, gap, 0)
            count += answered
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, 1 - total / count, 0).astype(np.float32)

    return score


def _declared_phrase(ctx: ScoringContext, spec: DesignCriterion, i: int, j: int, value: float) -> str:
    """A declared criterion's value for mentee ``i`` and mentor ``j`` in words."""
    title, pool, column = spec.title, ctx.pool, spec.columns[0]
    texts = ctx.memo(f"texts:{column}", lambda: [text_column(f, column).to_numpy() for f in (pool.mentees,
                                                                                         pool.mentors)])
    mentee, mentor = texts[0][i], texts[1][j]
    if spec.kind in ("same", "different", "distance") and not (mentee and mentor):
        return f"{title}: unknown"
    if spec.kind in ("same", "different"):
        return f"{title}: same ({mentee})" if mentee == mentor else f"{title}: different ({mentee} / {mentor})"
    if spec.kind == "shared_items":
        shared = sorted(set(_items(mentee)) & set(_items(mentor)))
        if not shared:
            return f"{title}: none in common"
        more = ", ..." if len(shared) > 3 else ""
        return f"{title}: {len(shared)} in common ({', '.join(shared[:3])}{more})"
    if spec.kind == "distance":
        return f"{title}: {mentee} and {mentor}, {abs(float(mentee) - float(mentor)):g} apart"
    a, b = ctx.memo(f"declared:{spec.name}", lambda: _declared_values(ctx, spec))[:2]
    both = int((~np.isnan(a[i]) & ~np.isnan(b[j])).sum())
    if not both:
        return f"{title}: no answers to compare"
    return f"{title}: {value:.0%} alike over {both} item{'s' if both != 1 else ''}"


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
# Types: people alike in everything a criterion or rule reads
# --------------------------------------------------------------------------

#: The facts each built-in criterion reads besides the skills and preferences (see :func:`_key_codes`).
_KEYS = {"seniority": ("level",), "department": ("department",), "location": ("location",),
         "timezone": ("offset",), "languages": ("languages",), "affinity": ("affinity",)}


def _dense(columns: Iterable[np.ndarray], n: int) -> np.ndarray:
    """One code per distinct row of the given code columns (each of length ``n``), 0 .. distinct - 1."""
    code = np.zeros(n, dtype=np.int64)
    for column in columns:
        _, column = np.unique(column, return_inverse=True)
        _, code = np.unique(code * (int(column.max(initial=0)) + 1) + column.reshape(-1), return_inverse=True)
    return code.reshape(-1)


def _key_codes(ctx: ScoringContext, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes per mentee and per mentor of one fact (``level``, ``department``, ``offset``, ``functional``,
    ``location``, ``languages``, ``affinity``, ``declared:<name>`` for a design's own criterion): people with equal
    codes have equal values of it."""
    f, n, total = ctx.facts, ctx.pool.n_mentees, ctx.pool.n_mentees + ctx.pool.n_mentors
    if key in ("level", "department", "offset", "functional"):
        code = _dense([np.concatenate([getattr(f, f"mentee_{key}"), getattr(f, f"mentor_{key}")])], total)
    elif key == "location":
        code = _dense([np.concatenate(_location_codes(ctx))], total)
    elif key == "languages":
        mentee, mentor, _ = ctx.memo("languages", lambda: _item_bits(ctx.pool))
        code = _dense(np.concatenate([mentee, mentor]).T, total)
    elif key.startswith("declared:"):  # a design's own criterion: people alike in what it compares
        spec = next(c for c in ctx.design.experience.custom_criteria if f"declared:{c.name}" == key)
        mentee, mentor = ctx.memo(key, lambda: _declared_values(ctx, spec))[:2]
        both = np.concatenate([mentee, mentor])
        code = _dense(both.reshape(total, -1).T, total)
    else:
        code = _dense([np.concatenate(pair) for pair in _affinity_codes(ctx)], total)
    return code[:n], code[n:]


# --------------------------------------------------------------------------
# The scorer
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _TypeTable:
    """Some criteria (weighted, summed) and type rules (-inf where one forbids) per mentee type x mentor type."""

    criteria: tuple[str, ...]
    rules: tuple[Rule, ...]
    mentee: np.ndarray  # each mentee's type
    mentor: np.ndarray  # each mentor's type
    values: np.ndarray  # float32 [mentee types, mentor types]
    allowed: np.ndarray  # bool, where values are finite


@dataclass(frozen=True, eq=False)
class _Plan:
    """How :meth:`PairScorer.block` adds up a pair's score; weights are shares of the total weight (float32)."""

    share: dict[str, np.float32]
    skill_factor: np.ndarray | None  # float32 per mentee: skills share / the mentee's whole-number need total
    tables: tuple[_TypeTable, ...]
    direct: tuple[str, ...]  # criteria evaluated pair by pair
    direct_rules: tuple[Rule, ...]  # type rules too varied for a table
    preferences: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # mentee, mentor (sorted), share x value
    excluded: tuple[np.ndarray, np.ndarray]  # person rules and forbidden overrides, sorted by mentee, mentor
    pins: tuple[np.ndarray, np.ndarray, np.ndarray]  # mentee, mentor (sorted), finite score


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
    """Scores mentor-mentee pairs of ``pool`` under ``design``: per criterion, in total, block by block.

    A block is the sum of a few arrays: the skills criterion as one exact
    product of need and cover matrices (:func:`_skill_matrix`), the criteria
    and rules that depend only on people's types (level, department, time
    zone, location, languages, affinity attributes, the values a design's own criteria
    compare) looked up in small tables
    of type x type values, the ranked pairs of ``preferences.csv`` added where
    they are, and the person rules (self, line manager, management chain) and
    overrides set on their few pairs. :meth:`criteria` adds up the same values
    in the same order, so its ``score`` equals the block's exactly.
    """

    def __init__(self, pool: Pool, tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *,
                 extra_weights: Mapping[str, float] | None = None, overrides: Overrides | None = None) -> None:
        self.pool = pool
        self.design = design
        self.n_mentees = pool.n_mentees
        self.n_mentors = pool.n_mentors
        self.context = ScoringContext(pool, tables, design)
        self.declared = {c.name: c for c in design.experience.custom_criteria}
        registered = sorted(self.declared.keys() & CRITERIA.keys())
        if registered:
            raise WorkbenchError(f"Program {design.name!r}: criterion {registered[0]!r} is declared in the design "
                                 "and also registered from Python; rename one of them.")
        problems = design_criterion_problems(design, (pool.mentees, pool.mentors))
        if problems:
            raise WorkbenchError("\n".join(problems))
        self._functions = {**CRITERIA, **{name: declared_criterion(c) for name, c in self.declared.items()}}
        weights = {name: float(w) for name, w in design.experience.criteria.items()}
        weights.update({name: float(c.weight) for name, c in self.declared.items()})
        for name, w in (extra_weights or {}).items():
            if name not in self._functions:
                raise WorkbenchError(f"Unknown criterion {name!r}; known: {', '.join(self._functions)}.")
            if not np.isfinite(w) or w < 0:
                raise WorkbenchError(f"The weight of {name!r} must be a number of 0 or more, not {w!r}.")
            weights[name] = float(w)
        if not affinity_attributes(pool, design):
            weights.pop("affinity", None)
        self.weights: dict[str, float] = {n: weights[n] for n in self._functions if weights.get(n, 0) > 0}
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
        ordered = sorted(((mentee[a], mentor[b]) for a, b in pairs))
        return pairs, (np.array([a for a, _ in ordered], dtype=np.int64),
                       np.array([b for _, b in ordered], dtype=np.int64))

    @property
    def criterion_names(self) -> list[str]:
        """The criteria in use (weight above 0), in registry order."""
        return list(self.weights)

    def _criterion(self, name: str, e: np.ndarray, m: np.ndarray) -> np.ndarray:
        shape = np.broadcast_shapes(e.shape, m.shape)
        value = np.broadcast_to(np.asarray(self._functions[name](self.pool, e, m, self.context),
                                           dtype=np.float32), shape)
        if name not in _BUILT_IN and value.size and not (np.isfinite(value).all() and value.min() >= 0
                                                         and value.max() <= 1):
            raise ValueError(f"Criterion {name!r} gave values outside [0, 1].")
        return value

    # ------------------------------------------------------------------ the plan

    def _plan(self) -> _Plan:
        return self.context.memo("plan", self._make_plan)

    def _rules(self) -> list[Rule]:
        return self.context.memo("rules", lambda: hard_rules(self.pool, self.design))

    def _make_plan(self) -> _Plan:
        total = sum(self.weights.values())
        share = {name: np.float32(w / total) for name, w in self.weights.items()}
        factor = None
        if "skills" in share:
            need = self.context.memo("skill_matrix", lambda: _skill_matrix(self.context))["total"]
            factor = np.zeros(self.n_mentees, dtype=np.float32)
            factor[need > 0] = float(share["skills"]) / need[need > 0].astype(np.float64)
        rules = self._rules()
        typed = [name for name in share if name in _KEYS or name in self.declared]
        parts = typed + [r for r in rules if r.pair is not None]
        tables, direct, direct_rules = self._tables(parts, share)
        direct += [name for name in share if name not in typed and name not in ("skills", "preferences")]
        preferences = None
        if "preferences" in share:
            a = self.context.memo("preferences", lambda: _preference_arrays(self.context))
            preferences = (a["mentee"], a["mentor"], share["preferences"] * a["value"])
        person = [r.excluded for r in rules if r.excluded is not None] + [self._forbid_at]
        key = np.unique(np.concatenate([e * max(self.n_mentors, 1) + m for e, m in person]))
        plan = _Plan(share, factor, tuple(tables), tuple(direct), tuple(direct_rules), preferences,
                     (key // max(self.n_mentors, 1), key % max(self.n_mentors, 1)),
                     (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)))
        pin_e, pin_m = self._pin_at
        return replace(plan, pins=(pin_e, pin_m, self._pair_total(plan, pin_e, pin_m, masked=False)))

    def _tables(self, parts: list, share: dict) -> tuple[list[_TypeTable], list[str], list[Rule]]:
        """Group criteria and type rules into type tables of at most :data:`TYPE_CELLS` cells each."""
        codes = {}

        def types(keys: set[str]) -> tuple[np.ndarray, np.ndarray, int]:
            for key in keys - codes.keys():
                codes[key] = _key_codes(self.context, key)
            e = _dense([codes[k][0] for k in sorted(keys)], self.n_mentees)
            m = _dense([codes[k][1] for k in sorted(keys)], self.n_mentors)
            return e, m, (int(e.max(initial=0)) + 1) * (int(m.max(initial=0)) + 1)

        groups: list[tuple[list, set[str], np.ndarray, np.ndarray]] = []
        direct, direct_rules = [], []
        for part in parts:
            keys = set((_KEYS.get(part) or (f"declared:{part}",)) if isinstance(part, str) else part.keys)
            if groups:
                e, m, cells = types(groups[-1][1] | keys)
                if cells <= TYPE_CELLS:
                    groups[-1] = (groups[-1][0] + [part], groups[-1][1] | keys, e, m)
                    continue
            e, m, cells = types(keys)
            if cells <= TYPE_CELLS:
                groups.append(([part], keys, e, m))
            elif isinstance(part, str):
                direct.append(part)
            else:
                direct_rules.append(part)
        tables = []
        for group, _, e, m in groups:
            rep_e = np.unique(e, return_index=True)[1]
            rep_m = np.unique(m, return_index=True)[1]
            names = tuple(p for p in group if isinstance(p, str))
            rules = tuple(p for p in group if not isinstance(p, str))
            values = self._type_values(names, rules, share, rep_e[:, None], rep_m[None, :], masked=True)
            values = np.broadcast_to(values, (len(rep_e), len(rep_m))).copy()
            tables.append(_TypeTable(names, rules, e, m, values, np.isfinite(values)))
        return tables, direct, direct_rules

    def _type_values(self, names, rules, share, e: np.ndarray, m: np.ndarray, *, masked: bool) -> np.ndarray:
        """Sum of ``share x criterion`` over ``names`` (in order), -inf where one of ``rules`` forbids if ``masked``."""
        total = np.zeros(np.broadcast_shapes(e.shape, m.shape), dtype=np.float32)
        for name in names:
            total += share[name] * self._criterion(name, e, m)
        if masked:
            for rule in rules:
                total[~np.broadcast_to(rule.pair(e, m), total.shape)] = -np.inf
        return total

    def _pair_total(self, plan: _Plan, e: np.ndarray, m: np.ndarray, *, masked: bool = True) -> np.ndarray:
        """The score of each pair ``(e[k], m[k])`` as :meth:`block` computes it (without any rule if not ``masked``)."""
        total = np.zeros(len(e), dtype=np.float32)
        if plan.skill_factor is not None:
            total = _got(self.context, e, m) * plan.skill_factor[e]
        for table in plan.tables:
            if masked:
                total += table.values[table.mentee[e], table.mentor[m]]
            else:
                total += self._type_values(table.criteria, (), plan.share, e, m, masked=False)
        for name in plan.direct:
            total += plan.share[name] * self._criterion(name, e, m)
        if plan.preferences is not None:
            total += _preferences(self.pool, e, m, self.context) * plan.share["preferences"]
        np.minimum(total, 1, out=total)
        if masked:
            total[~self._pair_allowed(plan, e, m)] = -np.inf
            pinned = is_pair(plan.pins[:2], e, m, self.n_mentors)
            total[pinned] = plan.pins[2][np.searchsorted(plan.pins[0] * max(self.n_mentors, 1) + plan.pins[1],
                                                         e[pinned] * max(self.n_mentors, 1) + m[pinned])]
        return total

    def _pair_allowed(self, plan: _Plan, e: np.ndarray, m: np.ndarray) -> np.ndarray:
        ok = ~is_pair(plan.excluded, e, m, self.n_mentors)
        for table in plan.tables:
            ok &= table.allowed[table.mentee[e], table.mentor[m]]
        for rule in plan.direct_rules:
            ok &= rule.allows(e, m)
        return ok | is_pair(plan.pins[:2], e, m, self.n_mentors)

    # ------------------------------------------------------------------ blocks and pairs

    def allowed(self, mentees: np.ndarray) -> np.ndarray:
        """Bool ``[len(mentees), n_mentors]``: the hard rules, then pinned pairs allowed, forbidden pairs not."""
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        plan = self._plan()
        result = np.ones((len(e), self.n_mentors), dtype=bool)
        for start in range(0, len(e), BLOCK_ROWS):  # a block of rows at a time: no other array as large
            rows, part = e[start:start + BLOCK_ROWS], result[start:start + BLOCK_ROWS]
            for table in plan.tables:
                part &= np.take(table.allowed[table.mentee[rows]], table.mentor, axis=1)
            for rule in plan.direct_rules:
                part &= rule.test(rows)
        self._set_pairs(result, e, plan.excluded, False)
        self._set_pairs(result, e, plan.pins[:2], True)
        return result

    def allowed_counts(self, mentees: np.ndarray, mentors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """How many pairs :meth:`allowed` allows: per mentee of ``mentees`` (distinct indices), the allowed
        mentors among ``mentors`` (a bool mask; all when ``None``); per mentor, the allowed mentees among
        ``mentees``.

        Counted from the type tables (type x type counts, then the few person-rule, forbidden and pinned
        pairs corrected one by one) when the rules fit one table, else a block of rows at a time.
        """
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        columns = np.ones(self.n_mentors, dtype=bool) if mentors is None else np.asarray(mentors, dtype=bool)
        plan = self._plan()
        if plan.direct_rules or len(plan.tables) > 1:
            per_mentee, per_mentor = np.zeros(len(e), dtype=np.int64), np.zeros(self.n_mentors, dtype=np.int64)
            for start in range(0, len(e), BLOCK_ROWS):
                block = self.allowed(e[start:start + BLOCK_ROWS])
                per_mentee[start:start + BLOCK_ROWS] = np.count_nonzero(block & columns[None, :], axis=1)
                per_mentor += np.count_nonzero(block, axis=0)
            return per_mentee, per_mentor
        if plan.tables:
            table = plan.tables[0]
            type_e, type_m, allowed = table.mentee, table.mentor, table.allowed.astype(np.int64)
        else:
            type_e, type_m = np.zeros(self.n_mentees, np.int64), np.zeros(self.n_mentors, np.int64)
            allowed = np.ones((1, 1), dtype=np.int64)
        per_mentee = (allowed @ np.bincount(type_m[columns], minlength=allowed.shape[1]))[type_e[e]]
        per_mentor = (np.bincount(type_e[e], minlength=allowed.shape[0]) @ allowed)[type_m]
        # the pairs set one by one: allowed when pinned, else as the table says unless a person rule or an
        # administrator excludes them
        key = np.unique(np.r_[plan.excluded[0] * self.n_mentors + plan.excluded[1],
                              plan.pins[0] * self.n_mentors + plan.pins[1]]).astype(np.int64)
        pe, pm = key // max(self.n_mentors, 1), key % max(self.n_mentors, 1)
        position = np.full(self.n_mentees, -1, dtype=np.int64)
        position[e] = np.arange(len(e))
        inside = position[pe] >= 0
        pe, pm = pe[inside], pm[inside]
        base = allowed[type_e[pe], type_m[pm]].astype(bool)
        final = is_pair(plan.pins[:2], pe, pm, self.n_mentors) | (base & ~is_pair(plan.excluded, pe, pm,
                                                                                   self.n_mentors))
        change = final.astype(np.int64) - base
        np.add.at(per_mentee, position[pe], np.where(columns[pm], change, 0))
        np.add.at(per_mentor, pm, change)
        return per_mentee, per_mentor

    @staticmethod
    def _set_pairs(block: np.ndarray, e: np.ndarray, pairs, value) -> None:
        rows, at = rows_of(pairs[0], e)
        block[rows, pairs[1][at]] = value if np.ndim(value) == 0 else value[at]

    def block(self, mentees: np.ndarray) -> np.ndarray:
        """Float32 ``[len(mentees), n_mentors]``: total score where allowed, ``-inf`` where forbidden."""
        e = np.asarray(mentees, dtype=np.int64).reshape(-1)
        plan = self._plan()
        if plan.skill_factor is not None:
            total = _got(self.context, e, None)
            total *= plan.skill_factor[e][:, None]
        else:
            total = np.zeros((len(e), self.n_mentors), dtype=np.float32)
        for table in plan.tables:
            total += np.take(table.values[table.mentee[e]], table.mentor, axis=1)
        m = np.arange(self.n_mentors)[None, :]
        for name in plan.direct:
            total += plan.share[name] * self._criterion(name, e[:, None], m)
        for rule in plan.direct_rules:
            total[~rule.test(e)] = -np.inf
        if plan.preferences is not None:
            rows, at = rows_of(plan.preferences[0], e)
            total[rows, plan.preferences[1][at]] += plan.preferences[2][at]
        np.minimum(total, 1, out=total)
        self._set_pairs(total, e, plan.excluded, -np.inf)
        self._set_pairs(total, e, plan.pins[:2], plan.pins[2])
        return total

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        """Float32 score of each pair ``(mentees[k], mentors[k])``, exactly as :meth:`block` gives it (``-inf`` where
        forbidden): for a few pairs without scoring whole rows."""
        e, m = (np.asarray(x, dtype=np.int64).reshape(-1) for x in (mentees, mentors))
        return self._pair_total(self._plan(), e, m)

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
        plan = self._plan()
        columns = {"mentee_id": f.mentee_ids[e], "mentor_id": f.mentor_ids[m]}
        for name in self.weights:
            columns[name] = self._criterion(name, e, m)
        columns["allowed"] = self._pair_allowed(plan, e, m)
        columns["score"] = self._pair_total(plan, e, m)
        return pd.DataFrame(columns)

    # ------------------------------------------------------------------ explanations

    def explain(self, mentee_idx: np.ndarray, mentor_idx: np.ndarray) -> list[str]:
        """One plain-English line per pair: why it scores as it does (and what forbids it, if anything)."""
        table = self.criteria(mentee_idx, mentor_idx)
        e = np.asarray(mentee_idx, dtype=np.int64).reshape(-1)
        m = np.asarray(mentor_idx, dtype=np.int64).reshape(-1)
        allowed, score = table["allowed"].to_numpy(), table["score"].to_numpy()
        values = {name: table[name].to_numpy() for name in self.weights}
        lines = []
        for k in range(len(table)):
            i, j = int(e[k]), int(m[k])
            parts = []
            if not allowed[k]:
                parts.append("Not allowed (" + ", ".join(self._blockers(i, j)) + ")")
            parts += [self._phrase(name, i, j, float(values[name][k])) for name in self.weights]
            parts.append(f"score {score[k]:.2f}" if allowed[k] else "score -inf")
            text = "; ".join(parts)
            lines.append(text[:1].upper() + text[1:])
        return lines

    def _blockers(self, i: int, j: int) -> list[str]:
        pair = (self.context.facts.mentee_ids[i], self.context.facts.mentor_ids[j])
        if pair in self.forbidden:
            return ["forbidden by an administrator"]
        e, m = np.array([i]), np.array([j])
        return [rule.name.replace("_", " ") for rule in self._rules() if not rule.allows(e, m)[0]]

    def _words(self) -> dict:
        """Text the explanations quote: mentor locations, both sides' languages, skill names."""
        names = skill_names(self.context.tables)
        return {"location": text_column(self.pool.mentors, "location").to_numpy(),
                "mentee_languages": text_column(self.pool.mentees, "languages").to_numpy(),
                "mentor_languages": text_column(self.pool.mentors, "languages").to_numpy(),
                "skill_names": names}

    def _phrase(self, name: str, i: int, j: int, value: float) -> str:
        f, exp, ctx = self.context.facts, self.design.experience, self.context
        words = ctx.memo("words", self._words)
        if name == "skills":
            a = ctx.memo("skill_needs", lambda: _skill_needs(ctx))
            needed = slice(a["start"][i], a["start"][i + 1])
            if needed.start == needed.stop:
                return "no skill needs recorded"
            skill = a["skill"][needed]
            hit = a["level"][j, skill] >= np.minimum(a["target"][needed], 255)
            shown = [words["skill_names"].get(a["skills"][s]) or a["skills"][s] for s in skill[hit][:3]]
            more = ", ..." if hit.sum() > 3 else ""
            listed = f" ({', '.join(shown)}{more})" if shown else ""
            return f"covers {int(hit.sum())} of {len(skill)} needed skills{listed}"
        if name == "seniority":
            gap = f.mentor_level[j] - f.mentee_level[i]
            if np.isnan(gap):
                return "level unknown"
            gap = int(gap)
            numbers = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
            if gap == 0:
                text = "same level"
            else:
                count = numbers.get(abs(gap), str(abs(gap)))
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
            return f"same location ({words['location'][j]})" if value >= 1 else "different location"
        if name == "timezone":
            d = _hours_apart(f.mentee_offset[i], f.mentor_offset[j])
            if np.isnan(d):
                return "time zone unknown"
            if d == 0:
                return "same time zone"
            band = "same time zone band, " if d <= 3 else ""
            return f"{band}{d:g} hour{'s' if d != 1 else ''} apart"
        if name == "languages":
            mentee = set(_items(words["mentee_languages"][i]))
            shared = sorted(mentee & set(_items(words["mentor_languages"][j])))
            return f"shares {', '.join(shared)}" if shared else "no common language"
        if name == "preferences":
            return "a ranked choice" + (" (first choice)" if value >= 1 else "") if value > 0 else "not ranked"
        if name == "affinity":
            n = len(affinity_attributes(self.pool, self.design))
            return f"shares {round(value * n)} of {n} chosen attributes"
        if name in self.declared:
            return _declared_phrase(ctx, self.declared[name], i, j, value)
        return f"{name} {value:.2f}"
