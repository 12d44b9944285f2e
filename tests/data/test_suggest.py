"""The suggested mapping: from headers and values to a mapping that imports real exports and sign-up forms."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cli import main
from workbench.data.importing import import_table, read_workspace_table, saved_mapping
from workbench.data.validation import validate_against
from workbench.data.reading import Mapping, apply_mapping, load_mapping, read_table_file
from workbench.data.suggest import mapping_with, mapping_yaml, role_of, suggest_mapping
from workbench.workspace import DEMO_SOURCE, MAPPINGS_DIR, create_workspace, history, open_workspace, undo

EXAMPLES = DEMO_SOURCE.parent / "examples"


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    """The demo organisation's tables as a workspace reads them (text)."""
    return {t: pd.read_csv(DEMO_SOURCE / f"{t}.csv", dtype=str, keep_default_na=False)
            for t in ("people", "skills", "enrolment")}


@pytest.fixture
def hris(tmp_path: Path) -> Path:
    """The example HRIS export without its two title rows and its total row (reading those is not this module's)."""
    lines = (EXAMPLES / "hris-export.csv").read_text(encoding="utf-8").splitlines()
    assert lines[-1].startswith("Total")
    path = tmp_path / "hris.csv"
    path.write_text("\n".join(lines[2:-1]) + "\n", encoding="utf-8")
    return path


def _write(tmp_path: Path, name: str, frame: pd.DataFrame) -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_the_hris_export_of_the_issue_is_mapped_with_reasons(hris: Path) -> None:
    raw = read_table_file(hris)
    suggestion = suggest_mapping(raw, "people")
    assert suggestion.mapping.columns == {
        "Employee ID": "person_id", "Dept": "department", "Job Title": "job_title", "Grade": "level",
        "Location": "location", "Manager ID": "manager_id", "Hire Date": "hire_date",
        "Termination Date": "exit_date", "Full Name": "name", "Work Email": "email"}
    assert suggestion.missing == () and suggestion.unused == ()
    for choice in suggestion.choices:
        if choice.source is not None:
            assert f"'{choice.source}'" in choice.reason and 0.5 <= choice.confidence <= 1
    assert suggestion.mapping.dates == {"hire_date": "%d/%m/%Y", "exit_date": "%d/%m/%Y"}
    assert suggestion.mapping.values["level"] == {f"L{n}": str(n) for n in range(1, 8)}
    frame, problems = apply_mapping(raw, suggestion.mapping, "people")
    assert problems.ok
    assert validate_against("people", frame, None).ok
    source = pd.read_csv(hris, dtype=str, keep_default_na=False)
    assert frame["hire_date"].iloc[0] == pd.to_datetime(source["Hire Date"].iloc[0], dayfirst=True).strftime("%Y-%m-%d")


def test_values_find_columns_whose_headers_say_nothing(tmp_path: Path, demo) -> None:
    people = demo["people"]
    enrolled = demo["enrolment"]
    mentees = enrolled.loc[enrolled["role"] == "mentee", "person_id"].head(6).tolist()
    mentors = enrolled.loc[enrolled["role"] == "mentor", "person_id"].head(3).tolist()
    meetings = pd.DataFrame({"Col A": mentees, "Col B": mentors * 2,
                             "Col C": ["03.02.2025", "17.02.2025", "25.03.2025", "01.04.2025", "30.04.2025",
                                       "12.05.2025"], "Col D": ["45", "60", "30", "60", "50", "60"]})
    suggestion = suggest_mapping(read_table_file(_write(tmp_path, "log.csv", meetings)), "meetings", existing=demo)
    chosen = {c.column: c for c in suggestion.choices}
    assert chosen["mentee_id"].source == "Col A" and "enrolled as mentees" in chosen["mentee_id"].reason
    assert chosen["mentor_id"].source == "Col B" and "person ids of people.csv" in chosen["mentor_id"].reason
    assert chosen["date"].source == "Col C" and suggestion.mapping.dates == {"date": "%d.%m.%Y"}

    staff = people[people["manager_id"] != ""].head(20)
    bosses = people[people["person_id"].isin(staff["manager_id"])]
    org = pd.concat([staff, bosses]).drop_duplicates("person_id")
    org = org.assign(manager_id=org["manager_id"].where(org["manager_id"].isin(org["person_id"]), ""))
    export = pd.DataFrame({"Ref": org["person_id"], "Boss": org["manager_id"], "Contact": org["email"]})
    suggestion = suggest_mapping(read_table_file(_write(tmp_path, "org.csv", export)), "people")
    chosen = {c.column: c for c in suggestion.choices}
    assert chosen["person_id"].source == "Ref"
    assert chosen["manager_id"].source == "Boss" and "found in 'Ref'" in chosen["manager_id"].reason
    assert chosen["email"].source == "Contact" and "e-mail" in chosen["email"].reason


def test_dates_that_read_both_ways_are_flagged_for_checking(tmp_path: Path) -> None:
    export = pd.DataFrame({"Employee ID": ["E1", "E2", "E3"], "Start Date": ["03/04/2021", "05/06/2020", ""],
                           "Joined": ["2021-04-03", "2020-06-05", "2019-01-31"]})
    choices = {c.column: c for c in suggest_mapping(read_table_file(_write(tmp_path, "d.csv", export)),
                                                    "people").choices}
    # no format is guessed: the import reads the column's dates and lists each that reads two ways
    assert choices["hire_date"].source == "Start Date" and choices["hire_date"].date_format is None
    assert "also reads as mm/dd/yyyy: choose the column's date style" in choices["hire_date"].reason
    assert choices["hire_date"].confidence <= 0.6
    assert choices["exit_date"].source is None  # a date in every row is no column of leaving dates
    export["Start Date"] = ["13/04/2021", "05/06/2020", ""]
    choices = {c.column: c for c in suggest_mapping(read_table_file(_write(tmp_path, "d.csv", export)),
                                                    "people").choices}
    assert "choose" not in choices["hire_date"].reason and choices["hire_date"].confidence > 0.9
    assert choices["hire_date"].date_format == "%d/%m/%Y"


def test_a_form_without_e_mails_finds_people_by_name(tmp_path: Path, demo) -> None:
    answers = pd.DataFrame({"Your name": ["Pablo Jimenez", "Rao, Vivek", "Rachel  Young"],
                            "Do you want to be a mentor or a mentee?": ["Mentor", "Mentee", "Mentee"]})
    raw = read_table_file(_write(tmp_path, "names.csv", answers))
    suggestion = suggest_mapping(raw, "enrolment", existing=demo)
    person = next(c for c in suggestion.choices if c.column == "person_id")
    assert (person.source, person.lookup) == ("Your name", "name") and "names of people" in person.reason
    frame, problems = apply_mapping(raw, suggestion.mapping, "enrolment", existing=demo)
    assert problems.ok and frame["person_id"].tolist() == ["P00001", "P00002", "P00003"]


@pytest.mark.parametrize(("grades", "levels"), [
    (["L3", "L1", "L2"], {"L1": "1", "L2": "2", "L3": "3"}),
    (["Grade 5", "Grade 7"], {"Grade 5": "5", "Grade 7": "7"}),
    (["G0", "G2"], {"G0": "1", "G2": "3"}),
    (["Band 4", "Band 2"], {"Band 2": "2", "Band 4": "4"}),
    (["Senior", "Intern", "Mid", "Junior", "Director", "Lead", "Principal"],
     {"Intern": "1", "Junior": "2", "Mid": "3", "Senior": "4", "Lead": "5", "Principal": "6", "Director": "7"}),
])
def test_levels_become_whole_numbers(tmp_path: Path, grades: list[str], levels: dict[str, str]) -> None:
    export = pd.DataFrame({"Employee ID": [f"E{i}" for i in range(len(grades))], "Grade": grades})
    suggestion = suggest_mapping(read_table_file(_write(tmp_path, "grades.csv", export)), "people")
    level = next(c for c in suggestion.choices if c.column == "level")
    assert level.source == "Grade" and suggestion.mapping.values["level"] == levels
    assert ("check the order" in level.reason) == grades[0].isalpha()
    frame, problems = apply_mapping(read_table_file(tmp_path / "grades.csv"), suggestion.mapping, "people")
    assert problems.ok and frame["level"].tolist() == [levels[g] for g in grades]


@pytest.mark.parametrize(("answer", "role"), [
    ("Mentee", "mentee"), ("Mentor", "mentor"), ("Both", "both"), ("I want a mentor", "mentee"),
    ("Be mentored", "mentee"), ("Mentor others", "mentor"), ("I'd like to be a mentor", "mentor"),
    ("I want to mentor others", "mentor"), ("Both: mentor others and be mentored", "both"),
    ("Mentor and mentee", "both"), ("Not sure yet", None),
])
def test_sign_up_answers_are_read_as_roles(answer: str, role: str | None) -> None:
    assert role_of(answer) == role


@pytest.mark.parametrize("form", ["signup-form-google.csv", "signup-form-microsoft.csv"])
def test_a_sign_up_form_export_becomes_a_valid_enrolment(form: str, demo) -> None:
    raw = read_table_file(EXAMPLES / form)
    suggestion = suggest_mapping(raw, "enrolment", existing=demo)
    assert suggestion.missing == ()
    mapping = suggestion.mapping
    assert mapping.lookup == {"person_id": "email"}
    assert set(mapping.lists) == {"wants", "offers"}
    assert mapping.values["wants"]["Public speaking"] == "speaking"
    assert mapping.defaults["cohort"] == "2026"
    frame, problems = apply_mapping(raw, mapping, "enrolment", existing=demo)
    assert problems.ok, problems.frame
    assert validate_against("enrolment", frame, demo).ok
    answers = pd.read_csv(EXAMPLES / form, dtype=str, keep_default_na=False)
    email = next(c for c in answers.columns if "mail" in c.lower())
    pablo = frame[answers[email].eq("pablo.jimenez@example.com").to_numpy()].iloc[0]
    assert (pablo["person_id"], pablo["role"], pablo["capacity"]) == ("P00001", "mentor", "2")
    assert pablo["offers"] == "speaking;time_management;instructing" and pablo["wants"] == ""
    free_text = answers.columns[-1]
    assert frame[free_text].tolist() == answers[free_text].tolist()  # kept as an extra column
    if "google" in form:
        capacity = dict(zip(answers.iloc[:, 6], frame["capacity"]))
        assert capacity["Up to 3 mentees"] == "3"


def test_people_not_found_are_reported_row_by_row(tmp_path: Path, demo) -> None:
    people = pd.concat([demo["people"], demo["people"].head(1).assign(person_id="P99999", email="")])
    answers = pd.DataFrame({"Your name": ["Pablo Jimenez", "Vivek Rao", "Nobody Known"],
                            "Email Address": ["pablo.jimenez@example.com", "VIVEK.RAO@example.com ", "no@where.org"],
                            "Role": ["Mentor", "Mentee", "Mentee"]})
    raw = read_table_file(_write(tmp_path, "answers.csv", answers))
    by_email = Mapping(columns={"Email Address": "person_id", "Role": "role"}, lookup={"person_id": "email"},
                       values={"role": {"Mentor": "mentor", "Mentee": "mentee"}})
    frame, problems = apply_mapping(raw, by_email, "enrolment", existing={"people": people})
    assert frame["person_id"].tolist() == ["P00001", "P00002", "no@where.org"]
    assert [(r.row, r.column, r.value) for r in problems.frame.itertuples()] == [(4, "person_id", "no@where.org")]
    assert "is not the email of anyone in people.csv" in problems.frame["problem"].iloc[0]
    by_name = replace(by_email, columns={"Your name": "person_id", "Role": "role"}, lookup={"person_id": "name"})
    frame, problems = apply_mapping(raw, by_name, "enrolment", existing={"people": people})
    found = {(r.row, r.column, r.value): r.problem for r in problems.frame.itertuples()}
    assert set(found) == {(2, "person_id", "Pablo Jimenez"), (4, "person_id", "Nobody Known")}
    assert "several people in people.csv (P00001, P99999)" in found[(2, "person_id", "Pablo Jimenez")]
    assert frame["person_id"].tolist()[1] == "P00002"
    _, problems = apply_mapping(raw, by_email, "enrolment", existing={})
    assert "import people first" in problems.frame["problem"].iloc[0]


def test_a_file_column_named_like_a_contract_column_it_does_not_fill_is_kept_aside(tmp_path: Path) -> None:
    export = pd.DataFrame({"Employee ID": ["E1", "E2"], "Grade": ["L2", "L4"], "level": ["Junior", "Lead"]})
    raw = read_table_file(_write(tmp_path, "two-levels.csv", export))
    suggestion = mapping_with(suggest_mapping(raw, "people"), "level", source="Grade")
    assert suggestion.mapping.values["level"] == {"L2": "2", "L4": "4"}  # the values of the column chosen
    frame, problems = apply_mapping(raw, suggestion.mapping, "people")
    assert problems.ok
    assert frame["level"].tolist() == ["2", "4"] and frame["level (in file)"].tolist() == ["Junior", "Lead"]


def test_the_mapping_is_saved_with_the_import_and_starts_the_next_suggestion(home: Path, hris: Path,
                                                                              tmp_path: Path) -> None:
    workspace = create_workspace("Client")
    export = pd.read_csv(hris, dtype=str, keep_default_na=False).rename(columns={"Dept": "Org"})
    first = _write(tmp_path, "first.csv", export)
    suggestion = suggest_mapping(read_table_file(first), "people")
    assert "department" in suggestion.missing  # 'Org' says nothing on its own
    suggestion = mapping_with(suggestion, "department", source="Org")
    result = import_table(first, "people", workspace, suggestion.mapping)
    assert result.ok, result.problems.frame
    saved = saved_mapping(result.workspace, "people")
    assert saved == replace(suggestion.mapping, file="people.yaml")
    assert sorted(v.artefact for v in history(result.workspace)) == ["mappings/people", "people.csv"]

    later = _write(tmp_path, "next.csv", pd.concat([export, export.head(1).assign(**{"Employee ID": "P90000",
                                                                                   "Grade": "L8"})]))
    again = suggest_mapping(read_table_file(later), "people", previous=saved)
    department = next(c for c in again.choices if c.column == "department")
    assert department.source == "Org" and "last time" in department.reason
    assert again.mapping.values["level"]["L8"] == "8"  # a grade seen for the first time is added

    undone = undo(result.workspace, "people.csv")
    assert saved_mapping(undone, "people") is None and not (undone.path / MAPPINGS_DIR / "people.yaml").exists()


def test_the_command_line_suggests_a_mapping_that_then_imports(home: Path, hris: Path, tmp_path: Path,
                                                              capsys) -> None:
    workspace = create_workspace("Client")
    out = tmp_path / "people.yaml"
    assert main(["import", str(hris), "--table", "people", "--into", str(workspace.path)]) == 2
    assert "--suggest-mapping" in capsys.readouterr().err
    assert main(["import", str(hris), "--table", "people", "--into", str(workspace.path),
                 "--suggest-mapping", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "  location <- 'Location'" in printed and "  level <- 'Grade'" in printed
    assert "Nothing was imported" in printed and not open_workspace(workspace.path).table_path("people").exists()
    mapping = load_mapping(out)
    assert mapping.columns["Hire Date"] == "hire_date"
    assert main(["import", str(hris), "--table", "people", "--into", str(workspace.path),
                 "--mapping", str(out)]) == 0
    assert len(read_workspace_table(open_workspace(workspace.path), "people")) == 59
    capsys.readouterr()
    assert main(["import", str(hris), "--table", "people", "--into", str(workspace.path)]) == 0
    assert "Using the mapping people.csv was last imported with" in capsys.readouterr().out

    partial = pd.read_csv(hris, dtype=str, keep_default_na=False).drop(columns=["Hire Date", "Location"])
    assert main(["import", str(_write(tmp_path, "partial.csv", partial)), "--table", "people", "--into",
                 str(workspace.path), "--suggest-mapping", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "required columns location, hire_date" in printed
    assert load_mapping(out).columns["Employee ID"] == "person_id"

    assert main(["undo", str(workspace.path), "people"]) == 0  # the import that reused the mapping saved
    assert saved_mapping(open_workspace(workspace.path), "people") is not None
    assert main(["undo", str(workspace.path), "people"]) == 0  # the import that saved it
    assert "the mapping people.csv was imported with is gone again" in capsys.readouterr().out
    assert saved_mapping(open_workspace(workspace.path), "people") is None


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(columns=st.dictionaries(_names, _names.filter(str.strip), max_size=4),
       values=st.dictionaries(_names, st.dictionaries(_names, _text, max_size=3), max_size=3),
       defaults=st.dictionaries(_names, _text, max_size=3),
       lists=st.dictionaries(_names, _names, max_size=2),
       lookup=st.dictionaries(_names, st.sampled_from(["email", "name"]), max_size=2),
       dates=st.dictionaries(_names, st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%m/%d/%y %H:%M:%S"]), max_size=2),
       strict=st.booleans(), table=st.sampled_from([None, "people", "enrolment"]))
def test_a_mapping_written_as_yaml_reads_back_the_same(tmp_path_factory, columns, values, defaults, lists, lookup,
                                                       dates, strict, table) -> None:
    mapping = Mapping(file="m.yaml", table=table, columns=columns, values=values, dates=dates, defaults=defaults,
                      strict_values=strict, lists=lists, lookup=lookup)
    path = tmp_path_factory.mktemp("yaml") / "m.yaml"
    path.write_text(mapping_yaml(mapping), encoding="utf-8")
    assert load_mapping(path) == mapping


def test_a_microsoft_forms_workbook_becomes_enrolment(tmp_path: Path, demo) -> None:
    import openpyxl

    answers = pd.read_csv(EXAMPLES / "signup-form-microsoft.csv", dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form1"
    sheet.append(list(answers.columns))
    for row in answers.itertuples(index=False):
        started = pd.to_datetime(row[1], format="%m/%d/%y %H:%M:%S").to_pydatetime()
        sheet.append([int(row[0]), started, started, *row[3:8], int(row[8]) if row[8] else None, row[9]])
    book.save(tmp_path / "Mentoring sign-up(1-12).xlsx")
    raw = read_table_file(tmp_path / "Mentoring sign-up(1-12).xlsx")
    suggestion = suggest_mapping(raw, "enrolment", existing=demo)
    assert suggestion.mapping.defaults["cohort"] == "2026" and "Start time" in suggestion.unused
    frame, problems = apply_mapping(raw, suggestion.mapping, "enrolment", existing=demo)
    assert problems.ok and validate_against("enrolment", frame, demo).ok
    assert frame["capacity"].tolist() == answers["Maximum number of mentees"].tolist()


_HEADERS = ["Employee ID", "person_id", "level", "Grade", "Dept", "department", "Hire Date", "hire_date", "Email",
            "Manager", "role", "Role", "wants", "Interests", "Notes", "x"]
_CELLS = ["", "P00001", "P00002", "E1", "L3", "Senior", "01/02/2020", "2020-02-01", "a@b.org", "Mentee", "Both",
          "Public speaking, Negotiation", "2", "Up to 3 mentees", "x"]


@settings(max_examples=80, deadline=None)
@given(table=st.sampled_from(["people", "enrolment", "meetings"]),
       headers=st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=7, unique=True),
       cells=st.lists(st.lists(st.sampled_from(_CELLS), min_size=7, max_size=7), min_size=1, max_size=6),
       hand=st.data())
def test_a_suggested_mapping_always_applies(tmp_path_factory, table, headers, cells, hand, demo) -> None:
    """Whatever the file and the choices made by hand, the mapping renames without collisions and every column
    it names exists: the problems left are the data's."""
    frame = pd.DataFrame([row[:len(headers)] for row in cells], columns=headers)
    if frame.replace("", pd.NA).isna().all().all():
        frame.iloc[0, 0] = "x"
    path = tmp_path_factory.mktemp("suggest") / "file.csv"
    frame.to_csv(path, index=False)
    raw = read_table_file(path)
    suggestion = suggest_mapping(raw, table, existing=demo)
    column = hand.draw(st.sampled_from([c.column for c in suggestion.choices]), label="column")
    suggestion = mapping_with(suggestion, column, source=hand.draw(st.sampled_from([None, *raw.columns]),
                                                                    label="source"))
    assert load_mapping_text(tmp_path_factory, mapping_yaml(suggestion.mapping)) == replace(suggestion.mapping,
                                                                                            file="m.yaml")
    _, problems = apply_mapping(raw, suggestion.mapping, table, existing=demo)
    assert not problems.frame["problem"].str.contains("renames|has no such column").any(), problems.frame


def load_mapping_text(tmp_path_factory, text: str) -> Mapping:
    path = tmp_path_factory.mktemp("yaml") / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path)
