"""Program structures: capacities, rules, no repeats, group and circle sizes, exactness of peer pairs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.matching import structures
from workbench.matching.solvers import DenseScores
from workbench.matching.structures import METHODS


@st.composite
def instances(draw, max_mentees: int = 9, max_mentors: int = 4):
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = np.round(rng.random((n, m)), 2).astype(np.float32)
    scores[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.3, 0.6]))] = -np.inf
    return DenseScores(scores), rng.integers(0, 4, m)


def check_links(links, scores: DenseScores) -> None:
    """Every link is an allowed pair and appears once."""
    assert np.isfinite(scores.matrix[links.mentee, links.mentor]).all()
    seen = list(zip(links.mentee.tolist(), links.mentor.tolist()))
    assert len(seen) == len(set(seen))


@settings(max_examples=60, deadline=None)
@given(instances(), st.sampled_from(METHODS), st.integers(0, 5))
def test_one_on_one_respects_capacity_rules_and_repeats(instance, method, seed):
    scores, capacity = instance
    links = structures.one_on_one(scores, capacity, method, seed=seed)
    check_links(links, scores)
    assert len(np.unique(links.mentee)) == len(links.mentee)
    assert (np.bincount(links.mentor, minlength=scores.n_mentors) <= capacity).all()
    again = structures.one_on_one(scores, capacity, method, seed=seed)
    assert np.array_equal(links.mentee, again.mentee) and np.array_equal(links.mentor, again.mentor)


@settings(max_examples=40, deadline=None)
@given(instances(), st.sampled_from(["optimal", "greedy", "stable", "random"]), st.integers(1, 4))
def test_flash_rounds_never_repeat_a_pair(instance, method, rounds):
    scores, capacity = instance
    links = structures.flash(scores, capacity, method, rounds=rounds, seed=0)
    check_links(links, scores)
    assert set(links.round.tolist()) <= set(range(rounds))
    for r in range(rounds):
        in_round = links.round == r
        assert len(np.unique(links.mentee[in_round])) == in_round.sum()
        assert (np.bincount(links.mentor[in_round], minlength=scores.n_mentors) <= capacity).all()


@settings(max_examples=40, deadline=None)
@given(instances(), st.integers(2, 3))
def test_mosaic_gives_distinct_mentors_within_total_capacity(instance, mentors):
    scores, capacity = instance
    links = structures.mosaic(scores, capacity, "optimal", mentors=mentors, seed=0,
                              marginal=lambda earlier, rows, block: block)
    check_links(links, scores)
    assert (np.bincount(links.mentee, minlength=scores.n_mentees) <= mentors).all()
    assert (np.bincount(links.mentor, minlength=scores.n_mentors) <= capacity).all()


def test_mosaic_second_mentor_only_when_rescoring_allows_it():
    scores = DenseScores(np.array([[0.9, 0.8, 0.1]], dtype=np.float32))

    def only_last(earlier, rows, block):  # round 2: only mentor 2 covers something new
        return np.where(np.arange(3)[None, :] == 2, block, -np.inf).astype(np.float32)

    links = structures.mosaic(scores, np.array([1, 1, 1]), "optimal", mentors=2, seed=0, marginal=only_last)
    assert sorted(zip(links.round.tolist(), links.mentor.tolist())) == [(0, 0), (1, 2)]


@settings(max_examples=40, deadline=None)
@given(instances(max_mentees=10, max_mentors=3), st.integers(2, 4))
def test_groups_stay_within_size_and_keep_everyone_matched(instance, size):
    scores, capacity = instance
    wants = [frozenset({"a"} if i % 2 else {"b"}) for i in range(scores.n_mentees)]
    plain = structures.one_on_one(scores, np.where(capacity > 0, size, 0), "optimal", seed=0)
    links = structures.group(scores, capacity, "optimal", group_size=size, wants=wants, seed=0)
    check_links(links, scores)
    assert (np.bincount(links.mentor, minlength=scores.n_mentors) <= np.where(capacity > 0, size, 0)).all()
    assert sorted(links.mentee.tolist()) == sorted(plain.mentee.tolist())  # swaps never change who is matched
    assert np.array_equal(links.unit, links.mentor)


def test_group_swaps_bring_shared_wants_together():
    # two mentors, equal scores: the optimum is indifferent, cohesion puts the 'a's and the 'b's together
    scores = DenseScores(np.full((4, 2), 0.5, dtype=np.float32))
    wants = [frozenset({"a"}), frozenset({"b"}), frozenset({"a"}), frozenset({"b"})]
    links = structures.group(scores, np.array([1, 1]), "optimal", group_size=2, wants=wants, seed=0)
    groups = {j: {i for i, g in zip(links.mentee, links.mentor) if g == j} for j in (0, 1)}
    assert sorted(map(sorted, groups.values())) == [[0, 2], [1, 3]]


def brute_force_pairs(both: np.ndarray) -> float:
    """Best sum of (1 + score) over matchings of a small symmetric matrix."""
    n = len(both)
    best = 0.0

    def extend(free: list[int], total: float) -> None:
        nonlocal best
        best = max(best, total)
        if len(free) < 2:
            return
        first, rest = free[0], free[1:]
        extend(rest, total)
        for k, other in enumerate(rest):
            if np.isfinite(both[first, other]):
                extend(rest[:k] + rest[k + 1:], total + 1 + both[first, other])

    extend(list(range(n)), 0.0)
    return best


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.integers(0, 2**32 - 1))
def test_peer_pairs_are_a_maximum_weight_matching(n, seed):
    rng = np.random.default_rng(seed)
    raw = np.round(rng.random((n, n)), 2).astype(np.float32)
    raw[rng.random((n, n)) < 0.3] = -np.inf
    links = structures.peer(DenseScores(raw), circle_size=2)
    both = (raw.astype(np.float64) + raw.T) / 2
    np.fill_diagonal(both, -np.inf)
    people = np.r_[links.mentee, links.mentor]
    assert len(np.unique(people)) == len(people)
    assert np.isfinite(both[links.mentee, links.mentor]).all()
    got = float((1 + both[links.mentee, links.mentor]).sum())
    assert got == pytest.approx(brute_force_pairs(both), abs=1e-5)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 20), st.integers(3, 6), st.integers(0, 2**32 - 1))
def test_peer_circles_have_allowed_members_and_sizes(n, size, seed):
    rng = np.random.default_rng(seed)
    raw = rng.random((n, n)).astype(np.float32)
    raw[rng.random((n, n)) < 0.2] = -np.inf
    links = structures.peer(DenseScores(raw), circle_size=size)
    both = (raw.astype(np.float64) + raw.T) / 2
    members: dict[int, set[int]] = {}
    for a, b, u in zip(links.mentee, links.mentor, links.unit):
        members.setdefault(int(u), set()).update({int(a), int(b)})
    everyone = [p for group in members.values() for p in group]
    assert len(everyone) == len(set(everyone))  # nobody in two circles
    for group in members.values():
        assert 2 <= len(group) <= 6  # a pair only when no circle with room allows both
        for a, b in itertools.combinations(group, 2):
            assert np.isfinite(both[a, b])
        assert len([1 for a, b in zip(links.mentee, links.mentor) if {a, b} <= group]) == len(group) * (len(group) - 1) // 2


def test_peer_circles_when_everyone_is_allowed():
    raw = np.random.default_rng(1).random((14, 14)).astype(np.float32)
    for size in (3, 4, 5):
        links = structures.peer(DenseScores(raw), circle_size=size)
        sizes = np.bincount(np.unique(np.c_[links.unit, links.mentee].tolist() + np.c_[links.unit, links.mentor]
                                      .tolist(), axis=0)[:, 0])
        assert sizes.sum() == 14 and sizes.min() >= 3 and sizes.max() <= 6


def test_pins_hold_in_every_method():
    scores = DenseScores(np.array([[0.9, 0.1], [0.8, 0.2]], dtype=np.float32))
    for method in METHODS:
        links = structures.one_on_one(scores, np.array([1, 1]), method, seed=0, pinned=np.array([[0, 1]]))
        assert dict(zip(links.mentee.tolist(), links.mentor.tolist()))[0] == 1


def test_peer_circle_size_out_of_range():
    with pytest.raises(ValueError, match="2 to 6"):
        structures.peer(DenseScores(np.zeros((3, 3), dtype=np.float32)), circle_size=7)


def test_balanced_counts_pinned_mentees_in_their_groups_rate():
    # mentee 1 fits best, but mentee 0 (group 0) is pinned: an even split needs one of group 1
    scores = DenseScores(np.array([[0.5], [0.9], [0.2], [0.1]], dtype=np.float32))
    groups = np.array([0, 0, 1, 1])
    free = structures.one_on_one(scores, np.array([2]), "optimal", seed=0, pinned=np.array([[0, 0]]))
    assert sorted(free.mentee.tolist()) == [0, 1]
    even = structures.one_on_one(scores, np.array([2]), "balanced", seed=0, pinned=np.array([[0, 0]]),
                                 balance=(groups, 0.0))
    assert sorted(even.mentee.tolist()) == [0, 2]
    assert even.proof["gap_met"] is True and even.proof["largest_gap"] == 0.0
