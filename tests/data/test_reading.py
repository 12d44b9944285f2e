"""Tests of workbench.data.reading: file reading, mapping files and imports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import with_a_wrong_value
from workbench.data import reading
from workbench.data.problems import PROBLEM_COLUMNS, Problems
from workbench.data.reading import (
    MAX_CELL_CHARS,
    DataFileError,
    Mapping,
    RawTable,
    apply_mapping,
    load_mapping,
    prepare_import,
    read_table_file,
    workbook_sheets,
)
from workbench.data.tables import ROW_INDEX_NAME
from workbench.data.validation import validate_table


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- a real-world style export ---------------------------------------------------------------

PEOPLE_EXPORT = (
    "Employee ID;Full Name;Dept;Title;Grade;Office;Line Manager;Start Date;Leaving Date;Is Mentor;Pronouns\n"
    "E001;Zoë Müller;Finance;Head of Finance;Senior;Zürich;;01/03/2015;;Yes;she/her\n"
    "E002;François Dupont;Finance;Analyst;Junior;Paris;E001;15/06/2021;;No;he/him\n"
    "\n"
    "E003;Ana Núñez;Ventas;Analyst;Mid;Madrid;E001;10/01/2022;28/02/2024;No;NA\n"
)

PEOPLE_MAPPING = """\
table: people
columns:
  Employee ID: person_id
  Full Name: name
  Dept: department
  Title: job_title
  Grade: level
  Office: location
  Line Manager: manager_id
  Start Date: hire_date
  Leaving Date: exit_date
values:
  level: {Junior: 1, Mid: 3, Senior: 5}
dates:
  hire_date: "%d/%m/%Y"
  exit_date: "%d/%m/%Y"
"""

ENROLMENT_MAPPING = """\
table: enrolment
columns:
  Employee ID: person_id
  Is Mentor: role
values:
  role: {Yes: mentor, No: mentee}
defaults:
  capacity: ""
  wants: ""
  offers: ""
"""


@pytest.mark.parametrize("encoding, expected", [("utf-8-sig", "utf-8-sig"), ("latin-1", "cp1252"),
                                                ("cp1252", "cp1252"), ("utf-8", "utf-8")])
def test_real_world_export_imports_through_a_mapping(tmp_path, encoding, expected):
    source = write(tmp_path / "HR export.csv", PEOPLE_EXPORT, encoding)
    mapping = write(tmp_path / "people.yaml", PEOPLE_MAPPING)
    raw = read_table_file(source)
    assert raw.encoding == expected and raw.delimiter == ";"
    assert raw.columns[0] == "Employee ID"  # no BOM left on the first header
    assert raw.frame.loc[2, "Full Name"] == "Zoë Müller"
    assert raw.frame.loc[3, "Full Name"] == "François Dupont"
    assert raw.frame.loc[5, "Pronouns"] == "NA"  # text, not a missing value
    assert raw.rows.tolist() == [2, 3, 5]  # the blank line keeps its row number

    people, problems = prepare_import(source, "people", mapping)
    assert problems.ok, problems.frame.to_string()
    assert people.index.name == ROW_INDEX_NAME and people.index.tolist() == [2, 3, 5]
    assert people["person_id"].tolist() == ["E001", "E002", "E003"]
    assert people["level"].tolist() == ["5", "1", "3"]
    assert people["hire_date"].tolist() == ["2015-03-01", "2021-06-15", "2022-01-10"]
    assert people["exit_date"].tolist() == ["", "", "2024-02-28"]
    assert people["name"].tolist() == ["Zoë Müller", "François Dupont", "Ana Núñez"]
    assert "Pronouns" in people.columns and "Is Mentor" in people.columns  # extras kept
    assert validate_table("people", people).ok

    enrol_map = write(tmp_path / "enrolment.yaml", ENROLMENT_MAPPING)
    enrolment, problems = prepare_import(source, "enrolment", enrol_map, existing={"people": people})
    assert enrolment["role"].tolist() == ["mentor", "mentee", "mentee"]
    # the mentor needs a capacity: one problem, at the source row
    assert problems.frame[["file", "row", "column", "value"]].values.tolist() == [
        ["HR export.csv", 2, "capacity", ""]]


def test_xlsx_export(tmp_path):
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "exported by HR"
    sheet = book.create_sheet("Staff")
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = (
        "Employee ID", "Grade", "Start Date", "Score", "Active")
    sheet.append(["E001", 3, dt.datetime(2020, 1, 15), 2.5, True])
    sheet.append([None, None, None, None, None])
    sheet.append(["  E002 ", 4.0, dt.date(2021, 3, 1), 1e-3, False])
    path = tmp_path / "staff.xlsx"
    book.save(path)

    raw = read_table_file(path, sheet="Staff")
    assert raw.sheet == "Staff" and raw.encoding is None
    assert raw.columns == ["Employee ID", "Grade", "Start Date", "Score", "Active"]
    assert raw.rows.tolist() == [4, 6]  # spreadsheet rows; header on row 3
    assert raw.frame.loc[4].tolist() == ["E001", "3", "2020-01-15", "2.5", "TRUE"]
    assert raw.frame.loc[6].tolist() == ["E002", "4", "2021-03-01", "0.001", "FALSE"]
    assert read_table_file(path, sheet=1).frame.equals(raw.frame)
    with pytest.raises(DataFileError, match="staff.xlsx: has a header row but no data rows"):
        read_table_file(path)  # the first sheet, "Notes", holds one line only


def test_the_sheets_of_a_workbook_and_the_first_holding_a_value(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Cover <b>& notes<b>"  # empty: the people's text is a name, never markup
    staff = book.create_sheet("Staff")
    staff.append(["person_id", "hire_date", "level"])
    staff.append(["P1", dt.datetime(2020, 1, 15), 3])
    book.create_sheet("Later").append(["other", "table"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert workbook_sheets(path) == (["Cover <b>& notes<b>", "Staff", "Later"], "Staff")
    raw = read_table_file(path)  # not the empty first sheet
    assert raw.sheet == "Staff" and raw.frame.loc[2].tolist() == ["P1", "2020-01-15", "3"]
    with pytest.raises(DataFileError, match="sheet 'Cover <b>& notes<b>' is empty"):
        read_table_file(path, sheet=0)
    empty = openpyxl.Workbook()
    empty.save(tmp_path / "empty.xlsx")
    assert workbook_sheets(tmp_path / "empty.xlsx") == (["Sheet"], None)
    with pytest.raises(DataFileError, match=r"empty.xlsx: has no values in any sheet \(Sheet\)"):
        read_table_file(tmp_path / "empty.xlsx")


def test_a_workbook_reads_as_the_csv_it_would_export(tmp_path):
    """Cells of every type give the text a CSV of the same table holds (what the contracts read)."""
    rows = [["person_id", "hire_date", "start", "level", "score", "mentor", "note", "meeting"],
            ["P1", dt.date(2020, 1, 15), dt.datetime(2021, 3, 1, 10, 30), 3, 2.5, True, " a, b ", dt.time(9, 5)],
            ["P2", dt.datetime(1999, 12, 31), dt.datetime(2021, 3, 1), 4.0, 1e-3, False, "Zoë", None],
            ["P3", None, None, -2, 123456789012, None, "+41 22 (text)", dt.time(0, 0)]]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "t.xlsx")
    frame = read_table_file(tmp_path / "t.xlsx").frame
    assert frame.values.tolist() == [
        ["P1", "2020-01-15", "2021-03-01 10:30:00", "3", "2.5", "TRUE", "a, b", "09:05:00"],
        ["P2", "1999-12-31", "2021-03-01", "4", "0.001", "FALSE", "Zoë", ""],
        ["P3", "", "", "-2", "123456789012", "", "+41 22 (text)", "00:00:00"]]
    pd.DataFrame(frame).to_csv(tmp_path / "t.csv", index=False)
    assert read_table_file(tmp_path / "t.csv").frame.equals(frame)


def test_xlsx_errors(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "only a header"
    path = tmp_path / "book.xlsx"
    book.save(path)
    with pytest.raises(DataFileError, match="header row but no data rows"):
        read_table_file(path)
    with pytest.raises(DataFileError, match="has no sheet 'Missing' \\(sheets: Sheet\\)"):
        read_table_file(path, sheet="Missing")
    fake = write(tmp_path / "fake.xlsx", "person_id,name\nP1,Ann\n")
    with pytest.raises(DataFileError, match="not a valid .xlsx"):
        read_table_file(fake)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    with pytest.raises(DataFileError, match="broken.xlsx: cannot be read as an .xlsx workbook"):
        read_table_file(broken)
    ole = tmp_path / "locked.xlsx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(DataFileError, match="password-protected"):
        read_table_file(ole)


def test_a_workbook_that_unpacks_past_the_limit_is_refused(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    book.active.append(["person_id", "name"])
    for i in range(2000):
        book.active.append([f"P{i}", f"Person {i}"])
    path = tmp_path / "staff.xlsx"
    book.save(path)
    assert len(read_table_file(path).frame) == 2000
    monkeypatch.setattr(reading, "MAX_WORKBOOK_BYTES", path.stat().st_size)  # the file is compressed
    with pytest.raises(DataFileError, match=r"staff.xlsx: unpacks to .* MB of sheets, larger than the limit of "
                                            r".* MB for a workbook; save the sheet as CSV"):
        read_table_file(path)


# --- reading text files -----------------------------------------------------------------------

@pytest.mark.parametrize("suffix, delimiter", [(".csv", ","), (".csv", ";"), (".tsv", "\t"),
                                               (".txt", "|"), (".txt", "\t"), (".csv", "\t")])
def test_delimiter_sniffing(tmp_path, suffix, delimiter):
    rows = [["person_id", "name", "note"], ["P1", "Müller, Zoë", "a;b"], ["P2", "Ann", "x|y"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    raw = read_table_file(write(tmp_path / f"t{suffix}", buffer.getvalue()))
    assert raw.delimiter == delimiter
    assert raw.frame.values.tolist() == rows[1:]


def test_cells_are_stripped_text(tmp_path):
    text = 'a , b,c\n 007 , NA ,\n"x\ny",  ,null\n'
    raw = read_table_file(write(tmp_path / "t.csv", text))
    assert raw.columns == ["a", "b", "c"]
    assert raw.frame.values.tolist() == [["007", "NA", ""], ["x\ny", "", "null"]]
    assert all(raw.frame[c].dtype == "str" for c in raw.columns)
    assert raw.frame.isna().sum().sum() == 0
    assert raw.rows.tolist() == [2, 3]


def test_leading_blank_lines_and_trailing_delimiters(tmp_path):
    raw = read_table_file(write(tmp_path / "t.csv", "\n\n a,b,\n1,2,\n3,4\n"))
    assert raw.columns == ["a", "b"] and raw.rows.tolist() == [4, 5]


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("person_id\tname\nP1\tZoë\n".encode("utf-16"))
    raw = read_table_file(path)
    assert raw.encoding == "utf-16" and raw.delimiter == "\t"
    assert raw.frame.loc[2, "name"] == "Zoë"


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\n \n", "is empty"),
    (b"person_id,name\n", "header row but no data rows"),
    (b"person_id,name\n,\n\n", "header row but no data rows"),
    (b"\x00\x01\x02\x03binary\xff\xfe\x00", "binary data"),
    (bytes(range(1, 32)) * 20, "binary data"),
    (b"PK\x03\x04rest", "looks like an Excel workbook"),
    (b"id,name,name\n1,a,b\n", "duplicate column names: 'name' (columns B, C)"),
    (b"id,,x\n1,2,3\n", "values in columns without a header name: column B"),
    (b'id,name\n1,"Ann\n2,Bo\n', "quoted value starting on row 2 that is never closed"),
    (b"id,name\n1,Ann\n2,Bo,extra\n", "row 3 has 3"),
])
def test_unreadable_files_raise_one_error(tmp_path, content, message):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(DataFileError) as info:
        read_table_file(path)
    assert message in str(info.value)
    assert info.value.file == "data.csv" and str(info.value).startswith("data.csv: ")
    assert isinstance(info.value, ValueError)
    assert info.value.__cause__ is None


def test_size_limit_missing_file_and_bad_suffix(tmp_path):
    path = write(tmp_path / "big.csv", "a,b\n" + "1,2\n" * 1000)
    with pytest.raises(DataFileError, match="larger than the limit"):
        read_table_file(path, max_bytes=1000)
    assert len(read_table_file(path).frame) == 1000
    with pytest.raises(DataFileError, match="file not found"):
        read_table_file(tmp_path / "nope.csv")
    with pytest.raises(DataFileError, match="unsupported file type '.json'"):
        read_table_file(write(tmp_path / "x.json", "{}"))
    with pytest.raises(DataFileError, match="is not a file"):
        read_table_file(tmp_path)


@pytest.mark.parametrize("length", [MAX_CELL_CHARS + 1, 5_000_000])
def test_a_cell_longer_than_a_spreadsheet_holds_is_refused_naming_it(tmp_path, length):
    value = ("R&D " * (length // 4 + 1))[:length - 1] + "x"
    path = write(tmp_path / "people.csv", f"person_id,department\nP1,Sales\nP2,{value}\n")
    with pytest.raises(DataFileError, match=rf"people.csv: row 3, column 'department': the value 'R&D R&D .*' is "
                                            rf"{length:,} characters long, more than the {MAX_CELL_CHARS:,}"):
        read_table_file(path)
    path = write(tmp_path / "people.csv", "person_id," + "d" * length + "\nP1,Sales\n")
    with pytest.raises(DataFileError, match=rf"row 1, column 'd{{40}}': the value 'd{{40}}\.\.\.' is {length:,}"):
        read_table_file(path)
    assert read_table_file(write(tmp_path / "ok.csv", "a\n" + "x" * MAX_CELL_CHARS + "\n")).frame["a"].str.len()[2] \
        == MAX_CELL_CHARS


# --- mapping files ----------------------------------------------------------------------------

def test_load_mapping_reads_text_faithfully(tmp_path):
    mapping = load_mapping(write(tmp_path / "m.yaml", PEOPLE_MAPPING + "strict_values: yes\n"))
    assert mapping.table == "people" and mapping.file == "m.yaml"
    assert mapping.columns["Employee ID"] == "person_id"
    assert mapping.values["level"] == {"Junior": "1", "Mid": "3", "Senior": "5"}
    assert mapping.strict_values is True
    enrol = load_mapping(write(tmp_path / "e.yaml", ENROLMENT_MAPPING))
    assert enrol.values["role"] == {"Yes": "mentor", "No": "mentee"}  # not True/False
    assert enrol.defaults == {"capacity": "", "wants": "", "offers": ""}
    assert load_mapping(write(tmp_path / "n.yaml", "columns:\n")) == Mapping(file="n.yaml")


@pytest.mark.parametrize("text, message", [
    ("colums:\n  a: b\n", "unknown key 'colums'"),
    ("columns: [a, b]\n", "key 'columns' must be a mapping"),
    ("columns:\n  a: [b]\n", "key 'columns.a' must be a single value"),
    ("values:\n  level: Junior\n", "key 'values.level' must map source values"),
    ("table: peple\n", "is not a known table"),
    ("dates:\n  hire_date: dd/mm/yyyy\n", "key 'dates.hire_date'"),
    ("dates:\n  hire_date: '%d/%Q'\n", "is not a usable date format"),
    ("strict_values: maybe\n", "key 'strict_values' must be true or false"),
    ("columns:\n  a: x\n  a: y\n", "duplicate key 'a'"),
    ("columns: {a: b\n", "is not valid YAML"),
    ("columns: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),  # a RecursionError before
    ("- a\n- b\n", "must be a YAML mapping"),
    ("", "is empty"),
])
def test_bad_mapping_files(tmp_path, text, message):
    with pytest.raises(DataFileError) as info:
        load_mapping(write(tmp_path / "bad.yaml", text))
    assert message in str(info.value) and info.value.file == "bad.yaml"


def raw_table(rows: list[dict], file="export.csv", first_row=2) -> RawTable:
    frame = pd.DataFrame(rows).fillna("").astype(str)
    frame.index = pd.Index(range(first_row, first_row + len(frame)), name=ROW_INDEX_NAME)
    return RawTable(frame, file, Path(file))


def test_apply_mapping_renames_values_dates_defaults():
    raw = raw_table([{"ID": "E1", "Role": "Y", "Since": "3/1/2020", "Team": "A"},
                     {"ID": "E2", "Role": "Maybe", "Since": "31/13/2020", "Team": "B"},
                     {"ID": "E3", "Role": "N", "Since": "2021-05-04", "Team": ""}], first_row=7)
    mapping = Mapping(file="m.yaml", columns={"ID": "person_id", "Role": "role", "Since": "date",
                                              "Missing": "x"},
                      values={"role": {"Y": "mentor", "N": "mentee"}, "nope": {"a": "b"}},
                      dates={"date": "%d/%m/%Y"}, defaults={"cohort": "2024", "role": "mentee"})
    frame, problems = apply_mapping(raw, mapping, "enrolment")
    assert frame["role"].tolist() == ["mentor", "Maybe", "mentee"]  # unmapped value kept
    assert frame["date"].tolist() == ["2020-01-03", "31/13/2020", "2021-05-04"]
    assert frame["cohort"].tolist() == ["2024"] * 3
    assert frame.index.tolist() == [7, 8, 9]
    got = problems.frame
    assert got[["row", "column", "value"]].astype(object).values.tolist() == [
        [pd.NA, "Missing", ""], [pd.NA, "nope", ""], [8, "date", "31/13/2020"]]
    assert "does not match the date format %d/%m/%Y given in m.yaml" in got.iloc[2]["problem"]
    assert got["file"].eq("export.csv").all()

    strict = Mapping(file="m.yaml", values={"Role": {"Y": "mentor", "N": "mentee"}}, strict_values=True)
    _, problems = apply_mapping(raw, strict, "enrolment")
    assert problems.frame[["row", "column", "value"]].values.tolist() == [[8, "Role", "Maybe"]]
    assert "is not one of the values m.yaml maps ('Y', 'N')" in problems.frame.iloc[0]["problem"]


def test_apply_mapping_rename_collisions():
    raw = raw_table([{"A": "1", "B": "2", "person_id": "P1", "C": "3", "D": "4"}])
    mapping = Mapping(file="m.yaml", columns={"A": "x", "B": "x", "C": "person_id", "D": "C"},
                      table="skills")
    frame, problems = apply_mapping(raw, mapping, "people")
    assert list(frame.columns) == ["x", "B", "person_id", "C", "D"]
    messages = problems.frame["problem"].tolist()
    assert messages[0] == "m.yaml is a mapping for skills.csv, not for people.csv"
    assert "renames both 'A' and 'B' to 'x'" in messages[1]
    assert "renames 'C' to 'person_id', but export.csv already has a column 'person_id'" in messages[2]
    assert "renames 'D' to 'C', but export.csv already has a column 'C'" in messages[3]
    assert problems.frame["column"].tolist() == ["", "B", "C", "D"]
    # the same, in the other order: D may not take C's name once C's rename is refused
    mapping = Mapping(file="m.yaml", columns={"D": "C", "C": "person_id"})
    frame, problems = apply_mapping(raw, mapping, "people")
    assert list(frame.columns) == ["A", "B", "person_id", "C", "D"] and len(problems) == 2
    # a swap is not a collision
    frame, problems = apply_mapping(raw, Mapping(columns={"A": "B", "B": "A"}), "people")
    assert problems.ok and frame["A"].tolist() == ["2"]
    # a plain DataFrame with a doubled column: the first is kept, the double reported
    doubled = pd.DataFrame([["1", "2"]], columns=["A", "A"])
    frame, problems = apply_mapping(doubled, None, "people")
    assert frame.columns.tolist() == ["A"] and frame.index.tolist() == [2]
    assert problems.frame[["file", "column"]].values.tolist() == [["people.csv", "A"]]


def test_prepare_import_checks_against_workspace(tmp_path):
    existing = {
        "people": pd.DataFrame({"person_id": ["P1", "P2"]}),
        "skills": pd.DataFrame({"skill_id": ["S1"], "name": ["x"], "category": ["c"]}),
    }
    source = write(tmp_path / "levels.csv", "Who,Skill,Level\nP1,S1,3\n\nP3,S1,2\nP2,S2,7\nP1,S1,1\n")
    mapping = write(tmp_path / "m.yaml", "columns: {Who: person_id, Skill: skill_id, Level: level}\n")
    frame, problems = prepare_import(source, "proficiency", mapping, existing=existing)
    assert len(frame) == 4
    assert problems.frame[["file", "row", "column", "value"]].values.tolist() == [
        ["levels.csv", 4, "person_id", "P3"],
        ["levels.csv", 5, "skill_id", "S2"],
        ["levels.csv", 5, "level", "7"],
        ["levels.csv", 6, "skill_id", "S1"],
    ]
    assert problems.frame["row"].is_monotonic_increasing
    _, problems = prepare_import(source, "proficiency", mapping, existing=existing, scale=(0, 7))
    assert len(problems) == 3


def test_prepare_import_reports_each_bad_date_once(tmp_path):
    source = write(tmp_path / "s.csv", "person_id,wave,construct,score,when\nP1,pre,c,3,2024/01/05\n"
                                       "P1,post,c,4,05/07/2024\n")
    mapping = write(tmp_path / "m.yaml", "columns: {when: date}\ndates: {date: '%d/%m/%Y'}\n")
    frame, problems = prepare_import(source, "survey", mapping)
    assert frame["date"].tolist() == ["2024/01/05", "2024-07-05"]
    assert problems.frame[["row", "column", "value"]].values.tolist() == [[2, "date", "2024/01/05"]]


def test_prepare_import_turns_file_errors_into_problems(tmp_path):
    frame, problems = prepare_import(write(tmp_path / "e.csv", ""), "skills")
    assert frame.empty and list(frame.columns) == ["skill_id", "name", "category"]
    assert problems.frame.values.tolist()[0][:1] == ["e.csv"] and "is empty" in problems.frame.iloc[0]["problem"]
    source = write(tmp_path / "ok.csv", "skill_id,name,category\nS1,a,b\n")
    _, problems = prepare_import(source, "skills", write(tmp_path / "m.yaml", "bogus: 1\n"))
    assert problems.frame[["file", "column"]].values.tolist() == [["m.yaml", ""]]
    frame, problems = prepare_import(source, "skills")
    assert problems.ok and frame.loc[2].tolist() == ["S1", "a", "b"]
    with pytest.raises(ValueError):
        prepare_import(source, "salaries")


# --- property tests ---------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"]
SAFE = st.text(alphabet="abcXYZ019 éüçñßÆ-_.'\"/\n", max_size=8)


@st.composite
def table_bytes(draw):
    """Bytes of a text table: sometimes well formed, sometimes garbled, sometimes pure garbage."""
    kind = draw(st.sampled_from(["table", "garbled", "garbage", "xlsx-like"]))
    suffix = draw(st.sampled_from([".csv", ".tsv", ".txt", ".xlsx"]))
    if kind == "garbage":
        return suffix, draw(st.binary(max_size=400))
    if kind == "xlsx-like":
        return suffix, b"PK\x03\x04" + draw(st.binary(max_size=200))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    n_cols = draw(st.integers(min_value=1, max_value=5))
    cells = st.one_of(SAFE, st.sampled_from(["", "NA", " ", ",", ";", '"', "\t", "|"]))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=n_cols + 1), max_size=6))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows(rows)
        text = buffer.getvalue()
    else:  # no quoting at all: delimiters and quotes inside cells break the table
        text = "\n".join(delimiter.join(row) for row in rows)
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if kind == "garbled" and data:
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    return suffix, data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table_bytes())
def test_any_bytes_give_a_table_or_a_data_file_error(case):
    suffix, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        try:
            raw = read_table_file(path)
        except DataFileError as err:
            assert err.file == path.name
            return
    assert isinstance(raw, RawTable)
    assert len(raw.frame) > 0 and len(raw.columns) == len(set(raw.columns))
    assert all(raw.frame[c].dtype == "str" for c in raw.columns)
    assert not raw.frame.isna().any().any()
    assert raw.frame.index.name == ROW_INDEX_NAME and (raw.rows >= 2).all()
    assert isinstance(validate_table("people", raw.frame), Problems)


HEADER = st.text(alphabet="abcdefghij_ éü", min_size=1, max_size=6).map(str.strip).filter(bool)
CELL = st.text(alphabet="abcXYZ019 éüçñ-_.'\"\n,;|\t", max_size=8).map(str.strip)


@st.composite
def clean_table(draw):
    n_cols = draw(st.integers(min_value=2, max_value=5))
    header = draw(st.lists(HEADER, min_size=n_cols, max_size=n_cols, unique=True))
    rows = draw(st.lists(st.lists(CELL, min_size=n_cols, max_size=n_cols), min_size=1, max_size=6))
    rows = [r for r in rows if any(r)] or [["x"] * n_cols]
    return header, rows, draw(st.sampled_from([",", ";", "\t", "|"])), draw(st.sampled_from(ENCODINGS))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clean_table())
def test_written_tables_read_back_unchanged(case):
    header, rows, delimiter, encoding = case
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_NONNUMERIC).writerows([header] + rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        raw = read_table_file(path)
    assert raw.columns == header
    assert raw.frame.values.tolist() == rows
    assert raw.rows.tolist() == list(range(2, len(rows) + 2))
    assert list(Problems().frame.columns) == list(PROBLEM_COLUMNS)
    assert np.all(raw.frame.index.to_numpy() >= 2)


UNICODE_ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


@settings(max_examples=60, deadline=None)
@given(encoding=st.sampled_from(UNICODE_ENCODINGS), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       names=st.lists(st.text(alphabet="abcXYZ019 éüçñßÆ-_.'Ζωή李小龍🙂", min_size=1, max_size=8)
                      .map(str.strip).filter(bool), min_size=1, max_size=5))
def test_utf16_and_utf32_with_or_without_a_byte_order_mark_read_as_written(tmp_path_factory, encoding, delimiter,
                                                                          names):
    # without a mark the encoding is told by where the NUL bytes of the ASCII header and delimiters fall
    path = tmp_path_factory.mktemp("unicode") / "people.csv"
    lines = [f"person_id{delimiter}name", *(f"P{i}{delimiter}{name}" for i, name in enumerate(names))]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    raw = read_table_file(path)
    assert raw.delimiter == delimiter and raw.encoding.startswith(encoding)
    assert raw.frame["name"].tolist() == names


def test_nul_bytes_that_are_no_unicode_text_name_the_encodings_tried(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("person_id,name\nP1,Zoë\n".encode("utf-16-le")[:-1])  # cut in the middle of a character
    with pytest.raises(DataFileError) as info:
        read_table_file(path)
    assert str(info.value).startswith("people.csv: ")
    assert all(codec in str(info.value) for codec in ("UTF-16-LE", "UTF-16-BE", "UTF-32-LE", "UTF-32-BE"))


MAPPING = {"table": "people", "columns": {"ID": "person_id"}, "values": {"level": {"Senior": "5"}},
           "dates": {"hire_date": "%d/%m/%Y"}, "defaults": {"location": "Paris"}, "strict_values": True}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=with_a_wrong_value(MAPPING))
def test_any_wrong_type_in_a_mapping_file_is_named_with_its_key(tmp_path, case):
    document, path, value = case
    (tmp_path / "mapping.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        load_mapping(tmp_path / "mapping.yaml")
    except DataFileError as exc:
        named = [str(path[-1])] + (list(map(str, value)) if isinstance(value, dict) else [])
        assert str(exc).startswith("mapping.yaml: "), exc
        assert any(n in str(exc) or repr(n) in str(exc) for n in named), (path, exc)
