"""Matching solvers against brute force on small instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from workbench.matching.solvers import optimal, problem, stable
from workbench.matching.solvers import (
    Assignment,
    DenseScores,
    blocking_pairs,
    check_stability,
    group_gap,
    solve_balanced,
    solve_fair,
    solve_greedy,
    solve_max_coverage,
    solve_mentee_choice,
    solve_optimal,
    solve_random,
    solve_stable,
    total_score,
)


@st.composite
def instances(draw, max_mentees: int = 8, max_mentors: int = 4):
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n, m)), draw(st.sampled_from([1, 3]))).astype(np.float32)  # some ties
    scores[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.2, 0.5]))] = -np.inf
    capacity = rng.integers(0, 4, m)
    return scores, capacity


def gain(a: Assignment, base: float = 1.0) -> float:
    return base * a.n_matched + total_score(a)


def brute_gain(scores: np.ndarray, capacity: np.ndarray, base: float = 1.0) -> float:
    """Best sum of (base + score) by the assignment problem on capacity-expanded columns + one dummy per mentee."""
    n, m = scores.shape
    slots = [j for j in range(m) for _ in range(capacity[j])]
    g = np.full((n, len(slots) + n), -1e9)
    for c, j in enumerate(slots):
        ok = np.isfinite(scores[:, j])
        g[ok, c] = base + scores[ok, j]
    g[np.arange(n), len(slots) + np.arange(n)] = 0.0
    r, c = linear_sum_assignment(g, maximize=True)
    assert (g[r, c] > -1e8).all()
    return float(g[r, c].sum())


def feasible(a: Assignment, scores: np.ndarray, capacity: np.ndarray) -> None:
    n, m = scores.shape
    assert a.mentor_of.shape == (n,) and a.mentor_of.dtype == np.int64
    assert a.score.shape == (n,) and a.score.dtype == np.float32
    matched = a.mentor_of >= 0
    assert (a.mentor_of < m).all()
    assert (np.bincount(a.mentor_of[matched], minlength=m) <= capacity).all()
    assert np.isfinite(scores[np.flatnonzero(matched), a.mentor_of[matched]]).all()
    np.testing.assert_array_equal(a.score[matched], scores[np.flatnonzero(matched), a.mentor_of[matched]])
    assert np.isnan(a.score[~matched]).all()


def maximal(a: Assignment, scores: np.ndarray, capacity: np.ndarray) -> bool:
    """No unmatched mentee has an allowed mentor with capacity left."""
    load = np.bincount(a.mentor_of[a.mentor_of >= 0], minlength=scores.shape[1])
    free = load < capacity
    unmatched = a.mentor_of < 0
    return not (np.isfinite(scores[unmatched]) & free[None, :]).any()


def all_matchings(scores: np.ndarray, capacity: np.ndarray):
    n, m = scores.shape
    options = [[-1] + [j for j in range(m) if np.isfinite(scores[i, j])] for i in range(n)]
    for combo in itertools.product(*options):
        combo = np.array(combo, dtype=np.int64)
        if (np.bincount(combo[combo >= 0], minlength=m) <= capacity).all():
            yield combo


def as_assignment(mentor_of: np.ndarray, scores: np.ndarray) -> Assignment:
    score = np.array([scores[i, j] if j >= 0 else np.nan for i, j in enumerate(mentor_of)], dtype=np.float32)
    return Assignment(mentor_of=mentor_of, score=score, method="brute")


ALL = [
    lambda s, c: solve_optimal(s, c, k=1),
    lambda s, c: solve_max_coverage(s, c, k=2),
    lambda s, c: solve_fair(s, c, k=1),
    lambda s, c: solve_balanced(s, c, np.arange(s.n_mentees) % 2, gap=0.25),
    solve_greedy,
    lambda s, c: solve_random(s, c, seed=3),
    solve_stable,
    lambda s, c: solve_mentee_choice(s, c, top_k=2, seed=3),
]


@settings(max_examples=60, deadline=None)
@given(instances())
def test_every_method_respects_capacity_and_forbidden_pairs(inst) -> None:
    scores, capacity = inst
    for solve in ALL:
        feasible(solve(DenseScores(scores), capacity), scores, capacity)


@settings(max_examples=80, deadline=None)
@given(instances(), st.sampled_from([1, 2, 20]))
def test_optimal_equals_brute_force_and_beats_greedy_and_stable(inst, k) -> None:
    scores, capacity = inst
    src = DenseScores(scores)
    best = solve_optimal(src, capacity, k=k)
    assert best.method == "optimal" and best.proof["optimal"] is True
    assert best.proof["objective"] == best.proof["dual_bound"]
    assert gain(best) == pytest.approx(brute_gain(scores, capacity), abs=1e-5 * (len(scores) + 1))
    assert gain(best) >= gain(solve_greedy(src, capacity)) - 1e-5
    assert gain(best) >= gain(solve_stable(src, capacity)) - 1e-5
    assert maximal(best, scores, capacity)  # unmatched only when no eligible capacity remains


@settings(max_examples=80, deadline=None)
@given(instances(), st.sampled_from([1, 20]))
def test_max_coverage_matches_the_most_then_the_best_total(inst, k) -> None:
    scores, capacity = inst
    n = len(scores)
    cover = solve_max_coverage(DenseScores(scores), capacity, k=k)
    most = round(brute_gain(scores, capacity, base=1e4) / 1e4)  # maximum cardinality
    assert cover.n_matched == most
    big = n + 1.0
    assert gain(cover, big) == pytest.approx(brute_gain(scores, capacity, base=big), abs=1e-4)
    assert cover.n_matched >= solve_optimal(DenseScores(scores), capacity, k=k).n_matched


def test_optimal_trades_a_match_for_score_where_max_coverage_does_not() -> None:
    # two mentees on perfect pairs, or three on pairs of score 0: 2 x (1 + 1) = 4 > 3 x (1 + 0)
    inf = -np.inf
    scores = np.array([[1.0, 0.0, inf], [inf, 1.0, 0.0], [0.0, inf, inf]], dtype=np.float32)
    capacity = np.array([1, 1, 1])
    best = solve_optimal(DenseScores(scores), capacity)
    assert best.n_matched == 2 and total_score(best) == 2.0
    cover = solve_max_coverage(DenseScores(scores), capacity)
    assert cover.n_matched == 3 and total_score(cover) == 0.0


def brute_fair(scores: np.ndarray, capacity: np.ndarray) -> tuple[int, float]:
    best_n, best_min = 0, np.inf
    for combo in all_matchings(scores, capacity):
        matched = combo >= 0
        k = int(matched.sum())
        worst = float(scores[np.flatnonzero(matched), combo[matched]].min()) if k else np.inf
        if k > best_n or (k == best_n and worst > best_min):
            best_n, best_min = k, worst
    return best_n, best_min


@settings(max_examples=60, deadline=None)
@given(instances(max_mentees=5, max_mentors=3))
def test_fair_maximises_the_worst_score_among_maximum_matchings(inst) -> None:
    scores, capacity = inst
    src = DenseScores(scores)
    fair = solve_fair(src, capacity, k=1)
    most, worst = brute_fair(scores, capacity)
    assert fair.n_matched == most
    if most:
        assert float(np.nanmin(fair.score)) == pytest.approx(worst)
        cover = solve_max_coverage(src, capacity)
        assert np.nanmin(fair.score) >= np.nanmin(cover.score)
        # then the best total among maximum matchings whose worst score is that high
        kept = np.where(scores >= np.float32(worst), scores, -np.inf).astype(np.float32)
        assert total_score(fair) == pytest.approx(brute_gain(kept, capacity, base=100.0) - 100.0 * most, abs=1e-4)


def preferences_from_scores(scores: np.ndarray):
    n, m = scores.shape
    mentee = [[j for j in sorted(range(m), key=lambda j: (-scores[i, j], j)) if np.isfinite(scores[i, j])]
              for i in range(n)]
    mentor = [[i for i in sorted(range(n), key=lambda i: (-scores[i, j], i)) if np.isfinite(scores[i, j])]
              for j in range(m)]
    return mentee, mentor


def brute_blocking(mentor_of, mentee_lists, mentor_lists, capacity) -> int:
    count = 0
    for i, prefs in enumerate(mentee_lists):
        for j in prefs:
            if i not in mentor_lists[j] or j == mentor_of[i]:
                continue
            if mentor_of[i] >= 0 and prefs.index(j) > prefs.index(mentor_of[i]):
                continue
            held = [h for h in range(len(mentor_of)) if mentor_of[h] == j]
            if len(held) < capacity[j] or (held and max(mentor_lists[j].index(h) for h in held) > mentor_lists[j].index(i)):
                count += 1
    return count


def pad(lists, width: int) -> np.ndarray:
    out = np.full((len(lists), max(1, width)), -1, dtype=np.int64)
    for r, row in enumerate(lists):
        out[r, :len(row)] = row
    return out


def check_mentee_optimal_stable(a, scores, capacity, mentee_lists, mentor_lists) -> None:
    acceptable = [combo for combo in all_matchings(scores, capacity)
                  if all(combo[i] < 0 or (combo[i] in mentee_lists[i] and i in mentor_lists[combo[i]])
                         for i in range(len(combo)))]
    stable = [combo for combo in acceptable if brute_blocking(combo, mentee_lists, mentor_lists, capacity) == 0]
    assert any((a.mentor_of == combo).all() for combo in stable)

    def rank(i, j):
        return mentee_lists[i].index(j) if j >= 0 else len(scores[0]) + 1

    for combo in stable:  # every mentee does at least as well as in any stable matching
        assert all(rank(i, a.mentor_of[i]) <= rank(i, combo[i]) for i in range(len(combo)))


@settings(max_examples=60, deadline=None)
@given(instances(max_mentees=5, max_mentors=3))
def test_stable_from_scores_is_the_mentee_optimal_stable_matching(inst) -> None:
    scores, capacity = inst
    src = DenseScores(scores)
    a = solve_stable(src, capacity)
    assert check_stability(a, src, capacity)
    mentee_lists, mentor_lists = preferences_from_scores(scores)
    check_mentee_optimal_stable(a, scores, capacity, mentee_lists, mentor_lists)


@settings(max_examples=60, deadline=None)
@given(instances(max_mentees=5, max_mentors=3), st.integers(0, 2**32 - 1))
def test_stable_with_explicit_preferences(inst, seed) -> None:
    scores, capacity = inst
    n, m = scores.shape
    rng = np.random.default_rng(seed)
    mentee_lists = [list(rng.permutation(m)[:rng.integers(0, m + 1)]) for _ in range(n)]
    mentor_lists = [list(rng.permutation(n)[:rng.integers(0, n + 1)]) for _ in range(m)]
    src = DenseScores(scores)
    kw = {"mentee_prefs": pad(mentee_lists, m), "mentor_prefs": pad(mentor_lists, n)}
    a = solve_stable(src, capacity, **kw)
    feasible(a, scores, capacity)
    assert check_stability(a, src, capacity, **kw)
    allowed_mentee = [[j for j in row if np.isfinite(scores[i, j])] for i, row in enumerate(mentee_lists)]
    allowed_mentor = [[i for i in row if np.isfinite(scores[i, j])] for j, row in enumerate(mentor_lists)]
    assert brute_blocking(a.mentor_of, allowed_mentee, allowed_mentor, capacity) == 0
    check_mentee_optimal_stable(a, scores, capacity, allowed_mentee, allowed_mentor)


@settings(max_examples=60, deadline=None)
@given(instances())
def test_greedy_takes_the_best_pairs_first_and_blocking_pairs_counts(inst) -> None:
    scores, capacity = inst
    n, m = scores.shape
    pairs = sorted(((i, j) for i in range(n) for j in range(m) if np.isfinite(scores[i, j])),
                   key=lambda p: (-scores[p], p[0], p[1]))
    mentor_of, left = np.full(n, -1), capacity.copy()
    for i, j in pairs:
        if mentor_of[i] < 0 and left[j] > 0:
            mentor_of[i], left[j] = j, left[j] - 1
    src = DenseScores(scores)
    np.testing.assert_array_equal(solve_greedy(src, capacity).mentor_of, mentor_of)
    mentee_lists, mentor_lists = preferences_from_scores(scores)
    for solve in ALL:
        a = solve(src, capacity)
        assert blocking_pairs(a, src, capacity) == brute_blocking(a.mentor_of, mentee_lists, mentor_lists, capacity)


@settings(max_examples=30, deadline=None)
@given(instances(), st.integers(0, 1000))
def test_seeded_methods_repeat(inst, seed) -> None:
    scores, capacity = inst
    src = DenseScores(scores)
    for solve in (solve_random, solve_mentee_choice):
        a, b = solve(src, capacity, seed=seed), solve(src, capacity, seed=seed)
        np.testing.assert_array_equal(a.mentor_of, b.mentor_of)
    assert maximal(solve_random(src, capacity, seed=seed), scores, capacity)


def test_mentee_choice_takes_the_best_open_mentor_of_the_shortlist() -> None:
    scores = np.array([[0.9, 0.8, 0.1], [0.9, 0.8, 0.1], [0.9, 0.8, 0.1]], dtype=np.float32)
    a = solve_mentee_choice(DenseScores(scores), np.array([1, 1, 1]), top_k=2, seed=0)
    assert sorted(a.mentor_of.tolist()) == [-1, 0, 1]  # the third arrival's shortlist is full


def test_random_differs_across_seeds() -> None:
    scores = np.random.default_rng(0).random((40, 10)).astype(np.float32)
    runs = {tuple(solve_random(DenseScores(scores), np.full(10, 4), seed=s).mentor_of) for s in range(5)}
    assert len(runs) > 1


def popular(n: int, m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scores = (0.5 * rng.random(m)[None, :] + 0.5 * rng.random((n, m))).astype(np.float32)
    scores[rng.random((n, m)) < 0.1] = -np.inf
    return scores


@pytest.mark.parametrize("seed", [0, 1])
def test_top_k_trap_is_closed_by_the_proof(seed) -> None:
    n, m = 60, 20
    scores = popular(n, m, seed)
    capacity = np.random.default_rng(seed).integers(1, 3, m)
    a = solve_optimal(DenseScores(scores), capacity, k=2)
    assert a.proof["optimal"] and a.proof["rounds"] > 1 and a.proof["pairs_added"] > 0
    assert a.proof["top_k_objective"] < a.proof["objective"]  # top-k alone fell short
    assert gain(a) == pytest.approx(brute_gain(scores, capacity), abs=1e-4)


def test_proof_holds_with_small_blocks(monkeypatch) -> None:
    monkeypatch.setattr(problem, "BLOCK_CELLS", 7)  # a few rows per block
    scores = popular(30, 8, 2)
    capacity = np.full(8, 2)
    a = solve_optimal(DenseScores(scores), capacity, k=1)
    assert gain(a) == pytest.approx(brute_gain(scores, capacity), abs=1e-4)


def test_pinned_pairs_are_kept() -> None:
    scores = popular(30, 8, 3)
    scores[0, 5], scores[1, 5] = 0.0, 0.0  # poor pairs the solver would not choose
    capacity = np.full(8, 2)
    pins = [(0, 5), (1, 5)]
    for solve in (solve_optimal, solve_max_coverage, solve_fair):
        a = solve(DenseScores(scores), capacity, pinned=pins, k=3)
        assert a.mentor_of[0] == 5 and a.mentor_of[1] == 5
        assert a.proof["pinned"] == 2
        feasible(a, scores, capacity)
    rest = np.delete(scores, [0, 1], axis=0)
    cap_rest = capacity.copy()
    cap_rest[5] = 0
    a = solve_optimal(DenseScores(scores), capacity, pinned=pins)
    assert gain(a) == pytest.approx(2 * 1.0 + brute_gain(rest, cap_rest), abs=1e-4)


def test_bad_input_is_refused() -> None:
    scores = DenseScores(np.array([[0.5, -np.inf]], dtype=np.float32))
    with pytest.raises(ValueError):
        solve_optimal(scores, np.array([1]))
    with pytest.raises(ValueError):
        solve_optimal(scores, np.array([1, -1]))
    with pytest.raises(ValueError):
        solve_optimal(scores, np.array([1, 1]), pinned=[(0, 1)])  # forbidden pair
    with pytest.raises(ValueError):
        solve_optimal(scores, np.array([0, 1]), pinned=[(0, 0)])  # no capacity
    with pytest.raises(ValueError):
        DenseScores(np.array([[1.5]]))
    with pytest.raises(ValueError):
        DenseScores(np.array([[np.nan]]))


def test_empty_and_zero_capacity() -> None:
    scores = DenseScores(np.random.default_rng(0).random((4, 3)).astype(np.float32))
    for solve in ALL:
        a = solve(scores, np.zeros(3, dtype=int))
        assert a.n_matched == 0 and np.isnan(a.score).all() and total_score(a) == 0.0


# --------------------------------------------------------------------------
# The lean and blockwise machinery against plain dense computations
# --------------------------------------------------------------------------


def dense_stable(scores: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Deferred acceptance on whole lists: mentees by score (ties: lower mentor), mentors the same way."""
    n, m = scores.shape
    block = np.where((capacity > 0)[None, :], scores, -np.inf).astype(np.float32)
    order = np.argsort(-block, axis=1, kind="stable")
    ranked = np.take_along_axis(block, order, axis=1)
    lists = np.where(np.isfinite(ranked), order, -1)
    length = np.isfinite(ranked).sum(axis=1)
    return stable._deferred_acceptance(n, m, capacity, lists, length, lambda i, j, pos: -ranked[i, pos].astype(float))


@st.composite
def tied_instances(draw):
    n, m = draw(st.integers(1, 30)), draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = (rng.integers(0, draw(st.sampled_from([2, 4, 50])), (n, m)) / 4).astype(np.float32)  # many ties
    scores[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.3, 0.7]))] = -np.inf
    return np.minimum(scores, 1).astype(np.float32), rng.integers(0, 4, m)


@settings(max_examples=150, deadline=None)
@given(tied_instances(), st.sampled_from([1, 2, 32]), st.sampled_from([7, 64, 1 << 22]))
def test_lean_stable_equals_whole_lists(inst, prefix, cells) -> None:
    scores, capacity = inst
    kept = stable.STABLE_PREFIX, problem.BLOCK_CELLS
    stable.STABLE_PREFIX, problem.BLOCK_CELLS = prefix, cells
    try:
        a = solve_stable(DenseScores(scores), capacity)
        g = solve_greedy(DenseScores(scores), capacity)
    finally:
        stable.STABLE_PREFIX, problem.BLOCK_CELLS = kept
    expected = dense_stable(scores, capacity)
    np.testing.assert_array_equal(a.mentor_of, expected)
    np.testing.assert_array_equal(g.mentor_of, expected)


def dense_blocking(mentor_of: np.ndarray, scores: np.ndarray, capacity: np.ndarray) -> int:
    """Blocking pairs from whole rank matrices (both sides by score), for any assignment."""
    n, m = scores.shape
    mentee_rank, mentor_rank = stable._preferences(DenseScores(scores), capacity, None, None)
    matched = mentor_of >= 0
    current = np.full(n, np.inf)
    current[matched] = mentee_rank[np.flatnonzero(matched), mentor_of[matched]]
    worst = np.full(m, -np.inf)
    np.maximum.at(worst, mentor_of[matched], mentor_rank[mentor_of[matched], np.flatnonzero(matched)])
    room = np.bincount(mentor_of[matched], minlength=m) < capacity
    wants = (mentee_rank < current[:, None]) & (room[None, :] | (mentor_rank.T < worst[None, :]))
    return int((wants & np.isfinite(mentee_rank) & np.isfinite(mentor_rank.T)).sum())


@settings(max_examples=100, deadline=None)
@given(tied_instances(), st.integers(0, 2**32 - 1), st.sampled_from([5, 1 << 22]))
def test_blocking_pairs_by_scores_block_by_block(inst, seed, cells) -> None:
    scores, capacity = inst
    n, m = scores.shape
    rng = np.random.default_rng(seed)
    mentor_of = np.where(rng.random(n) < 0.6, rng.integers(0, m, n), -1)  # any assignment, even a forbidden pair
    kept = problem.BLOCK_CELLS
    problem.BLOCK_CELLS = cells
    try:
        found = blocking_pairs(as_assignment(mentor_of, scores), DenseScores(scores), capacity)
        stable_ = check_stability(as_assignment(mentor_of, scores), DenseScores(scores), capacity)
    finally:
        problem.BLOCK_CELLS = kept
    assert found == dense_blocking(mentor_of, scores, capacity)
    assert stable_ == (found == 0)


@settings(max_examples=60, deadline=None)
@given(tied_instances(), st.sampled_from([1, 3]), st.sampled_from([1, 2, 64]), st.sampled_from([1, 3, 512]))
def test_optimal_with_few_kept_pairs_proves_by_rescanning(inst, k, per_mentee, per_mentor) -> None:
    scores, capacity = inst
    kept = optimal.KNOWN_PER_MENTEE, optimal.KNOWN_PER_MENTOR, optimal.SAMPLE_ROWS, optimal.HELD_CELLS
    optimal.KNOWN_PER_MENTEE, optimal.KNOWN_PER_MENTOR, optimal.SAMPLE_ROWS = per_mentee, per_mentor, 4
    optimal.HELD_CELLS = 0
    try:
        best = solve_optimal(DenseScores(scores), capacity, k=k)
        cover = solve_max_coverage(DenseScores(scores), capacity, k=k)
    finally:
        optimal.KNOWN_PER_MENTEE, optimal.KNOWN_PER_MENTOR, optimal.SAMPLE_ROWS, optimal.HELD_CELLS = kept
    assert best.proof["optimal"] and best.proof["objective"] == best.proof["dual_bound"]
    assert gain(best) == pytest.approx(brute_gain(scores, capacity), abs=1e-5 * (len(scores) + 1))
    assert cover.n_matched == round(brute_gain(scores, capacity, base=1e4) / 1e4)
    feasible(best, scores, capacity)


@settings(max_examples=60, deadline=None)
@given(tied_instances(), st.integers(1, 5), st.sampled_from([0, 1, 1 << 24]))
def test_candidate_bounds_hold_for_every_pair_left_out(inst, k, held) -> None:
    scores, capacity = inst
    n, m = scores.shape
    open_ = capacity > 0
    kept = optimal.KNOWN_PER_MENTEE, optimal.KNOWN_PER_MENTOR, optimal.SAMPLE_ROWS, optimal.HELD_CELLS
    optimal.KNOWN_PER_MENTEE, optimal.KNOWN_PER_MENTOR, optimal.SAMPLE_ROWS, optimal.HELD_CELLS = 2, 3, 5, held
    try:
        (gi, gj, gs), kept_pairs, row_bound, column_bound = optimal._candidates(
            DenseScores(scores), np.arange(n), open_, k)
        ki, kj, ks = kept_pairs.pairs()
    finally:
        optimal.KNOWN_PER_MENTEE, optimal.KNOWN_PER_MENTOR, optimal.SAMPLE_ROWS, optimal.HELD_CELLS = kept
    graph, known = set(zip(gi.tolist(), gj.tolist())), set(zip(ki.tolist(), kj.tolist()))
    assert graph <= known and len(graph) == len(gi)
    np.testing.assert_array_equal(gs, scores[gi, gj])
    np.testing.assert_array_equal(ks, scores[ki, kj])
    for i in range(n):
        row = [j for j in range(m) if open_[j] and np.isfinite(scores[i, j])]
        best = sorted(row, key=lambda j: -scores[i, j])[:k]
        assert {scores[i, j] for j in best} <= {scores[i, j] for j in row if (i, j) in graph}
        for j in row:
            if (i, j) not in known:
                assert scores[i, j] <= row_bound[i] and scores[i, j] <= column_bound[j]


def test_potentials_are_shortest_distances_from_a_virtual_root() -> None:
    rng = np.random.default_rng(4)
    src, dst = rng.integers(0, 30, 120), rng.integers(0, 30, 120)
    cost = rng.integers(0, 50, 120)  # non-negative: no negative cycle
    d = optimal._potentials(30, src, dst, cost)
    expected = np.zeros(30, dtype=np.int64)
    for _ in range(31):
        np.minimum.at(expected, dst, expected[src] + cost)
    np.testing.assert_array_equal(d, expected)
    with pytest.raises(RuntimeError, match="negative cycle"):
        optimal._potentials(2, np.array([0, 1]), np.array([1, 0]), np.array([-1, -1]))


def test_threads_do_not_change_the_result(monkeypatch) -> None:
    scores = popular(80, 20, 5)
    capacity = np.random.default_rng(5).integers(1, 4, 20)
    monkeypatch.setattr(problem, "BLOCK_CELLS", 100)  # many blocks
    found = {}
    for threads in (1, 2):
        monkeypatch.setattr(problem, "THREADS", threads)
        found[threads] = [solve(DenseScores(scores), capacity).mentor_of for solve in (
            solve_optimal, solve_max_coverage, solve_stable, lambda s, c: solve_optimal(s, c, k=2))]
    for a, b in zip(found[1], found[2]):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- stated choices


@st.composite
def stated_games(draw, max_mentees: int = 9, max_mentors: int = 5):
    """A scored instance (ties, forbidden pairs, capacities 0-3) and stated choices: on neither, one or both
    sides, each person stating nothing, some or everyone, with tied ranks."""
    scores, capacity = draw(instances(max_mentees, max_mentors))
    n, m = scores.shape
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sides = []
    for rows, cols, share in ((n, m, draw(st.sampled_from([0.0, 0.5, 1.0]))),
                              (m, n, draw(st.sampled_from([0.0, 0.5, 1.0])))):
        ties = draw(st.sampled_from([2, 1000]))
        triples = [(a, b, float(rng.integers(1, ties))) for a in range(rows) if rng.random() < share
                   for b in rng.permutation(cols)[:rng.integers(1, cols + 1)]]
        sides.append(np.array(triples, dtype=float).reshape(-1, 3))
    e, r = sides
    stated = stable.Stated((e[:, 0].astype(np.int64), e[:, 1].astype(np.int64), e[:, 2]),
                            (r[:, 1].astype(np.int64), r[:, 0].astype(np.int64), r[:, 2]))
    return scores, capacity, stated


def stated_lists(scores: np.ndarray, capacity: np.ndarray, stated) -> tuple[list[list[int]], list[list[int]]]:
    """Each side's whole list, written plainly: stated choices by rank (ties: higher score, then lower index),
    then everyone else allowed by score (ties: lower index); forbidden pairs and full mentors left out."""
    n, m = scores.shape
    by_mentee = {(int(i), int(j)): r for i, j, r in zip(*stated.by_mentee)}
    by_mentor = {(int(i), int(j)): r for i, j, r in zip(*stated.by_mentor)}
    mentee_lists = [sorted((j for j in range(m) if np.isfinite(scores[i, j]) and capacity[j] > 0),
                           key=lambda j: (by_mentee.get((i, j), np.inf), -scores[i, j], j)) for i in range(n)]
    mentor_lists = [sorted((i for i in range(n) if np.isfinite(scores[i, j])) if capacity[j] > 0 else [],
                           key=lambda i: (by_mentor.get((i, j), np.inf), -scores[i, j], i)) for j in range(m)]
    return mentee_lists, mentor_lists


class BlocksOnly:
    """A score source that serves whole rows only (no ``pairs``)."""

    def __init__(self, scores: np.ndarray) -> None:
        self.dense = DenseScores(scores)
        self.n_mentees, self.n_mentors = scores.shape

    def block(self, mentees: np.ndarray) -> np.ndarray:
        return self.dense.block(mentees)


@settings(max_examples=150, deadline=None)
@given(stated_games(), st.booleans())
def test_stable_with_stated_choices_is_the_matching_packages_resident_optimal_matching(game, rows_only) -> None:
    """Against the ``matching`` package's HospitalResident game (resident-optimal) on the same whole lists."""
    from matching.games import HospitalResident

    scores, capacity, stated = game
    src = BlocksOnly(scores) if rows_only else DenseScores(scores)
    a = solve_stable(src, capacity, stated=stated)
    feasible(a, scores, capacity)
    assert blocking_pairs(a, src, capacity, stated=stated) == 0
    mentee_lists, mentor_lists = stated_lists(scores, capacity, stated)
    assert brute_blocking(a.mentor_of, mentee_lists, mentor_lists, capacity) == 0
    residents = {i: row for i, row in enumerate(mentee_lists) if row}
    hospitals = {j: row for j, row in enumerate(mentor_lists) if row}
    expected = np.full(len(scores), -1)
    if residents:
        game = HospitalResident.create_from_dictionaries(residents, hospitals,
                                                         {j: int(capacity[j]) for j in hospitals})
        for hospital, matched in game.solve(optimal="resident").items():
            expected[[r.name for r in matched]] = hospital.name
    assert a.mentor_of.tolist() == expected.tolist()


@settings(max_examples=150, deadline=None)
@given(stated_games(), st.integers(0, 2**32 - 1), st.sampled_from([5, 1 << 22]))
def test_blocking_pairs_with_stated_choices_against_a_plain_scan(game, seed, cells) -> None:
    """Any matching (allowed pairs within capacity), counted block by block against every pair checked plainly."""
    scores, capacity, stated = game
    n, m = scores.shape
    rng = np.random.default_rng(seed)
    mentor_of, load = np.full(n, -1), np.zeros(m, dtype=int)
    for i in range(n):
        options = [j for j in range(m) if np.isfinite(scores[i, j]) and load[j] < capacity[j]]
        if options and rng.random() < 0.7:
            mentor_of[i] = options[rng.integers(len(options))]
            load[mentor_of[i]] += 1
    kept = problem.BLOCK_CELLS
    problem.BLOCK_CELLS = cells
    try:
        found = blocking_pairs(as_assignment(mentor_of, scores), DenseScores(scores), capacity, stated=stated)
    finally:
        problem.BLOCK_CELLS = kept
    mentee_lists, mentor_lists = stated_lists(scores, capacity, stated)
    assert found == brute_blocking(mentor_of, mentee_lists, mentor_lists, capacity)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 6), st.sampled_from([40, 700, 3000]), st.sampled_from([2, 5, 1000]), st.floats(0, 0.9),
       st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_kth_best_is_the_partition_value(rows, m, levels, forbidden, k, seed) -> None:
    # a guess from a sample of columns, then a sort of the few above it: the same as a full partition, with
    # many equal scores, forbidden pairs and rows with fewer than k allowed mentors
    rng = np.random.default_rng(seed)
    block = (rng.integers(0, levels, (rows, m)) / (levels - 1)).astype(np.float32)
    block[rng.random((rows, m)) < forbidden] = -np.inf
    block[0, rng.random(m) < 0.99] = -np.inf
    expected = np.partition(block, m - k - 1, axis=1)[:, m - k - 1] if k < m else np.full(rows, -np.inf)
    np.testing.assert_array_equal(optimal._kth_best(block, k), expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 30), st.integers(0, 2**32 - 1), st.sampled_from([10**6, 10**6 * 41]))
def test_held_scores_are_checked_like_kept_pair_lists(n, m, seed, base) -> None:
    # the matrix checked block by block in float64 gives the same reduced gains as the pair lists in integers
    rng = np.random.default_rng(seed)
    full = rng.random((n, m)).astype(np.float32)
    full[rng.random((n, m)) < 0.3] = -np.inf
    u = base + rng.integers(-10**6, 10**6, n)
    v = rng.integers(0, 10**6, m)
    held = optimal._HeldPairs(full)
    kept = optimal._KeptPairs(*held.pairs())
    assert len(held) == len(kept) == np.isfinite(full).sum()
    for slack in (0, 20_000, 10**6):
        a, b = held.check(u, v, base, 1e6, slack, chunk=3 * m), kept.check(u, v, base, 1e6, slack)
        assert a[0] == b[0] and a[2] == b[2]
        assert sorted(zip(*(x.tolist() for x in a[1]))) == sorted(zip(*(x.tolist() for x in b[1])))


def brute_balanced(scores: np.ndarray, capacity: np.ndarray, groups: np.ndarray, gap: float,
                   sizes: np.ndarray, already: np.ndarray) -> float | None:
    """Best ``matched + total score`` over every matching whose group rates are within ``gap``; None if none is."""
    held = sizes > 0
    best = None
    for combo in all_matchings(scores, capacity):
        matched = already + np.bincount(groups[combo >= 0], minlength=len(already))
        if group_gap(matched[held], sizes[held]) <= gap + 1e-12:
            value = gain(as_assignment(combo, scores))
            best = value if best is None else max(best, value)
    return best


@settings(max_examples=60, deadline=None)
@given(instances(max_mentees=6, max_mentors=3), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.1, 0.34, 0.5]),
       st.booleans())
def test_balanced_is_the_best_matching_within_the_gap(inst, seed, gap, pinned) -> None:
    scores, capacity = inst
    rng = np.random.default_rng(seed)
    n_groups = int(rng.integers(1, 4))
    groups = rng.integers(0, n_groups, len(scores))
    already = rng.integers(0, 2, n_groups) if pinned else np.zeros(n_groups, np.int64)
    sizes = np.bincount(groups, minlength=n_groups) + already  # pinned people are in their group too
    a = solve_balanced(DenseScores(scores), capacity, groups, gap=gap, sizes=sizes, already=already)
    feasible(a, scores, capacity)
    best = brute_balanced(scores, capacity, groups, gap, sizes, already)
    matched = already + np.bincount(groups[a.mentor_of >= 0], minlength=n_groups)
    held = sizes > 0
    if best is None:  # no matching meets the gap: the best total fit, said so
        assert a.proof["gap_met"] is False
        assert gain(a) == pytest.approx(brute_gain(scores, capacity), abs=1e-5 * (len(scores) + 1))
    else:
        assert a.proof["gap_met"] is True
        assert group_gap(matched[held], sizes[held]) <= gap + 1e-12
        assert a.proof["largest_gap"] == pytest.approx(group_gap(matched[held], sizes[held]))
        assert gain(a) == pytest.approx(best, abs=1e-5 * (len(scores) + 1))
        # what balancing cost is measured against the best total fit, which it never beats
        assert a.proof["balanced_matched"] + a.proof["balanced_total"] == pytest.approx(gain(a), abs=1e-4)
        assert a.proof["unbalanced_matched"] + a.proof["unbalanced_total"] >= gain(a) - 1e-4


def test_balanced_gives_up_score_to_even_the_groups() -> None:
    # one mentor, two places; group 0 fits far better, so the best total matches only group 0
    scores = np.array([[0.9], [0.9], [0.1], [0.1]], dtype=np.float32)
    groups = np.array([0, 0, 1, 1])
    best = solve_optimal(DenseScores(scores), np.array([2]))
    assert sorted(np.flatnonzero(best.mentor_of >= 0)) == [0, 1]
    even = solve_balanced(DenseScores(scores), np.array([2]), groups, gap=0.0)
    assert (even.mentor_of >= 0).tolist().count(True) == 2
    assert np.bincount(groups[even.mentor_of >= 0], minlength=2).tolist() == [1, 1]
    assert even.proof["optimal"] is True and even.proof["unbalanced_total"] == pytest.approx(1.8)
    assert even.proof["balanced_total"] == pytest.approx(1.0)
    # ungrouped mentees (-1) are free: the gap binds groups 0 and 1 only
    free = solve_balanced(DenseScores(scores), np.array([2]), np.array([-1, -1, 0, 1]), gap=0.0)
    assert sorted(np.flatnonzero(free.mentor_of >= 0)) == [0, 1]
