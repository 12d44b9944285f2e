"""Tests of the table contracts (workbench.data.tables), their validation and coercion (workbench.data.validation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data.problems import PROBLEM_COLUMNS, Problems
from workbench.data.tables import ROW_INDEX_NAME, TABLES
from workbench.data.validation import (
    coerce_table,
    date_warnings,
    program_problems,
    table_schema,
    validate_against,
    validate_table,
    validate_tables,
)


def frame(rows: list[dict]) -> pd.DataFrame:
    """A table as read from CSV: every cell text, blanks as ''."""
    return pd.DataFrame(rows).fillna("").astype(str)


def valid_tables() -> dict[str, pd.DataFrame]:
    """A small, fully valid workspace (row 2 is the first data row)."""
    return {
        "people": frame([
            dict(person_id="P1", department="Eng", job_title="Director", level="5", location="Paris",
                 manager_id="", hire_date="2015-03-01", exit_date="", name="Zoë Müller",
                 languages="fr;en"),
            dict(person_id="P2", department="Eng", job_title="Engineer", level="2", location="Paris",
                 manager_id="P1", hire_date="2021-06-15", exit_date="", name="François"),
            dict(person_id="P3", department="Ops", job_title="Analyst", level="1", location="Lyon",
                 manager_id="P1", hire_date="2022-01-10", exit_date="2024-02-29", name="Ann"),
            dict(person_id="P4", department="Ops", job_title="Analyst", level="1", location="Lyon",
                 manager_id="P2", hire_date="2023-09-01", exit_date="", name="Bo"),
        ]),
        "skills": frame([
            dict(skill_id="S1", name="Python", category="Tech"),
            dict(skill_id="S2", name="Negotiation", category="Soft"),
            dict(skill_id="S3", name="SQL", category="Tech"),
        ]),
        "proficiency": frame([
            dict(person_id="P1", skill_id="S1", level="5"),
            dict(person_id="P1", skill_id="S2", level="4"),
            dict(person_id="P2", skill_id="S1", level="2"),
            dict(person_id="P3", skill_id="S3", level="0"),
        ]),
        "goals": frame([
            dict(goal_id="G1", name="Retention", priority="2", kpi="attrition", baseline="0.18",
                 target="0.12", horizon_months="12"),
            dict(goal_id="G2", name="Data", priority="0.5", kpi="sql users", baseline="",
                 target="40", horizon_months="6"),
        ]),
        "requirements": frame([
            dict(skill_id="S1", target_level="3", importance="1", goal_id="G2", department="Eng",
                 job_title="", level_min="1", level_max="3"),
            dict(skill_id="S3", target_level="2", importance="0.5", goal_id="", department="",
                 job_title="", level_min="", level_max=""),
        ]),
        "enrolment": frame([
            dict(person_id="P1", role="mentor", capacity="2", wants="", offers="S1;S2", cohort="2024"),
            dict(person_id="P2", role="both", capacity="1", wants="S2", offers="", cohort="2024"),
            dict(person_id="P3", role="mentee", capacity="", wants="S1; S3", offers="", cohort="2024"),
            dict(person_id="P3", role="mentee", capacity="", wants="S3", offers="", cohort="2025"),
        ]),
        "preferences": frame([
            dict(person_id="P3", ranks_person_id="P1", rank="1"),
            dict(person_id="P3", ranks_person_id="P2", rank="2"),
        ]),
        "survey": frame([
            dict(person_id="P3", wave="pre", construct="confidence", score="3.5", date="2024-01-05"),
            dict(person_id="P3", wave="post", construct="confidence", score="4", date="2024-07-05"),
        ]),
        "meetings": frame([
            dict(mentee_id="P3", mentor_id="P1", date="2024-02-01", minutes="45"),
        ]),
    }


def with_cell(tables, table, row, column, value):
    """Copy of ``tables`` with one cell (0-based data row) changed."""
    out = {k: v.copy() for k, v in tables.items()}
    out[table].loc[row, column] = value
    return out


def problem_rows(problems: Problems, *, file=None, column=None, contains=None) -> pd.DataFrame:
    f = problems.frame
    if file is not None:
        f = f[f["file"] == file]
    if column is not None:
        f = f[f["column"] == column]
    if contains is not None:
        f = f[f["problem"].str.contains(contains, regex=False)]
    return f


def assert_one(problems: Problems, file, row, column, value, contains):
    """Exactly one problem in ``file``/``column`` mentioning ``contains``, at ``row`` with ``value``."""
    found = problem_rows(problems, file=file, column=column, contains=contains)
    found = found[found["row"].isna()] if row is None else found[found["row"] == row]
    assert len(found) == 1, problems.frame.to_string()
    assert found.iloc[0]["value"] == value


def test_valid_workspace_has_no_problems():
    problems = validate_tables(valid_tables())
    assert problems.ok, problems.frame.to_string()
    assert len(problems) == 0
    assert list(problems.frame.columns) == list(PROBLEM_COLUMNS)


def test_registry_is_consistent():
    assert list(TABLES) == ["people", "skills", "proficiency", "goals", "requirements", "enrolment",
                            "preferences", "survey", "meetings"]
    assert {n for n, t in TABLES.items() if t.optional_table} == {"preferences", "survey", "meetings"}
    assert TABLES["people"].file == "people.csv"
    assert TABLES["people"].sensitive_columns == ("gender", "ethnicity", "age_band")
    assert "manager_id" in TABLES["people"].required_columns
    assert "cohort" in TABLES["enrolment"].optional_columns
    for name in TABLES:
        assert table_schema(name) is table_schema(name, (0, 5))  # cached per scale


# --- cross-table and table checks: each triggered, then not triggered -------------------------

CASES = [
    # (id, table, data row (0-based), column, bad value, good value, file, expected row, fragment)
    ("proficiency-person", "proficiency", 2, "person_id", "P99", "P4", "proficiency.csv", 4,
     "is not a person in people.csv"),
    ("enrolment-person", "enrolment", 1, "person_id", "P99", "P4", "enrolment.csv", 3,
     "is not a person in people.csv"),
    ("preferences-person", "preferences", 0, "person_id", "P99", "P4", "preferences.csv", 2,
     "is not a person in people.csv"),
    ("preferences-ranked", "preferences", 1, "ranks_person_id", "P99", "P4", "preferences.csv", 3,
     "is not a person in people.csv"),
    ("survey-person", "survey", 1, "person_id", "P99", "P4", "survey.csv", 3,
     "is not a person in people.csv"),
    ("meetings-mentee", "meetings", 0, "mentee_id", "P99", "P4", "meetings.csv", 2,
     "is not a person in people.csv"),
    ("meetings-mentor", "meetings", 0, "mentor_id", "P99", "P2", "meetings.csv", 2,
     "is not a person in people.csv"),
    ("proficiency-skill", "proficiency", 3, "skill_id", "S99", "S2", "proficiency.csv", 5,
     "is not a skill in skills.csv"),
    ("requirements-skill", "requirements", 1, "skill_id", "S99", "S2", "requirements.csv", 3,
     "is not a skill in skills.csv"),
    ("requirements-goal", "requirements", 0, "goal_id", "G99", "G1", "requirements.csv", 2,
     "is not a goal in goals.csv"),
    ("manager-not-person", "people", 3, "manager_id", "P0099", "P3", "people.csv", 5,
     "manager_id 'P0099' is not a person in people.csv"),
    ("exit-before-hire", "people", 2, "exit_date", "2021-12-31", "2022-01-10", "people.csv", 4,
     "is before hire_date 2022-01-10"),
    ("unparseable-hire", "people", 1, "hire_date", "15/06/2021", "2021-06-15", "people.csv", 3,
     "is not a date in YYYY-MM-DD form"),
    ("impossible-date", "survey", 0, "date", "2024-02-30", "2024-02-29", "survey.csv", 2,
     "is not a real calendar date"),
    ("proficiency-scale", "proficiency", 0, "level", "6", "5", "proficiency.csv", 2,
     "is outside the scale 0-5"),
    ("proficiency-not-int", "proficiency", 0, "level", "three", "3", "proficiency.csv", 2,
     "is not a whole number"),
    ("target-scale", "requirements", 1, "target_level", "-1", "0", "requirements.csv", 3,
     "is outside the scale 0-5"),
    ("capacity-mentee", "enrolment", 2, "capacity", "3", "", "enrolment.csv", 4,
     "is given but role is 'mentee'"),
    ("capacity-negative", "enrolment", 0, "capacity", "-2", "0", "enrolment.csv", 2,
     "must be 0 or more"),
    ("role-enum", "enrolment", 1, "role", "Mentor", "mentor", "enrolment.csv", 3,
     "is not one of: mentee, mentor, both"),
    ("wave-enum", "survey", 1, "wave", "after", "followup", "survey.csv", 3,
     "is not one of: pre, mid, post, followup"),
    ("self-preference", "preferences", 1, "ranks_person_id", "P3", "P4", "preferences.csv", 3,
     "ranks themselves"),
    ("self-meeting", "meetings", 0, "mentor_id", "P3", "P2", "meetings.csv", 2,
     "is the same person as mentee_id"),
    ("priority-positive", "goals", 1, "priority", "0", "0.1", "goals.csv", 3,
     "must be greater than 0"),
    ("importance-number", "requirements", 0, "importance", "high", "2", "requirements.csv", 2,
     "is not a number"),
    ("blank-required", "skills", 2, "name", "", "SQL", "skills.csv", 4, "name is blank but required"),
    ("level-min", "requirements", 1, "level_min", "0", "1", "requirements.csv", 3,
     "must be 1 or more"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_check_triggered_and_not(case):
    _, table, row, column, bad, good, file, line, fragment = case
    problems = validate_tables(with_cell(valid_tables(), table, row, column, bad))
    assert_one(problems, file, line, column, bad, fragment)
    assert len(problems) == 1, problems.frame.to_string()
    fixed = validate_tables(with_cell(valid_tables(), table, row, column, good))
    assert fixed.ok, fixed.frame.to_string()


@pytest.mark.parametrize("column, bad, good", [("wants", "S1;S99", "S1;S2"), ("offers", "S2; S98 ;", "S2;")])
def test_unknown_skill_in_lists(column, bad, good):
    problems = validate_tables(with_cell(valid_tables(), "enrolment", 1, column, bad))
    unknown = bad.split(";")[1].strip()
    assert_one(problems, "enrolment.csv", 3, column, unknown, f"lists '{unknown}', which is not a skill")
    assert len(problems) == 1
    assert validate_tables(with_cell(valid_tables(), "enrolment", 1, column, good)).ok


def test_level_min_above_level_max():
    tables = with_cell(valid_tables(), "requirements", 0, "level_min", "3")
    assert validate_tables(tables).ok  # 3..3 is fine
    tables = with_cell(tables, "requirements", 0, "level_min", "4")
    problems = validate_tables(tables)
    assert_one(problems, "requirements.csv", 2, "level_max", "3", "level_max 3 is below level_min 4")


def test_management_cycle_reports_each_person_in_it():
    tables = with_cell(valid_tables(), "people", 0, "manager_id", "P4")  # P1 -> P4 -> P2 -> P1
    problems = validate_tables(tables)
    cycle = problem_rows(problems, column="manager_id", contains="management cycle")
    assert len(problems) == 3 and len(cycle) == 3
    assert cycle["row"].tolist() == [2, 3, 5]
    assert cycle["value"].tolist() == ["P4", "P1", "P2"]
    assert cycle["file"].eq("people.csv").all()
    first = cycle.iloc[0]["problem"]
    assert first == "'P1' is in a management cycle: P1 -> P4 -> P2 -> P1"
    # P3 reports to P1 but is not in the cycle
    assert not problem_rows(problems, contains="'P3'").shape[0]
    # the untouched chain P4 -> P2 -> P1 has no cycle
    assert validate_table("people", valid_tables()["people"]).ok


def test_own_manager_is_a_cycle():
    problems = validate_table("people", with_cell(valid_tables(), "people", 2, "manager_id", "P3")["people"])
    assert_one(problems, "people.csv", 4, "manager_id", "P3", "'P3' is their own manager")
    assert len(problems) == 1


def test_long_cycle_is_abbreviated_and_fast():
    n = 5000
    ids = [f"P{i}" for i in range(n)]
    people = frame([dict(person_id=p, department="D", job_title="T", level="1", location="L",
                         manager_id=ids[(i + 1) % n], hire_date="2020-01-01", exit_date="")
                    for i, p in enumerate(ids)])
    problems = validate_table("people", people)
    assert len(problems) == n
    assert problems.frame["problem"].str.contains(f"({n} people)", regex=False).all()


DUPLICATES = [
    ("people", 3, {"person_id": "P3"}, "people.csv", 5, "person_id", "P3",
     "person_id 'P3' appears more than once (first on row 4)"),
    ("skills", 2, {"skill_id": "S1"}, "skills.csv", 4, "skill_id", "S1",
     "skill_id 'S1' appears more than once (first on row 2)"),
    ("proficiency", 1, {"skill_id": "S1"}, "proficiency.csv", 3, "skill_id", "S1",
     "person_id 'P1' with skill_id 'S1' appears more than once (first on row 2)"),
    ("goals", 1, {"goal_id": "G1"}, "goals.csv", 3, "goal_id", "G1",
     "goal_id 'G1' appears more than once"),
    ("enrolment", 3, {"cohort": "2024"}, "enrolment.csv", 5, "person_id", "P3",
     "person_id 'P3' with cohort '2024' appears more than once (first on row 4)"),
    ("preferences", 1, {"ranks_person_id": "P1"}, "preferences.csv", 3, "ranks_person_id", "P1",
     "person_id 'P3' with ranks_person_id 'P1' appears more than once"),
    ("preferences", 1, {"rank": "1"}, "preferences.csv", 3, "rank", "1",
     "person_id 'P3' with rank '1' appears more than once"),
    # numbers compare as numbers: "01" is rank 1 again
    ("preferences", 1, {"rank": "01"}, "preferences.csv", 3, "rank", "01",
     "person_id 'P3' with rank '01' appears more than once"),
]


@pytest.mark.parametrize("case", DUPLICATES, ids=[f"{c[0]}-{next(iter(c[2]))}" for c in DUPLICATES])
def test_duplicate_keys(case):
    table, row, change, file, line, column, value, message = case
    tables = valid_tables()
    for col, val in change.items():
        tables = with_cell(tables, table, row, col, val)
    problems = validate_table(table, tables[table])
    assert_one(problems, file, line, column, value, message)
    assert len(problems) == 1, problems.frame.to_string()
    assert validate_table(table, valid_tables()[table]).ok


def test_enrolment_blank_cohort_counts_as_one_cohort():
    tables = valid_tables()
    enrol = tables["enrolment"].copy()
    enrol.loc[[2, 3], "cohort"] = ""
    problems = validate_table("enrolment", enrol)
    assert_one(problems, "enrolment.csv", 5, "person_id", "P3",
               "person_id 'P3' with no cohort appears more than once (first on row 4)")
    # without a cohort column at all, person_id alone is the key
    problems = validate_table("enrolment", enrol.drop(columns="cohort"))
    assert_one(problems, "enrolment.csv", 5, "person_id", "P3", "appears more than once")
    assert validate_table("enrolment", tables["enrolment"].drop(index=3).drop(columns="cohort")).ok


def test_mentor_without_capacity():
    problems = validate_tables(with_cell(valid_tables(), "enrolment", 0, "capacity", ""))
    assert_one(problems, "enrolment.csv", 2, "capacity", "", "capacity is blank but role is 'mentor'")


def test_custom_scale():
    tables = valid_tables()
    problems = validate_tables(tables, scale=(1, 4))
    levels = problem_rows(problems, column="level")
    assert sorted(levels["row"].tolist()) == [2, 5]  # 5 and 0 are outside 1-4
    assert levels["problem"].str.contains("outside the scale 1-4").all()
    with pytest.raises(ValueError):
        validate_tables(tables, scale=(5, 1))


def test_missing_and_duplicated_columns_are_table_level():
    people = valid_tables()["people"].drop(columns=["hire_date", "location"])
    problems = validate_table("people", people)
    assert_one(problems, "people.csv", None, "hire_date", "", "required column 'hire_date' is missing")
    assert_one(problems, "people.csv", None, "location", "", "required column 'location' is missing")
    skills = valid_tables()["skills"]
    doubled = pd.concat([skills, skills[["name"]]], axis=1)
    problems = validate_table("skills", doubled, file="my skills.csv")
    assert_one(problems, "my skills.csv", None, "name", "", "column 'name' appears 2 times")
    assert validate_table("people", valid_tables()["people"].drop(columns=["name", "languages"])).ok


def test_missing_tables_and_unknown_tables():
    tables = valid_tables()
    del tables["goals"], tables["survey"]
    tables["salaries"] = frame([{"x": "1"}])
    problems = validate_tables(tables)
    assert_one(problems, "goals.csv", None, "", "", "required table goals.csv is missing")
    assert_one(problems, "salaries.csv", None, "", "", "'salaries' is not a known table")
    assert len(problems) == 2  # requirements' goal_ids are not checked without goals
    assert len(validate_tables({"people": valid_tables()["people"]}, require_all=False)) == 0


def test_extra_columns_are_kept_and_ignored():
    people = valid_tables()["people"].assign(cost_centre=["A", "", "B", "C"])
    assert validate_table("people", people).ok
    typed = coerce_table("people", people)
    assert "cost_centre" in typed.columns


def test_row_numbers_from_index_or_rows():
    people = valid_tables()["people"]
    people.loc[1, "level"] = "x"
    source = people.set_axis(pd.Index([10, 12, 13, 20], name=ROW_INDEX_NAME))
    assert problem_rows(validate_table("people", source), column="level")["row"].tolist() == [12]
    assert problem_rows(validate_table("people", people, rows=[7, 8, 9, 11]),
                        column="level")["row"].tolist() == [8]
    assert problem_rows(validate_table("people", people), column="level")["row"].tolist() == [3]


def test_validate_against_existing_reports_only_the_new_table():
    tables = valid_tables()
    existing = {"people": tables["people"], "skills": tables["skills"]}
    new = frame([dict(person_id="P2", skill_id="S3", level="1"),
                 dict(person_id="P77", skill_id="S1", level="2"),
                 dict(person_id="P1", skill_id="S404", level="9")])
    problems = validate_against("proficiency", new, existing, file="import.csv")
    assert set(problems.frame["file"]) == {"import.csv"}
    assert_one(problems, "import.csv", 3, "person_id", "P77", "is not a person in people.csv")
    assert_one(problems, "import.csv", 4, "skill_id", "S404", "is not a skill in skills.csv")
    assert_one(problems, "import.csv", 4, "level", "9", "outside the scale")
    assert len(problems) == 3
    assert validate_against("proficiency", new.iloc[:1], existing).ok
    # no existing tables: only the table's own contract
    assert len(validate_against("proficiency", new, None)) == 1


def test_problems_wrapper():
    problems = validate_table("skills", frame([dict(skill_id="S1", name="", category="c")]))
    assert not problems.ok and len(problems) == 1
    assert list(problems.frame.columns) == list(PROBLEM_COLUMNS)
    assert str(problems.frame["row"].dtype) == "Int64"
    assert problems.to_records() == [dict(file="skills.csv", row=2, column="name", value="",
                                          problem="name is blank but required")]
    assert "1 found" in repr(problems)
    both = Problems.concat([problems, Problems(), problems.frame])
    assert len(both) == 2
    assert Problems().ok and repr(Problems()) == "Problems(none)"


def test_unknown_table_name_raises_value_error():
    with pytest.raises(ValueError, match="unknown table"):
        validate_table("salaries", frame([{"a": "1"}]))


def test_malformed_frames_never_raise():
    weird = pd.DataFrame({
        "person_id": [1, 2, None, 2**70, np.nan],
        "department": [np.nan] * 5,
        "level": [1.5, "١", "  3 ", 10**20, True],
        "hire_date": pd.to_datetime(["2020-01-01"] * 5),
        0: ["x"] * 5,
    })
    problems = validate_table("people", weird)
    assert isinstance(problems, Problems) and not problems.ok
    assert_one(problems, "people.csv", None, "location", "", "required column 'location' is missing")
    assert_one(problems, "people.csv", 3, "level", "١", "is not a whole number")
    assert_one(problems, "people.csv", 2, "level", "1.5", "is not a whole number")
    assert_one(problems, "people.csv", 5, "level", str(10**20), "is too large")
    assert_one(problems, "people.csv", 4, "person_id", "", "person_id is blank but required")
    # a timestamp column is text like '2020-01-01 00:00:00', not an ISO date
    assert len(problem_rows(problems, column="hire_date", contains="YYYY-MM-DD")) == 5
    for name in TABLES:
        assert isinstance(validate_table(name, pd.DataFrame()), Problems)
        assert isinstance(validate_table(name, pd.DataFrame(index=range(3))), Problems)
        empty = pd.DataFrame({c: pd.Series([], dtype=str) for c in TABLES[name].required_columns})
        assert validate_table(name, empty).ok


def test_coerce_table_types():
    tables = valid_tables()
    people = coerce_table("people", tables["people"])
    assert str(people["level"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(people["hire_date"])
    assert people["exit_date"].isna().sum() == 3
    assert people.loc[0, "languages"] == ("fr", "en") and people.loc[1, "languages"] == ()
    assert people["manager_id"].isna().iloc[0]
    enrol = coerce_table("enrolment", tables["enrolment"])
    assert enrol.loc[2, "wants"] == ("S1", "S3")
    assert str(enrol["capacity"].dtype) == "Int64" and enrol["capacity"].isna().sum() == 2
    goals = coerce_table("goals", tables["goals"])
    assert goals["priority"].dtype == np.float64 and np.isnan(goals.loc[1, "baseline"])
    prof = coerce_table("proficiency", tables["proficiency"])
    assert prof["level"].tolist() == [5, 4, 2, 0]


# --- property tests -------------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "1", "0", "-3", "5", "9", "1.5", "1e400", "nan", "NA", "2020-01-01",
                     "2020-13-45", "mentor", "mentee", "both", "pre", "P1", "S1", "S1;S2", ";",
                     "P1;P2", "0000-01-01", "9999-12-31", "٣"]),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
)


@st.composite
def malformed_table(draw):
    name = draw(st.sampled_from(list(TABLES)))
    contract = list(TABLES[name].column_names)
    columns = draw(st.lists(st.sampled_from(contract + ["extra", "", " level ", "\ufeffperson_id"]),
                            max_size=len(contract) + 3))
    n = draw(st.integers(min_value=0, max_value=6))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)),
                         min_size=n, max_size=n))
    df = pd.DataFrame(rows, columns=columns, dtype=object) if columns else pd.DataFrame(index=range(n))
    return name, df


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed_table())
def test_any_table_validates_without_raising(case):
    name, df = case
    problems = validate_table(name, df)
    assert isinstance(problems, Problems)
    assert list(problems.frame.columns) == list(PROBLEM_COLUMNS)
    rows = problems.frame["row"].dropna()
    assert ((rows >= 2) & (rows <= len(df) + 1)).all()
    assert isinstance(validate_tables({name: df, "people": df}), Problems)
    assert isinstance(coerce_table(name, df), pd.DataFrame)


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=";"),
               min_size=1, max_size=10).filter(lambda s: s.strip() != "")


def _number(lo, exclusive):
    floats = st.floats(min_value=lo if lo is not None else -1e12, max_value=1e12,
                       exclude_min=exclusive, allow_nan=False, allow_infinity=False)
    return st.one_of(floats.map(repr), st.integers(min_value=int(lo or 0) + (1 if exclusive else 0),
                                                    max_value=10**6).map(str))


def _cell_strategy(col, scale):
    lo, hi = col.bounds(scale)
    if col.kind == "int":
        return st.integers(min_value=int(lo) + (1 if col.min_exclusive else 0) if lo is not None else -10**6,
                           max_value=int(hi) if hi is not None else 10**6).map(str)
    if col.kind == "number":
        return _number(lo, col.min_exclusive)
    if col.kind == "date":
        return st.dates().map(lambda d: d.isoformat())
    if col.kind == "enum":
        return st.sampled_from(col.choices)
    if col.kind == "list":
        return st.just("")
    return TEXT


@st.composite
def valid_table(draw):
    name = draw(st.sampled_from(list(TABLES)))
    lo = draw(st.integers(min_value=-3, max_value=3))
    scale = (lo, lo + draw(st.integers(min_value=1, max_value=9)))
    spec = TABLES[name]
    n = draw(st.integers(min_value=0, max_value=8))
    optional = draw(st.lists(st.sampled_from(spec.optional_columns), unique=True)) \
        if spec.optional_columns else []
    data = {}
    for col in spec.columns:
        if not col.required and col.name not in optional:
            continue
        cells = draw(st.lists(_cell_strategy(col, scale), min_size=n, max_size=n))
        if col.blank_ok:
            blanks = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            cells = ["" if b else c for b, c in zip(blanks, cells)]
        if col.kind == "id":
            # ids are unique per row, so every key holds; referencing columns differ
            cells = [f"{col.name}-{i}" for i in range(n)]
        data[col.name] = cells
    df = pd.DataFrame(data, index=range(n), dtype=object)
    if name == "people":
        df["person_id"] = [f"P{i}" for i in range(n)]
        df["manager_id"] = [f"P{i // 2}" if i and draw(st.booleans()) else "" for i in range(n)]
        for i in range(n):
            if df.at[i, "exit_date"] and df.at[i, "exit_date"] < df.at[i, "hire_date"]:
                df.at[i, "exit_date"], df.at[i, "hire_date"] = df.at[i, "hire_date"], df.at[i, "exit_date"]
    if name == "enrolment":
        df["capacity"] = [c if r != "mentee" else "" for r, c in zip(df["role"], df["capacity"])]
        df["capacity"] = [c or "1" if r != "mentee" else "" for r, c in zip(df["role"], df["capacity"])]
    if name == "requirements" and {"level_min", "level_max"} <= set(df.columns):
        for i in range(n):
            a, b = df.at[i, "level_min"], df.at[i, "level_max"]
            if a and b and int(a) > int(b):
                df.at[i, "level_min"], df.at[i, "level_max"] = b, a
    if draw(st.booleans()):
        df["notes"] = draw(st.lists(st.text(max_size=5), min_size=n, max_size=n))
    return name, df.astype(str) if len(df.columns) else df, scale


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_table())
def test_valid_generated_table_has_no_problems(case):
    name, df, scale = case
    problems = validate_table(name, df, scale=scale)
    assert problems.ok, problems.frame.to_string()


def test_a_repeated_survey_answer_and_a_repeated_requirement_are_duplicates():
    tables = valid_tables()
    survey = pd.concat([tables["survey"], tables["survey"].iloc[[0]]], ignore_index=True)
    problems = validate_table("survey", survey)
    assert len(problems) == 1 and "appears more than once" in problems.frame["problem"].iloc[0]
    requirements = pd.concat([tables["requirements"], tables["requirements"].iloc[[0]]], ignore_index=True)
    problems = validate_table("requirements", requirements)
    assert len(problems) == 1 and "appears more than once" in problems.frame["problem"].iloc[0]
    # the same skill in a different scope is not a duplicate
    other_scope = tables["requirements"].iloc[[0]].assign(level_min="7", level_max="7")
    assert validate_table("requirements", pd.concat([tables["requirements"], other_scope], ignore_index=True)).ok


@pytest.mark.parametrize("column, value, contains", [
    ("hire_date", "0001-01-01", "before 1900"),
    ("exit_date", "9999-12-31", "years ahead: a placeholder? Leave it blank"),
    ("hire_date", "2099-01-01", "years ahead"),
    ("hire_date", "2027-03-01", "a hire after today (2026-12-07)"),
])
def test_implausible_dates_are_warnings_naming_file_row_column_value(column, value, contains):
    import datetime as dt

    tables = valid_tables()
    tables["people"].loc[1, column] = value  # row 3 of people.csv
    if column == "exit_date":
        tables["people"].loc[1, "hire_date"] = "2015-01-01"
    assert validate_tables(tables).ok  # warnings, not errors: the contract allows these dates
    warnings = date_warnings(tables, today=dt.date(2026, 12, 7))
    assert_one(warnings, "people.csv", 3, column, value, contains)
    assert len(warnings) == 1


def test_plausible_dates_give_no_warning():
    import datetime as dt

    assert date_warnings(valid_tables(), today=dt.date(2026, 12, 7)).ok


def test_programs_not_in_the_workspace_are_named_on_the_rows_an_index_named_row_gives():
    enrolment = pd.DataFrame({"person_id": ["P1", "P2", "P3"], "role": ["mentee"] * 3,
                              "program": ["main", "", "main;evening"]})
    assert program_problems(enrolment, ["main"]).frame["row"].tolist() == [4]  # position + 2
    from_file = enrolment.set_axis(pd.Index([7, 8, 10], name=ROW_INDEX_NAME))  # rows of a file with title rows
    found = program_problems(from_file, ["main"]).frame
    assert list(zip(found["row"], found["column"], found["value"])) == [(10, "program", "evening")]
