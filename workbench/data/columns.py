"""Reading the cells of a table's columns: text, whole numbers, numbers, dates and ``;``-separated lists.

Tables arrive as read from CSV (every cell text, a blank cell ``""``). The strict parsers (``_parse_*``,
:func:`split_list`) are the contracts' own: :mod:`workbench.data.validation` validates with them and
:func:`workbench.data.validation.coerce_table` types with them. :func:`text_column`, :func:`number_column` and
:func:`date_column` are what the analyses read a column with: any table, a column it may lack (all blank),
cells that cannot be read as missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.data.tables import LIST_SEPARATOR

__all__ = ["date_column", "number_column", "split_list", "text_column"]
_INT_RE = r"[+-]?[0-9]+(?:\.0*)?"
_NUMBER_RE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# Whole numbers beyond this are rejected: they cannot be held exactly and are
# never meaningful in this data (levels, capacities, ranks, months).
_MAX_WHOLE = 1e15


def _as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text (``str`` dtype), blanks and missing values as NaN."""
    if s.dtype != "str":
        obj = s.astype(object)
        s = obj.where(obj.notna(), np.nan).astype(str)
    s = s.str.strip()
    s = s.where(s.ne(""))
    return s.reset_index(drop=True)


def _parse_whole(s: pd.Series) -> pd.Series:
    """Whole numbers as float64 (NaN where not a whole number or too large)."""
    ok = s.str.fullmatch(_INT_RE).fillna(False).astype(bool)
    values = pd.to_numeric(s.where(ok), errors="coerce").astype("float64")
    return values.where(values.abs() < _MAX_WHOLE)


def _parse_number(s: pd.Series) -> pd.Series:
    """Finite numbers as float64 (NaN where not a number)."""
    ok = s.str.fullmatch(_NUMBER_RE).fillna(False).astype(bool)
    values = pd.to_numeric(s.where(ok), errors="coerce").astype("float64")
    return values.where(np.isfinite(values))


def _parse_date(s: pd.Series) -> pd.Series:
    """ISO dates as datetime64 (NaT where not a real ``YYYY-MM-DD`` date)."""
    ok = s.str.fullmatch(_DATE_RE).fillna(False).astype(bool)
    dates = pd.to_datetime(s.where(ok), format="%Y-%m-%d", errors="coerce")
    return dates.where(dates.dt.year >= 1)


def split_list(s: pd.Series) -> pd.Series:
    """Split ``;``-separated cells into one stripped item per row (index repeats).

    Blank cells and empty items (``'a;;b'``) yield nothing.
    """
    s = s.dropna().astype(str)
    if s.empty:
        return pd.Series([], dtype=str)
    items = s.str.split(LIST_SEPARATOR, regex=False).explode().astype(str).str.strip()
    return items[items.ne("")]


def text_column(table: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as stripped text, or all blanks when the table has no such column."""
    if column not in table.columns:
        return pd.Series("", index=table.index, dtype=object)
    return table[column].fillna("").astype(str).str.strip()


def date_column(table: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as timestamps (day precision); blank or malformed cells are ``NaT``."""
    return pd.to_datetime(text_column(table, column), format="%Y-%m-%d", errors="coerce")


def number_column(table: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as floats; blank or non-numeric cells are ``NaN``."""
    return pd.to_numeric(text_column(table, column), errors="coerce").astype(float)
