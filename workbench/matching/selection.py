"""Choosing a class of mentees from the cohort's applicants: quotas, matchability or a lottery.

The *applicants* are the cohort's mentee enrolment rows that pass the
design's mentee eligibility (:func:`workbench.matching.pool.build_pool`).
When more apply than the program can take, :func:`select_cohort` chooses a
class of ``class_size`` of them that meets the design's quotas or spread
targets (``launch.selection.quotas``: at least / at most a count or a share
of the class per department, level, site, or an opted-in sensitive group):

* ``matchability``: the class that can be matched best with the cohort's
  mentors, solved exactly as an integer program (OR-Tools, CBC). *Matchability* of a class is
  the best one-on-one matching of its mentees to the mentors under the
  design's hard rules, scores (:class:`~workbench.matching.scores.PairScorer`,
  0-1) and mentor capacities (group mentoring: ``group_size`` for every
  mentor offering capacity): first the number of mentees matched at once,
  then the sum of their pair scores (rounded to thousandths). So the class is
  one the mentors can actually take, and among those the best fitting.
  On pools of more than :data:`MAX_PAIRS` allowed pairs each applicant keeps
  their :data:`CANDIDATES` best mentors and the summary says the optimum is
  over those.
* ``lottery``: the fair alternative, blind to fit. A seeded random order of
  the applicants; each in turn is admitted when the quotas can still be met
  with them (a stratified lottery; with no quotas, a simple random sample).
  The draw order is part of the export, so the draw can be audited.
* ``everyone``: every applicant (no selection).

Every selection reports its matchability the same way (``summary``) and how
its make-up compares with the applicant pool (:meth:`CohortSelection.comparison`,
groups of fewer than five applicants hidden).

Contradictory quotas (minimums adding up to more than the class, a group with
fewer applicants than its minimum, a maximum under a minimum) and a class no
selection can form raise a :class:`WorkbenchError` naming the program and the
column and value at fault.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from pydantic import ValidationError

from workbench.data.columns import text_column
from workbench.data.tables import TABLES
from workbench.design.eligibility import refuse_sensitive
from workbench.design.model import ProgramDesign, Quota, SelectionMethod
from workbench.errors import WorkbenchError
from workbench.exports import safe_csv_text
from workbench.matching.names import SELECTION_METHODS
from workbench.matching.pool import Pool, build_pool
from workbench.matching.result import fairness_attributes
from workbench.matching.scores import PairScorer
from workbench.matching.solvers.optimal import _flow
from workbench.organisation import current_cohort
from workbench.privacy import MIN_GROUP, hide_small_groups

__all__ = ["CohortSelection", "SELECTION_METHODS", "Bound", "matchable_class", "quota_from_text", "resolve_quotas",
           "select_cohort", "stratified_lottery"]

#: Score units per 1.0 of pair score in the exact solver (scores are rounded to thousandths).
SCORE_STEPS = 1000
#: Largest number of allowed pairs the solver takes whole; above it each applicant keeps :data:`CANDIDATES` mentors.
MAX_PAIRS = 200_000
CANDIDATES = 20
#: Seconds the solver may take before it returns its best class so far (the summary then says it is not proven).
TIME_LIMIT_SECONDS = 60.0
BLANK = "(blank)"


@dataclass(frozen=True)
class Bound:
    """One resolved quota: ``low``-``high`` mentees of the class from the applicants in ``members`` (bool mask)."""

    column: str
    value: str
    members: np.ndarray
    low: int
    high: int


def _fail(design: ProgramDesign, text: str) -> WorkbenchError:
    return WorkbenchError(f"Program {design.name!r}: {text}")


def resolve_quotas(applicants: pd.DataFrame, quotas: Sequence[Quota], size: int, design: ProgramDesign) -> list[Bound]:
    """The quotas as bounds on whole mentees of a class of ``size`` drawn from ``applicants``.

    A minimum share is rounded up, a maximum share down; a quota with no
    ``value`` gives one bound per value of its column among the applicants
    (blank cells form the group ``(blank)``). Raises a :class:`WorkbenchError`
    naming the program, column and value when the quotas contradict each other
    or the applicants: a column people.csv does not have, a minimum above a
    maximum, a group with fewer applicants than its minimum, minimums of one
    column adding up to more than the class, maximums leaving too little room.
    """
    bounds: list[Bound] = []
    for quota in quotas:
        if quota.column not in applicants.columns:
            raise _fail(design, f"the quota column {quota.column!r} is not a column of people.csv.")
        values = text_column(applicants, quota.column).replace("", BLANK)
        groups = [quota.value.strip() or BLANK] if quota.value is not None else sorted(values.unique())
        low = max(quota.min_count or 0, math.ceil(round((quota.min_share or 0) * size, 9)))
        share_high = None if quota.max_share is None else math.floor(round(quota.max_share * size, 9))
        high = min([size, *(b for b in (quota.max_count, share_high) if b is not None)])
        for group in groups:
            members = (values == group).to_numpy()
            where = f"the quota on {quota.column} = {group!r}"
            if low > high:
                raise _fail(design, f"{where} asks for at least {low} and at most {high} of a class of {size}.")
            if low > members.sum():
                raise _fail(design, f"{where} asks for at least {low} of a class of {size}, but only "
                                    f"{int(members.sum())} applicant{'s are' if members.sum() != 1 else ' is'} "
                                    "in that group.")
            bounds.append(Bound(quota.column, group, members, low, high))
    for column in dict.fromkeys(b.column for b in bounds):
        mine = [b for b in bounds if b.column == column]
        lows: dict[str, int] = {}
        room: dict[str, int] = {}
        for b in mine:
            lows[b.value] = max(lows.get(b.value, 0), b.low)
            room[b.value] = min(room.get(b.value, size), b.high, int(b.members.sum()))
        if sum(lows.values()) > size:
            parts = ", ".join(f"{v} {n}" for v, n in lows.items() if n)
            raise _fail(design, f"the minimums for {column} add up to {sum(lows.values())} ({parts}), more than "
                                f"the class of {size}.")
        values = text_column(applicants, column).replace("", BLANK)
        free = int((~values.isin(set(room))).sum())
        if sum(room.values()) + free < size:
            raise _fail(design, f"the maximums for {column} leave room for only {sum(room.values()) + free} "
                                f"of a class of {size}.")
    return bounds


def _constrain(model: cp_model.CpModel, chosen: list, size: int, bounds: Sequence[Bound]) -> None:
    model.Add(sum(chosen) == size)
    for b in bounds:
        members = [chosen[i] for i in np.flatnonzero(b.members)]
        model.AddLinearConstraint(sum(members), b.low, b.high)


def _solver() -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker, fixed seed: the same class every time for the same input
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = TIME_LIMIT_SECONDS
    return solver


def _units(pairs, capacity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs with a mentor offering capacity, scores as whole thousandths in 0-:data:`SCORE_STEPS`."""
    e, m, s = (np.asarray(a) for a in pairs)
    keep = np.asarray(capacity)[m.astype(np.int64)] > 0 if len(m) else np.zeros(0, bool)
    return (e[keep].astype(np.int64), m[keep].astype(np.int64),
            np.rint(np.clip(s[keep], 0, 1) * SCORE_STEPS).astype(np.int64))


def _weight(size: int) -> int:
    return SCORE_STEPS * max(size, 1) + 1  # one more mentee matched outweighs any sum of scores


def _class_matching(pairs, capacity, selected: np.ndarray) -> dict:
    """The best matching of a given class (most matched, then the highest score units): a min-cost flow."""
    e, m, units = _units(pairs, capacity)
    keep = selected[e]
    e, m, units = e[keep], m[keep], units[keep]
    rows = np.flatnonzero(selected)
    position = np.full(len(selected), -1)
    position[rows] = np.arange(len(rows))
    used = (_flow(len(rows), len(capacity), position[e], m, _weight(len(rows)) + units,
                  np.asarray(capacity, dtype=np.int64)) if len(e) else np.zeros(0, bool))
    mentor = np.full(len(selected), -1)
    mentor[e[used]] = m[used]
    return {"selected": selected.copy(), "mentor": mentor, "matched": int(used.sum()),
            "score_units": int(units[used].sum()), "optimal": True}


@contextlib.contextmanager
def _c_output_silenced():
    """Send the process's standard output (file descriptor 1) to the null device while the body runs.

    CBC's simplex writes lines such as "42 slacks added" from C++, past every
    Python stream and its own log settings, into a terminal or a server log.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def matchable_class(pairs: tuple[np.ndarray, np.ndarray, np.ndarray], capacity: np.ndarray, n_applicants: int,
                    size: int, bounds: Sequence[Bound] = (), *, fixed: np.ndarray | None = None) -> dict | None:
    """The class of ``size`` applicants, within ``bounds``, that can be matched best; exact.

    ``pairs`` are the allowed pairs ``(applicant, mentor, score)`` with scores
    in [0, 1]; ``capacity`` the mentees each mentor takes. The objective is
    first the number of the class's mentees matched at once (each mentee at
    most one mentor, mentors within capacity), then the sum of their pair
    scores in whole thousandths. It is solved as an integer program with
    OR-Tools' CBC, to a gap of zero (one thread: the same class every time). ``fixed`` (bool,
    one per applicant) scores a given class instead of choosing one (a
    min-cost flow). Returns ``selected`` (bool array), ``mentor`` (the mentor
    each applicant gets in that matching, -1 for none), ``matched`` (count),
    ``score_units`` (sum of rounded scores, in thousandths), ``optimal``
    (proven), or ``None`` when no class meets the bounds.
    """
    if fixed is not None:
        return _class_matching(pairs, capacity, np.asarray(fixed, dtype=bool))
    e, m, units = _units(pairs, capacity)
    solver = pywraplp.Solver.CreateSolver("CBC")
    solver.SetTimeLimit(int(TIME_LIMIT_SECONDS * 1000))
    chosen = [solver.BoolVar(f"s{i}") for i in range(n_applicants)]
    link = [solver.BoolVar(f"x{k}") for k in range(len(e))]
    solver.Add(solver.Sum(chosen) == size)
    for b in bounds:
        members = solver.Sum([chosen[i] for i in np.flatnonzero(b.members)])
        solver.Add(members >= b.low)
        solver.Add(members <= b.high)
    by_mentee: dict[int, list] = {}
    by_mentor: dict[int, list] = {}
    for k, (i, j) in enumerate(zip(e.tolist(), m.tolist())):
        by_mentee.setdefault(i, []).append(link[k])
        by_mentor.setdefault(j, []).append(link[k])
    for i, links in by_mentee.items():
        solver.Add(solver.Sum(links) <= chosen[i])
    for j, links in by_mentor.items():
        solver.Add(solver.Sum(links) <= int(capacity[j]))
    weight = _weight(size)
    solver.Maximize(solver.Sum([(weight + int(u)) * x for u, x in zip(units, link)]))
    exact = pywraplp.MPSolverParameters()
    exact.SetDoubleParam(exact.RELATIVE_MIP_GAP, 0.0)  # the default stops within 0.01% of the optimum
    with _c_output_silenced():
        status = solver.Solve(exact)
    if status == pywraplp.Solver.INFEASIBLE:
        return None
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise WorkbenchError(f"The solver found no class within {TIME_LIMIT_SECONDS:g} s; try fewer applicants.")
    selected = np.array([c.solution_value() > 0.5 for c in chosen], dtype=bool)
    found = _class_matching(pairs, capacity, selected)  # the class's own best matching, by the exact flow
    return {**found, "optimal": status == pywraplp.Solver.OPTIMAL}


def stratified_lottery(n_applicants: int, size: int, bounds: Sequence[Bound] = (), *, seed: int) -> tuple:
    """A seeded lottery within the quotas: ``(selected, draw)``; ``None`` when no class meets ``bounds``.

    ``draw`` is each applicant's place (1-based) in a random order drawn with
    ``numpy.random.default_rng(seed)``. Going down that order, each applicant
    is admitted when a class of ``size`` within ``bounds`` still exists with
    everyone admitted so far and without everyone passed over (checked
    exactly with CP-SAT), until the class is full. With no bounds this is the
    first ``size`` of the order.
    """
    order = np.random.default_rng(seed).permutation(n_applicants)
    draw = np.empty(n_applicants, dtype=int)
    draw[order] = np.arange(1, n_applicants + 1)
    selected = np.zeros(n_applicants, dtype=bool)
    if not bounds:
        selected[order[:size]] = True
        return selected, draw
    model = cp_model.CpModel()
    chosen = [model.NewBoolVar(f"s{i}") for i in range(n_applicants)]
    _constrain(model, chosen, size, bounds)
    # witnesses that favour early draws agree with the greedy choices ahead, so few choices need a solve
    model.Maximize(sum(int(n_applicants - draw[i]) * chosen[i] for i in range(n_applicants)))
    solver = _solver()
    decided: list = []

    def feasible(*extra) -> np.ndarray | None:
        model.ClearAssumptions()
        model.AddAssumptions([*decided, *extra])
        status = solver.Solve(model)
        if status == cp_model.UNKNOWN:
            raise WorkbenchError(f"The lottery could not check the quotas within {TIME_LIMIT_SECONDS:g} s; try "
                                 "fewer applicants or quotas.")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return np.array([solver.Value(c) for c in chosen], dtype=bool)

    witness = feasible()  # a class within the bounds, kept while it agrees with every decision so far
    if witness is None:
        return None
    for i in order:
        if selected.sum() == size:
            break
        if witness[i] or (found := feasible(chosen[i])) is not None:
            witness = witness if witness[i] else found
            selected[i] = True
            decided.append(chosen[i])
        else:
            decided.append(chosen[i].Not())
    return selected, draw


def quota_from_text(text: str) -> Quota:
    """A quota from its short form (``department:<=30%``, ``level:>=2``, ``department=Sales:>=5,<=8``); see
    :class:`~workbench.design.model.Quota`."""
    try:
        return Quota.model_validate(text)
    except ValidationError as error:
        raise WorkbenchError(f"Quota {error.errors()[0]['msg'].removeprefix('Value error, ')}.") from None


def _infeasible(design: ProgramDesign, applicants: pd.DataFrame, size: int, quotas: Sequence[Quota]) -> WorkbenchError:
    """The message for quotas that no class meets together, naming a quota whose removal would help."""
    n = len(applicants)
    culprits = []
    for k, quota in enumerate(quotas):
        rest = resolve_quotas(applicants, [q for i, q in enumerate(quotas) if i != k], size, design)
        if stratified_lottery(n, size, rest, seed=0) is not None:
            culprits.append(f"{quota.column}" + (f" = {quota.value!r}" if quota.value is not None else " (each value)"))
    columns = ", ".join(dict.fromkeys(q.column for q in quotas))
    hint = (f" Without the quota on {' or on '.join(culprits)} it could." if culprits
            else " Relax more than one of them.")
    return _fail(design, f"no class of {size} from the {n} applicants meets the quotas on {columns} together.{hint}")


@dataclass(frozen=True, eq=False)
class CohortSelection:
    """A class chosen from the applicants, with how it was chosen and how matchable it is.

    ``applicants``: one row per applicant, ``person_id``, the people columns,
    ``best_score`` (their best allowed pair score with a mentor offering
    capacity, 0-1, blank for none), ``allowed_mentors`` (how many such
    mentors), ``selected`` (bool), ``draw`` (lottery order, 1-based; blank
    otherwise). ``summary``: ``program``, ``cohort``, ``method``,
    ``applicants``, ``class_size``, ``matched`` (mentees of the class matched
    at once in its best matching), ``mean_score`` (their mean pair score),
    ``optimal`` (the class is proven best; matchability only), ``note``.
    """

    design: ProgramDesign
    applicants: pd.DataFrame
    summary: dict
    attributes: tuple[str, ...]
    quota_columns: tuple[str, ...]

    @property
    def selected(self) -> pd.DataFrame:
        return self.applicants[self.applicants["selected"]].reset_index(drop=True)

    def comparison(self, column: str) -> pd.DataFrame:
        """The class against the pool by ``column``: per value ``applicants``, ``selected``, ``pool_share``,
        ``class_share`` (0-1) and ``difference`` (class minus pool, share points); groups of fewer than five
        applicants hidden (with enough others that they cannot be worked out)."""
        if column not in self.attributes:
            raise WorkbenchError(f"The selection cannot be compared by {column!r}; choose one of: "
                                 f"{', '.join(self.attributes) or 'none'}.")
        values = text_column(self.applicants, column).replace("", BLANK)
        table = (self.applicants.assign(group=values).groupby("group", sort=True)
                 .agg(applicants=("selected", "size"), selected=("selected", "sum")).reset_index()
                 .rename(columns={"group": column}))
        table["pool_share"] = table["applicants"] / max(len(self.applicants), 1)
        table["class_share"] = table["selected"] / max(int(self.applicants["selected"].sum()), 1)
        table["difference"] = table["class_share"] - table["pool_share"]
        return hide_small_groups(table, [column], count="applicants", min_group=MIN_GROUP)

    def report(self) -> pd.DataFrame:
        """:meth:`comparison` for every attribute in one table: ``attribute``, ``group`` and the same columns."""
        parts = [self.comparison(a).rename(columns={a: "group"}).assign(attribute=a) for a in self.attributes]
        if not parts:
            return pd.DataFrame(columns=["attribute", "group", "applicants", "selected", "pool_share", "class_share",
                                         "difference", "hidden"])
        table = pd.concat(parts, ignore_index=True)
        return table[["attribute", "group", "applicants", "selected", "pool_share", "class_share", "difference",
                      "hidden"]]

    def table(self) -> pd.DataFrame:
        """The export: the selected applicants, with their people columns used here, matchability and draw."""
        people = [c for c in ("name", "department", "level", "location", *self.quota_columns)
                  if c in self.applicants.columns]
        columns = ["person_id", *dict.fromkeys(people), "best_score", "allowed_mentors"]
        if self.summary["method"] == "lottery":
            columns.append("draw")
        table = self.selected[columns].assign(**{c: text_column(self.selected, c) for c in people})  # as written
        if "draw" in columns:
            table = table.sort_values("draw").reset_index(drop=True)
        return table.assign(best_score=table["best_score"].round(4))

    def csv(self) -> str:
        """:meth:`table` as CSV text safe to open in a spreadsheet."""
        return safe_csv_text(self.table())

    def summary_lines(self) -> list[str]:
        """The summary in a few plain lines (for a terminal or a caption)."""
        s = self.summary
        words = {"everyone": "every eligible applicant", "matchability": "best matchable class",
                 "lottery": f"lottery (seed {s['seed']})"}
        lines = [f"{s['program']}, cohort {s['cohort'] or '(none)'}: {s['class_size']} of {s['applicants']} "
                 f"eligible applicants chosen by {words[s['method']]}."]
        if s["class_size"]:
            lines.append(f"Matchable at once with the mentors' capacity: {s['matched']} of {s['class_size']}"
                         + (f", mean pair score {s['mean_score']:.2f} (0 = no fit, 1 = perfect)." if s["matched"]
                            else "."))
        if s["method"] == "matchability":
            lines.append("Proven the best class under the quotas." if s["optimal"] else
                         "The solver stopped at its time limit: a good class, not proven the best.")
        if s["note"]:
            lines.append(s["note"])
        return lines


def _matchability(pool: Pool, tables: Mapping[str, pd.DataFrame], design: ProgramDesign):
    """Allowed pairs (kept whole, or each applicant's best :data:`CANDIDATES` on large pools), capacity, best
    score and allowed mentors per applicant, and a note when pairs were cut."""
    exp = design.experience
    capacity = pool.mentors["capacity"].to_numpy(dtype=np.int64)
    if exp.structure == "group":
        capacity = np.where(capacity > 0, exp.group_size, 0)
    n, m = pool.n_mentees, pool.n_mentors
    best = np.full(n, np.nan)
    allowed = np.zeros(n, dtype=int)
    rows, cols, scores = [], [], []
    if n and m:
        scorer = PairScorer(pool, tables, design)
        cut = n * int((capacity > 0).sum()) > MAX_PAIRS
        for idx, block in scorer.blocks():
            block = np.where(capacity[None, :] > 0, block.astype(np.float64), -np.inf)
            ok = np.isfinite(block)
            allowed[idx] = ok.sum(axis=1)
            best[idx] = np.where(ok.any(axis=1), np.where(ok, block, -1.0).max(axis=1), np.nan)
            if cut and m > CANDIDATES:
                top = np.argpartition(-block, CANDIDATES - 1, axis=1)[:, :CANDIDATES]
                keep = np.zeros_like(ok)
                np.put_along_axis(keep, top, True, axis=1)
                ok &= keep
            r, c = np.nonzero(ok)
            rows.append(idx[r])
            cols.append(c)
            scores.append(block[r, c])
    else:
        cut = False
    pairs = tuple(np.concatenate(a) if a else np.zeros(0) for a in (rows, cols, scores))
    pairs = (pairs[0].astype(np.int64), pairs[1].astype(np.int64), pairs[2].astype(float))
    note = (f"Large pool: matchability counts each applicant's {CANDIDATES} best-scoring mentors only."
            if cut and m > CANDIDATES else "")
    if exp.structure in ("peer", "reverse"):
        note = (f"Matchability counts one-on-one pairs with the cohort's mentors; the design's {exp.structure} "
                f"structure pairs people differently. {note}").strip()
    return pairs, capacity, best, allowed, note


def select_cohort(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, size: int | None = None,
                  method: SelectionMethod | None = None, quotas: Sequence[Quota] | None = None,
                  seed: int | None = None, cohort: str | None = None,
                  sensitive: Sequence[str] = TABLES["people"].sensitive_columns) -> CohortSelection:
    """Choose a class from the cohort's eligible mentee applicants (see the module docstring).

    ``size``, ``method``, ``quotas`` and ``seed`` default to the design's
    ``launch.selection``. ``sensitive`` names the people columns that need the
    design's opt-in before a quota may use them (the workspace's sensitive
    columns). Raises a :class:`WorkbenchError` naming the program and the
    column or value at fault for contradictory quotas or an impossible class.
    """
    chosen = design.launch.selection
    method = method or chosen.method
    size = chosen.class_size if size is None else size
    quotas = tuple(chosen.quotas if quotas is None else quotas)
    seed = chosen.seed if seed is None else seed
    if method not in SELECTION_METHODS:
        raise WorkbenchError(f"Unknown selection method {method!r}; choose one of: {', '.join(SELECTION_METHODS)}.")
    refuse_sensitive(design, [q.column for q in quotas], sensitive=sensitive, use="selection quotas")
    if tables.get("enrolment") is not None and cohort is None:
        cohort, _ = current_cohort(tables["enrolment"])
    pool = build_pool(tables, design, cohort=cohort)
    applicants = pool.mentees
    n = len(applicants)
    if method == "everyone":
        if size is not None and size != n:
            raise _fail(design, f"the method 'everyone' takes all {n} eligible applicants, not a class of {size}; "
                                "choose matchability or lottery to choose a class.")
        size = n
    elif size is None:
        raise _fail(design, f"choosing by {method} needs a class size (launch.selection.class_size).")
    elif size > n:
        raise _fail(design, f"a class of {size} needs at least {size} eligible applicants; cohort "
                            f"{cohort or '(none)'} has {n}.")
    if method == "matchability" and design.experience.structure in ("peer", "reverse"):
        raise _fail(design, f"choosing by matchability needs mentors to match the class with, and the "
                            f"{design.experience.structure} structure has none; choose the lottery.")
    bounds = resolve_quotas(applicants, quotas, size, design) if method != "everyone" else []
    pairs, capacity, best, allowed, note = _matchability(pool, tables, design)
    draw = np.full(n, np.nan)
    if method == "lottery":
        drawn = stratified_lottery(n, size, bounds, seed=seed)
        if drawn is None:
            raise _infeasible(design, applicants, size, quotas)
        selected, order = drawn
        draw = order.astype(float)
    elif method == "matchability":
        found = matchable_class(pairs, capacity, n, size, bounds)
        if found is None:
            raise _infeasible(design, applicants, size, quotas)
        selected = found["selected"]
    else:
        selected = np.ones(n, dtype=bool)
    scored = matchable_class(pairs, capacity, n, size, fixed=selected)
    summary = {"program": design.name, "cohort": cohort or "", "method": method, "seed": seed, "applicants": n,
               "class_size": int(selected.sum()), "matched": scored["matched"],
               "mean_score": (scored["score_units"] / SCORE_STEPS / scored["matched"]) if scored["matched"] else None,
               "optimal": found["optimal"] if method == "matchability" else None, "note": note}
    table = applicants.assign(best_score=best, allowed_mentors=allowed, selected=selected,
                              draw=pd.array(np.where(np.isnan(draw), pd.NA, draw), dtype="Int64"))
    quota_columns = tuple(dict.fromkeys(q.column for q in quotas))
    attributes = tuple(dict.fromkeys([*fairness_attributes(pool, design), *quota_columns]))
    return CohortSelection(design, table, summary, attributes, quota_columns)
