"""Reading the cells of a table's columns: text, whole numbers, numbers, dates and ``;``-separated lists.

Tables arrive as read from CSV (every cell text, a blank cell ``""``). The strict parsers (``_parse_*``,
:func:`split_list`) are the contracts' own: :mod:`workbench.data.validation` validates with them and
:func:`workbench.data.validation.coerce_table` types with them. :func:`text_column`, :func:`number_column` and
:func:`date_column` are what the analyses read a column with: any table, a column it may lack (all blank),
cells that cannot be read as missing. :func:`typed_table` types a table once, with those same three, so that
the analyses parse nothing again (a typed column passes through them); a researcher's frame of text still
works, parsed where it is read, and so does a table typed as ``workbench.open`` gives it
(:func:`~workbench.data.validation.coerce_table`: ``Int64`` whole numbers, lists as tuples, blanks missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.data.tables import LIST_SEPARATOR, TABLES

__all__ = ["date_column", "number_column", "split_list", "text_column", "typed_table"]
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
    """Column ``column`` as stripped text, or all blanks when the table has no such column.

    Blanks are ``""``. A column already typed (:func:`typed_table`: dates, numbers of any dtype; tuples of ids)
    is written back the way a CSV holds it: dates ``YYYY-MM-DD``, whole numbers without a decimal point, lists
    ``;``-separated."""
    if column not in table.columns:
        return pd.Series("", index=table.index, dtype=object)
    values = table[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").fillna("").astype(str)
    if _numeric(values):
        values = _floats(values)
        whole = values.notna() & (values == values.round())
        text = values.astype(object).where(values.notna(), "").astype(str)
        return text.where(~whole, values.where(whole, 0).astype("int64").astype(str))
    if values.dtype == object and len(values) and isinstance(values.iloc[0], (tuple, list)):
        # a researcher's typed lists (workbench.open: tuples of ids, () when blank) as the CSV holds them
        values = values.map(lambda v: LIST_SEPARATOR.join(map(str, v)) if isinstance(v, (tuple, list)) else v)
    return values.fillna("").astype(str).str.strip()


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _floats(values: pd.Series) -> pd.Series:
    """Numbers of any dtype (``Int64`` with missing values too) as float64, missing as NaN."""
    if pd.api.types.is_float_dtype(values) and not isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
        return values
    return pd.Series(values.astype("Float64").to_numpy(dtype=float, na_value=np.nan), index=values.index)


def date_column(table: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as timestamps (day precision); blank or malformed cells are ``NaT``. A column already
    typed (:func:`typed_table`) is returned as it is."""
    if column in table.columns and pd.api.types.is_datetime64_any_dtype(table[column]):
        return table[column]
    return pd.to_datetime(text_column(table, column), format="%Y-%m-%d", errors="coerce")


def number_column(table: pd.DataFrame, column: str) -> pd.Series:
    """Column ``column`` as floats; blank or non-numeric cells are ``NaN``. A column already typed
    (:func:`typed_table`) is returned as it is."""
    if column in table.columns and _numeric(table[column]):
        return _floats(table[column])
    return pd.to_numeric(text_column(table, column), errors="coerce").astype(float)


def typed_table(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` with its columns typed once, as the analyses read them: ``date`` columns of its contract
    as timestamps (:func:`date_column`), ``int`` and ``number`` columns as floats (:func:`number_column`),
    every other column (ids, text, choices, ``;``-lists, columns outside the contract) as stripped text with
    blanks ``""`` (:func:`text_column`). The index is kept. The analyses read a typed table and a table as read
    from CSV alike (the three column functions pass typed columns through), so typing twice costs nothing.

    For a table that passed its contract (:func:`workbench.data.importing.checked_tables`); a cell that would
    not validate becomes missing. ``name``: a table of :data:`~workbench.data.tables.TABLES`.
    """
    kinds = {col.name: col.kind for col in TABLES[name].columns}
    read = {"date": date_column, "int": number_column, "number": number_column}
    return pd.DataFrame({column: read.get(kinds.get(column), text_column)(table, column)
                         for column in table.columns}, index=table.index)
