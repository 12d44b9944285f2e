import pandas as pd

from workbench.charts import headcount_chart


def _rows(chart) -> list[dict]:
    return next(iter(chart.to_dict()["datasets"].values()), [])


def _people(*groups: tuple[str, str, int], left: int = 0) -> pd.DataFrame:
    """``people.csv`` rows: ``count`` people per (department, level), and ``left`` leavers in the first group."""
    rows = [(d, lv, "") for d, lv, count in groups for _ in range(count)]
    rows += [(groups[0][0], groups[0][1], "2025-01-31")] * left
    return pd.DataFrame({"person_id": [f"P{i}" for i in range(len(rows))], "department": [r[0] for r in rows],
                         "level": [r[1] for r in rows], "exit_date": [r[2] for r in rows]})


def test_headcount_counts_current_people_by_department_and_level() -> None:
    spec = headcount_chart(_people(("Sales", "1", 6), ("Sales", "2", 7), ("Finance", "3", 5), left=3)).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sorted((r["department"], r["level"], r["people"]) for r in rows) == [
        ("Finance", 3, 5), ("Sales", 1, 6), ("Sales", 2, 7)]
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["aggregate"] == "sum"


def test_headcount_works_without_an_exit_date_column() -> None:
    people = pd.DataFrame({"department": ["Ops"] * 6, "level": ["2"] * 5 + ["x"]})
    assert _rows(headcount_chart(people)) == [{"department": "Ops", "level": 2, "people": 5}]


def test_headcount_hides_groups_of_fewer_than_five_and_one_more_so_none_can_be_worked_out() -> None:
    # Sales level 3 has 2 people: hidden, and so is Sales level 2 (the next smallest), so the Sales bar
    # (or a Sales total shown elsewhere) minus the groups drawn does not give level 3 away.
    people = _people(("Sales", "1", 9), ("Sales", "2", 6), ("Sales", "3", 2), ("Finance", "1", 5))
    rows = _rows(headcount_chart(people))
    assert sorted((r["department"], r["level"], r["people"]) for r in rows) == [("Finance", 1, 5), ("Sales", 1, 9)]


def test_headcount_without_a_level_column_draws_nobody_instead_of_failing() -> None:
    people = pd.DataFrame({"person_id": [f"P{i}" for i in range(6)], "department": ["Ops"] * 6})
    assert _rows(headcount_chart(people)) == []
