"""Tables edited in the page: checked as an import is, saved all or nothing, undoable (workbench/data/importing.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data.importing import edited_table_problems, read_workspace_table, save_edited_table
from workbench.privacy import PUBLISHED_VARIABLE, ReadOnlyError
from workbench.workspace import StaleWorkspaceError, Workspace, create_workspace, history, open_workspace, undo


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the workspace folder, history included, except the lock file."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


@pytest.fixture
def demo(home: Path) -> Workspace:
    return create_workspace("Edits", home, copy_demo=True)


def test_a_valid_edit_is_saved_as_one_undoable_save(demo: Workspace) -> None:
    before = demo.table_path("goals").read_bytes()
    goals = read_workspace_table(demo, "goals")
    goals.loc[1, "target"] = "61.5"
    result = save_edited_table(demo, "goals", goals)
    assert result.ok and result.rows == 4 and result.source == "goals.csv"
    assert result.workspace.revision_of("goals.csv") == demo.revision_of("goals.csv") + 1
    assert list(read_workspace_table(open_workspace(demo.path), "goals")["target"]) == ["14", "61.5", "50", "85"]
    latest = history(result.workspace)[0]
    assert (latest.artefact, latest.message) == ("goals.csv", "edit goals.csv in the table editor")
    undo(result.workspace, "goals.csv")
    assert demo.table_path("goals").read_bytes() == before


# (table, row index in the frame, column, value typed, value the problem names, words of the problem)
BAD_EDITS = [
    ("goals", 0, "target", "lots", "lots", "is not a number"),
    ("goals", 2, "priority", "-1", "-1", "must be greater than 0"),
    ("goals", 3, "horizon_months", "1.5", "1.5", "is not a whole number"),
    ("goals", 1, "goal_id", "retain_junior_engineers", "retain_junior_engineers", "appears more than once"),
    ("goals", 0, "name", "", "", "blank"),
    ("skills", 4, "skill_id", "a;b", "a;b", ";"),
    ("requirements", 0, "skill_id", "juggling", "juggling", "is not a skill in skills.csv"),
    ("requirements", 5, "target_level", "9", "9", "outside the scale 0-5"),
    ("requirements", 2, "goal_id", "no_such_goal", "no_such_goal", "is not a goal in goals.csv"),
    ("enrolment", 7, "role", "boss", "boss", "is not one of: mentee, mentor, both"),
    ("enrolment", 3, "person_id", "P99999", "P99999", "is not a person in people.csv"),
    ("enrolment", 1, "wants", "programming;juggling", "juggling", "is not a skill in skills.csv"),
]


@pytest.mark.parametrize(("table", "index", "column", "typed", "named", "words"), BAD_EDITS)
def test_every_kind_of_bad_edit_is_named_by_row_column_and_value_and_nothing_is_saved(
        demo: Workspace, table: str, index: int, column: str, typed: str, named: str, words: str) -> None:
    before = snapshot(demo.path)
    frame = read_workspace_table(demo, table)
    frame.loc[index, column] = typed
    checked = edited_table_problems(demo, table, frame)
    result = save_edited_table(demo, table, frame)
    assert not result.ok and snapshot(demo.path) == before and result.workspace == demo
    assert result.problems.frame.equals(checked.frame)
    found = result.problems.frame
    assert set(found["file"]) == {f"{table}.csv"}
    hit = found[(found["row"] == index + 2) & (found["column"] == column)]
    assert len(hit) == 1, found
    assert hit["value"].iloc[0] == named and words in hit["problem"].iloc[0]


def test_a_program_the_workspace_lacks_is_named_with_the_other_problems(demo: Workspace) -> None:
    enrolment = read_workspace_table(demo, "enrolment").assign(program="")
    enrolment.loc[3, "program"] = "main;evening"
    enrolment.loc[6, "role"] = "boss"
    found = edited_table_problems(demo, "enrolment", enrolment).frame
    assert list(zip(found["row"], found["column"], found["value"])) == [(5, "program", "evening"),
                                                                        (8, "role", "boss")]


def test_an_edit_that_breaks_another_table_is_refused(demo: Workspace) -> None:
    before = snapshot(demo.path)
    skills = read_workspace_table(demo, "skills")
    used = skills.loc[skills["skill_id"] == "programming"].index[0]
    result = save_edited_table(demo, "skills", skills.drop(index=used))
    assert not result.ok and snapshot(demo.path) == before
    found = result.problems.frame
    assert set(found["file"]) >= {"proficiency.csv", "requirements.csv"}
    assert (found["value"] == "programming").all()
    assert found["problem"].str.endswith("(after the edit of skills.csv)").all()


def test_blank_rows_are_dropped_and_rows_keep_the_numbers_the_grid_shows(demo: Workspace) -> None:
    goals = read_workspace_table(demo, "goals")
    blank = pd.DataFrame([{c: "" for c in goals.columns}])
    edited = pd.concat([goals.iloc[:2], blank, goals.iloc[2:]], ignore_index=True)
    edited.loc[4, "target"] = "many"  # the grid's row 6: the header is row 1, the blank row is row 4
    found = edited_table_problems(demo, "goals", edited).frame
    assert list(zip(found["row"], found["column"])) == [(6, "target")]
    edited.loc[4, "target"] = "85"
    assert save_edited_table(demo, "goals", edited).ok
    assert read_workspace_table(open_workspace(demo.path), "goals").equals(goals)


def test_rows_numbered_by_a_row_index_are_reported_by_it(demo: Workspace) -> None:
    goals = read_workspace_table(demo, "goals").set_axis(pd.Index([10, 11, 12, 13], name="row"))
    goals.loc[12, "baseline"] = "n/a"
    found = edited_table_problems(demo, "goals", goals).frame
    assert list(zip(found["row"], found["column"], found["value"])) == [(12, "baseline", "n/a")]


def test_an_optional_column_left_blank_is_not_added_but_the_tables_own_columns_are_kept(demo: Workspace) -> None:
    goals = read_workspace_table(demo, "goals").assign(baseline="")
    enrolment = read_workspace_table(demo, "enrolment")
    assert "program" not in enrolment.columns and {"cohort", "values"} <= set(enrolment.columns)
    assert save_edited_table(demo, "enrolment", enrolment.assign(program="")).ok
    assert read_workspace_table(open_workspace(demo.path), "enrolment").equals(enrolment)
    assert save_edited_table(demo, "goals", goals).ok  # a required column, blank where it may be: kept
    assert read_workspace_table(open_workspace(demo.path), "goals").equals(goals)


def test_an_empty_workspace_gets_the_table_typed_in(home: Path) -> None:
    empty = create_workspace("Empty", home)
    skills = pd.DataFrame({"skill_id": ["coaching", ""], "name": ["Coaching", ""], "category": ["People", ""]})
    result = save_edited_table(empty, "skills", skills)
    assert result.ok and result.rows == 1
    assert empty.table_path("skills").read_text(encoding="utf-8") == "skill_id,name,category\ncoaching,Coaching,People\n"


def test_a_table_saved_elsewhere_meanwhile_is_not_overwritten(demo: Workspace) -> None:
    goals = read_workspace_table(demo, "goals")
    other_tab = save_edited_table(demo, "goals", goals.assign(priority="1"))
    assert other_tab.ok
    before = snapshot(demo.path)
    with pytest.raises(StaleWorkspaceError, match="goals.csv"):
        save_edited_table(demo, "goals", goals.assign(priority="2"))
    assert snapshot(demo.path) == before


def test_only_the_small_tables_are_edited_and_nothing_in_the_published_app(
        demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="people"):
        save_edited_table(demo, "people", read_workspace_table(demo, "people"))
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    before = snapshot(demo.path)
    with pytest.raises(ReadOnlyError):
        save_edited_table(demo, "goals", read_workspace_table(demo, "goals"))
    assert snapshot(demo.path) == before


cells = st.one_of(st.sampled_from(["", " ", " 7 ", "0", "1", "2.5", "-3", "1e3", "x", "retain_junior_engineers", "a;b"]),
                  st.text(max_size=6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["goal_id", "priority", "baseline", "target",
                                                                     "horizon_months"]), cells),
                      min_size=1, max_size=4))
def test_a_save_happens_exactly_when_the_check_finds_nothing(demo: Workspace, edits) -> None:
    workspace = open_workspace(demo.path)
    goals = read_workspace_table(workspace, "goals")
    for index, column, value in edits:
        goals.loc[index, column] = value
    before = snapshot(demo.path)
    problems = edited_table_problems(workspace, "goals", goals)
    result = save_edited_table(workspace, "goals", goals)
    assert result.ok == problems.ok
    if result.ok:
        stored = demo.table_path("goals").read_text(encoding="utf-8")
        assert stored == goals.apply(lambda column: column.str.strip()).to_csv(index=False, lineterminator="\n")
    else:
        assert snapshot(demo.path) == before
        own = problems.frame[problems.frame["file"] == "goals.csv"]
        assert own["row"].between(2, 5).all()  # the grid's rows (another table's are its own)
