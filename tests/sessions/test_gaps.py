"""The Skill gaps page's session driven alone on the demo's tables: choices, figures per selection with small
groups hidden, invitations, a profile, and the focus skills saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.design import load_design
from workbench.errors import WorkbenchError
from workbench.sessions.gaps import ALL, GapsSession
from workbench.workspace import create_workspace, open_workspace


@pytest.fixture
def session(demo_data_only: Path) -> GapsSession:
    return GapsSession(open_workspace(demo_data_only))


def test_the_choices_cover_the_organisation(session: GapsSession) -> None:
    assert session.goal_options[0] == ("All goals", ALL) and len(session.goal_options) > 1
    departments = [value for _, value in session.department_options]
    assert departments[0] == ALL and "Engineering" in departments and departments[1:] == sorted(departments[1:])
    assert session.levels == session.whole_levels and not session.split()
    assert [s for _, s in session.skill_options] == list(session.skills["skill_id"])
    assert len(session.focus_skills) == 5  # the demo's tables come without a design: the largest gaps


def test_a_workspace_without_requirements_is_explained(home: Path) -> None:
    with pytest.raises(WorkbenchError, match="needs people.csv, skills.csv, requirements.csv"):
        GapsSession(create_workspace("No data"))


def test_a_selection_recomputes_the_figures(session: GapsSession) -> None:
    whole = session.figures
    assert whole.hidden_because == "" and whole.people == whole.gaps["person_id"].nunique() > 0
    assert set(whole.cells["department"]) == set(whole.gaps["department"])
    session.department = "Engineering"
    engineering = session.figures
    assert engineering is not whole and set(engineering.gaps["department"]) == {"Engineering"}
    assert set(engineering.cells["department"]) == {"Engineering"}
    assert set(engineering.person_ids.values()) == set(engineering.gaps["person_id"])
    assert session.default_person() in set(engineering.gaps["person_id"])
    assert len(session.profile(session.default_person())) and not len(session.profile(""))


def test_a_selection_of_fewer_than_five_people_hides_its_totals(session: GapsSession) -> None:
    session.levels = (7, 7)  # the demo's chief executive alone
    figures = session.figures
    assert 0 < figures.people < 5 and session.split()
    assert figures.hidden_because.startswith("This selection has fewer than 5 people")
    assert set(figures.readiness["people in scope"].astype(str)) <= {
        "hidden: fewer than 5 people, or they would give a smaller group away"}


def test_a_small_department_is_hidden_in_the_ranking_as_in_the_heat_map(session: GapsSession) -> None:
    shown = set(session.figures.cells.query("department == 'Executive' and not hidden")["skill_id"])
    session.department = "Executive"
    figures = session.figures
    assert set(figures.ranked.loc[~figures.ranked["hidden"], "skill_id"]) == shown
    assert figures.ranked["hidden"].any()  # the others are listed as hidden, without figures
    assert set(figures.cells.loc[~figures.cells["hidden"], "skill_id"]) == shown


def test_invitations_name_people_outside_the_program_for_a_short_skill(session: GapsSession) -> None:
    shortages = session.figures.shortages
    assert len(shortages) > 1, "the demo is short of mentors in several skills"
    invited = session.invitations(shortages[-1][1])
    assert len(invited) and len(invited) <= 8
    assert len(session.top_mentees()) == 15
    assert list(session.gaps_table().columns) == ["person_id", "skill_id", "current", "target", "gap",
                                                  "weighted_gap"]


def test_the_focus_skills_are_saved_into_the_design(session: GapsSession, demo_data_only: Path) -> None:
    chosen = tuple(s for _, s in session.skill_options[:2])
    revision = session.workspace.settings.revision
    session.save_focus(chosen)
    assert load_design(open_workspace(demo_data_only)).align.focus_skills == chosen
    assert session.design.align.focus_skills == chosen and session.focus_skills == chosen
    assert session.workspace.settings.revision == revision + 1
    assert session.invitations(session.figures.shortages[0][1]) is not None  # the supply follows the new design
