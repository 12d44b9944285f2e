"""The Start page's table editor, driven without a browser: the grid's rows set as the page sets them."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.data.importing import read_workspace_table, save_edited_table
from workbench.data.tables import TABLES
from workbench.privacy import KEY_VARIABLE, PUBLISHED_VARIABLE, ReadOnlyError
from workbench.views.editor import TableEditor
from workbench.views.shell import open_page
from workbench.views.start import StartView
from workbench.workspace import DEMO_SOURCE, create_workspace, ensure_demo_workspace, find_workspace, open_workspace

from .test_data import upload


@pytest.fixture
def start(home: Path) -> StartView:
    context, _ = open_page("00_start")
    context.workspace = create_workspace("Client", copy_demo=True)
    return StartView(context)


def edit(editor: TableEditor, index: int, column: str, value: str) -> None:
    """Type ``value`` into a cell, as the page sends it: the whole table's rows."""
    rows = [dict(row) for row in editor.grid.rows]
    rows[index][column] = value
    editor.grid.rows = rows


def test_the_grid_shows_the_contracts_columns_in_order_then_the_tables_own(start: StartView) -> None:
    editor = start.editor
    assert editor.table.value == "skills"
    columns = {c["name"]: c for c in editor.grid.columns}
    assert list(columns) == [*TABLES["skills"].column_names, "element_id"]
    assert columns["skill_id"]["required"] and not columns["element_id"]["required"]
    assert len(editor.grid.rows) == 35 and editor.grid.rows[0]["element_id"] == "2.A.1.a"
    editor.table.value = "enrolment"
    columns = {c["name"]: c for c in editor.grid.columns}
    assert columns["role"]["choices"] == ["mentee", "mentor", "both"]
    assert columns["wants"]["hint"] == ("Skill ids of skills.csv separated by ';'; may be blank; skills a mentee wants to "
                                       "develop (skill_ids).")
    assert ["P00001", "Pablo Jimenez"] in columns["person_id"]["options"]  # ids offered with the person's name
    assert "programming" in editor.help.value and "this workspace's programs: main" in editor.help.value
    assert len(editor.grid.rows) == 105 and not editor.unsaved


def test_check_names_every_problem_by_the_grids_row_and_saves_nothing(start: StartView) -> None:
    editor = start.editor
    editor.table.value = "goals"
    before = editor.context.workspace.table_path("goals").read_bytes()
    edit(editor, 0, "target", "lots")
    edit(editor, 2, "horizon_months", "0")
    editor.check_button.click()
    assert "2 problems, listed below; nothing was saved" in editor.notice.value
    assert "lots" in editor.problems.value and "horizon_months" in editor.problems.value
    assert editor.grid.marks == [
        {"row": 0, "column": "target", "problem": "target 'lots' is not a number"},
        {"row": 2, "column": "horizon_months", "problem": "horizon_months '0' must be 1 or more"}]
    assert "<td class='num'>2</td>" in editor.problems.value and "<td class='num'>4</td>" in editor.problems.value
    editor.save_button.click()
    assert "nothing was saved" in editor.notice.value and editor.unsaved
    assert editor.context.workspace.table_path("goals").read_bytes() == before
    assert editor.save_button.disabled is False


def test_a_saved_edit_reaches_the_page_and_the_undo_button_puts_it_back(start: StartView) -> None:
    editor = start.editor
    editor.table.value = "goals"
    workspace = editor.context.workspace
    before = workspace.table_path("goals").read_bytes()
    edit(editor, 1, "target", "60")
    assert editor.unsaved
    editor.check_button.click()
    assert "No problems" in editor.notice.value and editor.grid.marks == []
    editor.save_button.click()
    assert "Saved 4 rows as goals.csv" in editor.notice.value
    assert not editor.unsaved
    assert editor.context.workspace.revision_of("goals.csv") == workspace.revision_of("goals.csv") + 1
    assert list(read_workspace_table(open_workspace(workspace.path), "goals")["target"]) == ["14", "60", "50", "85"]
    start.data.undo_button.click()
    assert "Undone: edit goals.csv in the table editor" in start.data.notice.value
    assert workspace.table_path("goals").read_bytes() == before
    assert editor.grid.rows[1]["target"] == "55"  # the grid shows the table put back


def test_a_change_that_breaks_another_table_is_listed_under_that_table(start: StartView) -> None:
    editor = start.editor
    rows = [row for row in editor.grid.rows if row["skill_id"] != "programming"]
    editor.grid.rows = rows
    editor.save_button.click()
    assert "Problems in enrolment.csv, proficiency.csv, requirements.csv are what this change would break" in \
        editor.notice.value
    assert "(after the edit of skills.csv)" in editor.problems.value
    assert editor.grid.marks == []  # nothing in the grid itself is wrong
    assert "programming" in set(read_workspace_table(editor.context.workspace, "skills")["skill_id"])


def test_a_stale_save_keeps_the_edits_and_offers_to_save_over(start: StartView) -> None:
    editor = start.editor
    editor.table.value = "goals"
    other_tab = find_workspace("client")
    assert save_edited_table(other_tab, "goals", read_workspace_table(other_tab, "goals").assign(priority="1")).ok
    edit(editor, 0, "kpi", "exits per year")
    editor.save_button.click()
    assert "changed elsewhere" in editor.notice.value and "Save mine over it" in editor.notice.value
    assert editor.grid.rows[0]["kpi"] == "exits per year" and editor.unsaved
    assert editor.save_over.layout.display is None
    editor.save_over.click()
    assert "Saved 4 rows as goals.csv" in editor.notice.value
    stored = read_workspace_table(open_workspace(other_tab.path), "goals")
    assert stored["kpi"][0] == "exits per year" and stored["priority"][1] == "2"  # the page's version, whole


def test_an_empty_workspace_starts_with_the_contracts_columns_and_rows_can_be_typed_in(start: StartView) -> None:
    editor = start.editor
    start.new_name.value = "Empty client"
    start.create_button.click()
    assert editor.grid.rows == [] and [c["name"] for c in editor.grid.columns] == list(TABLES["skills"].column_names)
    editor.grid.rows = [{"skill_id": "coaching", "name": "Coaching", "category": "People"},
                        {"skill_id": "", "name": "", "category": ""}]
    editor.save_button.click()
    assert "Saved 1 row as skills.csv" in editor.notice.value
    saved = editor.context.workspace.table_path("skills").read_text(encoding="utf-8")
    assert saved == "skill_id,name,category\ncoaching,Coaching,People\n"
    assert "skills.csv" in start.data.tables.value


def test_another_table_or_workspace_replaces_the_grid_and_says_when_edits_are_dropped(start: StartView) -> None:
    editor = start.editor
    edit(editor, 0, "name", "Reading")
    editor.table.value = "requirements"
    assert "unsaved edits to skills.csv were discarded" in editor.notice.value
    assert [c["name"] for c in editor.grid.columns][:3] == ["skill_id", "target_level", "importance"]
    start.choice.value = "demo"
    assert editor.loaded.slug == "demo" and len(editor.grid.rows) == 22


def test_people_text_reaches_the_page_as_values_and_problems_escaped(start: StartView) -> None:
    editor = start.editor
    edit(editor, 0, "skill_id", "<b>x</b>;y")
    editor.check_button.click()
    assert "&lt;b&gt;x&lt;/b&gt;;y" in editor.problems.value and "<b>x</b>" not in editor.problems.value
    link = re.search(r'base64,([A-Za-z0-9+/=]+)"', editor.problems.value).group(1)
    assert "<b>x</b>;y" in base64.b64decode(link).decode("utf-8")


def test_the_published_app_has_no_editor(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_demo_workspace(home)
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    monkeypatch.setenv(KEY_VARIABLE, "5e" * 32)
    context, _ = open_page("00_start")
    view = StartView(context)
    assert view.editor is None
    with pytest.raises(ReadOnlyError):
        TableEditor(context)


def test_a_table_too_long_for_the_page_is_not_shown_and_cannot_be_emptied(start: StartView,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.views.editor as editor_module

    monkeypatch.setattr(editor_module, "MAX_ROWS", 100)
    editor = start.editor
    before = editor.context.workspace.table_path("enrolment").read_bytes()
    editor.table.value = "enrolment"
    assert "enrolment.csv has 105 rows, more than the page edits (100)" in editor.notice.value
    assert editor.grid.rows == []
    editor.save_button.click()
    assert "more than the page edits" in editor.notice.value
    assert editor.context.workspace.table_path("enrolment").read_bytes() == before
    editor.table.value = "goals"
    assert len(editor.grid.rows) == 4 and editor.notice.value == ""


def test_an_unreadable_table_is_explained_and_can_be_typed_in_its_place(start: StartView) -> None:
    editor = start.editor
    goals = editor.context.workspace.table_path("goals")
    goals.write_text("goal_id,name\nretain,Retain,extra,cells\n", encoding="utf-8")
    editor.table.value = "goals"
    assert "goals.csv could not be read (below)" in editor.notice.value and "goals.csv" in editor.problems.value
    assert editor.grid.rows == [] and [c["name"] for c in editor.grid.columns] == list(TABLES["goals"].column_names)
    typed = (DEMO_SOURCE / "goals.csv").read_text(encoding="utf-8")  # the goals requirements.csv refers to
    editor.grid.rows = pd.read_csv(DEMO_SOURCE / "goals.csv", dtype=str, keep_default_na=False).to_dict("records")
    editor.save_button.click()
    assert "Saved 4 rows as goals.csv" in editor.notice.value
    assert goals.read_text(encoding="utf-8") == typed


def test_an_import_on_the_page_while_editing_keeps_the_edits_and_the_save_asks_first(start: StartView) -> None:
    editor = start.editor
    editor.table.value = "goals"
    edit(editor, 0, "kpi", "exits per year")
    goals = read_workspace_table(editor.context.workspace, "goals").assign(priority="2")
    start.data.table.value = "goals"
    start.data.source.value = upload("goals.csv", goals.to_csv(index=False).encode("utf-8"))
    start.data.import_button.click()
    assert "Imported 4 rows" in start.data.notice.value
    assert "goals.csv was replaced on this page (an import or an undo) while you edited it" in editor.notice.value
    assert editor.grid.rows[0]["kpi"] == "exits per year"
    editor.save_button.click()
    assert "changed elsewhere" in editor.notice.value
    assert set(read_workspace_table(editor.context.workspace, "goals")["priority"]) == {"2"}
    editor.reload_button.click()
    assert editor.grid.rows[0]["priority"] == "2" and not editor.unsaved
