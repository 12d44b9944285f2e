"""Files people download and open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is run as a formula by Excel and LibreOffice ("CSV injection"); names and
values from HR exports are not to be trusted that far. Such cells are written
with a leading apostrophe, which spreadsheets show as text. Plain numbers
(``-3``, ``+1.5``) are left alone.

Only for files meant for spreadsheets (downloads, ``--out`` files): a file the
workspace reads back (its tables, ``results/matching.csv``) is written with
:func:`workbench.workspace.csv_text`, so an id such as ``=1+1`` stays ``=1+1``.
"""

from __future__ import annotations

import re

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype("string")
            risky = text.str.startswith(_FORMULA_START, na=False) & ~text.str.match(_NUMBER, na=False)
            if risky.any():
                safe[column] = values.astype(object).where(~risky, "'" + text.astype(object))
    safe.columns = ["'" + c if isinstance(c, str) and c.startswith(_FORMULA_START) else c for c in safe.columns]
    return safe


def safe_csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV (UTF-8 text, ``\\n`` line ends, no index) that is safe to open in a spreadsheet."""
    return spreadsheet_safe(frame).to_csv(index=False, lineterminator="\n", na_rep="")
