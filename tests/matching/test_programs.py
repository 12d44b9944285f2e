"""Several programs on one mentor pool: the joint solve against an exact MILP, shared capacity, priority order,
each program's own rules, the demo's tiers, and a program without eligible mentors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from workbench.data.importing import read_workspace_tables
from workbench.design.model import Eligibility
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching import match
from workbench.matching.programs import _Program, match_programs, solve_joint
from workbench.matching.rules import allowed_block
from workbench.matching.solvers import DenseScores
from workbench.programs import program_tables
from workbench.workspace import find_workspace
from tests.conftest import demo_home


@st.composite
def games(draw):
    """Two or three programs over a few mentees and mentors: scores (or forbidden), caps per program and in all."""
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    person_cap = np.array(draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)), dtype=np.int64)
    programs = []
    for _ in range(draw(st.integers(2, 3))):
        rows = np.array(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))), dtype=np.int64)
        scores = np.array(draw(st.lists(st.one_of(st.none(), st.integers(0, 20)), min_size=len(rows) * m,
                                        max_size=len(rows) * m)), dtype=object).reshape(len(rows), m)
        matrix = np.where(scores == None, -np.inf, scores).astype(np.float32) / 20  # noqa: E711 - object array
        cap = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)), dtype=np.int64)
        programs.append(_Program(scorer=DenseScores(matrix), person=rows, mentor=np.arange(m), cap=cap))
    return n, person_cap, programs


def best_by_milp(n, person_cap, programs, unit) -> int:
    """The optimum of the same problem as an integer program (scipy's HiGHS)."""
    pairs = [(q, r, c, unit + int(round(float(p.scorer.matrix[r, c]) * unit)))
             for q, p in enumerate(programs) for r in range(len(p.person)) for c in range(len(p.cap))
             if np.isfinite(p.scorer.matrix[r, c])]
    if not pairs:
        return 0
    gain = np.array([g for *_, g in pairs], dtype=float)
    rows, upper = [], []
    for i in range(n):  # each mentee once in all
        rows.append([programs[q].person[r] == i for q, r, _, _ in pairs]), upper.append(1)
    for q, p in enumerate(programs):  # each program's cap per mentor
        for c in range(len(p.cap)):
            rows.append([qq == q and cc == c for qq, _, cc, _ in pairs]), upper.append(p.cap[c])
    for c in range(len(person_cap)):  # each mentor's total
        rows.append([cc == c for _, _, cc, _ in pairs]), upper.append(person_cap[c])
    found = milp(-gain / unit, constraints=LinearConstraint(np.array(rows, dtype=float), -np.inf, upper),
                 integrality=np.ones(len(pairs)), bounds=Bounds(0, 1))
    chosen = np.rint(found.x).astype(bool)
    return int(gain[chosen].sum())


@settings(max_examples=150, deadline=None)
@given(games(), st.sampled_from([(1, 1, 1), (1, 2, 1), (20, 256, 20)]))
def test_the_joint_solve_is_optimal_and_keeps_every_capacity(game, depth):
    n, person_cap, programs = game
    k, known, per_mentor = depth  # small: the proof must add what the graph misses, scanning rows again
    found, proof = solve_joint(programs, n, person_cap, k=k, known=known, known_per_mentor=per_mentor)
    assert proof["optimal"] and proof["objective"] == proof["dual_bound"]
    total = np.zeros(len(person_cap), dtype=np.int64)
    mentees = []
    gain = 0
    for p, (rows, columns) in zip(programs, found):
        assert np.isfinite(p.scorer.matrix[rows, columns]).all()
        load = np.bincount(columns, minlength=len(p.cap))
        assert (load <= p.cap).all()
        total += load
        mentees += list(p.person[rows])
        gain += sum(10**6 + int(round(float(s) * 10**6)) for s in p.scorer.matrix[rows, columns])
    assert (total <= person_cap).all()
    assert len(mentees) == len(set(mentees))
    assert gain == proof["objective"] == best_by_milp(n, person_cap, programs, 10**6)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workspace = find_workspace("demo", demo_home(tmp_path_factory.mktemp("home")))
    tables, problems = read_workspace_tables(workspace)
    assert problems.ok
    design = load_design(workspace)
    tier = lambda name, low, high: design.model_copy(update={"name": name, "experience": design.experience.model_copy(
        update={"seniority_gap_min": low, "seniority_gap_max": high, "structure": "one_on_one"})})
    return tables, {"senior": tier("Senior tier", 2, 5), "peer": tier("Peer tier", 0, 1)}


def check_shared(found, tables) -> None:
    """Every program's pairs obey its own rules; no mentor has more mentees in all than they offered."""
    enrolment = tables["enrolment"]
    cohort = enrolment[enrolment["cohort"] == "2026"]
    offered = dict(zip(cohort["person_id"], pd.to_numeric(cohort["capacity"], errors="coerce").fillna(0)))
    load: dict[str, int] = {}
    mentees: list[str] = []
    for p, result in found.results.items():
        pool, pairs = result.pool, result.pairs
        e = pairs["mentee_id"].map({x: i for i, x in enumerate(pool.mentees["person_id"])}).to_numpy()
        m = pairs["mentor_id"].map({x: i for i, x in enumerate(pool.mentors["person_id"])}).to_numpy()
        assert allowed_block(pool, result.design, e)[np.arange(len(e)), m].all()
        assert (np.bincount(m, minlength=pool.n_mentors) <= pool.mentors["capacity"].to_numpy()).all()
        for who in pairs["mentor_id"]:
            load[who] = load.get(who, 0) + 1
        mentees += list(pairs["mentee_id"])
    assert all(n <= offered[who] for who, n in load.items())
    assert len(mentees) == len(set(mentees))
    table = found.capacity.set_index("person_id")
    assert all(table.loc[who, "used"] == n for who, n in load.items()) and (table["left"] >= 0).all()


def test_joint_matches_at_least_as_well_as_any_priority_order(demo):
    tables, designs = demo
    joint = match_programs(tables, designs, mode="joint")
    check_shared(joint, tables)
    assert joint.proof["optimal"]
    for order in (["senior", "peer"], ["peer", "senior"]):
        first = match_programs(tables, designs, mode="priority", order=order)
        check_shared(first, tables)
        assert joint.total_matched + joint.total_score >= first.total_matched + first.total_score - 1e-4
    assert joint.total_matched > 0 and len(joint.results) == 2


def test_the_first_program_in_priority_order_is_matched_as_if_alone(demo):
    tables, designs = demo
    for order in (["senior", "peer"], ["peer", "senior"]):
        found = match_programs(tables, designs, mode="priority", order=order)
        assert list(found.results) == order
        alone = match(program_tables(tables, order[0], list(designs)), designs[order[0]])
        pd.testing.assert_frame_equal(found.results[order[0]].pairs, alone.pairs)
        later = found.results[order[1]]
        assert not set(later.pairs["mentee_id"]) & set(found.results[order[0]].pairs["mentee_id"])
    a = match_programs(tables, designs, mode="priority", order=["senior", "peer"])
    b = match_programs(tables, designs, mode="priority", order=["peer", "senior"])
    assert len(a.results["senior"].pairs) > len(b.results["senior"].pairs)


def test_enrolment_names_each_persons_programs(demo):
    tables, designs = demo
    enrolment = tables["enrolment"].copy()
    mentees = enrolment.index[enrolment["role"].eq("mentee") & enrolment["cohort"].eq("2026")]
    enrolment["program"] = ""
    enrolment.loc[mentees[: len(mentees) // 2], "program"] = "peer"
    tables = {**tables, "enrolment": enrolment}
    found = match_programs(tables, designs, mode="joint")
    check_shared(found, tables)
    only_peer = set(enrolment.loc[mentees[: len(mentees) // 2], "person_id"])
    assert not only_peer & set(found.results["senior"].pool.mentees["person_id"])
    enrolment.loc[mentees[0], "program"] = "peer;coaching"
    with pytest.raises(WorkbenchError, match=rf"enrolment.csv row {mentees[0] + 2}, column program: 'coaching'"):
        match_programs({**tables, "enrolment": enrolment}, designs)


def test_a_program_without_eligible_mentors_is_refused_by_name(demo):
    tables, designs = demo
    nobody = designs["peer"].model_copy(update={"align": designs["peer"].align.model_copy(
        update={"mentor_eligibility": Eligibility(level_min=50)})})
    for mode in ("joint", "priority"):
        with pytest.raises(WorkbenchError, match=r"Program 'peer' \(Peer tier\) has no eligible mentor.*level_min 50"):
            match_programs(tables, {**designs, "peer": nobody}, mode=mode)


def test_programs_of_other_structures_keep_their_own_places(demo):
    tables, designs = demo
    group = designs["peer"].model_copy(update={"experience": designs["peer"].experience.model_copy(
        update={"structure": "group"})})
    found = match_programs(tables, {**designs, "peer": group}, mode="priority")
    assert list(found.capacity.columns) == ["person_id", "offered", "senior", "used", "left"]
    assert any("matched on their own" in m for m in found.messages)
    alone = match(program_tables(tables, "peer", ["senior", "peer"]), group)
    pd.testing.assert_frame_equal(found.results["peer"].pairs, alone.pairs)
    with pytest.raises(WorkbenchError, match="joint solve models one-on-one"):
        match_programs(tables, {**designs, "peer": group.model_copy(update={"experience": group.experience.model_copy(
            update={"structure": "mosaic"})})}, mode="joint")


def test_the_outcome_words_the_mentor_places_one_way(demo):
    tables, designs = demo
    found = match_programs(tables, designs, mode="joint")
    lines = found.lines()
    for row in found.summary.itertuples():
        line = next(text for text in lines if text.strip().startswith(f"{row.program} ("))
        assert "one-on-one, best total fit): " in line and f", {row.places_used:,} mentor place" in line
    offered, used = int(found.capacity["offered"].sum()), int(found.capacity["used"].sum())
    places = next(text for text in lines if text.startswith("Mentor places used:"))
    assert places.startswith(f"Mentor places used: {used:,} of the {offered:,} the mentors offer across the programs")
    # one program alone is offered fewer places (its cap per mentor): the total says why it differs
    cap = designs["senior"].experience.mentor_capacity
    assert (found.capacity["offered"] > cap).any() and f"A program takes at most {cap:,} mentees per mentor" in places
    alone = match(program_tables(tables, "senior", tuple(designs)), designs["senior"])
    assert alone.summary()["capacity"] < offered
