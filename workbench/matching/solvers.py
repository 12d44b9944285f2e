"""Matching solvers: who mentors whom, under mentor capacities.

Every solver is a pure function of a *score source* and the mentors'
capacities and returns an :class:`Assignment`. A score source is anything
with ``n_mentees``, ``n_mentors`` and ``block(mentees)`` returning a float32
``[len(mentees), n_mentors]`` array: the score in ``[0, 1]`` where the pair is
allowed, ``-inf`` where it is forbidden (:class:`ScoreSource`;
:class:`DenseScores` wraps a matrix). Solvers pull scores block by block
(:data:`THREADS` blocks at once, from as many threads), so a source may
compute them on demand.

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
  a sparse candidate graph: the ``k`` best mentors of each mentee and the
  ``k`` best mentees of each mentor (:data:`MENTOR_DEPTH` on large problems; equal scores in a scattered but fixed
  order), with mentor capacity on the mentor-to-sink arc and a zero-gain
  bypass arc per mentee. Then they *prove* optimality on the full problem:
  node potentials of the optimal flow give LP duals ``u`` (mentee) and ``v``
  (mentor), and no pair of the full score source may have a positive reduced
  gain ``gain - u - v``. The one pass that builds the graph also keeps the
  exact scores of more pairs (each mentee's :data:`KNOWN_PER_MENTEE` best,
  each mentor's ~:data:`KNOWN_PER_MENTOR` best) and, for every pair it does
  not keep, two bounds: its mentee's best score left out and its mentor's
  floor. Kept pairs are checked exactly; a pair left out cannot violate when
  ``min(bounds) <= u + v``, which is tested for all of them at once by
  sorting mentors by ``v``; the rows the bounds cannot clear are scored again
  and checked exactly. Violating pairs (and kept pairs within :data:`NEAR`
  of violating) join the graph and the flow is solved again, until no pair
  violates; the duals' objective then equals the matching's, which
  certifies it. Top-k alone can silently lose most of the optimum when some
  mentors are attractive to everyone; the proof loop cannot. Gains are
  integers ``round(gain / tol)`` (``tol=1e-6``: scores in steps of 10^-6);
  the optimum is exact for those integers.
* :func:`solve_fair` maximises the worst matched score among maximum-cardinality
  matchings, then the total score.
* :func:`solve_balanced` maximises what :func:`solve_optimal` maximises while
  the match rates of given groups of mentees stay within a gap of each other:
  exact, by min-cost flows with bounds on each group's matched mentees.
* :func:`solve_greedy` takes the highest-scoring pairs first (ties: lower
  mentee, then lower mentor index).
* :func:`solve_stable` is mentee-proposing deferred acceptance with capacities:
  the mentee-optimal stable matching. With preferences from one score on both
  sides it equals the greedy matching (the same code computes both); then
  each mentee's list is revealed :data:`STABLE_PREFIX` mentors at a time and
  mentors that would refuse are skipped, so no mentees x mentors array is held.
* :func:`solve_random` and :func:`solve_mentee_choice` model matching without
  a matcher: random allowed mentors, and first-come-first-served self-service.

``pinned`` pairs (exact methods) are fixed before solving: the mentor's
capacity is reduced, the mentee removed from the problem, and the pair is kept
as it is.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

__all__ = [
    "Assignment",
    "DenseScores",
    "ScoreSource",
    "Stated",
    "blocking_pairs",
    "solve_balanced",
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
#: Blocks pulled at once, each in its own thread (NumPy and BLAS release the GIL while they work).
THREADS = max(1, min(2, os.cpu_count() or 1))
#: Mentors first listed per mentee by the stable method; a mentee who runs out is given the next ones.
STABLE_PREFIX = 32
#: Entries of a free mentee's list the stable method looks at in one step for a mentor that would not refuse.
STABLE_WINDOW = 64
#: Above HELD_CELLS pairs, the candidate graph holds each open mentor's best mentees to this depth (``k`` when
#: larger). Places are scarce where mentees outnumber them: every mentee's ``k`` best then fall on the same
#: popular mentors, and the mentees who end up with the others are found only deep in those mentors' lists; a
#: shallow graph costs rounds of the proof loop, each a full min-cost flow (100,000 x 30,000: two rounds
#: instead of three). Smaller problems, whose every pair is kept, solve fastest with ``k``.
MENTOR_DEPTH = 128
#: Pairs whose exact score the exact methods keep besides the candidate graph: each mentee's best ...
KNOWN_PER_MENTEE = 64
#: ... and about this many best mentees per mentor, above a floor set on SAMPLE_ROWS mentees.
KNOWN_PER_MENTOR = 512
SAMPLE_ROWS = 4096
#: A row's k best scores are first looked for above a guess set on every SAMPLE_STEP-th mentor.
SAMPLE_STEP = 16
#: Problems up to this many pairs are scored once and every pair kept: the float32 matrix itself (4 bytes a pair).
HELD_CELLS = 1 << 24
#: Kept pairs within this much (score) of a positive reduced gain join the graph along with the violating ones.
NEAR = 0.02
#: Once fewer pairs violate than this share of the graph, the duals are good: graph pairs further than PRUNE
#: (score) from a positive reduced gain, and not in the matching, leave the graph (they stay checked).
PRUNE_SHARE = 0.05
PRUNE = 0.02
_NONE = -(2 ** 62)  # an integer gain below any real one


class ScoreSource(Protocol):
    """Scores of mentee-mentor pairs, served in blocks of mentees (solvers may ask from several threads at once)."""

    n_mentees: int
    n_mentors: int

    def block(self, mentees: np.ndarray) -> np.ndarray:
        """float32 ``[len(mentees), n_mentors]``: score in [0, 1], ``-inf`` where forbidden."""
        ...

    # A source may also offer ``pairs(mentees, mentors)``: the float32 scores of the pairs ``(mentees[k],
    # mentors[k])``, equal to its blocks' (solvers that need a few pairs then do not score whole rows).


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

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        return self.matrix[np.asarray(mentees, dtype=np.int64), np.asarray(mentors, dtype=np.int64)]


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


def _each_block(scores: ScoreSource, rows: np.ndarray, work: Callable) -> Iterator:
    """``work(start, chunk, block)`` for each block of ``rows``, :data:`THREADS` at a time; results in order."""
    def run(item):
        start, chunk = item
        return work(start, chunk, scores.block(chunk))

    if THREADS == 1:
        yield from map(run, _blocks(rows, scores.n_mentors))
        return
    with ThreadPoolExecutor(THREADS) as pool:
        yield from pool.map(run, _blocks(rows, scores.n_mentors))


def _result(scores: ScoreSource, mentor_of: np.ndarray, method: str, proof: dict | None = None,
            score: np.ndarray | None = None) -> Assignment:
    """The assignment; ``score`` (float32 per mentee) when the solver knows its pairs' scores, else pulled."""
    mentor_of = np.asarray(mentor_of, dtype=np.int64)
    rows = np.flatnonzero(mentor_of >= 0)
    if score is None:
        score = np.full(len(mentor_of), np.nan, dtype=np.float32)
        for chunk, values in _each_block(scores, rows, lambda _, chunk, block: (
                chunk, block[np.arange(len(chunk)), mentor_of[chunk]])):
            score[chunk] = values
    score = np.where(mentor_of >= 0, score, np.nan).astype(np.float32)
    if not np.isfinite(score[rows]).all():
        raise RuntimeError("a solver used a forbidden pair")
    mentor_of.setflags(write=False)
    score.setflags(write=False)
    return Assignment(mentor_of=mentor_of, score=score, method=method, proof=proof or {})


def _pin(scores: ScoreSource, cap: np.ndarray, pinned: Sequence[tuple[int, int]]):
    """Apply pinned pairs: (mentor_of with pins, free mentee rows, remaining capacity, score of the pins)."""
    mentor_of = np.full(scores.n_mentees, -1, dtype=np.int64)
    score = np.full(scores.n_mentees, np.nan, dtype=np.float32)
    remaining = cap.copy()
    pins = np.asarray(list(pinned), dtype=np.int64).reshape(-1, 2)
    if len(pins):
        i, j = pins[:, 0], pins[:, 1]
        if (i < 0).any() or (i >= scores.n_mentees).any() or (j < 0).any() or (j >= scores.n_mentors).any():
            raise ValueError("pinned pair out of range")
        if len(np.unique(i)) != len(i):
            raise ValueError("a mentee is pinned twice")
        score[i] = scores.block(i)[np.arange(len(i)), j]
        if not np.isfinite(score[i]).all():
            raise ValueError("a pinned pair is forbidden")
        np.subtract.at(remaining, j, 1)
        if (remaining < 0).any():
            raise ValueError("pinned pairs exceed a mentor's capacity")
        mentor_of[i] = j
    return mentor_of, np.flatnonzero(mentor_of < 0), remaining, score


def _int_gain(block: np.ndarray, base: int, scale: float) -> np.ndarray:
    """Integer gains of a score block (meaningless where the pair is forbidden)."""
    s = np.where(np.isfinite(block), block, 0).astype(np.float64)
    return base + np.rint(s * scale).astype(np.int64)


def _bound_gain(score: np.ndarray, base: int, scale: float) -> np.ndarray:
    """Integer gain of a score bound; :data:`_NONE` where the bound is -inf (nothing left to bound)."""
    return np.where(np.isfinite(score), _int_gain(score, base, scale), _NONE)


def _spans(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The indices ``start[k] .. start[k] + count[k] - 1`` for every ``k``, flattened."""
    return np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))


def _potentials(n_nodes: int, src: np.ndarray, dst: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Shortest distances from a virtual root joined to every node (Bellman-Ford, vectorised).

    Each sweep relaxes only the arcs leaving nodes whose distance fell in the last one.
    """
    order = np.argsort(src, kind="stable")
    src, dst, cost = src[order], dst[order], cost[order]
    start = np.searchsorted(src, np.arange(n_nodes + 1))
    d = np.zeros(n_nodes, dtype=np.int64)
    active = np.arange(n_nodes)
    for _ in range(n_nodes + 1):
        at = _spans(start[active], start[active + 1] - start[active])
        reach, heads = d[src[at]] + cost[at], dst[at]
        better = reach < d[heads]
        if not better.any():
            return d
        np.minimum.at(d, heads[better], reach[better])
        active = np.unique(heads[better])
    raise RuntimeError("negative cycle in the residual graph: the flow is not optimal")


def _where(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-d mask, through the flat indices (several times faster on large blocks)."""
    flat = np.flatnonzero(mask)
    return flat // mask.shape[1], flat % mask.shape[1]


def _tie_key(i: np.ndarray, j: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Score plus a pseudo-random fraction of 1e-9 per pair: equal scores in a fixed, scattered order (float64)."""
    mixed = (i.astype(np.uint64) * np.uint64(2654435761) + j.astype(np.uint64) * np.uint64(2246822519))
    return s.astype(np.float64) + (mixed % np.uint64(1 << 32)).astype(np.float64) * (1e-9 / 2 ** 32)


def _kth_best(block: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k + 1``-th best score (from 0: the one at ``k``, counting equal scores apart); -inf when
    the row has at most ``k`` columns.

    The same values as ``np.partition`` gives, a fraction of its cost on wide blocks: a guess from a sample of
    every :data:`SAMPLE_STEP`-th column (a few times ``k + 1`` expected above it), then only the scores at or
    above the guess are sorted; rows where the guess falls short (too few or too many above it, or a negative
    guess) take the full partition.
    """
    n, m = block.shape
    if k >= m:
        return np.full(n, -np.inf, dtype=block.dtype)
    floor = np.empty(n, dtype=block.dtype)
    full = np.ones(n, dtype=bool)
    sample = block[:, ::SAMPLE_STEP]
    rank = 3 * (k + 1) // SAMPLE_STEP + 2  # from the top of the sample
    if m >= 4 * SAMPLE_STEP * (k + 1) and rank < sample.shape[1]:
        guess = np.partition(sample, sample.shape[1] - 1 - rank, axis=1)[:, sample.shape[1] - 1 - rank]
        above = block >= guess[:, None]
        count = np.count_nonzero(above, axis=1)
        fast = (guess >= 0) & (count > k) & (count <= 32 * (k + 1))
        if fast.any():
            rows = np.flatnonzero(fast)
            r, c = _where(above if len(rows) == n else above[rows])
            # by row, then score descending: the bits of a float32 >= 0 order like it
            bits = (block[rows[r], c] + np.float32(0)).astype(np.float32).view(np.uint32)
            key = np.sort((r.astype(np.uint64) << np.uint64(32)) | (~bits).astype(np.uint64))
            at = np.searchsorted(key, np.arange(len(rows), dtype=np.uint64) << np.uint64(32)) + k
            floor[rows] = (~(key[at] & np.uint64(0xFFFFFFFF)).astype(np.uint32)).view(np.float32)
            full[rows] = False
    if full.any():
        rows = np.flatnonzero(full)
        floor[rows] = np.partition(block[rows], m - k - 1, axis=1)[:, m - k - 1]
    return floor


def _row_best(block: np.ndarray, start: int, k: int):
    """Each row's ``k`` best finite scores (equal ones in :func:`_tie_key` order) and the best of the rest.

    Returns ``(row, column, score)`` sorted by row, then best first (rows
    offset by ``start``), and per row the best score not returned (-inf if
    none). Finds the ``k + 1``-th best value (:func:`_kth_best`), then sorts
    the few at or above it.
    """
    floor = _kth_best(block, k)
    r, c = _where(block >= np.maximum(floor, np.finfo(np.float32).min)[:, None])
    s = block[r, c]
    order = np.lexsort((-_tie_key(start + r, c, s), r))
    r, c, s = r[order], c[order], s[order]
    rank = np.arange(len(r)) - np.searchsorted(r, r)
    bound = np.full(len(block), -np.inf, dtype=np.float32)
    bound[r[rank == k]] = s[rank == k]  # the best left out
    keep = rank < k
    return (start + r[keep], c[keep], s[keep]), bound


def _column_floors(scores: ScoreSource, rows: np.ndarray, open_: np.ndarray, depth: int):
    """Per mentor, a floor (score, tie key) that about ``depth`` of the ``rows`` beat; -inf: keep them all.

    Set on :data:`SAMPLE_ROWS` evenly spread rows, so it depends only on the scores. Returns the floor
    as float64 tie keys and as float32 scores rounded down (no lower than the lowest finite score).
    """
    n, m = len(rows), scores.n_mentors
    size = min(n, SAMPLE_ROWS)
    rank = -(-depth * size // n)
    floor = np.full(m, -np.inf)
    if rank <= size:
        at = np.arange(size) * n // size
        best = np.zeros((m, 0))  # per mentor (a row each: partitions along contiguous rows), its best keys
        for start, block in _each_block(scores, rows[at], lambda start, _, block: (start, block)):
            key = _tie_key(at[start:start + len(block), None], np.arange(m)[None, :], block)
            best = np.concatenate([best, np.where(np.isfinite(block), key, -np.inf).T], axis=1)
            if best.shape[1] > rank:
                best = np.partition(best, best.shape[1] - rank, axis=1)[:, best.shape[1] - rank:]
        floor = np.where(open_, best.min(axis=1), -np.inf)
    coarse = floor.astype(np.float32)
    coarse = np.where(coarse > floor, np.nextafter(coarse, np.float32(-np.inf)), coarse)
    return np.maximum(coarse, np.finfo(np.float32).min), floor


def _column_best(i: np.ndarray, j: np.ndarray, s: np.ndarray, depth: int, m: int) -> tuple[np.ndarray, ...]:
    """Of the pairs ``(i, j, s)``, each mentor ``j``'s ``depth`` with the highest tie keys (:func:`_tie_key`; keys
    closer than about 1e-11 in a fixed order), mentors split between :data:`THREADS` threads."""

    def best(part: np.ndarray) -> np.ndarray:
        # by mentor, best first, in one sort: keys lie in [0, 1 + 1e-9], so 4 * j - key orders by j, then by key
        order = part[np.argsort(4.0 * j[part] - _tie_key(i[part], j[part], s[part]), kind="stable")]
        sorted_j = j[order]
        return order[np.arange(len(order)) - np.searchsorted(sorted_j, sorted_j) < depth]

    edges = np.linspace(0, m, THREADS + 1).astype(np.int64)
    with ThreadPoolExecutor(THREADS) as pool:
        keep = np.concatenate(list(pool.map(best, [np.flatnonzero((j >= a) & (j < b))
                                                   for a, b in zip(edges[:-1], edges[1:])])))
    return i[keep], j[keep], s[keep]


def _candidates(scores: ScoreSource, rows: np.ndarray, open_: np.ndarray, k: int):
    """One pass over all pairs: the candidate graph and the pairs whose scores are kept.

    The graph: each row's ``k`` best open mentors and each open mentor's
    ``max(k, MENTOR_DEPTH)`` best rows (equal scores in a scattered but fixed order, :func:`_tie_key`).
    Kept (``known``): each row's :data:`KNOWN_PER_MENTEE` best and, per
    mentor, every row above a floor that about :data:`KNOWN_PER_MENTOR` rows
    beat. Every pair not kept scores at most ``row_bound[i]`` and at most
    ``column_bound[j]`` (-inf: none is left). Pairs are ``(i, j, score)`` with
    ``i`` indexing ``rows``; the graph's are sorted and unique, the kept ones
    may repeat.
    """
    m = scores.n_mentors
    if len(rows) * m <= HELD_CELLS:
        full = np.empty((len(rows), m), dtype=np.float32)

        def hold(start: int, chunk: np.ndarray, block: np.ndarray) -> None:
            full[start:start + len(chunk)] = block

        for _ in _each_block(scores, rows, hold):
            pass
        return _held_candidates(full, open_, k)
    depth = min(max(KNOWN_PER_MENTEE, k), m)
    coarse, floor = _column_floors(scores, rows, open_, KNOWN_PER_MENTOR)

    def work(start: int, chunk: np.ndarray, block: np.ndarray):
        if not open_.all():
            block = np.where(open_[None, :], block, np.float32(-np.inf))
        best, bound = _row_best(block, start, depth)
        top = np.arange(len(best[0])) - np.searchsorted(best[0], best[0]) < k
        r, c = _where(block >= coarse[None, :])
        s = block[r, c]
        key = _tie_key(start + r, c, s)
        beat = key > floor[c]
        best = (best[0].astype(np.int32), best[1].astype(np.int32), best[2])
        return best, tuple(x[top] for x in best), bound, ((start + r[beat]).astype(np.int32),
                                                          c[beat].astype(np.int32), s[beat])

    found = list(_each_block(scores, rows, work))
    row_bound = np.concatenate([f[2] for f in found]).astype(np.float32)
    known, graph, mentor_known = ([np.concatenate(x) for x in zip(*[f[part] for f in found])] for part in (0, 1, 3))
    # each mentor's best pairs are among those above its floor, all in mentor_known
    graph = _unique_pairs(*(np.r_[a, b] for a, b in zip(graph, _column_best(*mentor_known, max(k, MENTOR_DEPTH), m))),
                          m)
    known = _KeptPairs(*(np.r_[a, b] for a, b in zip(known, mentor_known)))
    return graph, known, row_bound, np.where(np.isfinite(floor), coarse, np.float32(-np.inf))


def _held_candidates(full: np.ndarray, open_: np.ndarray, k: int):
    """:func:`_candidates` for scores held in memory (``full``, rows x mentors): every pair is kept (as the
    matrix itself, :class:`_HeldPairs`), so nothing is left to bound."""
    n, m = full.shape
    if not open_.all():
        full = np.where(open_[None, :], full, np.float32(-np.inf))
    with ThreadPoolExecutor(THREADS) as pool:  # each row's best and each mentor's, side by side
        columns = pool.submit(lambda: _row_best(np.ascontiguousarray(full.T), 0, k)[0])
        (ri, rj, rs), _ = _row_best(full, 0, k)
        cj, ci, cs = columns.result()
    none = np.full(max(n, m), -np.inf, dtype=np.float32)
    return _unique_pairs(np.r_[ri, ci], np.r_[rj, cj], np.r_[rs, cs], m), _HeldPairs(full), none[:n], none[:m]


class _KeptPairs:
    """Pairs whose exact scores the exact methods keep, as lists ``(i, j, score)`` (a pair may repeat)."""

    def __init__(self, i: np.ndarray, j: np.ndarray, s: np.ndarray) -> None:
        self.i, self.j, self.s = i, j, s
        self.units, self.scale = None, None  # gain - base in units of tol, once a check says the unit

    def __len__(self) -> int:
        return len(self.i)

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.i, self.j, self.s

    def extend(self, i: np.ndarray, j: np.ndarray, s: np.ndarray) -> None:
        self.i, self.j, self.s = np.r_[self.i, i.astype(np.int32)], np.r_[self.j, j.astype(np.int32)], np.r_[self.s, s]
        if self.units is not None:
            self.units = np.r_[self.units, np.rint(s.astype(np.float64) * self.scale).astype(np.int32)]

    def _units(self, values: Callable[[], np.ndarray], scale: float) -> np.ndarray:
        if self.scale != scale:
            self.units, self.scale = np.rint(values().astype(np.float64) * scale).astype(np.int32), scale
        return self.units

    def check(self, u: np.ndarray, v: np.ndarray, base: int, scale: float, slack: int, chunk: int = 1 << 22):
        """Reduced gains ``base + round(score * scale) - u - v`` (integers), a chunk at a time: the largest, the
        pairs above ``-slack`` ``(i, j, score)``, how many are positive."""
        units = self._units(lambda: self.s, scale)
        worst, near, violating = _NONE, [], 0
        for start in range(0, len(self.i), chunk):
            part = slice(start, start + chunk)
            red = units[part].astype(np.int64)
            red += base
            red -= u[self.i[part]]
            red -= v[self.j[part]]
            worst = max(worst, int(red.max(initial=_NONE)))
            near.append(start + np.flatnonzero(red > -slack))
            violating += int(np.count_nonzero(red > 0))
        near = np.concatenate(near or [np.zeros(0, np.int64)])
        return worst, (self.i[near], self.j[near], self.s[near]), violating


class _HeldPairs(_KeptPairs):
    """Every allowed pair of a score matrix held in memory, checked row block by row block (no pair lists)."""

    def __init__(self, full: np.ndarray) -> None:
        self.full = full
        self.count = int(np.count_nonzero(np.isfinite(full)))

    def __len__(self) -> int:
        return self.count

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r, c = _where(np.isfinite(self.full))
        return r.astype(np.int32), c.astype(np.int32), self.full[r, c]

    def extend(self, i: np.ndarray, j: np.ndarray, s: np.ndarray) -> None:
        if len(i):
            raise RuntimeError("every pair of held scores is kept already")

    def check(self, u: np.ndarray, v: np.ndarray, base: int, scale: float, slack: int, chunk: int = 1 << 20):
        # in float64, exactly: every term is a whole number below 2**53, and forbidden pairs stay -inf
        n, m = self.full.shape
        uf, vf = u.astype(np.float64), v.astype(np.float64)
        worst, near, violating = -np.inf, [], 0
        step = max(1, chunk // max(m, 1))
        for start in range(0, n, step):
            red = self.full[start:start + step].astype(np.float64)
            red *= scale
            np.rint(red, out=red)
            red += base
            red -= uf[start:start + step, None]
            red -= vf[None, :]
            worst = max(worst, float(red.max(initial=-np.inf)))
            r, c = _where(red > -slack)
            near.append((start + r, c))
            violating += int(np.count_nonzero(red > 0))
        r = np.concatenate([x for x, _ in near] or [np.zeros(0, np.int64)])
        c = np.concatenate([y for _, y in near] or [np.zeros(0, np.int64)])
        worst = int(worst) if np.isfinite(worst) else _NONE
        return worst, (r.astype(np.int32), c.astype(np.int32), self.full[r, c]), violating


def _unique_pairs(i: np.ndarray, j: np.ndarray, s: np.ndarray, m: int):
    """The pairs once each, sorted by row then mentor (int32 indices)."""
    _, first = np.unique(i.astype(np.int64) * m + j, return_index=True)
    return i[first].astype(np.int32), j[first].astype(np.int32), s[first]


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in ``sorted_keys`` (sorted, unique)."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    return sorted_keys[np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)] == keys


def _unbounded(u: np.ndarray, v: np.ndarray, row_gain: np.ndarray, column_gain: np.ndarray) -> np.ndarray:
    """Rows whose pairs outside the kept ones the bounds cannot clear.

    Row ``i`` is cleared when every open mentor ``j`` has
    ``min(row_gain[i], column_gain[j]) <= u[i] + v[j]``: then no pair of it
    that is not kept has a positive reduced gain. Sorting mentors by ``v``
    makes this one search per row.
    """
    j = np.flatnonzero(column_gain > _NONE)
    if not len(j):
        return np.zeros(len(u), dtype=bool)
    order = j[np.argsort(v[j], kind="stable")]
    worst = np.maximum.accumulate(column_gain[order] - v[order])  # best column gain over v, among the cheapest
    count = np.searchsorted(v[order], row_gain - u, side="left")  # mentors with v[j] < row_gain[i] - u[i]
    return (row_gain > _NONE) & (count > 0) & (worst[np.maximum(count - 1, 0)] > u)


def _scan(scores: ScoreSource, rows: np.ndarray, scan: np.ndarray, open_: np.ndarray, u: np.ndarray,
          v: np.ndarray, base: int, scale: float, k: int):
    """Every pair of the rows ``scan`` (indexes of ``rows``), exactly: the pairs with a positive reduced gain
    ``gain - u - v`` (up to ``k`` per row, most violating first) and the largest reduced gain seen."""

    def work(start: int, chunk: np.ndarray, block: np.ndarray):
        at = scan[start:start + len(chunk)]
        # a float32 filter first, two units of slack, then the exact integer test
        floor = ((v[None, :] + (u[at] - base - 2)[:, None]) / scale).astype(np.float32)
        r, c = _where((block > floor) & open_[None, :])
        s = block[r, c]
        red = _int_gain(s, base, scale) - u[at[r]] - v[c]
        bad = red > 0
        order = np.lexsort((c[bad], -red[bad], r[bad]))
        r, c, s = r[bad][order], c[bad][order], s[bad][order]
        keep = np.arange(len(r)) - np.searchsorted(r, r) < k
        return at[r[keep]], c[keep], s[keep], int(red.max(initial=_NONE))

    found = list(_each_block(scores, rows[scan], work))
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    return [np.concatenate(x) for x in zip(empty, *[f[:3] for f in found])], max([f[3] for f in found], default=_NONE)


def _flow(n: int, m: int, ci: np.ndarray, cj: np.ndarray, gains: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Max-gain b-matching on the graph's arcs ``ci -> cj`` (min-cost flow, a zero-gain bypass per mentee):
    which arcs are used."""
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.r_[ci, np.arange(n), n + np.arange(m)], np.r_[n + cj, np.full(n + m, sink)],
        np.r_[np.ones(len(ci) + n, dtype=np.int64), cap], np.r_[-gains, np.zeros(n + m, dtype=np.int64)])
    flow.set_nodes_supplies(np.arange(n + m + 1), np.r_[np.ones(n, dtype=np.int64), np.zeros(m, dtype=np.int64), [-n]])
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return flow.flows(np.arange(len(ci))) > 0


def _duals(n: int, m: int, ci: np.ndarray, cj: np.ndarray, gains: np.ndarray, cap: np.ndarray, used: np.ndarray):
    """LP duals ``u`` (mentees) and ``v`` (mentors) of an optimal flow, from node potentials of its residual graph."""
    sink = n + m
    matched = np.zeros(n, dtype=bool)
    matched[ci[used]] = True
    load = np.bincount(cj[used], minlength=m)
    idx, mentors = np.arange(n), np.arange(m)
    # residual graph, mentee arcs uncapacitated (a mentee's supply of 1 bounds them anyway)
    src = np.r_[ci, n + cj[used], idx, np.full((~matched).sum(), sink), n + mentors[load < cap],
                np.full((load > 0).sum(), sink)]
    dst = np.r_[n + cj, ci[used], np.full(n, sink), idx[~matched], np.full((load < cap).sum(), sink),
                n + mentors[load > 0]]
    cost = np.r_[-gains, gains[used], np.zeros(len(src) - len(ci) - int(used.sum()), dtype=np.int64)]
    d = _potentials(n + m + 1, src.astype(np.int64), dst.astype(np.int64), cost)
    return d[:n] - d[sink], np.maximum(0, d[sink] - d[n:n + m])  # u >= 0: the bypass arc is always residual


def _exact(scores: ScoreSource, rows: np.ndarray, cap: np.ndarray, base: int, k: int, tol: float):
    """Max-gain b-matching of mentees ``rows`` (gain = base + score/tol, integers) with the dual proof.

    Returns (mentor per row, its score, proof).
    """
    scale = float(round(1.0 / tol))
    n, m = len(rows), scores.n_mentors
    open_ = cap > 0
    result = np.full(n, -1, dtype=np.int64)
    score = np.full(n, np.nan, dtype=np.float32)
    proof = {"optimal": True, "candidates": int(k), "pairs_added": 0, "rounds": 0, "max_reduced_gain": 0.0,
             "objective": 0, "dual_bound": 0, "top_k_objective": 0, "unit": tol, "candidate_pairs": 0,
             "known_pairs": 0, "rows_scanned": 0}
    if n == 0 or not open_.any():
        return result, score, proof
    kk = min(k, m)
    (ci, cj, cs), known, row_bound, column_bound = _candidates(scores, rows, open_, kk)
    proof["candidate_pairs"], proof["known_pairs"] = len(ci), len(known)
    row_gain, column_gain = _bound_gain(row_bound, base, scale), _bound_gain(column_bound, base, scale)
    scanned = np.zeros(n, dtype=bool)
    while True:
        proof["rounds"] += 1
        gains = _int_gain(cs, base, scale)
        used = _flow(n, m, ci, cj, gains, cap)
        u, v = _duals(n, m, ci, cj, gains, cap, used)
        result[:], score[:] = -1, np.nan
        result[ci[used]], score[ci[used]] = cj[used], cs[used]
        objective, dual = int(gains[used].sum()), int(u.sum() + (cap * v).sum())
        proof["objective"], proof["dual_bound"] = objective, dual
        if proof["rounds"] == 1:
            proof["top_k_objective"] = objective  # what the candidate graph alone reached
        # dual feasibility, pair by pair: exact on the graph and the kept pairs, by the bounds elsewhere, by a
        # scan of the rows where the bounds fall short
        graph_red = gains - u[ci] - v[cj]
        worst, near, violating = known.check(u, v, base, scale, int(NEAR * scale))
        worst = max(worst, int(graph_red.max(initial=_NONE)))
        if worst <= 0:
            scan = np.flatnonzero(_unbounded(u, v, row_gain, column_gain))
            scanned[scan] = True
            near, scan_worst = _scan(scores, rows, scan, open_, u, v, base, scale, kk)
            worst = max(worst, scan_worst)
            violating = len(near[0])
            known.extend(*near)
        proof["max_reduced_gain"] = float(max(worst, 0) * tol)
        proof["rows_scanned"] = int(scanned.sum())
        if worst <= 0:
            if objective != dual:
                raise RuntimeError("the dual bound differs from the matching's gain: optimality not proven")
            if n * m > HELD_CELLS:
                _release_memory()
            return result, score, proof
        if violating < PRUNE_SHARE * len(ci):  # good duals: the graph keeps only the pairs that may matter
            keep = used | (graph_red > -PRUNE * scale)
            ci, cj, cs = ci[keep], cj[keep], cs[keep]
        # the graph grows by every kept pair that violates the duals or nearly does
        graph = ci.astype(np.int64) * m + cj
        key = near[0].astype(np.int64) * m + near[1]
        new = np.flatnonzero(~_member(key, graph))
        key, first = np.unique(key[new], return_index=True)
        proof["pairs_added"] += len(key)
        ci, cj, cs = (np.r_[a, b[new[first]].astype(a.dtype)] for a, b in zip((ci, cj, cs), near))
        order = np.argsort(np.r_[graph, key], kind="stable")  # keep the graph sorted for _member
        ci, cj, cs = ci[order], cj[order], cs[order]


def _release_memory() -> None:
    """Hand freed heap memory back to the system: glibc keeps what the block threads freed (gigabytes after
    a large solve) until asked. Does nothing where there is no ``malloc_trim``."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _solve_exact(scores, capacity, *, method: str, lexicographic: bool, k: int, pinned, tol: float) -> Assignment:
    if k < 1:
        raise ValueError("k must be >= 1")
    if not 0 < tol < 1:
        raise ValueError("tol must be in (0, 1)")
    cap = _capacity(scores, capacity)
    mentor_of, rows, remaining, score = _pin(scores, cap, pinned)
    unit = int(round(1.0 / tol))
    base = unit * (len(rows) + 1) if lexicographic else unit
    mentor_of[rows], score[rows], proof = _exact(scores, rows, remaining, base, k, tol)
    proof["pinned"] = int(scores.n_mentees - len(rows))
    proof["gain"] = "n_mentees + 1 per matched mentee + score" if lexicographic else "1 + score per matched mentee"
    return _result(scores, mentor_of, method, proof, score)


def solve_optimal(scores: ScoreSource, capacity: np.ndarray, *, k: int = 20,
                  pinned: Sequence[tuple[int, int]] = (), tol: float = 1e-6) -> Assignment:
    """Maximise matched mentees + total score (gain ``1 + score`` per pair), proven optimal on all pairs.

    A mentee is unmatched only when no allowed mentor has capacity left. ``k``
    is the candidate list length per mentee (and per mentor, at least
    :data:`MENTOR_DEPTH` on large problems); the proof adds any pair it misses. ``proof`` holds ``objective`` and ``dual_bound`` (equal:
    the certificate, in units of ``unit``), ``max_reduced_gain`` (0 when
    proven), ``rounds`` (flows solved), ``top_k_objective`` (the first graph's
    optimum), ``candidate_pairs`` (its size), ``pairs_added``, ``known_pairs``
    (pairs whose exact score was kept) and ``rows_scanned`` (rows scored again
    where the bounds fell short).
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


def _allowed_pairs(scores: ScoreSource, rows: np.ndarray, open_: np.ndarray):
    """Every allowed pair of mentee ``rows`` (positions in ``rows``) with a mentor of ``open_`` capacity: i, j, score."""
    pi, pj, ps = [np.zeros(0, np.int32)], [np.zeros(0, np.int32)], [np.zeros(0, np.float32)]
    for start, chunk in _blocks(rows, scores.n_mentors):
        block = scores.block(chunk)
        r, c = _where(np.isfinite(block) & open_[None, :])
        pi.append((start + r).astype(np.int32))
        pj.append(c.astype(np.int32))
        ps.append(block[r, c])
    return np.concatenate(pi), np.concatenate(pj), np.concatenate(ps)


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
    allowed pairs in memory, about 9 bytes a pair, and runs a max flow over
    them per step of the search: fine for tens of millions of allowed pairs,
    not for 100,000 x 30,000 (the benchmark's organisation of that size has
    about 1.9 billion allowed pairs under the default rules: some 17 GB).
    """
    cap = _capacity(scores, capacity)
    _, rows, remaining, _ = _pin(scores, cap, pinned)
    pi, pj, ps = _allowed_pairs(scores, rows, remaining > 0)
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
    mentor_of, rows, remaining, score = _pin(scores, cap, pinned)
    unit = int(round(1.0 / tol))
    mentor_of[rows], score[rows], proof = _exact(_AtLeast(scores, threshold), rows, remaining, unit * (n + 1), k, tol)
    proof.update(threshold=threshold, max_matched=best + int(scores.n_mentees - n), flow_checks=checks,
                 pinned=int(scores.n_mentees - n))
    return _result(scores, mentor_of, "fair", proof, score)


# ----------------------------------------------------------------------------- balanced group match rates


def group_gap(matched: np.ndarray, sizes: np.ndarray) -> float:
    """Largest difference between two groups' match rates ``matched / sizes`` (0-1; 0 for fewer than two groups)."""
    rates = np.asarray(matched, dtype=np.float64) / np.maximum(np.asarray(sizes, dtype=np.float64), 1)
    return float(rates.max() - rates.min()) if len(rates) > 1 else 0.0


def _window_flow(n: int, m: int, pi: np.ndarray, pj: np.ndarray, gains: np.ndarray, cap: np.ndarray,
                 groups: np.ndarray, low: np.ndarray, high: np.ndarray):
    """Max-gain b-matching with each group's matched mentees between ``low`` and ``high`` (min-cost flow).

    Mentee ``i`` sends one unit to a mentor (gain) or, unmatched, through its
    group's node (or straight to the sink without a group); a group's node
    passes between ``size - high`` and ``size - low`` units (a lower bound, as
    supplies). ``(objective, arcs used)``, or ``None`` when no flow fits.
    """
    n_groups = len(low)
    free = np.bincount(groups[groups >= 0], minlength=n_groups)
    least, most = np.maximum(free - high, 0), free - np.maximum(low, 0)
    if (most < least).any():
        return None
    node, sink = n + m, n + m + n_groups
    bypass = np.where(groups >= 0, node + groups, sink)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.r_[pi, np.arange(n), n + np.arange(m), node + np.arange(n_groups)],
        np.r_[n + pj, bypass, np.full(m + n_groups, sink)],
        np.r_[np.ones(len(pi) + n, dtype=np.int64), cap, most - least],
        np.r_[-gains, np.zeros(n + m + n_groups, dtype=np.int64)])
    flow.set_nodes_supplies(np.arange(sink + 1), np.r_[np.ones(n, dtype=np.int64), np.zeros(m, dtype=np.int64),
                                                        -least, [least.sum() - n]])
    if flow.solve() != flow.OPTIMAL:
        return None
    return -int(flow.optimal_cost()), flow.flows(np.arange(len(pi))) > 0


def solve_balanced(scores: ScoreSource, capacity: np.ndarray, groups: np.ndarray, *, gap: float,
                   sizes: np.ndarray | None = None, already: np.ndarray | None = None,
                   tol: float = 1e-6) -> Assignment:
    """Maximise matched mentees + total score (as :func:`solve_optimal`) with group match rates within ``gap``.

    ``groups``: per mentee its group ``0 .. G-1``, or -1 for a mentee whose
    group is not held to the gap (it is matched on score alone). A group's
    match rate is ``(already + matched) / sizes`` (``sizes``: people per group,
    default counted from ``groups``; ``already``: its people matched outside
    this problem, e.g. pinned, default 0); every two groups' rates differ by
    at most ``gap`` (0-1; 0.1 = 10 percentage points), tested exactly in whole
    numbers.

    Exact, by min-cost flows (gains ``round((1 + score) / tol)``). First
    :func:`solve_optimal`: when its matching meets the gap it is the answer.
    Otherwise: the lowest group rate ``r`` of the best matching is one of the
    rates a group can have, and given ``r`` every group's head count lies in a
    window ``[r, r + gap]``, a min-cost flow with bounds on each group's
    matched mentees (:func:`_window_flow`). A branch and bound over ``r``
    solves it: a range of ``r`` is bounded by one flow on the union of its
    windows and dropped when that cannot beat the best found, so every ``r``
    is covered; ``proof["flows"]`` counts the flows. Holds every allowed pair
    (about 9 bytes each). Matching nobody meets any gap, so the limit can
    fail only through ``already``: then ``proof["gap_met"]`` is False and the
    matching is :func:`solve_optimal`'s. ``proof`` also holds ``largest_gap``
    (0-1), ``unbalanced_matched`` and ``unbalanced_total`` (the optimal
    matching's head count and total score, what balancing is measured against).
    """
    if not 0 <= gap <= 1:
        raise ValueError("gap must be between 0 and 1")
    cap = _capacity(scores, capacity)
    groups = np.asarray(groups, dtype=np.int64)
    if groups.shape != (scores.n_mentees,):
        raise ValueError(f"groups must have one entry per mentee ({scores.n_mentees})")
    n_groups = int(max(groups.max(initial=-1) + 1, 0 if sizes is None else len(sizes)))
    sizes = np.bincount(groups[groups >= 0], minlength=n_groups) if sizes is None else np.asarray(sizes, np.int64)
    already = np.zeros(n_groups, np.int64) if already is None else np.asarray(already, np.int64)
    held = np.flatnonzero(sizes > 0)

    def counts(mentor_of: np.ndarray) -> np.ndarray:
        hit = groups[(mentor_of >= 0) & (groups >= 0)]
        return already + np.bincount(hit, minlength=n_groups)

    best = solve_optimal(scores, cap, tol=tol)
    proof = {"unbalanced_matched": best.n_matched, "unbalanced_total": total_score(best), "gap": float(gap),
             "groups": int(len(held))}
    if group_gap(counts(best.mentor_of)[held], sizes[held]) <= gap + 1e-12:
        proof.update(best.proof, gap_met=True, balanced_matched=proof["unbalanced_matched"],
                     balanced_total=proof["unbalanced_total"],
                     largest_gap=group_gap(counts(best.mentor_of)[held], sizes[held]),
                     algorithm="min-cost flow (its optimum already meets the gap)")
        return _result(scores, best.mentor_of, "balanced", proof, best.score)
    n, m = scores.n_mentees, scores.n_mentors
    pi, pj, ps = _allowed_pairs(scores, np.arange(n), cap > 0)
    gains = int(round(1.0 / tol)) + np.rint(ps.astype(np.float64) / tol).astype(np.int64)
    free = np.bincount(groups[groups >= 0], minlength=n_groups)
    held_groups = np.where(np.isin(groups, held), groups, -1)
    # every rate a held group can have; the best matching's lowest rate is one of them
    rates = np.unique(np.concatenate([(already[g] + np.arange(free[g] + 1)) / sizes[g] for g in held]))

    def solve_range(a: int, b: int):
        low = np.full(n_groups, -n, dtype=np.int64)  # groups not held: any number
        high = np.full(n_groups, n, dtype=np.int64)
        low[held] = np.ceil(rates[a] * sizes[held] - 1e-9).astype(np.int64) - already[held]
        high[held] = np.floor((rates[b] + gap) * sizes[held] + 1e-9).astype(np.int64) - already[held]
        return _window_flow(n, m, pi, pj, gains, cap, held_groups, low, high)

    found, flows, ranges = None, 0, [(0, len(rates) - 1)]
    while ranges:
        a, b = ranges.pop()
        bound = solve_range(a, b)
        flows += 1
        if bound is None or (found is not None and bound[0] <= found[0]):
            continue
        if a == b:
            found = bound
        else:
            middle = (a + b) // 2
            ranges += [(a, middle), (middle + 1, b)]  # the higher rates first: the best is usually near them
    if found is None:
        proof.update(best.proof, gap_met=False, largest_gap=group_gap(counts(best.mentor_of)[held], sizes[held]),
                     algorithm="min-cost flow (no matching meets the gap)", flows=flows,
                     optimal=None)  # the best total fit, not the best within a gap nothing meets
        return _result(scores, best.mentor_of, "balanced", proof, best.score)
    chosen = found[1]
    mentor_of = np.full(n, -1, dtype=np.int64)
    mentor_of[pi[chosen]] = pj[chosen]
    score = np.full(n, np.nan, dtype=np.float32)
    score[pi[chosen]] = ps[chosen]
    proof.update(balanced_matched=int(chosen.sum()), balanced_total=float(ps[chosen].astype(np.float64).sum()),
                 optimal=True, objective=int(found[0]), allowed_pairs=int(len(pi)), flows=flows, gap_met=True,
                 largest_gap=group_gap(counts(mentor_of)[held], sizes[held]),
                 algorithm="min-cost flows, branch and bound over the lowest group rate")
    return _result(scores, mentor_of, "balanced", proof, score)

# ----------------------------------------------------------------------------- deferred acceptance


@dataclass(frozen=True)
class Stated:
    """Stated choices, sparse: ``by_mentee`` = (mentee, mentor, rank) arrays, a mentee's rank of a mentor;
    ``by_mentor`` = (mentee, mentor, rank), a mentor's rank of a mentee. Lower rank = preferred; a pair stated
    twice keeps its lower rank.

    The order a side ranks the other side in: the people it stated, by rank (ties: higher score, then lower
    index), then everyone else it may be paired with, by score (ties: lower index). Forbidden pairs and mentors
    without capacity are never used.
    """

    by_mentee: tuple[np.ndarray, np.ndarray, np.ndarray] = (np.zeros(0, np.int64),) * 2 + (np.zeros(0),)
    by_mentor: tuple[np.ndarray, np.ndarray, np.ndarray] = (np.zeros(0, np.int64),) * 2 + (np.zeros(0),)
    _ranks: dict = field(default_factory=dict, repr=False, compare=False)

    def ranks(self, n: int, m: int) -> tuple["_Ranks", "_Ranks"]:
        """Both sides' ranks looked up by pair, for ``n`` mentees and ``m`` mentors (built once)."""
        if (n, m) not in self._ranks:
            self._ranks[n, m] = _Ranks(self.by_mentee, n, m), _Ranks(self.by_mentor, n, m)
        return self._ranks[n, m]

    def subset(self, rows: np.ndarray, n_mentees: int) -> "Stated":
        """The choices about mentee ``rows`` only, mentees renumbered ``0 .. len(rows) - 1``."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == n_mentees and (rows == np.arange(n_mentees)).all():
            return self
        where = np.full(n_mentees, -1, dtype=np.int64)
        where[rows] = np.arange(len(rows))
        out = []
        for i, j, rank in (self.by_mentee, self.by_mentor):
            k = where[np.asarray(i, dtype=np.int64)]
            out.append((k[k >= 0], np.asarray(j, dtype=np.int64)[k >= 0], np.asarray(rank, dtype=np.float64)[k >= 0]))
        return Stated(*out)


class _Ranks:
    """One side's stated ranks by pair (float64, ``inf`` where not stated), sorted by mentee then mentor."""

    def __init__(self, triple: tuple, n: int, m: int) -> None:
        i, j, rank = (np.asarray(x) for x in triple)
        code = i.astype(np.int64) * m + j.astype(np.int64)
        if len(code) and ((i < 0).any() or (i >= n).any() or (j < 0).any() or (j >= m).any()):
            raise ValueError("a stated choice names a mentee or mentor out of range")
        order = np.argsort(code, kind="stable")  # a file lists by person: nearly sorted already
        code, rank = code[order], np.asarray(rank, dtype=np.float64)[order]
        first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(code) else np.zeros(0, np.int64)
        self.code, self.m = code[first], m
        self.rank = np.minimum.reduceat(rank, first) if len(first) < len(code) else rank
        self.start = np.searchsorted(self.code, np.arange(n + 1, dtype=np.int64) * m)

    def __len__(self) -> int:
        return len(self.code)

    def get(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The stated rank of each pair ``(i[k], j[k])``, ``inf`` where not stated."""
        if not len(self.code):
            return np.full(len(i), np.inf)
        key = np.asarray(i, dtype=np.int64) * self.m + j
        at = np.minimum(np.searchsorted(self.code, key), len(self.code) - 1)
        return np.where(self.code[at] == key, self.rank[at], np.inf)

    def rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The stated pairs of mentee ``rows``: (place in ``rows``, mentor, rank)."""
        count = self.start[rows + 1] - self.start[rows]
        at = _spans(self.start[rows], count)
        return np.repeat(np.arange(len(rows)), count), self.code[at] % self.m, self.rank[at]


def _prefers(p: np.ndarray, s: np.ndarray, x: np.ndarray, p0, s0, x0) -> np.ndarray:
    """Whether key (rank ``p``, score ``s``, index ``x``) comes before (``p0``, ``s0``, ``x0``): lower stated rank,
    then higher score, then lower index."""
    return (p < p0) | ((p == p0) & ((s > s0) | ((s == s0) & (x < x0))))



class _MenteeLists:
    """Each mentee's preference list from scores (allowed open mentors, score descending, then mentor index),
    revealed a prefix at a time: :data:`STABLE_PREFIX` mentors, then twice as many each time, with every
    mentor tied with the last one (the whole rest at once when it is at most four times as long)."""

    def __init__(self, scores: ScoreSource, open_: np.ndarray) -> None:
        n = scores.n_mentees
        self.scores, self.open_ = scores, open_
        self.mentor = np.zeros(1, dtype=np.int64)  # revealed entries, in the first `used` places
        self.score = np.zeros(1, dtype=np.float32)
        self.used = 0
        self.end = np.zeros(n, dtype=np.int64)  # revealed entries of mentee i: next[i] .. end[i] - 1
        self.next = np.zeros(n, dtype=np.int64)
        self.last = np.full(n, np.inf, dtype=np.float32)  # score of the last revealed entry
        self.complete = np.zeros(n, dtype=bool)  # nothing left to reveal
        self.size = np.full(n, STABLE_PREFIX, dtype=np.int64)  # entries the next reveal gives (doubling)

    def preload(self, i: np.ndarray, j: np.ndarray, s: np.ndarray) -> None:
        """Start each mentee ``i`` with the given entries (sorted by mentee, in the order to propose): its stated
        choices. Its list by score follows them, from the top (a stated mentor met again refuses again)."""
        if not len(j):
            return
        self.mentor, self.score, self.used = j.astype(np.int64), s.astype(np.float32), len(j)
        who = np.unique(i)
        self.next[who], self.end[who] = np.searchsorted(i, who), np.searchsorted(i, who, side="right")

    def reveal(self, mentees: np.ndarray, rejects: Callable) -> None:
        """The next entries of ``mentees``, skipping mentors that ``rejects(rows, block)`` says would refuse
        (a bool block, or ``None`` for none)."""
        def work(start: int, chunk: np.ndarray, block: np.ndarray):
            alive = np.isfinite(block)
            alive &= self.open_[None, :]
            alive &= block < self.last[chunk][:, None]
            refused = rejects(chunk, block)
            if refused is not None:
                alive &= ~refused
            count, size = alive.sum(axis=1), self.size[chunk]
            floor = np.full(len(chunk), -np.inf, dtype=np.float32)
            for length in np.unique(size[count > 4 * size]):  # others: the whole rest of the list at once
                rows = np.flatnonzero((size == length) & (count > 4 * size))
                rest = np.where(alive[rows], block[rows], np.float32(-np.inf))
                floor[rows] = np.partition(rest, rest.shape[1] - length, axis=1)[:, -length]
            alive &= block >= floor[:, None]
            r, c = _where(alive)
            return chunk[r], c, block[r, c], count <= 4 * size

        parts = list(_each_block(self.scores, mentees, work))
        if not parts:
            return
        i, j, s, complete = (np.concatenate(x) for x in zip(*parts))
        # by mentee, then score descending (the bits of a float32 >= 0 order like it), then mentor: stable, as
        # each block's rows come in mentor order
        key = (i.astype(np.uint64) << np.uint64(32)) | (~(s + np.float32(0)).view(np.uint32)).astype(np.uint64)
        order = np.argsort(key, kind="stable")
        i, j, s = i[order], j[order], s[order]
        offset = self.used
        self.used += len(j)
        if self.used > len(self.mentor):  # room for this and as much again
            self.mentor = np.r_[self.mentor[:offset], np.zeros(2 * self.used - offset, dtype=np.int64)]
            self.score = np.r_[self.score[:offset], np.zeros(2 * self.used - offset, dtype=np.float32)]
        self.mentor[offset:self.used], self.score[offset:self.used] = j, s
        start = offset + np.searchsorted(i, mentees)
        self.next[mentees], self.end[mentees] = start, offset + np.searchsorted(i, mentees, side="right")
        self.complete[mentees] = complete
        self.size[mentees] *= 2
        last = self.end[mentees] - 1
        self.last[mentees] = np.where(last >= start, self.score[np.maximum(last, 0)], -np.inf)


def _pair_scores(scores: ScoreSource, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The scores of pairs ``(i[k], j[k])``, ``i`` sorted (float32, ``-inf`` where forbidden): from the source's
    ``pairs`` where it has them, else from the blocks of those mentees."""
    pairs = getattr(scores, "pairs", None)
    if pairs is not None:
        return pairs(i, j)

    def work(start: int, chunk: np.ndarray, block: np.ndarray):
        lo, hi = np.searchsorted(i, chunk[0]), np.searchsorted(i, chunk[-1], side="right")
        return block[np.searchsorted(chunk, i[lo:hi]), j[lo:hi]]

    parts = list(_each_block(scores, np.unique(i), work))
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def _stable_from_scores(scores: ScoreSource, cap: np.ndarray, stated: Stated | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Mentee-proposing deferred acceptance, both sides ranking by score: (mentor_of, score).

    Mentees rank mentors by score (ties: lower index), mentors rank mentees
    the same way; ``stated`` choices come first on the side that stated them
    (:class:`Stated`). A mentee proposes to its stated mentors first, then
    down its list by score, which is revealed a prefix at a time
    (:class:`_MenteeLists`); a mentor that is full with mentees it ranks
    higher is skipped: it would refuse, now and later (a full mentor only
    trades up). The matching is the same as with the whole lists.
    """
    n, m = scores.n_mentees, scores.n_mentors
    by_mentee, by_mentor = (stated or Stated()).ranks(n, m)
    lists = _MenteeLists(scores, cap > 0)
    mentor_of = np.full(n, -1, dtype=np.int64)
    score = np.full(n, np.nan, dtype=np.float32)
    rank = np.full(n, np.inf)  # the mentor's stated rank of the mentee it holds
    worst = np.full(m, -np.inf, dtype=np.float32)  # a full mentor's worst held (rank, score, mentee)
    worst_rank = np.full(m, np.inf)
    worst_i = np.full(m, n, dtype=np.int64)
    full = np.zeros(m, dtype=bool)

    def rejects(i: np.ndarray, s: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Whether full mentor ``j`` holds only mentees it ranks above mentee ``i`` scoring ``s`` with it."""
        return full[j] & _prefers(worst_rank[j], worst[j], worst_i[j], by_mentor.get(i, j), s, i)

    def refuses(rows: np.ndarray, block: np.ndarray):
        """:func:`rejects` for every mentor at once (``None`` while no mentor is full)."""
        if not full.any():
            return None
        out = block < worst[None, :]
        out |= (block == worst[None, :]) & (rows[:, None] > worst_i[None, :])
        out |= np.isfinite(worst_rank)[None, :]  # a mentor holding a stated choice refuses the unstated
        r, c, p = by_mentor.rows(rows)
        out[r, c] = _prefers(worst_rank[c], worst[c], worst_i[c], p, block[r, c], rows[r])
        out &= full[None, :]
        return out

    if len(by_mentee):
        i, j, p = by_mentee.code // m, by_mentee.code % m, by_mentee.rank
        s = _pair_scores(scores, i, j)
        keep = np.isfinite(s) & (cap[j] > 0)
        order = np.lexsort((j[keep], -s[keep], p[keep], i[keep]))
        lists.preload(i[keep][order], j[keep][order], s[keep][order])
    lists.reveal(np.flatnonzero(lists.end == 0), refuses)
    done = np.zeros(n, dtype=bool)
    while True:
        free = np.flatnonzero((mentor_of < 0) & ~done)
        count = np.minimum(lists.end[free] - lists.next[free], STABLE_WINDOW)  # the next entries of each
        at = _spans(lists.next[free], count)
        who = np.repeat(free, count)
        ok = ~rejects(who, lists.score[at], lists.mentor[at])
        first = np.full(n, -1, dtype=np.int64)
        first[who[ok][::-1]] = at[ok][::-1]  # the first acceptable entry of each free mentee
        lists.next[free] = np.where(first[free] >= 0, first[free], lists.next[free] + count)  # refusals are for good
        stuck = free[(first[free] < 0) & (lists.next[free] >= lists.end[free])]
        done[stuck[lists.complete[stuck]]] = True
        refill = stuck[~lists.complete[stuck]]
        proposers = free[first[free] >= 0]
        if not len(proposers) and not len(refill):
            if (first[free] < 0).sum() > len(stuck):  # some looked at a window of refusals only: go on
                continue
            break
        lists.reveal(refill, refuses)
        if not len(proposers):
            continue
        entry = first[proposers]
        lists.next[proposers] = entry + 1
        held = np.flatnonzero(mentor_of >= 0)
        i = np.r_[held, proposers]
        j = np.r_[mentor_of[held], lists.mentor[entry]]
        s = np.r_[score[held], lists.score[entry]]
        p = np.r_[rank[held], by_mentor.get(proposers, lists.mentor[entry])]
        order = np.lexsort((i, -s, p, j))  # each mentor keeps its best `cap` (rank, score, then lower index)
        i, j, s, p = i[order], j[order], s[order], p[order]
        place = np.arange(len(j)) - np.searchsorted(j, j)
        keep = place < cap[j]
        mentor_of[i[~keep]], score[i[~keep]], rank[i[~keep]] = -1, np.nan, np.inf
        mentor_of[i[keep]], score[i[keep]], rank[i[keep]] = j[keep], s[keep], p[keep]
        last = keep & (place == cap[j] - 1)  # full mentors: their worst held
        full[:] = False
        full[j[last]] = True
        worst[j[last]], worst_rank[j[last]], worst_i[j[last]] = s[last], p[last], i[last]
    return mentor_of, score


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
    ordered = np.sort(arr, axis=1)
    if ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any():
        raise ValueError(f"{name} lists someone twice in a row")
    return arr


def _rank_matrix(lists: np.ndarray, n_cols: int) -> np.ndarray:
    """rank[r, c] = position of c in row r's list (float32, exact below 2**24); inf when not listed."""
    rank = np.full((lists.shape[0], n_cols), np.inf, dtype=np.float32)
    r, pos = _where(lists >= 0)
    rank[r, lists[r, pos]] = pos
    return rank


def _preferences(scores: ScoreSource, cap: np.ndarray, mentee_prefs, mentor_prefs):
    """(mentee rank [n, m], mentor rank [m, n]): lower is better, inf = unacceptable or forbidden."""
    n, m = scores.n_mentees, scores.n_mentors
    dense = np.concatenate([np.zeros((0, m), np.float32)] + list(_each_block(
        scores, np.arange(n), lambda _, __, block: block)))
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
    return np.where(both, mentee_rank, np.float32(np.inf)), np.where(both.T, mentor_rank, np.float32(np.inf))


def solve_stable(scores: ScoreSource, capacity: np.ndarray, *, stated: Stated | None = None,
                 mentee_prefs: np.ndarray | None = None, mentor_prefs: np.ndarray | None = None) -> Assignment:
    """Mentee-optimal stable matching (mentee-proposing deferred acceptance with capacities).

    Without lists both sides rank by score (descending, ties by the lower
    index); ``stated`` choices (:class:`Stated`, sparse) come first on the
    side that stated them, everyone else allowed after them by score. No
    mentees x mentors array is held either way.

    Or whole lists: ``mentee_prefs[i]`` lists mentor indices best first,
    padded with -1; ``mentor_prefs[j]`` lists mentee indices. Unlisted
    partners are then unacceptable; a side given no list ranks by score.
    Forbidden pairs are never used.
    """
    cap = _capacity(scores, capacity)
    n, m = scores.n_mentees, scores.n_mentors
    if mentee_prefs is None and mentor_prefs is None:
        mentor_of, score = _stable_from_scores(scores, cap, stated)
        return _result(scores, mentor_of, "stable", {"preferences": "stated and scores" if stated else "scores"},
                       score)
    if stated is not None:
        raise ValueError("give stated choices or whole preference lists, not both")
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
    mentor_of, score = _stable_from_scores(scores, _capacity(scores, capacity))
    return _result(scores, mentor_of, "greedy", score=score)


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


def _blocking_by_scores(mentor_of: np.ndarray, scores: ScoreSource, cap: np.ndarray,
                        stated: Stated | None = None) -> int:
    """:func:`blocking_pairs` when both sides rank by score (ties: lower index) after their ``stated`` choices,
    block by block."""
    n, m = scores.n_mentees, scores.n_mentors
    by_mentee, by_mentor = (stated or Stated()).ranks(n, m)
    open_ = cap > 0
    held = np.flatnonzero(mentor_of >= 0)
    held_s = np.full(n, -np.inf, dtype=np.float32)
    for chunk, values in _each_block(scores, held, lambda _, chunk, block: (
            chunk, block[np.arange(len(chunk)), mentor_of[chunk]])):
        held_s[chunk] = values
    valid = held[np.isfinite(held_s[held]) & open_[mentor_of[held]]]
    # a mentee's current mentor by its key (stated rank, score, index; nobody: inf, -inf, m); a mentor's worst
    # valid mentee (highest rank, lowest score, then highest index; -inf score when it holds a pair it cannot
    # accept, so that anyone comes before it)
    current_p, current_s, current_j = np.full(n, np.inf), np.full(n, -np.inf, np.float32), np.full(n, m, np.int64)
    current_p[valid] = by_mentee.get(valid, mentor_of[valid])
    current_s[valid], current_j[valid] = held_s[valid], mentor_of[valid]
    valid_p = by_mentor.get(valid, mentor_of[valid])
    order = valid[np.lexsort((-valid, held_s[valid], -valid_p, mentor_of[valid]))]
    first = np.r_[True, mentor_of[order][1:] != mentor_of[order][:-1]] if len(order) else np.zeros(0, bool)
    worst_p, worst_s, worst_i = np.full(m, np.inf), np.full(m, np.inf, np.float32), np.full(m, -1, np.int64)
    top = order[first]
    worst_p[mentor_of[top]] = by_mentor.get(top, mentor_of[top])
    worst_s[mentor_of[top]], worst_i[mentor_of[top]] = held_s[top], top
    invalid = np.setdiff1d(held, valid)
    worst_p[mentor_of[invalid]], worst_s[mentor_of[invalid]], worst_i[mentor_of[invalid]] = np.inf, -np.inf, n
    room = np.bincount(mentor_of[held], minlength=m) < cap
    col = np.arange(m)[None, :]

    def work(start: int, chunk: np.ndarray, block: np.ndarray) -> int:
        cs, cj = current_s[chunk][:, None], current_j[chunk][:, None]
        # first as if nobody stated anything about these pairs, then the stated pairs exactly
        mentee_wants = ~np.isfinite(current_p[chunk])[:, None] & ((block > cs) | ((block == cs) & (col < cj)))
        mentor_wants = ~np.isfinite(worst_p)[None, :] & ((block > worst_s[None, :]) | (
            (block == worst_s[None, :]) & (chunk[:, None] < worst_i[None, :])))
        mentor_wants |= room[None, :]
        wants = mentee_wants & mentor_wants
        (r1, c1, _), (r2, c2, _) = by_mentee.rows(chunk), by_mentor.rows(chunk)
        r, c = np.r_[r1, r2], np.r_[c1, c2]
        i, s = chunk[r], block[r, c]
        wants[r, c] = _prefers(by_mentee.get(i, c), s, c, current_p[i], current_s[i], current_j[i]) & (
            room[c] | _prefers(by_mentor.get(i, c), s, i, worst_p[c], worst_s[c], worst_i[c]))
        return int(np.count_nonzero(np.isfinite(block) & open_[None, :] & wants))

    return sum(_each_block(scores, np.arange(n), work))


def blocking_pairs(assignment: Assignment, scores: ScoreSource, capacity: np.ndarray, *, stated: Stated | None = None,
                   mentee_prefs: np.ndarray | None = None, mentor_prefs: np.ndarray | None = None) -> int:
    """Number of allowed pairs (i, j), j not i's mentor, that would both rather be together.

    i prefers j to its mentor (or is unmatched), and j has capacity left or
    prefers i to its worst current mentee. Preferences as in :func:`solve_stable`.
    With both sides ranking by score (after any ``stated`` choices) this goes
    block by block; with whole lists it holds dense mentees x mentors arrays.
    """
    cap = _capacity(scores, capacity)
    n, m = scores.n_mentees, scores.n_mentors
    mentor_of = np.asarray(assignment.mentor_of, dtype=np.int64)
    if mentee_prefs is None and mentor_prefs is None:
        return _blocking_by_scores(mentor_of, scores, cap, stated)
    mentee_rank, mentor_rank = _preferences(scores, cap, mentee_prefs, mentor_prefs)
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
