"""Matching without a matcher: random allowed mentors (:func:`solve_random`) and first-come-first-served
self-service (:func:`solve_mentee_choice`), the baselines a designed matching is compared with."""

from __future__ import annotations

import numpy as np

from workbench.matching.solvers.problem import Assignment, ScoreSource, _blocks, _capacity, _result

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

