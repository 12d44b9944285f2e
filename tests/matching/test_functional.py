"""Functional mentoring: only mentees who need the named skill, only mentors who can teach it."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data.importing import read_workspace_tables
from workbench.design.model import Align, Experience, ProgramDesign
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching import match
from workbench.matching.functional import functional_pool, functional_skill, functional_summary
from workbench.matching.pool import Pool
from workbench.matching.rules import allowed_block
from workbench.matching.scores import PROFICIENT_LEVEL, PairScorer
from workbench.workspace import find_workspace
from tests.conftest import demo_home


@st.composite
def pools(draw):
    n = draw(st.integers(2, 8))
    people = pd.DataFrame({"person_id": [f"Q{i}" for i in range(n)], "department": "A", "job_title": "x",
                           "level": draw(st.lists(st.sampled_from(["1", "2", "3", "4"]), min_size=n, max_size=n)),
                           "location": "", "timezone": "", "languages": "", "manager_id": "",
                           "hire_date": "2010-01-01", "exit_date": ""})
    mentees = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    mentors = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    wants = draw(st.lists(st.sampled_from(["", "a", "a;b", "b"]), min_size=len(mentees), max_size=len(mentees)))
    offers = draw(st.lists(st.sampled_from(["", "a", "b"]), min_size=len(mentors), max_size=len(mentors)))
    levels = draw(st.lists(st.sampled_from(["", "1", "2", "3", "4", "5"]), min_size=2 * n, max_size=2 * n))
    proficiency = pd.DataFrame({"person_id": [f"Q{i}" for i in range(n) for _ in "ab"], "skill_id": list("ab") * n,
                                "level": levels})
    proficiency = proficiency[proficiency["level"] != ""].reset_index(drop=True)
    pool = Pool(people.iloc[mentees].reset_index(drop=True).assign(wants=wants),
                people.iloc[mentors].reset_index(drop=True).assign(capacity=1, offers=offers),
                people=people, as_of=datetime.date(2026, 1, 15))
    design = ProgramDesign(experience=Experience(structure="functional", functional_skill="a", seniority_gap_min=0,
                                                 seniority_gap_max=10, hard_rules=(), exclude_line_manager=False))
    return pool, {"people": people, "proficiency": proficiency}, design


def expected_allowed(pool: Pool, proficiency: pd.DataFrame) -> np.ndarray:
    """Needs skill a (wants it; no requirements, so target max(3, own level + 1)) x can teach it at that level."""
    level = {(p, s): int(v) for p, s, v in proficiency.itertuples(index=False)}
    out = np.zeros((pool.n_mentees, pool.n_mentors), dtype=bool)
    for i, (mentee, wants) in enumerate(zip(pool.mentees["person_id"], pool.mentees["wants"])):
        if "a" not in wants.split(";"):
            continue
        target = max(PROFICIENT_LEVEL, level.get((mentee, "a"), -1) + 1)
        for j, (mentor, offers) in enumerate(zip(pool.mentors["person_id"], pool.mentors["offers"])):
            if offers:  # a mentor who lists offers teaches only those; offered without a level counts as able
                teaches = "a" in offers.split(";") and level.get((mentor, "a"), 255) >= target
            else:
                teaches = level.get((mentor, "a"), 0) >= target
            out[i, j] = teaches
    return out


@settings(max_examples=60, deadline=None)
@given(pools())
def test_only_mentees_who_need_the_skill_with_mentors_who_can_teach_it(case) -> None:
    pool, tables, design = case
    pool = functional_pool(pool, tables, design, "a")
    rows = np.arange(pool.n_mentees)
    others = design.model_copy(update={"experience": design.experience.model_copy(update={"structure": "one_on_one"})})
    expected = expected_allowed(pool, tables["proficiency"]) & allowed_block(pool, others, rows)  # the other rules too
    np.testing.assert_array_equal(allowed_block(pool, design, rows), expected)
    np.testing.assert_array_equal(np.isfinite(PairScorer(pool, tables, design).block(rows)), expected)
    summary, reasons = functional_summary(pool, "a")
    needing = np.array(["a" in w.split(";") for w in pool.mentees["wants"]])
    assert summary["needing_skill"] == needing.sum()
    # no mentor teaches at the mentee's level, whoever else they are (self-pairs aside)
    target = pool.mentees["functional_target"].to_numpy()
    stranded = needing & (target > pool.mentors["functional_level"].max())
    assert summary["without_teacher"] == stranded.sum()
    assert all(not expected[i].any() for i in reasons)
    assert set(reasons) >= set(np.flatnonzero(~needing)) | set(np.flatnonzero(stranded))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workspace = find_workspace("demo", demo_home(tmp_path_factory.mktemp("home")))
    tables, problems = read_workspace_tables(workspace)
    assert problems.ok
    return tables, load_design(workspace)


def test_functional_on_the_demo_says_which_skill_and_who_has_no_teacher(demo) -> None:
    tables, design = demo
    design = design.model_copy(update={"align": Align(focus_skills=("programming", "mathematics"))})
    result = match(tables, design, structure="functional")
    assert result.summary()["functional_skill"] == "programming"  # the first focus skill by default
    target = result.pool.mentees.set_index("person_id").loc[result.pairs["mentee_id"], "functional_target"]
    level = result.pool.mentors.set_index("person_id").loc[result.pairs["mentor_id"], "functional_level"]
    assert len(result.pairs) and (target.to_numpy() > 0).all() and (level.to_numpy() >= target.to_numpy()).all()
    assert any(m.startswith("Functional mentoring on Programming:") for m in result.messages)  # the name in skills.csv
    no_need = result.unmatched[result.unmatched["reason"].str.startswith("does not need Programming")]
    assert len(no_need) == result.summary()["mentees"] - result.summary()["needing_skill"]
    other = design.model_copy(update={"experience": design.experience.model_copy(
        update={"structure": "functional", "functional_skill": "mathematics"})})
    assert match(tables, other).summary()["functional_skill"] == "mathematics"


def test_functional_without_a_skill_or_with_an_unknown_one_says_so(demo) -> None:
    tables, design = demo
    with pytest.raises(WorkbenchError, match="experience.functional_skill"):
        functional_skill(design, tables)
    unknown = design.model_copy(update={"experience": design.experience.model_copy(
        update={"functional_skill": "juggling"})})
    with pytest.raises(WorkbenchError, match="'juggling'.*not a skill_id in skills.csv"):
        match(tables, unknown, structure="functional")
