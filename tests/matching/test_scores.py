"""Pair scores: exact criterion values, totals, overrides, custom criteria, sensitive data, invariants."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.matching import PEOPLE, TABLES, make_pool
import workbench.matching.scores as scores_module
from workbench.design.model import Experience, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.matching.pool import Pool
from workbench.matching.rules import allowed_block
from workbench.matching.scores import CRITERIA, Overrides, PairScorer, register_criterion

BOTH = np.array([0, 1])  # mentees P4, P5; mentors P1, P3, P6, P7
PAIRS = (np.repeat(BOTH, 4), np.tile(np.arange(4), 2))

# Expected criterion values [mentee][mentor] for the organisation of tests/matching/__init__.py.
EXPECTED = {
    # P4 needs a, b (wanted, target 3), c (gap 2 x importance 2 = 4 -> weight 1, target 3) and d (gap 1 x 1 -> 1/4,
    # target 4); P5 wants a, already at 3, so needs level 4.
    "skills": [[2.25 / 3.25, 1 / 3.25, 1 / 3.25, 2 / 3.25], [1, 0, 0, 0]],
    "seniority": [[0.25, 1, 1, 0.5], [0.125, 1, 1, 1]],
    "department": [[1, 0, 1, 0], [1, 1, 0, 1]],
    "location": [[1, 0, 1, 0], [0, 0, 0, 0]],
    "timezone": [[1, 1 / 3, 1, 6.5 / 12], [7 / 12, 1 / 12, 7 / 12, 1.5 / 12]],
    "languages": [[1, 1, 1, 0], [0, 0, 1, 0]],
    "preferences": [[0.5, 0.5, 0, 1], [1, 0, 1, 0]],
}
ALL = {name: 1.0 for name in EXPECTED}


def design(criteria=None, **experience) -> ProgramDesign:
    return ProgramDesign(experience=Experience(criteria=ALL if criteria is None else criteria, **experience))


def scorer(d: ProgramDesign | None = None, pool: Pool | None = None, **options) -> PairScorer:
    return PairScorer(pool or make_pool(), TABLES, d or design(), **options)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_criterion_exact(name: str) -> None:
    s = scorer(design({name: 1.0}, hard_rules=(), exclude_line_manager=False))  # seniority window 1-3
    table = s.criteria(*PAIRS)
    assert list(table.columns) == ["mentee_id", "mentor_id", name, "allowed", "score"]
    np.testing.assert_allclose(table[name].to_numpy().reshape(2, 4), EXPECTED[name], rtol=1e-6)
    block = s.block(BOTH)
    inside = np.array([[False, True, True, False], [False, True, True, True]])
    np.testing.assert_array_equal(np.isfinite(block), inside)
    np.testing.assert_allclose(block[inside], np.array(EXPECTED[name])[inside], rtol=1e-6)
    assert table[name].dtype == np.float32


def test_seniority_follows_the_window() -> None:
    s = scorer(design({"seniority": 1.0}, seniority_gap_min=0, seniority_gap_max=1))
    np.testing.assert_allclose(s.criteria(*PAIRS)["seniority"].to_numpy().reshape(2, 4),
                               [[1 / 16, 0.5, 1, 1], [1 / 32, 0.25, 0.5, 1]])
    s = scorer(design({"seniority": 1.0}, structure="reverse", seniority_gap_min=0, seniority_gap_max=1))
    np.testing.assert_allclose(s.criteria(*PAIRS)["seniority"].to_numpy().reshape(2, 4),
                               [[1 / 32, 1 / 4, 1 / 2, 1], [1 / 64, 1 / 8, 1 / 4, 1 / 2]])


@pytest.mark.parametrize(("preference", "expected"), [
    ("same", [[0, 1, 0, 1], [0, 0, 1, 0]]), ("any", [[0.5] * 4, [0.5] * 4])])
def test_department_preference(preference: str, expected) -> None:
    s = scorer(design({"department": 1.0}, department_preference=preference))
    np.testing.assert_allclose(s.criteria(*PAIRS)["department"].to_numpy().reshape(2, 4), expected)


def test_weighted_total_and_forbidden_pairs() -> None:
    weights = {"skills": 3.0, "seniority": 1.0, "department": 1.0, "timezone": 1.0, "languages": 1.0,
               "preferences": 2.0}
    s = scorer(design(weights))  # default rules: window 1-3, line manager, management chain
    total = sum(w * np.array(EXPECTED[n]) for n, w in weights.items()) / sum(weights.values())
    allowed = np.array([[False, False, True, False], [False, True, True, True]])
    expected = np.where(allowed, total, -np.inf)
    block = s.block(BOTH)
    assert block.dtype == np.float32 and block.shape == (2, 4)
    np.testing.assert_allclose(block, expected, rtol=1e-6)
    np.testing.assert_allclose(s.criteria(*PAIRS)["score"].to_numpy().reshape(2, 4), expected, rtol=1e-6)
    assert s.criterion_names == list(weights)


def test_block_of_some_mentees_in_any_order() -> None:
    s = scorer()
    full = s.block(BOTH)
    np.testing.assert_array_equal(s.block(np.array([1, 0, 1])), full[[1, 0, 1]])
    assert s.block(np.array([], dtype=int)).shape == (0, 4)
    assert [e.tolist() for e, _ in s.blocks(rows=1)] == [[0], [1]]


def test_no_weight_means_unused() -> None:
    s = scorer(design({"skills": 0.0, "location": 2.0}))
    assert s.criterion_names == ["location"]
    assert "skills" not in s.criteria(*PAIRS).columns


def test_forbidden_and_pinned_overrides() -> None:
    base = scorer()
    assert np.isfinite(base.block(BOTH)[0, 2])
    s = scorer(overrides=Overrides(forbid={("P4", "P6")}, pin={("P4", "P3")}))
    block = s.block(BOTH)
    assert block[0, 2] == -np.inf  # forbidden by the admin
    assert np.isfinite(block[0, 1])  # pinned despite the management chain
    np.testing.assert_array_equal(block[1], base.block(BOTH)[1])
    assert s.forbidden == {("P4", "P6")} and s.pinned == {("P4", "P3")}
    assert s.explain(np.array([0]), np.array([2]))[0].startswith("Not allowed (forbidden by an administrator)")
    with pytest.raises(WorkbenchError, match="not mentee and mentor"):
        scorer(overrides=Overrides(forbid={("P6", "P4")}))
    with pytest.raises(WorkbenchError, match="both pinned and forbidden"):
        Overrides(forbid={("P4", "P6")}, pin={("P4", "P6")})


@pytest.fixture
def custom():
    yield "same_job_title"
    CRITERIA.pop("same_job_title", None)


def test_registered_custom_criterion_changes_the_score(custom: str) -> None:
    def same_job_title(pool, mentee_idx, mentor_idx, context):
        mentee = pool.mentees["job_title"].to_numpy()
        mentor = pool.mentors["job_title"].to_numpy()
        return (mentee[mentee_idx] == mentor[mentor_idx]).astype(np.float32)

    register_criterion(custom, same_job_title)
    d = design({"location": 1.0}, hard_rules=(), exclude_line_manager=False, seniority_gap_min=0,
               seniority_gap_max=10)
    plain = scorer(d).block(BOTH)
    s = scorer(d, extra_weights={custom: 1.0})
    # P4 is an Engineer like P3 and P7.
    np.testing.assert_allclose(s.block(BOTH), (np.array(EXPECTED["location"]) + [[0, 1, 0, 1], [0, 0, 1, 0]]) / 2)
    assert not np.array_equal(plain, s.block(BOTH))
    assert list(s.criteria(*PAIRS)[custom]) == [0, 1, 0, 1, 0, 0, 1, 0]
    assert "same_job_title 1.00" in s.explain(np.array([0]), np.array([1]))[0]
    with pytest.raises(ValueError, match="built-in"):
        register_criterion("skills", same_job_title)
    with pytest.raises(WorkbenchError, match="Unknown criterion"):
        scorer(d, extra_weights={"nope": 1.0})


def test_custom_criterion_out_of_range_is_refused(custom: str) -> None:
    register_criterion(custom, lambda pool, e, m, context: np.full(np.broadcast_shapes(e.shape, m.shape), 2.0))
    with pytest.raises(ValueError, match="outside"):
        scorer(extra_weights={custom: 1.0}).block(BOTH)


def _without_sensitive(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"gender": "hidden_1", "age_band": "hidden_2"})


@pytest.mark.parametrize("opt_in", [False, True])
def test_sensitive_columns_unused_without_opt_in(opt_in: bool) -> None:
    # Without opt-in (or with opt-in but no attributes chosen), affinity is absent whatever its weight, and
    # removing the sensitive columns changes nothing.
    attributes = () if opt_in else ("gender", "age_band")
    d = design({**ALL, "affinity": 5.0}, sensitive_opt_in=opt_in, sensitive_attributes=attributes)
    pool = make_pool()
    hidden = Pool(_without_sensitive(pool.mentees), _without_sensitive(pool.mentors),
                  people=_without_sensitive(PEOPLE), as_of=pool.as_of)
    tables = {**TABLES, "people": _without_sensitive(PEOPLE)}
    a, b = PairScorer(pool, TABLES, d), PairScorer(hidden, tables, d)
    assert "affinity" not in a.criterion_names
    np.testing.assert_array_equal(a.block(BOTH), b.block(BOTH))
    pd.testing.assert_frame_equal(a.criteria(*PAIRS), b.criteria(*PAIRS))
    assert a.explain(*PAIRS) == b.explain(*PAIRS)


def test_affinity_with_opt_in() -> None:
    d = design({"affinity": 1.0}, sensitive_opt_in=True, sensitive_attributes=("gender", "age_band", "absent"))
    s = scorer(d)
    # P4 (woman, 25-34), P5 (man, 18-24) against P1 (man, 55-64), P3 (woman, 25-34), P6 (woman, blank),
    # P7 (man, 25-34); "absent" is not a column and is left out.
    np.testing.assert_allclose(s.criteria(*PAIRS)["affinity"].to_numpy().reshape(2, 4),
                               [[0, 1, 0.5, 0.5], [0.5, 0, 0, 0.5]])
    assert "shares 2 of 2 chosen attributes" in s.explain(np.array([0]), np.array([1]))[0]


def test_explain_lines() -> None:
    d = design({"skills": 3.0, "seniority": 1.0, "department": 1.0, "location": 1.0, "timezone": 1.0,
                "languages": 1.0, "preferences": 2.0})
    s = scorer(d)
    p4_p6, p4_p1 = s.explain(np.array([0, 0]), np.array([2, 0]))
    assert p4_p6 == ("Covers 1 of 4 needed skills (Beta); one level more senior; different department as preferred; "
                     "same location (London); same time zone; shares Spanish; not ranked; score "
                     f"{s.block(np.array([0]))[0, 2]:.2f}")
    assert p4_p1.startswith("Not allowed (seniority window, not in management chain); covers 3 of 4 needed skills")
    assert "five levels more senior, outside the preferred 1-3" in p4_p1
    [p5_p3] = s.explain(np.array([1]), np.array([1]))
    assert p5_p3.startswith("Covers 0 of 1 needed skills; three levels more senior")
    assert "13 hours" not in p5_p3 and "11 hours apart" in p5_p3 and "no common language" in p5_p3


def test_mentee_without_needs_scores_zero_skills() -> None:
    pool = make_pool(mentees=("P6",), mentors=("P1", "P3"))
    s = PairScorer(pool, TABLES, design({"skills": 1.0}))
    assert s.criteria(np.array([0, 0]), np.array([0, 1]))["skills"].tolist() == [0, 0]
    assert "no skill needs recorded" in s.explain(np.array([0]), np.array([0]))[0]


# --------------------------------------------------------------------------
# Invariants over random organisations
# --------------------------------------------------------------------------

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Etc/GMT+12", ""]


@st.composite
def organisations(draw):
    n = draw(st.integers(2, 9))
    managers = [""] + [draw(st.sampled_from([""] + [f"Q{j}" for j in range(i)])) for i in range(1, n)]
    people = pd.DataFrame({
        "person_id": [f"Q{i}" for i in range(n)],
        "department": draw(st.lists(st.sampled_from(["A", "B", ""]), min_size=n, max_size=n)),
        "job_title": "x",
        "level": draw(st.lists(st.sampled_from(["1", "2", "3", "5", ""]), min_size=n, max_size=n)),
        "location": draw(st.lists(st.sampled_from(["x", "y", ""]), min_size=n, max_size=n)),
        "timezone": draw(st.lists(st.sampled_from(ZONES), min_size=n, max_size=n)),
        "languages": draw(st.lists(st.sampled_from(["", "en", "en;fr", "de"]), min_size=n, max_size=n)),
        "manager_id": managers,
        "hire_date": "2010-01-01", "exit_date": "",
    })
    mentees = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    mentors = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    wants = draw(st.lists(st.sampled_from(["", "a", "a;b", "c"]), min_size=len(mentees), max_size=len(mentees)))
    offers = draw(st.lists(st.sampled_from(["", "a", "b;c"]), min_size=len(mentors), max_size=len(mentors)))
    pool = Pool(people.iloc[mentees].reset_index(drop=True).assign(wants=wants),
                people.iloc[mentors].reset_index(drop=True).assign(capacity=1, offers=offers),
                people=people, as_of=datetime.date(2026, 1, 15))
    proficiency = pd.DataFrame({
        "person_id": [f"Q{i}" for i in range(n) for _ in "abc"], "skill_id": list("abc") * n,
        "level": draw(st.lists(st.sampled_from(["0", "2", "4", ""]), min_size=3 * n, max_size=3 * n))})
    proficiency = proficiency[proficiency["level"] != ""]
    experience = Experience(
        structure=draw(st.sampled_from(["one_on_one", "reverse"])),
        hard_rules=tuple(draw(st.sets(st.sampled_from(["different_department", "not_in_management_chain",
                                                      "mentor_more_senior", "same_timezone_band"])))),
        exclude_line_manager=draw(st.booleans()),
        seniority_gap_min=0, seniority_gap_max=draw(st.integers(0, 4)),
        department_preference=draw(st.sampled_from(["same", "cross", "any"])),
        criteria=draw(st.dictionaries(st.sampled_from(sorted(EXPECTED)), st.floats(0, 10), min_size=0)))
    ranks = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n, unique=True))
    preferences = pd.DataFrame({"person_id": [f"Q{a}" for a, _ in ranks], "ranks_person_id": [f"Q{b}" for _, b in ranks],
                                "rank": [str(k + 1) for k in range(len(ranks))]}, dtype=object)
    return pool, {"people": people, "proficiency": proficiency, "preferences": preferences}, \
        ProgramDesign(experience=experience)


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_scores_in_range_and_minus_inf_exactly_where_forbidden(case) -> None:
    pool, tables, d = case
    s = PairScorer(pool, tables, d)
    rows = np.arange(pool.n_mentees)
    block = s.block(rows)
    allowed = allowed_block(pool, d, rows)
    assert block.shape == (pool.n_mentees, pool.n_mentors)
    np.testing.assert_array_equal(np.isneginf(block), ~allowed)
    assert ((block[allowed] >= 0) & (block[allowed] <= 1)).all()
    e, m = np.repeat(rows, pool.n_mentors), np.tile(np.arange(pool.n_mentors), pool.n_mentees)
    table = s.criteria(e, m)
    np.testing.assert_allclose(table["score"].to_numpy(), block.reshape(-1), rtol=1e-5, atol=1e-6)
    for name in s.criterion_names:
        assert table[name].between(0, 1).all()
    assert len(s.explain(e, m)) == len(e)


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_block_and_criteria_add_up_the_same_and_types_match_direct_evaluation(case) -> None:
    pool, tables, d = case
    s = PairScorer(pool, tables, d)
    rows = np.arange(pool.n_mentees)
    block = s.block(rows)
    e, m = np.repeat(rows, pool.n_mentors), np.tile(np.arange(pool.n_mentors), pool.n_mentees)
    np.testing.assert_array_equal(s.criteria(e, m)["score"].to_numpy(), block.reshape(-1))  # exactly
    np.testing.assert_array_equal(s.pairs(e, m), block.reshape(-1))
    np.testing.assert_array_equal(s.allowed(rows), np.isfinite(block))
    kept = scores_module.TYPE_CELLS
    scores_module.TYPE_CELLS = 0  # every criterion and rule evaluated pair by pair
    try:
        direct = PairScorer(pool, tables, d)
        assert not direct._plan().tables
        np.testing.assert_array_equal(np.isfinite(direct.block(rows)), np.isfinite(block))
        np.testing.assert_allclose(direct.block(rows), block, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(direct.allowed(rows), s.allowed(rows))
    finally:
        scores_module.TYPE_CELLS = kept


@settings(max_examples=60, deadline=None)
@given(organisations(), st.data(), st.sampled_from([1 << 24, 0]))
def test_allowed_counts_add_up_the_allowed_blocks(case, data, type_cells) -> None:
    pool, tables, d = case
    n, m = pool.n_mentees, pool.n_mentors
    ids_e, ids_m = pool.mentees["person_id"].tolist(), pool.mentors["person_id"].tolist()
    pairs = [(a, b) for a in ids_e for b in ids_m if a != b]
    chosen = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=6)) if pairs else []
    cut = data.draw(st.integers(0, len(chosen)))
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), unique=True)), dtype=np.int64)
    mentors = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    kept = scores_module.TYPE_CELLS
    scores_module.TYPE_CELLS = type_cells  # 0: the rules are evaluated pair by pair (no type table)
    try:
        s = PairScorer(pool, tables, d, overrides=Overrides(forbid=frozenset(chosen[:cut]),
                                                              pin=frozenset(chosen[cut:])))
        per_mentee, per_mentor = s.allowed_counts(rows, mentors)
        allowed = s.allowed(rows)
    finally:
        scores_module.TYPE_CELLS = kept
    np.testing.assert_array_equal(per_mentee, (allowed & mentors[None, :]).sum(axis=1))
    np.testing.assert_array_equal(per_mentor, allowed.sum(axis=0))
    np.testing.assert_array_equal(s.allowed_counts(rows)[0], allowed.sum(axis=1))


def test_skill_need_is_exact_whole_numbers() -> None:
    s = scorer(design({"skills": 1.0}))
    ctx = s.context
    a = scores_module._skill_matrix(ctx)
    assert (a["total"] < 2**24).all() and (a["need"].data == np.rint(a["need"].data)).all()
    rows = np.array([0, 1])
    block = scores_module._got(ctx, rows, None)
    pairs = scores_module._got(ctx, np.repeat(rows, 4), np.tile(np.arange(4), 2))
    np.testing.assert_array_equal(block.reshape(-1), pairs)
    needs = scores_module._skill_needs(ctx)
    dense = scores_module.skill_arrays(ctx)
    assert needs["skills"] == dense["skills"] == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(dense["weight"][needs["mentee"], needs["skill"]], needs["weight"])
    assert (dense["weight"] > 0).sum() == len(needs["mentee"])
    # P4: a, b wanted (target 3), c (gap weight 1, target 3), d (gap weight 1/4, target 4); P5: a at 4
    np.testing.assert_allclose(dense["weight"], [[1, 1, 1, 0.25], [1, 0, 0, 0]])
    np.testing.assert_array_equal(dense["target"], [[3, 3, 3, 4], [4, 0, 0, 0]])
    np.testing.assert_allclose(dense["total"], [3.25, 1])


def test_scores_from_two_threads_at_once() -> None:
    import threading

    s = scorer()
    rows = [np.array([0, 1]), np.array([1]), np.array([0])]
    found = {}

    def work(k):
        found[k] = [s.block(r) for r in rows]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(4):
        for got, want in zip(found[k], [scorer().block(r) for r in rows]):
            np.testing.assert_array_equal(got, want)
