"""Templates a client fills in: one per table, as CSV or as an Excel workbook with a guide to its columns.

Every template has its table's contract columns in order (:data:`~workbench.data.tables.TABLES`) and
two or three example rows. The examples tell one small story across the tables: the same three people
(E001 Ana, who heads Operations; E002 Ben, a junior engineer; E003 Chen, his engineering manager), the
same three skills and the same two goals, so the filled-in templates import cleanly in table order
(:func:`template_frame`). The Excel version (:func:`template_xlsx`) has a second sheet, "About", with
:func:`column_guide`: for every column whether it is required, its kind, its allowed values and what a
blank cell means.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from workbench.data.tables import DEFAULT_SCALE, LIST_SEPARATOR, REFERENCES, TABLES, ColumnSpec

__all__ = ["ABOUT_SHEET", "column_guide", "template_csv", "template_frame", "template_xlsx"]

#: Name of the Excel template's sheet that describes the columns.
ABOUT_SHEET = "About"

_EXAMPLES: dict[str, list[dict[str, str]]] = {
    "people": [
        {"person_id": "E001", "department": "Operations", "job_title": "Head of Operations", "level": "5",
         "location": "London", "manager_id": "", "hire_date": "2015-03-02", "name": "Ana Silva",
         "email": "ana.silva@example.com", "timezone": "Europe/London", "languages": "English;Portuguese"},
        {"person_id": "E002", "department": "Engineering", "job_title": "Software Engineer", "level": "2",
         "location": "Manchester", "manager_id": "E003", "hire_date": "2023-09-18", "name": "Ben Okafor",
         "email": "ben.okafor@example.com", "timezone": "Europe/London", "languages": "English"},
        {"person_id": "E003", "department": "Engineering", "job_title": "Engineering Manager", "level": "4",
         "location": "London", "manager_id": "E001", "hire_date": "2018-06-11", "name": "Chen Li",
         "email": "chen.li@example.com", "timezone": "Europe/London", "languages": "English;Mandarin"},
    ],
    "skills": [
        {"skill_id": "data_analysis", "name": "Data analysis", "category": "Technical"},
        {"skill_id": "coaching", "name": "Coaching", "category": "Leadership"},
        {"skill_id": "negotiation", "name": "Negotiation", "category": "Interpersonal"},
    ],
    "proficiency": [
        {"person_id": "E002", "skill_id": "data_analysis", "level": "2"},
        {"person_id": "E003", "skill_id": "data_analysis", "level": "4"},
        {"person_id": "E003", "skill_id": "coaching", "level": "3"},
    ],
    "goals": [
        {"goal_id": "grow_engineers", "name": "Grow junior engineers' skills", "priority": "2",
         "kpi": "share of level 1-2 engineers meeting their skill targets (%)", "baseline": "40", "target": "60",
         "horizon_months": "12"},
        {"goal_id": "retain_engineers", "name": "Keep junior engineers", "priority": "1",
         "kpi": "annual exit rate of level 1-2 engineers (%)", "baseline": "", "target": "12",
         "horizon_months": "18"},
    ],
    "requirements": [
        {"skill_id": "data_analysis", "target_level": "3", "importance": "2", "goal_id": "grow_engineers",
         "department": "Engineering", "level_max": "2"},
        {"skill_id": "coaching", "target_level": "3", "importance": "1.5", "job_title": "Engineering Manager"},
    ],
    "enrolment": [
        {"person_id": "E002", "role": "mentee", "wants": "data_analysis", "cohort": "2027"},
        {"person_id": "E003", "role": "mentor", "capacity": "2", "offers": "data_analysis;coaching",
         "cohort": "2027"},
        {"person_id": "E001", "role": "both", "capacity": "1", "wants": "negotiation", "offers": "coaching",
         "cohort": "2027"},
    ],
    "preferences": [
        {"person_id": "E002", "ranks_person_id": "E003", "rank": "1"},
        {"person_id": "E002", "ranks_person_id": "E001", "rank": "2"},
    ],
    "survey": [
        {"person_id": "E002", "wave": "pre", "construct": "career_clarity", "score": "3.5", "date": "2027-01-15"},
        {"person_id": "E002", "wave": "post", "construct": "career_clarity", "score": "4.25",
         "date": "2027-07-15"},
    ],
    "meetings": [
        {"mentee_id": "E002", "mentor_id": "E003", "date": "2027-02-03", "minutes": "45"},
        {"mentee_id": "E002", "mentor_id": "E003", "date": "2027-03-03", "minutes": "60"},
    ],
}


def template_frame(table: str) -> pd.DataFrame:
    """The template of ``table``: its contract columns in order and the example rows, every cell text
    (``""`` when blank), as the workspace stores it. ``KeyError`` for an unknown table."""
    spec = TABLES[table]
    rows = _EXAMPLES[table]
    return pd.DataFrame({c.name: [row.get(c.name, "") for row in rows] for c in spec.columns}, dtype=str)


def template_csv(table: str) -> str:
    """The template of ``table`` as CSV text (UTF-8, ``\\n`` line ends)."""
    return template_frame(table).to_csv(index=False, lineterminator="\n")


def _bound(x: float) -> str:
    return f"{x:g}"


def _allowed(spec: ColumnSpec, table: str, scale: tuple[int, int]) -> str:
    refs = [r for r in REFERENCES if r.table == table and r.column == spec.name]
    if refs:
        r = refs[0]
        return (f"{r.target_column}s of {TABLES[r.target].file}"
                + (f", separated by {LIST_SEPARATOR}" if r.is_list else ""))
    if spec.choices:
        return ", ".join(spec.choices)
    low, high = spec.bounds(scale)
    if low is not None and high is not None:
        return f"{_bound(low)} to {_bound(high)}" + (" (the workspace's scale)" if spec.on_scale else "")
    if low is not None:
        return f"more than {_bound(low)}" if spec.min_exclusive else f"{_bound(low)} or more"
    if spec.kind == "list":
        return f"names separated by {LIST_SEPARATOR}"
    if spec.kind == "date":
        return "YYYY-MM-DD, e.g. 2027-01-31"
    return "any"


_KIND_WORDS = {"id": "identifier (no ;)", "text": "text", "int": "whole number", "number": "number",
               "date": "date", "enum": "one of a list", "list": "list"}


def column_guide(table: str, scale: tuple[int, int] = DEFAULT_SCALE) -> pd.DataFrame:
    """One row per contract column of ``table``, in order, for a person filling it in: ``column``,
    ``required`` ("required" or "optional": an optional column may be left out), ``kind`` in words,
    ``allowed`` values (ids of another table, choices, bounds on the proficiency ``scale``, the date
    form), ``blank`` (what a blank cell means, or that it is not allowed) and ``meaning``.
    ``KeyError`` for an unknown table."""
    rows = []
    for spec in TABLES[table].columns:
        blank = (spec.blank or "unknown") if spec.blank_ok else "not allowed: every row needs a value"
        rows.append({"column": spec.name, "required": "required" if spec.required else "optional",
                     "kind": _KIND_WORDS[spec.kind], "allowed": _allowed(spec, table, scale), "blank": blank,
                     "meaning": spec.description})
    return pd.DataFrame(rows, dtype=str)


def _cell(value: str, spec: ColumnSpec) -> object:
    """A template cell as Excel should hold it: numbers as numbers and dates as dates, so the client's
    spreadsheet treats the column as it will treat their own values."""
    if value == "":
        return None
    if spec.kind == "int":
        return int(value)
    if spec.kind == "number":
        return float(value) if "." in value else int(value)
    if spec.kind == "date":
        return dt.date.fromisoformat(value)
    return value


def template_xlsx(table: str, scale: tuple[int, int] = DEFAULT_SCALE) -> bytes:
    """The template of ``table`` as an Excel workbook (.xlsx bytes): a sheet named after the table with the
    header and example rows (numbers as numbers, dates as dates shown YYYY-MM-DD), then the sheet
    :data:`ABOUT_SHEET` with :func:`column_guide`. Read back by
    :func:`~workbench.data.reading.read_table_file`, the first sheet gives :func:`template_frame`."""
    spec = TABLES[table]
    frame = template_frame(table)
    book = Workbook()
    sheet = book.active
    sheet.title = table
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v, c) for v, c in zip(row, spec.columns)])
    for position, column in enumerate(spec.columns, start=1):
        letter = sheet.cell(row=1, column=position).column_letter
        width = max([len(column.name), *(len(v) for v in frame[column.name])])
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 60)
        if column.kind == "date":
            for cell in sheet[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
    about = book.create_sheet(ABOUT_SHEET)
    guide = column_guide(table, scale)
    about.append(list(guide.columns))
    for row in guide.itertuples(index=False):
        about.append(list(row))
    for sheet_ in (sheet, about):
        for cell in sheet_[1]:
            cell.font = Font(bold=True)
        sheet_.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (18, 10, 18, 36, 36, 70)):
        about.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
