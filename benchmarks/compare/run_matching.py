"""Adapter: solve a pool with the ``matching`` package (daffidwilde), run in its own virtual environment.

Usage: ``python run_matching.py POOL.json RESULT.json``. Mentees are the
residents and mentors the hospitals of a ``HospitalResident`` game, solved
resident-optimal. A stated pool carries both sides' whole lists, used as they
are. In a score pool the preferences come from the scores: a mentee lists its
allowed mentors by score descending, a mentor the mentees that allow it, ties
broken by the lower index on both sides (as the workbench's ``solve_stable``
does). People with an empty list are left out of the game (the package requires
every player to rank someone) and stay unmatched.

The game's constructor deep-copies the players, and ``copy.deepcopy`` recurses
along the preference lists (player -> prefs -> player ...): with long lists it
passes Python's default recursion limit from about 500 x 150 (RecursionError).
The adapter therefore raises the limit and runs in a thread with a 1 GiB stack.

Timed, in wall-clock and CPU seconds: ``solve`` is ``game.solve()`` alone;
``total`` also builds the preference lists (from the scores; a stated pool's
lists are read with the pool) and the game (``create_from_dictionaries``, which
copies the players and checks the inputs) and reads the matching back (not
imports or reading the pool).
"""

from __future__ import annotations

import sys
import threading
import time
from importlib.metadata import version

from _pool import allowed, read_lists, read_pool, write_result
from matching.games import HospitalResident


def main(pool_path: str, result_path: str) -> int:
    n, m, capacity, rows = read_pool(pool_path)
    stated = read_lists(pool_path)
    started, started_cpu = time.perf_counter(), time.process_time()
    if stated is not None:
        resident_prefs = {i: mentors for i, mentors in enumerate(stated[0]) if mentors}
        hospital_prefs = {j: mentees for j, mentees in enumerate(stated[1]) if mentees}
    else:
        resident_prefs, hospital_prefs = score_lists(m, capacity, rows)
    capacities = {j: capacity[j] for j in hospital_prefs}
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    built, built_cpu = time.perf_counter(), time.process_time()
    matching = game.solve(optimal="resident")
    solved, solved_cpu = time.perf_counter(), time.process_time()
    mentor_of = [-1] * n
    for hospital, residents in matching.items():
        for resident in residents:
            mentor_of[resident.name] = hospital.name
    finished, finished_cpu = time.perf_counter(), time.process_time()
    write_result(result_path, package="matching", version=version("matching"), mentor_of=mentor_of,
                 solve_seconds=solved - built, total_seconds=finished - started, build_seconds=built - started,
                 solve_cpu_seconds=solved_cpu - built_cpu, total_cpu_seconds=finished_cpu - started_cpu,
                 players=[len(resident_prefs), len(hospital_prefs)])
    return 0


def score_lists(m: int, capacity: list[int], rows: list) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Both sides' lists from the scores: allowed partners by score descending, ties to the lower index."""
    resident_prefs: dict[int, list[int]] = {}
    listed: list[list[tuple[float, int]]] = [[] for _ in range(m)]
    for i, row in enumerate(rows):
        mentors = [j for j in range(m) if allowed(row[j]) and capacity[j] > 0]
        if mentors:
            mentors.sort(key=lambda j: (-row[j], j))
            resident_prefs[i] = mentors
            for j in mentors:
                listed[j].append((-row[j], i))
    return resident_prefs, {j: [i for _, i in sorted(pairs)] for j, pairs in enumerate(listed) if pairs}


def run_with_deep_stack(*args: str) -> int:
    """``main`` in a thread with a large stack and recursion limit (for the game's recursive deepcopy)."""
    sys.setrecursionlimit(10**7)
    threading.stack_size(1 << 30)
    outcome: list = []

    def target() -> None:
        try:
            outcome.append(main(*args))
        except BaseException as error:  # re-raised in the main thread
            outcome.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


if __name__ == "__main__":
    sys.exit(run_with_deep_stack(*sys.argv[1:3]))
