"""The matching problem every solver shares: the score source it reads, the capacities, pinned pairs and
the :class:`Assignment` it returns.

A score source is anything with ``n_mentees``, ``n_mentors`` and ``block(mentees)`` returning a float32
``[len(mentees), n_mentors]`` array: the score in ``[0, 1]`` where the pair is allowed, ``-inf`` where it is
forbidden (:class:`ScoreSource`; :class:`DenseScores` wraps a matrix). Solvers pull scores block by block
(:data:`THREADS` blocks at once, from as many threads), so a source may compute them on demand.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

BLOCK_CELLS = 1 << 22  # scores pulled per block (rows x mentors)
#: Blocks pulled at once, each in its own thread (NumPy and BLAS release the GIL while they work).
THREADS = max(1, min(2, os.cpu_count() or 1))

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


def _spans(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The indices ``start[k] .. start[k] + count[k] - 1`` for every ``k``, flattened."""
    return np.repeat(start - np.cumsum(count) + count, count) + np.arange(int(count.sum()))



def _where(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-d mask, through the flat indices (several times faster on large blocks)."""
    flat = np.flatnonzero(mask)
    return flat // mask.shape[1], flat % mask.shape[1]

