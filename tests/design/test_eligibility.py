"""Eligibility filters over people as read from CSV (text columns, blanks as '')."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data.importing import read_workspace_table
from workbench.design.eligibility import data_as_of, eligible, employed, tenure_months
from workbench.design.model import ColumnFilter, Eligibility, ProgramDesign, Quota
from workbench.workspace import DEMO_SOURCE, open_workspace

AS_OF = datetime.date(2026, 6, 30)


def people(*rows: tuple[str, str, str, str, str, str]) -> pd.DataFrame:
    """person_id, department, level, hire_date, exit_date, rating: all text, as read from CSV."""
    columns = ["person_id", "department", "level", "hire_date", "exit_date", "rating"]
    return pd.DataFrame(list(rows), columns=columns, dtype=str)


STAFF = people(
    ("A", "Engineering", "1", "2026-01-01", "", "4"),
    ("B", "Engineering", "3", "2020-03-15", "", "2.5"),
    ("C", "Sales", "2", "2025-06-30", "", ""),
    ("D", "Sales", "5", "2019-01-01", "2026-06-30", "5"),   # leaves on as_of: not employed
    ("E", "Finance", "2", "2026-06-30", "", "3"),           # hired on as_of: employed
    ("F", "Finance", "x", "2027-01-01", "", "3"),           # not hired yet
    ("G", "People", "4", "2018-05-01", "2026-07-15", "3"),  # leaves later: employed
)


def ids(mask: pd.Series) -> list[str]:
    return STAFF.loc[mask, "person_id"].tolist()


def test_no_filter_keeps_everyone_employed() -> None:
    assert ids(eligible(STAFF, Eligibility(), as_of=AS_OF)) == ["A", "B", "C", "E", "G"]
    assert ids(employed(STAFF, as_of=AS_OF)) == ["A", "B", "C", "E", "G"]


@pytest.mark.parametrize(("rule", "expected"), [
    (Eligibility(departments=("Engineering", "Finance")), ["A", "B", "E"]),
    (Eligibility(level_min=2), ["B", "C", "E", "G"]),
    (Eligibility(level_max=2), ["A", "C", "E"]),
    (Eligibility(level_min=2, level_max=3), ["B", "C", "E"]),
    (Eligibility(min_tenure_months=12), ["B", "G"]),  # C: 365 days = 11.99 months
    (Eligibility(min_tenure_months=11), ["B", "C", "G"]),
    (Eligibility(min_tenure_months=0), ["A", "B", "C", "E", "G"]),
    (Eligibility(performance_column="rating", performance_min=3), ["A", "E", "G"]),
    (Eligibility(performance_column="missing_column", performance_min=3), ["A", "B", "C", "E", "G"]),
    (Eligibility(departments=("Sales",), min_tenure_months=6), ["C"]),
    (Eligibility(filters=(ColumnFilter(column="department", values=("Finance", " People ")),)), ["E", "G"]),
    (Eligibility(filters=(ColumnFilter(column="rating", min_value=2.5, max_value=3),)), ["B", "E", "G"]),
    (Eligibility(filters=("rating:>=3", "department=Engineering")), ["A"]),  # the short form, both must pass
    (Eligibility(filters=("rating:<=10",)), ["A", "B", "E", "G"]),  # C's blank rating never passes
    (Eligibility(filters=("site=Leeds",)), []),  # a column people.csv does not have: nobody passes
    (Eligibility(level_min=2, filters=("department=Sales|Finance",)), ["C", "E"]),
])
def test_filters(rule: Eligibility, expected: list[str]) -> None:
    assert ids(eligible(STAFF, rule, as_of=AS_OF)) == expected


def test_result_is_aligned_with_the_people_index() -> None:
    shuffled = STAFF.iloc[::-1].set_axis([f"r{i}" for i in range(len(STAFF))])
    result = eligible(shuffled, Eligibility(level_max=2), as_of=AS_OF)
    assert result.index.equals(shuffled.index)
    assert result.dtype == bool and result.name == "eligible"
    assert shuffled.loc[result, "person_id"].tolist() == ["E", "C", "A"]


def test_tenure_is_in_months_of_30_44_days() -> None:
    months = tenure_months(STAFF, as_of=AS_OF)
    assert months.iloc[2] == pytest.approx(365 / 30.44)
    assert months.iloc[4] == 0
    just_short = people(("X", "Sales", "1", "2025-06-01", "", ""))
    # 394 days = 12.94 months: not yet 13
    assert not eligible(just_short, Eligibility(min_tenure_months=13), as_of=datetime.date(2026, 6, 30)).iloc[0]


def test_unreadable_cells_never_pass_a_filter_that_uses_them() -> None:
    odd = people(("X", " Sales ", "", "2020-01-01", "", "n/a"), ("Y", "Sales", "2", "not a date", "", "4"))
    assert eligible(odd, Eligibility(departments=("Sales",)), as_of=AS_OF).tolist() == [True, False]
    assert eligible(odd, Eligibility(level_min=1), as_of=AS_OF).tolist() == [False, False]
    assert eligible(odd, Eligibility(performance_column="rating", performance_min=0), as_of=AS_OF).tolist() == [
        False, False]


def test_empty_people() -> None:
    assert eligible(people(), Eligibility(level_min=2), as_of=AS_OF).empty


def test_data_as_of_is_the_latest_event_not_after_today() -> None:
    assert data_as_of(STAFF, today=datetime.date(2030, 1, 1)) == datetime.date(2027, 1, 1)
    assert data_as_of(STAFF, today=datetime.date(2026, 11, 21)) == datetime.date(2026, 7, 15)
    assert data_as_of(STAFF, today=datetime.date(2026, 7, 1)) == datetime.date(2026, 6, 30)
    assert data_as_of(people(), today=datetime.date(2026, 1, 2)) == datetime.date(2026, 1, 2)


def test_data_as_of_the_demo_is_its_last_hire() -> None:
    demo = read_workspace_table(open_workspace(DEMO_SOURCE), "people")
    assert data_as_of(demo, today=datetime.date(2026, 11, 21)) == datetime.date(2026, 6, 28)


DATES = st.dates(datetime.date(2015, 1, 1), datetime.date(2028, 12, 31)).map(datetime.date.isoformat)
ROW = st.tuples(st.sampled_from(["Engineering", "Sales", "Finance"]),
                st.one_of(st.integers(1, 7).map(str), st.just("")),
                DATES, st.one_of(st.just(""), DATES),
                st.one_of(st.just(""), st.floats(0, 5, allow_nan=False).map(lambda x: f"{x:.1f}")))
RULES = st.builds(
    lambda d, lo, span, t, p: Eligibility(departments=tuple(d), level_min=lo,
                                          level_max=None if lo is None or span is None else lo + span,
                                          min_tenure_months=t, performance_column=None if p is None else "rating",
                                          performance_min=p),
    st.lists(st.sampled_from(["Engineering", "Sales", "Finance"]), unique=True, max_size=2),
    st.one_of(st.none(), st.integers(1, 5)), st.one_of(st.none(), st.integers(0, 3)),
    st.one_of(st.none(), st.integers(0, 60)), st.one_of(st.none(), st.floats(0, 5, allow_nan=False)))
EXTRA = st.sampled_from([
    {"departments": ("Sales",)}, {"level_min": 3}, {"level_max": 3}, {"min_tenure_months": 24},
    {"performance_column": "rating", "performance_min": 2.5},
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, max_size=25), rule=RULES, extra=EXTRA, day=st.dates(datetime.date(2016, 1, 1),
                                                                               datetime.date(2028, 1, 1)))
def test_adding_a_filter_never_grows_the_eligible_set(rows, rule, extra, day) -> None:
    frame = people(*[(f"P{i}", *row) for i, row in enumerate(rows)])
    fields = rule.model_dump()
    for key, value in extra.items():
        current = fields[key]
        if key == "departments":
            value = (tuple(set(current) & set(value)) or ("Nowhere",)) if current else value
        elif key in ("level_min", "min_tenure_months", "performance_min") and current is not None:
            value = max(current, value)
        elif key == "level_max" and current is not None:
            value = min(current, value)
        fields[key] = value
    if fields["level_min"] is not None and fields["level_max"] is not None and \
            fields["level_min"] > fields["level_max"]:
        # the two bounds crossed: close the range at the looser rule's own bound, so it stays inside that rule
        if "level_max" in extra:
            fields["level_max"] = fields["level_min"]
        else:
            fields["level_min"] = fields["level_max"]
    stricter = Eligibility(**fields)
    loose = eligible(frame, rule, as_of=day)
    strict = eligible(frame, stricter, as_of=day)
    assert not (strict & ~loose).any()
    assert not (loose & ~employed(frame, as_of=day)).any()


@pytest.mark.parametrize("bad", [
    {"column": "rating"}, {"column": "rating", "values": ["3"], "min_value": 1},
    {"column": "rating", "min_value": 4, "max_value": 3}, "rating", "rating:>=3%", "rating:=3",
])
def test_a_filter_takes_values_or_a_range(bad) -> None:
    with pytest.raises(ValueError, match="rating"):
        ColumnFilter.model_validate(bad)


@pytest.mark.parametrize("text", ["department=Sales|Marketing", "rating:>=2.5,<=4", "level:<=3"])
def test_a_filter_reads_back_its_short_form(text: str) -> None:
    assert ColumnFilter.model_validate(text).text() == text


@pytest.mark.parametrize("text", ["department:<=30%", "level:>=2", "department=Sales:>=5,<=8", "site:>=12.5%"])
def test_a_quota_reads_back_its_short_form(text: str) -> None:
    assert Quota.model_validate(text).text() == text


@pytest.mark.parametrize("bad", ["department", "department:>=2.5", "department:>=60%,<=40%", "department:<=130%",
                                 {"column": "department"}])
def test_a_quota_needs_sensible_bounds(bad) -> None:
    with pytest.raises(ValueError, match="department|share"):
        Quota.model_validate(bad)


def test_a_design_without_the_new_fields_still_loads() -> None:
    design = ProgramDesign.model_validate({"align": {"mentee_eligibility": {"min_tenure_months": 12}},
                                           "launch": {"rollout": "pilot"}})
    assert design.align.mentee_eligibility.filters == () and design.launch.selection.method == "everyone"
