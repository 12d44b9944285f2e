import base64
import datetime
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from workbench.data.importing import read_workspace_table
from workbench.data.reading import load_mapping, read_table_file
from workbench.data.suggest import suggest_mapping
from workbench.data.tables import TABLES
from workbench.data.templates import template_csv, template_frame
from workbench.views.data import ABSENT, CONSTANT, DataPanel, _notes_html
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
    goals = read_workspace_table(demo, "goals").assign(priority="2")
    panel.table.value = "goals"
    panel.source.value = upload("goals export.csv", goals.to_csv(index=False).encode("utf-8"))
    panel.import_button.click()
    assert "Imported 4 rows from goals export.csv as goals.csv" in panel.notice.value
    assert panel.context.workspace.settings.revision == demo.settings.revision + 1
    assert set(read_workspace_table(open_workspace(demo.path), "goals")["priority"]) == {"2"}
    assert panel.source.value == ()
    panel.undo_button.click()
    assert "Undone: import goals export.csv as goals" in panel.notice.value
    assert demo.table_path("goals").read_bytes() == original
    panel.undo_button.click()
    assert "There is no import or table edit to undo" in panel.notice.value


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
    goals = read_workspace_table(other_tab, "goals")
    from workbench.data.importing import save_table

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


def test_missing_columns_are_named_and_nothing_is_imported_until_they_have_a_source(panel: DataPanel) -> None:
    panel.table.value = "people"
    panel.source.value = upload("HR export.csv", "Employee ID;Dept\nE1;Sales\n".encode("cp1252"))
    assert [label for label, _ in panel.rows["person_id"].source.options][:2] == ["Employee ID", "Dept"]
    assert "Still missing: job_title, level, location" in panel.missing.value
    before = panel.context.workspace.table_path("people").read_bytes()
    panel.import_button.click()
    assert "Nothing was imported: job_title, level, location" in panel.notice.value
    assert panel.context.workspace.table_path("people").read_bytes() == before


def test_another_workspace_updates_the_chart_in_place_and_coming_back_reads_nothing(
        panel: DataPanel, monkeypatch) -> None:
    from workbench.data import importing

    monkeypatch.setattr(importing, "_SETTLE_NS", 0)  # files written a moment ago count as settled
    chart = panel.chart
    demo = panel.context.workspace
    other = create_workspace("Other", copy_demo=True)
    people = read_workspace_table(other, "people")
    people.head(100).assign(manager_id="").to_csv(other.table_path("people"), index=False)  # managers gone too
    panel.context.workspace = other
    assert panel.chart is chart and panel.chart_box.children == (chart,)
    assert "validation problems" in panel.summary.value  # their skill levels name people no longer there
    panel.context.workspace = demo
    read = []
    monkeypatch.setattr(importing, "_read_table", lambda workspace, table: read.append(table))
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


def test_a_workbook_of_several_sheets_offers_the_one_naming_the_tables_columns(panel: DataPanel) -> None:
    demo = panel.context.workspace
    goals = read_workspace_table(demo, "goals").assign(priority="2")
    rows = [list(goals.columns), *goals.values.tolist()]
    content = workbook({"<i>Cover": [], "Goals (old)": [["goal_id"], ["G1"]], "Goals 2026": rows})
    panel.table.value = "meetings"
    panel.source.value = upload("goals.xlsx", content)
    assert panel.sheet_box.children == (panel.sheet,)
    assert [label for label, _ in panel.sheet.options] == [
        "<i>Cover", "Goals (old)", "Goals 2026"]  # text in a list: nothing there is markup
    assert panel.sheet.value == "Goals (old)"  # no sheet names a meetings column: the first holding a value
    panel.table.value = "goals"  # the file is read again for goals: the sheet naming all its columns
    assert panel.sheet.value == "Goals 2026" and "Goals 2026" in panel.preview.value
    panel.import_button.click()
    assert "Imported 4 rows from goals.xlsx (sheet Goals 2026) as goals.csv" in panel.notice.value
    assert set(read_workspace_table(open_workspace(demo.path), "goals")["priority"]) == {"2"}
    assert panel.sheet.options == () and panel.sheet_box.children == ()  # the upload was cleared


def test_the_picked_sheets_name_is_escaped_in_messages(panel: DataPanel) -> None:
    panel.table.value = "goals"
    columns = ["goal_id", "name", "priority", "kpi", "baseline", "target", "horizon_months"]
    panel.source.value = upload("goals.xlsx", workbook({"Notes": [["x"]],
                                                        "<b>Goals": [columns, ["G1", "Grow", -1, "k", "", 1, 1]]}))
    panel.sheet.value = "<b>Goals"
    assert "<b>Goals" not in panel.preview.value and "goals.xlsx, sheet &lt;b&gt;Goals" in panel.preview.value
    panel.import_button.click()
    assert "was not imported" in panel.notice.value
    assert "<b>Goals" not in panel.notice.value + panel.import_problems.value
    assert "&lt;b&gt;Goals" in panel.notice.value + panel.import_problems.value


def test_a_workbook_of_one_sheet_needs_no_picker_and_a_broken_one_is_named(panel: DataPanel) -> None:
    panel.source.value = upload("goals.xlsx", workbook({"Goals": [["goal_id"], ["G1"]]}))
    assert panel.sheet_box.children == () and panel.sheet.options == ()
    panel.source.value = upload("broken.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50)
    assert "broken.xlsx: cannot be read as an .xlsx workbook" in panel.notice.value


REPO = Path(__file__).resolve().parents[2]


def hris_export(size: int = 60) -> pd.DataFrame:
    """An HR system's people export as a client would send it: ``size`` employed people of the demo
    organisation, from the top of the hierarchy down (so every manager is in the file), under the HR system's
    own headers, hire dates written day first."""
    people = pd.read_csv(REPO / "datasets" / "demo" / "people.csv", dtype=str, keep_default_na=False)
    people = people[people["exit_date"] == ""].set_index("person_id", drop=False)
    reports = people.groupby("manager_id")["person_id"].apply(list).to_dict()
    chosen, queue = [], list(reports.get("", []))
    while queue and len(chosen) < size:
        person = queue.pop(0)
        chosen.append(person)
        queue += reports.get(person, [])
    rows = people.loc[chosen]
    return pd.DataFrame({"Employee ID": rows["person_id"], "Full Name": rows["name"], "Dept": rows["department"],
                         "Job Title": rows["job_title"], "Grade": rows["level"], "Location": rows["location"],
                         "Manager": rows["manager_id"],
                         "Hire Date": pd.to_datetime(rows["hire_date"]).dt.strftime("%d/%m/%Y")})


def test_an_hris_export_is_previewed_with_a_suggested_mapping_corrected_and_imported(home: Path) -> None:
    context, _ = open_page("00_start")
    context.workspace = create_workspace("Client")
    panel = DataPanel(context)
    export = hris_export()
    panel.table.value = "people"
    panel.source.value = upload("HRIS export.csv", export.to_csv(index=False).encode("utf-8"))
    assert "HRIS export.csv: 60 rows, 8 columns" in panel.preview.value
    assert "Showing 8 of 60 rows" in panel.preview.value and export.iloc[7]["Full Name"] in panel.preview.value
    assert export.iloc[8]["Full Name"] not in panel.preview.value
    chosen = {column: row.source.value for column, row in panel.rows.items()}
    assert chosen["person_id"] == ("column", "Employee ID") and chosen["hire_date"] == ("column", "Hire Date")
    assert "usual name for person_id" in panel.rows["person_id"].reason.value
    # one column fixed by hand: the location taken from Dept, then given back; the Dept column moves, so
    # department is missing meanwhile
    panel.rows["location"].source.value = ("column", "Dept")
    assert panel.rows["department"].source.value == ABSENT
    assert "Still missing: department" in panel.missing.value
    assert "your choice" in panel.rows["location"].reason.value
    assert "your choice" not in panel.rows["person_id"].reason.value
    panel.rows["department"].source.value = ("column", "Dept")
    panel.rows["location"].source.value = ("column", "Location")
    # a required column the export does not have, left out, is missing; a blank constant will do for it
    exit_date = panel.rows["exit_date"]
    exit_date.source.value = ABSENT
    assert "A constant left empty will do for exit_date (blank = still employed)." in panel.missing.value
    assert exit_date.constant.layout.display == "none" and "blank = still employed" in exit_date.constant.placeholder
    exit_date.source.value = CONSTANT
    exit_date.constant.value = ""
    assert exit_date.constant.layout.display is None
    assert "Every required column has a source" in panel.missing.value
    panel.rows["hire_date"].dates.value = "day-first"
    assert panel.shown_mapping().dates == {"hire_date": "day-first"}
    link = re.search(r'download="people-mapping.yaml" href="data:application/yaml;charset=utf-8;base64,([^"]+)"',
                     panel.missing.value)
    (home / "downloaded.yaml").write_bytes(base64.b64decode(link.group(1)))
    assert load_mapping(home / "downloaded.yaml") == replace(panel.shown_mapping(), file="downloaded.yaml")
    panel.import_button.click()
    assert "Imported 60 rows from HRIS export.csv as people.csv" in panel.notice.value
    people = read_workspace_table(open_workspace(panel.context.workspace.path), "people").set_index("person_id")
    first = export.iloc[0]
    day, month, year = first["Hire Date"].split("/")
    assert people.loc[first["Employee ID"], ["department", "name", "hire_date", "exit_date"]].tolist() == [
        first["Dept"], first["Full Name"], f"{year}-{month}-{day}", ""]
    assert panel.rows == {} and panel.columns_box.children == () and panel.preview.value == ""  # cleared
    assert "people.csv" in panel.tables.value and "present" in panel.tables.value
    assert "saved with the workspace (mappings/people.yaml)" in panel.notice.value
    # the next export from the same system is mapped as this one was
    panel.source.value = upload("HRIS export (March).csv", export.to_csv(index=False).encode("utf-8"))
    assert "&#x27;Employee ID&#x27; was mapped to person_id last time" in panel.rows["person_id"].reason.value
    assert panel.rows["exit_date"].source.value == CONSTANT and panel.rows["hire_date"].dates.value == "day-first"
    assert panel.shown_mapping().dates == {"hire_date": "day-first"}


def test_a_constant_fills_a_column_the_file_lacks_and_a_file_with_duplicate_ids_saves_nothing(
        panel: DataPanel) -> None:
    demo = panel.context.workspace
    before = demo.table_path("people").read_bytes()
    export = hris_export(20).drop(columns="Location")
    export.iloc[5, 0] = export.iloc[4, 0]
    panel.table.value = "people"
    panel.source.value = upload("dupes.csv", export.to_csv(index=False).encode("utf-8"))
    panel.rows["location"].source.value = CONSTANT
    panel.rows["location"].constant.value = "Lisbon"
    panel.rows["exit_date"].source.value = CONSTANT
    panel.rows["hire_date"].dates.value = "day-first"
    assert panel.shown_mapping().defaults == {"location": "Lisbon", "exit_date": ""}
    panel.import_button.click()
    assert "dupes.csv was not imported and nothing was changed" in panel.notice.value
    problems = panel.import_problems.value
    assert f"<td class='num'>7</td><td>person_id</td><td>{export.iloc[4, 0]}</td>" in problems  # row 7 = row 6
    assert demo.table_path("people").read_bytes() == before
    assert panel.source.value and panel.rows["location"].constant.value == "Lisbon"  # kept, to correct and retry
    panel.rows["name"].source.value = ABSENT  # correcting the mapping keeps the message about the last try
    assert "dupes.csv was not imported" in panel.notice.value and panel.mapping_notice.value == ""


def test_a_suggested_date_format_is_shown_kept_while_other_columns_change_and_reset_with_its_source(
        panel: DataPanel, monkeypatch) -> None:
    from workbench.views import data

    def suggest_day_first(raw, table, **kwargs):
        found = suggest_mapping(raw, table, **kwargs)
        return replace(found, mapping=replace(found.mapping, dates={"hire_date": "%d/%m/%Y"}))

    monkeypatch.setattr(data, "suggest_mapping", suggest_day_first)
    panel.table.value = "people"
    panel.source.value = upload("export.csv", hris_export(10).to_csv(index=False).encode("utf-8"))
    dates = panel.rows["hire_date"].dates
    assert dates.value == "%d/%m/%Y" and dates.label == "as in the file (dd/mm/yyyy)"
    assert panel.shown_mapping().dates == {"hire_date": "%d/%m/%Y"}
    dates.value = ""  # automatic
    panel.rows["name"].source.value = ABSENT
    assert dates.value == "" and panel.shown_mapping().dates == {}
    panel.rows["hire_date"].source.value = ABSENT
    assert dates.layout.display == "none" and panel.shown_mapping().dates == {}
    panel.rows["hire_date"].source.value = ("column", "Hire Date")
    assert dates.value == "%d/%m/%Y" and panel.shown_mapping().dates == {"hire_date": "%d/%m/%Y"}


def test_a_mapping_file_replaces_the_suggestion(panel: DataPanel) -> None:
    goals = read_workspace_table(panel.context.workspace, "goals")
    goals = goals.rename(columns={"priority": "Weight", "kpi": "Measure"})
    panel.table.value = "goals"
    panel.source.value = upload("goals.csv", goals.to_csv(index=False).encode("utf-8"))
    assert panel.rows["priority"].source.value == ("column", "Weight")
    mapping = "columns:\n  Weight: priority\n  Measure: kpi\nvalues:\n  priority: {'3': '9'}\n"
    panel.mapping.value = upload("goals-map.yaml", mapping.encode("utf-8"))
    assert panel.columns_box.layout.display == "none" and "goals-map.yaml" in panel.mapping_note.value
    panel.suggestion_button.click()
    assert panel.mapping.value == () and panel.columns_box.layout.display is None and panel.mapping_note.value == ""
    panel.mapping.value = upload("goals-map.yaml", mapping.encode("utf-8"))
    panel.import_button.click()
    assert "Imported 4 rows" in panel.notice.value
    assert "9" in set(read_workspace_table(open_workspace(panel.context.workspace.path), "goals")["priority"])


def test_file_headers_and_cells_are_escaped_and_dropdowns_hold_them_as_text(panel: DataPanel) -> None:
    panel.table.value = "skills"
    panel.source.value = upload("skills.csv", b"<b>Skill</b>,name,category\n<script>x</script>,A,B\n")
    page = panel.preview.value + "".join(row.reason.value for row in panel.rows.values()) + panel.missing.value
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in panel.preview.value
    assert "<b>Skill" not in page
    assert ("<b>Skill</b>", ("column", "<b>Skill</b>")) in panel.rows["skill_id"].source.options
    panel.table.value = "goals"  # the same file, suggested for another table
    assert list(panel.rows) == list(TABLES["goals"].column_names)
    assert panel.rows["name"].source.value == ("column", "name") and panel.suggestion.table == "goals"


def test_every_tables_template_is_offered_and_reads_back(panel: DataPanel, tmp_path: Path) -> None:
    links = dict(re.findall(r'download="([^"]+)" href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)"',
                            panel.templates.value))
    assert set(links) == {f"{table}-template.{kind}" for table in TABLES for kind in ("csv", "xlsx")}
    (tmp_path / "filled.xlsx").write_bytes(base64.b64decode(links["enrolment-template.xlsx"]))
    assert read_table_file(tmp_path / "filled.xlsx").frame.reset_index(drop=True).equals(template_frame("enrolment"))
    assert base64.b64decode(links["people-template.csv"]).decode("utf-8") == template_csv("people")


def test_notes_of_an_import_are_listed_escaped() -> None:
    assert _notes_html(()) == ""
    assert "<li>3 total rows &lt;ignored&gt;</li>" in _notes_html(("3 total rows <ignored>",))


def test_a_saved_mapping_that_cannot_be_read_is_named_and_the_suggestion_starts_afresh(panel: DataPanel) -> None:
    folder = panel.context.workspace.path / "mappings"
    folder.mkdir(exist_ok=True)
    (folder / "people.yaml").write_text("columns: [not, a, mapping]\n", encoding="utf-8")
    panel.table.value = "people"
    panel.source.value = upload("export.csv", hris_export(10).to_csv(index=False).encode("utf-8"))
    assert "mappings/people.yaml that cannot be used" in panel.mapping_notice.value
    assert panel.rows["person_id"].source.value == ("column", "Employee ID")


def test_an_export_under_report_title_rows_is_previewed_from_its_header_with_a_note(panel: DataPanel) -> None:
    export = hris_export(12)
    text = "Headcount report <Q1>\nRun 2027-03-31 by HRIS\n\n" + export.to_csv(index=False)
    panel.table.value = "people"
    panel.source.value = upload("report.csv", text.encode("utf-8"))
    assert "report.csv: 12 rows, 8 columns" in panel.preview.value
    assert "How the file was read" in panel.preview.value and "row 4" in panel.preview.value
    assert "<Q1>" not in panel.preview.value
    assert panel.rows["person_id"].source.value == ("column", "Employee ID")
