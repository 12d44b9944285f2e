"""Adapter: solve a pool with ``mentor-match`` (UK Civil Service mentoring matcher, Munkres), in its own venv.

Usage: ``python run_mentor_match.py POOL.json RESULT.json``. mentor-match scores
its own ``Mentor``/``Mentee`` objects with *rules* (``Match`` objects add up the
integer points each rule returns; a ``Disqualify`` rule forbids the pair) and
runs one Munkres assignment per *round*: ``process.process_data(mentors,
mentees, [rules_round_1, rules_round_2, ...])``. A round is one-to-one, so a
mentor's capacity is met the package's way, with one round per extra mentee
(``max(capacity)`` rounds). Our pool enters through rules:

* ``PoolScore``: ``10**6 + round(score * 10**6)`` points, the workbench's
  integer gain of ``solve_optimal`` (1 + score, in steps of 10^-6);
* ``Disqualify`` when the pair is forbidden, when the mentor has reached its
  capacity, or when the mentee already has a mentor (mentor-match would
  otherwise give a mentee one mentor per round).

Each person carries its pool index (``idx``) and a distinct email (mentor-match
compares people by email). Timed, in wall-clock and CPU seconds: ``solve`` is
``process_data`` (building and scoring the Match grid of every round, Munkres,
assigning), of which ``munkres`` is the wall time inside ``Munkres.compute``;
``total`` also creates the people and rules and reads the assignment back (not
imports or reading the pool).
"""

from __future__ import annotations

import sys
import time
from importlib.metadata import version

from _pool import allowed, read_pool, write_result
from matching import process
from matching.mentee import Mentee
from matching.mentor import Mentor
from matching.rules.rule import Disqualify, Rule

GAIN_UNIT = 10**6


def main(pool_path: str, result_path: str) -> int:
    n, m, capacity, rows = read_pool(pool_path)
    started, started_cpu = time.perf_counter(), time.process_time()
    munkres_seconds = [0.0]
    compute = process.calculate_matches

    def timed_compute(prepared_matrix):  # same call, timed
        t0 = time.perf_counter()
        try:
            return compute(prepared_matrix)
        finally:
            munkres_seconds[0] += time.perf_counter() - t0

    process.calculate_matches = timed_compute

    class PoolScore(Rule):
        """Points for a pair: the workbench's integer gain (forbidden pairs are disqualified separately)."""

        def apply(self, match) -> int:
            s = rows[match.mentee.idx][match.mentor.idx]
            return GAIN_UNIT + round(s * GAIN_UNIT) if allowed(s) else 0

        def evaluate(self, match) -> bool:
            return True

    mentors, mentees = [], []
    for j in range(m):
        mentor = Mentor(email=f"mentor-{j}@pool.invalid", grade=0, role="mentor")
        mentor.idx = j
        mentors.append(mentor)
    for i in range(n):
        mentee = Mentee(email=f"mentee-{i}@pool.invalid", grade=0, role="mentee")
        mentee.idx = i
        mentees.append(mentee)
    # Match.calculate_match pops rules from the end: the disqualifiers run first, the score last.
    rules = [
        PoolScore(),
        Disqualify(lambda match: not allowed(rows[match.mentee.idx][match.mentor.idx])),
        Disqualify(lambda match: len(match.mentor.mentees) >= capacity[match.mentor.idx]),
        Disqualify(lambda match: len(match.mentee.mentors) >= 1),
    ]
    rounds = max(capacity, default=0)
    built, built_cpu = time.perf_counter(), time.process_time()
    mentors, mentees = process.process_data(mentors, mentees, [list(rules) for _ in range(rounds)])
    solved, solved_cpu = time.perf_counter(), time.process_time()
    mentor_of = [-1] * n
    for mentee in mentees:
        if mentee.mentors:
            mentor_of[mentee.idx] = mentee.mentors[0].idx
    finished, finished_cpu = time.perf_counter(), time.process_time()
    write_result(result_path, package="mentor-match", version=version("mentor-match"),
                 munkres_version=version("munkres"), mentor_of=mentor_of, solve_seconds=solved - built,
                 total_seconds=finished - started, solve_cpu_seconds=solved_cpu - built_cpu,
                 total_cpu_seconds=finished_cpu - started_cpu, munkres_seconds=munkres_seconds[0], rounds=rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
