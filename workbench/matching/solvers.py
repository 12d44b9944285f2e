"""Matching solvers: who mentors whom, under mentor capacities.

Every solver is a pure function of a *score source* and the mentors'
capacities and returns an :class:`Assignment`. A score source is anything
with ``n_mentees``, ``n_mentors`` and ``block(mentees)`` returning a float32
``[len(mentees), n_mentors]`` array: the score in ``[0, 1]`` where the pair is
allowed, ``-inf`` where it is forbidden (:class:`ScoreSource`;
:class:`DenseScores` wraps a matrix). Solvers pull scores block by block, so a
source may compute them on demand.

The methods
-----------
* :func:`solve_optimal` maximises ``sum(1 + score)`` over matched pairs: the
  number of matched mentees plus the total score. Every allowed pair gains
  more than staying unmatched, so a mentee is left unmatched only when none of
  its allowed mentors has capacity left (the matching is *maximal*), and among
  such matchings the total score is as high as it can be. It is not always
  the *maximum*-cardinality matching: three pairs of score 0 may lose to two
  pairs of score 1 (``3 < 4``). :func:`solve_max_coverage` matches as many
  mentees as possible first, then maximises the total score.
* Both exact methods solve a min-cost flow (OR-Tools ``SimpleMinCostFlow``) on
  a sparse candidate graph of the ``k`` best mentors per mentee (mentor
  capacity on the mentor-to-sink arc, a zero-gain bypass arc per mentee), then
  *prove* optimality on the full problem: node potentials of the optimal flow
  give LP duals ``u`` (mentee) and ``v`` (mentor), and every pair of the full
  score source is scanned for a positive reduced gain ``gain - u - v``. Such
  pairs (up to ``k`` per mentee, most violating first) join the graph and the
  flow is solved again, until no pair violates; the duals' objective then
  equals the matching's, which certifies it. Top-k alone can silently lose
  most of the optimum when some mentors are attractive to everyone; the proof
  loop cannot. Gains are integers ``round(gain / tol)`` (``tol=1e-6``: scores
  in steps of 10^-6); the optimum is exact for those integers.
* :func:`solve_fair` maximises the worst matched score among maximum-cardinality
  matchings, then the total score.
* :func:`solve_greedy` takes the highest-scoring pairs first (ties: lower
  mentee, then lower mentor index).
* :func:`solve_stable` is mentee-proposing deferred acceptance with capacities:
  the mentee-optimal stable matching. With preferences from one score on both
  sides it equals the greedy matching (the same code computes both).
* :func:`solve_random` and :func:`solve_mentee_choice` model matching without
  a matcher: random allowed mentors, and first-come-first-served self-service.

``pinned`` pairs (exact methods) are fixed before solving: the mentor's
capacity is reduced, the mentee removed from the problem, and the pair is kept
as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

__all__ = [
    "Assignment",
    "DenseScores",
    "ScoreSource",
    "blocking_pairs",
    "solve_fair",
    "solve_greedy",
    "solve_max_coverage",
    "solve_mentee_choice",
    "solve_optimal",
    "solve_random",
    "solve_stable",
    "total_score",
]

BLOCK_CELLS = 1 << 22  # scores pulled per block (rows x mentors)


class ScoreSource(Protocol):
    """Scores of mentee-mentor pairs, served in blocks of mentees."""

    n_mentees: int
    n_mentors: int

    def block(self, mentees: np.ndarray) -> np.ndarray:
        """float32 ``[len(mentees), n_mentors]``: score in [0, 1], ``-inf`` where forbidden."""
        ...


class DenseScores:
    """A :class:`ScoreSource` over a whole matrix held in memory."""

    def __init__(self, matrix: np.ndarray) -> None:
        m = np.array(matrix, dtype=np.float32, copy=True)
        if m.ndim != 2:
            raise ValueError("scores must be a 2-d array [mentees, mentors]")
        finite = np.isfinite(m)
        if np.isnan(m).any() or (m[~finite] > 0).any():
            raise ValueError("scores must be finite or -inf (forbidden)")
        if finite.any() and (m[finite].min() < 0 or m[finite].max() > 1):
            raise ValueError("allowed scores must lie in [0, 1]")
        m.setflags(write=False)
        self.matrix = m
        self.n_mentees, self.n_mentors = m.shape

    def block(self, mentees: np.ndarray) -> np.ndarray:
        return self.matrix[np.asarray(mentees, dtype=np.int64)]


@dataclass(frozen=True)
class Assignment:
    """Who mentors whom: ``mentor_of[i]`` is mentee i's mentor (-1 unmatched) and ``score[i]`` its score."""

    mentor_of: np.ndarray
    score: np.ndarray
    method: str
    proof: dict = field(default_factory=dict)

    @property
    def n_matched(self) -> int:
        return int((self.mentor_of >= 0).sum())


def total_score(assignment: Assignment) -> float:
    """Sum of the matched pairs' scores."""
    return float(np.nansum(assignment.score.astype(np.float64)))


# ----------------------------------------------------------------------------- helpers


def _capacity(scores: ScoreSource, capacity) -> np.ndarray:
    cap = np.asarray(capacity, dtype=np.int64)
    if cap.shape != (scores.n_mentors,):
        raise ValueError(f"capacity must have one entry per mentor ({scores.n_mentors})")
    if (cap < 0).any():
        raise ValueError("capacities must be >= 0")
    return cap.copy()


def _blocks(rows: np.ndarray, n_mentors: int):
    size = max(1, BLOCK_CELLS // max(1, n_mentors))
    for start in range(0, len(rows), size):
        yield start, rows[start:start + size]


def _result(scores: ScoreSource, mentor_of: np.ndarray, method: str, proof: dict | None = None) -> Assignment:
    mentor_of = np.asarray(mentor_of, dtype=np.int64)
    score = np.full(len(mentor_of), np.nan, dtype=np.float32)
    rows = np.flatnonzero(mentor_of >= 0)
    for _, chunk in _blocks(rows, scores.n_mentors):
        block = scores.block(chunk)
        score[chunk] = block[np.arange(len(chunk)), mentor_of[chunk]]
    if not np.isfinite(score[rows]).all():
        raise RuntimeError("a solver used a forbidden pair")
    mentor_of.setflags(write=False)
    score.setflags(write=False)
    return Assignment(mentor_of=mentor_of, score=score, method=method, proof=proof or {})


def _pin(scores: ScoreSource, cap: np.ndarray, pinned: Sequence[tuple[int, int]]):
    """Apply pinned pairs: (mentor_of with pins, free mentee rows, remaining capacity)."""
    mentor_of = np.full(scores.n_mentees, -1, dtype=np.int64)
    remaining = cap.copy()
    pins = np.asarray(list(pinned), dtype=np.int64).reshape(-1, 2)
    if len(pins):
        i, j = pins[:, 0], pins[:, 1]
        if (i < 0).any() or (i >= scores.n_mentees).any() or (j < 0).any() or (j >= scores.n_mentors).any():
            raise ValueError("pinned pair out of range")
        if len(np.unique(i)) != len(i):
            raise ValueError("a mentee is pinned twice")
        if not np.isfinite(scores.block(i)[np.arange(len(i)), j]).all():
            raise ValueError("a pinned pair is forbidden")
        np.subtract.at(remaining, j, 1)
        if (remaining < 0).any():
            raise ValueError("pinned pairs exceed a mentor's capacity")
        mentor_of[i] = j
    return mentor_of, np.flatnonzero(mentor_of < 0), remaining


def _int_gain(block: np.ndarray, base: int, scale: float) -> np.ndarray:
    """Integer gains of a score block (meaningless where the pair is forbidden)."""
    s = np.where(np.isfinite(block), block, 0).astype(np.float64)
    return base + np.rint(s * scale).astype(np.int64)


def _potentials(n_nodes: int, src: np.ndarray, dst: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Shortest distances from a virtual root joined to every node (Bellman-Ford, vectorised)."""
    order = np.argsort(dst, kind="stable")
    src, dst, cost = src[order], dst[order], cost[order]
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    heads = dst[starts]
    d = np.zeros(n_nodes, dtype=np.int64)
    for _ in range(n_nodes + 1):
        best = np.minimum.reduceat(d[src] + cost, starts)
        better = best < d[heads]
        if not better.any():
            return d
        d[heads[better]] = best[better]
    raise RuntimeError("negative cycle in the residual graph: the flow is not optimal")


def _exact(scores: ScoreSource, rows: np.ndarray, cap: np.ndarray, base: int, k: int, tol: float):
    """Max-gain b-matching of mentees ``rows`` (gain = base + score/tol, integers) with the dual proof."""
    scale = float(round(1.0 / tol))
    n, m = len(rows), scores.n_mentors
    open_ = cap > 0
    result = np.full(n, -1, dtype=np.int64)
    proof = {"optimal": True, "candidates": int(k), "pairs_added": 0, "rounds": 0, "max_reduced_gain": 0.0,
             "objective": 0, "dual_bound": 0, "top_k_objective": 0, "unit": tol}
    if n == 0 or not open_.any():
        return result, proof
    # candidate graph: top-k allowed, open mentors per mentee
    kk = min(k, m)
    cand_i, cand_j, cand_s = [], [], []
    for start, chunk in _blocks(rows, m):
        block = np.where(open_[None, :], scores.block(chunk), -np.inf)
        top = np.argpartition(-block, kk - 1, axis=1)[:, :kk] if kk < m else np.broadcast_to(np.arange(m), block.shape)
        top_s = np.take_along_axis(block, top, axis=1)
        r = np.nonzero(np.isfinite(top_s))
        cand_i.append(start + r[0])
        cand_j.append(top[r])
        cand_s.append(top_s[r])
    ci = np.concatenate(cand_i).astype(np.int64)
    cj = np.concatenate(cand_j).astype(np.int64)
    gains = _int_gain(np.concatenate(cand_s), base, scale)
    sink = n + m
    idx = np.arange(n, dtype=np.int64)
    mentors = np.arange(m, dtype=np.int64)
    supplies = np.r_[np.ones(n, dtype=np.int64), np.zeros(m, dtype=np.int64), [-n]]
    while True:
        proof["rounds"] += 1
        flow = min_cost_flow.SimpleMinCostFlow()
        tails = np.r_[ci, idx, n + mentors]
        heads = np.r_[n + cj, np.full(n, sink), np.full(m, sink)]
        caps = np.r_[np.ones(len(ci) + n, dtype=np.int64), cap]
        costs = np.r_[-gains, np.zeros(n + m, dtype=np.int64)]
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        flow.set_nodes_supplies(np.arange(n + m + 1), supplies)
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        used = flow.flows(np.arange(len(ci))) > 0
        result[:] = -1
        result[ci[used]] = cj[used]
        load = np.bincount(cj[used], minlength=m)
        matched = result >= 0
        # residual graph, mentee arcs uncapacitated (a mentee's supply of 1 bounds them anyway)
        r_src = np.r_[ci, n + cj[used], idx, np.full((~matched).sum(), sink), n + mentors[load < cap],
                      np.full((load > 0).sum(), sink)]
        r_dst = np.r_[n + cj, ci[used], np.full(n, sink), idx[~matched], np.full((load < cap).sum(), sink),
                      n + mentors[load > 0]]
        r_cost = np.r_[-gains, gains[used], np.zeros(len(r_src) - len(ci) - int(used.sum()), dtype=np.int64)]
        d = _potentials(n + m + 1, r_src, r_dst, r_cost)
        u = d[:n] - d[sink]  # mentee duals (>= 0: the bypass arc is always residual)
        v = np.maximum(0, d[sink] - d[n:n + m])  # mentor duals
        objective = int(gains[used].sum())
        dual = int(u.sum() + (cap * v).sum())
        # scan every pair of the full problem for a positive reduced gain
        add_i, add_j, add_s, worst = [], [], [], None
        for start, chunk in _blocks(rows, m):
            block = scores.block(chunk)
            allowed = np.isfinite(block) & open_[None, :]
            if not allowed.any():
                continue
            red = np.where(allowed, _int_gain(block, base, scale) - u[start:start + len(chunk), None] - v[None, :],
                           -(2 ** 62))
            top_red = int(red.max())
            worst = top_red if worst is None else max(worst, top_red)
            bad_rows = np.flatnonzero((red > 0).any(axis=1))
            if len(bad_rows):
                sub = red[bad_rows]
                top = np.argpartition(-sub, kk - 1, axis=1)[:, :kk] if kk < m else np.broadcast_to(np.arange(m), sub.shape)
                r = np.nonzero(np.take_along_axis(sub, top, axis=1) > 0)
                add_i.append(start + bad_rows[r[0]])
                add_j.append(top[r])
                add_s.append(block[bad_rows[r[0]], top[r]])
        proof["objective"], proof["dual_bound"] = objective, dual
        if proof["rounds"] == 1:
            proof["top_k_objective"] = objective  # what the candidate graph alone reached
        proof["max_reduced_gain"] = float(max(worst or 0, 0) * tol)
        if not add_i:
            if objective != dual:
                raise RuntimeError("the dual bound differs from the matching's gain: optimality not proven")
            return result, proof
        ai, aj = np.concatenate(add_i), np.concatenate(add_j)
        proof["pairs_added"] += len(ai)
        ci, cj = np.r_[ci, ai], np.r_[cj, aj]
        gains = np.r_[gains, _int_gain(np.concatenate(add_s), base, scale)]


def _solve_exact(scores, capacity, *, method: str, lexicographic: bool, k: int, pinned, tol: float) -> Assignment:
    if k < 1:
        raise ValueError("k must be >= 1")
    if not 0 < tol < 1:
        raise ValueError("tol must be in (0, 1)")
    cap = _capacity(scores, capacity)
    mentor_of, rows, remaining = _pin(scores, cap, pinned)
    unit = int(round(1.0 / tol))
    base = unit * (len(rows) + 1) if lexicographic else unit
    free, proof = _exact(scores, rows, remaining, base, k, tol)
    mentor_of[rows] = free
    proof["pinned"] = int(scores.n_mentees - len(rows))
    proof["gain"] = "n_mentees + 1 per matched mentee + score" if lexicographic else "1 + score per matched mentee"
    return _result(scores, mentor_of, method, proof)


def solve_optimal(scores: ScoreSource, capacity: np.ndarray, *, k: int = 20,
                  pinned: Sequence[tuple[int, int]] = (), tol: float = 1e-6) -> Assignment:
    """Maximise matched mentees + total score (gain ``1 + score`` per pair), proven optimal on all pairs.

    A mentee is unmatched only when no allowed mentor has capacity left. ``k``
    is the candidate list length per mentee; the proof adds any pair it misses.
    """
    return _solve_exact(scores, capacity, method="optimal", lexicographic=False, k=k, pinned=pinned, tol=tol)


def solve_max_coverage(scores: ScoreSource, capacity: np.ndarray, *, k: int = 20,
                       pinned: Sequence[tuple[int, int]] = (), tol: float = 1e-6) -> Assignment:
    """Match as many mentees as possible, then maximise the total score (proven like :func:`solve_optimal`)."""
    return _solve_exact(scores, capacity, method="max_coverage", lexicographic=True, k=k, pinned=pinned, tol=tol)


class _AtLeast:
    """A score source that forbids pairs scoring below ``threshold``."""

    def __init__(self, scores: ScoreSource, threshold: float) -> None:
        self.scores, self.threshold = scores, np.float32(threshold)
        self.n_mentees, self.n_mentors = scores.n_mentees, scores.n_mentors

    def block(self, mentees: np.ndarray) -> np.ndarray:
        b = self.scores.block(mentees)
        return np.where(b >= self.threshold, b, np.float32(-np.inf)).astype(np.float32)


def _max_matched(n: int, m: int, pi: np.ndarray, pj: np.ndarray, cap: np.ndarray) -> int:
    if len(pi) == 0:
        return 0
    flow = max_flow.SimpleMaxFlow()
    source, sink = n + m, n + m + 1
    tails = np.r_[np.full(n, source), pi, n + np.arange(m)]
    heads = np.r_[np.arange(n), n + pj, np.full(m, sink)]
    caps = np.r_[np.ones(n + len(pi), dtype=np.int64), cap]
    flow.add_arcs_with_capacity(tails.astype(np.int64), heads.astype(np.int64), caps.astype(np.int64))
    if flow.solve(source, sink) != flow.OPTIMAL:
        raise RuntimeError("max flow failed")
    return int(flow.optimal_flow())


def solve_fair(scores: ScoreSource, capacity: np.ndarray, *, k: int = 20,
               pinned: Sequence[tuple[int, int]] = (), tol: float = 1e-6) -> Assignment:
    """Among maximum-cardinality matchings, maximise the worst matched score, then the total score.

    Binary search over the distinct allowed scores: the highest threshold at
    which pairs scoring at least it still match as many mentees as all pairs do
    (a max-flow check each), then :func:`solve_max_coverage` on those pairs.
    Pinned pairs are kept and do not count towards the worst score. Holds all
    allowed pairs in memory (about 9 bytes a pair).
    """
    cap = _capacity(scores, capacity)
    _, rows, remaining = _pin(scores, cap, pinned)
    pi, pj, ps = [], [], []
    for start, chunk in _blocks(rows, scores.n_mentors):
        block = scores.block(chunk)
        r, c = np.nonzero(np.isfinite(block) & (remaining > 0)[None, :])
        pi.append((start + r).astype(np.int32))
        pj.append(c.astype(np.int32))
        ps.append(block[r, c])
    if pi:
        pi, pj, ps = np.concatenate(pi), np.concatenate(pj), np.concatenate(ps)
    else:
        pi, pj, ps = np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32)
    n, m = len(rows), scores.n_mentors
    best = _max_matched(n, m, pi, pj, remaining)
    values = np.unique(ps)
    lo, hi, checks = 0, len(values) - 1, 1
    while lo < hi:  # largest index whose threshold keeps `best` matched (index 0 always does)
        mid = (lo + hi + 1) // 2
        keep = ps >= values[mid]
        checks += 1
        if _max_matched(n, m, pi[keep], pj[keep], remaining) == best:
            lo = mid
        else:
            hi = mid - 1
    threshold = float(values[lo]) if len(values) else 0.0
    del pi, pj, ps
    mentor_of, rows, remaining = _pin(scores, cap, pinned)
    unit = int(round(1.0 / tol))
    free, proof = _exact(_AtLeast(scores, threshold), rows, remaining, unit * (n + 1), k, tol)
    mentor_of[rows] = free
    proof.update(threshold=threshold, max_matched=best + int(scores.n_mentees - n), flow_checks=checks,
                 pinned=int(scores.n_mentees - n))
    return _result(scores, mentor_of, "fair", proof)


# ----------------------------------------------------------------------------- deferred acceptance


def _score_prefs(scores: ScoreSource, cap: np.ndarray):
    """Mentee preference lists from scores: allowed open mentors by score desc, ties by mentor index."""
    n, m = scores.n_mentees, scores.n_mentors
    prefs = np.full((n, m), -1, dtype=np.int32)
    pscore = np.full((n, m), -np.inf, dtype=np.float32)
    length = np.zeros(n, dtype=np.int64)
    rows = np.arange(n)
    for start, chunk in _blocks(rows, m):
        block = np.where((cap > 0)[None, :], scores.block(chunk), -np.inf).astype(np.float32)
        order = np.argsort(-block, axis=1, kind="stable")
        sorted_s = np.take_along_axis(block, order, axis=1)
        ok = np.isfinite(sorted_s)
        prefs[start:start + len(chunk)] = np.where(ok, order, -1)
        pscore[start:start + len(chunk)] = sorted_s
        length[start:start + len(chunk)] = ok.sum(axis=1)
    return prefs, pscore, length


def _deferred_acceptance(n: int, m: int, cap: np.ndarray, prefs: np.ndarray, length: np.ndarray, key) -> np.ndarray:
    """Mentee-proposing deferred acceptance; ``key(i, j, pos)`` ranks proposals at a mentor (lower is better).

    ``prefs[i, :length[i]]`` is mentee i's list, best first. Returns mentor_of.
    """
    nxt = np.zeros(n, dtype=np.int64)
    held_i = np.zeros(0, dtype=np.int64)
    held_j = np.zeros(0, dtype=np.int64)
    held_key = np.zeros(0, dtype=np.float64)
    holding = np.zeros(n, dtype=bool)
    while True:
        prop = np.flatnonzero(~holding & (nxt < length))
        if not len(prop):
            break
        j = prefs[prop, nxt[prop]].astype(np.int64)
        k_new = key(prop, j, nxt[prop])
        nxt[prop] += 1
        acceptable = np.isfinite(k_new)
        prop, j, k_new = prop[acceptable], j[acceptable], k_new[acceptable]
        all_i, all_j, all_k = np.r_[held_i, prop], np.r_[held_j, j], np.r_[held_key, k_new]
        order = np.lexsort((all_i, all_k, all_j))
        all_i, all_j, all_k = all_i[order], all_j[order], all_k[order]
        first = np.r_[True, all_j[1:] != all_j[:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(len(all_j)), 0))
        keep = (np.arange(len(all_j)) - group_start) < cap[all_j]
        holding[all_i[~keep]] = False
        held_i, held_j, held_key = all_i[keep], all_j[keep], all_k[keep]
        holding[held_i] = True
    mentor_of = np.full(n, -1, dtype=np.int64)
    mentor_of[held_i] = held_j
    return mentor_of


def _explicit_lists(prefs, n_rows: int, n_cols: int, name: str) -> np.ndarray:
    arr = np.asarray(prefs, dtype=np.int64)
    if arr.ndim != 2 or arr.shape[0] != n_rows:
        raise ValueError(f"{name} must be a 2-d array with one row per {'mentee' if name == 'mentee_prefs' else 'mentor'}")
    if ((arr < -1) | (arr >= n_cols)).any():
        raise ValueError(f"{name} holds an index out of range")
    for row in arr:
        listed = row[row >= 0]
        if len(np.unique(listed)) != len(listed):
            raise ValueError(f"{name} lists someone twice in a row")
    return arr


def _rank_matrix(lists: np.ndarray, n_cols: int) -> np.ndarray:
    """rank[r, c] = position of c in row r's list; inf when not listed."""
    rank = np.full((lists.shape[0], n_cols), np.inf)
    r, pos = np.nonzero(lists >= 0)
    rank[r, lists[r, pos]] = pos
    return rank


def _preferences(scores: ScoreSource, cap: np.ndarray, mentee_prefs, mentor_prefs):
    """(mentee rank [n, m], mentor rank [m, n]): lower is better, inf = unacceptable or forbidden."""
    n, m = scores.n_mentees, scores.n_mentors
    dense = np.empty((n, m), dtype=np.float32)
    for start, chunk in _blocks(np.arange(n), m):
        dense[start:start + len(chunk)] = scores.block(chunk)
    allowed = np.isfinite(dense)
    if mentee_prefs is None:
        order = np.argsort(-dense, axis=1, kind="stable")
        lists = np.where(np.take_along_axis(allowed, order, axis=1), order, -1)
        mentee_rank = _rank_matrix(lists, m)
    else:
        mentee_rank = _rank_matrix(_explicit_lists(mentee_prefs, n, m, "mentee_prefs"), m)
    if mentor_prefs is None:
        order = np.argsort(-dense.T, axis=1, kind="stable")
        lists = np.where(np.take_along_axis(allowed.T, order, axis=1), order, -1)
        mentor_rank = _rank_matrix(lists, n)
    else:
        mentor_rank = _rank_matrix(_explicit_lists(mentor_prefs, m, n, "mentor_prefs"), n)
    both = allowed & np.isfinite(mentee_rank) & np.isfinite(mentor_rank.T) & (cap > 0)[None, :]
    return np.where(both, mentee_rank, np.inf), np.where(both.T, mentor_rank, np.inf)


def _stable_from_scores(scores: ScoreSource, cap: np.ndarray) -> np.ndarray:
    prefs, pscore, length = _score_prefs(scores, cap)

    def key(i, j, pos):  # mentors rank by score desc; lexsort breaks ties by mentee index
        return -pscore[i, pos].astype(np.float64)

    return _deferred_acceptance(scores.n_mentees, scores.n_mentors, cap, prefs, length, key)


def solve_stable(scores: ScoreSource, capacity: np.ndarray, *, mentee_prefs: np.ndarray | None = None,
                 mentor_prefs: np.ndarray | None = None) -> Assignment:
    """Mentee-optimal stable matching (mentee-proposing deferred acceptance with capacities).

    ``mentee_prefs[i]`` lists mentor indices best first, padded with -1;
    ``mentor_prefs[j]`` lists mentee indices. Unlisted partners are unacceptable;
    forbidden pairs are never used. A side given no list ranks by score
    (descending, ties by the lower index).
    """
    cap = _capacity(scores, capacity)
    n, m = scores.n_mentees, scores.n_mentors
    if mentee_prefs is None and mentor_prefs is None:
        return _result(scores, _stable_from_scores(scores, cap), "stable", {"preferences": "scores"})
    mentee_rank, mentor_rank = _preferences(scores, cap, mentee_prefs, mentor_prefs)
    order = np.argsort(mentee_rank, axis=1, kind="stable")
    length = np.isfinite(mentee_rank).sum(axis=1)
    prefs = np.where(np.arange(m)[None, :] < length[:, None], order, -1)

    def key(i, j, pos):
        return mentor_rank[j, i]

    mentor_of = _deferred_acceptance(n, m, cap, prefs, length, key)
    return _result(scores, mentor_of, "stable", {"preferences": "explicit"})


def solve_greedy(scores: ScoreSource, capacity: np.ndarray) -> Assignment:
    """Highest-scoring pairs first (ties: lower mentee, then lower mentor index).

    Computed as the stable matching with both sides ranking by score, which is
    the same matching (every pair order above is consistent with both sides).
    """
    cap = _capacity(scores, capacity)
    return _result(scores, _stable_from_scores(scores, cap), "greedy")


def solve_random(scores: ScoreSource, capacity: np.ndarray, *, seed: int) -> Assignment:
    """Mentees in random order each take a uniformly random allowed mentor with capacity left."""
    cap = _capacity(scores, capacity)
    rng = np.random.default_rng(seed)
    order = rng.permutation(scores.n_mentees)
    mentor_of = np.full(scores.n_mentees, -1, dtype=np.int64)
    for _, chunk in _blocks(order, scores.n_mentors):
        block = np.isfinite(scores.block(chunk))
        for row, i in enumerate(chunk):
            options = np.flatnonzero(block[row] & (cap > 0))
            if len(options):
                j = options[rng.integers(len(options))]
                mentor_of[i] = j
                cap[j] -= 1
    return _result(scores, mentor_of, "random", {"seed": seed})


def solve_mentee_choice(scores: ScoreSource, capacity: np.ndarray, *, top_k: int = 3, seed: int) -> Assignment:
    """Self-service: mentees arrive in random order and take the best of their ``top_k`` mentors still open.

    Each mentee's shortlist is its ``top_k`` allowed mentors by score (ties:
    lower index), fixed before anyone arrives; a mentee whose shortlist is full
    stays unmatched.
    """
    if top_k < 1:
        raise ValueError("top_k must be >= 1")
    cap = _capacity(scores, capacity)
    rng = np.random.default_rng(seed)
    order = rng.permutation(scores.n_mentees)
    mentor_of = np.full(scores.n_mentees, -1, dtype=np.int64)
    for _, chunk in _blocks(order, scores.n_mentors):
        block = scores.block(chunk)
        ranked = np.argsort(-block, axis=1, kind="stable")[:, :top_k]
        ok = np.isfinite(np.take_along_axis(block, ranked, axis=1))
        for row, i in enumerate(chunk):
            for j in ranked[row][ok[row]]:
                if cap[j] > 0:
                    mentor_of[i] = j
                    cap[j] -= 1
                    break
    return _result(scores, mentor_of, "mentee_choice", {"seed": seed, "top_k": top_k})


def blocking_pairs(assignment: Assignment, scores: ScoreSource, capacity: np.ndarray, *,
                   mentee_prefs: np.ndarray | None = None, mentor_prefs: np.ndarray | None = None) -> int:
    """Number of allowed pairs (i, j), j not i's mentor, that would both rather be together.

    i prefers j to its mentor (or is unmatched), and j has capacity left or
    prefers i to its worst current mentee. Preferences as in :func:`solve_stable`.
    """
    cap = _capacity(scores, capacity)
    mentee_rank, mentor_rank = _preferences(scores, cap, mentee_prefs, mentor_prefs)
    n, m = scores.n_mentees, scores.n_mentors
    mentor_of = np.asarray(assignment.mentor_of, dtype=np.int64)
    matched = mentor_of >= 0
    current = np.full(n, np.inf)
    current[matched] = mentee_rank[np.flatnonzero(matched), mentor_of[matched]]
    load = np.bincount(mentor_of[matched], minlength=m)
    worst = np.full(m, -np.inf)  # rank of each mentor's worst current mentee
    np.maximum.at(worst, mentor_of[matched], mentor_rank[mentor_of[matched], np.flatnonzero(matched)])
    mentee_wants = mentee_rank < current[:, None]
    mentor_wants = (load < cap)[None, :] | (mentor_rank.T < worst[None, :])
    acceptable = np.isfinite(mentee_rank) & np.isfinite(mentor_rank.T)
    return int((mentee_wants & mentor_wants & acceptable).sum())
