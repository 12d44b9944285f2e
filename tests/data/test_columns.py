"""Reading columns: a table typed once at read (data/columns.py ``typed_table``) reads as its text does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.data.columns import date_column, number_column, text_column, typed_table
from workbench.data.importing import checked_tables, typed_tables
from workbench.data.tables import TABLES
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
