"""Matching solvers: who mentors whom, under mentor capacities.

Every solver is a pure function of a *score source* and the mentors'
capacities and returns an :class:`Assignment` (:mod:`.problem`: what every
solver reads and returns). The families, one module each:

* :mod:`.optimal`: the exact methods, proven optimal on every pair by LP
  duals. :func:`solve_optimal` maximises ``sum(1 + score)`` over matched
  pairs: the number of matched mentees plus the total score. Every allowed
  pair gains more than staying unmatched, so a mentee is left unmatched only
  when none of its allowed mentors has capacity left (the matching is
  *maximal*), and among such matchings the total score is as high as it can
  be. It is not always the *maximum*-cardinality matching: three pairs of
  score 0 may lose to two pairs of score 1 (``3 < 4``).
  :func:`solve_max_coverage` matches as many mentees as possible first, then
  maximises the total score; :func:`solve_fair` maximises the worst matched
  score among maximum-cardinality matchings, then the total score.
* :mod:`.balanced`: :func:`solve_balanced` maximises what
  :func:`solve_optimal` maximises while the match rates of given groups of
  mentees stay within a gap of each other.
* :mod:`.stable`: :func:`solve_stable` is mentee-proposing deferred
  acceptance with capacities, the mentee-optimal stable matching;
  :func:`solve_greedy` takes the highest-scoring pairs first (ties: lower
  mentee, then lower mentor index), the same matching when both sides rank
  by score; :func:`blocking_pairs` counts the pairs that would rather be
  together and :func:`check_stability` says whether there are none.
* :mod:`.self_service`: :func:`solve_random` and :func:`solve_mentee_choice`
  model matching without a matcher: random allowed mentors, and
  first-come-first-served self-service.

``pinned`` pairs (exact methods) are fixed before solving: the mentor's
capacity is reduced, the mentee removed from the problem, and the pair is kept
as it is.
"""

from workbench.matching.solvers.balanced import group_gap, solve_balanced
from workbench.matching.solvers.optimal import solve_fair, solve_max_coverage, solve_optimal
from workbench.matching.solvers.problem import Assignment, DenseScores, ScoreSource, total_score
from workbench.matching.solvers.self_service import solve_mentee_choice, solve_random
from workbench.matching.solvers.stable import Stated, blocking_pairs, check_stability, solve_greedy, solve_stable

__all__ = [
    "Assignment",
    "DenseScores",
    "ScoreSource",
    "Stated",
    "blocking_pairs",
    "check_stability",
    "group_gap",
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
