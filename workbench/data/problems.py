"""What is wrong with some tables, as one table of problems a person can read and fix.

Validation never raises on malformed data. Whatever is wrong is collected, all of it, into a
:class:`Problems` table with the columns ``file, row, column, value, problem``, where ``row`` is the line
a user sees when the CSV is opened in a spreadsheet (header = row 1, first data row = row 2) and
``problem`` is a plain-English sentence. Warnings (values that meet their contracts but are unlikely to be
true) use the same table; :func:`warning_lines` and :func:`warning_summary` show them.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.data.tables import TableSpec

__all__ = [
    "PROBLEM_COLUMNS",
    "Problems",
    "SHOWN_WARNINGS",
    "WARNINGS_JSON_SCHEMA",
    "warning_lines",
    "warning_summary",
]


#: Columns of a :class:`Problems` table, in order.
PROBLEM_COLUMNS: tuple[str, ...] = ("file", "row", "column", "value", "problem")
_SHOWN_CHARS = 60


# --------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------


def _empty_problem_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": pd.Series([], dtype=str),
            "row": pd.Series([], dtype="Int64"),
            "column": pd.Series([], dtype=str),
            "value": pd.Series([], dtype=str),
            "problem": pd.Series([], dtype=str),
        }
    )


def _standardise_problems(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or len(frame) == 0:
        return _empty_problem_frame()
    missing = [c for c in PROBLEM_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"a problems table needs the columns {', '.join(missing)}")
    out = {}
    for col in PROBLEM_COLUMNS:
        s = frame[col].reset_index(drop=True)
        if col == "row":
            out[col] = pd.to_numeric(s, errors="coerce").astype("Int64")
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return pd.DataFrame(out)


class Problems:
    """Everything found wrong with some tables: a thin wrapper around a DataFrame.

    ``frame`` has exactly the columns ``file, row, column, value, problem``:
    ``row`` (nullable ``Int64``) is the spreadsheet row of the offending line
    and is blank (``<NA>``) for table-level problems such as a missing
    column; the other columns are text, ``''`` when not applicable.
    """

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        """Wrap ``frame`` (or nothing, for "no problems"), normalising dtypes."""
        self.frame = _standardise_problems(frame)

    @property
    def ok(self) -> bool:
        """True when there are no problems."""
        return len(self.frame) == 0

    def __len__(self) -> int:
        """Number of problems."""
        return len(self.frame)

    def __repr__(self) -> str:
        """Summarise the problems (count and the first few)."""
        if self.ok:
            return "Problems(none)"
        return f"Problems({len(self)} found)\n{self.frame.head(20).to_string()}"

    def _repr_html_(self) -> str:
        return self.frame._repr_html_()  # type: ignore[no-any-return]

    def text(self, limit: int = 50) -> str:
        """The first ``limit`` problems as a plain-text table (file, row, column, value, problem), as
        ``workbench validate`` prints them, with a last line counting the rest."""
        shown = self.frame.head(limit)
        text = shown.astype(object).where(shown.notna(), "").to_string(index=False, max_colwidth=80)
        return text + (f"\n... and {len(self) - limit:,} more" if len(self) > limit else "")

    def to_records(self) -> list[dict]:
        """Return the problems as a list of plain dicts (row is ``None`` when blank)."""
        records = self.frame.astype(object).where(self.frame.notna(), None)
        return records.to_dict("records")

    @classmethod
    def concat(cls, parts: Iterable["Problems | pd.DataFrame"]) -> "Problems":
        """Join several problem tables (or problem DataFrames) into one, in order."""
        frames = []
        for part in parts:
            frame = part.frame if isinstance(part, Problems) else _standardise_problems(part)
            if len(frame):
                frames.append(frame)
        if not frames:
            return cls()
        return cls(pd.concat(frames, ignore_index=True))

    @classmethod
    def single(cls, file: str, problem: str, *, column: str = "", value: str = "",
               row: int | None = None) -> "Problems":
        """Return a table holding one problem."""
        return cls(pd.DataFrame({
            "file": [file], "row": pd.array([row], dtype="Int64"), "column": [column],
            "value": [value], "problem": [problem],
        }))


def _problems(file: str, rows, column, values, messages) -> pd.DataFrame:
    """Build a problem frame from aligned row numbers, values and messages.

    ``column``, ``values`` and ``messages`` may each be one string for all rows.
    """
    if isinstance(messages, str):
        n = len(values) if not isinstance(values, str) else len(rows) if rows is not None else 1
        messages = [messages] * n
    messages = pd.Series(messages, dtype=object).reset_index(drop=True)
    n = len(messages)
    if rows is None:
        row_arr = pd.array([pd.NA] * n, dtype="Int64")
    else:
        row_arr = pd.array(np.asarray(rows, dtype=np.int64), dtype="Int64")
    if isinstance(column, str):
        column = [column] * n
    if isinstance(values, str):
        values = [values] * n
    vals = pd.Series(values, dtype=object).reset_index(drop=True)
    return pd.DataFrame({
        "file": [file] * n,
        "row": row_arr,
        "column": pd.Series(column, dtype=object).reset_index(drop=True).astype(str),
        "value": vals.where(vals.notna(), "").astype(str),
        "problem": messages.astype(str),
    })


def _finish(frames: Sequence[pd.DataFrame], spec: TableSpec | None = None) -> Problems:
    """Concatenate the problem frames of one file, ordered by row (table-level first),
    then by the column's place in the contract."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return Problems()
    frame = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate(spec.column_names)} if spec is not None else {}
    rank = frame["column"].map(order).fillna(len(order))
    frame = frame.assign(_rank=rank).sort_values(["row", "_rank"], na_position="first", kind="stable")
    return Problems(frame.drop(columns="_rank"))


def _shown(values: pd.Series) -> pd.Series:
    """Values as quoted in messages: long ones are shortened."""
    values = values.astype(str)
    long = values.str.len() > _SHOWN_CHARS
    if long.any():
        values = values.where(~long, values.str.slice(0, _SHOWN_CHARS) + "...")
    return values


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


#: Warnings listed one a line after a command's results and in a page's header (the rest are counted).
SHOWN_WARNINGS = 10


def warning_lines(warnings: Problems, limit: int = SHOWN_WARNINGS) -> list[str]:
    """The first ``limit`` of ``warnings`` (:func:`date_warnings`) as sentences, one a line, with a last line
    counting the rest: ``people.csv row 12, column hire_date: 2099-01-01 is a hire after today (2026-12-07)``."""
    lines = []
    for row in warnings.frame.head(limit).itertuples(index=False):
        where = row.file + "".join(f"{sep}{part}" for sep, part in ((" ", "" if pd.isna(row.row) else f"row {row.row}"),
                                                                    (", ", row.column and f"column {row.column}"))
                                   if part)
        lines.append(f"{where}: {row.value} is {row.problem}" if row.value else f"{where}: {row.problem}")
    if len(warnings) > limit:
        lines.append(f"... and {len(warnings) - limit:,} more")
    return lines


def warning_summary(warnings: Problems) -> pd.DataFrame:
    """How many values each warning concerns, by ``file``, ``column`` and ``problem`` (count in ``values``): the
    warnings without rows or values, for what is shared (JSON output, the published app)."""
    frame = warnings.frame
    return frame.groupby(["file", "column", "problem"], sort=True).size().rename("values").reset_index()


#: JSON Schema of :func:`warning_summary` as records: the ``warnings`` of the commands' JSON output.
WARNINGS_JSON_SCHEMA: dict = {
    "type": "array",
    "description": "values in the tables read that meet their contracts but are unlikely to be true (implausible "
                   "dates, hires after today), counted by file, column and problem; they did not stop the figures",
    "items": {"type": "object", "required": ["file", "column", "problem", "values"], "additionalProperties": False,
              "properties": {"file": {"type": "string"}, "column": {"type": "string"},
                             "problem": {"type": "string"}, "values": {"type": "integer", "minimum": 1}}},
}
