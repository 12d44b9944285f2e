"""Reading columns: a table typed once at read (data/columns.py ``typed_table``), or typed for a researcher
(``coerce_table``, what ``workbench.open`` gives), reads as its text does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.data.columns import date_column, number_column, text_column, typed_table
from workbench.data.importing import checked_tables, typed_tables
from workbench.data.tables import TABLES
from workbench.data.validation import coerce_table
from workbench.workspace import open_workspace


def test_a_table_typed_at_read_reads_as_its_text_does(demo_data_only: Path) -> None:
    workspace = open_workspace(demo_data_only)
    text, typed = checked_tables(workspace), typed_tables(workspace)
    assert typed.keys() == text.keys() and {"people", "enrolment", "proficiency"} <= typed.keys()
    assert typed["people"]["hire_date"].dtype.kind == "M" and typed["people"]["level"].dtype == float
    for name, frame in text.items():
        kinds = {col.name: col.kind for col in TABLES[name].columns}
        for column in frame.columns:
            kind = kinds.get(column, "text")
            read = {"date": date_column, "int": number_column, "number": number_column}.get(kind, text_column)
            pd.testing.assert_series_equal(read(typed[name], column), read(frame, column))
            if kind in ("date", "int"):  # written back as the file holds it
                pd.testing.assert_series_equal(text_column(typed[name], column), text_column(frame, column))
        pd.testing.assert_frame_equal(typed_table(name, typed[name]), typed[name])  # typing twice changes nothing
        # whole numbers as Int64 with missing values, lists as tuples, blank text missing
        pd.testing.assert_frame_equal(typed_table(name, coerce_table(name, frame)), typed[name])


def test_a_researchers_types_read_as_the_csv_holds_them() -> None:
    frame = pd.DataFrame({"level": pd.array([2, None], dtype="Int64"), "wants": [("s1", "s2"), ()],
                          "note": ["x", None], "score": pd.array([1.5, None], dtype="Float64")})
    assert text_column(frame, "level").tolist() == ["2", ""] and text_column(frame, "wants").tolist() == ["s1;s2", ""]
    assert text_column(frame, "note").tolist() == ["x", ""] and text_column(frame, "score").tolist() == ["1.5", ""]
    assert number_column(frame, "level").dtype == float and number_column(frame, "level").isna().tolist() == [False, True]
