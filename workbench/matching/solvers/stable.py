"""Stable matching: mentee-proposing deferred acceptance with capacities (:func:`solve_stable`), the
greedy matching it equals when both sides rank by score (:func:`solve_greedy`), and the stability check
(:func:`blocking_pairs`, :func:`check_stability`).

:func:`solve_stable` is mentee-proposing deferred acceptance with capacities:
the mentee-optimal stable matching. With preferences from one score on both
sides it equals the greedy matching (the same code computes both); then
each mentee's list is revealed :data:`STABLE_PREFIX` mentors at a time and
mentors that would refuse are skipped, so no mentees x mentors array is held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from workbench.matching.solvers.problem import (
    Assignment,
    ScoreSource,
    _capacity,
    _each_block,
    _result,
    _spans,
    _where,
)

#: Mentors first listed per mentee by the stable method; a mentee who runs out is given the next ones.
STABLE_PREFIX = 32
#: Entries of a free mentee's list the stable method looks at in one step for a mentor that would not refuse.
STABLE_WINDOW = 64


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


def check_stability(assignment: Assignment, scores: ScoreSource, capacity: np.ndarray, *,
                    stated: Stated | None = None, mentee_prefs: np.ndarray | None = None,
                    mentor_prefs: np.ndarray | None = None) -> bool:
    """Whether no pair would rather be together than with whom the assignment gives them (no blocking pair).

    Preferences as in :func:`solve_stable`; :func:`blocking_pairs` counts the pairs that would.
    """
    return blocking_pairs(assignment, scores, capacity, stated=stated, mentee_prefs=mentee_prefs,
                          mentor_prefs=mentor_prefs) == 0
