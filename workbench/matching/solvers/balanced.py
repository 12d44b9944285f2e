"""Balanced group match rates: the best matching whose groups' match rates stay within a gap
(:func:`solve_balanced`), exact by min-cost flows with bounds on each group's matched mentees."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from workbench.matching.solvers.optimal import _allowed_pairs, solve_optimal
from workbench.matching.solvers.problem import Assignment, ScoreSource, _capacity, _result, total_score

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

