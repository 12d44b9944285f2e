"""Adapter: solve a pool with ``mentor-match`` (UK Civil Service mentoring matcher, Munkres), in its own venv.

Usage: ``python run_mentor_match.py POOL.json RESULT.json [rounds|slots]``.
mentor-match scores its own ``Mentor``/``Mentee`` objects with *rules*
(``Match`` objects add up the integer points each rule returns; a
``Disqualify`` rule forbids the pair) and runs one Munkres assignment per
*round*: ``process.process_data(mentors, mentees, [rules_round_1,
rules_round_2, ...])``. A round is one-to-one; a mentor's capacity is met in
one of two modes:

* ``rounds`` (default), the package's way: one round per extra mentee
  (``max(capacity)`` rounds), each round's assignment fixed before the next
  (greedy across rounds);
* ``slots``: each mentor enters as ``capacity`` copies (slots) and one round
  solves it. Munkres maximises the points of a full assignment, and a
  disqualified pair scores 0 and is dropped afterwards, so this is the exact
  optimum: its objective equals ``solve_optimal``'s proven one.

Our pool enters through rules:

* ``PoolScore``: ``10**6 + round(score * 10**6)`` points, the workbench's
  integer gain of ``solve_optimal`` (1 + score, in steps of 10^-6);
* ``Disqualify`` when the pair is forbidden and, in ``rounds`` mode, when the
  mentor has reached its capacity or the mentee already has a mentor
  (mentor-match would otherwise give a mentee one mentor per round).

Each person carries its pool index (``idx``; a slot its mentor's) and a
distinct email (mentor-match compares people by email). Timed, in wall-clock
and CPU seconds: ``solve`` is ``process_data`` (building and scoring the Match
grid of every round, Munkres, assigning), of which ``munkres`` is the wall time
inside ``Munkres.compute``; ``total`` also creates the people and rules and
reads the assignment back (not imports or reading the pool).
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
MODES = ("rounds", "slots")


def main(pool_path: str, result_path: str, mode: str = "rounds") -> int:
    if mode not in MODES:
        raise SystemExit(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
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
        for slot in range(capacity[j] if mode == "slots" else 1):
            mentor = Mentor(email=f"mentor-{j}-{slot}@pool.invalid", grade=0, role="mentor")
            mentor.idx = j
            mentors.append(mentor)
    for i in range(n):
        mentee = Mentee(email=f"mentee-{i}@pool.invalid", grade=0, role="mentee")
        mentee.idx = i
        mentees.append(mentee)
    # Match.calculate_match pops rules from the end: the disqualifiers run first, the score last.
    rules = [PoolScore(), Disqualify(lambda match: not allowed(rows[match.mentee.idx][match.mentor.idx]))]
    if mode == "rounds":
        rules += [Disqualify(lambda match: len(match.mentor.mentees) >= capacity[match.mentor.idx]),
                  Disqualify(lambda match: len(match.mentee.mentors) >= 1)]
        rounds = max(capacity, default=0)
    else:
        rounds = 1 if mentors else 0
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
                 total_cpu_seconds=finished_cpu - started_cpu, munkres_seconds=munkres_seconds[0], rounds=rounds,
                 mode=mode, mentor_rows=len(mentors))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
