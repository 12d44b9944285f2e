import pandas as pd

from workbench.charts import headcount_chart


def test_headcount_counts_current_people_by_department_and_level() -> None:
    people = pd.DataFrame({
        "person_id": ["P1", "P2", "P3", "P4"],
        "department": ["Sales", "Sales", "Sales", "Finance"],
        "level": ["1", "1", "2", "3"],
        "exit_date": ["", "", "2025-01-31", ""],
    })
    spec = headcount_chart(people).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sorted((r["department"], r["level"], r["people"]) for r in rows) == [("Finance", 3, 1), ("Sales", 1, 2)]
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["aggregate"] == "sum"


def test_headcount_works_without_an_exit_date_column() -> None:
    people = pd.DataFrame({"department": ["Ops"] * 3, "level": ["2", "2", "x"]})
    rows = next(iter(headcount_chart(people).to_dict()["datasets"].values()))
    assert rows == [{"department": "Ops", "level": 2, "people": 2}]
