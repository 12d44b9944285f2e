"""The exact methods, proven optimal on every pair: :func:`solve_optimal`, :func:`solve_max_coverage`
and :func:`solve_fair`.

Both exact methods solve a min-cost flow (OR-Tools ``SimpleMinCostFlow``) on
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

``pinned`` pairs are fixed before solving: the mentor's capacity is reduced, the mentee removed from the
problem, and the pair is kept as it is.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from workbench.matching.solvers import problem
from workbench.matching.solvers.problem import (
    Assignment,
    ScoreSource,
    _capacity,
    _each_block,
    _blocks,
    _pin,
    _result,
    _spans,
    _where,
)

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


def _int_gain(block: np.ndarray, base: int, scale: float) -> np.ndarray:
    """Integer gains of a score block (meaningless where the pair is forbidden)."""
    s = np.where(np.isfinite(block), block, 0).astype(np.float64)
    return base + np.rint(s * scale).astype(np.int64)


def _bound_gain(score: np.ndarray, base: int, scale: float) -> np.ndarray:
    """Integer gain of a score bound; :data:`_NONE` where the bound is -inf (nothing left to bound)."""
    return np.where(np.isfinite(score), _int_gain(score, base, scale), _NONE)


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
    closer than about 1e-11 in a fixed order), mentors split between
    :data:`~workbench.matching.solvers.problem.THREADS` threads."""

    def best(part: np.ndarray) -> np.ndarray:
        # by mentor, best first, in one sort: keys lie in [0, 1 + 1e-9], so 4 * j - key orders by j, then by key
        order = part[np.argsort(4.0 * j[part] - _tie_key(i[part], j[part], s[part]), kind="stable")]
        sorted_j = j[order]
        return order[np.arange(len(order)) - np.searchsorted(sorted_j, sorted_j) < depth]

    edges = np.linspace(0, m, problem.THREADS + 1).astype(np.int64)
    with ThreadPoolExecutor(problem.THREADS) as pool:
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
    with ThreadPoolExecutor(problem.THREADS) as pool:  # each row's best and each mentor's, side by side
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


