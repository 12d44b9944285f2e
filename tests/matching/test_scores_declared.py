"""Criteria the design declares (experience.custom_criteria): each kind's value, explanations, refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.matching import PEOPLE, TABLES, make_pool
from workbench.design.model import DesignCriterion, Experience, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.matching import match
from workbench.matching.pool import build_pool
from workbench.matching.scores import PairScorer, design_criterion_problems

# Mentees P4, P5; mentors P1, P3, P6, P7 (tests/matching/__init__.py), with survey-like columns added.
ANSWERS = pd.DataFrame({
    "person_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
    "site": ["North", "North", "South", "North", "", "South", "North"],
    "values": ["growth;family", "", "impact", "family;growth;impact", "fun", "", "growth"],
    "years": ["20", "15", "8", "3", "1", "x", "4"],
    "style": ["1;5;3", "", "5;5;5", "2;5;1", "1;1", "", "3;3;3"],
    "q1": ["1", "", "5", "2", "1", "", "3"],
    "q2": ["5", "", "5", "5", "1", "", "3"],
})
PEOPLE_WITH_ANSWERS = PEOPLE.merge(ANSWERS, on="person_id")
BOTH = np.array([0, 1])
PAIRS = (np.repeat(BOTH, 4), np.tile(np.arange(4), 2))


def criterion(kind: str, *columns: str, scale: float | None = None, name: str = "mine", **kw) -> DesignCriterion:
    return DesignCriterion(name=name, kind=kind, columns=columns, scale=scale, **kw)


def design(*criteria: DesignCriterion, name: str = "Pilot", **experience) -> ProgramDesign:
    return ProgramDesign(name=name, experience=Experience(criteria={}, custom_criteria=criteria, hard_rules=(),
                                                          exclude_line_manager=False, seniority_gap_min=0,
                                                          seniority_gap_max=10, **experience))


def values(spec: DesignCriterion, people: pd.DataFrame = PEOPLE_WITH_ANSWERS) -> np.ndarray:
    s = PairScorer(make_pool(people=people), TABLES, design(spec))
    return s.criteria(*PAIRS)[spec.name].to_numpy().reshape(2, 4)


# Rows: mentees P4, P5; columns: mentors P1, P3, P6, P7.
@pytest.mark.parametrize(("spec", "expected"), [
    (criterion("same", "site"), [[1, 0, 0, 1], [0, 0, 0, 0]]),  # blank never counts as the same
    (criterion("different", "site"), [[0, 1, 1, 0], [0, 0, 0, 0]]),  # nor as different
    # P4 lists 3 values: P1 shares 2 of its 2, P3 1 of 1, P7 1 of 1; P5's "fun" is shared by nobody
    (criterion("shared_items", "values"), [[1, 1, 0, 1], [0, 0, 0, 0]]),
    # 1 - |a - b| / 10, at least 0; P6's "x" is not a number (checked below), so here years without P6
    (criterion("distance", "years", scale=10), [[0, 0.5, 0, 0.9], [0, 0.3, 0, 0.7]]),
    # 1 - mean |a - b| / 4 over items both answered: P4 (2,5,1) vs P1 (1,5,3): (1 + 0 + 2) / 3 / 4 = 0.25
    (criterion("similarity", "style", scale=4), [[0.75, 1 - 7 / 12, 0, 1 - 5 / 12],
                                                 [1 - 4 / 8, 0, 0, 1 - 4 / 8]]),
    (criterion("similarity", "q1", "q2", scale=4), [[1 - 1 / 8, 1 - 3 / 8, 0, 1 - 3 / 8],
                                                    [1 - 4 / 8, 0, 0, 1 - 4 / 8]]),
], ids=["same", "different", "shared_items", "distance", "similarity_list", "similarity_columns"])
def test_each_kind_scores_as_documented(spec: DesignCriterion, expected) -> None:
    people = PEOPLE_WITH_ANSWERS.assign(years=PEOPLE_WITH_ANSWERS["years"].replace("x", ""))
    np.testing.assert_allclose(values(spec, people), expected, rtol=1e-6)


def test_a_declared_criterion_counts_with_its_weight_beside_the_built_in_ones() -> None:
    spec = criterion("same", "site", name="same_site", weight=3)
    d = design(spec).model_copy(update={"experience": design(spec).experience.model_copy(
        update={"criteria": {"location": 1.0}})})
    s = PairScorer(make_pool(people=PEOPLE_WITH_ANSWERS), TABLES, d)
    assert s.criterion_names == ["location", "same_site"]
    table = s.criteria(*PAIRS)
    expected = (1 * table["location"] + 3 * table["same_site"]) / 4
    np.testing.assert_allclose(table["score"], expected, rtol=1e-6)
    np.testing.assert_allclose(s.block(BOTH).reshape(-1), table["score"], rtol=1e-6)
    zero = PairScorer(make_pool(people=PEOPLE_WITH_ANSWERS), TABLES, d, extra_weights={"same_site": 0})
    assert zero.criterion_names == ["location"]


def test_every_kind_together_adds_up_the_same_in_blocks_and_pair_by_pair() -> None:
    people = PEOPLE_WITH_ANSWERS.assign(years=PEOPLE_WITH_ANSWERS["years"].replace("x", ""))
    specs = (criterion("same", "site", name="a", weight=1), criterion("different", "site", name="b", weight=2),
             criterion("shared_items", "values", name="c", weight=3), criterion("distance", "years", scale=10,
                                                                                name="d", weight=4),
             criterion("similarity", "style", scale=4, name="e", weight=5),
             criterion("similarity", "q1", "q2", scale=4, name="f", weight=6))
    s = PairScorer(make_pool(people=people), TABLES, design(*specs))
    table = s.criteria(*PAIRS)
    weighted = sum(spec.weight * table[spec.name].to_numpy(dtype=float) for spec in specs) / 21
    np.testing.assert_allclose(table["score"], weighted, rtol=1e-6)  # type tables against direct evaluation
    np.testing.assert_allclose(s.block(BOTH).reshape(-1), table["score"], rtol=1e-6)


def test_explanations_name_what_the_pair_shares() -> None:
    specs = (criterion("same", "site", name="same_site"), criterion("shared_items", "values", name="shared_values",
                                                                    label="Shared values"),
             criterion("distance", "q1", scale=4, name="q1_close"), criterion("similarity", "style", scale=4,
                                                                             name="working_style"))
    s = PairScorer(make_pool(people=PEOPLE_WITH_ANSWERS), TABLES, design(*specs))
    p4_p1, p4_p6, p5_p3 = s.explain(np.array([0, 0, 1]), np.array([0, 2, 1]))
    assert p4_p1.startswith("Same site: same (North); ") and p4_p1.endswith("; score 0.88")
    assert "Shared values: 2 in common (family, growth)" in p4_p1
    assert "q1 close: 2 and 1, 1 apart" in p4_p1
    assert "working style: 75% alike over 3 items" in p4_p1
    assert "Same site: different (North / South)" in p4_p6 and "Shared values: none in common" in p4_p6
    assert "working style: no answers to compare" in p4_p6 and "q1 close: unknown" in p4_p6
    assert "Same site: unknown" in p5_p3 and "working style: 0% alike over 2 items" in p5_p3


def test_a_missing_column_names_the_program_and_the_column() -> None:
    with pytest.raises(WorkbenchError, match="Program 'Pilot': criterion 'mine' reads column 'hobbies', which "
                                             "neither the enrolment nor people.csv has"):
        PairScorer(make_pool(people=PEOPLE_WITH_ANSWERS), TABLES, design(criterion("shared_items", "hobbies")))


@pytest.mark.parametrize(("spec", "found"), [
    (criterion("distance", "years", scale=5), "person P6 has 'x'"),
    (criterion("similarity", "site", scale=4), "numbers separated by ; in column 'site', but person P4 has 'North'"),
    (criterion("similarity", "q1", "site", scale=4), "numbers in column 'site', but person P4 has 'North'"),
])
def test_text_where_numbers_are_needed_is_refused(spec: DesignCriterion, found: str) -> None:
    with pytest.raises(WorkbenchError, match=f"Program 'Pilot': criterion 'mine' \\({spec.kind}\\) needs .*{found}"):
        PairScorer(make_pool(people=PEOPLE_WITH_ANSWERS), TABLES, design(spec))


def test_a_sensitive_column_needs_the_opt_in() -> None:
    spec = criterion("same", "gender")
    with pytest.raises(WorkbenchError, match="'gender', a sensitive column: that needs the design's opt-in"):
        PairScorer(make_pool(), TABLES, design(spec))
    with pytest.raises(WorkbenchError, match="sensitive column"):  # opted in, but gender is not a chosen attribute
        PairScorer(make_pool(), TABLES, design(spec, sensitive_opt_in=True, sensitive_attributes=("age_band",)))
    opted = PairScorer(make_pool(), TABLES, design(spec, sensitive_opt_in=True, sensitive_attributes=("gender",)))
    np.testing.assert_array_equal(opted.criteria(*PAIRS)["mine"].to_numpy().reshape(2, 4),
                                  [[0, 1, 1, 0], [1, 0, 0, 1]])
    # a workspace's own sensitive columns count too (the design checks pass them)
    assert design_criterion_problems(design(criterion("same", "site")), [PEOPLE_WITH_ANSWERS], sensitive=("site",))
    assert not design_criterion_problems(design(criterion("same", "site")), [PEOPLE_WITH_ANSWERS])


def test_enrolment_answers_join_the_pool_and_the_matching_explains_them() -> None:
    enrolment = pd.DataFrame({
        "person_id": ["P4", "P5", "P1", "P3", "P6", "P7"],
        "role": ["mentee", "mentee", "mentor", "mentor", "mentor", "mentor"],
        "capacity": ["", "", "1", "1", "1", "1"], "wants": ["a;b", "a", "", "", "", ""], "offers": [""] * 6,
        "working_style": ["2;5;1", "1;1", "1;5;3", "5;5;5", "", "3;3;3"],
        "site": ["East"] * 6,  # people.csv has a site column too: that one is read
    })
    tables = {**TABLES, "enrolment": enrolment}
    spec = criterion("similarity", "working_style", scale=4, name="working_style", weight=5)
    d = design(spec, criterion("same", "site", name="site", weight=0))
    pool = build_pool({**tables, "people": PEOPLE_WITH_ANSWERS}, d)
    assert list(pool.mentees["working_style"]) == ["2;5;1", "1;1"]
    assert list(pool.mentors["site"]) == ["North", "South", "South", "North"]
    assert "working_style" not in build_pool(tables, design()).mentees.columns  # read only when a criterion does
    result = match(tables, d, method="optimal")
    pairs = result.pairs.set_index("mentee_id")
    assert "working_style" in result.criteria
    assert pairs.loc["P4", "mentor_id"] == "P1" and pairs.loc["P4", "working_style"] == pytest.approx(0.75)
    assert pairs.loc["P4", "reason"] == "Working style: 75% alike over 3 items; score 0.75"


def test_sensitivity_perturbs_a_declared_weight_too() -> None:
    from workbench.matching import sensitivity

    enrolment = pd.DataFrame({"person_id": ["P4", "P5", "P1", "P3", "P6", "P7"],
                              "role": ["mentee", "mentee", "mentor", "mentor", "mentor", "mentor"],
                              "capacity": ["", "", "1", "1", "1", "1"], "wants": ["a;b", "a", "", "", "", ""],
                              "offers": [""] * 6})
    tables = {**TABLES, "people": PEOPLE_WITH_ANSWERS, "enrolment": enrolment}
    runs = sensitivity(tables, design(criterion("same", "site", name="same_site", weight=4)), runs=3)
    assert runs["same_site_weight"].between(4 * 0.8, 4 * 1.2).all() and runs["same_site_weight"].nunique() == 3
