"""Tests of workbench.data.reading on real exports as they come: report title rows above the header, several
sheets, dates and numbers in each column's own style, total rows at the end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data.reading import (
    MAX_TITLE_ROWS,
    DataFileError,
    Mapping,
    apply_mapping,
    load_mapping,
    prepare_import,
    read_table_file,
    workbook_sheets,
)

TITLE = "Acme Corp - Headcount report\nGenerated 30/11/2026\n\n"
HEADER = "Employee ID,Dept,Job Title,Grade,Location,Manager ID,Hire Date,Leaving Date\n"
ROWS = ("E1,Sales,Head of Sales,5,Paris,,27/10/2008,\n"
        "E2,Sales,Analyst,2,Paris,E1,03/04/2015,\n"
        "E3,Finance,Analyst,7,Madrid,E1,15/01/2020,31/12/2023\n")
MAPPING = """\
table: people
columns:
  Employee ID: person_id
  Dept: department
  Job Title: job_title
  Grade: level
  Location: location
  Manager ID: manager_id
  Hire Date: hire_date
  Leaving Date: exit_date
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problem_cells(problems) -> list[list]:
    return problems.frame[["file", "row", "column", "value"]].astype(object).values.tolist()


# --- the header under report title rows ---------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_csv_export_under_title_rows_reads_from_its_header(tmp_path, delimiter):
    text = (TITLE + HEADER + ROWS).replace(",", delimiter)
    raw = read_table_file(write(tmp_path / "headcount.csv", text))
    assert raw.delimiter == delimiter and raw.header_row == 4
    assert raw.columns[:3] == ["Employee ID", "Dept", "Job Title"]
    assert raw.rows.tolist() == [5, 6, 7]  # the rows a spreadsheet shows
    assert raw.notes == ("The header is on row 4; rows 1-3 (a title: 'Acme Corp - Headcount report') were "
                         "skipped.",)


def test_problems_after_title_rows_name_the_rows_a_user_sees(tmp_path):
    mapping = write(tmp_path / "people.yaml", MAPPING)
    source = write(tmp_path / "headcount.csv", TITLE + HEADER + ROWS.replace(",E1,03/04", ",E9,03/04"))
    people, problems = prepare_import(source, "people", mapping)
    assert people.index.tolist() == [5, 6, 7]
    assert problem_cells(problems) == [["headcount.csv", 6, "manager_id", "E9"]]


def test_an_excel_export_under_title_rows_reads_from_its_header(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Acme Corp - Headcount report"  # often merged over the columns: the value is in A1 only
    sheet["A2"] = "Generated 30/11/2026"
    sheet.append([])
    sheet.append(["Employee ID", "Dept", "Job Title", "Grade", "Location", "Manager ID", "Hire Date",
                  "Leaving Date"])
    sheet.append(["E1", "Sales", "Head of Sales", 5, "Paris", None, dt.datetime(2008, 10, 27), None])
    sheet.append(["E2", "Sales", "Analyst", 2, "Paris", "E1", "15/04/2015", None])  # text, as typed
    book.save(tmp_path / "headcount.xlsx")
    mapping = write(tmp_path / "people.yaml", MAPPING)

    raw = read_table_file(tmp_path / "headcount.xlsx")
    assert raw.header_row == 4 and raw.rows.tolist() == [5, 6]
    assert raw.notes[0].startswith("The header is on row 4; rows 1-3 (a title: 'Acme Corp")
    people, problems = prepare_import(tmp_path / "headcount.xlsx", "people", mapping)
    assert problems.ok, problems.frame.to_string()
    assert people["hire_date"].tolist() == ["2008-10-27", "2015-04-15"]


def test_a_title_does_not_move_the_header_when_the_first_row_is_one(tmp_path):
    # a first row naming every column with values is the header, whatever it says (as before detection)
    raw = read_table_file(write(tmp_path / "t.csv", "a,b\n1,2\nx,y\n"))
    assert raw.header_row == 1 and raw.notes == () and raw.columns == ["a", "b"]
    # a row naming only some of the columns is not skipped as a title when it names over half of them
    with pytest.raises(DataFileError, match="values in columns without a header name: column B$"):
        read_table_file(write(tmp_path / "t.csv", "id,,x\nP1,Q,R\nP2,S,T\n"))


def test_when_no_row_fits_the_message_says_which_row_looks_like_the_header(tmp_path):
    text = "Headcount report,,\n\nEmployee ID,,Dept\nE1,x,Sales\nE2,y,Sales\n"
    with pytest.raises(DataFileError) as info:
        read_table_file(write(tmp_path / "t.csv", text))
    assert str(info.value) == ("t.csv: has values in columns without a header name: column B, C (row 3 looks "
                               "like the header: every column holding values needs a name there)")


def test_a_mapping_puts_the_header_on_a_row(tmp_path):
    source = write(tmp_path / "t.csv", "Report\nperson_id,name\nP1,Ann\nP2,Bo\n")
    mapping = load_mapping(write(tmp_path / "m.yaml", "header_row: 3\n"))
    assert mapping.header_row == 3
    raw = read_table_file(source, mapping=mapping)
    assert raw.columns == ["P1", "Ann"] and raw.rows.tolist() == [4]
    assert raw.notes == ("The header is on row 3, as the mapping says; rows 1-2 (a title: 'Report') were "
                         "skipped.",)
    with pytest.raises(DataFileError, match="t.csv: row 9, where the mapping puts the header, is past the end"):
        read_table_file(source, mapping=Mapping(header_row=9))
    for bad in ("0", "four", "[4]"):
        with pytest.raises(DataFileError, match="m.yaml: key 'header_row' must be the spreadsheet row"):
            load_mapping(write(tmp_path / "m.yaml", f"header_row: {bad}\n"))


# --- the sheet chosen by content ------------------------------------------------------------------

def test_the_sheet_whose_header_names_the_table_is_read(tmp_path):
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Headcount by department"])
    summary.append(["Department", "People"])
    summary.append(["Sales", 2])
    staff = book.create_sheet("Staff")
    staff.append(["Employee ID", "Dept", "Job Title", "Grade", "Hire Date"])
    staff.append(["E1", "Sales", "Analyst", 2, dt.date(2020, 1, 15)])
    book.create_sheet("Skills").append(["Skill", "Skill category"])
    book["Skills"].append(["SQL", "Data"])
    path = tmp_path / "export.xlsx"
    book.save(path)

    assert workbook_sheets(path) == (["Summary", "Staff", "Skills"], "Summary")  # no table: the first with values
    assert workbook_sheets(path, "people")[1] == "Staff"
    assert workbook_sheets(path, "skills")[1] == "Skills"
    raw = read_table_file(path, table="people")
    assert raw.sheet == "Staff" and raw.frame.loc[2, "Hire Date"] == "2020-01-15"
    assert raw.notes == ("Sheet 'Staff' was read: its header names 5 of the people columns (person_id, "
                         "department, job_title, level, hire_date), the most of the workbook's 3 sheets.",)
    assert read_table_file(path, table="people", sheet="Summary").sheet == "Summary"  # a name still wins
    # a sheet no header names: the first holding a value, and the note says so
    raw = read_table_file(path, table="meetings")
    assert raw.sheet == "Summary"
    assert raw.notes[0] == "Sheet 'Summary' was read, the first of the workbook's 3 sheets holding a value."


# --- dates in each column's style -----------------------------------------------------------------

def dates_frame(**columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame.index = pd.Index(range(2, len(frame) + 2), name="row")
    return frame


def test_the_issues_mixed_date_column_is_read():
    frame = dates_frame(date=["10/27/2008", "09/12/15", "2021-03-01", "27 Oct 2008"])
    notes: list[str] = []
    mapped, problems = apply_mapping(frame, None, "meetings", file="meetings export.csv", notes=notes)
    assert problems.ok
    assert mapped["date"].tolist() == ["2008-10-27", "2015-09-12", "2021-03-01", "2008-10-27"]
    assert notes == ["date: dates written mm/dd/yyyy, mm/dd/yy and dd Mon yyyy were read (two-digit years as "
                     "1930-2029); 1 date that could be read more than one way (such as '09/12/15' on row 3) "
                     "was read month-first, as '10/27/2008' on row 2 shows."]


def test_day_first_and_month_first_are_decided_per_column():
    frame = dates_frame(date=["13/01/2024", "03/04/2024"], submitted=["01/13/2024", "03/04/2024"])
    mapped, problems = apply_mapping(frame, Mapping(dates={"submitted": "month-first"}), "survey")
    assert problems.ok
    assert mapped["date"].tolist() == ["2024-01-13", "2024-04-03"]
    assert mapped["submitted"].tolist() == ["2024-01-13", "2024-03-04"]


def test_dates_that_read_several_ways_are_problems_row_by_row():
    frame = dates_frame(date=["03/04/05", "2024-01-02", "03/04/05", "05.06.2007", "31/02/2020"])
    mapped, problems = apply_mapping(frame, None, "meetings", file="meetings.csv")
    assert problem_cells(problems) == [["meetings.csv", 2, "date", "03/04/05"], ["meetings.csv", 4, "date",
                                                                                 "03/04/05"],
                                       ["meetings.csv", 5, "date", "05.06.2007"],
                                       ["meetings.csv", 6, "date", "31/02/2020"]]
    assert problems.frame["problem"].tolist()[0] == (
        "date '03/04/05' could be 3 April 2005, 4 March 2005 or 5 April 2003; give the column's date style in the "
        "mapping (dates: date: day-first, month-first or year-first)")
    assert "could be 5 June 2007 or 6 May 2007" in problems.frame["problem"].tolist()[2]
    assert problems.frame["problem"].tolist()[3] == (
        "date '31/02/2020' is not a real calendar date, read day-first, month-first or year-first")
    # kept as written
    assert mapped["date"].tolist() == ["03/04/05", "2024-01-02", "03/04/05", "05.06.2007", "31/02/2020"]
    notes: list[str] = []
    mapped, problems = apply_mapping(frame, Mapping(dates={"date": "day-first"}), "meetings", notes=notes)
    assert mapped["date"].tolist()[:4] == ["2005-04-03", "2024-01-02", "2005-04-03", "2007-06-05"]
    assert problem_cells(problems) == [["meetings.csv", 6, "date", "31/02/2020"]]  # no day-first 31 February
    assert notes == ["date: dates written dd/mm/yy and dd.mm.yyyy were read (two-digit years as 1930-2029); 3 dates "
                     "that could be read more than one way (such as '03/04/05' on row 2) were read day-first, as the "
                     "mapping says."]


def test_an_order_in_the_mapping_refuses_dates_that_cannot_be_read_in_it():
    frame = dates_frame(date=["10/27/2008", "03/04/2005"])
    mapped, problems = apply_mapping(frame, Mapping(file="m.yaml", dates={"date": "day-first"}), "meetings",
                                     file="s.csv")
    assert problem_cells(problems) == [["s.csv", 2, "date", "10/27/2008"]]
    assert problems.frame["problem"].iloc[0] == ("date '10/27/2008' is not a day-first date, the order the mapping "
                                                 "gives; it reads as 27 October 2008 (month-first)")
    assert mapped["date"].tolist() == ["10/27/2008", "2005-04-03"]


def test_a_strptime_format_still_wins_and_orders_are_checked_when_the_mapping_is_read(tmp_path):
    frame = dates_frame(date=["10/27/2008"])
    _, problems = apply_mapping(frame, Mapping(file="m.yaml", dates={"date": "%d/%m/%Y"}), "meetings")
    assert "does not match the date format %d/%m/%Y given in m.yaml" in problems.frame["problem"].iloc[0]
    mapping = load_mapping(write(tmp_path / "m.yaml", "dates:\n  date: month-first\n  hire_date: year-first\n"))
    assert mapping.dates == {"date": "month-first", "hire_date": "year-first"}
    with pytest.raises(DataFileError, match="use day-first, month-first, year-first or strptime codes"):
        load_mapping(write(tmp_path / "m.yaml", "dates:\n  date: day first\n"))


def test_a_column_mixing_both_orders_reads_each_date_the_only_way_it_can_be():
    frame = dates_frame(date=["27/10/2008", "10/27/2008", "03/04/2005"])
    notes: list[str] = []
    mapped, problems = apply_mapping(frame, None, "meetings", file="s.csv", notes=notes)
    assert mapped["date"].tolist()[:2] == ["2008-10-27", "2008-10-27"]
    assert problem_cells(problems) == [["s.csv", 4, "date", "03/04/2005"]]
    assert "the column mixes day-first ('27/10/2008', row 2) and month-first ('10/27/2008', row 3)" in notes[0]


DATE_STYLES = {  # style -> (how a date is written, the years it can hold)
    "iso": (lambda d: d.isoformat(), (1, 9999)),
    "dd/mm/yyyy": (lambda d: f"{d:%d/%m/%Y}", (1000, 9999)),
    "mm/dd/yyyy": (lambda d: f"{d:%m/%d/%Y}", (1000, 9999)),
    "dd.mm.yyyy": (lambda d: f"{d:%d.%m.%Y}", (1000, 9999)),
    "d/m/yyyy": (lambda d: f"{d.day}/{d.month}/{d.year}", (1000, 9999)),
    "dd/mm/yy": (lambda d: f"{d:%d/%m/%y}", (1930, 2029)),
    "mm-dd-yy": (lambda d: f"{d:%m-%d-%y}", (1930, 2029)),
    "yyyy/mm/dd": (lambda d: f"{d:%Y/%m/%d}", (1000, 9999)),
    "dd-Mon-yyyy": (lambda d: f"{d:%d-%b-%Y}", (1000, 9999)),
    "d Month yyyy": (lambda d: f"{d.day} {d:%B} {d.year}", (1000, 9999)),
    "Mon d, yyyy": (lambda d: f"{d:%b} {d.day}, {d.year}", (1000, 9999)),
    "yyyymmdd": (lambda d: f"{d:%Y%m%d}", (1800, 2199)),
    "Excel day number": (lambda d: str((d - dt.date(1899, 12, 30)).days), (1928, 2118)),
}


@settings(max_examples=200, deadline=None)
@given(style=st.sampled_from(sorted(DATE_STYLES)), data=st.data())
def test_any_date_written_in_a_supported_style_reads_back_to_itself(style, data):
    """In a column that shows its order once (a day after the 12th), every date reads back to itself."""
    write_date, (first, last) = DATE_STYLES[style]
    dates = data.draw(st.lists(st.dates(dt.date(first, 1, 1), dt.date(last, 12, 31)), min_size=1, max_size=8))
    anchor = data.draw(st.dates(dt.date(first, 1, 1), dt.date(last, 12, 31)).filter(lambda d: d.day > 12))
    frame = dates_frame(date=[write_date(d) for d in [anchor, *dates]])
    mapped, problems = apply_mapping(frame, None, "meetings")
    assert problems.ok, problems.frame.to_string()
    assert mapped["date"].tolist() == [d.isoformat() for d in [anchor, *dates]]


# --- numbers ----------------------------------------------------------------------------------------

def test_thousands_separators_and_decimal_commas_are_read_per_column():
    frame = pd.DataFrame({"goal_id": ["G1", "G2", "G3"], "kpi": ["k", "k", "k"],
                          "baseline": ["1,234.5", "2,000", "12"],  # comma thousands: '2,000' is 2000
                          "target": ["12,5", "3,75", "1.250"],  # decimal commas: '1.250' is 1250
                          "priority": ["1 234", "1\u00a0000", "7"],  # spaces, non-breaking too
                          "horizon_months": ["12", "6", "1'000"]})
    frame.index = pd.Index([2, 3, 4], name="row")
    notes: list[str] = []
    mapped, problems = apply_mapping(frame, None, "goals", file="goals.csv", notes=notes)
    assert problems.ok
    assert mapped["baseline"].tolist() == ["1234.5", "2000", "12"]
    assert mapped["target"].tolist() == ["12.5", "3.75", "1250"]
    assert mapped["priority"].tolist() == ["1234", "1000", "7"]
    assert mapped["horizon_months"].tolist() == ["12", "6", "1000"]
    assert notes[1] == ("target: numbers written with thousands separators and a decimal comma were read as plain "
                        "numbers (such as '12,5' on row 2 as 12.5); 1 number that could be read two ways (such as "
                        "'1.250') was read with ',' as the decimal mark, as '12,5' on row 2 shows.")


def test_numbers_that_read_two_ways_are_problems_unless_the_mapping_gives_the_decimal_mark(tmp_path):
    frame = pd.DataFrame({"skill_id": ["S1", "S2"], "target_level": ["3", "2"], "importance": ["1,250", "2"]})
    frame.index = pd.Index([5, 6], name="row")
    mapped, problems = apply_mapping(frame, None, "requirements", file="r.csv")
    assert problem_cells(problems) == [["r.csv", 5, "importance", "1,250"]]
    assert problems.frame["problem"].iloc[0] == (
        "importance '1,250' could be 1250 (with '.' as the decimal mark) or 1.250 (with ',' as the decimal mark); "
        "give the decimal mark in the mapping (decimal: ',' or '.')")
    assert mapped["importance"].tolist() == ["1,250", "2"]
    frame["importance"] = ["1,250", "0.5"]  # '0.5' shows the column's decimal mark
    mapped, problems = apply_mapping(frame, None, "requirements", file="r.csv")
    assert problems.ok and mapped["importance"].tolist() == ["1250", "0.5"]
    mapping = load_mapping(write(tmp_path / "m.yaml", "decimal: ','\n"))
    mapped, problems = apply_mapping(frame, mapping, "requirements", file="r.csv")
    assert mapped["importance"].tolist() == ["1.250", "0.5"]
    assert problem_cells(problems) == [["r.csv", 6, "importance", "0.5"]]  # '0.5' has no decimal comma
    assert problems.frame["problem"].iloc[0] == ("importance '0.5' is not a number with ',' as its decimal mark, "
                                                 "as the mapping says")
    with pytest.raises(DataFileError, match="key 'decimal' must be '.' or ','"):
        load_mapping(write(tmp_path / "m.yaml", "decimal: comma\n"))


def test_a_whole_number_column_takes_the_whole_reading():
    frame = pd.DataFrame({"person_id": ["P1", "P2"], "role": ["mentor", "mentor"], "capacity": ["1,500", "2"]})
    mapped, problems = apply_mapping(frame, None, "enrolment")
    assert problems.ok and mapped["capacity"].tolist() == ["1500", "2"]  # not 1.5 mentees


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False), min_size=1,
                       max_size=6),
       style=st.sampled_from(["1,234.56", "1.234,56", "1 234,56", "1'234.56"]))
def test_any_number_written_with_separators_reads_back_to_itself(values, style):
    """In a column that shows its decimal mark once (a value with two decimals), every number reads back."""
    thousands, mark = {"1,234.56": (",", "."), "1.234,56": (".", ","), "1 234,56": (" ", ","),
                       "1'234.56": ("'", ".")}[style]

    def written(x) -> str:
        return f"{x:,.2f}".replace(",", "\x00").replace(".", mark).replace("\x00", thousands)

    frame = pd.DataFrame({"goal_id": [f"G{i}" for i in range(len(values))], "kpi": "k",
                          "target": [written(x) for x in values]})
    mapped, problems = apply_mapping(frame, None, "goals")
    assert problems.ok, problems.frame.to_string()
    assert [float(v) for v in mapped["target"]] == [float(x) for x in values]


# --- total rows at the end ----------------------------------------------------------------------------

def test_trailing_total_rows_are_left_out_with_a_note(tmp_path):
    text = HEADER + ROWS + "Total,,,14,,,,\nCount,3 employees,,,,,,\n"
    raw = read_table_file(write(tmp_path / "t.csv", text))
    assert raw.rows.tolist() == [2, 3, 4]
    assert raw.notes == ("Rows 5-6 ('Total', 'Count') look like totals and were left out.",)
    # in the id column, with the first cell a counter
    text = "No.,Employee ID,Grade\n1,E1,3\n2,E2,4\n,Grand total,7\n"
    raw = read_table_file(write(tmp_path / "t.csv", text), table="people")
    assert raw.rows.tolist() == [2, 3] and raw.notes == ("Row 4 ('Grand total') looks like a total and was left out.",)


@pytest.mark.parametrize("text", [
    "Employee ID,Grade\nE1,3\nTotal,7\nE2,4\n",  # in the middle: a row of the table, left for the checks
    "Employee ID,Dept\nE1,Sales\nTotal,Total Rewards\n",  # text beside it: a row of the table
    "Skill,Category\nSum,Maths\n",  # the only row is kept
])
def test_a_total_row_that_is_not_at_the_end_or_has_text_beside_is_kept(tmp_path, text):
    raw = read_table_file(write(tmp_path / "t.csv", text))
    assert len(raw.frame) == len(text.splitlines()) - 1 and raw.notes == ()


# --- the whole import, with its notes ----------------------------------------------------------------

def test_an_export_with_every_quirk_imports_with_its_notes(tmp_path):
    text = TITLE + HEADER + ROWS + "Grand total,,,14,,,,\n"
    notes: list[str] = []
    people, problems = prepare_import(write(tmp_path / "hr.csv", text), "people",
                                      write(tmp_path / "m.yaml", MAPPING), notes=notes)
    assert problems.ok, problems.frame.to_string()
    assert people.index.tolist() == [5, 6, 7]
    assert people["exit_date"].tolist() == ["", "", "2023-12-31"]
    assert notes[:2] == ["The header is on row 4; rows 1-3 (a title: 'Acme Corp - Headcount report') were skipped.",
                         "Row 8 ('Grand total') looks like a total and was left out."]
    assert notes[2].startswith("hire_date: dates written dd/mm/yyyy were read; 1 date that could be read more than "
                               "one way (such as '03/04/2015' on row 6) was read day-first, as '27/10/2008' on row 5")
    assert notes[3] == "exit_date: dates written dd/mm/yyyy were read."


def test_up_to_max_title_rows_of_title_are_skipped(tmp_path):
    for titles in range(1, MAX_TITLE_ROWS + 1):
        text = "".join(f"Title line {i}\n" for i in range(titles)) + HEADER + ROWS
        raw = read_table_file(write(tmp_path / "t.csv", text))
        assert raw.header_row == titles + 1 and len(raw.frame) == 3
    text = "".join(f"Title line {i}\n" for i in range(MAX_TITLE_ROWS + 1)) + HEADER + ROWS
    with pytest.raises(DataFileError, match="more values than the header's 1 columns"):
        read_table_file(write(tmp_path / "t.csv", text))
