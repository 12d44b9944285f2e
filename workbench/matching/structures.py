"""Program structures: who meets whom, in pairs, groups, circles or rounds.

Every structure turns scores into a list of *links* (:class:`Links`): one row
per mentee-mentor (or peer-peer) link, with the group or circle it belongs to
and the round it is made in. The bipartite structures run one of the
:data:`METHODS` on a score source (:mod:`workbench.matching.solvers`):

``one_on_one`` (and ``functional``)
    each mentee gets at most one mentor, mentors take up to their capacity.
    Functional mentoring is one-on-one on a pool where a hard rule allows only
    mentees who need the design's functional skill with mentors who can teach
    it (:mod:`workbench.matching.functional`).
``group``
    each mentor leads one group of up to ``group_size`` mentees (the design's
    ``experience.group_size``). The method fills the groups; then mentees are
    swapped between groups while a swap raises ``total score + COHESION x
    shared wants``, where *shared wants* sums, over every two mentees in the
    same group, the Jaccard overlap of their wanted skills. Swaps only use
    allowed pairs and never change who is matched.
``reverse``
    the same as one-on-one on a pool whose roles are reversed
    (:func:`workbench.matching.pool.reverse_pool`): juniors mentor seniors.
``mosaic``
    up to ``mentors_per_mentee`` rounds; each round runs the method again on
    the remaining capacity, where the skills criterion counts only needs no
    earlier mentor of the mentee covers, and a mentor who covers none of the
    remaining needs is not offered (when the skills criterion is in use).
``flash``
    ``rounds`` rounds of short meetings; in each, mentors take up to their
    capacity again and no pair of an earlier round meets twice.
``peer``
    no fixed mentor: everyone in :func:`workbench.matching.pool.peer_pool`
    meets peers. With ``circle_size`` 2, pairs by maximum-weight matching on
    a general (non-bipartite) graph (NetworkX, exact on the candidate graph of
    each person's ``PEER_CANDIDATES`` best peers), weighing every pair
    ``1 + score`` so that as many people as possible are paired, then the
    best total score. With 3 to 6, circles: a greedy start (the person with
    the fewest allowed peers first, joined by whoever adds the highest mean
    score with everyone already in the circle); people of circles under 3
    then join circles with room (up to 6) that allow them with everyone, and
    a pair stays a pair only when none does. Peers' score is the mean of the
    two directions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from workbench.matching.names import METHODS, STRUCTURES
from workbench.matching.solvers import (
    Assignment,
    ScoreSource,
    Stated,
    solve_balanced,
    solve_fair,
    solve_greedy,
    solve_max_coverage,
    solve_mentee_choice,
    solve_optimal,
    solve_random,
    solve_stable,
)

#: Weight of shared wants against score when groups are formed.
COHESION = 0.25
#: Groups (a mentee's best-scoring mentors) a mentee may swap into.
SWAP_GROUPS = 5
#: Best peers per person kept in the graph peer pairs are matched on.
PEER_CANDIDATES = 15
#: Smallest and largest peer circle.
CIRCLE_SIZES = (2, 6)


@dataclass(frozen=True)
class Links:
    """Who meets whom: ``mentee[k]`` with ``mentor[k]`` in group ``unit[k]`` (-1: none) in round ``round[k]``.

    Indices are rows of the pool's mentees and mentors (for peers, both are
    rows of the same people). ``proof`` holds what the solver reports.
    """

    mentee: np.ndarray
    mentor: np.ndarray
    unit: np.ndarray
    round: np.ndarray
    proof: dict = field(default_factory=dict)


def _links(mentee, mentor, unit=None, rnd=None, proof=None) -> Links:
    mentee = np.asarray(mentee, dtype=np.int64)
    mentor = np.asarray(mentor, dtype=np.int64)
    unit = np.full(len(mentee), -1, dtype=np.int64) if unit is None else np.asarray(unit, dtype=np.int64)
    rnd = np.zeros(len(mentee), dtype=np.int64) if rnd is None else np.asarray(rnd, dtype=np.int64)
    return Links(mentee, mentor, unit, rnd, proof or {})


class Subset:
    """The score source restricted to some mentee rows and with some extra pairs forbidden."""

    def __init__(self, scores: ScoreSource, rows: np.ndarray, forbid: np.ndarray | None = None,
                 adjust: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> None:
        self.scores, self.rows = scores, np.asarray(rows, dtype=np.int64)
        self.n_mentees, self.n_mentors = len(self.rows), scores.n_mentors
        self.forbid = forbid  # bool [n_mentees of the full source, n_mentors] or None
        self.adjust = adjust
        if adjust is None and getattr(scores, "pairs", None) is not None:
            self.pairs = self._pairs

    def _pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        rows, mentors = self.rows[np.asarray(mentees, dtype=np.int64)], np.asarray(mentors, dtype=np.int64)
        scores = self.scores.pairs(rows, mentors)
        if self.forbid is not None:
            scores = np.where(self.forbid[rows, mentors], -np.inf, scores).astype(np.float32)
        return scores

    def block(self, mentees: np.ndarray) -> np.ndarray:
        rows = self.rows[np.asarray(mentees, dtype=np.int64)]
        block = self.scores.block(rows)
        if self.adjust is not None:
            block = self.adjust(rows, block)
        if self.forbid is not None:
            block = np.where(self.forbid[rows], -np.inf, block).astype(np.float32)
        return block


def solve(scores: ScoreSource, capacity: np.ndarray, method: str, *, seed: int, top_k: int = 3,
          pinned: np.ndarray | None = None, stated: Stated | None = None,
          balance: tuple[np.ndarray, float] | None = None) -> Assignment:
    """Run ``method`` on ``scores``; ``pinned`` ``[k, 2]`` (mentee, mentor) pairs are fixed first.

    Pinned mentees leave the problem and their mentors' capacity drops by one
    each, so every method keeps them as they are. ``stated`` choices
    (:class:`solvers.Stated`) come first in the stable method's preference
    order, before the scores' order. ``balance`` (each mentee's group,
    -1 for none; the gap) is what the balanced method holds even (pinned
    mentees count as matched in their group's rate).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    cap = np.asarray(capacity, dtype=np.int64).copy()
    mentor_of = np.full(scores.n_mentees, -1, dtype=np.int64)
    if pinned is not None and len(pinned):
        np.subtract.at(cap, pinned[:, 1], 1)
        mentor_of[pinned[:, 0]] = pinned[:, 1]
        cap = np.maximum(cap, 0)
    rows = np.flatnonzero(mentor_of < 0)
    source = Subset(scores, rows)
    run = {
        "optimal": lambda: solve_optimal(source, cap),
        "max_coverage": lambda: solve_max_coverage(source, cap),
        "fair": lambda: solve_fair(source, cap),
        "balanced": lambda: _balanced(source, cap, balance, mentor_of),
        "stable": lambda: solve_stable(source, cap, stated=None if stated is None else stated.subset(rows, scores.n_mentees)),
        "greedy": lambda: solve_greedy(source, cap),
        "random": lambda: solve_random(source, cap, seed=seed),
        "mentee_choice": lambda: solve_mentee_choice(source, cap, top_k=top_k, seed=seed),
    }[method]
    found = run()
    mentor_of[rows] = found.mentor_of
    score = np.full(scores.n_mentees, np.nan, dtype=np.float32)
    score[rows] = found.score
    if pinned is not None and len(pinned):
        score[pinned[:, 0]] = scores.block(pinned[:, 0])[np.arange(len(pinned)), pinned[:, 1]]
    proof = dict(found.proof)
    if pinned is not None and len(pinned):
        proof["pinned"] = len(pinned)
    return Assignment(mentor_of=mentor_of, score=score, method=method, proof=proof)


def _balanced(source: Subset, cap: np.ndarray, balance, mentor_of: np.ndarray) -> Assignment:
    """The balanced method on the free mentees of ``source``; pinned mentees (``mentor_of >= 0``) count as matched.

    Without ``balance`` no mentee is in a group, and the method is the optimal one.
    """
    groups, gap = balance if balance is not None else (np.full(len(mentor_of), -1), 1.0)
    groups = np.asarray(groups, dtype=np.int64)
    n_groups = int(groups.max(initial=-1)) + 1
    sizes = np.bincount(groups[groups >= 0], minlength=n_groups)
    pinned = groups[(mentor_of >= 0) & (groups >= 0)]
    return solve_balanced(source, cap, groups[source.rows], gap=gap, sizes=sizes,
                          already=np.bincount(pinned, minlength=n_groups))


def _matched_links(assignment: Assignment, rnd: int = 0) -> Links:
    e = np.flatnonzero(assignment.mentor_of >= 0)
    return _links(e, assignment.mentor_of[e], rnd=np.full(len(e), rnd), proof=assignment.proof)


def one_on_one(scores: ScoreSource, capacity: np.ndarray, method: str, **kw) -> Links:
    """Each mentee at most one mentor, mentors up to ``capacity`` (``kw`` as for :func:`solve`)."""
    return _matched_links(solve(scores, capacity, method, **kw))


def flash(scores: ScoreSource, capacity: np.ndarray, method: str, *, rounds: int, seed: int, pinned=None,
          **kw) -> Links:
    """``rounds`` one-on-one rounds with fresh capacity each; no pair meets twice. Pins hold in round 1."""
    if rounds < 1:
        raise ValueError("flash mentoring needs at least one round")
    met = np.zeros((scores.n_mentees, scores.n_mentors), dtype=bool)
    parts, proofs = [], []
    for r in range(rounds):
        found = solve(Subset(scores, np.arange(scores.n_mentees), forbid=met), capacity, method,
                      seed=seed + r, pinned=pinned if r == 0 else None, **kw)
        links = _matched_links(found, r)
        met[links.mentee, links.mentor] = True
        parts.append(links)
        proofs.append(found.proof)
    return _concat(parts, {"rounds": proofs})


def mosaic(scores: ScoreSource, capacity: np.ndarray, method: str, *, mentors: int, marginal, seed: int,
           pinned=None, **kw) -> Links:
    """Up to ``mentors`` mentors per mentee, each round scored on the needs still uncovered.

    ``marginal(covered_by, rows, block) -> block`` rescores a block given
    ``covered_by`` (list of mentor arrays per round, -1 for none) or returns
    it unchanged when the skills criterion is not in use.
    """
    cap = np.asarray(capacity, dtype=np.int64).copy()
    met = np.zeros((scores.n_mentees, scores.n_mentors), dtype=bool)
    parts, proofs, history = [], [], []
    for r in range(mentors):
        earlier = list(history)
        source = Subset(scores, np.arange(scores.n_mentees), forbid=met,
                        adjust=(lambda rows, block, earlier=earlier: marginal(earlier, rows, block)) if r else None)
        found = solve(source, cap, method, seed=seed + r, pinned=pinned if r == 0 else None, **kw)
        links = _matched_links(found, r)
        if not len(links.mentee):
            break
        met[links.mentee, links.mentor] = True
        np.subtract.at(cap, links.mentor, 1)
        history.append(found.mentor_of)
        parts.append(links)
        proofs.append(found.proof)
    return _concat(parts, {"rounds": proofs})


def _jaccard(wants: list[frozenset[str]], a: int, b: int) -> float:
    union = wants[a] | wants[b]
    return len(wants[a] & wants[b]) / len(union) if union else 0.0


def group(scores: ScoreSource, capacity: np.ndarray, method: str, *, group_size: int,
          wants: list[frozenset[str]], pinned=None, passes: int = 3, **kw) -> Links:
    """Groups of up to ``group_size`` mentees per mentor (mentors offering any capacity), then cohesion swaps."""
    cap = np.where(np.asarray(capacity) > 0, group_size, 0)
    found = solve(scores, cap, method, pinned=pinned, **kw)
    mentor_of = found.mentor_of.copy()
    fixed = set() if pinned is None else {int(i) for i in np.asarray(pinned)[:, 0]}
    matched = np.flatnonzero(mentor_of >= 0)
    rows = scores.block(matched) if len(matched) else np.zeros((0, scores.n_mentors), np.float32)
    row_of = {int(i): k for k, i in enumerate(matched)}
    members: dict[int, list[int]] = {}
    for i in matched:
        members.setdefault(int(mentor_of[i]), []).append(int(i))

    def value(i: int, j: int, mates: list[int]) -> float:
        return float(rows[row_of[i], j]) + COHESION * sum(_jaccard(wants, i, o) for o in mates if o != i)

    swaps = 0
    for _ in range(passes):
        improved = False
        for a in matched:
            a = int(a)
            ja = int(mentor_of[a])
            if a in fixed:
                continue
            options = np.argsort(-rows[row_of[a]], kind="stable")[:SWAP_GROUPS]
            for jb in (int(j) for j in options if j != ja and int(j) in members):
                if not np.isfinite(rows[row_of[a], jb]):
                    break
                rest_a = [o for o in members[ja] if o != a]
                for b in members[jb]:
                    if b in fixed or not np.isfinite(rows[row_of[b], ja]):
                        continue
                    rest_b = [o for o in members[jb] if o != b]
                    before = value(a, ja, rest_a) + value(b, jb, rest_b)
                    after = value(a, jb, rest_b) + value(b, ja, rest_a)
                    if after > before + 1e-9:
                        members[ja], members[jb] = [*rest_a, b], [*rest_b, a]
                        mentor_of[a], mentor_of[b] = jb, ja
                        swaps += 1
                        improved = True
                        break
                if mentor_of[a] != ja:
                    break
        if not improved:
            break
    e = np.flatnonzero(mentor_of >= 0)
    proof = dict(found.proof, cohesion_swaps=swaps)
    if swaps:
        proof["optimal_before_swaps"] = proof.pop("optimal", None)
    return _links(e, mentor_of[e], unit=mentor_of[e], proof=proof)


def peer(scores: ScoreSource, *, circle_size: int) -> Links:
    """Peer pairs (``circle_size`` 2) or circles of ``circle_size`` (3-6) among one set of people.

    ``scores`` is square: row and column ``i`` are the same person; the
    peers' score is the mean of both directions, allowed only when both are.
    """
    low, high = CIRCLE_SIZES
    if not low <= circle_size <= high:
        raise ValueError(f"peer circles have {low} to {high} people, not {circle_size}")
    n = scores.n_mentees
    if scores.n_mentors != n:
        raise ValueError("peer scores must be square")
    full = scores.block(np.arange(n)).astype(np.float64) if n else np.zeros((0, 0))
    both = (full + full.T) / 2  # -inf where either direction is forbidden
    np.fill_diagonal(both, -np.inf)
    if circle_size == 2:
        return _peer_pairs(both)
    return _peer_circles(both, circle_size)


def _peer_pairs(both: np.ndarray) -> Links:
    n = len(both)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    kk = min(PEER_CANDIDATES, max(n - 1, 1))
    if n > 1:
        top = np.argpartition(-both, kk - 1, axis=1)[:, :kk]
        for i in range(n):
            for j in top[i]:
                if np.isfinite(both[i, j]) and i != j:
                    graph.add_edge(i, int(j), weight=int(round((1 + both[i, j]) * 1_000_000)))
    pairs = sorted(tuple(sorted(p)) for p in nx.max_weight_matching(graph))
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    units = np.arange(len(pairs))
    return _links(a, b, unit=units, proof={"algorithm": "maximum-weight matching (NetworkX)",
                                           "candidates": kk, "pairs": len(pairs)})


def _peer_circles(both: np.ndarray, size: int) -> Links:
    n = len(both)
    allowed = np.isfinite(both)
    circle = np.full(n, -1, dtype=np.int64)
    circles: list[list[int]] = []
    open_count = allowed.sum(axis=1)
    for seed_person in np.argsort(open_count, kind="stable"):
        if circle[seed_person] >= 0:
            continue
        members = [int(seed_person)]
        while len(members) < size:
            free = np.flatnonzero((circle < 0) & allowed[members].all(axis=0))
            free = free[~np.isin(free, members)]
            if not len(free):
                break
            gain = both[np.ix_(members, free)].mean(axis=0)
            members.append(int(free[np.argmax(gain)]))
        if len(members) >= 2:
            for p in members:
                circle[p] = len(circles)
            circles.append(members)
    low = 3
    for c, members in enumerate(circles):  # circles too small: spread their people over circles with room
        if len(members) >= low:
            continue
        for p in list(members):
            room = [d for d, other in enumerate(circles) if d != c and len(other) >= low
                    and len(other) < CIRCLE_SIZES[1] and allowed[p, other].all()]
            if room:
                best = max(room, key=lambda d: both[p, circles[d]].mean())
                circles[best].append(p)
                members.remove(p)
                circle[p] = best
    a, b, u = [], [], []
    number = 0
    for members in circles:
        if len(members) < 2:
            for p in members:
                circle[p] = -1
            continue
        for x, p in enumerate(sorted(members)):
            for q in sorted(members)[x + 1:]:
                a.append(p)
                b.append(q)
                u.append(number)
        number += 1
    return _links(a, b, unit=u, proof={"algorithm": "greedy circles", "circles": number, "circle_size": size})


def _concat(parts: list[Links], proof: dict) -> Links:
    if not parts:
        return _links([], [], proof=proof)
    return Links(*(np.concatenate([getattr(p, name) for p in parts]) for name in ("mentee", "mentor", "unit",
                                                                                     "round")), proof=proof)
