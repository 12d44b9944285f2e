"""Importing into a workspace: all or nothing, from the Python API and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data import reading
from workbench.data.importing import import_table, read_workspace_table, validate_workspace
from workbench.data.tables import TABLES
from workbench.data.sample import generate_organisation, write_tables
from workbench.workspace import (
    StaleWorkspaceError,
    WorkspaceSettings,
    create_workspace,
    csv_text,
    history,
    open_workspace,
    write_new_workspace,
)

REPO = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the workspace folder, history included, except the lock file."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


@pytest.fixture(scope="module")
def small_org() -> dict[str, pd.DataFrame]:
    return generate_organisation(60, seed=3)


@pytest.fixture
def small_workspace(tmp_path: Path, small_org) -> Path:
    ws = write_new_workspace(tmp_path / "ws", WorkspaceSettings(name="Small"),
                             lambda folder: write_tables(small_org, folder))
    return ws.path


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


# --- a real-world export through a mapping, from the command line ----------------------------

HR_PEOPLE = (
    "Employee ID;Full Name;Dept;Job;Grade;Office;Line Manager;Start Date;Leaving Date;Still here\n"
    "E001;Zoë Müller;Finance;Head of Finance;Senior;Zürich;;01/03/2015;;Yes\n"
    "E002;François Dupré;Finance;Financial Analyst;Junior;Paris;E001;15/06/2021;;Yes\n"
    "E003;Ana Núñez;Sales;Account Executive;Mid;Madrid;E001;10/01/2022;28/02/2024;No\n"
)
PEOPLE_MAPPING = """\
table: people
columns:
  Employee ID: person_id
  Full Name: name
  Dept: department
  Job: job_title
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
HR_ENROLMENT = (
    "Employee;Wants a mentor;Mentees they can take\n"
    "E001;No;2\n"
    "E002;Yes;\n"
)
ENROLMENT_MAPPING = """\
columns:
  Employee: person_id
  Wants a mentor: role
  Mentees they can take: capacity
values:
  role: {"Yes": mentee, "No": mentor}
defaults:
  wants: ""
  offers: ""
"""


def test_a_real_world_export_imports_from_the_command_line(home: Path, tmp_path: Path) -> None:
    ws = create_workspace("Client")
    (tmp_path / "people export.csv").write_bytes(b"\xef\xbb\xbf" + HR_PEOPLE.encode("utf-8"))  # Excel's BOM
    (tmp_path / "people.yaml").write_text(PEOPLE_MAPPING, encoding="utf-8")
    (tmp_path / "mentoring sign-up.csv").write_bytes(HR_ENROLMENT.encode("cp1252"))
    (tmp_path / "enrolment.yaml").write_text(ENROLMENT_MAPPING, encoding="utf-8")

    done = cli("import", str(tmp_path / "people export.csv"), "--table", "people", "--mapping",
               str(tmp_path / "people.yaml"), "--into", str(ws.path))
    assert done.returncode == 0, done.stderr
    assert "Imported 3 rows" in done.stdout
    people = read_workspace_table(open_workspace(ws.path), "people")
    assert people["name"].tolist() == ["Zoë Müller", "François Dupré", "Ana Núñez"]
    assert people["level"].tolist() == ["5", "1", "3"]
    assert people["exit_date"].tolist() == ["", "", "2024-02-28"]
    assert people["Still here"].tolist() == ["Yes", "Yes", "No"]  # extra columns are kept

    done = cli("import", str(tmp_path / "mentoring sign-up.csv"), "--table", "enrolment", "--mapping",
               str(tmp_path / "enrolment.yaml"), "--into", str(ws.path))
    assert done.returncode == 0, done.stderr
    enrolment = read_workspace_table(open_workspace(ws.path), "enrolment")
    assert enrolment[["person_id", "role", "capacity"]].values.tolist() == [["E001", "mentor", "2"],
                                                                           ["E002", "mentee", ""]]


def test_an_excel_export_under_title_rows_imports_and_the_notes_say_how_it_was_read(home: Path,
                                                                                      tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Headcount: 3"])
    sheet = book.create_sheet("Employees")
    sheet["A1"] = "Acme Corp - Headcount report"
    sheet["A2"] = "Generated 30/11/2026"
    sheet.append([])
    sheet.append(["Employee ID", "Dept", "Job Title", "Grade", "Location", "Manager", "Hire Date", "Leaving Date"])
    sheet.append(["E001", "Finance", "Head of Finance", 5, "Zürich", None, "27/10/2008", None])
    sheet.append(["E002", "Finance", "Analyst", 1, "Paris", "E001", "03/04/2015", None])
    sheet.append(["E003", "Sales", "Analyst", 3, "Madrid", "E001", "15/01/2020", "31/12/2023"])
    sheet.append(["Total", None, None, 9, None, None, None, None])
    book.save(tmp_path / "headcount.xlsx")
    (tmp_path / "people.yaml").write_text(
        "columns:\n  Employee ID: person_id\n  Dept: department\n  Job Title: job_title\n  Grade: level\n"
        "  Location: location\n  Manager: manager_id\n  Hire Date: hire_date\n  Leaving Date: exit_date\n",
        encoding="utf-8")
    ws = create_workspace("Client")

    result = import_table(tmp_path / "headcount.xlsx", "people", ws, tmp_path / "people.yaml")
    assert result.ok, result.problems.frame.to_string()
    assert result.notes[:3] == (
        "Sheet 'Employees' was read: its header names 8 of the people columns (person_id, department, job_title, "
        "level, location, manager_id, ...), the most of the workbook's 2 sheets.",
        "The header is on row 4; rows 1-3 (a title: 'Acme Corp - Headcount report') were skipped.",
        "Row 8 ('Total') looks like a total and was left out.")
    people = read_workspace_table(open_workspace(ws.path), "people")
    assert people["hire_date"].tolist() == ["2008-10-27", "2015-04-03", "2020-01-15"]

    done = cli("import", str(tmp_path / "headcount.xlsx"), "--table", "people", "--mapping",
               str(tmp_path / "people.yaml"), "--into", str(ws.path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Imported 3 rows from headcount.xlsx") and lines[1:1 + len(result.notes)] == list(result.notes)


def test_a_bad_import_prints_the_problem_table_and_changes_nothing(small_workspace: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("person_id,skill_id,level\nP99999,programming,3\nP00001,nonsense,9\n", encoding="utf-8")
    before = snapshot(small_workspace)
    done = cli("import", str(source), "--table", "proficiency", "--into", str(small_workspace),
               "--problems", str(tmp_path / "problems.csv"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "bad.csv was not imported, nothing was changed" in done.stderr
    problems = pd.read_csv(tmp_path / "problems.csv", dtype=str, keep_default_na=False)
    assert {(r.row, r.column, r.value) for r in problems.itertuples()} >= {
        ("2", "person_id", "P99999"), ("3", "skill_id", "nonsense"), ("3", "level", "9")}
    assert snapshot(small_workspace) == before


def test_a_sheet_of_a_workbook_is_chosen_by_name(small_workspace: Path, small_org, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["The skills, exported on Monday"])
    skills = book.create_sheet("Skills 2026")
    for row in [list(small_org["skills"].columns), *small_org["skills"].astype(object).values.tolist()]:
        skills.append(row)
    source = tmp_path / "export.xlsx"
    book.save(source)
    before = snapshot(small_workspace)
    done = cli("import", str(source), "--table", "skills", "--sheet", "Skills 2025", "--into", str(small_workspace))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "has no sheet 'Skills 2025' (sheets: Read me, Skills 2026)" in done.stderr
    assert snapshot(small_workspace) == before
    done = cli("import", str(source), "--table", "skills", "--sheet", "Skills 2026", "--into", str(small_workspace))
    assert done.returncode == 0, done.stderr
    assert f"Imported {len(small_org['skills']):,} rows from export.xlsx" in done.stdout


def test_validate_command(small_workspace: Path) -> None:
    done = cli("validate", str(small_workspace))
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout
    (small_workspace / "skills.csv").write_text("skill_id,name,category\nx,X,\nx,Y,c\n", encoding="utf-8")
    done = cli("validate", str(small_workspace))
    assert done.returncode == 2
    assert "skills.csv" in done.stderr and "Traceback" not in done.stderr
    assert "appears more than once" in done.stderr


def test_validate_names_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    done = cli("validate", str(tmp_path))
    assert done.returncode == 2
    assert "has no workspace.yaml" in done.stderr and "Traceback" not in done.stderr


# --- all or nothing -------------------------------------------------------------------------

def test_an_import_that_would_break_another_table_is_refused(small_workspace: Path, tmp_path: Path) -> None:
    ws = open_workspace(small_workspace)
    people = read_workspace_table(ws, "people")
    assessed = set(read_workspace_table(ws, "proficiency")["person_id"])
    remaining = people[~people["person_id"].isin(sorted(assessed)[:1]) & (people["manager_id"] != "")]
    remaining = remaining.assign(manager_id="")
    remaining.to_csv(tmp_path / "fewer people.csv", index=False)
    before = snapshot(small_workspace)
    result = import_table(tmp_path / "fewer people.csv", "people", ws)
    assert not result.ok
    assert "proficiency.csv" in set(result.problems.frame["file"])
    assert result.problems.frame["problem"].str.contains("after importing people.csv").all()
    assert snapshot(small_workspace) == before


def test_a_good_import_is_saved_and_can_be_undone(small_workspace: Path, tmp_path: Path) -> None:
    from workbench.workspace import undo

    ws = open_workspace(small_workspace)
    skills = read_workspace_table(ws, "skills")
    skills.assign(name=skills["name"].str.upper()).to_csv(tmp_path / "skills.csv", index=False)
    before = (small_workspace / "skills.csv").read_bytes()
    result = import_table(tmp_path / "skills.csv", "skills", ws)
    assert result.ok and result.rows == len(skills)
    assert result.workspace.settings.revision == ws.settings.revision + 1
    assert history(result.workspace)[0].message == "import skills.csv as skills"
    assert validate_workspace(result.workspace).ok
    undo(result.workspace)
    assert (small_workspace / "skills.csv").read_bytes() == before


def test_an_import_from_a_stale_page_is_refused(small_workspace: Path, tmp_path: Path) -> None:
    page = open_workspace(small_workspace)
    other_tab = open_workspace(small_workspace)
    read_workspace_table(page, "goals").to_csv(tmp_path / "goals.csv", index=False)
    assert import_table(tmp_path / "goals.csv", "goals", other_tab).ok
    before = snapshot(small_workspace)
    with pytest.raises(StaleWorkspaceError):
        import_table(tmp_path / "goals.csv", "goals", page)
    assert snapshot(small_workspace) == before


def test_an_import_that_would_be_stored_too_large_to_read_back_is_refused(
        small_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = open_workspace(small_workspace)
    skills = read_workspace_table(ws, "skills")
    source = tmp_path / "compétences.csv"
    skills.assign(name="Éléments d'éducation à l'égalité").to_csv(source, index=False, encoding="latin-1")
    stored = len(csv_text(skills.assign(name="Éléments d'éducation à l'égalité")).encode("utf-8"))
    assert source.stat().st_size < stored  # accents take two bytes in UTF-8, one in Latin-1
    monkeypatch.setattr(reading, "DEFAULT_MAX_BYTES", source.stat().st_size + 10)
    before = snapshot(small_workspace)
    result = import_table(source, "skills", ws)
    assert not result.ok
    problem = result.problems.frame.iloc[0]
    assert problem["file"] == "compétences.csv"
    assert "skills.csv (UTF-8)" in problem["problem"] and "larger than the limit" in problem["problem"]
    assert snapshot(small_workspace) == before


def test_an_import_whose_mapping_makes_a_cell_too_long_to_read_back_is_refused(small_workspace: Path,
                                                                                 tmp_path: Path) -> None:
    ws = open_workspace(small_workspace)
    read_workspace_table(ws, "skills").drop(columns="category").to_csv(tmp_path / "skills.csv", index=False)
    (tmp_path / "mapping.yaml").write_text("defaults:\n  category: " + "x" * (reading.MAX_CELL_CHARS + 1) + "\n")
    before = snapshot(small_workspace)
    result = import_table(tmp_path / "skills.csv", "skills", ws, tmp_path / "mapping.yaml")
    assert not result.ok
    problem = result.problems.frame.iloc[0]
    assert problem["file"] == "skills.csv"
    assert problem["problem"].startswith("Stored as skills.csv, row 2, column 'category': the value 'xxx")
    assert f"more than the {reading.MAX_CELL_CHARS:,} a cell may hold" in problem["problem"]
    assert snapshot(small_workspace) == before


def test_an_unknown_table_is_a_problem_not_a_crash(small_workspace: Path, tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a\n1\n")
    result = import_table(tmp_path / "x.csv", "salaries", open_workspace(small_workspace))
    assert not result.ok and "not a known table" in result.problems.frame["problem"].iloc[0]


cell = st.one_of(st.sampled_from(["", "P00001", "P00002", "programming", "3", "-1", "9", "2024-13-01",
                                  "2020-01-01", "mentor", "mentee", "both", "pre", "x;y", "=1+1", " "]),
                 st.text(max_size=6))
column_names = st.lists(st.sampled_from(sorted({c for spec in TABLES.values() for c in spec.column_names}
                                               | {"extra", "Employee ID"})), min_size=1, max_size=8, unique=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(table=st.sampled_from(sorted(TABLES)), columns=column_names, data=st.data(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_import_ends_in_success_or_problems_and_failures_change_nothing(
        small_workspace: Path, tmp_path_factory: pytest.TempPathFactory, table: str, columns: list[str], data,
        encoding: str, delimiter: str) -> None:
    rows = data.draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=6))
    frame = pd.DataFrame(rows, columns=columns, dtype=str) if rows else pd.DataFrame(columns=columns)
    source = tmp_path_factory.mktemp("src") / "export.csv"
    source.write_bytes(frame.to_csv(index=False, sep=delimiter).encode(encoding, errors="replace"))
    workspace = open_workspace(small_workspace)
    before = snapshot(small_workspace)
    result = import_table(source, table, workspace)
    if result.ok:
        assert result.workspace.settings.revision == workspace.settings.revision + 1
        from workbench.workspace import undo

        undo(result.workspace)
    else:
        assert list(result.problems.frame.columns) == ["file", "row", "column", "value", "problem"]
        assert (result.problems.frame["problem"].str.len() > 0).all()
        assert snapshot(small_workspace) == before


# --- reading a workspace's tables once per version of each file ------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Tables read from disk (not from memory), in order; files count as settled at once."""
    from workbench.data import importing

    monkeypatch.setattr(importing, "_SETTLE_NS", 0)
    read = importing._read_table
    seen: list[str] = []

    def counting(workspace, table):
        seen.append(table)
        return read(workspace, table)

    monkeypatch.setattr(importing, "_read_table", counting)
    return seen


def test_a_table_is_read_once_per_version_of_its_file(small_workspace: Path, reads: list[str]) -> None:
    from workbench.data.importing import save_table

    ws = open_workspace(small_workspace)
    first = read_workspace_table(ws, "skills")
    pd.testing.assert_frame_equal(read_workspace_table(ws, "skills"), first)
    assert reads == ["skills"]
    renamed = first.assign(name=first["name"].str.upper())
    ws = save_table(ws, "skills", renamed)  # a save replaces the file: a new version
    pd.testing.assert_frame_equal(read_workspace_table(ws, "skills"), renamed)
    assert reads == ["skills", "skills"]


def test_a_file_changed_in_place_is_read_again(small_workspace: Path, reads: list[str]) -> None:
    import os

    ws = open_workspace(small_workspace)
    path = small_workspace / "goals.csv"
    assert "goal_id" in read_workspace_table(ws, "goals").columns
    text = path.read_text(encoding="utf-8")
    assert text.isascii()
    path.write_text(text.upper(), encoding="utf-8")  # same size, same inode
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # whatever the clock's resolution
    assert "GOAL_ID" in read_workspace_table(ws, "goals").columns
    assert reads == ["goals", "goals"]


def test_a_file_changed_a_moment_ago_is_never_taken_from_memory(small_workspace: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.data import importing

    monkeypatch.setattr(importing, "_SETTLE_NS", 60 * 10**9)
    ws = open_workspace(small_workspace)
    read = []
    monkeypatch.setattr(importing, "_read_table",
                        lambda workspace, table: read.append(table) or pd.DataFrame({"a": [1]}))
    importing.read_workspace_table(ws, "goals")
    importing.read_workspace_table(ws, "goals")
    assert read == ["goals", "goals"]


def test_changing_a_table_read_changes_nothing_remembered(small_workspace: Path, reads: list[str]) -> None:
    ws = open_workspace(small_workspace)
    table = read_workspace_table(ws, "people")
    table.loc[0, "department"] = "Changed"
    table["extra"] = "x"
    again = read_workspace_table(ws, "people")
    assert again.loc[0, "department"] != "Changed" and "extra" not in again.columns
    assert reads == ["people"]


def test_the_tables_are_validated_once_per_version(small_workspace: Path, reads: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.data import importing
    from workbench.data.health import data_health

    validated = []
    validate = importing.validate_tables
    monkeypatch.setattr(importing, "validate_tables",
                        lambda *args, **kwargs: validated.append(kwargs["require_all"]) or validate(*args, **kwargs))
    ws = open_workspace(small_workspace)
    assert validate_workspace(ws).ok and validate_workspace(ws).ok
    first = data_health(ws)
    assert data_health(ws) is first and first.problems.ok
    assert validated == [True, False]
    assert sorted(set(reads)) == sorted(reads)  # each table read once


def test_analyses_read_tables_validated_once_per_version_and_again_when_a_file_changes(
        small_workspace: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from workbench.data import importing
    from workbench.errors import InvalidDataError

    validated = []
    validate = importing.validate_tables
    monkeypatch.setattr(importing, "validate_tables",
                        lambda *args, **kwargs: validated.append(1) or validate(*args, **kwargs))
    ws = open_workspace(small_workspace)
    assert set(importing.checked_tables(ws, ["people", "skills"])) == {"people", "skills"}
    importing.checked_tables(ws, ["people", "skills"])
    assert len(validated) == 1  # the second call looks at the files' versions only
    path = small_workspace / "skills.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    path.write_text(text + lines[1], encoding="utf-8")  # the first skill twice, in place
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))  # a time of its own, in the past
    with pytest.raises(InvalidDataError) as refused:
        importing.checked_tables(ws, ["people", "skills"])
    assert set(refused.value.problems.frame["file"]) == {"skills.csv"}
    assert "skills.csv" in str(refused.value) and lines[1].split(",")[0] in str(refused.value)
    assert "people" in importing.checked_tables(ws, ["people"])  # the other tables still serve
    assert len(validated) == 2


def test_warnings_are_found_once_per_version_and_follow_a_new_one(small_workspace: Path, reads: list[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.data import importing, validation
    from workbench.data.importing import save_table

    found = []
    monkeypatch.setattr(importing, "date_warnings", lambda tables, **kw: found.append(1) or
                        validation.date_warnings(tables, **kw))
    ws = open_workspace(small_workspace)
    assert importing.workspace_warnings(ws).ok and importing.workspace_warnings(ws).ok
    assert len(found) == 1
    people = read_workspace_table(ws, "people")
    people.loc[people.index[0], "exit_date"] = "9999-12-31"
    ws = save_table(ws, "people", people)
    tables, warnings = importing.checked_tables_and_warnings(ws, ["people", "skills"])
    assert set(tables) == {"people", "skills"} and len(found) == 2
    assert warnings.frame[["file", "row", "column", "value"]].values.tolist() == [
        ["people.csv", 2, "exit_date", "9999-12-31"]]
    assert importing.checked_tables_and_warnings(ws, ["skills"])[1].ok  # only the tables returned
