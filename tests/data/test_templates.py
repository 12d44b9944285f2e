"""Templates: their examples satisfy the contracts together, and the Excel version reads back as the CSV."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from workbench.data.importing import import_table, read_workspace_table, validate_workspace
from workbench.data.tables import TABLES
from workbench.data.reading import read_table_file
from workbench.data.templates import ABOUT_SHEET, column_guide, template_csv, template_frame, template_xlsx
from workbench.workspace import create_workspace


def test_every_template_imports_cleanly_in_table_order_as_csv_and_as_excel(home: Path, tmp_path: Path) -> None:
    as_csv, as_excel = create_workspace("From CSV templates"), create_workspace("From Excel templates")
    for table in TABLES:
        (tmp_path / f"{table}.csv").write_text(template_csv(table), encoding="utf-8")
        (tmp_path / f"{table}.xlsx").write_bytes(template_xlsx(table))
        result = import_table(tmp_path / f"{table}.csv", table, as_csv)
        assert result.ok, result.problems.text()
        as_csv = result.workspace
        result = import_table(tmp_path / f"{table}.xlsx", table, as_excel)
        assert result.ok, result.problems.text()
        as_excel = result.workspace
        assert read_workspace_table(as_excel, table).equals(read_workspace_table(as_csv, table))
    assert validate_workspace(as_csv).ok  # every required table present, references between them hold
    assert as_csv.row_counts() == {table: len(template_frame(table)) for table in TABLES}


@pytest.mark.parametrize("table", list(TABLES))
def test_the_excel_template_reads_back_as_the_template_with_its_about_sheet(table: str, tmp_path: Path) -> None:
    path = tmp_path / f"{table}.xlsx"
    path.write_bytes(template_xlsx(table, scale=(1, 7)))
    raw = read_table_file(path)
    assert raw.sheet == table
    assert raw.frame.reset_index(drop=True).equals(template_frame(table))
    about = read_table_file(path, sheet=ABOUT_SHEET).frame.reset_index(drop=True)
    assert about.equals(column_guide(table, scale=(1, 7)))
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))[table]
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    for cell in sheet[2]:  # numbers and dates are the spreadsheet's own, not text that looks like them
        kind, value = kinds[sheet.cell(1, cell.column).value], cell.value
        if value is not None and kind in {"int", "number", "date"}:
            assert not isinstance(value, str), (cell.coordinate, value)


def test_the_templates_share_their_examples() -> None:
    people = set(template_frame("people")["person_id"])
    skills = set(template_frame("skills")["skill_id"])
    goals = set(template_frame("goals")["goal_id"])
    assert set(template_frame("enrolment")["person_id"]) <= people
    assert {s for cell in template_frame("enrolment")[["wants", "offers"]].stack() for s in cell.split(";") if s} \
        <= skills
    assert set(template_frame("requirements")["goal_id"]) - {""} <= goals
    assert set(template_frame("meetings")[["mentee_id", "mentor_id"]].stack()) <= people


def test_the_column_guide_says_what_blank_means_and_what_is_allowed() -> None:
    people = column_guide("people").set_index("column")
    assert people.index.tolist() == list(TABLES["people"].column_names)
    assert people.loc["exit_date", "blank"] == "still employed"
    assert people.loc["person_id", "blank"].startswith("not allowed")
    assert people.loc["manager_id", "allowed"] == "person_ids of people.csv"
    assert people.loc["gender", "required"] == "optional"
    assert "sensitive" in people.loc["gender", "meaning"]
    enrolment = column_guide("enrolment").set_index("column")
    assert enrolment.loc["role", "allowed"] == "mentee, mentor, both"
    assert enrolment.loc["offers", "allowed"] == "skill_ids of skills.csv, separated by ;"
    assert column_guide("proficiency", scale=(1, 7)).set_index("column").loc["level", "allowed"].startswith("1 to 7")
    assert column_guide("goals").set_index("column").loc["priority", "allowed"] == "more than 0"
    assert (column_guide("skills")["meaning"] != "").all()
