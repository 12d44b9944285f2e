"""The matching solvers against open-source matchers, on the same pools in the same run.

Compared packages, each installed from PyPI at pinned versions
(``benchmarks/compare/requirements-*.txt``) into its own virtual environment
under ``benchmarks/compare/.venvs/`` (git-ignored, rebuilt when its requirements
file changes), so neither they nor their dependencies touch the project's:

* ``matching`` (daffidwilde): the resident-optimal ``HospitalResident`` game,
  mentees as residents, mentors as hospitals with their capacities. In score
  pools both sides rank by score (ties: lower index) and its matching must be
  IDENTICAL to ``solve_stable`` on the same scores; in stated pools it gets
  both sides' whole lists and must be IDENTICAL to ``match(method='stable')``
  (the mentee-optimal stable matching is unique). A DIFFERENT one fails the
  benchmark (exit 1).
* ``mentor-match`` (UK Civil Service, Munkres): our scores enter as its rules'
  points (``10**6 + round(score * 10**6)``: ``solve_optimal``'s integer gain),
  forbidden pairs and full mentors as its ``Disqualify`` rules, capacities as
  its matching rounds (one Munkres assignment per round, each fixed before the
  next: greedy across rounds). Twice: with munkres 1.1.4, the pure-Python
  Munkres it was written against, and with munkres 3.0.0, what an unpinned
  install resolves to today (compiled core). Then a third time, ``slots``
  (munkres 3.0.0): each mentor's capacity expanded into that many copies and
  one Munkres assignment, the exact optimum; its objective must equal
  ``solve_optimal``'s proven one in integer units (else exit 1).

Score pools (seeded; 20% of pairs forbidden, mentor capacities 1-3), every
package against ``solve_optimal`` or ``solve_stable`` on the score matrix:

* ``uniform``: scores uniform random float32 in [0, 1), at 50 x 20 mentees x
  mentors up to 20,000 x 6,000. Seats are scarce (0.6-0.7 per mentee), so
  every method fills them with well-scoring pairs: a test of speed more than
  of quality.
* ``popular``: 0.6 x a mentor popularity (skewed: u^3) + 0.4 x noise, most
  mentees wanting the same few mentors, with seats to spare (mentors = 0.6 x
  mentees, about 1.2 seats per mentee), at 200 x 120 up to 1,000 x 600.

Stated pools (seeded), ``matching`` against ours END TO END, as a user runs it:
``workbench.matching.match(tables, design, method="stable")`` on text tables
(people and skills of the generated organisation, 5,000 people of whom about
3,400 employed; an enrolment of ``n`` mentees and ``m`` mentors, the more
senior of ``n + m`` employed people drawn at random, capacities 1-3, nobody in
both roles; a ``preferences`` table of the stated ranks), under a design with
the seniority window opened (gap 0-10) and mentor capacity up to 12. The
package gets the whole lists that method used, built here from the pool's
scores (``PairScorer`` blocks) and the ranks as drawn: stated partners by rank
(ties: higher score, then lower index), then everyone else allowed by score;
forbidden pairs never. Ours must report zero blocking pairs (else exit 1).

* ``stated``: every mentee ranks every mentor and every mentor every mentee
  (random permutations), at 400 x 150, 1,000 x 500 and 2,000 x 1,000 (the
  issue's target there: ours end to end at least 20x faster than ``matching``).
* ``partial``: each person ranks 10-20 people of the other side at random, the
  rest by score; the same sizes.

Sizes grow while a package keeps finishing: each run is a subprocess (an
adapter script in ``benchmarks/compare/``) limited to 5 minutes and 12 GiB of
address space. A size whose time, projected from the package's CPU seconds at
its last two sizes (CPU time, not wall time, so that other work on the machine
does not cut a ramp short), exceeds twice the limit is not run (``--no-skip``
runs it anyway) and ends that package's ramp.

Printed per score pool size and package: the package's solve time (its
solving call alone) and total time (also building its inputs; not Python
start-up or reading the pool), our time on the same instance
(``solve_optimal`` for mentor-match, ``solve_stable`` for matching; median of 3
when under a second), the ratio of their solve time to ours, matched mentees,
the objective as a share of the optimum, the total score as a share of the
optimum's, blocking pairs under score preferences, and the check (stable:
IDENTICAL; slots: = OPTIMUM). The objective is what ``solve_optimal``
maximises and proves optimal (the LP dual bound equals it): ``sum(1 + score)``
over matched pairs, that is matched mentees + total score. Per stated pool
size: our end-to-end wall and CPU seconds (median of 3 when under a second),
their solve and total seconds, their total over ours in wall and in CPU
seconds, matched mentees, our blocking pairs, the check and the load average.
Then, per pool kind, the largest size each package finished, and why its ramp
ended; and the stated target's verdict.

``--quick`` runs small sizes only (a smoke test of the set-up); ``--only
stated,partial`` (for example) runs some pool kinds only.
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bench_matching import text
from workbench.data.reading import _text_frame
from workbench.data.sample import generate_organisation
from workbench.design.model import ProgramDesign
from workbench.matching import match
from workbench.matching.api import _prepare
from workbench.matching.solvers import (
    Assignment,
    DenseScores,
    blocking_pairs,
    solve_optimal,
    solve_stable,
    total_score,
)

HERE = Path(__file__).resolve().parent
COMPARE = HERE / "compare"
VENVS = COMPARE / ".venvs"

LIMIT_SECONDS = 300.0
MEMORY_GIB = 12
SKIP_FACTOR = 2.0  # do not start a size projected to take more than this many times the limit
FORBIDDEN_SHARE = 0.2
GAIN_UNIT = 10**6  # solve_optimal's integer gain per unit of score (tol 1e-6)
SEED = 0
SIZES = {
    "uniform": [(50, 20), (200, 70), (500, 150), (1000, 300), (2000, 600), (3000, 900), (5000, 1500),
                (10000, 3000), (20000, 6000)],
    "popular": [(200, 120), (500, 300), (1000, 600)],
    "stated": [(400, 150), (1000, 500), (2000, 1000)],
    "partial": [(400, 150), (1000, 500), (2000, 1000)],
}
QUICK_SIZES = {"uniform": [(50, 20), (200, 70)], "popular": [(50, 30)], "stated": [(100, 40)], "partial": [(100, 40)]}
STATED_KINDS = ("stated", "partial")  # pools of stated lists, matched end to end from tables
ORGANISATION_PEOPLE = 5000  # generated once; about 3,400 of them employed, the stated pools' people
PARTIAL_LIST = (10, 20)  # in a partial pool each person ranks this many (at random, inclusive) of the other side
STATED_TARGET = ("stated", (2000, 1000), 20.0)  # the target: ours end to end this many times faster
STATED_DESIGN = ProgramDesign.model_validate(
    {"experience": {"seniority_gap_min": 0, "seniority_gap_max": 10, "mentor_capacity": 12}})


@dataclass(frozen=True)
class Package:
    label: str
    requirements: str  # file in benchmarks/compare
    adapter: str  # script in benchmarks/compare
    ours: str  # "optimal" or "stable": the solver it is compared with
    args: tuple[str, ...] = ()  # after the adapter's pool and result paths
    exact: bool = False  # claims the optimum: its objective must equal solve_optimal's proven one


PACKAGES = [
    Package("matching 1.4.3", "requirements-matching.txt", "run_matching.py", "stable"),
    Package("mentor-match 7.0.1 + munkres 1.1.4", "requirements-mentor-match.txt", "run_mentor_match.py", "optimal"),
    Package("mentor-match 7.0.1 + munkres 3.0.0", "requirements-mentor-match-munkres3.txt", "run_mentor_match.py",
            "optimal"),
    Package("mentor-match 7.0.1 + munkres 3.0.0, slots", "requirements-mentor-match-munkres3.txt",
            "run_mentor_match.py", "optimal", ("slots",), exact=True),
]


# ----------------------------------------------------------------------------- virtual environments


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def find_uv() -> str | None:
    beside = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    return str(beside) if beside.exists() else shutil.which("uv")


def ensure_venv(package: Package) -> tuple[Path | None, str]:
    """(python of the package's virtual environment or None, how it was had or why it failed)."""
    requirements = COMPARE / package.requirements
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    name = requirements.stem.removeprefix("requirements-")
    venv = VENVS / f"{name}-{digest}"
    stamp = venv / ".installed"
    if stamp.exists():
        return venv_python(venv), "reused"
    VENVS.mkdir(parents=True, exist_ok=True)
    for stale in VENVS.glob(f"{name}-*"):  # an older requirements file's environment
        if stale.is_dir() and re.fullmatch(rf"{re.escape(name)}-[0-9a-f]{{12}}", stale.name):
            shutil.rmtree(stale)
    uv = find_uv()
    attempts = []
    if uv:
        attempts.append(("uv", [[uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
                                [uv, "pip", "install", "--quiet", "--python", str(venv_python(venv)),
                                 "-r", str(requirements)]]))
    attempts.append(("venv + pip", [[sys.executable, "-m", "venv", str(venv)],
                                    [str(venv_python(venv)), "-m", "pip", "install", "--quiet",
                                     "--disable-pip-version-check", "-r", str(requirements)]]))
    errors = []
    for how, commands in attempts:
        shutil.rmtree(venv, ignore_errors=True)
        started = time.perf_counter()
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                errors.append(f"{how}: {last_line(result.stderr or result.stdout)}")
                break
        else:
            stamp.write_text(requirements.read_text())
            return venv_python(venv), f"installed with {how} in {time.perf_counter() - started:.0f} s"
    shutil.rmtree(venv, ignore_errors=True)
    return None, "; ".join(errors)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else "(no output)"


# ----------------------------------------------------------------------------- pools


def make_pool(variant: str, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores float32 [n, m] with -inf where forbidden, capacity [m]); seeded by variant and size."""
    rng = np.random.default_rng([SEED, n, m, 0 if variant == "uniform" else 1])
    if variant == "uniform":
        scores = rng.random((n, m), dtype=np.float32)
    else:
        popularity = rng.random(m) ** 3
        scores = (0.6 * popularity[None, :] + 0.4 * rng.random((n, m))).astype(np.float32)
    scores[rng.random((n, m)) < FORBIDDEN_SHARE] = -np.inf
    capacity = rng.integers(1, 4, m)
    return scores, capacity


def write_pool(folder: Path, scores: np.ndarray, capacity: np.ndarray) -> Path:
    """The pool as the adapters read it (``compare/_pool.py``): a JSON header and raw float32 scores."""
    scores.astype("<f4").tofile(folder / "scores.f32")
    header = folder / "pool.json"
    header.write_text(json.dumps({"n_mentees": int(scores.shape[0]), "n_mentors": int(scores.shape[1]),
                                  "capacity": capacity.tolist(), "scores": "scores.f32"}))
    return header


@dataclass
class StatedPool:
    """A stated pool: the tables ``match`` reads and both sides' whole lists, in the pool's order."""

    tables: dict[str, pd.DataFrame]
    mentee_ids: np.ndarray  # the pool's order (Pool.mentees)
    mentor_ids: np.ndarray
    capacity: np.ndarray
    mentee_lists: np.ndarray  # int32 [n, m]: mentor positions, most preferred first, padded with -1
    mentor_lists: np.ndarray  # int32 [m, n]


@functools.cache
def organisation() -> dict[str, pd.DataFrame]:
    """The generated organisation (seeded) as text tables, as a workspace reads them."""
    return {name: _text_frame(frame)[0].reset_index(drop=True)
            for name, frame in generate_organisation(n_people=ORGANISATION_PEOPLE, seed=SEED).items()}


def stated_ranks(rng: np.random.Generator, rows: int, cols: int, partial: bool) -> np.ndarray:
    """float64 [rows, cols]: each row's rank (1 = first) of each column, ``inf`` where it states none."""
    order = rng.permuted(np.tile(np.arange(cols), (rows, 1)), axis=1)
    ranks = np.empty((rows, cols))
    np.put_along_axis(ranks, order, np.arange(1, cols + 1, dtype=np.float64)[None, :], axis=1)
    if partial:
        ranks[ranks > rng.integers(PARTIAL_LIST[0], PARTIAL_LIST[1] + 1, rows)[:, None]] = np.inf
    return ranks


def whole_lists(scores: np.ndarray, capacity: np.ndarray, by_mentee: np.ndarray,
                by_mentor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' whole lists (int32, padded with -1) from the scores ``[mentee, mentor]`` and the stated
    ranks (float64, ``inf`` where none; ``[mentee, mentor]`` by mentee, ``[mentor, mentee]`` by mentor), in the
    stable method's order (``solvers.Stated``): stated partners by rank (ties: higher score, then lower index),
    then everyone else allowed by score (ties: lower index); forbidden pairs and mentors without capacity never."""
    allowed = np.isfinite(scores) & (capacity > 0)[None, :]
    score = np.where(allowed, scores, 0).astype(np.float64)

    def side(allowed: np.ndarray, ranks: np.ndarray, score: np.ndarray) -> np.ndarray:
        index = np.broadcast_to(np.arange(allowed.shape[1]), allowed.shape)
        order = np.lexsort((index, -score, ranks, ~allowed), axis=-1)
        return np.where(np.take_along_axis(allowed, order, axis=1), order, -1).astype(np.int32)

    return side(allowed, by_mentee, score), side(allowed.T, by_mentor, score.T)


def make_stated_pool(kind: str, n: int, m: int) -> StatedPool:
    """People of the generated organisation, ``n`` mentees and ``m`` mentors (the more senior of ``n + m``
    employed people drawn at random; capacities 1-3) in one cohort, and their stated lists in
    ``preferences``: everyone ranks everyone on the other side (``stated``), or 10-20 of them (``partial``;
    the rest by score), at random. Seeded by kind and size."""
    rng = np.random.default_rng([SEED, n, m, STATED_KINDS.index(kind)])
    tables = organisation()
    people = tables["people"]
    employed = people["person_id"].to_numpy()[(people["exit_date"] == "").to_numpy()]
    if len(employed) < n + m:
        raise ValueError(f"the generated organisation employs {len(employed):,} people, fewer than {n + m:,}")
    drawn = rng.choice(len(employed), n + m, replace=False)
    level = pd.to_numeric(people.set_index("person_id").loc[employed[drawn], "level"]).to_numpy()
    senior = np.argsort(-(level + rng.random(n + m)), kind="stable")
    mentors, mentees = employed[drawn[senior[:m]]], employed[drawn[senior[m:]]]
    capacity = rng.integers(1, 4, m)
    ids = np.r_[mentees, mentors]
    enrolment = pd.DataFrame({"person_id": text(ids), "role": text(np.repeat(["mentee", "mentor"], [n, m])),
                              "capacity": text(np.r_[np.full(n, ""), capacity.astype(str)]),
                              "wants": text(np.full(n + m, "")), "offers": text(np.full(n + m, "")),
                              "cohort": text(np.full(n + m, "2026"))})
    by_mentee = stated_ranks(rng, n, m, kind == "partial")  # [mentee, mentor]
    by_mentor = stated_ranks(rng, m, n, kind == "partial")  # [mentor, mentee]
    rows = []
    for who, others, ranks in ((mentees, mentors, by_mentee), (mentors, mentees, by_mentor)):
        a, b = np.nonzero(np.isfinite(ranks))
        rows.append((who[a], others[b], ranks[a, b].astype(np.int64)))
    first, second, rank = (np.concatenate(x) for x in zip(*rows))
    tables = {**{k: v for k, v in tables.items() if k not in ("enrolment", "preferences")}, "enrolment": enrolment,
              "preferences": pd.DataFrame({"person_id": text(first), "ranks_person_id": text(second),
                                           "rank": text(rank)})}
    prep = _prepare(tables, STATED_DESIGN, structure=None, weights=None, hard_rules=None, overrides=None, cohort=None)
    mentee_ids = prep.pool.mentees["person_id"].to_numpy()
    mentor_ids = prep.pool.mentors["person_id"].to_numpy()
    if (len(mentee_ids), len(mentor_ids)) != (n, m):
        raise ValueError(f"the pool has {len(mentee_ids):,} x {len(mentor_ids):,} people, not {n:,} x {m:,}")
    e = pd.Index(mentees).get_indexer(mentee_ids)  # pool order -> drawn order
    r = pd.Index(mentors).get_indexer(mentor_ids)
    scores = np.vstack([block for _, block in prep.scorer.blocks()])
    pool_capacity = prep.pool.mentors["capacity"].to_numpy(dtype=np.int64)
    mentee_lists, mentor_lists = whole_lists(scores, pool_capacity, by_mentee[np.ix_(e, r)],
                                             by_mentor[np.ix_(r, e)])
    return StatedPool(tables, mentee_ids, mentor_ids, pool_capacity, mentee_lists, mentor_lists)


def write_stated_pool(folder: Path, pool: StatedPool) -> Path:
    """The pool as ``compare/_pool.py`` reads it: a JSON header and both sides' lists as raw int32."""
    pool.mentee_lists.astype("<i4").tofile(folder / "mentee_lists.i32")
    pool.mentor_lists.astype("<i4").tofile(folder / "mentor_lists.i32")
    header = folder / "pool.json"
    header.write_text(json.dumps({"n_mentees": len(pool.mentee_ids), "n_mentors": len(pool.mentor_ids),
                                  "capacity": pool.capacity.tolist(), "mentee_lists": "mentee_lists.i32",
                                  "mentor_lists": "mentor_lists.i32"}))
    return header


# ----------------------------------------------------------------------------- runs


@dataclass
class Ours:
    optimal: Assignment
    stable: Assignment
    seconds: dict[str, float]  # wall clock, by solver
    cpu_seconds: dict[str, float]
    objective: float  # matched + total score of the optimum


@dataclass
class Row:
    variant: str
    size: tuple[int, int]
    package: Package
    status: str  # "ok", "timed out", "failed", "not run"
    note: str = ""
    wall: float = math.nan
    result: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    wrong: bool = False  # a check failed: a stable matching DIFFERENT, an exact one not the optimum
    cells: list[str] = field(default_factory=list)  # its line of the printed table


def timed(work) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds) of ``work``; medians of 3 more runs when one takes under a second."""
    walls, cpus, out = [], [], None
    while not walls or (walls[0] < 1.0 and len(walls) < 4):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        out = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    if len(walls) > 1:
        walls, cpus = walls[1:], cpus[1:]
    return out, statistics.median(walls), statistics.median(cpus)


def solve_ours(scores: np.ndarray, capacity: np.ndarray) -> Ours:
    source = DenseScores(scores)
    optimal, t_opt, cpu_opt = timed(lambda: solve_optimal(source, capacity))
    stable, t_stable, cpu_stable = timed(lambda: solve_stable(source, capacity))
    proof = optimal.proof
    if not (proof["optimal"] and proof["objective"] == proof["dual_bound"]):
        raise RuntimeError("solve_optimal did not prove its optimum")
    return Ours(optimal, stable, {"optimal": t_opt, "stable": t_stable}, {"optimal": cpu_opt, "stable": cpu_stable},
                optimal.n_matched + total_score(optimal))


def limit_memory() -> None:  # in the child, before exec
    import resource

    cap = MEMORY_GIB << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_adapter(python: Path, package: Package, pool: Path, folder: Path) -> tuple[str, str, float, dict]:
    """(status, note, wall seconds, result) of one adapter run in the package's environment."""
    out = folder / "result.json"
    out.unlink(missing_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    started = time.perf_counter()
    try:
        done = subprocess.run([str(python), "-E", "-s", str(COMPARE / package.adapter), str(pool), str(out),
                               *package.args],
                              capture_output=True, text=True, timeout=LIMIT_SECONDS, cwd=folder, env=env,
                              preexec_fn=limit_memory if os.name == "posix" else None)
    except subprocess.TimeoutExpired:
        return "timed out", f"> {LIMIT_SECONDS:g} s", time.perf_counter() - started, {}
    wall = time.perf_counter() - started
    if done.returncode != 0 or not out.exists():
        return "failed", last_line(done.stderr) or f"exit {done.returncode}", wall, {}
    return "ok", "", wall, json.loads(out.read_text())


def run_package(python: Path, package: Package, pool: Path, folder: Path, variant: str, size: tuple[int, int],
                cells_of_row) -> "Row":
    """One adapter run as a :class:`Row`, its table cells (``cells_of_row(row)`` when it finished with a valid
    assignment, else the status) in ``row.cells``; prints how it went."""
    status, note, wall, result = run_adapter(python, package, pool, folder)
    row = Row(variant, size, package, status, note, wall, result)
    cells = [variant, fmt_size(size), package.label]
    if status == "ok":
        try:
            cells += cells_of_row(row)
        except ValueError as error:
            row.status, row.note = "failed", f"invalid assignment: {error}"
    row.cells = cells if row.status == "ok" else cells[:3] + [f"{row.status.upper()}: {row.note}"]
    memory = f", peak {result['peak_rss_mb']:,.0f} MB" if "peak_rss_mb" in result else ""
    print(f"  {package.label}: {row.status} in {wall:.1f} s wall{memory} {row.note}".rstrip(), flush=True)
    return row


def check_assignment(mentor_of: np.ndarray, scores: np.ndarray, capacity: np.ndarray) -> Assignment:
    """Their assignment as an :class:`Assignment` scored with our matrix, after checking it is feasible."""
    if mentor_of.shape != (scores.shape[0],) or (mentor_of < -1).any() or (mentor_of >= scores.shape[1]).any():
        raise ValueError("assignment of the wrong shape or with a mentor out of range")
    rows = np.flatnonzero(mentor_of >= 0)
    score = np.full(len(mentor_of), np.nan, dtype=np.float32)
    score[rows] = scores[rows, mentor_of[rows]]
    if not np.isfinite(score[rows]).all():
        raise ValueError("assignment uses a forbidden pair")
    if (np.bincount(mentor_of[rows], minlength=len(capacity)) > capacity).any():
        raise ValueError("assignment exceeds a mentor's capacity")
    return Assignment(mentor_of=mentor_of, score=score, method="external")


def project(history: list[tuple[int, float]], cells: int) -> float | None:
    """Seconds at ``cells`` pairs from the last two finished runs' (pairs, seconds) (power law, exponent in [1, 4])."""
    if len(history) < 2:
        return None
    (c0, t0), (c1, t1) = history[-2], history[-1]
    exponent = min(4.0, max(1.0, math.log(max(t1, 1e-3) / max(t0, 1e-3)) / math.log(c1 / c0)))
    return t1 * (cells / c1) ** exponent


# ----------------------------------------------------------------------------- report


def fmt_size(size: tuple[int, int]) -> str:
    return f"{size[0]:,} x {size[1]:,}"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.2f}" if ratio < 1 else f"{ratio:.1f}" if ratio < 10 else f"{ratio:,.0f}"


def cells_of(row: Row, ours: Ours, scores: np.ndarray, capacity: np.ndarray) -> list[str]:
    """Table cells of one finished run; also sets row.note and row.wrong for the check."""
    res = row.result
    theirs = check_assignment(np.asarray(res["mentor_of"], dtype=np.int64), scores, capacity)
    mine = ours.stable if row.package.ours == "stable" else ours.optimal
    our_seconds = ours.seconds[row.package.ours]
    objective = theirs.n_matched + total_score(theirs)
    check = ""
    if row.package.ours == "stable":
        differ = int((theirs.mentor_of != ours.stable.mentor_of).sum())
        check = "IDENTICAL" if differ == 0 else f"DIFFERENT ({differ} mentees)"
        row.wrong = differ > 0
    elif row.package.exact:  # in solve_optimal's integer units: the proof's objective is exact
        matched = theirs.score[theirs.mentor_of >= 0].astype(np.float64)
        gain = int((GAIN_UNIT + np.rint(matched * GAIN_UNIT)).sum())
        proven = int(ours.optimal.proof["objective"])
        check = "= OPTIMUM" if gain == proven else f"NOT THE OPTIMUM ({gain - proven:+,} x 1e-6)"
        row.wrong = gain != proven
    row.note = check
    blocking = blocking_pairs(theirs, DenseScores(scores), capacity)
    row.figures = {"solve": res["solve_seconds"], "ratio": res["solve_seconds"] / our_seconds,
                   "cpu_ratio": res["solve_cpu_seconds"] / max(ours.cpu_seconds[row.package.ours], 1e-6),
                   "objective": 100 * objective / ours.objective, "check": check}
    return [f"{res['solve_seconds']:.3f}", f"{res['total_seconds']:.3f}", f"{our_seconds:.4f}",
            fmt_ratio(res["solve_seconds"] / our_seconds), fmt_ratio(res["total_seconds"] / our_seconds),
            fmt_ratio(res["solve_cpu_seconds"] / max(ours.cpu_seconds[row.package.ours], 1e-6)),
            f"{theirs.n_matched:,}/{mine.n_matched:,}", f"{100 * objective / ours.objective:.3f}%",
            f"{100 * total_score(theirs) / total_score(ours.optimal):.3f}%", f"{blocking:,}", check]


HEADER = ["pool", "mentees x mentors", "package", "solve s", "total s", "ours s", "x ours", "x ours tot",
          "x ours cpu", "matched", "objective", "score", "blocking", "check"]
STATED_HEADER = ["pool", "mentees x mentors", "package", "solve s", "total s", "ours s", "ours cpu s",
                 "x ours tot", "x ours cpu", "matched", "blocking", "check", "load"]


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Rows of all columns, or of the first three and a message (a run that did not finish)."""
    full = [header, *(r for r in rows if len(r) == len(header))]
    widths = [max(len(r[k]) for r in full) for k in range(len(header))]
    for r in [header, *rows]:
        print("  " + "  ".join(c.ljust(w) if k < 3 or header[k] == "check" else c.rjust(w)
                               for k, (c, w) in enumerate(zip(r, widths))).rstrip())


def load_average() -> str:
    """The machine's 1-minute load average (other work slows both sides of every ratio), where available."""
    try:
        return f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except (AttributeError, OSError):
        return ""


def print_largest(kinds: list[str], packages: list[Package], rows: list[Row], pythons: dict[str, Path]) -> None:
    """The largest size each package finished per pool kind, and why its ramp ended."""
    print("\nLargest size finished within the limit")
    for variant in kinds:
        for package in packages:
            mine = [r for r in rows if r.variant == variant and r.package is package]
            if package.label not in pythons:
                print(f"  {variant:<8} {package.label:<42} not installed")
                continue
            done = [r for r in mine if r.status == "ok"]
            ended = next((r for r in mine if r.status != "ok"), None)
            best = fmt_size(done[-1].size) if done else "none"
            why = (f"{ended.status} at {fmt_size(ended.size)} ({ended.note})" if ended
                   else "every size of the ladder finished")
            figures = ""
            if done:
                f = done[-1].figures
                figures = (f"{f['solve']:.1f} s, x{fmt_ratio(f['ratio'])} ours (CPU x{fmt_ratio(f['cpu_ratio'])})"
                           + (f", objective {f['objective']:.3f}% of the optimum" if "objective" in f else "")
                           + (f", {f['check']}" if f["check"] else ""))
            print(f"  {variant:<8} {package.label:<42} {best:<16} {figures}")
            print(f"  {'':<8} {'':<42} then {why}")


# ----------------------------------------------------------------------------- ramps


class Ramp:
    """The packages still climbing one pool kind's ladder of sizes: a package leaves it when a run does not
    finish, or when its next size is projected from its CPU seconds to exceed the limit (see the docstring)."""

    def __init__(self, variant: str, packages: list[Package], no_skip: bool) -> None:
        self.variant, self.no_skip = variant, no_skip
        self.active = {p.label: p for p in packages}
        self.history: dict[str, list[tuple[int, float]]] = {p.label: [] for p in packages}

    def runnable(self, size: tuple[int, int], rows: list[Row]) -> list[Package]:
        """The packages to run at ``size``; a "not run" row for each one the projection stops."""
        out = []
        for label, package in list(self.active.items()):
            guess = project(self.history[label], size[0] * size[1])
            if guess is not None and guess > SKIP_FACTOR * LIMIT_SECONDS and not self.no_skip:
                rows.append(Row(self.variant, size, package, "not run", f"projected {guess:,.0f} s"))
                del self.active[label]
            else:
                out.append(package)
        return out

    def finished(self, row: Row) -> None:
        if row.status != "ok":
            del self.active[row.package.label]
        else:
            self.history[row.package.label].append((row.size[0] * row.size[1],
                                                    row.result.get("total_cpu_seconds", row.wall)))


def run_score_pools(kinds: list[str], sizes: dict, pythons: dict[str, Path], no_skip: bool) -> list[Row]:
    """The score pools: every package on each size, against ``solve_optimal`` or ``solve_stable``."""
    table: list[list[str]] = []
    rows: list[Row] = []
    if not kinds:
        return rows
    for variant in kinds:
        ramp = Ramp(variant, [p for p in PACKAGES if p.label in pythons], no_skip)
        for size in sizes[variant]:
            runnable = ramp.runnable(size, rows)
            if not runnable:
                break
            n, m = size
            scores, capacity = make_pool(variant, n, m)
            ours = solve_ours(scores, capacity)
            print(f"\n{variant} pool {fmt_size(size)}: {int(np.isfinite(scores).sum()):,} allowed pairs, "
                  f"capacity {int(capacity.sum()):,}; solve_optimal {ours.seconds['optimal']:.4f} s "
                  f"(matched {ours.optimal.n_matched:,}, score {total_score(ours.optimal):,.2f}, proven: "
                  f"{ours.optimal.proof['rounds']} round(s), {ours.optimal.proof['pairs_added']:,} pairs added), "
                  f"solve_stable {ours.seconds['stable']:.4f} s{load_average()}", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                pool = write_pool(folder, scores, capacity)
                for package in runnable:
                    row = run_package(pythons[package.label], package, pool, folder, variant, size,
                                      lambda row: cells_of(row, ours, scores, capacity))
                    rows.append(row)
                    ramp.finished(row)
                    table.append(row.cells)

    print("\nseconds (wall clock): solve = the package's solving call, total = also building its inputs; ours = "
          "solve_optimal (mentor-match) or solve_stable (matching) on the same instance; x ours = their solve (tot: "
          "total) / ours; x ours cpu = the same ratio in CPU seconds (steadier when the machine is busy)")
    print("matched = theirs/ours; objective = (matched + total score) / the optimum's (solve_optimal, proven); "
          "score = total score / the optimum's; blocking = pairs that would both rather be together; check = "
          "matching's result against solve_stable's, or an exact package's objective against the proven optimum")
    print_table(HEADER, table)
    print_largest(kinds, PACKAGES, rows, pythons)
    return rows


def stated_cells(row: Row, pool: StatedPool, ours: dict) -> list[str]:
    """Table cells of one finished run on a stated pool; also sets row.note, row.wrong and row.figures."""
    res = row.result
    theirs = np.asarray(res["mentor_of"], dtype=np.int64)
    if theirs.shape != (len(pool.mentee_ids),):
        raise ValueError("assignment of the wrong shape")
    differ = int((theirs != ours["mentor_of"]).sum())
    row.note = "IDENTICAL" if differ == 0 else f"DIFFERENT ({differ} mentees)"
    row.wrong = differ > 0
    ratio, cpu_ratio = res["total_seconds"] / ours["wall"], res["total_cpu_seconds"] / max(ours["cpu"], 1e-6)
    row.figures = {"solve": res["total_seconds"], "ratio": ratio, "cpu_ratio": cpu_ratio, "check": row.note}
    return [f"{res['solve_seconds']:.3f}", f"{res['total_seconds']:.3f}", f"{ours['wall']:.3f}",
            f"{ours['cpu']:.3f}", fmt_ratio(ratio), fmt_ratio(cpu_ratio),
            f"{int((theirs >= 0).sum()):,}/{int((ours['mentor_of'] >= 0).sum()):,}", f"{ours['blocking']:,}",
            row.note, ours["load"]]


def run_stated_pools(kinds: list[str], sizes: dict, pythons: dict[str, Path], no_skip: bool) -> list[Row]:
    """The stated pools: ours end to end (``match`` on the tables, stable method) against the packages that
    take stated lists."""
    packages = [p for p in PACKAGES if p.ours == "stable" and p.label in pythons]
    table: list[list[str]] = []
    rows: list[Row] = []
    if not kinds:
        return rows
    our_wall: dict[tuple[str, tuple[int, int]], float] = {}
    for variant in kinds:
        ramp = Ramp(variant, packages, no_skip)
        for size in sizes[variant]:
            runnable = ramp.runnable(size, rows)
            made = time.perf_counter()
            pool = make_stated_pool(variant, *size)
            made = time.perf_counter() - made
            result, wall, cpu = timed(lambda: match(pool.tables, STATED_DESIGN, method="stable"))
            position = {p: j for j, p in enumerate(pool.mentor_ids)}
            mentor_of = pd.Series(result.pairs["mentor_id"].map(position).to_numpy(),
                                  index=result.pairs["mentee_id"]).reindex(pool.mentee_ids).fillna(-1)
            load = f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
            ours = {"mentor_of": mentor_of.to_numpy(dtype=np.int64), "wall": wall, "cpu": cpu,
                    "blocking": int(result.summary()["blocking_pairs"]), "load": load}
            our_wall[variant, size] = wall
            listed = int((pool.mentee_lists >= 0).sum())
            print(f"\n{variant} pool {fmt_size(size)} (made in {made:.1f} s): {len(pool.tables['preferences']):,} "
                  f"preference rows, {listed:,} allowed pairs, capacity {int(pool.capacity.sum()):,}; match(method="
                  f"'stable') {wall:.3f} s wall, {cpu:.3f} s CPU end to end: {len(result.pairs):,} pairs, "
                  f"{ours['blocking']:,} blocking{load_average()}", flush=True)
            if ours["blocking"]:
                table.append([variant, fmt_size(size), "ours", f"FAILED: {ours['blocking']:,} blocking pairs"])
                rows.append(Row(variant, size, Package("match(method='stable')", "", "", "stable"), "failed",
                                f"{ours['blocking']:,} blocking pairs", wrong=True))
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                header = write_stated_pool(folder, pool)
                for package in runnable:
                    row = run_package(pythons[package.label], package, header, folder, variant, size,
                                      lambda row: stated_cells(row, pool, ours))
                    rows.append(row)
                    ramp.finished(row)
                    table.append(row.cells)

    print("\nstated pools: every mentee ranks every mentor and every mentor every mentee (stated), or each person "
          f"{PARTIAL_LIST[0]}-{PARTIAL_LIST[1]} of the other side, the rest by score (partial); ours = match(tables, "
          "design, method='stable') end to end, wall and CPU seconds; solve/total = the package's solving call / "
          "also building its game; x ours tot = their total / ours (cpu: in CPU seconds); matched = theirs/ours; "
          "blocking = ours, counted by match under the lists it used; check = theirs against ours; load = 1-minute "
          "load average")
    print_table(STATED_HEADER, table)
    print_largest(kinds, packages, rows, pythons)
    kind, size, times = STATED_TARGET
    for hit in (r for r in rows if r.variant == kind and r.size == size and r.package in packages):
        target = f"\nTarget: {kind} lists at {fmt_size(size)}, ours end to end at least {times:g}x faster than " \
                 f"{hit.package.label}: "
        if hit.status == "ok":
            f = hit.figures
            print(f"{target}x{fmt_ratio(f['ratio'])} wall ({'PASS' if f['ratio'] >= times else 'MISS'}), "
                  f"x{fmt_ratio(f['cpu_ratio'])} CPU ({'PASS' if f['cpu_ratio'] >= times else 'MISS'})")
        elif hit.status == "timed out":
            at_least = LIMIT_SECONDS / our_wall[kind, size]
            print(f"{target}theirs did not finish in {LIMIT_SECONDS:g} s: at least x{fmt_ratio(at_least)} wall"
                  f"{' (PASS)' if at_least >= times else ''}; a longer --limit measures it")
        else:
            print(f"{target}not measured ({hit.status}: {hit.note})")
    return rows


# ----------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    global LIMIT_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    parser.add_argument("--only", default=",".join(SIZES),
                        help=f"pool kinds to run, comma-separated (default all: {','.join(SIZES)})")
    parser.add_argument("--limit", type=float, default=LIMIT_SECONDS, help="seconds per run (default 300)")
    parser.add_argument("--no-skip", action="store_true", help="run sizes projected to exceed the limit too")
    args = parser.parse_args(argv)
    LIMIT_SECONDS = args.limit
    sizes = QUICK_SIZES if args.quick else SIZES
    kinds = [k.strip() for k in args.only.split(",") if k.strip()]
    if unknown := [k for k in kinds if k not in SIZES]:
        parser.error(f"unknown pool kind(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    started = time.perf_counter()

    print(f"Matching solvers against open-source matchers (seed {SEED}, {FORBIDDEN_SHARE:.0%} of pairs forbidden "
          f"in score pools, capacities 1-3; {LIMIT_SECONDS:g} s and {MEMORY_GIB} GiB per run){load_average()}")
    pythons: dict[str, Path] = {}
    for package in PACKAGES:
        python, how = ensure_venv(package)
        if python is None:
            print(f"  {package.label}: NOT AVAILABLE, could not install {package.requirements}: {how}")
        else:
            pythons[package.label] = python
            print(f"  {package.label}: environment {python.parent.parent.relative_to(HERE)} ({how})")

    rows = run_score_pools([k for k in kinds if k not in STATED_KINDS], sizes, pythons, args.no_skip)
    rows += run_stated_pools([k for k in kinds if k in STATED_KINDS], sizes, pythons, args.no_skip)
    wrong = [r for r in rows if r.wrong]
    for r in wrong:
        print(f"\nFAILED: {r.variant} {fmt_size(r.size)} {r.package.label}: {r.note}")
    print(f"Total {time.perf_counter() - started:.1f} s{load_average()}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
