"""Several programs on one pool of mentors: :func:`match_programs`, jointly or in a priority order.

Each program has its own design (eligibility, structure, criteria, rules,
capacity cap) and its own enrolment (:func:`workbench.programs.program_tables`:
the enrolment's ``program`` column, blank = every program). What they share
is the mentors' time: the capacity a mentor offers on their enrolment row is
their total across programs, and in each program they take at most
``min(offered, that program's experience.mentor_capacity)``. A mentee is
matched in at most one of the programs that share mentors.

Which programs share:

* one-on-one and functional programs (and mosaic, in priority order): every
  mentee linked to a mentor takes one of that mentor's places;
* group, flash, peer and reverse programs are matched on their own and take
  none of the shared places (a group seat, a flash round, a peer or a junior
  teaching a senior is not a mentoring place as the capacity counts it); the
  result says so for each.

The two modes:

``joint``
    one exact solve over every sharing program's mentees: the most matched
    mentees plus the highest total score (the ``optimal`` objective, gain
    ``1 + score`` per pair, each pair scored by its own program's criteria
    and rules) under each program's caps and each mentor's total. A min-cost
    flow on a sparse candidate graph (mentee -> program place of a mentor ->
    the mentor -> sink), proven optimal on every pair like
    :func:`workbench.matching.solvers.solve_optimal`: its LP duals leave no
    pair with a positive reduced gain, and the duals' objective equals the
    matching's. Each program's own matching method does not apply here.
``priority``
    the programs one after another in the stated order, each with its own
    method, on the places earlier programs left and without the mentees they
    matched.

A program no eligible mentor is enrolled in is an error naming the program.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from workbench.data.columns import number_column, text_column
from workbench.design.catalogue import structure_label
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.design.catalogue import structure_label
from workbench.matching import api as _api
from workbench.matching.api import match
from workbench.matching.names import method_label
from workbench.matching.pool import build_pool
from workbench.matching.result import MatchResult
from workbench.matching.storage import matching_files
from workbench.matching.solvers.optimal import _potentials
from workbench.matching.structures import Links
from workbench.organisation import current_cohort
from workbench.programs import program_tables
from workbench.workspace import FIRST_PROGRAM, PROGRAMS_DIR, Workspace, program_scope, save_files

__all__ = ["JOINT_STRUCTURES", "MODES", "SHARED_STRUCTURES", "ProgramsMatch", "check_mentors", "match_programs",
           "save_programs_matching"]

MODES = ("joint", "priority")
#: Structures whose mentees take mentors' places, shared across programs (one link = one place).
SHARED_STRUCTURES = ("one_on_one", "functional", "mosaic")
#: Structures the joint solve models (one round, one mentor per mentee).
JOINT_STRUCTURES = ("one_on_one", "functional")
#: Candidate mentors kept per mentee (and mentees per mentor place) before the proof adds what is missing.
CANDIDATES = 20
#: Pairs per mentee, and per mentor place, whose exact gains are kept for checking the duals without scoring again.
KNOWN = 256
KNOWN_PER_MENTOR = CANDIDATES
#: Kept pairs within this much (score) of violating the duals join the graph with the violating ones.
NEAR = 0.02
#: Scores pulled per block (rows x mentor places).
BLOCK_CELLS = 1 << 22


@dataclass(frozen=True, eq=False)
class ProgramsMatch:
    """Several programs matched on one pool (see the module docstring).

    ``results``: one :class:`~workbench.matching.result.MatchResult` per
    program, in ``order``. ``capacity``: one row per mentor of a sharing
    program, ``person_id``, ``offered`` (their total places), one column per
    sharing program with the places it used, ``used`` and ``left``.
    ``summary``: one row per program (``program``, ``name``, ``structure``,
    ``method``, ``shares_places``, ``mentees``, ``matched_mentees``,
    ``match_rate`` 0-1, ``mean_score`` 0-1, ``total_score``, ``places_used``).
    ``proof``: the joint solve's certificate (empty in priority order).
    """

    mode: str
    order: tuple[str, ...]
    results: dict[str, MatchResult]
    capacity: pd.DataFrame
    summary: pd.DataFrame
    messages: tuple[str, ...]
    proof: dict = field(default_factory=dict)

    @property
    def total_matched(self) -> int:
        """Mentees matched across the programs."""
        return int(self.summary["matched_mentees"].sum())

    @property
    def total_score(self) -> float:
        """Sum of every program's pair scores."""
        return float(self.summary["total_score"].sum())

    def lines(self) -> list[str]:
        """The outcome in plain sentences, one per program, then the shared places."""
        how = ("solved jointly (one exact solve over every program sharing mentors)" if self.mode == "joint" else
               f"in priority order {' > '.join(self.order)}")
        out = [f"{len(self.order)} programs {how}."]
        for row in self.summary.itertuples(index=False):
            score = f", mean score {row.mean_score:.2f}" if pd.notna(row.mean_score) else ""
            shares = (f", {row.places_used:,} mentor place{'s' if row.places_used != 1 else ''} used"
                      if row.shares_places else ", matched on its own (no shared mentor places)")
            out.append(f"  {row.program} ({row.name}; {structure_label(row.structure).lower()}, "
                       f"{method_label(row.method).lower()}): {row.matched_mentees:,} of {row.mentees:,} matched "
                       f"({row.match_rate:.0%}){score}{shares}.")
        if len(self.capacity):
            out.append(self.places_line())
        if self.proof.get("optimal"):
            out.append("Proven optimal over every pair of every sharing program (objective = dual bound).")
        return out + list(self.messages)

    def places_line(self) -> str:
        """The mentors' places across the programs that share them, in one sentence.

        A mentor's places are the capacity on their enrolment row, their
        total across programs; each program takes at most its own
        ``experience.mentor_capacity`` of them per mentor, so one program
        matched alone can have fewer places than this total (said when so).
        """
        offered, used = int(self.capacity["offered"].sum()), int(self.capacity["used"].sum())
        full = int((self.capacity["left"] == 0).sum())
        line = (f"Mentor places used: {used:,} of the {offered:,} the mentors offer across the programs; {full:,} of "
                f"{len(self.capacity):,} mentors have none left; no mentor has more mentees in all than they offered.")
        caps = {p: self.results[p].design.experience.mentor_capacity
                for p, shares in zip(self.summary["program"], self.summary["shares_places"]) if shares}
        if caps and (self.capacity["offered"] > max(caps.values())).any():
            each = (f"{next(iter(caps.values())):,} mentees per mentor" if len(set(caps.values())) == 1 else
                    "mentees per mentor up to its cap (" + ", ".join(f"{p} {c:,}" for p, c in caps.items()) + ")")
            line += (f" A program takes at most {each}, so one program matched alone can have fewer than these "
                     f"{offered:,} places.")
        return line


def match_programs(tables: Mapping[str, pd.DataFrame], designs: Mapping[str, ProgramDesign], *,
                   mode: str = "joint", order: Sequence[str] | None = None, programs: Sequence[str] | None = None,
                   seed: int = 0, cohort: str | None = None) -> ProgramsMatch:
    """Match the programs ``designs`` (id -> design) of one cohort on their shared pool.

    ``mode``: ``"joint"`` or ``"priority"`` (module docstring). ``order``: the
    priority order (default: the order of ``designs``); every program of
    ``designs`` exactly once. ``programs``: every program id of the workspace,
    for reading the enrolment's ``program`` column (default: the ids of
    ``designs``). ``seed`` drives the random methods; ``cohort`` defaults to
    the current one. Same inputs, same result.
    """
    if mode not in MODES:
        raise WorkbenchError(f"Unknown mode {mode!r}; choose one of: {', '.join(MODES)}.")
    if not designs:
        raise WorkbenchError("There is no program to match.")
    order = tuple(designs) if order is None else tuple(order)
    if sorted(order) != sorted(designs):
        missing, unknown = sorted(set(designs) - set(order)), sorted(set(order) - set(designs))
        raise WorkbenchError("The priority order must name every program once: "
                             + "; ".join(filter(None, [f"missing {', '.join(missing)}" if missing else "",
                                                       f"unknown {', '.join(unknown)}" if unknown else "",
                                                       "a program twice" if len(set(order)) < len(order) else ""]))
                             + f" (programs: {', '.join(designs)}).")
    programs = tuple(programs or designs)
    enrolment = tables.get("enrolment")
    if enrolment is None or tables.get("people") is None:
        raise WorkbenchError("Matching needs the people and enrolment tables.")
    if cohort is None:
        cohort, _ = current_cohort(enrolment)
    own = {p: program_tables(tables, p, programs) for p in order}
    for p in order:
        check_mentors(p, designs[p], own[p], cohort)
    offered = _offered(enrolment, cohort)
    shared = [p for p in order if designs[p].experience.structure in SHARED_STRUCTURES]
    messages = [f"{p}: {designs[p].experience.structure.replace('_', '-')} programs are matched on their own and "
                "take none of the mentors' shared places." for p in order if p not in shared]
    results: dict[str, MatchResult] = {}
    proof: dict = {}
    if mode == "joint":
        not_joint = [p for p in shared if designs[p].experience.structure not in JOINT_STRUCTURES]
        if not_joint:
            p = not_joint[0]
            raise WorkbenchError(f"Program {p!r} ({designs[p].name}) is {designs[p].experience.structure} "
                                 "mentoring: the joint solve models one-on-one programs only; match in priority "
                                 "order instead.")
        results, proof = _joint(own, designs, shared, cohort, seed, offered)
    used: dict[str, dict[str, int]] = {}
    taken: set[str] = set()
    for p in order:
        if p in results:
            pass
        elif p in shared:  # priority order: what earlier programs left
            left = {who: offered.get(who, 0) - sum(u.get(who, 0) for u in used.values()) for who in offered}
            results[p] = match(_remaining(own[p], cohort, left, taken), designs[p], seed=seed, cohort=cohort)
            gone = len(taken & set(text_column(_cohort_rows(own[p]["enrolment"], cohort), "person_id")))
            if gone:
                messages.append(f"{p}: {gone:,} of its mentees were matched by an earlier program and not offered "
                                "to it.")
        else:
            results[p] = match(own[p], designs[p], seed=seed, cohort=cohort)
        if p in shared:
            pairs = results[p].pairs
            used[p] = pairs["mentor_id"].value_counts().to_dict()
            taken |= set(pairs["mentee_id"])
    for p in shared:
        results[p].settings["programs"] = {"mode": mode, "order": list(order), "shares_places_with": shared}
    results = {p: results[p] for p in order}
    capacity = _capacity_table(offered, used, shared, results)
    if len(capacity) and (capacity["left"] < 0).any():  # the solvers' job; never shown wrong if they fail it
        raise RuntimeError("a mentor was given more mentees across programs than they offered")
    return ProgramsMatch(mode=mode, order=order, results=results, capacity=capacity,
                         summary=_summary(results, designs, shared, used), messages=tuple(messages), proof=proof)


def save_programs_matching(workspace: Workspace, found: ProgramsMatch) -> Workspace:
    """Save every program's matching into its own folder (``results/matching.csv`` and ``.yaml``) in one
    undoable, revision-checked save (one step: all of them or none); each record names the mode and order it
    was matched in."""
    contents = {}
    for p, result in found.results.items():
        prefix = "" if p == FIRST_PROGRAM else f"{PROGRAMS_DIR}/{p}/"
        contents.update({prefix + name: text for name, text in matching_files(result).items()})
    how = "jointly" if found.mode == "joint" else "in priority order"
    return save_files(program_scope(workspace, None), contents,
                      message=f"save the matchings of {', '.join(found.order)} ({how})")


# --------------------------------------------------------------------------
# Shared places
# --------------------------------------------------------------------------


def _cohort_rows(enrolment: pd.DataFrame, cohort: str) -> pd.DataFrame:
    if "cohort" not in enrolment.columns:
        return enrolment
    return enrolment[text_column(enrolment, "cohort") == str(cohort)]


def _offered(enrolment: pd.DataFrame, cohort: str) -> dict[str, int]:
    """Each enrolled mentor's total places across programs (the capacity they offered; blank = 0)."""
    rows = _cohort_rows(enrolment, cohort)
    roles = text_column(rows, "role")
    rows = rows[roles.isin(["mentor", "both"]).to_numpy()]
    capacity = np.maximum(np.nan_to_num(number_column(rows, "capacity").to_numpy(), nan=0.0), 0).astype(int)
    ids = text_column(rows, "person_id").to_numpy()
    out: dict[str, int] = {}
    for who, c in zip(ids, capacity):
        out.setdefault(who, int(c))  # the pool keeps a person's first row of the cohort
    return out


def _remaining(tables: Mapping[str, pd.DataFrame], cohort: str, left: Mapping[str, int],
               taken: set[str]) -> dict[str, pd.DataFrame]:
    """``tables`` with each mentor's capacity set to the places left and mentees already matched leaving."""
    enrolment = tables["enrolment"]
    ids = text_column(enrolment, "person_id")
    role = text_column(enrolment, "role")
    in_cohort = text_column(enrolment, "cohort").eq(str(cohort)) if "cohort" in enrolment.columns else \
        pd.Series(True, index=enrolment.index)
    done = ids.isin(taken) & in_cohort
    keep = ~(done & role.eq("mentee"))
    role = role.mask(done & role.eq("both"), "mentor")
    mentor = role.isin(["mentor", "both"]) & in_cohort
    capacity = text_column(enrolment, "capacity").copy()
    capacity[mentor] = [str(max(int(left.get(who, 0)), 0)) for who in ids[mentor]]
    out = dict(tables)
    out["enrolment"] = enrolment.assign(role=role, capacity=capacity)[keep.to_numpy()].reset_index(drop=True)
    return out


def _capacity_table(offered: Mapping[str, int], used: Mapping[str, Mapping[str, int]], shared: Sequence[str],
                    results: Mapping[str, MatchResult]) -> pd.DataFrame:
    mentors = sorted({who for p in shared for who in results[p].pool.mentors["person_id"]})
    frame = pd.DataFrame({"person_id": pd.Series(mentors, dtype=object),
                          "offered": [int(offered.get(who, 0)) for who in mentors]})
    for p in shared:
        frame[p] = [int(used.get(p, {}).get(who, 0)) for who in mentors]
    frame["used"] = frame[list(shared)].sum(axis=1).astype(int) if shared else 0
    frame["left"] = frame["offered"] - frame["used"]
    return frame


def _summary(results: Mapping[str, MatchResult], designs: Mapping[str, ProgramDesign], shared: Sequence[str],
             used: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    rows = []
    for p, r in results.items():
        s = r.summary()
        rows.append({"program": p, "name": designs[p].name, "structure": s["structure"], "method": s["method"],
                     "shares_places": p in shared, "mentees": s["mentees"], "matched_mentees": s["matched_mentees"],
                     "match_rate": s["match_rate"], "mean_score": s["mean_score"], "total_score": s["total_score"],
                     "places_used": int(sum(used.get(p, {}).values()))})
    return pd.DataFrame(rows)


def check_mentors(program: str, design: ProgramDesign, tables: Mapping[str, pd.DataFrame], cohort: str) -> None:
    """Refuse (:class:`WorkbenchError` naming the program) a program that needs mentors and has no eligible one.

    ``tables`` are the program's own (:func:`workbench.programs.program_tables`); peer programs need none.
    """
    if design.experience.structure == "peer":
        return
    pool = build_pool(tables, design, cohort=cohort)
    if pool.n_mentors:
        return
    rows = _cohort_rows(tables["enrolment"], cohort)
    enrolled = int(text_column(rows, "role").isin(["mentor", "both"]).sum())
    rule = ", ".join(f"{k} {v}" for k, v in design.align.mentor_eligibility.model_dump(exclude_defaults=True).items())
    raise WorkbenchError(
        f"Program {program!r} ({design.name}) has no eligible mentor in cohort {cohort}: "
        + (f"none of the {enrolled:,} mentors enrolled in it passes its mentor eligibility "
           f"(align.mentor_eligibility: {rule or 'employed'})"
           if enrolled else "nobody is enrolled in it as a mentor (enrolment.csv, columns role and program)")
        + ". Widen the eligibility or enrol mentors in it; nothing was matched or saved.")


# --------------------------------------------------------------------------
# The joint solve
# --------------------------------------------------------------------------


def _joint(own, designs, shared, cohort, seed, offered) -> tuple[dict[str, MatchResult], dict]:
    if not shared:
        return {}, {}
    preps = {p: _api._prepare(own[p], designs[p], structure=None, weights=None, hard_rules=None, overrides=None,
                                  cohort=cohort) for p in shared}
    pools = [preps[p].pool for p in shared]
    mentee_ids = np.unique(np.concatenate([pool.mentees["person_id"].to_numpy(dtype=str) for pool in pools]))
    mentor_ids = np.unique(np.concatenate([pool.mentors["person_id"].to_numpy(dtype=str) for pool in pools]))
    person_cap = np.array([offered.get(who, 0) for who in mentor_ids], dtype=np.int64)
    problems = [_Program(scorer=preps[p].scorer,
                         person=np.searchsorted(mentee_ids, pool.mentees["person_id"].to_numpy(dtype=str)),
                         mentor=np.searchsorted(mentor_ids, pool.mentors["person_id"].to_numpy(dtype=str)),
                         cap=pool.mentors["capacity"].to_numpy(dtype=np.int64)) for p, pool in zip(shared, pools)]
    found, proof = solve_joint(problems, len(mentee_ids), person_cap)
    results = {}
    for p, problem, (rows, mentors) in zip(shared, problems, found):
        links = Links(rows, mentors, np.full(len(rows), -1, np.int64), np.zeros(len(rows), np.int64), proof)
        results[p] = _api._run(preps[p], "optimal", seed=seed, solved=(links, problem.cap))
    where = {}
    for p in shared:
        where.update(dict.fromkeys(results[p].pairs["mentee_id"], p))
    for p in shared:
        results[p] = _elsewhere(results[p], p, where)
    return results, proof


def _elsewhere(result: MatchResult, program: str, where: Mapping[str, str]) -> MatchResult:
    """Reasons of the unmatched that say what the sharing did: matched in another program, or places taken."""
    unmatched = result.unmatched.copy()
    mentee = unmatched["role"].eq("mentee")
    other = unmatched["person_id"].map(where).fillna("")
    moved = mentee & other.ne("") & other.ne(program)
    unmatched.loc[moved, "reason"] = "matched in program " + other[moved]
    full = mentee & ~moved & unmatched["reason"].str.startswith("capacity exhausted")
    unmatched.loc[full, "reason"] += " (their places are shared with the other programs)"
    return replace(result, unmatched=unmatched, figures={**result.summary(), "matched_elsewhere": int(moved.sum())})


@dataclass(frozen=True)
class _Program:
    """One sharing program in the joint solve: its score source, and for its rows and mentor columns the
    mentee person, mentor person (indexes into the joint lists) and the program's cap per mentor."""

    scorer: object
    person: np.ndarray
    mentor: np.ndarray
    cap: np.ndarray


def solve_joint(programs: Sequence[_Program], n_mentees: int, person_cap: np.ndarray, *, k: int = CANDIDATES,
                known: int = KNOWN, known_per_mentor: int = KNOWN_PER_MENTOR,
                tol: float = 1e-6) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict]:
    """Max-gain matching of mentees over several programs' mentor places, proven optimal.

    Each mentee (person) at most once in all, each program's mentor column up
    to its cap, each mentor person up to ``person_cap`` over all programs.
    Gain ``1 + score`` per pair in integer units of ``tol``. Returns per
    program (mentee rows, mentor columns) of the matched pairs, and the proof.

    The flow is solved on a candidate graph (each row's ``k`` best columns,
    each column's ``k`` best rows); one pass also keeps each row's
    ``known`` best pairs (and each column's ``known_per_mentor`` best) and a
    bound on the rest of the row. After each solve the
    kept pairs are checked against the duals exactly, and rows whose bound
    cannot clear them are scored again; pairs that violate (or nearly do,
    within :data:`NEAR`) join the graph, until none violates.
    """
    unit = int(round(1.0 / tol))
    offsets = np.cumsum([0] + [len(p.cap) for p in programs])
    n_slots = int(offsets[-1])
    width = max([len(p.person) for p in programs] + [1])
    slot_cap = np.concatenate([np.zeros(0, np.int64)] + [p.cap for p in programs]).astype(np.int64)
    slot_person = np.concatenate([np.zeros(0, np.int64)] + [p.mentor for p in programs]).astype(np.int64)
    open_slot = (slot_cap > 0) & (person_cap[slot_person] > 0) if n_slots else np.zeros(0, bool)
    graph, kept_pairs, bound = [], [], []
    for q, prog in enumerate(programs):
        g, kept, rb = _candidates(prog, open_slot[offsets[q]:offsets[q + 1]], k, max(known, k),
                                  max(known_per_mentor, k), unit)
        graph.append((prog.person[g[0]], g[0], offsets[q] + g[1], g[2]))
        kept_pairs.append((prog.person[kept[0]], kept[0], offsets[q] + kept[1], kept[2]))
        bound.append(rb)
    arc_i, arc_row, arc_s, arc_g = (np.concatenate([np.zeros(0, np.int64)] + list(x)).astype(np.int64)
                                    for x in zip(*graph))
    known_i, known_row, known_s, known_g = (np.concatenate([np.zeros(0, np.int64)] + list(x)).astype(np.int64)
                                            for x in zip(*kept_pairs))
    proof = {"optimal": False, "candidates": int(k), "candidate_pairs": int(len(arc_i)),
             "known_pairs": int(len(known_i)), "pairs_added": 0, "rounds": 0, "rows_scanned": 0, "unit": tol}
    n_people = len(person_cap)
    near = int(NEAR * unit)
    while True:
        proof["rounds"] += 1
        used = _flow(n_mentees, n_slots, n_people, arc_i, arc_s, arc_g, slot_cap, slot_person, person_cap)
        u, value = _duals(n_mentees, n_slots, n_people, arc_i, arc_s, arc_g, used, slot_cap, slot_person,
                          person_cap)
        objective = int(arc_g[used].sum())
        proof["objective"], proof["dual_bound"] = objective, int(u.sum() + value["dual"])
        if proof["rounds"] == 1:
            proof["top_k_objective"] = objective
        v = value["slot"]
        red = known_g - u[known_i] - v[known_s]
        candidates = [(known_i, known_row, known_s, known_g, red)]
        if not (red > 0).any():  # the kept pairs agree with the duals: the rest, by the bounds or scored again
            for q, prog in enumerate(programs):
                rows, cols, gains = _scan(prog, bound[q], u, v[offsets[q]:offsets[q + 1]],
                                          open_slot[offsets[q]:offsets[q + 1]], k, unit, proof)
                candidates.append((prog.person[rows], rows, offsets[q] + cols, gains,
                                   gains - u[prog.person[rows]] - v[offsets[q] + cols]))
        ci, cr, cs, cg, cred = (np.concatenate(x) for x in zip(*candidates))
        if not (cred > 0).any():
            break
        pick = cred > -near
        key = cs[pick] * width + cr[pick]
        new = ~np.isin(key, arc_s * width + arc_row)
        _, first = np.unique(key[new], return_index=True)
        take = np.flatnonzero(pick)[np.flatnonzero(new)[first]]
        proof["pairs_added"] += len(take)
        arc_i, arc_row, arc_s, arc_g = (np.r_[a, b[take]] for a, b in zip((arc_i, arc_row, arc_s, arc_g),
                                                                           (ci, cr, cs, cg)))
    if proof["objective"] != proof["dual_bound"]:
        raise RuntimeError("the dual bound differs from the joint matching's gain: optimality not proven")
    proof["optimal"] = True
    program_of = np.searchsorted(offsets, arc_s[used], side="right") - 1
    out = []
    for q in range(len(programs)):
        mine = program_of == q
        rows, cols = arc_row[used][mine], arc_s[used][mine] - offsets[q]
        order = np.argsort(rows, kind="stable")
        out.append((rows[order], cols[order]))
    return out, proof


def _gain(score: np.ndarray, unit: int) -> np.ndarray:
    """Integer gains ``unit + round(score * unit)`` of finite scores."""
    return unit + np.rint(score.astype(np.float64) * unit).astype(np.int64)


def _row_blocks(n: int, m: int):
    size = max(1, BLOCK_CELLS // max(1, m))
    for start in range(0, n, size):
        yield np.arange(start, min(start + size, n))


def _best(block: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Indexes of the ``k`` best entries along ``axis`` (all when there are no more)."""
    size = block.shape[axis]
    if k >= size:
        return np.broadcast_to(np.arange(size)[:, None] if axis == 0 else np.arange(size), block.shape)
    part = np.argpartition(-block, k - 1, axis=axis)
    return part[:k] if axis == 0 else part[:, :k]


def _candidates(prog: _Program, open_: np.ndarray, k: int, depth: int, column_depth: int, unit: int):
    """One pass over a program's pairs: the graph (each row's ``k`` best open columns and each column's ``k``
    best rows), the kept pairs (each row's ``depth`` best and each column's ``column_depth`` best), each
    as ``(rows, columns, gains)``, and per row the gain of its best pair not among its ``depth`` best (``-1``:
    none)."""
    n, m = len(prog.person), len(prog.cap)
    empty = (np.zeros(0, np.int64),) * 3
    bound = np.full(n, -1, dtype=np.int64)
    if m == 0 or not n:
        return empty, empty, bound
    kept, col_best = [], []
    for rows in _row_blocks(n, m):
        block = np.where(open_[None, :], prog.scorer.block(rows), np.float32(-np.inf))
        if depth < m:
            part = np.argpartition(-block, depth, axis=1)
            rest = block[np.arange(len(rows)), part[:, depth]]
            bound[rows] = np.where(np.isfinite(rest), _gain(np.where(np.isfinite(rest), rest, 0), unit), -1)
            top = part[:, :depth]
        else:
            top = _best(block, depth, 1)
        r = np.repeat(np.arange(len(rows)), top.shape[1])
        c = top.reshape(-1)
        s = block[r, c]
        ok = np.isfinite(s)
        kept.append((rows[r[ok]], c[ok], s[ok]))
        part = _best(block, column_depth, 0)
        c = np.broadcast_to(np.arange(m), part.shape).reshape(-1)
        rr = part.reshape(-1)
        s = block[rr, c]
        ok = np.isfinite(s)
        col_best.append((rows[rr[ok]], c[ok], s[ok]))
    kr, kc, ks = (np.concatenate(x) for x in zip(*kept))
    order = np.lexsort((kc, -ks, kr))
    kr, kc, ks = kr[order], kc[order], ks[order]
    row_top = np.arange(len(kr)) - np.searchsorted(kr, kr) < k
    r, c, s = (np.concatenate(x) for x in zip(*col_best))
    order = np.lexsort((r, -s, c))
    r, c, s = r[order], c[order], s[order]
    col_rank = np.arange(len(c)) - np.searchsorted(c, c)
    col_top, col_kept = col_rank < k, col_rank < column_depth
    gr, gc, gs = np.r_[kr[row_top], r[col_top]], np.r_[kc[row_top], c[col_top]], np.r_[ks[row_top], s[col_top]]
    _, first = np.unique(gr.astype(np.int64) * m + gc, return_index=True)
    kr, kc, ks = np.r_[kr, r[col_kept]], np.r_[kc, c[col_kept]], np.r_[ks, s[col_kept]]
    _, once = np.unique(kr.astype(np.int64) * m + kc, return_index=True)
    as_int = lambda a: a.astype(np.int64)
    return ((as_int(gr[first]), as_int(gc[first]), _gain(gs[first], unit)),
            (as_int(kr[once]), as_int(kc[once]), _gain(ks[once], unit)), bound)


def _scan(prog: _Program, bound: np.ndarray, u: np.ndarray, v: np.ndarray, open_: np.ndarray, k: int, unit: int,
          proof: dict):
    """Pairs of this program outside the kept ones with a positive reduced gain ``gain - u - v`` (up to ``k``
    per row, most first), ``(rows, columns, gains)``.

    A row is scored again only when its bound could violate the duals against the cheapest open column; a
    float32 filter with two units of slack comes before the exact integer test."""
    empty = (np.zeros(0, np.int64),) * 3
    if not open_.any() or not len(bound):
        return empty
    uu = u[prog.person]
    rows = np.flatnonzero(bound - uu - v[open_].min() > 0)
    proof["rows_scanned"] += len(rows)
    out = []
    m = len(prog.cap)
    vv = np.where(open_, v, np.iinfo(np.int64).max // 4)
    for at in _row_blocks(len(rows), m):
        chunk = rows[at]
        block = prog.scorer.block(chunk)
        floor = ((vv[None, :] + (uu[chunk] - unit - 2)[:, None]) / unit).astype(np.float32)
        r, c = np.nonzero(block > floor)
        gains = _gain(block[r, c], unit)
        red = gains - uu[chunk[r]] - vv[c]
        bad = red > 0
        r, c, gains, red = r[bad], c[bad], gains[bad], red[bad]
        order = np.lexsort((c, -red, r))
        r, c, gains = r[order], c[order], gains[order]
        keep = np.arange(len(r)) - np.searchsorted(r, r) < k
        out.append((chunk[r[keep]], c[keep], gains[keep]))
    if not out:
        return empty
    return tuple(np.concatenate(x).astype(np.int64) for x in zip(*out))


def _flow(n, n_slots, n_people, arc_i, arc_s, arc_g, slot_cap, slot_person, person_cap) -> np.ndarray:
    """Which candidate arcs a max-gain flow uses: mentee -> place -> mentor -> sink, a zero-gain bypass each."""
    sink = n + n_slots + n_people
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.r_[arc_i, np.arange(n), n + np.arange(n_slots), n + n_slots + np.arange(n_people)]
    heads = np.r_[n + arc_s, np.full(n, sink), n + n_slots + slot_person, np.full(n_people, sink)]
    caps = np.r_[np.ones(len(arc_i) + n, np.int64), slot_cap, person_cap]
    costs = np.r_[-arc_g, np.zeros(n + n_slots + n_people, np.int64)]
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int64), heads.astype(np.int64),
                                              caps.astype(np.int64), costs.astype(np.int64))
    flow.set_nodes_supplies(np.arange(sink + 1), np.r_[np.ones(n, np.int64), np.zeros(n_slots + n_people, np.int64),
                                                       [-n]])
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return flow.flows(np.arange(len(arc_i))) > 0


def _duals(n, n_slots, n_people, arc_i, arc_s, arc_g, used, slot_cap, slot_person, person_cap):
    """LP duals of the flow from node potentials of its residual graph: ``u`` per mentee and, per place, the
    sum of its place and mentor duals (``value["slot"]``), with the dual objective's capacity terms."""
    sink = n + n_slots + n_people
    slot0, person0 = n, n + n_slots
    matched = np.zeros(n, dtype=bool)
    matched[arc_i[used]] = True
    load_s = np.bincount(arc_s[used], minlength=n_slots)
    load_p = np.bincount(slot_person[arc_s[used]], minlength=n_people) if n_slots else np.zeros(n_people, np.int64)
    idx, slots, people = np.arange(n), np.arange(n_slots), np.arange(n_people)
    free_s, busy_s = load_s < slot_cap, load_s > 0
    free_p, busy_p = load_p < person_cap, load_p > 0
    # mentee arcs uncapacitated (a mentee's supply of 1 bounds them anyway), so every one is residual forwards
    src = np.r_[arc_i, slot0 + arc_s[used], idx, np.full((~matched).sum(), sink),
                slot0 + slots[free_s], person0 + slot_person[busy_s],
                person0 + people[free_p], np.full(busy_p.sum(), sink)]
    dst = np.r_[slot0 + arc_s, arc_i[used], np.full(n, sink), idx[~matched],
                person0 + slot_person[free_s], slot0 + slots[busy_s],
                np.full(free_p.sum(), sink), person0 + people[busy_p]]
    cost = np.r_[-arc_g, arc_g[used], np.zeros(len(src) - len(arc_i) - int(used.sum()), np.int64)]
    d = _potentials(sink + 1, src.astype(np.int64), dst.astype(np.int64), cost.astype(np.int64))
    u = d[:n] - d[sink]
    w = np.maximum(0, d[person0 + slot_person] - d[slot0 + slots]) if n_slots else np.zeros(0, np.int64)
    v = np.maximum(0, d[sink] - d[person0 + people])
    slot_value = w + (v[slot_person] if n_slots else 0)
    return u, {"slot": slot_value, "dual": int((slot_cap * w).sum() + (person_cap * v).sum())}
