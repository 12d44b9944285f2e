import datetime
from pathlib import Path

import pytest

from workbench.views.data import DataPanel
from workbench.views.shell import open_page
from workbench.workspace import create_workspace, find_workspace, open_workspace


def upload(name: str, content: bytes) -> tuple[dict, ...]:
    return ({"name": name, "type": "text/csv", "size": len(content), "content": memoryview(content),
             "last_modified": datetime.datetime(2026, 1, 5, tzinfo=datetime.timezone.utc)},)


@pytest.fixture
def panel(home: Path) -> DataPanel:
    context, _ = open_page("00_start")
    return DataPanel(context)


def test_demo_health_is_summarised(panel: DataPanel) -> None:
    assert "No validation problems." in panel.summary.value
    assert "people currently employed" in panel.summary.value
    assert "expected skill assessments are missing" in panel.summary.value
    assert panel.problems.value == ""
    assert panel.chart_box.children  # headcount chart


def test_a_valid_upload_is_imported_and_can_be_undone(panel: DataPanel) -> None:
    demo = panel.context.workspace
    original = demo.table_path("goals").read_bytes()
    goals = demo.read_table("goals").assign(priority="2")
    panel.table.value = "goals"
    panel.source.value = upload("goals export.csv", goals.to_csv(index=False).encode("utf-8"))
    panel.import_button.click()
    assert "Imported 4 rows from goals export.csv as goals.csv" in panel.notice.value
    assert panel.context.workspace.settings.revision == demo.settings.revision + 1
    assert set(open_workspace(demo.path).read_table("goals")["priority"]) == {"2"}
    assert panel.source.value == ()
    panel.undo_button.click()
    assert "Undone: import goals export.csv as goals" in panel.notice.value
    assert demo.table_path("goals").read_bytes() == original
    panel.undo_button.click()
    assert "There is no import to undo" in panel.notice.value


def test_a_bad_upload_shows_the_problem_table_and_saves_nothing(panel: DataPanel) -> None:
    before = panel.context.workspace.table_path("proficiency").read_bytes()
    panel.table.value = "proficiency"
    panel.source.value = upload("scores.csv", b"person_id,skill_id,level\nNOBODY,programming,3\nP00002,writing,=9\n")
    panel.import_button.click()
    assert "scores.csv was not imported and nothing was changed" in panel.notice.value
    assert "NOBODY" in panel.import_problems.value and "=9" in panel.import_problems.value
    assert "data:text/csv;charset=utf-8;base64," in panel.import_problems.value
    assert panel.context.workspace.table_path("proficiency").read_bytes() == before
    assert panel.import_button.disabled is False


def test_importing_without_a_file_asks_for_one(panel: DataPanel) -> None:
    panel.import_button.click()
    assert "Choose a data file" in panel.notice.value


def test_a_save_from_a_stale_page_is_refused_with_a_message(panel: DataPanel) -> None:
    other_tab = find_workspace("demo")
    goals = other_tab.read_table("goals")
    from workbench.workspace import save_table

    save_table(other_tab, "goals", goals)
    panel.table.value = "goals"
    panel.source.value = upload("goals.csv", goals.to_csv(index=False).encode("utf-8"))
    panel.import_button.click()
    assert "changed elsewhere" in panel.notice.value


def test_an_empty_workspace_lists_what_is_missing(home: Path) -> None:
    context, _ = open_page("00_start")
    context.workspace = create_workspace("Empty")
    panel = DataPanel(context)
    assert "Missing required tables" in panel.summary.value
    assert panel.chart_box.children == ()


def test_the_mapping_example_shown_in_the_page_works(tmp_path: Path) -> None:
    from workbench.data.reading import apply_mapping, load_mapping, read_table_file
    from workbench.views.data import MAPPING_EXAMPLE

    (tmp_path / "map.yaml").write_text(MAPPING_EXAMPLE, encoding="utf-8")
    (tmp_path / "export.csv").write_text("Employee ID,Dept,Grade,Start Date\nE1,Sales,Senior,31/01/2020\n",
                                         encoding="utf-8")
    frame, problems = apply_mapping(read_table_file(tmp_path / "export.csv"), load_mapping(tmp_path / "map.yaml"),
                                    "people")
    assert problems.ok
    assert frame.iloc[0][["person_id", "department", "level", "hire_date", "location"]].tolist() == [
        "E1", "Sales", "5", "2020-01-31", "Unknown"]


def test_missing_columns_come_with_the_files_own_column_names(panel: DataPanel) -> None:
    panel.table.value = "people"
    panel.source.value = upload("HR export.csv", "Employee ID;Dept\nE1;Sales\n".encode("cp1252"))
    panel.import_button.click()
    assert "The columns in HR export.csv are: Employee ID, Dept." in panel.notice.value


def test_another_workspace_updates_the_chart_in_place_and_coming_back_reads_nothing(
        panel: DataPanel, monkeypatch) -> None:
    from workbench.data import importing
    from workbench.workspace import Workspace

    monkeypatch.setattr(importing, "_SETTLE_NS", 0)  # files written a moment ago count as settled
    chart = panel.chart
    demo = panel.context.workspace
    other = create_workspace("Other", copy_demo=True)
    people = other.read_table("people")
    people.head(100).assign(manager_id="").to_csv(other.table_path("people"), index=False)  # managers gone too
    panel.context.workspace = other
    assert panel.chart is chart and panel.chart_box.children == (chart,)
    assert "validation problems" in panel.summary.value  # their skill levels name people no longer there
    panel.context.workspace = demo
    read = []
    monkeypatch.setattr(Workspace, "read_table", lambda self, table: read.append(table))
    panel.context.workspace = other
    panel.context.workspace = demo
    assert read == [] and panel.chart is chart
    assert "No validation problems." in panel.summary.value


def workbook(sheets: dict[str, list[list]]) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_of_several_sheets_is_imported_from_the_sheet_picked(panel: DataPanel) -> None:
    demo = panel.context.workspace
    goals = demo.read_table("goals").assign(priority="2")
    rows = [list(goals.columns), *goals.values.tolist()]
    content = workbook({"<i>Cover": [], "Goals (old)": [["goal_id"], ["G1"]], "Goals 2026": rows})
    panel.table.value = "goals"
    panel.source.value = upload("goals.xlsx", content)
    assert panel.sheet_box.children == (panel.sheet,)
    assert panel.sheet.label == "Goals (old)" and [label for label, _ in panel.sheet.options] == [
        "<i>Cover", "Goals (old)", "Goals 2026"]  # text in a list: nothing there is markup
    assert panel.sheet.value == "Goals (old)"  # the first sheet holding a value
    panel.sheet.value = "Goals 2026"
    panel.import_button.click()
    assert "Imported 4 rows from goals.xlsx (sheet Goals 2026) as goals.csv" in panel.notice.value
    assert set(open_workspace(demo.path).read_table("goals")["priority"]) == {"2"}
    assert panel.sheet.options == () and panel.sheet_box.children == ()  # the upload was cleared


def test_the_picked_sheets_name_is_escaped_in_messages(panel: DataPanel) -> None:
    panel.table.value = "goals"
    panel.source.value = upload("goals.xlsx", workbook({"Notes": [["x"]], "<b>Goals": [["goal_id"], ["G1"]]}))
    panel.sheet.value = "<b>Goals"
    panel.import_button.click()
    assert "was not imported" in panel.notice.value
    assert "<b>Goals" not in panel.notice.value + panel.import_problems.value
    assert "&lt;b&gt;Goals" in panel.notice.value + panel.import_problems.value


def test_a_workbook_of_one_sheet_needs_no_picker_and_a_broken_one_is_named(panel: DataPanel) -> None:
    panel.source.value = upload("goals.xlsx", workbook({"Goals": [["goal_id"], ["G1"]]}))
    assert panel.sheet_box.children == () and panel.sheet.options == ()
    panel.source.value = upload("broken.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50)
    assert "broken.xlsx: cannot be read as an .xlsx workbook" in panel.notice.value
